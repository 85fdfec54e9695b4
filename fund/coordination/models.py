"""The KEIT–KDB coordination queue: packets, inboxes, delivery and the sweep (SPEC §3.5)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alliance.models import Proposal, User


class PacketDirection(models.TextChoices):
    KEIT_TO_KDB = "keit_to_kdb", _("KEIT → KDB")
    KDB_TO_KEIT = "kdb_to_keit", _("KDB → KEIT")


class PacketKind(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    RECEIVED = "received", _("Received")
    PRESCREEN_STARTED = "prescreen_started", _("Pre-screen started")
    COMMITTEE_SCHEDULED = "committee_scheduled", _("Committee scheduled")
    COUNCIL_SCHEDULED = "council_scheduled", _("Council scheduled")
    DECISION = "decision", _("Decision")
    INFO_REQUESTED = "info_requested", _("Information requested")
    INFO_PROVIDED = "info_provided", _("Information provided")


class PacketState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    STUCK = "stuck", _("Stuck")


class PacketImmutable(Exception):
    """A packet's content (kind, direction, proposal, payload) never changes once written."""


# Only these columns may change after a packet is written: its delivery bookkeeping.
PACKET_STATE_FIELDS = frozenset(
    {
        "state",
        "attempts",
        "next_attempt_at",
        "last_sent_at",
        "delivered_at",
        "acknowledged_at",
        "acknowledged_by",
        "last_error",
    }
)


class CoordinationPacket(models.Model):
    """One message between KEIT and KDB's fund secretariat: the outbox row is the truth.

    Written in the same transaction as the change it reports; workers deliver it at least
    once and the receiving inbox (unique by packet id) makes the effect happen exactly once.
    `sequence` comes from a database sequence (PostgreSQL) so packets have a total order.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=PacketKind.choices)
    direction = models.CharField(_("direction"), max_length=12, choices=PacketDirection.choices)
    proposal = models.ForeignKey(
        "alliance.Proposal",
        on_delete=models.PROTECT,
        related_name="coordination_packets",
        verbose_name=_("proposal"),
    )
    payload = models.JSONField(_("content"))
    state = models.CharField(
        _("state"), max_length=12, choices=PacketState.choices, default=PacketState.PENDING
    )
    attempts = models.PositiveIntegerField(_("delivery attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_error = models.TextField(_("last error"), blank=True)
    created_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("coordination packet")
        verbose_name_plural = _("coordination packets")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="packet_sweep"),
            models.Index(fields=["proposal", "sequence"], name="packet_proposal"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PacketKind.values), name="packet_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=PacketDirection.values), name="packet_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=PacketState.values), name="packet_state_valid"
            ),
            # A referral and the applicant's answer only ever go to the fund; status only
            # ever comes back.
            models.CheckConstraint(
                condition=Q(
                    kind__in=[PacketKind.REFERRAL, PacketKind.INFO_PROVIDED],
                    direction=PacketDirection.KEIT_TO_KDB,
                )
                | (
                    ~Q(kind__in=[PacketKind.REFERRAL, PacketKind.INFO_PROVIDED])
                    & Q(direction=PacketDirection.KDB_TO_KEIT)
                ),
                name="packet_kind_direction",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[PacketState.DELIVERED, PacketState.ACKNOWLEDGED])
                | Q(delivered_at__isnull=False),
                name="packet_delivered_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state=PacketState.ACKNOWLEDGED) | Q(acknowledged_at__isnull=False),
                name="packet_acknowledged_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or set(update_fields) - PACKET_STATE_FIELDS:
                raise PacketImmutable("only a packet's delivery state may change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PacketImmutable("packets are never deleted")

    @property
    def receiving_side(self) -> str:
        """`fund` for referrals, `alliance` for status sent back to KEIT."""
        return "fund" if self.direction == PacketDirection.KEIT_TO_KDB else "alliance"


class InboxEntry(models.Model):
    """A packet taken in by its receiving side; the primary key is the packet, so a second
    delivery of the same packet cannot take it in twice."""

    packet = models.OneToOneField(
        CoordinationPacket, primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    proposal = models.ForeignKey("alliance.Proposal", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return str(self.packet_id)


class FundInbox(InboxEntry):
    """The fund secretariat's (KDB's) intake of referrals from KEIT."""

    class Meta(InboxEntry.Meta):
        verbose_name = _("fund secretariat inbox entry")
        verbose_name_plural = _("fund secretariat inbox")


class KeitInbox(InboxEntry):
    """KEIT's intake of status packets sent back by the fund secretariat."""

    class Meta(InboxEntry.Meta):
        verbose_name = _("KEIT inbox entry")
        verbose_name_plural = _("KEIT inbox")


class FundQuestion(models.Model):
    """A question from the fund secretariat (an `info_requested` packet taken in by KEIT).

    KEIT relays it to the applicant (possibly reworded), the lead firm answers, and the answer
    goes back to the fund as an `info_provided` packet. The proposal stays in the fund's review
    throughout. One row per packet, so a packet taken in twice opens one question.
    """

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="fund_questions")
    packet = models.OneToOneField(CoordinationPacket, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question from the fund"))
    asked_at = models.DateTimeField(_("asked at"))
    relayed_question = models.TextField(_("question sent to the applicant"), blank=True)
    relayed_at = models.DateTimeField(_("sent to the applicant at"), null=True, blank=True)
    relayed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_packet = models.OneToOneField(
        CoordinationPacket,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table keeps the name it had when the model lived in the alliance app.
        db_table = "alliance_fundquestion"
        ordering = ["asked_at", "id"]
        verbose_name = _("question from the fund")
        verbose_name_plural = _("questions from the fund")
        indexes = [
            models.Index(
                fields=["asked_at"],
                condition=Q(answered_at__isnull=True),
                name="fund_question_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(relayed_at__isnull=True) & Q(relayed_question=""))
                | (Q(relayed_at__isnull=False) & ~Q(relayed_question="")),
                name="fund_question_relayed_has_text",
            ),
            models.CheckConstraint(
                condition=(Q(answered_at__isnull=True) & Q(answer=""))
                | (
                    Q(answered_at__isnull=False)
                    & ~Q(answer="")
                    & Q(relayed_at__isnull=False)
                    & Q(answer_packet__isnull=False)
                ),
                name="fund_question_answer_after_relay",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.question[:40]}"

    @property
    def state(self) -> str:
        """`open` (waiting for KEIT), `relayed` (waiting for the applicant) or `answered`."""
        if self.answered_at is not None:
            return "answered"
        if self.relayed_at is not None:
            return "relayed"
        return "open"
