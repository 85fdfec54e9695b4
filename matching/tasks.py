"""Thin Celery tasks: ids in, a service call, nothing else. All are idempotent (see services)."""

from celery import shared_task

from matching import services
from portal.core.queue import IDEMPOTENT_TASK_OPTIONS


@shared_task(name="matching.score_proposal", **IDEMPOTENT_TASK_OPTIONS)
def score_proposal(proposal_id: int) -> int:
    return services.score_proposal(proposal_id=proposal_id)


@shared_task(name="matching.rescore_batch", **IDEMPOTENT_TASK_OPTIONS)
def rescore_batch(batch_id: int) -> bool:
    return services.rescore_batch_run(batch_id=batch_id)


@shared_task(name="matching.preview_rule_set", **IDEMPOTENT_TASK_OPTIONS)
def preview_rule_set(preview_id: int) -> int:
    preview = services.preview_compute(preview_id=preview_id)
    return len(preview.changes) if preview else 0


@shared_task(name="matching.score_missing", **IDEMPOTENT_TASK_OPTIONS)
def score_missing() -> int:
    return services.score_missing()


@shared_task(name="matching.resume_stale_rescores", **IDEMPOTENT_TASK_OPTIONS)
def resume_stale_rescores() -> int:
    return services.rescore_resume_stale()
