"""The ministries' page forms: a recommendation's note, a shared-infrastructure plan."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.models import SubAlliance
from fund.ministry.models import NOTE_MAX, TITLE_MAX, InfraKind
from portal.core.vocabulary import FUND_SIZE_KRW, Region


class RecommendForm(forms.Form):
    note = forms.CharField(
        label=_("Why the ministry recommends this proposal"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("KEIT and the fund secretariat (KDB) read this note with the proposal."),
    )


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Choose")), *InfraKind.choices])
    description = forms.CharField(
        label=_("Description"),
        max_length=NOTE_MAX * 2,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What is built, for whom, and how member firms can take part."),
    )
    sub_alliance = forms.ModelChoiceField(
        label=_("Sub-alliance"),
        queryset=SubAlliance.objects.all(),
        required=False,
        empty_label=_("All sub-alliances"),
    )
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("All regions")), *Region.choices], required=False
    )
    budget_krw = forms.IntegerField(
        label=_("Planned budget (won)"),
        min_value=1,
        max_value=FUND_SIZE_KRW,
        required=False,
        widget=forms.NumberInput(attrs={"step": "1", "inputmode": "numeric"}),
    )
