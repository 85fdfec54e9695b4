"""Who is mailed about the coordination queue's events, and with what (through the outbox).

One row per recipient is written in the event's transaction (`portal.core.outbox`), and
the outbox sends it after commit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from alliance.models import Proposal, User
from portal.core import outbox
from portal.core.models import NotificationKind
from portal.core.outbox import absolute_url
from portal.core.vocabulary import Role

logger = logging.getLogger(__name__)


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


def _recipients(people: dict[int, User]) -> list[outbox.Recipient]:
    return [outbox.Recipient(user.email, user) for user in people.values()]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def compose(kind: str, context: dict) -> tuple[str, str]:
    """Subject and body, Korean first then English, from `alliance/mail/<kind>.txt`."""
    title = _one_line(context.get("title", ""))
    return outbox.compose(
        lambda: _(SUBJECTS[kind]) % {"title": title}, f"alliance/mail/{kind}.txt", context
    )


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
    return outbox.write(
        kind=kind,
        recipients=_recipients(people),
        subject=subject,
        body=body,
        event_key=event_key,
        proposal_id=proposal.pk if proposal else None,
    )


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
    subject, body = outbox.compose(
        lambda: (
            ngettext("%(count)d new referral from KEIT", "%(count)d new referrals from KEIT", count)
            % {"count": count}
        ),
        "alliance/mail/referral_digest.txt",
        context,
    )
    packets = ",".join(sorted(str(packet.pk) for _proposal, packet, _channel in received))
    return outbox.write(
        kind=NotificationKind.REFERRAL_RECEIVED,
        recipients=_recipients(people),
        subject=subject,
        body=body,
        event_key=f"packets:{hashlib.sha256(packets.encode()).hexdigest()[:40]}",
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
        "released_krw": payload.get("released_krw"),
        "reason": payload.get("reason", ""),
        "link": absolute_url(reverse("alliance:proposal_detail", args=[proposal.pk])),
    }
    return notify(
        kind=NotificationKind.DECISION,
        users=[*firm_recipients(proposal.firm_id), *alliance_staff_recipients()],
        event_key=f"packet:{packet.pk}",
        context=context,
        proposal=proposal,
    )
