"""Thin Celery tasks of the institutions' part: ids in, a service call, nothing else."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from fund.institutions import services

# Idempotent (fits are upserted from what is stored when the task runs), so a redelivered
# message writes the same rows; only a lost database connection is worth retrying.
RETRY_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "max_retries": 5,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
}


@shared_task(name="institutions.refresh_fits", **RETRY_OPTIONS)
def refresh_fits(proposal_ids: list[int] | None = None, institution_ids: list[int] | None = None):
    """Work out the fits of these opened proposals, or of every opened proposal to these
    institutions' offers, from what is stored now."""
    return services.refresh_fits(
        proposal_ids=proposal_ids or [], institution_ids=institution_ids or []
    )
