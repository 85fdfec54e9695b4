"""Forms of the institutions' pages; the services validate, the forms only collect."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alliance.models import SubAlliance
from fund.institutions.models import DESCRIPTION_MAX, MESSAGE_MAX
from portal.core.forms import add_service_errors
from portal.core.vocabulary import FUND_SIZE_KRW, INDUSTRIES, ChannelCode, Region


class ServiceErrorsMixin:
    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)


class OfferForm(ServiceErrorsMixin, forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Channels served"),
        choices=ChannelCode.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    industries = forms.MultipleChoiceField(
        label=_("Strategic industries"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave every box empty to take all."),
    )
    sub_alliances = forms.MultipleChoiceField(
        label=_("Sub-alliances"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave every box empty to take all."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions"),
        choices=Region.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave every box empty to take all."),
    )
    min_ticket_krw = forms.IntegerField(
        label=_("Smallest ticket (KRW)"), min_value=0, max_value=FUND_SIZE_KRW
    )
    max_ticket_krw = forms.IntegerField(
        label=_("Largest ticket (KRW)"), min_value=0, max_value=FUND_SIZE_KRW
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels in the active language, read when the form is built.
        from django.utils.translation import get_language

        english = (get_language() or "ko").startswith("en")
        self.fields["industries"].choices = [
            (code, en if english else ko) for code, ko, en in INDUSTRIES
        ]
        self.fields["sub_alliances"].choices = [
            (s.code, s.name) for s in SubAlliance.objects.order_by("order")
        ]

    def offer_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class ShareForm(forms.Form):
    consent = forms.BooleanField(
        label=_("I agree to the text above."),
        required=False,
    )


class InterestForm(ServiceErrorsMixin, forms.Form):
    message = forms.CharField(
        label=_("Message to the firm"),
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DeclineForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
