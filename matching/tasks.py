"""Thin Celery tasks: ids in, a service call, nothing else. All are idempotent (see services)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from matching import services

# Only a lost or refused database connection is worth retrying; a bug would fail again.
RETRY_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "max_retries": 5,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
}


@shared_task(name="matching.score_proposal", **RETRY_OPTIONS)
def score_proposal(proposal_id: int) -> int:
    return services.score_proposal(proposal_id=proposal_id)


@shared_task(name="matching.rescore_batch", **RETRY_OPTIONS)
def rescore_batch(batch_id: int) -> bool:
    return services.rescore_batch_run(batch_id=batch_id)


@shared_task(name="matching.preview_rule_set", **RETRY_OPTIONS)
def preview_rule_set(preview_id: int) -> int:
    preview = services.preview_compute(preview_id=preview_id)
    return len(preview.changes) if preview else 0


@shared_task(name="matching.score_missing", **RETRY_OPTIONS)
def score_missing() -> int:
    return services.score_missing()


@shared_task(name="matching.resume_stale_rescores", **RETRY_OPTIONS)
def resume_stale_rescores() -> int:
    return services.rescore_resume_stale()
