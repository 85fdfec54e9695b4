"""Background work for the alliance app: consultation mail."""

from smtplib import SMTPException

from celery import shared_task

from alliance.consultations import services as consultations


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
    """Hand the applicant's mail of a confirmed or declined consultation to the outbox.
    Consultations write their mail in their own transaction now; this task serves messages
    queued before that, and is idempotent: the service records which outcome was written."""
    return consultations.consultation_mail_send(consultation_id=consultation_id)
