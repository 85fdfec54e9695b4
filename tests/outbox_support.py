"""Tests' view of the mail outbox: send what it holds, as its worker does after commit."""

from portal.core import outbox
from portal.core.models import Notification, NotificationState


def deliver_outbox() -> dict[str, int]:
    """Send every pending mail now (through Django's test mailbox); counts by outcome."""
    ids = list(
        Notification.objects.filter(state=NotificationState.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return outbox.notifications_send(notification_ids=ids)
