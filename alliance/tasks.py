"""Background work for the alliance app: consultation mail and the mail outbox."""

from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError

from alliance.consultations import services as consultations
from alliance.notifications import services as notifications


@shared_task(
    name="alliance.send_consultation_mail",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def send_consultation_mail(consultation_id: int) -> str:
    """Mail the applicant that their consultation was confirmed or declined. Idempotent: the
    service records which outcome was mailed, so a redelivered message sends nothing."""
    return consultations.consultation_mail_send(consultation_id=consultation_id)


@shared_task(
    name="alliance.notifications_send",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=2,
)
def send_notifications(notification_ids: list[int]) -> dict:
    """Send pending mail notifications. Idempotent: a sent row is never sent again, so a
    redelivered message sends nothing; a refused send is left to the sweep."""
    return notifications.notifications_send(notification_ids=notification_ids)


@shared_task(name="alliance.notifications_sweep", acks_late=True, reject_on_worker_lost=True)
def sweep_notifications() -> dict:
    """Send the mail still pending after its time (broker down, mail server refused)."""
    return notifications.sweep()
