"""The information site: notices, FAQ, events and their registrations (SPEC §3.7)."""

import hashlib

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    locks the event row first (see fund.site.services).
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
