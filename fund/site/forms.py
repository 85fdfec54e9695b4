"""Forms for the information site and its editor pages. They parse and check input; the
services in fund.site.services make the changes (and check again for other callers)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from fund.site.facts import unknown_fact_references
from fund.site.models import Event, Faq, Notice, Registration

CONSENT_REQUIRED = _(
    "You can register only if you agree to the collection and use of your personal information."
)
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
FACT_REFERENCE_HELP = _(
    "To state a public figure, write its key from the public facts page in double brackets "
    "([[…]]): the page shows the registry's value with its source."
)


def _checked_fact_references(text: str) -> str:
    """`text`, if every [[key]] in it names a public fact; a clear error otherwise."""
    unknown = unknown_fact_references(text)
    if unknown:
        raise forms.ValidationError(
            _("No public fact has the key %(keys)s. Check the key on the public facts page."),
            params={"keys": ", ".join(f"[[{key}]]" for key in unknown)},
            code="unknown_fact",
        )
    return text


class RegistrationForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=Registration._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    organization = forms.CharField(
        label=_("Organisation"),
        max_length=Registration._meta.get_field("organization").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=Registration._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=Registration._meta.get_field("phone").max_length,
        help_text=_("For example 010-1234-5678."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I agree to the collection and use of my personal information as described above."),
        error_messages={"required": CONSENT_REQUIRED},
    )


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["title", "body", "pinned", "published"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
        help_texts = {
            "body": _("Plain text; line breaks are kept."),
            "pinned": _("Pinned notices are listed first."),
            "published": _("Only published notices are shown on the site."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = f"{self.fields['body'].help_text} {FACT_REFERENCE_HELP}"

    def clean_body(self):
        return _checked_fact_references(self.cleaned_data["body"])


class FaqForm(forms.ModelForm):
    class Meta:
        model = Faq
        fields = ["category", "question", "answer", "order", "published"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "order": _("Smaller numbers come first within a category."),
            "answer": FACT_REFERENCE_HELP,
        }

    def clean_answer(self):
        return _checked_fact_references(self.cleaned_data["answer"])


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


class EventForm(forms.ModelForm):
    """Times are entered in Korean time (Asia/Seoul, the site's time zone)."""

    online_url = forms.URLField(
        label=Event._meta.get_field("online_url").verbose_name,
        required=False,
        assume_scheme="https",
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "capacity",
            "registration_opens_at",
            "registration_closes_at",
            "invitation_only",
            "hosts",
            "participants",
            "source",
            "published",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "participants": forms.Textarea(attrs={"rows": 4}),
            "starts_at": _datetime_widget(),
            "ends_at": _datetime_widget(),
            "registration_opens_at": _datetime_widget(),
            "registration_closes_at": _datetime_widget(),
        }
        help_texts = {
            "place": _("A place, an online link, or both."),
            "capacity": _("When the event is full, new registrations join the waitlist."),
            "invitation_only": _(
                "A meeting by invitation takes no registration on the site; its page names the "
                "hosts and participants instead of the seats."
            ),
        }
