"""Aggregates over proposals that are safe to publish: counts and sums only, never a firm or a
proposal's detail (SPEC §2), and only proposals that were actually submitted."""

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce

from alliance.models import Industry, Proposal, SubAlliance
from portal.core.vocabulary import ProposalStatus

# A proposal counts as demand once submitted, whatever happened next, unless withdrawn.
SUBMITTED_STATUSES = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.INFO_REQUESTED,
    ProposalStatus.REFERRED,
    ProposalStatus.IN_REVIEW,
    ProposalStatus.DECIDED,
)


def _demand(model, related: str):
    submitted = Q(**{f"{related}__status__in": SUBMITTED_STATUSES})
    return list(
        model.objects.annotate(
            proposal_count=Count(related, filter=submitted),
            requested_krw=Coalesce(Sum(f"{related}__requested_krw", filter=submitted), Value(0)),
        ).order_by("order")
    )


def demand_by_sub_alliance() -> list[SubAlliance]:
    """Each sub-alliance with proposal_count and requested_krw of submitted proposals."""
    return _demand(SubAlliance, "proposals")


def demand_by_industry() -> list[Industry]:
    """Each strategic industry with proposal_count and requested_krw of submitted proposals."""
    return _demand(Industry, "proposals")


def demand_totals() -> dict:
    """Submitted proposals: how many, what they request, and the value added they expect
    (the live figure the alliance page sets beside the alliance's 100조원 goal)."""
    return Proposal.objects.filter(status__in=SUBMITTED_STATUSES).aggregate(
        proposal_count=Count("id"),
        requested_krw=Coalesce(Sum("requested_krw"), Value(0)),
        expected_value_added_krw=Coalesce(Sum("expected_value_added_krw"), Value(0)),
    )


def pipeline_funnel() -> dict[str, int]:
    """How many proposals are in each status (staff only: includes drafts)."""
    counts = dict(Proposal.objects.order_by().values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in ProposalStatus.values}


# KEIT's screening, step by step: waiting for KEIT, waiting for the applicant, sent to the fund.
SCREENING_STATUSES = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.INFO_REQUESTED,
    ProposalStatus.REFERRED,
    ProposalStatus.IN_REVIEW,
    ProposalStatus.DECIDED,
)


def screening_by(model, related: str = "proposals") -> list:
    """Each sub-alliance (or industry) with `by_status`: the count of its proposals in each of
    SCREENING_STATUSES, in that order, and `total`. One query."""
    rows = list(
        model.objects.annotate(
            **{
                f"n_{status}": Count(related, filter=Q(**{f"{related}__status": status}))
                for status in SCREENING_STATUSES
            }
        ).order_by("order")
    )
    for row in rows:
        row.by_status = [getattr(row, f"n_{status}") for status in SCREENING_STATUSES]
        row.total = sum(row.by_status)
    return rows
