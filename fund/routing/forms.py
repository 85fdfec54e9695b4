"""The routing policy editor: one small form per channel plus the policy's name and recipients.

The forms check types and ranges; the service (`policy_update_draft`) still validates the whole
document and names each wrong setting by its path (`policy.channels.direct.daily_cap`), which
is put back on the channel's field it names."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from alliance.proposals.forms import AmountField
from alliance.reference_data import SUB_ALLIANCES
from fund.routing.policy import CHANNELS, DAILY_CAP_MAX, NOTIFY, RECOMMENDED_BONUS_MAX
from fund.routing.services import DESCRIPTION_MAX, NAME_MAX
from portal.core.vocabulary import FUND_SIZE_KRW, INDUSTRIES, ChannelCode

NOTIFY_LABELS = {
    "applicant": _("The lead firm's applicants"),
    "alliance_secretariat": _("The alliance secretariat (KEIT)"),
}


def _english() -> bool:
    return (get_language() or "ko").startswith("en")


def _sub_alliances():
    return [(code, en if _english() else ko) for code, ko, en, _demand in SUB_ALLIANCES]


def _industries():
    return [(code, en if _english() else ko) for code, ko, en in INDUSTRIES]


def _codes(label, choices) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, choices=choices, widget=forms.CheckboxSelectMultiple
    )


def _amount(label) -> AmountField:
    """Integer won typed as people write it (1,800억원, 1.5조, digits), up to the fund's size."""
    return AmountField(
        label=label,
        help_text=_("In won, or with 조 and 억 (e.g. 1,800억원)."),
        live_echo=False,
        min_value=0,
        max_value=FUND_SIZE_KRW,
    )


class PolicyMetaForm(forms.Form):
    """The draft's name, description and who is mailed when a proposal is routed."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notify = forms.MultipleChoiceField(
        label=_("Who is told when a proposal is routed"),
        required=False,
        choices=[(code, NOTIFY_LABELS[code]) for code in NOTIFY],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The fund secretariat (KDB) is always told when a referral arrives."),
    )


class ChannelPolicyForm(forms.Form):
    """One channel's conditions: routed or not, minimum score, cap, filters, amount range."""

    route = forms.BooleanField(
        label=_("Route proposals best matched to this channel"), required=False
    )
    min_score = forms.IntegerField(
        label=_("Minimum score (0–100)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"step": "1"}),
    )
    daily_cap = forms.IntegerField(
        label=_("Daily cap (empty: no cap)"),
        required=False,
        min_value=0,
        max_value=DAILY_CAP_MAX,
        widget=forms.NumberInput(attrs={"step": "1"}),
    )
    min_requested_krw = _amount(_("Requested amount at least"))
    max_requested_krw = _amount(_("Requested amount at most"))
    recommended_bonus = forms.IntegerField(
        label=_("Points added when the ministry recommended the proposal"),
        required=False,
        min_value=0,
        max_value=RECOMMENDED_BONUS_MAX,
        widget=forms.NumberInput(attrs={"step": "1"}),
    )

    def __init__(self, *args, code: str, **kwargs):
        self.code = code
        self.label = ChannelCode(code).label
        super().__init__(*args, prefix=code, **kwargs)
        self.fields["sub_alliances_in"] = _codes(
            _("Only these sub-alliances (none ticked: all)"), _sub_alliances()
        )
        self.fields["sub_alliances_out"] = _codes(_("Except these sub-alliances"), _sub_alliances())
        self.fields["industries_in"] = _codes(
            _("Only these strategic industries (none ticked: all)"), _industries()
        )
        self.fields["industries_out"] = _codes(
            _("Except these strategic industries"), _industries()
        )

    def number_fields(self):
        return [self[name] for name in ("min_score", "daily_cap", "recommended_bonus")]

    def amount_fields(self):
        return [self[name] for name in ("min_requested_krw", "max_requested_krw")]

    def code_fields(self):
        return [
            self[name]
            for name in ("sub_alliances_in", "sub_alliances_out", "industries_in", "industries_out")
        ]

    def settings(self) -> dict:
        """The channel's settings as the policy document stores them (after is_valid)."""
        data = self.cleaned_data
        return {
            "route": bool(data["route"]),
            "min_score": data["min_score"],
            "daily_cap": data["daily_cap"],
            "sub_alliances_in": list(data["sub_alliances_in"]),
            "sub_alliances_out": list(data["sub_alliances_out"]),
            "industries_in": list(data["industries_in"]),
            "industries_out": list(data["industries_out"]),
            "min_requested_krw": data["min_requested_krw"],
            "max_requested_krw": data["max_requested_krw"],
            "recommended_bonus": data.get("recommended_bonus") or 0,
        }


class PolicyEditor:
    """Every form of the editor page; `document()` builds the policy from them."""

    def __init__(self, policy, data=None):
        document = policy.document or {}
        self.meta = PolicyMetaForm(
            data,
            initial={
                "name": policy.name,
                "description": policy.description,
                "notify": document.get("notify") or [],
            },
        )
        stored = document.get("channels") or {}
        self.channels = [
            ChannelPolicyForm(data, code=code, initial=stored.get(code) or {}) for code in CHANNELS
        ]
        self.errors = ErrorList()  # messages that name no field of the page

    def is_valid(self) -> bool:
        valid = self.meta.is_valid()
        for form in self.channels:
            valid = form.is_valid() and valid
        return valid

    def document(self) -> dict:
        return {
            "channels": {form.code: form.settings() for form in self.channels},
            "notify": list(self.meta.cleaned_data["notify"]),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        """Each of the service's messages next to the field its path names."""
        by_channel = {form.code: form for form in self.channels}
        for path, messages in exc.message_dict.items():
            parts = path.split(".")
            if parts[0] in self.meta.fields:
                self.meta.add_error(parts[0], messages)
            elif parts[:2] == ["policy", "notify"]:
                self.meta.add_error("notify", messages)
            elif len(parts) >= 3 and parts[1] == "channels" and parts[2] in by_channel:
                form = by_channel[parts[2]]
                field = parts[3] if len(parts) > 3 and parts[3] in form.fields else None
                form.add_error(field, messages)
            else:
                self.errors.extend(messages)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.meta.errors or any(form.errors for form in self.channels))


class ActivateForm(forms.Form):
    """KEIT confirms that the workers start routing under this version at once."""

    confirm = forms.BooleanField(
        label=_("I understand: the workers start routing under this version at once."),
        required=True,
    )
