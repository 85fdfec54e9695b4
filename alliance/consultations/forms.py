"""Forms of the consultation pages. They only parse input; the services in
`alliance.consultations` decide what is acceptable, and their errors land on these fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from alliance.consultations.selectors import institutions_open_for_consultation
from alliance.consultations.services import format_slot
from alliance.models import (
    CONSULTATION_SLOTS_MAX,
    NOTE_MAX,
    ConsultationStatus,
    ConsultationTopic,
    FinancialInstitution,
)
from portal.core.forms import add_service_errors

SLOT_FIELDS = tuple(f"preferred_slot_{n}" for n in range(1, CONSULTATION_SLOTS_MAX + 1))
SLOT_HINT = _(
    "A weekday, starting between 09:00 and 17:00 (Korean time) on the hour or the half hour; "
    "a consultation lasts an hour."
)


class InstitutionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FinancialInstitution) -> str:
        english = (get_language() or "ko").startswith("en")
        return obj.name_en if english and obj.name_en else obj.name


def _slot_field(label, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "step": 1800}, format="%Y-%m-%dT%H:%M"
        ),
    )


class ConsultationRequestForm(forms.Form):
    """A firm's request: institution, topic, message and up to three preferred times."""

    institution = InstitutionChoiceField(
        label=_("Financial institution"),
        queryset=FinancialInstitution.objects.none(),
        empty_label=_("Choose…"),
        required=False,
    )
    topic = forms.ChoiceField(
        label=_("Topic"), choices=[("", _("Choose…")), *ConsultationTopic.choices], required=False
    )
    message = forms.CharField(
        label=_("What would you like to discuss?"),
        required=False,
        help_text=_("Up to 2,000 characters. Required when the topic is “Other”."),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": NOTE_MAX}),
    )
    preferred_slot_1 = _slot_field(_("First preferred time"), SLOT_HINT)
    preferred_slot_2 = _slot_field(_("Second preferred time (optional)"))
    preferred_slot_3 = _slot_field(_("Third preferred time (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any existing institution parses, so the service can say that one is no longer open
        # (a clearer message than "not one of the choices"); only open ones are offered.
        institution = self.fields["institution"]
        institution.queryset = FinancialInstitution.objects.order_by("name")
        institution.widget.choices = [("", institution.empty_label)] + [
            (str(obj.pk), institution.label_from_instance(obj))
            for obj in institutions_open_for_consultation()
        ]
        self.fields["preferred_slot_1"].widget.attrs["required"] = True

    def _given_slot_fields(self) -> list[str]:
        return [name for name in SLOT_FIELDS if self.cleaned_data.get(name) is not None]

    def request_data(self) -> dict:
        """What `consultation_request` takes; the times keep the order they were entered in."""
        return {
            "institution": self.cleaned_data.get("institution"),
            "topic": self.cleaned_data.get("topic", ""),
            "message": self.cleaned_data.get("message", ""),
            "preferred_slots": [self.cleaned_data[name] for name in self._given_slot_fields()],
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's errors on the fields they concern; a problem with one preferred time
        under the input it came from."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        given = self._given_slot_fields()
        for field, errors in exc.error_dict.items():
            if field != "preferred_slots":
                self.add_error(field if field in self.fields else None, errors)
                continue
            for error in errors:
                index = (error.params or {}).get("index")
                target = (
                    given[index] if index is not None and index < len(given) else SLOT_FIELDS[0]
                )
                self.add_error(target, error.messages)


class ConfirmForm(forms.Form):
    """The secretariat picks one of the firm's preferred times and says where to meet."""

    slot = forms.DateTimeField(label=_("Confirmed time"), required=False)
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=200,
        help_text=_("Optional, e.g. the meeting room and address."),
    )
    online_url = forms.CharField(
        label=_("Online meeting link"),
        required=False,
        max_length=500,
        help_text=_("Optional, for a video call."),
        widget=forms.URLInput(),
    )
    staff_note = forms.CharField(
        label=_("Note to the firm"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
    )

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons of the preferred times; the service checks the choice again, so a
        # tampered value is refused there with its own message.
        self.fields["slot"].widget = forms.RadioSelect(
            choices=[
                (timezone.localtime(slot).isoformat(), format_slot(slot))
                for slot in consultation.preferred_slots
            ]
        )

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        required=False,
        help_text=_("The firm sees this reason."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
    )

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


class CancelForm(forms.Form):
    note = forms.CharField(
        label=_("Reason for cancelling (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
    )

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


class ConsultationFilterForm(forms.Form):
    """The secretariats' list filters; an invalid value is reported on its field and ignored."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *ConsultationStatus.choices],
        required=False,
    )
    institution = forms.TypedChoiceField(
        label=_("Financial institution"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [("", _("All institutions"))] + [
            (str(institution.pk), institution.name) for institution in institutions
        ]

    def filters(self) -> dict:
        """The valid, non-empty filters (cleaned_data holds only the fields that passed)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
