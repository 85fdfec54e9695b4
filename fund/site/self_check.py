"""The public self-check (자가진단, SPEC §6): the active rule set run on what a visitor types.

Nothing is stored: the answers become the engine's plain input (`ProposalInput`) with no id,
no partners and no expected outcomes, exactly what a stored scoring reads of a draft with the
same values and no consortium. The answers can be carried into a new draft through the
session (`SELF_CHECK_SESSION_KEY`), only when the visitor asks to.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from alliance.proposals.views import SELF_CHECK_SESSION_KEY
from alliance.reference_data import SUB_ALLIANCES
from matching import services as matching_services
from matching.scoring.engine import ProposalInput
from portal.core.vocabulary import (
    FUND_SIZE_KRW,
    INDUSTRIES,
    FundUse,
    Region,
    SizeClass,
    Structure,
)

__all__ = ["SELF_CHECK_SESSION_KEY", "SelfCheckForm", "self_check_run"]


def _amount(label, *, minimum: int):
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=FUND_SIZE_KRW,
        error_messages={
            "min_value": _("The amount must be positive.")
            if minimum
            else _("The amount cannot be negative."),
            "max_value": _("The amount cannot exceed the fund's 150 trillion won."),
            "invalid": _("Enter an amount in whole won."),
        },
        widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}),
    )


class SelfCheckForm(forms.Form):
    """What the self-check asks: the inputs the rules read (SPEC §6), every one required."""

    sub_alliance = forms.ChoiceField(
        label=_("Sub-alliance"),
        choices=[("", _("Choose"))] + [(code, ko) for code, ko, _en, _d in SUB_ALLIANCES],
    )
    industry = forms.ChoiceField(
        label=_("Strategic industry"),
        choices=[("", _("Choose"))] + [(code, ko) for code, ko, _en in INDUSTRIES],
    )
    fund_uses = forms.MultipleChoiceField(
        label=_("Fund uses"), choices=FundUse.choices, widget=forms.CheckboxSelectMultiple
    )
    structure = forms.ChoiceField(
        label=_("Structure"), choices=[("", _("Choose")), *Structure.choices]
    )
    region = forms.ChoiceField(label=_("Region"), choices=[("", _("Choose")), *Region.choices])
    size_class = forms.ChoiceField(
        label=_("Firm size"), choices=[("", _("Choose")), *SizeClass.choices]
    )
    total_cost_krw = _amount(_("Total project cost (won)"), minimum=1)
    requested_krw = _amount(_("Requested amount (won)"), minimum=1)
    private_coinvest_krw = _amount(_("Private co-investment (won)"), minimum=0)
    trl = forms.IntegerField(
        label=_("Technology readiness level (TRL 1–9)"),
        min_value=1,
        max_value=9,
        error_messages={
            "min_value": _("TRL is a level from 1 to 9."),
            "max_value": _("TRL is a level from 1 to 9."),
            "invalid": _("TRL is a level from 1 to 9."),
        },
    )
    ai_related = forms.BooleanField(label=_("AI-related project"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils.translation import get_language

        if (get_language() or "ko").startswith("en"):
            self.fields["sub_alliance"].choices = [("", _("Choose"))] + [
                (code, en) for code, _ko, en, _d in SUB_ALLIANCES
            ]
            self.fields["industry"].choices = [("", _("Choose"))] + [
                (code, en) for code, _ko, en in INDUSTRIES
            ]

    def clean(self):
        data = super().clean()
        total, requested = data.get("total_cost_krw"), data.get("requested_krw")
        coinvest = data.get("private_coinvest_krw")
        errors = {}
        if total is not None and requested is not None and requested > total:
            errors["requested_krw"] = _(
                "The requested amount cannot exceed the total project cost."
            )
        if total is not None and coinvest is not None and coinvest > total:
            errors["private_coinvest_krw"] = _(
                "Private co-investment cannot exceed the total project cost."
            )
        if errors:
            raise ValidationError(errors)
        return data


def self_check_input(answers: dict) -> ProposalInput:
    """The engine's input for cleaned answers: a lead firm alone, no expected outcomes."""
    return ProposalInput(
        0,
        answers["industry"],
        frozenset(answers["fund_uses"]),
        answers["structure"],
        answers["region"],
        answers["trl"],
        bool(answers["ai_related"]),
        answers["total_cost_krw"],
        answers["requested_krw"],
        answers["private_coinvest_krw"],
        None,
        None,
        answers["size_class"],
        0,
        0,
    )


def self_check_run(answers: dict) -> list[dict]:
    """One result per channel under the active rule set (matching.services.check_input), with
    the match result fields and the rule set's version; empty when none is active. Writes
    nothing."""
    return matching_services.check_input(self_check_input(answers))


def answers_for_session(answers: dict) -> dict:
    """The cleaned answers as JSON values, for the session that carries them to a draft."""
    return {
        key: (list(value) if key == "fund_uses" else value)
        for key, value in answers.items()
        if key != "size_class"
    }
