"""Thin Celery tasks of automatic routing: proposal ids in, a service call, nothing else."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from fund.routing import services

# Idempotent (a candidate is looked at once, under locks), so a message redelivered after a
# killed worker routes nothing twice; only a lost database connection is worth retrying.
RETRY_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "max_retries": 5,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
}


@shared_task(name="routing.route_proposals", **RETRY_OPTIONS)
def route_proposals(proposal_ids: list[int]) -> dict:
    """Route or hold these candidates under the active policy."""
    return services.route_proposals(proposal_ids=proposal_ids)


@shared_task(name="routing.sweep", **RETRY_OPTIONS)
def sweep() -> dict:
    """Look at the candidates whose message never came (or whose capped day has passed)."""
    return services.sweep()
