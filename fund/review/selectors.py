"""Reads for the screening inbox (KEIT), the coordination queue (both) and the pipeline (KDB).

Every function starts from a queryset restricted to the user, so a list and a detail are
equally safe; lists page by keyset (no OFFSET) so they stay fast with 100,000 proposals.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import ngettext

from alliance.models import Proposal, User
from alliance.proposals.selectors import proposal_get_for_user, proposals_filtered
from fund.capacity.models import Commitment
from fund.review.models import AgendaItem, CommitteeMeeting, FundReview, ReviewComment, SavedView
from fund.review.permissions import can_see_pipeline
from matching.models import MatchResult
from matching.scoring.engine import best
from portal.core import aggregate_cache
from portal.core.vocabulary import ChannelCode, Decision, ProposalStatus, ReviewStage

BOARD_STAGES = (
    ReviewStage.RECEIVED,
    ReviewStage.PRESCREEN,
    ReviewStage.COMMITTEE,
    ReviewStage.COUNCIL,
    ReviewStage.DECIDED,
)
CARDS_PER_COLUMN = 25
PAGE_SIZE = 50


# ---------------------------------------------------------------------------------------------
# KEIT: the screening inbox


# ---------------------------------------------------------------------------------------------
# Both sides: the coordination queue


# ---------------------------------------------------------------------------------------------
# KDB: the pipeline


def reviews_visible_to(user: User) -> QuerySet[FundReview]:
    if not can_see_pipeline(user):
        return FundReview.objects.none()
    return FundReview.objects.select_related(
        "proposal", "proposal__firm", "proposal__sub_alliance", "reviewer"
    )


def _filtered(user: User, filters: dict) -> QuerySet[FundReview]:
    qs = reviews_visible_to(user)
    for field in ("channel", "stage", "decision"):
        if field in filters:
            qs = qs.filter(**{field: filters[field]})
    if "min_score" in filters:
        qs = qs.filter(score__gte=filters["min_score"])
    qs = proposals_filtered(qs, filters, via="proposal__")
    if "reviewer" in filters:
        qs = qs.filter(reviewer_id=filters["reviewer"])
    return qs


@dataclass(frozen=True, slots=True)
class BoardCard:
    """What a board card shows, read as plain values (no model instances)."""

    proposal_id: int
    title: str
    firm_name: str
    requested_krw: int
    channel: str
    score: int
    decision: str
    days_in_stage: int
    # What the decision approved (None until an approving decision): after it, the card's
    # amount is this one, the requested amount only beside it.
    approved_krw: int | None = None

    @property
    def channel_label(self) -> str:
        return ChannelCode(self.channel).label

    @property
    def status(self) -> str:
        """The decision, or how long the proposal has waited in its stage."""
        if self.decision:
            return Decision(self.decision).label
        days = self.days_in_stage
        return ngettext("%(days)s day in this stage", "%(days)s days in this stage", days) % {
            "days": days
        }


@dataclass(frozen=True)
class BoardColumn:
    stage: str
    label: str
    count: int
    cards: list[BoardCard]


BOARD_CARD_FIELDS = (
    "proposal_id",
    "proposal__title",
    "proposal__firm__name",
    "requested_krw",
    "channel",
    "score",
    "decision",
    "stage",
    "stage_entered_at",
    "approved_krw",
)


def _board_cards(qs: QuerySet[FundReview]) -> dict[str, list[BoardCard]]:
    """Each stage's best-scored cards in one query: a UNION ALL of one LIMIT query per stage,
    so each part still walks its (stage, -score, -proposal) index and stops early."""
    parts = [
        qs.filter(stage=stage)
        .order_by("-score", "-proposal_id")
        .values_list(*BOARD_CARD_FIELDS)[:CARDS_PER_COLUMN]
        for stage in BOARD_STAGES
    ]
    now = timezone.now()
    cards: dict[str, list[BoardCard]] = {stage: [] for stage in BOARD_STAGES}
    if connection.features.supports_slicing_ordering_in_compound:
        rows = parts[0].union(*parts[1:], all=True)
    else:  # SQLite (`make run`): no LIMIT inside a compound query, so one query per stage.
        rows = [row for part in parts for row in part]
    for pk, title, firm, requested, channel, score, decision, stage, entered, approved in rows:
        days = (now - entered).days
        cards[stage].append(
            BoardCard(pk, title, firm, requested, channel, score, decision, days, approved)
        )
    for column in cards.values():
        column.sort(key=lambda card: (-card.score, -card.proposal_id))
    return cards


# Filters on the review's own columns: a review's save (the signal in fund.apps) is then every
# change that can move such a count. Counts filtered on the proposal's fields are not cached.
CACHEABLE_COUNT_FILTERS = frozenset({"channel", "decision", "min_score", "reviewer"})


def _stage_counts(user: User, qs: QuerySet[FundReview], filters: dict) -> dict[str, int]:
    """How many reviews each stage holds under `filters`: a GROUP BY over the whole pipeline
    (~40 ms on 100,000 reviews), so cached until the next review is saved (or a minute)."""

    def count() -> dict[str, int]:
        return dict(qs.order_by().values_list("stage").annotate(n=Count("pk")))

    if not can_see_pipeline(user) or not set(filters) <= CACHEABLE_COUNT_FILTERS:
        return count()
    name = "stage-counts:" + "&".join(f"{k}={filters[k]}" for k in sorted(filters))
    return aggregate_cache.cached(name, count, namespace=aggregate_cache.PIPELINE)


def pipeline_board(user: User, filters: dict) -> list[BoardColumn]:
    """Columns = stages: each with its count and its best-scored cards (1 + 1 queries)."""
    filters = {k: v for k, v in filters.items() if k != "stage"}
    qs = _filtered(user, filters)
    counts = _stage_counts(user, qs, filters)
    cards = _board_cards(qs)
    return [
        BoardColumn(
            stage=stage,
            label=ReviewStage(stage).label,
            count=counts.get(stage, 0),
            cards=cards[stage],
        )
        for stage in BOARD_STAGES
    ]


SCORE_CURSOR = re.compile(r"([0-9]{1,3})\.([0-9]{1,19})")
AGE_CURSOR = re.compile(r"([0-9]{1,16})\.([0-9]{1,19})")
SORTS = ("score", "age")


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)


def _epoch_us(value: datetime.datetime) -> int:
    """Exact microseconds since the epoch (a float timestamp could be off by one)."""
    return (value - EPOCH) // MICROSECOND


def _page_queryset(user: User, filters: dict, sort: str, after: str | None):
    """The filtered pipeline in `sort` order, starting after the keyset cursor `after`."""
    qs = _filtered(user, filters)
    if sort == "age":
        qs = qs.order_by("stage_entered_at", "proposal_id")
        match = AGE_CURSOR.fullmatch(after or "")
        if match:
            at = EPOCH + int(match[1]) * MICROSECOND
            # The redundant `>=` lets the index scan start at the cursor instead of
            # filtering every row before it (the OR alone is not an index condition).
            qs = qs.filter(
                Q(stage_entered_at__gte=at),
                Q(stage_entered_at__gt=at) | Q(stage_entered_at=at, proposal_id__gt=int(match[2])),
            )
    else:
        qs = qs.order_by("-score", "-proposal_id")
        match = SCORE_CURSOR.fullmatch(after or "")
        if match:
            score, pk = int(match[1]), int(match[2])
            qs = qs.filter(
                Q(score__lte=score), Q(score__lt=score) | Q(score=score, proposal_id__lt=pk)
            )
    return qs


def _cursor(sort: str, stage_entered_at: datetime.datetime, score: int, proposal_id: int) -> str:
    key = _epoch_us(stage_entered_at) if sort == "age" else score
    return f"{key}.{proposal_id}"


def pipeline_page(
    user: User, filters: dict, *, sort: str = "score", after: str | None = None
) -> tuple[list[FundReview], str | None]:
    """One page of reviews (model instances, for the export) and the next page's cursor
    (keyset on the sort key + id).

    `score`: highest score first; `age`: longest in its current stage first.
    """
    rows = list(_page_queryset(user, filters, sort, after)[: PAGE_SIZE + 1])
    if len(rows) <= PAGE_SIZE:
        return rows, None
    rows = rows[:PAGE_SIZE]
    last = rows[-1]
    return rows, _cursor(sort, last.stage_entered_at, last.score, last.proposal_id)


def pipeline_page_values(
    user: User,
    filters: dict,
    fields: tuple[str, ...],
    *,
    sort: str = "score",
    after: str | None = None,
) -> tuple[list[dict], str | None]:
    """The same page as `pipeline_page`, as `.values(*fields)` dicts (no model instances):
    for the pages and the API, which only read fields."""
    keys = ("proposal_id", "score", "stage_entered_at")
    qs = _page_queryset(user, filters, sort, after).values(*fields, *keys)
    rows = list(qs[: PAGE_SIZE + 1])
    if len(rows) <= PAGE_SIZE:
        return rows, None
    rows = rows[:PAGE_SIZE]
    last = rows[-1]
    return rows, _cursor(sort, last["stage_entered_at"], last["score"], last["proposal_id"])


@dataclass(frozen=True, slots=True)
class TableRow:
    """What a row of the pipeline table shows, read as plain values."""

    proposal_id: int
    proposal_version: int
    title: str
    firm_name: str
    channel: str
    score: int
    stage: str
    decision: str
    days_in_stage: int
    requested_krw: int
    approved_krw: int | None
    reviewer: str | None
    recommended: bool = False  # 산업부 recommended it (fund.ministry)

    @property
    def channel_label(self) -> str:
        return ChannelCode(self.channel).label

    @property
    def stage_label(self) -> str:
        return ReviewStage(self.stage).label

    @property
    def decision_label(self) -> str:
        return Decision(self.decision).label if self.decision else ""


TABLE_FIELDS = (
    "proposal__version",
    "proposal__title",
    "proposal__firm__name",
    "channel",
    "stage",
    "decision",
    "requested_krw",
    "approved_krw",
    "reviewer__username",
    "proposal__ministry_recommendation__proposal",
)


def pipeline_table_page(
    user: User, filters: dict, *, sort: str = "score", after: str | None = None
) -> tuple[list[TableRow], str | None]:
    """One page of the table view as plain rows, and the next page's cursor."""
    values, next_after = pipeline_page_values(user, filters, TABLE_FIELDS, sort=sort, after=after)
    now = timezone.now()
    rows = [
        TableRow(
            proposal_id=v["proposal_id"],
            proposal_version=v["proposal__version"],
            title=v["proposal__title"],
            firm_name=v["proposal__firm__name"],
            channel=v["channel"],
            score=v["score"],
            stage=v["stage"],
            decision=v["decision"],
            days_in_stage=(now - v["stage_entered_at"]).days,
            requested_krw=v["requested_krw"],
            approved_krw=v["approved_krw"],
            reviewer=v["reviewer__username"],
            recommended=v["proposal__ministry_recommendation__proposal"] is not None,
        )
        for v in values
    ]
    return rows, next_after


def pipeline_export_rows(user: User, filters: dict, sort: str = "score"):
    """Every row of a filtered view, for CSV/XLSX export, streamed in keyset chunks."""
    after = None
    while True:
        rows, after = pipeline_page(user, filters, sort=sort, after=after)
        yield from rows
        if after is None:
            return


def pipeline_count(user: User, filters: dict) -> int:
    """How many rows a filtered view holds (what an export would write)."""
    return _filtered(user, filters).count()


def review_commitment(review: FundReview) -> Commitment | None:
    """The ledger row an approval drew, with its releases (two queries), or None."""
    if review.decision not in Decision.values or review.approved_krw is None:
        return None
    return (
        Commitment.objects.prefetch_related("releases")
        .filter(proposal_id=review.proposal_id)
        .first()
    )


def review_get_for_user(user: User, pk) -> FundReview:
    """The pipeline entry of a proposal, or 404 for anyone but fund staff."""
    if not can_see_pipeline(user):
        raise Http404
    proposal = proposal_get_for_user(user, pk)
    review = reviews_visible_to(user).filter(proposal=proposal).first()
    if review is None:
        raise Http404
    return review


def fund_staff() -> QuerySet[User]:
    """Who can be assigned as a reviewer."""
    from portal.core.vocabulary import Role

    return User.objects.filter(groups__name=Role.FUND_SECRETARIAT, is_active=True).order_by(
        "username"
    )


# ---------------------------------------------------------------------------------------------
# KDB: committee meetings and agendas, comments, saved views

MEETINGS_PER_PAGE = 20
CANDIDATES_MAX = 200
SUMMARY_CHARS = 200


def meetings_visible_to(user: User) -> QuerySet[CommitteeMeeting]:
    """Every meeting for fund staff (newest first, with its agenda size); none for anyone else."""
    if not can_see_pipeline(user):
        return CommitteeMeeting.objects.none()
    return CommitteeMeeting.objects.annotate(item_count=Count("items")).order_by("-meets_at", "-id")


def meeting_get_for_user(user: User, pk) -> CommitteeMeeting:
    """The meeting, or 404 for an unknown id or anyone but fund staff."""
    meeting = meetings_visible_to(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


@dataclass(frozen=True)
class AgendaRow:
    """One agenda line: the item, its review (with proposal, firm and reviewer) and the
    proposal's current match scores under the newest rule set that scored it."""

    item: AgendaItem
    review: FundReview
    scores: list  # [(channel code, score or None, eligible)] in channel order
    best_channel: str
    best_score: int | None

    @property
    def proposal(self) -> Proposal:
        return self.review.proposal

    @property
    def summary(self) -> str:
        text = " ".join(self.review.proposal.summary.split())
        return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def _scores_by_proposal(proposal_ids: list[int]) -> dict[int, dict[str, tuple[int, bool]]]:
    """{proposal: {channel: (score, eligible)}} under each proposal's newest rule set (one
    query for the whole agenda)."""
    rows = (
        MatchResult.objects.filter(proposal_id__in=proposal_ids)
        .order_by("proposal_id", "-rule_set__version")
        .values_list("proposal_id", "channel_id", "score", "eligible", "rule_set__version")
    )
    newest: dict[int, int] = {}
    scores: dict[int, dict[str, tuple[int, bool]]] = {}
    for proposal_id, channel, score, eligible, version in rows:
        if newest.setdefault(proposal_id, version) != version:
            continue
        scores.setdefault(proposal_id, {})[channel] = (score, eligible)
    return scores


def agenda_rows(meeting: CommitteeMeeting) -> list[AgendaRow]:
    """The meeting's agenda in order, each line with its scores (two queries)."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related(
            "review",
            "review__proposal",
            "review__proposal__firm",
            "review__reviewer",
        )
        .order_by("position")
    )
    scores = _scores_by_proposal([item.review_id for item in items])
    rows = []
    for item in items:
        mine = scores.get(item.review_id, {})
        # Ranked as everywhere else (scoring.best): ties go to the earlier channel.
        top = best(
            ChannelCode.values,
            eligible=lambda code, mine=mine: mine.get(code, (0, False))[1],
            score=lambda code, mine=mine: mine[code][0],
        )
        best_score, best_channel = (mine[top][0], top) if top else (None, "")
        rows.append(
            AgendaRow(
                item=item,
                review=item.review,
                scores=[
                    (code, *(mine[code] if code in mine else (None, False)))
                    for code in ChannelCode.values
                ],
                best_channel=best_channel,
                best_score=best_score,
            )
        )
    return rows


def agenda_candidates(meeting: CommitteeMeeting) -> list[FundReview]:
    """Proposals at the meeting body's stage and not yet on its agenda, longest waiting first."""
    return list(
        FundReview.objects.filter(stage=meeting.body, proposal__status=ProposalStatus.IN_REVIEW)
        .exclude(agenda_items__meeting=meeting)
        .select_related("proposal", "proposal__firm", "reviewer")
        .order_by("stage_entered_at", "proposal_id")[:CANDIDATES_MAX]
    )


def review_agenda_items(review: FundReview) -> QuerySet[AgendaItem]:
    """The agendas a proposal is on, soonest meeting first."""
    return (
        AgendaItem.objects.filter(review=review)
        .select_related("meeting")
        .order_by("meeting__meets_at", "meeting_id")
    )


def review_comments(review: FundReview) -> QuerySet[ReviewComment]:
    """A proposal's internal comments, oldest first (newest last)."""
    return (
        ReviewComment.objects.filter(review=review)
        .select_related("author")
        .order_by("created_at", "id")
    )


def saved_views_for(user: User) -> QuerySet[SavedView]:
    """The user's own saved views by name; none for anyone but fund staff."""
    if not can_see_pipeline(user):
        return SavedView.objects.none()
    return SavedView.objects.filter(owner=user).order_by("name", "id")


def bulk_reviews(user: User, proposal_ids: list[int]) -> dict[int, FundReview]:
    """The pipeline entries of a bulk action's proposals (for naming them in the result)."""
    return {
        review.proposal_id: review
        for review in reviews_visible_to(user).filter(proposal_id__in=proposal_ids)
    }
