"""Matching's handlers of the portal's cross-app signals (connected in MatchingConfig.ready)."""

from django.db import transaction
from django.dispatch import receiver

from matching.services import rescore_for_capacity, schedule_scoring
from portal.core import signals


@receiver(signals.proposal_submitted, dispatch_uid="matching.score_submitted_proposal")
def score_submitted_proposal(sender, *, proposal_id: int, **kwargs) -> None:
    """A submitted or resubmitted proposal is scored by a worker once the submission commits."""
    schedule_scoring(proposal_id=proposal_id)


@receiver(signals.scoring_inputs_changed, dispatch_uid="matching.score_changed_inputs")
def score_changed_inputs(sender, *, proposal_ids: list[int], **kwargs) -> None:
    """Proposals whose firm or answers changed are scored again once the change commits (a
    draft or a decided proposal is skipped by the worker: it is not in the pipeline)."""
    for proposal_id in proposal_ids:
        schedule_scoring(proposal_id=proposal_id)


@receiver(signals.capacity_changed, dispatch_uid="matching.rescore_after_capacity_change")
def rescore_after_capacity_change(sender, *, channel_code: str, **kwargs) -> None:
    """Every scoreable proposal is scored again against the new capacity, once the change
    commits (batches in the background, as after a rule-set activation)."""
    transaction.on_commit(rescore_for_capacity, robust=True)
