"""The information site: notices, FAQ, events and their registrations (SPEC §3.7), and the
public facts with their sources (SPEC §1)."""

import hashlib

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
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
    MEETING = "meeting", _("Meeting")


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
    # A meeting the organisers invite to (such as the 2025-12-04 간담회): the page names its
    # hosts and participants and takes no registration; the capacity does not apply.
    invitation_only = models.BooleanField(_("by invitation only"), default=False)
    hosts = models.CharField(_("hosts"), max_length=200, blank=True)
    participants = models.TextField(
        _("participants"), blank=True, validators=[MaxLengthValidator(NOTICE_BODY_MAX)]
    )
    source = models.ForeignKey(
        "fund.Source",
        to_field="key",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("source"),
        help_text=_("The published document that records the event, if any."),
    )
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
        """`open`, `upcoming` (not open yet), `closed`, `ended` or `invitation`, as of now."""
        now = timezone.now()
        if self.ends_at <= now:
            return "ended"
        if self.invitation_only:
            return "invitation"
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
    cancelled. At most one active registration per event and e-mail address (any case).
    The personal data is erased PERSONAL_DATA_RETENTION_DAYS after the event ends."""

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
    # Set when the retention period ended and the name, organisation, e-mail address and phone
    # number were blanked (registrations_erase_expired); the row stays for the counts.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("event registration")
        verbose_name_plural = _("event registrations")
        constraints = [
            # Erased rows have no address left to collide on.
            models.UniqueConstraint(
                F("event"),
                Lower("email"),
                condition=Q(status__in=ACTIVE_REGISTRATION_STATUSES, erased_at__isnull=True),
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
# The public facts: every figure and claim the information site shows, each with its source
# (SPEC §1). The pages read them through fund.site.facts; fund.site.fact_services changes them.

FACT_AMOUNT_MAX = 10**15  # 1,000조원: far above any figure the fund publishes
FACT_TEXT_MAX = 2000
REVISION_REASON_MAX = 500


class SourceKind(models.TextChoices):
    RELEASE = "release", _("Official release")
    PLAN = "plan", _("Official plan")
    PORTAL_RULE = "portal_rule", _("This portal's operating rule")
    PORTAL_DATA = "portal_data", _("This portal's live figures")


OFFICIAL_SOURCE_KINDS = (SourceKind.RELEASE, SourceKind.PLAN)
# What a source marker shows for the portal's own sources (a document shows its key: S1).
SOURCE_MARKERS = {
    SourceKind.PORTAL_RULE: _("Portal rule"),
    SourceKind.PORTAL_DATA: _("Portal figures"),
}


class Source(models.Model):
    """Where public facts come from: a published document (S1, S2, S3), this portal's own
    operating rule, or the portal's live figures. `key` is what a page's source marker shows
    and links to; an official document always has a date."""

    key = models.SlugField(_("key"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=SourceKind.choices)
    issuer_ko = models.CharField(_("issuer (Korean)"), max_length=200)
    issuer_en = models.CharField(_("issuer (English)"), max_length=200)
    title_ko = models.CharField(_("title (Korean)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    date = models.DateField(_("date"), null=True, blank=True)
    url = models.URLField(_("address (URL)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=OFFICIAL_SOURCE_KINDS) | Q(date__isnull=False),
                name="source_official_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.marker} · {self.title_ko}"

    @property
    def marker(self) -> str:
        return str(SOURCE_MARKERS[self.kind]) if self.kind in SOURCE_MARKERS else self.key


class FactKind(models.TextChoices):
    AMOUNT = "amount", _("Amount in won")
    COUNT = "count", _("Count")
    PERCENT = "percent", _("Percentage")
    DATE = "date", _("Date")
    TEXT = "text", _("Statement")


class FactQualifier(models.TextChoices):
    EXACT = "exact", _("Exactly")
    AT_LEAST = "at_least", _("Or more")
    PLUS_ALPHA = "plus_alpha", _("Plus alpha (+α)")
    ABOUT = "about", _("About")
    MONTH = "month", _("Month only (dates)")


# The value columns each kind uses; the others stay empty (see the check constraint).
VALUE_FIELDS = {
    FactKind.AMOUNT: "amount_krw",
    FactKind.COUNT: "number",
    FactKind.PERCENT: "number",
    FactKind.DATE: "date",
    FactKind.TEXT: None,
}


class Fact(models.Model):
    """One public figure or claim: its value (whole won, a count, a percentage, a date or a
    statement in both languages), how exact it is, what it covers (`scope`: 5년, 2026년), as of
    when, and the source that says it. Pages show it by `key`; `group` and `order` make the
    lists (an industry allocation, the decision path). Every change leaves a FactRevision."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    group = models.SlugField(_("group"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=FactKind.choices)
    amount_krw = models.PositiveBigIntegerField(
        _("amount (KRW)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(FACT_AMOUNT_MAX)],
    )
    number = models.DecimalField(
        _("number"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    date = models.DateField(_("date"), null=True, blank=True)
    qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=FactQualifier.choices, default=FactQualifier.EXACT
    )
    unit_ko = models.CharField(_("unit (Korean)"), max_length=40, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=60, blank=True)
    label_ko = models.CharField(_("label (Korean)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    text_ko = models.TextField(
        _("statement (Korean)"), blank=True, validators=[MaxLengthValidator(FACT_TEXT_MAX)]
    )
    text_en = models.TextField(
        _("statement (English)"), blank=True, validators=[MaxLengthValidator(FACT_TEXT_MAX)]
    )
    scope_ko = models.CharField(_("scope (Korean)"), max_length=40, blank=True)
    scope_en = models.CharField(_("scope (English)"), max_length=60, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    source = models.ForeignKey(
        Source,
        to_field="key",
        on_delete=models.PROTECT,
        related_name="facts",
        verbose_name=_("source"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["group", "order", "id"]
        verbose_name = _("public fact")
        verbose_name_plural = _("public facts")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FactKind.values), name="fact_kind_valid"),
            models.CheckConstraint(
                condition=Q(qualifier__in=FactQualifier.values), name="fact_qualifier_valid"
            ),
            # Exactly the value column of its kind is filled.
            models.CheckConstraint(
                condition=(
                    Q(
                        kind=FactKind.AMOUNT,
                        amount_krw__gte=1,
                        number__isnull=True,
                        date__isnull=True,
                    )
                    | Q(
                        kind=FactKind.COUNT,
                        number__gte=0,
                        amount_krw__isnull=True,
                        date__isnull=True,
                    )
                    | Q(
                        kind=FactKind.PERCENT,
                        number__gte=0,
                        number__lte=100,
                        amount_krw__isnull=True,
                        date__isnull=True,
                    )
                    | Q(
                        kind=FactKind.DATE,
                        date__isnull=False,
                        amount_krw__isnull=True,
                        number__isnull=True,
                    )
                    | (
                        Q(kind=FactKind.TEXT, amount_krw__isnull=True, number__isnull=True)
                        & Q(date__isnull=True)
                        & ~Q(text_ko="")
                        & ~Q(text_en="")
                    )
                ),
                name="fact_value_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def value(self):
        """The value in its kind's column (for a statement, the Korean text)."""
        field = VALUE_FIELDS[self.kind]
        return self.text_ko if field is None else getattr(self, field)


class FactRevisionImmutable(Exception):
    """Raised when code tries to change or delete a fact's recorded history."""


class FactRevisionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise FactRevisionImmutable("fact revisions are append-only")

    def delete(self):
        raise FactRevisionImmutable("fact revisions are append-only")


class FactRevision(models.Model):
    """Append-only: one change of a fact, with every field it had before and after, who made
    the change, when, and the reason they gave."""

    fact = models.ForeignKey(Fact, on_delete=models.PROTECT, related_name="revisions")
    before = models.JSONField(_("before"))
    after = models.JSONField(_("after"))
    reason = models.CharField(_("reason"), max_length=REVISION_REASON_MAX)
    actor = models.ForeignKey(
        "alliance.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    objects = FactRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("fact revision")
        verbose_name_plural = _("fact revisions")
        indexes = [models.Index(fields=["fact", "-created_at"], name="fact_revision_recent")]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="fact_revision_reason_given"),
        ]

    def __str__(self) -> str:
        return f"{self.fact_id}@{self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FactRevisionImmutable("fact revisions are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FactRevisionImmutable("fact revisions are append-only")


class SurveyRound(models.Model):
    """One round of the alliance's investment-demand survey as its source published it: the
    total, by whom, as of when. It is kept apart from the live demand that submitted
    proposals add up to, and never derived from it."""

    number = models.PositiveSmallIntegerField(_("round"), unique=True)
    conducted_by_ko = models.CharField(_("conducted by (Korean)"), max_length=200)
    conducted_by_en = models.CharField(_("conducted by (English)"), max_length=200)
    as_of = models.DateField(_("as of"))
    source = models.ForeignKey(
        Source,
        to_field="key",
        on_delete=models.PROTECT,
        related_name="survey_rounds",
        verbose_name=_("source"),
    )
    total_krw = models.PositiveBigIntegerField(
        _("total demand (KRW)"),
        validators=[MinValueValidator(1), MaxValueValidator(FACT_AMOUNT_MAX)],
    )
    total_qualifier = models.CharField(
        _("qualifier"),
        max_length=10,
        choices=FactQualifier.choices,
        default=FactQualifier.AT_LEAST,
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("demand survey round")
        verbose_name_plural = _("demand survey rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(total_krw__gte=1), name="survey_round_total_positive"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="survey_round_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}"


class SurveyFigure(models.Model):
    """One field's figure in a survey round (S1 says 분야, fields). `sub_alliance` is the
    portal's sub-alliance set beside it on the public page, when one matches the field."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="figures")
    field_ko = models.CharField(_("field (Korean)"), max_length=60)
    field_en = models.CharField(_("field (English)"), max_length=60)
    amount_krw = models.PositiveBigIntegerField(
        _("amount (KRW)"), validators=[MinValueValidator(1), MaxValueValidator(FACT_AMOUNT_MAX)]
    )
    sub_alliance = models.ForeignKey(
        "alliance.SubAlliance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sub-alliance"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["round", "order", "id"]
        verbose_name = _("survey figure")
        verbose_name_plural = _("survey figures")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "field_ko"], name="survey_figure_unique_field"
            ),
            models.CheckConstraint(condition=Q(amount_krw__gte=1), name="survey_figure_positive"),
        ]

    def __str__(self) -> str:
        return self.field_ko
