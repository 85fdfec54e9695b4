"""The KEIT–KDB coordination queue: referral, packets (the outbox), intake, ack and the sweep.

PostgreSQL holds the truth. A packet is written in the same transaction as the change it
reports; a Celery task is sent only after that commits, and only carries the packet id. The
receiving side takes a packet in by inserting an inbox row keyed by the packet id, so a
duplicate delivery (a re-send, a redelivery after a killed worker) has no second effect. What
the broker loses, the periodic sweep sends again; what keeps failing is marked stuck.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import logging
import uuid
from collections.abc import Callable, Iterator
from operator import itemgetter

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.audit import audit_record
from alliance.models import NOTE_MAX, Proposal, User
from alliance.notifications import services as notifications
from alliance.proposals.services import PROPOSAL_FIELDS
from fund.coordination.models import (
    CoordinationPacket,
    FundInbox,
    FundQuestion,
    KeitInbox,
    PacketDirection,
    PacketKind,
    PacketState,
)
from fund.coordination.permissions import can_see_queue, is_alliance_side, is_fund_side, is_receiver
from matching.scoring.engine import best
from matching.selectors import results_for_proposal
from portal.core.errors import TransitionNotAllowed
from portal.core.ids import parse_uuid
from portal.core.queue import task
from portal.core.vocabulary import ChannelCode, ProposalStatus

logger = logging.getLogger(__name__)

SEQUENCE = "fund_coordinationpacket_sequence_seq"
RESEND_AFTER_DEFAULT = 30
MAX_ATTEMPTS_DEFAULT = 8
# However many attempts, a packet is looked at again within the hour.
BACKOFF_MAX_SECONDS = 3600
SWEEP_BATCH = 500
# Packet ids per batch delivery message: the sweep's re-sends and the status packets that a
# batch's intakes write back travel this many to a message, taken in with one commit.
DELIVERY_BATCH = 100


class PacketNotFound(Exception):
    """No packet with this id exists (404 in pages and the API)."""

    def __init__(self):
        super().__init__()
        self.message = _("There is no coordination packet with this id.")


# ---------------------------------------------------------------------------------------------
# Settings, read at call time so tests and deployments can change them.


def resend_after() -> int:
    return int(getattr(settings, "COORDINATION_RESEND_AFTER", RESEND_AFTER_DEFAULT))


def max_attempts() -> int:
    return int(getattr(settings, "COORDINATION_MAX_ATTEMPTS", MAX_ATTEMPTS_DEFAULT))


def backoff(attempts: int) -> datetime.timedelta:
    """How long after its `attempts`-th send a still-undelivered packet is sent again."""
    seconds = resend_after() * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


# ---------------------------------------------------------------------------------------------
# Sides


# ---------------------------------------------------------------------------------------------
# Writing packets


def next_packet_sequence() -> int:
    """The next packet number: a PostgreSQL sequence, or MAX + 1 on SQLite (serial writes)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(%s)", [SEQUENCE])
            return cursor.fetchone()[0]
    current = CoordinationPacket.objects.aggregate(n=Max("sequence"))["n"] or 0
    return current + 1


def next_packet_sequences(count: int) -> list[int]:
    """`count` packet numbers in ascending order with one query (one `nextval` series)."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [SEQUENCE, count])
            return sorted(row[0] for row in cursor.fetchall())
    current = CoordinationPacket.objects.aggregate(n=Max("sequence"))["n"] or 0
    return list(range(current + 1, current + 1 + count))


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def proposal_snapshot(proposal: Proposal) -> dict:
    """Everything KDB needs to review the proposal without reading KEIT's tables."""
    fields = {}
    for name in PROPOSAL_FIELDS:
        value = getattr(proposal, name)
        if name in ("sub_alliance", "industry"):
            value = value.code if value is not None else None
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        fields[name] = value
    firm = proposal.firm
    partners = proposal.proposalpartner_set.select_related("firm").order_by("firm__name")
    return {
        "id": proposal.pk,
        **fields,
        "status": proposal.status,
        "version": proposal.version,
        "submitted_at": _iso(proposal.submitted_at),
        "firm": {
            "id": firm.pk,
            "name": firm.name,
            "business_registration_number": firm.business_registration_number,
            "size_class": firm.size_class,
            "region": firm.region,
            "status": firm.status,
        },
        "partners": [
            {
                "id": p.firm.pk,
                "name": p.firm.name,
                "business_registration_number": p.firm.business_registration_number,
                "size_class": p.firm.size_class,
                "region": p.firm.region,
                "role": p.role,
            }
            for p in partners
        ],
        "documents": [
            {
                "id": d.pk,
                "kind": d.kind,
                "name": d.original_name,
                "content_type": d.content_type,
                "size": d.size,
                "sha256": d.sha256,
                "uploaded_at": _iso(d.uploaded_at),
            }
            for d in proposal.documents.order_by("uploaded_at", "id")
        ],
    }


def match_snapshot(proposal: Proposal) -> list[dict]:
    """The proposal's match results under the newest rule set that scored it."""
    return [
        {
            "channel": r.channel_id,
            "eligible": r.eligible,
            "score": r.score,
            "breakdown": r.breakdown,
            "hints": r.hints,
            "rule_version": r.rule_set.version,
        }
        for r in results_for_proposal(proposal)
    ]


def best_match(matches: list[dict]) -> dict | None:
    """The best of a snapshot's match results (scoring.best), or None."""
    return best(matches, eligible=itemgetter("eligible"), score=itemgetter("score"))


def packet_create(
    *,
    proposal: Proposal,
    kind: str,
    direction: str,
    payload: dict,
    actor: User | None,
) -> CoordinationPacket:
    """Write a packet and send it once the surrounding transaction commits.

    Call inside the transaction that makes the change the packet reports: if that rolls
    back, the packet never existed and nothing was sent.
    """
    packet = packet_row(
        proposal=proposal,
        kind=kind,
        direction=direction,
        payload=payload,
        actor=actor,
        sequence=next_packet_sequence(),
        now=timezone.now(),
    )
    packet.save(force_insert=True)
    schedule_delivery(packet_id=packet.pk)
    return packet


def packet_row(
    *,
    proposal: Proposal,
    kind: str,
    direction: str,
    payload: dict,
    actor: User | None,
    sequence: int,
    now: datetime.datetime,
) -> CoordinationPacket:
    """The unsaved packet `packet_create` writes (also built in bulk by the batch intake)."""
    return CoordinationPacket(
        sequence=sequence,
        kind=kind,
        direction=direction,
        proposal=proposal,
        payload=payload,
        state=PacketState.PENDING,
        attempts=1,
        last_sent_at=now,
        next_attempt_at=now + backoff(1),
        created_by=actor if actor and actor.is_authenticated else None,
    )


# Set while a batch delivery takes its packets in: the ids of the packets its intakes write.
_collected_deliveries: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "coordination_collected_deliveries", default=None
)
# Set while a batch delivery takes its packets in: the referrals taken in, as
# (proposal, packet, channel), for one digest mail per recipient once the batch is done.
_collected_referral_mail: contextvars.ContextVar[list[tuple] | None] = contextvars.ContextVar(
    "coordination_collected_referral_mail", default=None
)


def schedule_delivery(*, packet_id) -> None:
    """Send the delivery task after commit; if the broker is down the sweep sends it later.

    Inside a batch delivery the id is collected instead: the batch sends the packets its
    intakes wrote as batch messages once it commits (`schedule_deliveries`).
    """
    deliver_packet = task("coordination.deliver_packet")

    collected = _collected_deliveries.get()
    if collected is not None:
        collected.append(str(packet_id))
        return
    transaction.on_commit(
        lambda: deliver_packet.apply_async(
            args=[str(packet_id)], queue="coordination", retry=False
        ),
        robust=True,
    )


@contextlib.contextmanager
def deliveries_held() -> Iterator[list[str]]:
    """Packets written inside the block are not sent after commit: they stay pending in the
    outbox, as after a broker outage, until the sweep sends them when due. Yields the ids of
    the packets held. (The demo world keeps a few packets undelivered this way.)"""
    held: list[str] = []
    token = _collected_deliveries.set(held)
    try:
        yield held
    finally:
        _collected_deliveries.reset(token)


def schedule_deliveries(*, packet_ids) -> None:
    """Send batch delivery tasks of DELIVERY_BATCH ids each after commit (at once outside a
    transaction). If the broker is down, the rest is left to the sweep: the packets are still
    pending in the outbox."""
    deliver_packets = task("coordination.deliver_packets")

    ids = [str(pk) for pk in packet_ids]
    if not ids:
        return

    def send() -> None:
        for i in range(0, len(ids), DELIVERY_BATCH):
            try:
                deliver_packets.apply_async(
                    args=[ids[i : i + DELIVERY_BATCH]], queue="coordination", retry=False
                )
            except Exception:
                logger.warning(
                    "the broker refused a delivery batch; the sweep sends %d packets later",
                    len(ids) - i,
                    exc_info=True,
                )
                return

    transaction.on_commit(send)


def status_packet_send(
    *, proposal: Proposal, kind: str, actor: User | None, data: dict | None = None
) -> CoordinationPacket:
    """A status packet from the fund secretariat back to KEIT (inside the change's transaction)."""
    return packet_create(
        proposal=proposal,
        kind=kind,
        direction=PacketDirection.KDB_TO_KEIT,
        payload=status_payload(proposal, data),
        actor=actor,
    )


def status_payload(proposal: Proposal, data: dict | None) -> dict:
    return {
        "proposal": proposal.pk,
        "title": proposal.title,
        "firm": proposal.firm.name,
        "status": proposal.status,
        "stage": proposal.stage,
        "at": timezone.now().isoformat(),
        **(data or {}),
    }


# ---------------------------------------------------------------------------------------------
# Referral (KEIT)


def _clean_referral(note: str, channel: str) -> tuple[str, str]:
    note = (note or "").strip() if isinstance(note, str) else note
    errors = {}
    if not isinstance(note, str):
        errors["note"] = _("Write the note as text.")
    elif len(note) > NOTE_MAX:
        errors["note"] = _("At most %(n)d characters.") % {"n": NOTE_MAX}
    channel = channel or ""
    if channel and channel not in ChannelCode.values:
        errors["channel"] = _("Choose one of the four channels.")
    if errors:
        raise ValidationError(errors)
    return note, channel


def proposal_refer(
    *,
    proposal_id: int,
    actor: User | None,
    note: str = "",
    channel: str = "",
    routing: dict | None = None,
) -> CoordinationPacket:
    """KEIT refers a submitted proposal to the fund: submitted → referred, plus the packet.

    `channel` is KEIT's proposed channel; empty means the best eligible match. The status
    change, the audit row and the immutable referral packet are one transaction. Raises
    PermissionDenied for anyone but KEIT staff, ValidationError on `note` or `channel`, and
    TransitionNotAllowed unless the proposal is submitted.

    The routing workers refer with `actor` None (the system) and `routing`, the policy and
    the reasons that selected the proposal, which the packet and the audit row then carry.
    """
    if actor is None:
        if routing is None:
            raise PermissionDenied
    elif not is_alliance_side(actor):
        raise PermissionDenied
    note, channel = _clean_referral(note, channel)
    with transaction.atomic():
        try:
            proposal = (
                Proposal.objects.select_for_update(of=("self",))
                .select_related("firm", "sub_alliance", "industry")
                .get(pk=proposal_id)
            )
        except Proposal.DoesNotExist as exc:
            raise TransitionNotAllowed(_("This proposal does not exist.")) from exc
        if proposal.status != ProposalStatus.SUBMITTED:
            raise TransitionNotAllowed(_("Only a submitted proposal can be referred to the fund."))
        matches = match_snapshot(proposal)
        if not channel:
            best = best_match(matches)
            if best is None:
                raise ValidationError(
                    {
                        "channel": _(
                            "No channel matched this proposal; choose the channel to propose."
                        )
                    }
                )
            channel = best["channel"]
        previous = proposal.status
        proposal.status = ProposalStatus.REFERRED
        proposal.version += 1
        proposal.save(update_fields=["status", "version", "updated_at"])
        payload = {
            "proposal": proposal_snapshot(proposal),
            "match_results": matches,
            "rule_version": matches[0]["rule_version"] if matches else None,
            "note": note,
            "proposed_channel": channel,
            "referred_by": actor.get_username() if actor is not None else None,
            "referred_at": timezone.now().isoformat(),
        }
        if routing is not None:
            payload["routing"] = routing
        packet = packet_create(
            proposal=proposal,
            kind=PacketKind.REFERRAL,
            direction=PacketDirection.KEIT_TO_KDB,
            payload=payload,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="proposal.refer",
            obj=proposal,
            from_state=previous,
            to_state=proposal.status,
            note=note,
            data={
                "channel": channel,
                "packet": str(packet.pk),
                "sequence": packet.sequence,
                **({"routing": routing} if routing is not None else {}),
            },
        )
    return packet


def proposal_refer_many(
    *, proposal_ids: list[int], actor: User, note: str = "", channel: str = ""
) -> tuple[list[CoordinationPacket], dict[int, str]]:
    """Refer several proposals, each in its own transaction.

    Returns the packets written and, for each proposal that was refused, the reason; one
    refusal does not hold back the others. Bad `note`/`channel` refuses the whole batch.
    """
    if not is_alliance_side(actor):
        raise PermissionDenied
    _clean_referral(note, channel)
    packets, refused = [], {}
    # Deliveries are coalesced: the packets go out as batch messages of DELIVERY_BATCH ids
    # once every referral has committed, not one message per referral. Only committed
    # packets are sent (an id a refused referral collected is dropped with it); if this
    # process dies before sending, the packets are pending in the outbox and the sweep sends
    # them.
    collecting = _collected_deliveries.set([])
    try:
        for proposal_id in dict.fromkeys(proposal_ids):
            try:
                packets.append(
                    proposal_refer(proposal_id=proposal_id, actor=actor, note=note, channel=channel)
                )
            except TransitionNotAllowed as exc:
                refused[proposal_id] = exc.message
            except ValidationError as exc:
                refused[proposal_id] = " ".join(exc.messages)
    finally:
        _collected_deliveries.reset(collecting)
        schedule_deliveries(packet_ids=[packet.pk for packet in packets])
    return packets, refused


# ---------------------------------------------------------------------------------------------
# Delivery (workers)


def side_effect(call: Callable[[], object], what: str) -> None:
    """Run a side effect of taking a packet in (a mail, a digest) in a savepoint of its own:
    should it fail, it is logged and undone alone, and the intake stands. A lost database
    connection still fails the delivery, which is then retried whole."""
    try:
        with transaction.atomic():
            call()
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        logger.exception("%s failed; the packets were taken in without it", what)


def mail_referral_received(proposal: Proposal, packet: CoordinationPacket, channel: str) -> None:
    """Mail the fund staff now, or (inside a batch delivery) add the referral to its digest."""
    collected = _collected_referral_mail.get()
    if collected is None:
        side_effect(
            lambda: notifications.notify_referral_received(
                proposal=proposal, packet=packet, channel=channel
            ),
            "the referral's mail",
        )
    else:
        collected.append((proposal, packet, channel))


def _intake_info_requested(packet: CoordinationPacket, now: datetime.datetime) -> None:
    """KEIT: open the fund's question for relaying to the applicant and tell KEIT's staff."""
    question = FundQuestion.objects.create(
        proposal_id=packet.proposal_id,
        packet=packet,
        question=packet.payload.get("question", ""),
        asked_at=packet.created_at or now,
    )
    side_effect(
        lambda: notifications.notify_fund_question(question=question), "the question's mail"
    )


def _intake_decision(packet: CoordinationPacket, now: datetime.datetime) -> None:
    """KEIT: tell the applicant firm and KEIT's staff the fund management council's decision."""
    proposal = Proposal.objects.select_related("firm").get(pk=packet.proposal_id)
    side_effect(
        lambda: notifications.notify_decision(proposal=proposal, packet=packet),
        "the decision's mail",
    )


# What taking a packet in does on its receiving side, besides the inbox row; run once, for a
# new inbox row, in the same transaction. An intake may note on the packet why it opened
# nothing (`last_error`). KEIT's side is here; the fund's review registers its own (the
# referral opens a pipeline entry) from fund.review.receivers, so this queue never imports
# the pipeline. A kind with a batch intake has its new packets of a delivery batch taken in
# together, in a fixed number of queries.
INTAKES: dict[str, Callable[[CoordinationPacket, datetime.datetime], None]] = {
    PacketKind.INFO_REQUESTED: _intake_info_requested,
    PacketKind.DECISION: _intake_decision,
}
BATCH_INTAKES: dict[str, Callable[[list[CoordinationPacket], datetime.datetime], None]] = {}


def intake_register(kind: str, intake: Callable, *, batch: Callable | None = None) -> None:
    """Take packets of `kind` in with `intake` (one packet) and `batch` (many, if given)."""
    INTAKES[kind] = intake
    if batch is not None:
        BATCH_INTAKES[kind] = batch


def _commit_without_waiting_for_disk() -> None:
    """Let this delivery's transaction commit before its WAL reaches the disk (PostgreSQL).

    Safe for deliveries only, and why: a crash can lose at most the last few hundred ms of
    such commits, and it loses each one whole (the inbox row, the intake's effect, the status
    packet written back and the packet's `delivered` state together); the packet is then still
    pending in the outbox, the sweep sends it again after its backoff, and the intake, keyed by
    the packet id, runs once. The database never holds half a delivery, and any later
    synchronous commit (an acknowledgement, a decision) flushes the WAL before it, so nobody
    can build on a delivery that a crash then takes away. It saves the fsync wait, the
    largest part of a delivery's time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _insert_inbox_row(inbox, packet: CoordinationPacket, now: datetime.datetime) -> bool:
    """Insert the inbox row for `packet` unless it exists; True if this call inserted it.

    One INSERT … ON CONFLICT DO NOTHING instead of get_or_create's SELECT, savepoint, INSERT
    and release: the packet row is locked, so no other delivery races this one anyway.
    """
    if connection.vendor != "postgresql":
        _entry, created = inbox.objects.get_or_create(
            packet=packet, defaults={"proposal_id": packet.proposal_id}
        )
        return created
    table = connection.ops.quote_name(inbox._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (packet_id, proposal_id, received_at) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT (packet_id) DO NOTHING RETURNING packet_id",
            [packet.pk, packet.proposal_id, now],
        )
        return cursor.fetchone() is not None


def _run_intake(packet: CoordinationPacket, now: datetime.datetime) -> None:
    """The packet kind's intake (INTAKES) for a packet whose inbox row was just inserted: in
    the same transaction as that row, so it happens exactly once however often the packet
    is delivered."""
    intake = INTAKES.get(packet.kind)
    if intake is not None:
        intake(packet, now)


def packet_deliver(*, packet_id) -> str:
    """Take a packet in on its receiving side, once: `delivered`, `duplicate` or `missing`.

    The packet row is locked first, so two deliveries of one packet run one after the other;
    the inbox row (primary key = packet id, get_or_create) is the proof of intake and is
    written in the same transaction as the intake's effect, so a second run changes nothing.
    """
    key = parse_uuid(packet_id)
    if key is None:
        return "missing"
    owns_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if owns_transaction:  # never relax the commit of a caller's wider transaction
            _commit_without_waiting_for_disk()
        packet = CoordinationPacket.objects.select_for_update().filter(pk=key).first()
        if packet is None:
            return "missing"
        if packet.state in (PacketState.DELIVERED, PacketState.ACKNOWLEDGED):
            return "duplicate"
        _take_in_locked(packet, timezone.now())
        packet.save(update_fields=["state", "delivered_at", "next_attempt_at", "last_error"])
    return "delivered"


def _inbox(packet: CoordinationPacket):
    return FundInbox if packet.direction == PacketDirection.KEIT_TO_KDB else KeitInbox


def _take_in_locked(packet: CoordinationPacket, now: datetime.datetime) -> None:
    """The intake of a locked, undelivered packet; sets (does not save) its delivered state:
    the inbox row, then the intake if this call inserted the row (`_run_intake`)."""
    packet.last_error = ""
    if _insert_inbox_row(_inbox(packet), packet, now):
        _run_intake(packet, now)
    _mark_delivered(packet, now)


def _mark_delivered(packet: CoordinationPacket, now: datetime.datetime) -> None:
    packet.state = PacketState.DELIVERED
    packet.delivered_at = now
    packet.next_attempt_at = None


def packet_deliver_many(*, packet_ids) -> dict[str, int]:
    """Take a batch of packets in, each once; counts of delivered, duplicate, missing, failed.

    The same intake as `packet_deliver`, for many packets with one commit: the packets are
    locked together in id order (two batches never wait for each other's packets in a
    circle), the inbox rows are written with one INSERT per inbox, the new referrals are taken
    in together (a kind's batch intake: a fixed number of queries for the whole batch), every
    other new packet's intake runs, and the states are written with one UPDATE. The status
    packets the intakes write are sent as batch messages after the commit, and the fund staff
    get one mail each for the referrals the batch took in (`notify_referrals_received`).
    Should any packet's intake raise, the batch is rolled back and done again with a
    savepoint per packet and every constraint checked at once, so only that packet is left
    out: it stays pending with its error noted, and the sweep sends it again. Lost
    connections (OperationalError, InterfaceError) are raised for the task to retry the whole
    batch, which is idempotent like a single delivery.
    """
    keys = {parse_uuid(pk) for pk in packet_ids}
    missing = int(None in keys)
    keys = sorted(key for key in keys if key is not None)
    if not keys:
        return {"delivered": 0, "duplicate": 0, "missing": missing, "failed": 0}
    try:
        counts = _deliver_batch(keys, one_by_one=False)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        logger.warning("a delivery batch failed; taking its packets in one by one", exc_info=True)
        counts = _deliver_batch(keys, one_by_one=True)
    counts["missing"] += missing
    return counts


def _insert_inbox_rows(packets: list[CoordinationPacket], now: datetime.datetime) -> set:
    """`_insert_inbox_row` for many packets: one statement per inbox table (PostgreSQL);
    returns the ids of the packets whose row this call inserted."""
    if connection.vendor != "postgresql":
        return {p.pk for p in packets if _insert_inbox_row(_inbox(p), p, now)}
    inserted = set()
    for inbox in (FundInbox, KeitInbox):
        mine = [p for p in packets if _inbox(p) is inbox]
        if not mine:
            continue
        table = connection.ops.quote_name(inbox._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (packet_id, proposal_id, received_at) "  # noqa: S608
                "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::timestamptz[]) "
                "ON CONFLICT (packet_id) DO NOTHING RETURNING packet_id",
                [
                    [str(p.pk) for p in mine],
                    [p.proposal_id for p in mine],
                    [now] * len(mine),
                ],
            )
            inserted.update(uuid.UUID(str(row[0])) for row in cursor.fetchall())
    return inserted


def _deliver_batch(keys: list[uuid.UUID], *, one_by_one: bool) -> dict[str, int]:
    counts = {"delivered": 0, "duplicate": 0, "missing": 0, "failed": 0}
    owns_transaction = not connection.in_atomic_block
    written: list[str] = []
    mail: list[tuple] = []
    with transaction.atomic():
        if owns_transaction:  # never relax the commit of a caller's wider transaction
            _commit_without_waiting_for_disk()
        if one_by_one and connection.vendor == "postgresql":
            # A deferred foreign key would otherwise fail the commit of the whole batch.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        packets = list(
            CoordinationPacket.objects.select_for_update().filter(pk__in=keys).order_by("pk")
        )
        counts["missing"] = len(keys) - len(packets)
        now = timezone.now()
        failed = {}
        # Locked in id order (no two batches wait on each other in a circle), taken in in the
        # order the packets were written.
        todo = sorted(
            (
                p
                for p in packets
                if p.state not in (PacketState.DELIVERED, PacketState.ACKNOWLEDGED)
            ),
            key=lambda p: p.sequence,
        )
        counts["duplicate"] = len(packets) - len(todo)
        if one_by_one:
            taken = []
            for packet in todo:
                deliveries = _collected_deliveries.set([])
                referrals = _collected_referral_mail.set([])
                try:
                    with transaction.atomic():
                        _take_in_locked(packet, now)
                except (OperationalError, InterfaceError):
                    raise
                except Exception as exc:
                    logger.warning("coordination packet %s failed", packet.pk, exc_info=True)
                    failed[packet.pk] = repr(exc)[:2000]
                    continue
                else:
                    written.extend(_collected_deliveries.get())
                    mail.extend(_collected_referral_mail.get())
                    taken.append(packet)
                finally:
                    _collected_deliveries.reset(deliveries)
                    _collected_referral_mail.reset(referrals)
        else:
            deliveries = _collected_deliveries.set(written)
            referrals = _collected_referral_mail.set(mail)
            try:
                inserted = _insert_inbox_rows(todo, now)
                new = [p for p in todo if p.pk in inserted]
                for packet in todo:
                    packet.last_error = ""
                # The kinds with a batch intake together (the referrals: a fixed number of
                # queries), then the others one by one.
                for kind, batch in BATCH_INTAKES.items():
                    batch([p for p in new if p.kind == kind], now)
                for packet in new:
                    if packet.kind not in BATCH_INTAKES:
                        _run_intake(packet, now)
                for packet in todo:
                    _mark_delivered(packet, now)
            finally:
                _collected_deliveries.reset(deliveries)
                _collected_referral_mail.reset(referrals)
            taken = todo
        delivered = [p for p in taken if not p.last_error]
        noted = [p for p in taken if p.last_error]
        CoordinationPacket.objects.filter(pk__in=[p.pk for p in delivered]).update(
            state=PacketState.DELIVERED, delivered_at=now, next_attempt_at=None, last_error=""
        )
        for packet in noted:
            packet.save(update_fields=["state", "delivered_at", "next_attempt_at", "last_error"])
        for key, error in failed.items():
            CoordinationPacket.objects.filter(pk=key).update(last_error=error)
        schedule_deliveries(packet_ids=written)
        # One mail per fund staff member for the referrals the batch took in.
        side_effect(
            lambda: notifications.notify_referrals_received(received=mail), "the referral digest"
        )
    counts["delivered"] = len(delivered) + len(noted)
    counts["failed"] = len(failed)
    return counts


def packet_record_failure(*, packet_id, error: str) -> None:
    """Note why a delivery failed; the sweep will send the packet again."""
    key = parse_uuid(packet_id)
    if key is not None:
        CoordinationPacket.objects.filter(
            pk=key, state__in=[PacketState.PENDING, PacketState.STUCK]
        ).update(last_error=error[:2000])


def sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Send again every packet still undelivered after its backoff; mark stuck after the cap.

    Delivered packets are in the receiving inbox already: they wait for a person's
    acknowledgement and are not sent again. Rows are claimed with SKIP LOCKED so two sweeps
    (or a sweep and a delivery) never work on the same packet.
    """
    now = now or timezone.now()
    limit = max_attempts()
    resent, stuck = [], 0
    with transaction.atomic():
        due = list(
            CoordinationPacket.objects.select_for_update(skip_locked=True)
            .filter(state=PacketState.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "sequence")[:SWEEP_BATCH]
        )
        for packet in due:
            if packet.attempts >= limit:
                packet.state = PacketState.STUCK
                packet.next_attempt_at = None
                if not packet.last_error:
                    packet.last_error = _("Not delivered after %(n)d attempts.") % {"n": limit}
                packet.save(update_fields=["state", "next_attempt_at", "last_error"])
                stuck += 1
                logger.warning("coordination packet %s is stuck", packet.pk)
                continue
            packet.attempts += 1
            packet.last_sent_at = now
            packet.next_attempt_at = now + backoff(packet.attempts)
            packet.save(update_fields=["attempts", "last_sent_at", "next_attempt_at"])
            resent.append(packet.pk)
        # In batch messages: after an outage thousands can be due at once.
        schedule_deliveries(packet_ids=resent)
    return {"resent": len(resent), "stuck": stuck}


# ---------------------------------------------------------------------------------------------
# People on either side


def packet_get(packet_id) -> CoordinationPacket:
    """The packet with this id (any side), or PacketNotFound."""
    key = parse_uuid(packet_id)
    packet = (
        CoordinationPacket.objects.select_related("proposal", "created_by", "acknowledged_by")
        .filter(pk=key)
        .first()
        if key
        else None
    )
    if packet is None:
        raise PacketNotFound
    return packet


def packet_acknowledge(*, packet_id, actor: User) -> CoordinationPacket:
    """The receiving side's staff acknowledge a delivered packet.

    PacketNotFound for an unknown id; PermissionDenied (with a message) for anyone not on the
    receiving side; TransitionNotAllowed for a packet not delivered yet or acknowledged
    before. Nothing changes when refused.
    """
    if not can_see_queue(actor):
        raise PacketNotFound
    key = parse_uuid(packet_id)
    if key is None:
        raise PacketNotFound
    with transaction.atomic():
        # The proposal comes with the packet for the audit row; only the packet is locked.
        packet = (
            CoordinationPacket.objects.select_for_update(of=("self",))
            .select_related("proposal")
            .filter(pk=key)
            .first()
        )
        if packet is None:
            raise PacketNotFound
        if not is_receiver(actor, packet):
            raise PermissionDenied(
                _("Only the side this packet is addressed to can acknowledge it.")
            )
        if packet.state == PacketState.ACKNOWLEDGED:
            raise TransitionNotAllowed(_("This packet was already acknowledged."))
        if packet.state != PacketState.DELIVERED:
            raise TransitionNotAllowed(
                _("This packet has not been delivered yet; it can be acknowledged once it is.")
            )
        packet.state = PacketState.ACKNOWLEDGED
        packet.acknowledged_at = timezone.now()
        packet.acknowledged_by = actor
        packet.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
        audit_record(
            actor=actor,
            action="packet.acknowledge",
            obj=packet,
            from_state=PacketState.DELIVERED,
            to_state=packet.state,
            data={"sequence": packet.sequence, "kind": packet.kind},
        )
    return packet


def packet_retry(*, packet_id, actor: User) -> CoordinationPacket:
    """Staff on either side send a stuck packet again, with a fresh count of attempts."""
    if not (is_alliance_side(actor) or is_fund_side(actor)):
        raise PacketNotFound
    key = parse_uuid(packet_id)
    if key is None:
        raise PacketNotFound
    with transaction.atomic():
        packet = CoordinationPacket.objects.select_for_update().filter(pk=key).first()
        if packet is None:
            raise PacketNotFound
        if packet.state != PacketState.STUCK:
            raise TransitionNotAllowed(_("Only a stuck packet can be sent again."))
        now = timezone.now()
        packet.state = PacketState.PENDING
        packet.attempts = 1
        packet.last_sent_at = now
        packet.next_attempt_at = now + backoff(1)
        packet.save(update_fields=["state", "attempts", "last_sent_at", "next_attempt_at"])
        audit_record(
            actor=actor,
            action="packet.retry",
            obj=packet,
            from_state=PacketState.STUCK,
            to_state=packet.state,
        )
        schedule_delivery(packet_id=packet.pk)
    return packet
