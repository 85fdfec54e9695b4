"""Filters of KEIT's screening inbox and the packet list, and the referral form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.models import NOTE_MAX
from fund.coordination.models import PacketDirection, PacketKind, PacketState
from portal.core.forms import any_choice
from portal.core.vocabulary import ChannelCode, Region, SizeClass


class FilterForm(forms.Form):
    """A GET filter form: invalid values are dropped, valid ones returned by `filters()`."""

    def filters(self) -> dict:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class _ProposalFilters(FilterForm):
    sub_alliance = forms.ChoiceField(label=_("Sub-alliance"), required=False)
    industry = forms.ChoiceField(label=_("Strategic industry"), required=False)
    region = forms.ChoiceField(
        label=_("Project region"),
        choices=any_choice(_("All regions")) + Region.choices,
        required=False,
    )
    min_score = forms.IntegerField(
        label=_("Minimum score"), min_value=0, max_value=100, required=False
    )

    def __init__(self, *args, sub_alliances=(), industries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_alliance"].choices = any_choice(_("All sub-alliances")) + [
            (sub.code, sub.name) for sub in sub_alliances
        ]
        self.fields["industry"].choices = any_choice(_("All industries")) + [
            (industry.code, industry.name) for industry in industries
        ]


class ScreeningFilterForm(_ProposalFilters):
    """KEIT's screening inbox filters."""

    best_channel = forms.ChoiceField(
        label=_("Best channel"),
        choices=any_choice(_("All channels")) + ChannelCode.choices,
        required=False,
    )
    size_class = forms.ChoiceField(
        label=_("Firm size"), choices=any_choice(_("All sizes")) + SizeClass.choices, required=False
    )


class PacketFilterForm(FilterForm):
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=any_choice(_("Both directions")) + PacketDirection.choices,
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=any_choice(_("All kinds")) + PacketKind.choices, required=False
    )
    state = forms.ChoiceField(
        label=_("State"), choices=any_choice(_("All states")) + PacketState.choices, required=False
    )
    proposal = forms.IntegerField(label=_("Proposal number"), min_value=1, required=False)


class ReferForm(forms.Form):
    """KEIT's referral: a note for the fund and the proposed channel (empty = best match)."""

    note = forms.CharField(
        label=_("Note for the fund secretariat"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX}),
        required=False,
    )
    channel = forms.ChoiceField(
        label=_("Proposed channel"),
        choices=any_choice(_("The best-matching channel")) + ChannelCode.choices,
        required=False,
    )
