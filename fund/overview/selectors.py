"""The aggregate picture for the ministries (SPEC §2, §6): counts and won by channel and stage,
commitments against the fund's plan. Sums only: no row here carries a firm or a proposal."""

from __future__ import annotations

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce

from alliance.models import Proposal
from fund.ministry.models import Recommendation
from fund.review.models import FundReview
from portal.core.vocabulary import ChannelCode, ProposalStatus, ReviewStage

# Submitted proposals the fund has not taken in yet, by status (no channel is chosen yet).
BEFORE_FUND = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.INFO_REQUESTED,
    ProposalStatus.REFERRED,
)


def pipeline_summary() -> dict:
    """Before the fund: how many submitted proposals wait, by status, and what they request.
    At the fund: per channel and review stage, how many, what they request and what was
    approved. Recommendations by 산업부: how many, and how many reached the fund. Four queries."""
    waiting = {
        status: (n, krw)
        for status, n, krw in Proposal.objects.filter(status__in=BEFORE_FUND, review__isnull=True)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"), krw=Coalesce(Sum("requested_krw"), Value(0)))
    }
    cells = {
        (channel, stage): (n, requested, approved)
        for channel, stage, n, requested, approved in FundReview.objects.order_by()
        .values_list("channel", "stage")
        .annotate(
            n=Count("proposal"),
            requested=Coalesce(Sum("requested_krw"), Value(0)),
            approved=Coalesce(Sum("approved_krw"), Value(0)),
        )
    }
    rows = []
    for channel in ChannelCode.values:
        for stage in ReviewStage.values:
            n, requested, approved = cells.get((channel, stage), (0, 0, 0))
            rows.append(
                {
                    "channel": channel,
                    "stage": stage,
                    "count": n,
                    "requested_krw": requested,
                    "approved_krw": approved,
                }
            )
    recommended = Recommendation.objects.aggregate(
        total=Count("pk"),
        at_fund=Count("pk", filter=Q(proposal__review__isnull=False)),
    )
    return {
        "before_fund": [
            {
                "status": status,
                "count": waiting.get(status, (0, 0))[0],
                "requested_krw": waiting.get(status, (0, 0))[1],
            }
            for status in BEFORE_FUND
        ],
        "by_channel_and_stage": rows,
        "recommendations": recommended,
    }
