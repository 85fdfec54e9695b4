"""Queue a Celery task by its stable name, so that a service never imports its tasks module.

Tasks are thin: they import the service they call. A service that must queue work looks the
task up by name instead of importing it back, which would make the two modules a cycle.
"""

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone

# The options of a task whose work is idempotent (it recomputes from what is stored), so a
# message redelivered after a killed worker writes nothing twice: acknowledged only once done,
# and retried with backoff only when the database connection was lost.
IDEMPOTENT_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "max_retries": 5,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
}


def task(name: str):
    """The registered task called `name`; every app's tasks module is imported on first use."""
    tasks = current_app.tasks
    if name not in tasks:
        current_app.loader.import_default_modules()
    return tasks[name]


LAST_RUN_KEY = "system-status:last-run:{}"


def periodic_tasks() -> list[str]:
    """The names of the tasks beat schedules."""
    return sorted({entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()})


def record_periodic_run(task_name: str) -> None:
    """Called after every task a worker runs (portal.celery): keep the time of the periodic
    ones in the shared cache, where the system status page reads it."""
    if task_name in periodic_tasks():
        cache.set(LAST_RUN_KEY.format(task_name), timezone.now(), timeout=None)


def last_periodic_run(task_name: str):
    """When a worker last finished `task_name`, or None (never, or the cache was emptied)."""
    return cache.get(LAST_RUN_KEY.format(task_name))
