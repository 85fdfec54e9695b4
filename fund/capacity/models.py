"""The four channels, their annual plans and the commitment ledger (SPEC §1, §3.3)."""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.core.vocabulary import FUND_SIZE_KRW, ChannelCode, Region

# The years an annual plan or a commitment may be booked in.
LEDGER_YEARS = (2025, 2035)


class Channel(models.Model):
    """One of the four investment channels; seeded by a migration and editable by staff.

    Committed and remaining capacity are never stored here: they are computed from the
    `Commitment` ledger (see fund.capacity.selectors).
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
                condition=Q(year__gte=LEDGER_YEARS[0], year__lte=LEDGER_YEARS[1]),
                name="annual_plan_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel.code} {self.year}"


class Commitment(models.Model):
    """One approved amount drawn from a channel's capacity: a row in the ledger.

    Rows are only ever added by `fund.capacity.services.commitment_create`, which locks the
    channel row so that concurrent commitments can never push the channel past its size.
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
    # The part given back since (fund.capacity.services.commitment_release): the ledger
    # counts amount_krw - released_krw; each release is a CommitmentRelease row.
    released_krw = models.PositiveBigIntegerField(_("released amount (KRW)"), default=0)
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
            models.CheckConstraint(
                condition=Q(released_krw__gte=0, released_krw__lte=F("amount_krw")),
                name="commitment_released_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel.code} {self.amount_krw}"

    @property
    def live_krw(self) -> int:
        """What the commitment still draws from the channel."""
        return self.amount_krw - self.released_krw


# The amount a ledger row still draws: every sum of committed capacity uses this.
LIVE_AMOUNT = F("amount_krw") - F("released_krw")
RELEASE_REASON_MAX = 500


class CommitmentRelease(models.Model):
    """All or part of a commitment given back to its channel (the council cancelled or cut an
    approved investment), with the reason; written only by commitment_release."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="releases")
    amount_krw = models.PositiveBigIntegerField(
        _("released amount (KRW)"), validators=[MaxValueValidator(FUND_SIZE_KRW)]
    )
    reason = models.CharField(_("reason"), max_length=RELEASE_REASON_MAX)
    created_by = models.ForeignKey(
        "alliance.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("released at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("commitment release")
        verbose_name_plural = _("commitment releases")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_krw__gt=0, amount_krw__lte=FUND_SIZE_KRW),
                name="commitment_release_amount_range",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="commitment_release_reason_given"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} -{self.amount_krw}"
