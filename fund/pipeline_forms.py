"""Forms of the screening inbox, the coordination queue and the pipeline: input shape only;
the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.choices import Region, ReviewStage, SizeClass
from alliance.models import NOTE_MAX

from .choices import ChannelCode
from .models import Decision, PacketDirection, PacketKind, PacketState


def _any(label):
    return [("", label)]


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
        label=_("Project region"), choices=_any(_("All regions")) + Region.choices, required=False
    )
    min_score = forms.IntegerField(
        label=_("Minimum score"), min_value=0, max_value=100, required=False
    )

    def __init__(self, *args, sub_alliances=(), industries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_alliance"].choices = _any(_("All sub-alliances")) + [
            (sub.code, sub.name) for sub in sub_alliances
        ]
        self.fields["industry"].choices = _any(_("All industries")) + [
            (industry.code, industry.name) for industry in industries
        ]


class ScreeningFilterForm(_ProposalFilters):
    """KEIT's screening inbox filters."""

    best_channel = forms.ChoiceField(
        label=_("Best channel"),
        choices=_any(_("All channels")) + ChannelCode.choices,
        required=False,
    )
    size_class = forms.ChoiceField(
        label=_("Firm size"), choices=_any(_("All sizes")) + SizeClass.choices, required=False
    )


class PipelineFilterForm(_ProposalFilters):
    """KDB's pipeline filters; `stage` and `sort` only matter in the table view."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=_any(_("All channels")) + ChannelCode.choices, required=False
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=_any(_("All stages")) + ReviewStage.choices, required=False
    )
    decision = forms.ChoiceField(
        label=_("Decision"), choices=_any(_("All decisions")) + Decision.choices, required=False
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[("score", _("Score, highest first")), ("age", _("Longest in stage first"))],
        required=False,
    )


class PacketFilterForm(FilterForm):
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=_any(_("Both directions")) + PacketDirection.choices,
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=_any(_("All kinds")) + PacketKind.choices, required=False
    )
    state = forms.ChoiceField(
        label=_("State"), choices=_any(_("All states")) + PacketState.choices, required=False
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
        choices=_any(_("The best-matching channel")) + ChannelCode.choices,
        required=False,
    )


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(choices=ReviewStage.choices, widget=forms.HiddenInput)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=_any(_("Choose…")) + Decision.choices)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=_any(_("Choose…")) + ChannelCode.choices, required=False
    )
    amount_krw = forms.IntegerField(
        label=_("Approved amount (KRW)"),
        min_value=1,
        max_value=150_000_000_000_000,
        required=False,
        help_text=_("Whole won; at most the requested amount. Only for an approval."),
    )
    conditions = forms.CharField(
        label=_("Conditions and terms"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
        required=False,
    )


class FundQuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Question for KEIT and the applicant"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
        required=False,
    )


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None, required=False)

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
