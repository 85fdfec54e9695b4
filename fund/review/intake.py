"""The fund's side of taking packets in from the coordination queue: a referral opens the
proposal's pipeline entry and tells KEIT it arrived; an answer to the fund's question goes
into the proposal's history. Registered with the queue by fund.review.receivers."""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.audit import audit_record, audit_row
from alliance.models import AuditLog, Proposal
from alliance.notifications import services as notifications
from fund.coordination.models import (
    CoordinationPacket,
    PacketDirection,
    PacketKind,
)
from fund.coordination.services import (
    mail_referral_received,
    next_packet_sequences,
    packet_row,
    schedule_delivery,
    side_effect,
    status_packet_send,
    status_payload,
)
from fund.review.models import FundReview
from portal.core.vocabulary import ProposalStatus, ReviewStage


def intake_referral(packet: CoordinationPacket, now: datetime.datetime) -> None:
    """Open the fund's pipeline entry for a referred proposal and tell KEIT it arrived."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("firm")
        .annotate(has_review=Exists(FundReview.objects.filter(proposal=OuterRef("pk"))))
        .get(pk=packet.proposal_id)
    )
    if proposal.status != ProposalStatus.REFERRED or proposal.has_review:
        # Taken in (the inbox row says so) but nothing to open: say why on the packet.
        packet.last_error = _("The proposal was no longer waiting for the fund.")
        return
    channel = packet.payload.get("proposed_channel") or ""
    _review_row(proposal, packet, channel, now).save(force_insert=True)
    previous = proposal.status
    proposal.status = ProposalStatus.IN_REVIEW
    proposal.stage = ReviewStage.RECEIVED
    proposal.version += 1
    proposal.save(update_fields=["status", "stage", "version", "updated_at"])
    audit_record(
        actor=None,
        action="proposal.receive",
        obj=proposal,
        from_state=previous,
        to_state=proposal.status,
        data={"packet": str(packet.pk), "stage": proposal.stage, "channel": channel},
    )
    status_packet_send(
        proposal=proposal,
        kind=PacketKind.RECEIVED,
        actor=None,
        data={"referral": str(packet.pk), "channel": channel},
    )
    mail_referral_received(proposal, packet, channel)


def _review_row(
    proposal: Proposal, packet: CoordinationPacket, channel: str, now: datetime.datetime
) -> FundReview:
    """The unsaved pipeline entry a referral opens, with the proposed channel's score."""
    payload = packet.payload
    score, rule_version = 0, None
    for match in payload.get("match_results", []):
        if match.get("channel") == channel:
            score, rule_version = match.get("score"), match.get("rule_version")
    return FundReview(
        proposal=proposal,
        referral=packet,
        channel=channel,
        score=score,
        rule_version=rule_version,
        requested_krw=proposal.requested_krw or 0,
        stage=ReviewStage.RECEIVED,
        stage_entered_at=now,
        keit_note=payload.get("note", ""),
        received_at=now,
    )


def intake_referrals(packets: list[CoordinationPacket], now: datetime.datetime) -> None:
    """`intake_referral` for the new referral packets of a batch, in a fixed number of queries.

    The proposals are locked with one query (in id order), the pipeline entries, audit rows
    and `received` status packets are each written with one INSERT and the proposals moved
    with one UPDATE; the rows are those the single intake writes, packet by packet in the
    given order. The status packets are collected for the batch's delivery messages and the
    referrals for its digest mail, as inside any batch delivery.
    """
    if not packets:
        return
    proposals = {
        proposal.pk: proposal
        for proposal in Proposal.objects.select_for_update(of=("self",))
        .select_related("firm")
        .annotate(has_review=Exists(FundReview.objects.filter(proposal=OuterRef("pk"))))
        .filter(pk__in={packet.proposal_id for packet in packets})
        .order_by("pk")
    }
    opened = []
    for packet in packets:
        proposal = proposals[packet.proposal_id]
        if proposal.status != ProposalStatus.REFERRED or proposal.has_review:
            packet.last_error = _("The proposal was no longer waiting for the fund.")
            continue
        proposal.has_review = True  # a second referral of it in this batch finds it taken
        opened.append((packet, proposal, packet.payload.get("proposed_channel") or ""))
    if not opened:
        return
    FundReview.objects.bulk_create(
        [_review_row(proposal, packet, channel, now) for packet, proposal, channel in opened]
    )
    previous = ProposalStatus.REFERRED
    Proposal.objects.filter(pk__in=[proposal.pk for _p, proposal, _c in opened]).update(
        status=ProposalStatus.IN_REVIEW,
        stage=ReviewStage.RECEIVED,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    for _packet, proposal, _channel in opened:
        proposal.status = ProposalStatus.IN_REVIEW
        proposal.stage = ReviewStage.RECEIVED
        proposal.version += 1
    # The rows `audit_record` writes, in one INSERT.
    AuditLog.objects.bulk_create(
        [
            audit_row(
                actor=None,
                action="proposal.receive",
                obj=proposal,
                from_state=previous,
                to_state=proposal.status,
                data={"packet": str(packet.pk), "stage": proposal.stage, "channel": channel},
            )
            for packet, proposal, channel in opened
        ]
    )
    # The packets `status_packet_send` writes, numbered by one `nextval` series.
    sent_at = timezone.now()
    received = CoordinationPacket.objects.bulk_create(
        [
            packet_row(
                proposal=proposal,
                kind=PacketKind.RECEIVED,
                direction=PacketDirection.KDB_TO_KEIT,
                payload=status_payload(proposal, {"referral": str(packet.pk), "channel": channel}),
                actor=None,
                sequence=sequence,
                now=sent_at,
            )
            for (packet, proposal, channel), sequence in zip(
                opened, next_packet_sequences(len(opened)), strict=True
            )
        ]
    )
    for status_packet in received:
        schedule_delivery(packet_id=status_packet.pk)
    for packet, proposal, channel in opened:
        mail_referral_received(proposal, packet, channel)


def intake_info_provided(packet: CoordinationPacket, now: datetime.datetime) -> None:
    """The fund: record the applicant's answer in the proposal's history, tell the reviewer."""
    proposal = Proposal.objects.select_related("firm").get(pk=packet.proposal_id)
    review = FundReview.objects.select_related("reviewer").filter(proposal=proposal).first()
    audit_record(
        actor=None,
        action="proposal.fund_info_received",
        obj=proposal,
        from_state=proposal.stage,
        to_state=proposal.stage,
        note=packet.payload.get("answer", ""),
        data={"packet": str(packet.pk), "question_packet": packet.payload.get("question_packet")},
    )
    side_effect(
        lambda: notifications.notify_fund_answer(
            proposal=proposal, packet=packet, reviewer=review.reviewer if review else None
        ),
        "the answer's mail",
    )
