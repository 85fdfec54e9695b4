"""Reads: querysets already restricted to what the user may see, and already joined."""

import re

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from .choices import ProposalStatus
from .models import AuditLog, Firm, Proposal, ProposalDocument, User

ID_PATTERN = re.compile(r"[0-9]{1,19}")
BIGINT_MAX = 2**63 - 1

# What the fund secretariat sees: only what KEIT referred to it, and what followed.
FUND_VISIBLE_STATUSES = (ProposalStatus.REFERRED, ProposalStatus.IN_REVIEW, ProposalStatus.DECIDED)


def proposals_visible_to(user: User) -> QuerySet[Proposal]:
    """Every proposal the user may see; an empty queryset for anyone else."""
    qs = Proposal.objects.select_related("firm", "sub_alliance", "industry")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.is_alliance_staff:
        # KEIT screens what firms have submitted; a draft (and a draft withdrawn without ever
        # being submitted) stays the firm's own.
        return qs.exclude(status=ProposalStatus.DRAFT).exclude(
            status=ProposalStatus.WITHDRAWN, submitted_at__isnull=True
        )
    if user.is_fund_staff:
        return qs.filter(status__in=FUND_VISIBLE_STATUSES)
    if user.is_applicant:
        return qs.filter(
            Q(firm_id=user.firm_id)
            | Q(
                pk__in=Proposal.partners.through.objects.filter(firm_id=user.firm_id).values(
                    "proposal_id"
                )
            )
        )
    return qs.none()


def _object_id(pk) -> int:
    """An id from a URL or a payload: ASCII digits within bigint range, otherwise 404.

    `int()` alone would also take "１２" (full-width digits), " 12 " and "1_2".
    """
    if isinstance(pk, int) and not isinstance(pk, bool):
        value = pk
    elif isinstance(pk, str) and ID_PATTERN.fullmatch(pk):
        value = int(pk)
    else:
        raise Http404
    if not 0 < value <= BIGINT_MAX:
        raise Http404
    return value


def proposal_get_for_user(user: User, pk) -> Proposal:
    """The proposal, or 404 when it does not exist or the user may not see it."""
    try:
        return proposals_visible_to(user).select_related("review").get(pk=_object_id(pk))
    except Proposal.DoesNotExist as exc:
        raise Http404 from exc


def proposal_list_for_workspace(user: User) -> QuerySet[Proposal]:
    """The applicant's workspace: the firm's own proposals and those it is a partner in."""
    return (
        proposals_visible_to(user)
        .annotate(document_count=Count("documents"))
        .order_by("-updated_at", "-id")
    )


def proposal_history(proposal: Proposal) -> QuerySet[AuditLog]:
    return (
        AuditLog.objects.filter(proposal=proposal)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def document_get_for_user(user: User, pk) -> ProposalDocument:
    """A document is visible exactly when its proposal is; otherwise 404."""
    try:
        return ProposalDocument.objects.select_related("proposal").get(
            pk=_object_id(pk), proposal__in=proposals_visible_to(user).values("pk")
        )
    except ProposalDocument.DoesNotExist as exc:
        raise Http404 from exc


def firms_visible_to(user: User) -> QuerySet[Firm]:
    """Alliance staff see the registry; an applicant sees their own firm only."""
    qs = Firm.objects.prefetch_related("sub_alliances")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_alliance_staff:
        return qs
    if user.firm_id:
        return qs.filter(pk=user.firm_id)
    return qs.none()


def partner_firm_choices(user: User) -> QuerySet[Firm]:
    """Firms an applicant can name as consortium partners: active members other than its own."""
    return Firm.objects.filter(status="active").exclude(pk=user.firm_id).order_by("name")


# ---------------------------------------------------------------------------------------------
# KEIT's proposal list: each proposal's best channel and score under the active rule set

NO_ELIGIBLE_CHANNEL = "none"


def _eligible_results():
    """Eligible results under the active rule set (whose id PostgreSQL looks up once per query,
    as an InitPlan, since the subquery is not correlated)."""
    from matching.models import MatchResult, RuleSet, RuleSetStatus

    active = RuleSet.objects.filter(status=RuleSetStatus.ACTIVE).values("pk")[:1]
    return MatchResult.objects.filter(rule_set_id=Subquery(active), eligible=True)


def proposals_with_best_match(
    queryset: QuerySet[Proposal], *, filters: dict, sort: str = "submitted"
) -> QuerySet[Proposal]:
    """`queryset` (already restricted to the user) with `best_channel` and `best_score`: its
    best eligible result under the active rule set (highest score, then the channel order, as
    fund.pipeline_selectors ranks the screening inbox). Filtered by `best_channel` (a channel
    code, or "none" for no eligible channel) and `min_score`, and sorted: newest or oldest
    submission, or highest or lowest best score (no eligible channel last either way)."""
    results = _eligible_results().filter(proposal=OuterRef("pk"))
    qs = queryset.annotate(
        # The score alone needs no channel order: a top-1 over (proposal, rule set, score).
        best_score=Subquery(results.order_by("-score").values("score")[:1]),
        best_channel=Subquery(results.order_by("-score", "channel__order").values("channel")[:1]),
    )
    # Each filter is first a semi-join on the results (one pass, hashed), so the per-row best
    # channel is only worked out for proposals that can still match.
    if filters.get("best_channel") == NO_ELIGIBLE_CHANNEL:
        qs = qs.exclude(pk__in=_eligible_results().values("proposal_id"))
    elif "best_channel" in filters:
        channel = filters["best_channel"]
        qs = qs.filter(
            pk__in=_eligible_results().filter(channel=channel).values("proposal_id"),
            best_channel=channel,
        )
    if "min_score" in filters:
        # The best score is at least N exactly when some eligible result scores at least N.
        qs = qs.filter(
            pk__in=_eligible_results().filter(score__gte=filters["min_score"]).values("proposal_id")
        )
    newest = (F("submitted_at").desc(nulls_last=True), "-updated_at", "-id")
    if sort == "score":
        return qs.order_by(F("best_score").desc(nulls_last=True), *newest)
    if sort == "score_asc":
        return qs.order_by(F("best_score").asc(nulls_last=True), *newest)
    if sort == "submitted_asc":
        return qs.order_by(F("submitted_at").asc(nulls_last=True), "updated_at", "id")
    return qs.order_by(*newest)


class IdsFirst:
    """A sorted proposal list for `Paginator` (which only counts and slices it): the sort runs
    over the proposals' ids alone, then only the page's rows are loaded with their joins and
    annotations, in the same query. With 100,000 proposals this keeps the sort off the wide
    joined rows."""

    def __init__(self, queryset: QuerySet[Proposal]):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        page_ids = self.queryset.values("pk")[index]
        return list(self.queryset.filter(pk__in=page_ids))
