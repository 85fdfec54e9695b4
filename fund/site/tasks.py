"""Background work for the information site: registration mail."""

from celery import shared_task

from fund.site import services as site_services
from portal.core.tasks import OUTBOX_TASK_OPTIONS


@shared_task(name="fund.send_registration_mail", **OUTBOX_TASK_OPTIONS)
def send_registration_mail(registration_id: int) -> str:
    """Hand the mail a registration's state calls for to the outbox. Registrations write
    their mail in their own transaction now; this task serves messages queued before that,
    and is idempotent: the service writes each kind of mail once."""
    return site_services.registration_mail_send(registration_id=registration_id)
