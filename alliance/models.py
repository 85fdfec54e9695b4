"""Member firms, their people, AX investment proposals and the audit log."""

import uuid
from pathlib import Path

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from alliance.validators import (
    format_brn,
    format_crn,
    validate_business_registration_number,
    validate_crn_format,
)
from portal.core.vocabulary import (
    CAPITAL_AREA,
    FUND_SIZE_KRW,
    ChannelCode,
    DocumentKind,
    FirmStatus,
    InstitutionKind,
    MemberType,
    ProjectType,
    ProposalStatus,
    Region,
    ReviewStage,
    Role,
    SizeClass,
    Structure,
)

TITLE_MAX = 200
SUMMARY_MAX = 5000
NOTE_MAX = 2000


class SubAlliance(models.Model):
    """One of the ten 분과 of the M.AX Alliance; seeded by a migration."""

    code = models.SlugField(max_length=40, unique=True)
    name_ko = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)
    surveyed_demand_krw = models.PositiveBigIntegerField(default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("sub-alliance")
        verbose_name_plural = _("sub-alliances")

    def __str__(self) -> str:
        return self.name_ko

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko


class Industry(models.Model):
    """One of the twelve 첨단전략산업 the fund may invest in; seeded by a migration."""

    code = models.SlugField(max_length=40, unique=True)
    name_ko = models.CharField(max_length=60)
    name_en = models.CharField(max_length=60)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("strategic industry")
        verbose_name_plural = _("strategic industries")

    def __str__(self) -> str:
        return self.name_ko

    name = SubAlliance.name


class Firm(models.Model):
    """A member organisation of the alliance; may submit proposals once verified (active)."""

    name = models.CharField(_("company name"), max_length=120)
    name_en = models.CharField(_("company name (English)"), max_length=120, blank=True)
    business_registration_number = models.CharField(
        _("business registration number"),
        max_length=10,
        unique=True,
        validators=[validate_business_registration_number],
    )
    corporate_registration_number = models.CharField(
        _("corporate registration number"),
        max_length=13,
        blank=True,
        validators=[validate_crn_format],
    )
    representative = models.CharField(_("representative"), max_length=60, blank=True)
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices)
    member_type = models.CharField(
        _("member type"),
        max_length=20,
        choices=MemberType.choices,
        default=MemberType.MANUFACTURER,
    )
    sub_alliances = models.ManyToManyField(
        SubAlliance, verbose_name=_("sub-alliances"), blank=True, related_name="firms"
    )
    region = models.CharField(_("region"), max_length=12, choices=Region.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    website = models.URLField(_("website"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=FirmStatus.choices,
        default=FirmStatus.PENDING,
        db_index=True,
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        "alliance.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("member firm")
        verbose_name_plural = _("member firms")
        constraints = [
            models.CheckConstraint(
                condition=Q(business_registration_number__regex=r"^[0-9]{10}$"),
                name="firm_brn_ten_digits",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FirmStatus.values), name="firm_status_valid"
            ),
            # A failed 법인등록번호 check digit is only a warning, but it is 13 digits or nothing.
            models.CheckConstraint(
                condition=Q(corporate_registration_number__regex=r"^([0-9]{13})?$"),
                name="firm_crn_empty_or_13_digits",
            ),
            models.CheckConstraint(
                condition=Q(size_class__in=SizeClass.values), name="firm_size_class_valid"
            ),
            models.CheckConstraint(
                condition=Q(member_type__in=MemberType.values), name="firm_member_type_valid"
            ),
            models.CheckConstraint(condition=Q(region__in=Region.values), name="firm_region_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def brn_display(self) -> str:
        return format_brn(self.business_registration_number)

    @property
    def crn_display(self) -> str:
        return format_crn(self.corporate_registration_number)

    @property
    def is_active(self) -> bool:
        return self.status == FirmStatus.ACTIVE


class FinancialInstitution(models.Model):
    """A bank, securities firm, asset manager or KDB that firms may consult; its users (role
    `institution`) keep its offer and answer the consultations addressed to it."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices)
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("financial institution")
        verbose_name_plural = _("financial institutions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=InstitutionKind.values), name="institution_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person; roles are groups (see `Role`), an applicant belongs to exactly one firm."""

    firm = models.ForeignKey(
        Firm,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("firm"),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # A financial institution's user belongs to exactly one institution (role `institution`).
    institution = models.ForeignKey(
        FinancialInstitution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("financial institution"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def has_role(self, role: str) -> bool:
        if not self.is_authenticated:
            return False
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = set(self.groups.values_list("name", flat=True))
            self._role_cache = cached
        return role in cached

    @property
    def is_applicant(self) -> bool:
        return self.has_role(Role.APPLICANT) and self.firm_id is not None

    @property
    def is_alliance_staff(self) -> bool:
        return self.has_role(Role.ALLIANCE_SECRETARIAT)

    @property
    def is_fund_staff(self) -> bool:
        return self.has_role(Role.FUND_SECRETARIAT)

    @property
    def is_site_editor(self) -> bool:
        return self.has_role(Role.SITE_EDITOR)

    @property
    def is_institution_staff(self) -> bool:
        """A financial institution's user: keeps its offer, sees its deal flow."""
        return self.has_role(Role.INSTITUTION) and self.institution_id is not None


def _amount_field(verbose_name, **kwargs):
    return models.PositiveBigIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MaxValueValidator(FUND_SIZE_KRW)],
        **kwargs,
    )


class Proposal(models.Model):
    """An AX investment proposal by a lead firm (optionally with consortium partners).

    Drafts may be incomplete; submission validates every field (services.proposal_submit).
    `version` increments on every write so a stale edit is refused, never overwritten.
    """

    firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("lead firm")
    )
    partners = models.ManyToManyField(
        Firm,
        through="ProposalPartner",
        related_name="partner_proposals",
        blank=True,
        verbose_name=_("consortium partners"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    summary = models.TextField(
        _("summary"), blank=True, validators=[MaxLengthValidator(SUMMARY_MAX)]
    )
    sub_alliance = models.ForeignKey(
        SubAlliance,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("sub-alliance"),
    )
    industry = models.ForeignKey(
        Industry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("strategic industry"),
    )
    project_type = models.CharField(
        _("project type"), max_length=20, choices=ProjectType.choices, blank=True
    )
    fund_uses = models.JSONField(_("fund uses"), default=list, blank=True)
    structure = models.CharField(
        _("structure"), max_length=10, choices=Structure.choices, default=Structure.CORPORATE
    )
    region = models.CharField(
        _("project region"), max_length=12, choices=Region.choices, blank=True
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level (TRL)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    ai_related = models.BooleanField(_("AI-related"), default=False)
    total_cost_krw = _amount_field(_("total project cost (KRW)"))
    requested_krw = _amount_field(_("requested amount (KRW)"))
    private_coinvest_krw = _amount_field(_("private co-investment (KRW)"))
    expected_value_added_krw = _amount_field(_("expected value added (KRW)"))
    expected_jobs = models.PositiveIntegerField(
        _("expected jobs"), null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    preferred_channel = models.CharField(
        _("preferred channel"),
        max_length=10,
        choices=ChannelCode.choices,
        blank=True,
        help_text=_("Leave empty to let the portal suggest a channel."),
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ProposalStatus.choices,
        default=ProposalStatus.DRAFT,
    )
    stage = models.CharField(
        _("review stage"), max_length=12, choices=ReviewStage.choices, blank=True
    )
    info_request = models.TextField(_("information requested"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("AX investment proposal")
        verbose_name_plural = _("AX investment proposals")
        indexes = [
            models.Index(fields=["firm", "-updated_at"], name="proposal_firm_recent"),
            models.Index(fields=["status", "-submitted_at"], name="proposal_status_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(total_cost_krw__isnull=True)
                | Q(total_cost_krw__gt=0, total_cost_krw__lte=FUND_SIZE_KRW * 10),
                name="proposal_total_cost_range",
            ),
            models.CheckConstraint(
                condition=Q(requested_krw__isnull=True)
                | Q(requested_krw__gt=0, requested_krw__lte=FUND_SIZE_KRW),
                name="proposal_requested_range",
            ),
            models.CheckConstraint(
                condition=Q(requested_krw__isnull=True)
                | Q(total_cost_krw__isnull=True)
                | Q(requested_krw__lte=F("total_cost_krw")),
                name="proposal_requested_within_total",
            ),
            models.CheckConstraint(
                condition=Q(private_coinvest_krw__isnull=True)
                | Q(total_cost_krw__isnull=True)
                | Q(private_coinvest_krw__lte=F("total_cost_krw")),
                name="proposal_coinvest_within_total",
            ),
            models.CheckConstraint(
                condition=Q(trl__isnull=True) | Q(trl__gte=1, trl__lte=9),
                name="proposal_trl_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="proposal_status_valid"
            ),
            # Codes are the API contract (SPEC §5): a row never holds a code outside it.
            models.CheckConstraint(
                condition=Q(stage="") | Q(stage__in=ReviewStage.values),
                name="proposal_stage_valid",
            ),
            models.CheckConstraint(
                condition=Q(region="") | Q(region__in=Region.values),
                name="proposal_region_valid",
            ),
            models.CheckConstraint(
                condition=Q(structure__in=Structure.values), name="proposal_structure_valid"
            ),
            models.CheckConstraint(
                condition=Q(project_type="") | Q(project_type__in=ProjectType.values),
                name="proposal_project_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(preferred_channel="") | Q(preferred_channel__in=ChannelCode.values),
                name="proposal_preferred_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="proposal_schedule_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_regional(self) -> bool:
        return bool(self.region) and self.region not in CAPITAL_AREA

    @property
    def is_editable(self) -> bool:
        return self.status in (ProposalStatus.DRAFT, ProposalStatus.INFO_REQUESTED)

    @property
    def is_withdrawable(self) -> bool:
        return self.status in (
            ProposalStatus.DRAFT,
            ProposalStatus.SUBMITTED,
            ProposalStatus.INFO_REQUESTED,
        )


class ProposalPartner(models.Model):
    """A consortium partner on a proposal: its users may view the proposal, not edit it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE)
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT)
    role = models.CharField(_("role in the consortium"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("consortium partner")
        verbose_name_plural = _("consortium partners")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "firm"], name="proposal_partner_unique")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.firm_id}"


def document_upload_to(instance: "ProposalDocument", filename: str) -> str:
    """Random stored name: the original name is kept only as data, never as a path."""
    suffix = Path(filename).suffix.lower()[:6]
    return f"documents/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


class ProposalDocument(models.Model):
    """An uploaded file; its type was checked from its content before it was stored."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document kind"), max_length=24, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class AuditLogImmutable(Exception):
    """Raised when code tries to change or delete an audit row."""


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogImmutable("audit rows are append-only")

    def delete(self):
        raise AuditLogImmutable("audit rows are append-only")


class AuditLog(models.Model):
    """Append-only record of every state change: who, when, what, from, to, and a note."""

    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    firm = models.ForeignKey(Firm, null=True, on_delete=models.SET_NULL, related_name="+")
    # PROTECT: deleting a proposal must not silently take its history with it (a cascade
    # deletes in SQL, past the append-only guard below).
    proposal = models.ForeignKey(
        Proposal, null=True, on_delete=models.PROTECT, related_name="history"
    )
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditLogImmutable("audit rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogImmutable("audit rows are append-only")


# ---------------------------------------------------------------------------------------------
# Consultations between member firms and financial institutions (SPEC §3.7)


class ConsultationTopic(models.TextChoices):
    INVESTMENT_STRUCTURE = "investment_structure", _("Investment structure")
    LOAN_TERMS = "loan_terms", _("Loan terms")
    CHANNEL_FIT = "channel_fit", _("Fit with the fund's channels")
    DOCUMENTS = "documents", _("Required documents")
    OTHER = "other", _("Other")


class ConsultationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


CONSULTATION_SLOTS_MAX = 3


class Consultation(models.Model):
    """A member firm's request for a 1:1 consultation with a financial institution.

    requested → confirmed (at one of the preferred times) or declined (with a reason) by either
    secretariat; the firm may cancel while it is requested or confirmed. Every change is a
    service in `alliance.consultations`. The contact person (`requested_by`) and the message
    are erased PERSONAL_DATA_RETENTION_DAYS after the consultation closes.
    """

    firm = models.ForeignKey(
        Firm, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("firm")
    )
    requested_by = models.ForeignKey(
        User,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    institution = models.ForeignKey(
        FinancialInstitution,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("financial institution"),
    )
    topic = models.CharField(_("topic"), max_length=24, choices=ConsultationTopic.choices)
    message = models.TextField(_("message"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)])
    # Three columns rather than a JSON list, so the database itself can hold "the confirmed
    # time is one of the preferred ones".
    preferred_slot_1 = models.DateTimeField(_("first preferred time"))
    preferred_slot_2 = models.DateTimeField(_("second preferred time"), null=True, blank=True)
    preferred_slot_3 = models.DateTimeField(_("third preferred time"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.REQUESTED,
    )
    confirmed_slot = models.DateTimeField(_("confirmed time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    staff_note = models.TextField(
        _("note from the secretariat"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)]
    )
    decline_reason = models.TextField(
        _("reason for declining"), blank=True, validators=[MaxLengthValidator(NOTE_MAX)]
    )
    handled_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Which mail (confirmed / declined) went out last, so a redelivered task sends nothing.
    mail_sent_kind = models.CharField(max_length=12, blank=True)
    mail_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the retention period after closing ended: the link to the contact person and
    # the message were removed (consultations_erase_expired); the row stays for the history.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consultation request")
        verbose_name_plural = _("consultation requests")
        indexes = [
            models.Index(fields=["firm", "-created_at"], name="consultation_firm_recent"),
            models.Index(fields=["status", "-created_at"], name="consultation_status_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ConsultationStatus.values),
                name="consultation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(topic__in=ConsultationTopic.values), name="consultation_topic_valid"
            ),
            models.CheckConstraint(
                condition=Q(preferred_slot_3__isnull=True) | Q(preferred_slot_2__isnull=False),
                name="consultation_slots_without_gap",
            ),
            models.CheckConstraint(
                condition=(
                    Q(preferred_slot_2__isnull=True) | ~Q(preferred_slot_2=F("preferred_slot_1"))
                )
                & (
                    Q(preferred_slot_3__isnull=True)
                    | (
                        ~Q(preferred_slot_3=F("preferred_slot_1"))
                        & ~Q(preferred_slot_3=F("preferred_slot_2"))
                    )
                ),
                name="consultation_slots_distinct",
            ),
            models.CheckConstraint(
                condition=~Q(status=ConsultationStatus.CONFIRMED) | Q(confirmed_slot__isnull=False),
                name="consultation_confirmed_has_slot",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_slot__isnull=True)
                | Q(confirmed_slot=F("preferred_slot_1"))
                | Q(confirmed_slot=F("preferred_slot_2"))
                | Q(confirmed_slot=F("preferred_slot_3")),
                name="consultation_confirmed_slot_preferred",
            ),
            models.CheckConstraint(
                condition=~Q(status=ConsultationStatus.DECLINED) | ~Q(decline_reason=""),
                name="consultation_declined_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm_id} → {self.institution_id} ({self.get_topic_display()})"

    @property
    def preferred_slots(self) -> list:
        """The preferred times that were given, in the order the firm gave them."""
        slots = (self.preferred_slot_1, self.preferred_slot_2, self.preferred_slot_3)
        return [slot for slot in slots if slot is not None]

    @property
    def is_open(self) -> bool:
        """Still waiting for a secretariat's answer."""
        return self.status == ConsultationStatus.REQUESTED

    @property
    def is_cancellable(self) -> bool:
        return self.status in (ConsultationStatus.REQUESTED, ConsultationStatus.CONFIRMED)


# ---------------------------------------------------------------------------------------------
# Mail outbox and the fund's questions relayed to applicants
