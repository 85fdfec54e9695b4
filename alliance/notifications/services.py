"""The mail outbox: one `Notification` row per recipient, written in the event's transaction.

A worker sends the rows after the transaction commits (`transaction.on_commit`, robust: a
broker that is down never undoes the event). The periodic sweep sends whatever is still
pending after its time (the task never ran, or the mail server refused), with a growing pause
between attempts; after the last attempt the row is `failed` and shows in the admin. Each row
has a unique key per event and recipient, so an event taken in twice mails once.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import Counter
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from alliance.models import Notification, NotificationKind, NotificationState, Proposal, User
from portal.core.tasks import task
from portal.core.vocabulary import Role

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

SUBJECTS = {
    NotificationKind.REFERRAL_RECEIVED: gettext_noop("New referral from KEIT: %(title)s"),
    NotificationKind.FUND_QUESTION: gettext_noop(
        "The fund secretariat asks about a proposal: %(title)s"
    ),
    NotificationKind.INFO_REQUESTED: gettext_noop("Please answer a question: %(title)s"),
    NotificationKind.FUND_ANSWER: gettext_noop("The applicant answered your question: %(title)s"),
    NotificationKind.DECISION: gettext_noop("The fund's decision: %(title)s"),
}


# ---------------------------------------------------------------------------------------------
# Settings, read at call time


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


# ---------------------------------------------------------------------------------------------
# Who is told


def _active_with_email():
    return User.objects.filter(is_active=True).exclude(email="")


def fund_staff_recipients() -> list[User]:
    """Every active fund secretariat (KDB) user with an email address."""
    return list(
        _active_with_email()
        .filter(groups__name=Role.FUND_SECRETARIAT)
        .distinct()
        .order_by("username")
    )


def alliance_staff_recipients() -> list[User]:
    """Every active alliance secretariat (KEIT) user with an email address."""
    return list(
        _active_with_email()
        .filter(groups__name=Role.ALLIANCE_SECRETARIAT)
        .distinct()
        .order_by("username")
    )


def firm_recipients(firm_id: int) -> list[User]:
    """The lead firm's active applicants with an email address."""
    return list(
        _active_with_email()
        .filter(firm_id=firm_id, groups__name=Role.APPLICANT)
        .distinct()
        .order_by("username")
    )


# ---------------------------------------------------------------------------------------------
# Writing


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def compose(kind: str, context: dict) -> tuple[str, str]:
    """Subject and body, Korean first then English, from `alliance/mail/<kind>.txt`."""
    title = _one_line(context.get("title", ""))
    return _compose(
        lambda: _(SUBJECTS[kind]) % {"title": title}, f"alliance/mail/{kind}.txt", context
    )


def _compose(subject: Callable[[], str], template: str, context: dict) -> tuple[str, str]:
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


def notify(
    *,
    kind: str,
    users: Iterable[User],
    event_key: str,
    context: dict,
    proposal: Proposal | None = None,
) -> list[int]:
    """Write one pending mail per user (with an address) and send them once the surrounding
    transaction commits. Call inside the event's transaction.

    `event_key` names the event (a packet id, an audit row id): with the kind and the user it
    makes the unique key, so writing the same event again adds nothing (and sends nothing that
    was sent). Returns the ids of the event's notifications.
    """
    people = {user.pk: user for user in users if user.email}
    if not people:
        return []
    subject, body = compose(kind, context)
    return _write(
        kind=kind, people=people, subject=subject, body=body, event_key=event_key, proposal=proposal
    )


def _write(
    *,
    kind: str,
    people: dict[int, User],
    subject: str,
    body: str,
    event_key: str,
    proposal: Proposal | None,
) -> list[int]:
    """`notify`'s rows: one INSERT for every recipient, one send task after commit."""
    first_send = timezone.now() + datetime.timedelta(seconds=FIRST_SEND_GRACE_SECONDS)
    rows = [
        Notification(
            recipient=user.email,
            user=user,
            kind=kind,
            subject=subject,
            body=body,
            proposal=proposal,
            next_attempt_at=first_send,
            dedupe_key=f"{kind}:{event_key}:{user.pk}"[:200],
        )
        for user in people.values()
    ]
    # One INSERT … ON CONFLICT (dedupe_key) DO UPDATE that changes nothing in a row written
    # before (it sets the key to itself) but returns every row's id: a row already sent is
    # skipped by the sender, so the event is mailed once.
    Notification.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["dedupe_key"], update_fields=["dedupe_key"]
    )
    ids = [row.pk for row in rows]
    schedule_send(ids)
    return ids


def schedule_send(ids: list[int]) -> None:
    """Send the mail task after commit; if the broker is down, the sweep sends them later."""
    if not ids:
        return
    send_notifications = task("alliance.notifications_send")

    ids = list(ids)
    transaction.on_commit(
        lambda: send_notifications.apply_async(args=[ids], retry=False), robust=True
    )


# ---------------------------------------------------------------------------------------------
# Sending (workers)


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
            EmailMessage(
                subject=notification.subject,
                body=notification.body,
                to=[notification.recipient],
            ).send()
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


# ---------------------------------------------------------------------------------------------
# The events that notify


def _proposal_context(proposal: Proposal) -> dict:
    return {
        "title": proposal.title,
        "firm": proposal.firm.name,
        "proposal_id": proposal.pk,
    }


def _channel_label(code: str):
    from portal.core.vocabulary import ChannelCode

    return ChannelCode(code).label if code in ChannelCode.values else code


def notify_referral_received(*, proposal: Proposal, packet, channel: str) -> list[int]:
    """The fund secretariat: a referral from KEIT was taken into the pipeline."""
    context = {
        **_proposal_context(proposal),
        "channel": _channel_label(channel),
        "requested_krw": proposal.requested_krw,
        "note": packet.payload.get("note", ""),
        "link": absolute_url(reverse("pipeline:detail", args=[proposal.pk])),
    }
    return notify(
        kind=NotificationKind.REFERRAL_RECEIVED,
        users=fund_staff_recipients(),
        event_key=f"packet:{packet.pk}",
        context=context,
        proposal=proposal,
    )


def notify_referrals_received(*, received: list[tuple]) -> list[int]:
    """The fund secretariat: the referrals one batch delivery took in, as (proposal, packet,
    channel). One referral mails as `notify_referral_received`; more make one digest mail per
    recipient listing each, keyed by the referral packet ids (a batch taken in again mails
    nothing more), and one send task."""
    if len(received) <= 1:
        return [
            pk
            for proposal, packet, channel in received
            for pk in notify_referral_received(proposal=proposal, packet=packet, channel=channel)
        ]
    people = {user.pk: user for user in fund_staff_recipients()}
    if not people:
        return []
    count = len(received)
    context = {
        "count": count,
        "referrals": [
            {
                **_proposal_context(proposal),
                "channel": _channel_label(channel),
                "requested_krw": proposal.requested_krw,
                "note": packet.payload.get("note", ""),
                "link": absolute_url(reverse("pipeline:detail", args=[proposal.pk])),
            }
            for proposal, packet, channel in received
        ],
    }
    subject, body = _compose(
        lambda: (
            ngettext("%(count)d new referral from KEIT", "%(count)d new referrals from KEIT", count)
            % {"count": count}
        ),
        "alliance/mail/referral_digest.txt",
        context,
    )
    packets = ",".join(sorted(str(packet.pk) for _proposal, packet, _channel in received))
    return _write(
        kind=NotificationKind.REFERRAL_RECEIVED,
        people=people,
        subject=subject,
        body=body,
        event_key=f"packets:{hashlib.sha256(packets.encode()).hexdigest()[:40]}",
        proposal=None,
    )


def notify_fund_question(*, question) -> list[int]:
    """KEIT staff: the fund secretariat asked a question that waits to be relayed."""
    proposal = question.proposal
    context = {
        **_proposal_context(proposal),
        "question": question.question,
        "link": absolute_url(reverse("alliance:fund_question", args=[question.pk])),
    }
    return notify(
        kind=NotificationKind.FUND_QUESTION,
        users=alliance_staff_recipients(),
        event_key=f"packet:{question.packet_id}",
        context=context,
        proposal=proposal,
    )


def notify_info_requested(*, proposal: Proposal, question: str, event_key: str) -> list[int]:
    """The lead firm's applicants: a question waits for their answer."""
    context = {
        **_proposal_context(proposal),
        "question": question,
        "link": absolute_url(reverse("alliance:proposal_detail", args=[proposal.pk])),
    }
    return notify(
        kind=NotificationKind.INFO_REQUESTED,
        users=firm_recipients(proposal.firm_id),
        event_key=event_key,
        context=context,
        proposal=proposal,
    )


def notify_fund_answer(*, proposal: Proposal, packet, reviewer: User | None) -> list[int]:
    """The fund secretariat (the reviewer, or everyone when none is assigned): the answer."""
    users = [reviewer] if reviewer is not None and reviewer.is_active else fund_staff_recipients()
    context = {
        **_proposal_context(proposal),
        "question": packet.payload.get("question", ""),
        "answer": packet.payload.get("answer", ""),
        "link": absolute_url(reverse("pipeline:detail", args=[proposal.pk])),
    }
    return notify(
        kind=NotificationKind.FUND_ANSWER,
        users=users,
        event_key=f"packet:{packet.pk}",
        context=context,
        proposal=proposal,
    )


def notify_decision(*, proposal: Proposal, packet) -> list[int]:
    """The lead firm's applicants and KEIT staff: the fund management council's decision."""
    from portal.core.vocabulary import ChannelCode, Decision

    payload = packet.payload
    decision, channel = payload.get("decision", ""), payload.get("channel", "")
    context = {
        **_proposal_context(proposal),
        "decision": Decision(decision).label if decision in Decision.values else decision,
        "channel": ChannelCode(channel).label if channel in ChannelCode.values else channel,
        "amount_krw": payload.get("amount_krw"),
        "conditions": payload.get("conditions", ""),
        "link": absolute_url(reverse("alliance:proposal_detail", args=[proposal.pk])),
    }
    return notify(
        kind=NotificationKind.DECISION,
        users=[*firm_recipients(proposal.firm_id), *alliance_staff_recipients()],
        event_key=f"packet:{packet.pk}",
        context=context,
        proposal=proposal,
    )
