"""The institutions' handlers of the portal's cross-app signals (InstitutionsConfig.ready)."""

from django.dispatch import receiver

from fund.institutions import selectors, services
from fund.institutions.permissions import OPENABLE_STATUSES, can_share
from portal.core import signals
from portal.core.vocabulary import ProposalStatus


@receiver(signals.proposals_scored, dispatch_uid="institutions.refit_scored_proposals")
def refit_scored_proposals(sender, *, proposal_ids=None, id_range=None, **kwargs) -> None:
    """New match results change the eligible channels an offer is compared with: the opened
    proposals among them are fitted again by a worker after the scoring commits."""
    shares = selectors.open_shares()
    if proposal_ids is not None:
        shares = shares.filter(proposal_id__in=proposal_ids)
    elif id_range is not None:
        shares = shares.filter(proposal_id__gte=id_range[0], proposal_id__lte=id_range[1])
    else:
        return
    opened = list(shares.values_list("proposal_id", flat=True))
    if opened:
        services.schedule_fits(proposal_ids=opened)


@receiver(signals.proposal_page_context, dispatch_uid="institutions.share_on_page")
def share_on_page(sender, *, request, proposal, **kwargs) -> dict:
    """The lead firm's applicant sees whether the proposal is open to institutions, opens or
    withdraws it, and answers the interests it received."""
    if not can_share(request.user, proposal):
        return {}
    # A draft has never been opened (only a submitted proposal can be): nothing to read.
    draft = proposal.status == ProposalStatus.DRAFT
    share = None if draft else selectors.share_of(proposal)
    return {
        "institution_share": {
            "share": share,
            "is_open": bool(share and share.is_open),
            "can_open": proposal.status in OPENABLE_STATUSES,
            "consent_text": services.CONSENT_TEXT,
            "interests": [] if draft else list(selectors.interests_for_proposal(proposal)),
        }
    }
