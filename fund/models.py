"""The fund's four channels and the capacity ledger that commitments are drawn from."""

import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from alliance.choices import Region, ReviewStage

from .choices import FUND_SIZE_KRW, ChannelCode


class Channel(models.Model):
    """One of the four investment channels; seeded by a migration and editable by staff.

    Committed and remaining capacity are never stored here: they are computed from the
    `Commitment` ledger (see fund.selectors).
    """

    code = models.CharField(_("code"), max_length=10, unique=True, choices=ChannelCode.choices)
    name_ko = models.CharField(_("name (Korean)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=60)
    funds_ko = models.TextField(_("what it funds (Korean)"))
    funds_en = models.TextField(_("what it funds (English)"))
    who_ko = models.TextField(_("who may apply (Korean)"), blank=True)
    who_en = models.TextField(_("who may apply (English)"), blank=True)
    terms_ko = models.TextField(_("terms (Korean)"), blank=True)
    terms_en = models.TextField(_("terms (English)"), blank=True)
    size_krw = models.PositiveBigIntegerField(
        _("five-year size (KRW)"), validators=[MaxValueValidator(FUND_SIZE_KRW)]
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("fund channel")
        verbose_name_plural = _("fund channels")
        constraints = [
            models.CheckConstraint(
                condition=Q(size_krw__gt=0, size_krw__lte=FUND_SIZE_KRW),
                name="channel_size_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name_ko

    def _localized(self, field: str) -> str:
        suffix = "en" if (get_language() or "ko").startswith("en") else "ko"
        return getattr(self, f"{field}_{suffix}")

    @property
    def name(self) -> str:
        return self._localized("name")

    @property
    def funds(self) -> str:
        return self._localized("funds")

    @property
    def who(self) -> str:
        return self._localized("who")

    @property
    def terms(self) -> str:
        return self._localized("terms")


class AnnualPlan(models.Model):
    """How much a channel plans to deploy in one year (2026: 3조, 7조, 10조, 10조)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="annual_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    amount_krw = models.PositiveBigIntegerField(
        _("planned amount (KRW)"), validators=[MaxValueValidator(FUND_SIZE_KRW)]
    )

    class Meta:
        ordering = ["channel__order", "year"]
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        constraints = [
            models.UniqueConstraint(fields=["channel", "year"], name="annual_plan_unique_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2025, year__lte=2035), name="annual_plan_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel.code} {self.year}"


class Commitment(models.Model):
    """One approved amount drawn from a channel's capacity: a row in the ledger.

    Rows are only ever added by `fund.services.commitment_create`, which locks the channel row
    so that concurrent commitments can never push the channel past its size.
    """

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="commitments")
    year = models.PositiveSmallIntegerField(_("year"))
    amount_krw = models.PositiveBigIntegerField(
        _("committed amount (KRW)"), validators=[MaxValueValidator(FUND_SIZE_KRW)]
    )
    proposal = models.OneToOneField(
        "alliance.Proposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitment",
    )
    ai_related = models.BooleanField(_("AI-related"), default=False)
    region = models.CharField(_("region"), max_length=12, choices=Region.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        "alliance.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        indexes = [models.Index(fields=["channel", "year"], name="commitment_channel_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_krw__gt=0, amount_krw__lte=FUND_SIZE_KRW),
                name="commitment_amount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel.code} {self.amount_krw}"


# ---------------------------------------------------------------------------------------------
# The information site: notices, FAQ, events and their registrations (SPEC §3.7).

NOTICE_BODY_MAX = 20_000


class Notice(models.Model):
    """A notice (공지사항); the public sees it only while `published`, pinned ones first."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), validators=[MaxLengthValidator(NOTICE_BODY_MAX)])
    pinned = models.BooleanField(_("pinned"), default=False)
    published = models.BooleanField(_("published"), default=False)
    # Set the first time the notice is published and kept afterwards, so that taking a notice
    # down for a correction does not move it to the top of the list when it comes back.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    author = models.ForeignKey(
        "alliance.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-pinned", "-published_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(
                fields=["-pinned", "-published_at", "-id"],
                condition=Q(published=True),
                name="notice_public_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published=False) | Q(published_at__isnull=False),
                name="notice_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class FaqCategory(models.TextChoices):
    ELIGIBILITY = "eligibility", _("Who can apply")
    PROCESS = "process", _("How to apply")
    CHANNELS = "channels", _("Conditions by channel")
    EVENTS = "events", _("Events")
    OTHER = "other", _("Other")


class Faq(models.Model):
    """One question and answer (자주 묻는 질문), shown grouped by category in `order`."""

    category = models.CharField(_("category"), max_length=20, choices=FaqCategory.choices)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"), validators=[MaxLengthValidator(NOTICE_BODY_MAX)])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ")
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=FaqCategory.values), name="faq_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.question


class EventKind(models.TextChoices):
    SEMINAR = "seminar", _("Briefing session")
    CONSULTATION_FAIR = "consultation_fair", _("Consultation fair")
    WORKSHOP = "workshop", _("Workshop")


class Event(models.Model):
    """A briefing, consultation fair or workshop that visitors register for.

    Confirmed registrations never exceed `capacity`: every change to an event's registrations
    locks the event row first (see fund.site_services).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), validators=[MaxLengthValidator(NOTICE_BODY_MAX)]
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    registration_opens_at = models.DateTimeField(_("registration opens at"))
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    published = models.BooleanField(_("published"), default=False)
    created_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["published", "ends_at"], name="event_public")]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="event_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=F("registration_opens_at")),
                name="event_registration_window_order",
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__lte=F("ends_at")),
                name="event_registration_closes_by_end",
            ),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_url=""), name="event_has_place_or_link"
            ),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        """Cross-field rules, reported on the field to correct (the check constraints above
        hold the same rules in the database)."""
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The event must end after it starts.")
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes <= opens:
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        elif closes and self.ends_at and closes > self.ends_at:
            errors["registration_closes_at"] = _(
                "Registration must close no later than the end of the event."
            )
        if not self.place and not self.online_url:
            errors["place"] = _("Give a place, an online link, or both.")
        if errors:
            raise ValidationError(errors)

    @property
    def registration_state(self) -> str:
        """`open`, `upcoming` (not open yet), `closed` or `ended`, as of now."""
        now = timezone.now()
        if self.ends_at <= now:
            return "ended"
        if now < self.registration_opens_at:
            return "upcoming"
        if now >= self.registration_closes_at:
            return "closed"
        return "open"

    @property
    def location_display(self) -> str:
        return " / ".join(part for part in (self.place, self.online_url) if part)


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waitlisted")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_REGISTRATION_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


class RegistrationMail(models.TextChoices):
    """Which notice a registration's last mail carried; derived from its state when sent."""

    CONFIRMED = "confirmed", _("Confirmation")
    WAITLISTED = "waitlisted", _("Waitlist notice")
    PROMOTED = "promoted", _("Promotion from the waitlist")
    CANCELLED = "cancelled", _("Cancellation notice")


class Registration(models.Model):
    """One person's registration for an event: confirmed, waitlisted (with a position) or
    cancelled. At most one active registration per event and e-mail address (any case)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    name = models.CharField(_("name"), max_length=60)
    organization = models.CharField(_("organisation"), max_length=120)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=20)
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    waitlist_position = models.PositiveIntegerField(_("waitlist position"), null=True, blank=True)
    consented_at = models.DateTimeField(_("consent given at"))
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set by the mail task (fund.send_registration_mail): what was last sent, and when.
    mail_sent_kind = models.CharField(
        _("last mail"), max_length=12, choices=RegistrationMail.choices, blank=True
    )
    mail_sent_at = models.DateTimeField(_("last mail sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        constraints = [
            models.UniqueConstraint(
                F("event"),
                Lower("email"),
                condition=Q(status__in=ACTIVE_REGISTRATION_STATUSES),
                name="registration_one_active_per_email",
                violation_error_message=_("This e-mail address is already registered."),
            ),
            # NULL positions (confirmed, cancelled) never collide. Deferred so that the waitlist
            # can be renumbered with one UPDATE ... SET position = position - 1.
            models.UniqueConstraint(
                fields=["event", "waitlist_position"],
                name="registration_unique_waitlist_position",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="registration_status_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=RegistrationStatus.WAITLISTED, waitlist_position__gte=1)
                    | (~Q(status=RegistrationStatus.WAITLISTED) & Q(waitlist_position__isnull=True))
                ),
                name="registration_position_iff_waitlisted",
            ),
            models.CheckConstraint(
                condition=Q(status=RegistrationStatus.CANCELLED) | Q(cancelled_at__isnull=True),
                name="registration_cancelled_at_only_when_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.name}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_REGISTRATION_STATUSES


class CancelToken(models.Model):
    """A self-cancel link's secret, stored only as its SHA-256.

    Each mail carries a freshly minted token (the task only gets the registration id, and the
    raw secret is never stored); every token of a registration stays valid until it is
    cancelled, so the link in an earlier mail keeps working after a promotion mail.
    """

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="cancel_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cancel token")
        verbose_name_plural = _("cancel tokens")

    def __str__(self) -> str:
        return f"{self.registration_id}:{self.token_hash[:8]}"

    @staticmethod
    def hash(token: str) -> str:
        """The stored form of a token; a 256-bit random secret needs no salt or slow hash."""
        return hashlib.sha256(token.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# The KEIT–KDB coordination queue and the fund secretariat's review pipeline (SPEC §3.5, §3.6).


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


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approve")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approve with conditions")
    DEFERRED = "deferred", _("Defer")
    REJECTED = "rejected", _("Reject")


APPROVING_DECISIONS = (Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS)


class FundReview(models.Model):
    """The fund secretariat's pipeline entry for one referred proposal.

    Created when the referral packet is taken in. `stage` mirrors `Proposal.stage` (both are
    written together by fund.pipeline) so the pipeline can be filtered, sorted and paged on
    one table; `score` is the proposed channel's score at referral, with its rule version.
    """

    proposal = models.OneToOneField(
        "alliance.Proposal", primary_key=True, on_delete=models.PROTECT, related_name="review"
    )
    referral = models.OneToOneField(CoordinationPacket, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelCode.choices)
    # 0 with no rule version when the proposed channel had no match result at referral.
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    rule_version = models.PositiveIntegerField(_("rule version"), null=True, blank=True)
    requested_krw = models.PositiveBigIntegerField(_("requested amount (KRW)"))
    stage = models.CharField(_("review stage"), max_length=12, choices=ReviewStage.choices)
    stage_entered_at = models.DateTimeField(_("in this stage since"))
    keit_note = models.TextField(_("KEIT note"), blank=True)
    reviewer = models.ForeignKey(
        "alliance.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    decision = models.CharField(_("decision"), max_length=26, choices=Decision.choices, blank=True)
    decided_channel = models.CharField(
        _("decided channel"), max_length=10, choices=ChannelCode.choices, blank=True
    )
    approved_krw = models.PositiveBigIntegerField(_("approved amount (KRW)"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    info_question = models.TextField(_("information requested"), blank=True)
    info_requested_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("fund review")
        verbose_name_plural = _("fund reviews")
        indexes = [
            models.Index(fields=["stage", "-score", "-proposal"], name="review_stage_score"),
            models.Index(
                fields=["channel", "stage", "-score", "-proposal"], name="review_channel_score"
            ),
            models.Index(fields=["stage", "stage_entered_at"], name="review_stage_age"),
            # The unfiltered table and API (and their deep keyset pages) sort the whole
            # pipeline: without these, each page sorted 100,000 rows (bench/, issue 7).
            models.Index(fields=["-score", "-proposal"], name="review_score"),
            models.Index(fields=["stage_entered_at", "proposal"], name="review_age"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=ReviewStage.values), name="review_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=ChannelCode.values), name="review_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(decision__in=Decision.values),
                name="review_decision_valid",
            ),
            # A decision exists exactly when the stage is `decided`; only approvals carry money.
            models.CheckConstraint(
                condition=(Q(stage=ReviewStage.DECIDED) & ~Q(decision=""))
                | (~Q(stage=ReviewStage.DECIDED) & Q(decision="")),
                name="review_decision_iff_decided",
            ),
            models.CheckConstraint(
                condition=(
                    Q(decision__in=APPROVING_DECISIONS, approved_krw__gt=0)
                    & Q(approved_krw__lte=F("requested_krw"))
                )
                | (~Q(decision__in=APPROVING_DECISIONS) & Q(approved_krw__isnull=True)),
                name="review_approved_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.stage}"

    @property
    def days_in_stage(self) -> int:
        return (timezone.now() - self.stage_entered_at).days


# ---------------------------------------------------------------------------------------------
# The fund secretariat's working tools around the pipeline: committee agendas, internal
# comments and saved filter sets (SPEC §3.6).


class CommitteeBody(models.TextChoices):
    """The two bodies that sit on proposals; each code is the review stage it hears."""

    COMMITTEE = ReviewStage.COMMITTEE.value, _("Investment review committee")
    COUNCIL = ReviewStage.COUNCIL.value, _("Fund management council")


MEETING_TEXT_MAX = 200


class CommitteeMeeting(models.Model):
    """One sitting of the investment review committee or the fund management council.

    Its agenda is the ordered `AgendaItem` rows; only proposals at the body's own stage are
    put on it (fund.pipeline.agenda_add), and the agenda is changed only with the meeting row
    locked, so positions stay 1..n.
    """

    body = models.CharField(_("body"), max_length=12, choices=CommitteeBody.choices)
    meets_at = models.DateTimeField(_("date and time"))
    title = models.CharField(_("title"), max_length=MEETING_TEXT_MAX, blank=True)
    location = models.CharField(_("location"), max_length=MEETING_TEXT_MAX, blank=True)
    created_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-meets_at", "-id"]
        verbose_name = _("committee meeting")
        verbose_name_plural = _("committee meetings")
        indexes = [models.Index(fields=["-meets_at", "-id"], name="meeting_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(body__in=CommitteeBody.values), name="meeting_body_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {timezone.localtime(self.meets_at):%Y-%m-%d %H:%M}"


class AgendaItem(models.Model):
    """One proposal on a meeting's agenda, heard in `position` order (1, 2, …)."""

    meeting = models.ForeignKey(
        CommitteeMeeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("meeting")
    )
    review = models.ForeignKey(
        FundReview, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("review")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    added_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["meeting", "position"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "review"], name="agenda_item_once"),
            # Deferred so that a reorder can rewrite every position in one transaction.
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="agenda_item_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="agenda_item_position_min"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.position} {self.review_id}"


class CommentImmutable(Exception):
    """Review comments are append-only."""


COMMENT_MAX = 2000


class ReviewComment(models.Model):
    """A fund staff member's comment on a proposal in the pipeline: internal to the fund
    secretariat (never shown to KEIT or applicants) and append-only."""

    review = models.ForeignKey(
        FundReview, on_delete=models.PROTECT, related_name="comments", verbose_name=_("review")
    )
    author = models.ForeignKey(
        "alliance.User",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.CharField(_("comment"), max_length=COMMENT_MAX)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        indexes = [models.Index(fields=["review", "created_at", "id"], name="comment_review")]
        constraints = [
            models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id}:{self.pk}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise CommentImmutable("review comments are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise CommentImmutable("review comments are append-only")


class SavedViewPage(models.TextChoices):
    BOARD = "board", _("Board")
    TABLE = "table", _("Table")


SAVED_VIEW_NAME_MAX = 60
SAVED_VIEW_QUERY_MAX = 500


class SavedView(models.Model):
    """A fund staff member's named set of pipeline filters, opened as a quick link.

    `querystring` holds only known filter keys with validated values (fund.pipeline
    .saved_view_create re-encodes them through the pipeline filter form).
    """

    owner = models.ForeignKey(
        "alliance.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=SAVED_VIEW_NAME_MAX)
    page = models.CharField(
        _("page"), max_length=8, choices=SavedViewPage.choices, default=SavedViewPage.TABLE
    )
    querystring = models.CharField(_("filters"), max_length=SAVED_VIEW_QUERY_MAX)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["owner", Lower("name"), "id"]
        verbose_name = _("saved pipeline view")
        verbose_name_plural = _("saved pipeline views")
        constraints = [
            models.UniqueConstraint(
                F("owner"),
                Lower("name"),
                name="saved_view_unique_name",
                violation_error_message=_("You already have a view with this name."),
            ),
            models.CheckConstraint(
                condition=Q(page__in=SavedViewPage.values), name="saved_view_page_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="saved_view_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name
