"""Reads: querysets already restricted to what the user may see, and already joined."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from alliance.models import AuditLog, Industry, Proposal, SubAlliance, User
from portal.core import signals
from portal.core.aggregate_cache import cached
from portal.core.ids import parse_id
from portal.core.vocabulary import ProposalStatus

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


def proposal_get_for_user(user: User, pk) -> Proposal:
    """The proposal, or 404 when it does not exist or the user may not see it."""
    try:
        return proposals_visible_to(user).select_related("review").get(pk=parse_id(pk))
    except Proposal.DoesNotExist as exc:
        raise Http404 from exc


# What a proposal's `routing` says when no app above answers: nothing to say.
NO_ROUTING = {"state": None, "policy_version": None, "channel": "", "at": None, "reasons": []}


def proposals_routing(proposals, user) -> dict[int, dict]:
    """How each proposal went to the fund, or why it has not yet (SPEC §7), as the app above
    that routes proposals answers `proposal_routing_requested`; NO_ROUTING for the rest."""
    proposals = list(proposals)
    found = {proposal.pk: NO_ROUTING for proposal in proposals}
    if proposals:
        for _receiver, statuses in signals.proposal_routing_requested.send(
            sender=Proposal, proposals=proposals, user=user
        ):
            found.update(statuses or {})
    return found


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


# ---------------------------------------------------------------------------------------------
# KEIT's proposal list: each proposal's best channel and score under the active rule set


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


def reference_lists() -> dict:
    """The filter forms' sub-alliances and industries: the information site's cached
    reference lists (stale once one of them is saved)."""
    return {
        "sub_alliances": cached(
            "sub_alliances", lambda: list(SubAlliance.objects.order_by("order"))
        ),
        "industries": cached("industries", lambda: list(Industry.objects.order_by("order"))),
    }


# A filter form's key → the proposal field it filters (sub-alliance and industry by code).
PROPOSAL_FILTERS = {
    "status": "status",
    "sub_alliance": "sub_alliance__code",
    "industry": "industry__code",
    "region": "region",
    "size_class": "firm__size_class",
}


def proposals_filtered(queryset: QuerySet, filters: dict, *, via: str = "") -> QuerySet:
    """`queryset` narrowed by the proposal filters present in `filters` (cleaned by a filter
    form); `via` is the path to the proposal when the queryset is of another model."""
    conditions = {
        f"{via}{field}": filters[key] for key, field in PROPOSAL_FILTERS.items() if key in filters
    }
    return queryset.filter(**conditions) if conditions else queryset
