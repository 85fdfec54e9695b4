"""The one mail outbox: every mail the portal sends is written here, in the transaction of the
event it reports, and sent by a worker after that commits.

A worker sends the rows after the transaction commits (`transaction.on_commit`, robust: a
broker that is down never undoes the event). The periodic sweep sends whatever is still
pending after its time (the task never ran, or the mail server refused), with a growing pause
between attempts; after the last attempt the row is `failed` and shows in the admin. Each row
has a unique key per event and recipient, so an event taken in twice mails once. No mail is
ever sent inside a transaction: a mail server that hangs holds no lock.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.core.models import Notification, NotificationState
from portal.core.queue import task

logger = logging.getLogger(__name__)

MAIL_LANGUAGE_SEPARATOR = "\n\n" + "-" * 50 + "\n\n"

SUBJECT_PREFIX = "[M.AX × 국민성장펀드] "

SUBJECT_MAX = 255

RETRY_AFTER_DEFAULT = 60

MAX_ATTEMPTS_DEFAULT = 5

BACKOFF_MAX_SECONDS = 3600

# The sweep leaves a new row to the task sent on commit for this long.
FIRST_SEND_GRACE_SECONDS = 60

SWEEP_BATCH = 200


def retry_after() -> int:
    return int(getattr(settings, "NOTIFICATION_RETRY_AFTER", RETRY_AFTER_DEFAULT))


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", MAX_ATTEMPTS_DEFAULT))


def backoff(attempts: int) -> datetime.timedelta:
    """How long after its `attempts`-th failed send a notification is tried again."""
    seconds = retry_after() * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def compose(subject: Callable[[], str], template: str, context: dict) -> tuple[str, str]:
    """`subject()` and `template` rendered in Korean, then in English, as one mail."""
    subjects, bodies = [], []
    for language in ("ko", "en"):
        with translation.override(language):
            subjects.append(subject())
            bodies.append(render_to_string(template, context).strip())
    # dict.fromkeys drops the second subject when it has no Korean translation yet.
    subject = SUBJECT_PREFIX + " / ".join(dict.fromkeys(subjects))
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    return subject, MAIL_LANGUAGE_SEPARATOR.join(bodies) + "\n"


class Recipient(NamedTuple):
    """An address, and the account it belongs to when there is one."""

    email: str
    user: object | None = None


def write(
    *,
    kind: str,
    recipients: Iterable[Recipient],
    subject: str,
    body: str,
    event_key: str,
    proposal_id: int | None = None,
    attachments: Iterable[dict] = (),
) -> list[int]:
    """Write one pending mail per recipient and send them once the surrounding transaction
    commits. Call inside the event's transaction.

    `event_key` names the event (a packet id, an audit row id, a registration and its state):
    with the kind and the recipient it makes the unique key, so writing the same event again
    adds nothing (and sends nothing that was sent). `attachments` are dicts of `filename`,
    `content` (text) and `mimetype`. Returns the ids of the event's mails.
    """
    first_send = timezone.now() + datetime.timedelta(seconds=FIRST_SEND_GRACE_SECONDS)
    attachments = list(attachments)
    rows = [
        Notification(
            recipient=recipient.email,
            user=recipient.user,
            kind=kind,
            subject=subject,
            body=body,
            proposal_id=proposal_id,
            attachments=attachments,
            next_attempt_at=first_send,
            dedupe_key=_dedupe_key(kind, event_key, recipient),
        )
        for recipient in recipients
        if recipient.email
    ]
    if not rows:
        return []
    # One INSERT … ON CONFLICT (dedupe_key) DO UPDATE that changes nothing in a row written
    # before (it sets the key to itself) but returns every row's id: a row already sent is
    # skipped by the sender, so the event is mailed once.
    Notification.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["dedupe_key"], update_fields=["dedupe_key"]
    )
    ids = [row.pk for row in rows]
    schedule_send(ids)
    return ids


def _dedupe_key(kind: str, event_key: str, recipient: Recipient) -> str:
    who = recipient.user.pk if recipient.user is not None else recipient.email.lower()
    return f"{kind}:{event_key}:{who}"[:200]


def forget(*, kind: str, event_key_prefixes: Iterable[str]) -> int:
    """Delete the mail of every event of `kind` whose key starts with one of the prefixes, for
    every recipient, sent or not: erasing a person's data takes the mail about them along.
    Returns how many rows were deleted."""
    match = Q()
    for prefix in event_key_prefixes:
        match |= Q(dedupe_key__startswith=f"{kind}:{prefix}")
    if not match:
        return 0
    deleted, _by_model = Notification.objects.filter(match, kind=kind).delete()
    return deleted


def schedule_send(ids: list[int]) -> None:
    """Send the mail task after commit; if the broker is down, the sweep sends them later."""
    if not ids:
        return
    send_notifications = task("alliance.notifications_send")

    ids = list(ids)
    transaction.on_commit(
        lambda: send_notifications.apply_async(args=[ids], retry=False), robust=True
    )


def notification_send(*, notification_id: int) -> str:
    """Send one pending notification: `sent`, `retry` (failed, tried again later), `failed`
    (the last attempt failed) or `skipped` (not pending, or another worker has it now)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, state=NotificationState.PENDING)
            .first()
        )
        if notification is None:
            return "skipped"
        now = timezone.now()
        notification.attempts += 1
        try:
            message = EmailMessage(
                subject=notification.subject,
                body=notification.body,
                to=[notification.recipient],
            )
            for attachment in notification.attachments:
                message.attach(
                    attachment["filename"], attachment["content"], attachment["mimetype"]
                )
            message.send()
        except Exception as exc:  # any refusal: note it, and let the sweep try again
            logger.warning("notification %s not sent", notification.pk, exc_info=True)
            notification.last_error = repr(exc)[:2000]
            if notification.attempts >= max_attempts():
                notification.state = NotificationState.FAILED
                notification.next_attempt_at = None
                outcome = "failed"
            else:
                notification.next_attempt_at = now + backoff(notification.attempts)
                outcome = "retry"
            notification.save(update_fields=["attempts", "last_error", "state", "next_attempt_at"])
            return outcome
        notification.state = NotificationState.SENT
        notification.sent_at = now
        notification.next_attempt_at = None
        notification.last_error = ""
        notification.save(
            update_fields=["attempts", "state", "sent_at", "next_attempt_at", "last_error"]
        )
    return "sent"


def notifications_send(*, notification_ids: Iterable[int]) -> dict[str, int]:
    """Send each of the notifications (one transaction each); counts by outcome."""
    return dict(Counter(notification_send(notification_id=pk) for pk in notification_ids))


def sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send every pending notification whose time has come (its task never ran or it failed
    before); a batch per run, oldest first."""
    now = now or timezone.now()
    due = list(
        Notification.objects.filter(state=NotificationState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return notifications_send(notification_ids=due)


def notifications_retry(*, notification_ids: Iterable[int]) -> int:
    """Staff send failed notifications again with a fresh count of attempts; how many."""
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update()
            .filter(pk__in=list(notification_ids), state=NotificationState.FAILED)
            .values_list("pk", flat=True)
        )
        Notification.objects.filter(pk__in=ids).update(
            state=NotificationState.PENDING,
            attempts=0,
            next_attempt_at=timezone.now() + datetime.timedelta(seconds=FIRST_SEND_GRACE_SECONDS),
        )
        schedule_send(ids)
    return len(ids)
