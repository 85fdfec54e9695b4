"""Background work for the alliance app: consultation mail, the orphan-file sweep."""

from celery import shared_task

from alliance.consultations import services as consultations
from alliance.documents import services as documents
from portal.core.tasks import OUTBOX_TASK_OPTIONS


@shared_task(name="alliance.send_consultation_mail", **OUTBOX_TASK_OPTIONS)
def send_consultation_mail(consultation_id: int) -> str:
    """Hand the applicant's mail of a confirmed or declined consultation to the outbox.
    Consultations write their mail in their own transaction now; this task serves messages
    queued before that, and is idempotent: the service records which outcome was written."""
    return consultations.consultation_mail_send(consultation_id=consultation_id)


@shared_task(name="alliance.documents_orphan_sweep")
def documents_orphan_sweep() -> int:
    """Remove stored files whose upload never committed (see documents.orphan_files_sweep)."""
    return documents.orphan_files_sweep()
