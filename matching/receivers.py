"""Matching's handlers of the portal's cross-app signals (connected in MatchingConfig.ready)."""

from django.dispatch import receiver

from matching.services import schedule_scoring
from portal.core import signals


@receiver(signals.proposal_submitted, dispatch_uid="matching.score_submitted_proposal")
def score_submitted_proposal(sender, *, proposal_id: int, **kwargs) -> None:
    """A submitted or resubmitted proposal is scored by a worker once the submission commits."""
    schedule_scoring(proposal_id=proposal_id)
