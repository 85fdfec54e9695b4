"""Automatic routing's handlers of the portal's cross-app signals (RoutingConfig.ready)."""

from django.dispatch import receiver

from fund.routing import selectors, services
from portal.core import signals


@receiver(signals.proposals_scored, dispatch_uid="routing.look_at_scored_proposals")
def look_at_scored_proposals(sender, *, proposal_ids=None, id_range=None, **kwargs) -> None:
    """Scored proposals that wait for referral become candidates in the scoring's transaction;
    a worker looks at them under the active policy once it commits."""
    services.candidates_after_scoring(proposal_ids=proposal_ids, id_range=id_range)


@receiver(signals.proposal_routing_requested, dispatch_uid="routing.routing_statuses")
def routing_statuses(sender, *, proposals, user, **kwargs) -> dict:
    """How each proposal went to the fund, or why it has not yet (for lists and the API)."""
    return selectors.routing_statuses(proposals, user)


@receiver(signals.proposal_page_context, dispatch_uid="routing.routing_on_page")
def routing_on_page(sender, *, request, proposal, **kwargs) -> dict:
    """The proposal page says when and why the proposal went to the fund (routed by policy N,
    or referred by KEIT) and, to the secretariats, why it is held."""
    return {"routing": selectors.routing_status(proposal, request.user)}


@receiver(signals.proposal_recommended, dispatch_uid="routing.look_at_recommended_proposal")
def look_at_recommended_proposal(sender, *, proposal_id, **kwargs) -> None:
    """산업부 recommended a proposal: a policy may count it, so it is a candidate again."""
    services.candidates_after_scoring(proposal_ids=[proposal_id])
