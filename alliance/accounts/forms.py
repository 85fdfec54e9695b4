"""Sign-up: a member firm and its first user, in one form."""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from alliance.models import SubAlliance
from alliance.validators import (
    normalize_digits,
    validate_business_registration_number,
    validate_crn_format,
)
from portal.core.vocabulary import MemberType, Region, SizeClass


def _choices(choices):
    return [("", _("Choose…")), *choices]


class SubAllianceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SubAlliance) -> str:
        return obj.name


class SignUpForm(forms.Form):
    """Everything firm_sign_up needs; the firm's own rules are checked again by the service."""

    name = forms.CharField(label=_("Company name"), max_length=120)
    business_registration_number = forms.CharField(
        label=_("Business registration number"),
        max_length=14,
        help_text=_("10 digits, with or without dashes (e.g. 123-45-67890)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    corporate_registration_number = forms.CharField(
        label=_("Corporate registration number"),
        max_length=16,
        required=False,
        help_text=_("Optional. 13 digits (e.g. 110111-1234567)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    size_class = forms.ChoiceField(label=_("Size class"), choices=_choices(SizeClass.choices))
    member_type = forms.ChoiceField(label=_("Member type"), choices=_choices(MemberType.choices))
    sub_alliances = SubAllianceChoiceField(
        label=_("Sub-alliances"),
        queryset=SubAlliance.objects.order_by("order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    region = forms.ChoiceField(label=_("Region"), choices=_choices(Region.choices))
    representative = forms.CharField(label=_("Representative"), max_length=60)
    address = forms.CharField(label=_("Address"), max_length=200)

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @/./+/-/_ only; used to sign in."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    FIRM_FIELDS = (
        "name",
        "business_registration_number",
        "corporate_registration_number",
        "size_class",
        "member_type",
        "sub_alliances",
        "region",
        "representative",
        "address",
    )
    USER_FIELDS = ("username", "email", "password1", "password2")

    def clean_business_registration_number(self) -> str:
        value = normalize_digits(self.cleaned_data["business_registration_number"])
        validate_business_registration_number(value)
        return value

    def clean_corporate_registration_number(self) -> str:
        value = normalize_digits(self.cleaned_data["corporate_registration_number"])
        # A wrong length is a typo to fix now; a failed check digit is only a warning later.
        if value:
            validate_crn_format(value)
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2"):
            if cleaned["password1"] != cleaned["password2"]:
                self.add_error("password2", _("The two passwords do not match."))
        return cleaned

    def firm_fields(self):
        return [self[name] for name in self.FIRM_FIELDS]

    def user_fields(self):
        return [self[name] for name in self.USER_FIELDS]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "business_registration_number": data["business_registration_number"],
            "corporate_registration_number": data["corporate_registration_number"],
            "size_class": data["size_class"],
            "member_type": data["member_type"],
            "sub_alliances": list(data["sub_alliances"]),
            "region": data["region"],
            "representative": data["representative"],
            "address": data["address"],
            "username": data["username"],
            "email": data["email"],
            "password": data["password1"],
        }
