"""Background work for the alliance app: mail to applicants about their consultations."""

from smtplib import SMTPException

from celery import shared_task

from . import consultations


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
