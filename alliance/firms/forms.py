"""The firm profile an applicant keeps, and the KEIT registry's list filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.accounts.forms import SubAllianceChoiceField
from alliance.models import Firm, SubAlliance
from alliance.validators import normalize_digits, validate_crn_format
from portal.core.forms import any_choice
from portal.core.vocabulary import (
    FirmStatus,
    MemberType,
    Region,
    SizeClass,
)


class FirmProfileForm(forms.Form):
    """What a firm may change about itself: everything but its 사업자등록번호 and status."""

    name = forms.CharField(label=_("Company name"), max_length=120)
    name_en = forms.CharField(label=_("Company name (English)"), max_length=120, required=False)
    corporate_registration_number = forms.CharField(
        label=_("Corporate registration number"),
        max_length=16,
        required=False,
        help_text=_("Optional. 13 digits (e.g. 110111-1234567)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    representative = forms.CharField(label=_("Representative"), max_length=60, required=False)
    size_class = forms.ChoiceField(label=_("Size class"), choices=SizeClass.choices)
    member_type = forms.ChoiceField(label=_("Member type"), choices=MemberType.choices)
    sub_alliances = SubAllianceChoiceField(
        label=_("Sub-alliances"),
        queryset=SubAlliance.objects.order_by("order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    region = forms.ChoiceField(label=_("Region"), choices=Region.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    PROFILE_FIELDS = (
        "name",
        "name_en",
        "corporate_registration_number",
        "representative",
        "size_class",
        "member_type",
        "region",
        "address",
        "website",
    )

    @classmethod
    def initial_for(cls, firm: Firm) -> dict:
        initial = {field: getattr(firm, field) for field in cls.PROFILE_FIELDS}
        initial["sub_alliances"] = list(firm.sub_alliances.all())
        return initial

    def clean_corporate_registration_number(self) -> str:
        value = normalize_digits(self.cleaned_data["corporate_registration_number"])
        if value:
            validate_crn_format(value)
        return value

    def profile_data(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.PROFILE_FIELDS}


class FirmFilterForm(forms.Form):
    """The registry's filters; an invalid value is reported on its field and ignored."""

    q = forms.CharField(
        label=_("Name or business registration number"), max_length=100, required=False
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=any_choice(_("All statuses")) + FirmStatus.choices,
        required=False,
    )
    size_class = forms.ChoiceField(
        label=_("Size class"),
        choices=any_choice(_("All sizes")) + SizeClass.choices,
        required=False,
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=any_choice(_("All regions")) + Region.choices, required=False
    )
    sub_alliance = forms.ChoiceField(label=_("Sub-alliance"), required=False)

    def __init__(self, *args, sub_alliances=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_alliance"].choices = any_choice(_("All sub-alliances")) + [
            (sub.code, sub.name) for sub in sub_alliances
        ]

    def filters(self) -> dict:
        """The valid, non-empty filters (cleaned_data holds only the fields that passed)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
