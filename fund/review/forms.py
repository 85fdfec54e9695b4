"""Forms of the screening inbox, the coordination queue and the pipeline: input shape only;
the services decide what is allowed."""

from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from alliance.models import NOTE_MAX, Industry, SubAlliance
from alliance.proposals.forms import AmountField
from fund.coordination.forms import _ProposalFilters
from fund.review.models import (
    COMMENT_MAX,
    MEETING_TEXT_MAX,
    SAVED_VIEW_NAME_MAX,
    CommitteeBody,
    SavedViewPage,
)
from portal.core.forms import any_choice
from portal.core.vocabulary import FUND_SIZE_KRW, ChannelCode, Decision, ReviewStage


class PipelineFilterForm(_ProposalFilters):
    """KDB's pipeline filters; `stage` and `sort` only matter in the table view."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=any_choice(_("All channels")) + ChannelCode.choices,
        required=False,
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=any_choice(_("All stages")) + ReviewStage.choices, required=False
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=any_choice(_("All decisions")) + Decision.choices,
        required=False,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[("score", _("Score, highest first")), ("age", _("Longest in stage first"))],
        required=False,
    )


class AdvanceForm(forms.Form):
    stage = forms.ChoiceField(choices=ReviewStage.choices, widget=forms.HiddenInput)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=any_choice(_("Choose…")) + Decision.choices
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=any_choice(_("Choose…")) + ChannelCode.choices, required=False
    )
    amount_krw = AmountField(
        label=_("Approved amount"),
        min_value=1,
        max_value=FUND_SIZE_KRW,
        live_echo=False,
        help_text=_(
            "In won, or with 조 and 억 (e.g. 1,500억원); at most the requested amount. "
            "Only for an approval."
        ),
    )
    conditions = forms.CharField(
        label=_("Conditions and terms"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
        required=False,
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the proposal returns to the committee"),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
        required=False,
    )


class ReleaseForm(forms.Form):
    amount_krw = AmountField(
        label=_("Amount to release"),
        min_value=1,
        max_value=FUND_SIZE_KRW,
        live_echo=False,
        help_text=_(
            "In won, or with 조 and 억 (e.g. 500억원); at most the amount still committed."
        ),
    )
    reason = forms.CharField(
        label=_("Reason (the council's resolution)"),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX}),
        required=False,
    )


class FundQuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Question for KEIT and the applicant"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
        required=False,
    )


def _set_reviewers(field: forms.ModelChoiceField, reviewers) -> None:
    """Validate against the `reviewers` queryset, but render the choices from one plain read,
    made only when the form is drawn: ModelChoiceField's own choices stream the queryset with
    `.iterator()`, a server-side cursor (DECLARE ... WITH HOLD) per page view on PostgreSQL."""
    field.queryset = reviewers
    drawn: list = []

    def choices() -> list:
        if not drawn:
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            drawn.extend(empty + [(u.pk, field.label_from_instance(u)) for u in list(reviewers)])
        return drawn

    field.choices = choices


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None, required=False)

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        _set_reviewers(self.fields["reviewer"], reviewers)


def pipeline_filter_querystring(querystring: str) -> str:
    """The known pipeline filters of `querystring` with valid values, re-encoded in the
    form's field order ("" when none is left); anything else (a cursor, unknown keys, bad
    values) is dropped."""
    form = PipelineFilterForm(
        QueryDict(querystring.lstrip("?")),
        sub_alliances=SubAlliance.objects.order_by("order"),
        industries=Industry.objects.order_by("order"),
    )
    filters = form.filters()
    return urlencode([(name, filters[name]) for name in form.fields if name in filters])


DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class MeetingForm(forms.Form):
    """A new committee or council meeting; the time is Korean time (Asia/Seoul)."""

    body = forms.ChoiceField(
        label=_("Body"), choices=any_choice(_("Choose…")) + CommitteeBody.choices
    )
    meets_at = forms.DateTimeField(
        label=_("Date and time"),
        input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
        help_text=_("Korean time (Asia/Seoul)."),
    )
    title = forms.CharField(label=_("Title"), max_length=MEETING_TEXT_MAX, required=False)
    location = forms.CharField(label=_("Location"), max_length=MEETING_TEXT_MAX, required=False)


class AgendaMoveForm(forms.Form):
    proposal = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    direction = forms.ChoiceField(
        choices=[("up", _("Up")), ("down", _("Down"))], widget=forms.HiddenInput
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX}),
        required=False,
        strip=True,
        help_text=_("Only fund secretariat staff see comments. They cannot be edited or deleted."),
    )


class SavedViewForm(forms.Form):
    name = forms.CharField(
        label=_("Name of this view"),
        max_length=SAVED_VIEW_NAME_MAX,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": SAVED_VIEW_NAME_MAX}),
    )
    page = forms.ChoiceField(choices=SavedViewPage.choices, widget=forms.HiddenInput)
    querystring = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


BULK_STAGES = [
    (stage, label)
    for stage, label in ReviewStage.choices
    if stage in (ReviewStage.PRESCREEN, ReviewStage.COMMITTEE, ReviewStage.COUNCIL)
]


class BulkForm(forms.Form):
    """The table's bulk action: move the ticked proposals to a stage, or assign a reviewer."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("advance", _("Move to stage")), ("assign", _("Assign reviewer"))],
    )
    stage = forms.ChoiceField(
        label=_("Stage"), choices=any_choice(_("Choose…")) + BULK_STAGES, required=False
    )
    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"), queryset=None, required=False, empty_label=_("Choose…")
    )

    def __init__(self, *args, reviewers=None, **kwargs):
        super().__init__(*args, **kwargs)
        _set_reviewers(self.fields["reviewer"], reviewers)

    def clean(self):
        data = super().clean()
        if data.get("action") == "advance" and not data.get("stage"):
            self.add_error("stage", _("Choose the stage to move the proposals to."))
        if data.get("action") == "assign" and not data.get("reviewer"):
            self.add_error("reviewer", _("Choose the reviewer to assign."))
        return data


def bulk_selection(values) -> list[tuple[int, int | None]]:
    """Ticked rows as (proposal id, version seen on the page); malformed values are dropped."""
    items = []
    for value in values:
        if not isinstance(value, str) or not value.isascii():
            continue
        pk, _sep, version = value.partition(":")
        if not (pk.isdigit() and len(pk) < 19):
            continue
        if version and not (version.isdigit() and len(version) < 10):
            continue
        items.append((int(pk), int(version) if version else None))
    return items
