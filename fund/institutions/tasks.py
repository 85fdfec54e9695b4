"""Thin Celery tasks of the institutions' part: ids in, a service call, nothing else.

Idempotent (fits are upserted from what is stored when the task runs), so a redelivered message
writes the same rows; only a lost database connection is worth retrying."""

from celery import shared_task

from fund.institutions import services
from portal.core.queue import IDEMPOTENT_TASK_OPTIONS


@shared_task(name="institutions.refresh_fits", **IDEMPOTENT_TASK_OPTIONS)
def refresh_fits(proposal_ids: list[int] | None = None, institution_ids: list[int] | None = None):
    """Work out the fits of these opened proposals, or of every opened proposal to these
    institutions' offers, from what is stored now."""
    return services.refresh_fits(
        proposal_ids=proposal_ids or [], institution_ids=institution_ids or []
    )
