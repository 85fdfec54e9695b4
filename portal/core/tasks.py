"""The core's periodic tasks: the mail outbox's (their names are the ones they had in the
alliance app, so a message queued before an upgrade is still understood after it) and the
erasure of expired personal data."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from portal.core import outbox, privacy

# For a task that writes to or sends from the outbox: idempotent, so it is acknowledged late
# and tried again when the database connection drops.
OUTBOX_TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "max_retries": 3,
    "retry_backoff": 2,
}


@shared_task(name="alliance.notifications_send", **OUTBOX_TASK_OPTIONS)
def send_notifications(notification_ids: list[int]) -> dict:
    """Send pending mail notifications. Idempotent: a sent row is never sent again, so a
    redelivered message sends nothing; a refused send is left to the sweep."""
    return outbox.notifications_send(notification_ids=notification_ids)


@shared_task(name="alliance.notifications_sweep", acks_late=True, reject_on_worker_lost=True)
def sweep_notifications() -> dict:
    """Send the mail still pending after its time (broker down, mail server refused)."""
    return outbox.sweep()


@shared_task(name="core.erase_expired_personal_data", acks_late=True, reject_on_worker_lost=True)
def erase_expired_personal_data() -> dict:
    """Erase the registrants' and consultation contacts' personal data whose retention period
    (PERSONAL_DATA_RETENTION_DAYS) is over. Idempotent: erased rows are marked and skipped."""
    return privacy.erase_expired()
