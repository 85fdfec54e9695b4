"""The review pipeline's part in the coordination queue (connected in FundConfig.ready), and
its part of the proposal page (a signal receiver, connected on import)."""

from django.core.exceptions import ObjectDoesNotExist
from django.dispatch import receiver

from fund.coordination import services as coordination
from fund.coordination.models import PacketKind
from fund.review import intake
from matching.selectors import results_from_snapshot
from portal.core import signals


def connect() -> None:
    """A referral opens a pipeline entry (one at a time or a delivery batch together); the
    applicant's answer to the fund's question goes into the proposal's history."""
    coordination.intake_register(
        PacketKind.REFERRAL, intake.intake_referral, batch=intake.intake_referrals
    )
    coordination.intake_register(PacketKind.INFO_PROVIDED, intake.intake_info_provided)


@receiver(signals.proposal_page_context, dispatch_uid="review.decision_results_on_page")
def decision_results_on_page(sender, *, request, proposal, **kwargs) -> dict:
    """A decided proposal's page shows the match results its decision was based on (D16),
    apart from the current ones, which a later rule set may have changed."""
    try:
        review = proposal.review  # cached on the proposal for the page's own decision panel
    except ObjectDoesNotExist:
        return {}
    if not (review.decision and review.decision_results):
        return {}
    return {"decision_results": results_from_snapshot(review.decision_results)}
