"""Thin Celery tasks of automatic routing: proposal ids in, a service call, nothing else.

Idempotent (a candidate is looked at once, under locks), so a message redelivered after a killed
worker routes nothing twice; only a lost database connection is worth retrying."""

from celery import shared_task

from fund.routing import services
from portal.core.queue import IDEMPOTENT_TASK_OPTIONS


@shared_task(name="routing.route_proposals", **IDEMPOTENT_TASK_OPTIONS)
def route_proposals(proposal_ids: list[int]) -> dict:
    """Route or hold these candidates under the active policy."""
    return services.route_proposals(proposal_ids=proposal_ids)


@shared_task(name="routing.sweep", **IDEMPOTENT_TASK_OPTIONS)
def sweep() -> dict:
    """Look at the candidates whose message never came (or whose capped day has passed)."""
    return services.sweep()
