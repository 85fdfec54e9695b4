"""An institution's offer, a proposal opened to institutions with the firm's consent, the fit
of each opened proposal to each offer (worked out by workers), and an institution's interest."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from portal.core.vocabulary import FUND_SIZE_KRW

DESCRIPTION_MAX = 2000
MESSAGE_MAX = 2000


class Offer(models.Model):
    """What one institution offers: the fund channels it serves, the industries, sub-alliances
    and regions it takes (an empty list means all) and its ticket range in won. Codes are the
    API's (SPEC §5, §6); `version` increments on every change so a stale edit is refused."""

    institution = models.OneToOneField(
        "alliance.FinancialInstitution",
        on_delete=models.CASCADE,
        related_name="offer",
        verbose_name=_("financial institution"),
    )
    channels = models.JSONField(_("channels served"), default=list, blank=True)
    industries = models.JSONField(_("strategic industries"), default=list, blank=True)
    sub_alliances = models.JSONField(_("sub-alliances"), default=list, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    min_ticket_krw = models.PositiveBigIntegerField(_("smallest ticket (KRW)"), default=0)
    max_ticket_krw = models.PositiveBigIntegerField(_("largest ticket (KRW)"), default=0)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX)]
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_ticket_krw__lte=F("max_ticket_krw")),
                name="offer_ticket_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(max_ticket_krw__lte=FUND_SIZE_KRW), name="offer_ticket_within_fund"
            ),
        ]

    def __str__(self) -> str:
        return str(self.institution)


class ProposalShare(models.Model):
    """A submitted proposal its lead firm opened to institutions, with the consent text it
    agreed to. Withdrawing sets `withdrawn_at`: from that moment no institution sees it;
    opening it again clears it (the audit log keeps every opening and withdrawal)."""

    proposal = models.OneToOneField(
        "alliance.Proposal", on_delete=models.CASCADE, related_name="institution_share"
    )
    consent_text = models.TextField(_("consent"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("proposal opened to institutions")
        verbose_name_plural = _("proposals opened to institutions")
        indexes = [models.Index(fields=["withdrawn_at"], name="share_withdrawn")]

    def __str__(self) -> str:
        return str(self.proposal_id)

    @property
    def is_open(self) -> bool:
        return self.withdrawn_at is None


class InstitutionFit(models.Model):
    """How well one opened proposal fits one institution's offer: 0–100 with a breakdown per
    criterion (fund.institutions.fit). Written by workers; `fits` says whether the proposal
    belongs in the institution's deal flow (a channel in common with its eligible channels)."""

    institution = models.ForeignKey(
        "alliance.FinancialInstitution", on_delete=models.CASCADE, related_name="fits"
    )
    proposal = models.ForeignKey(
        "alliance.Proposal", on_delete=models.CASCADE, related_name="institution_fits"
    )
    score = models.PositiveSmallIntegerField(_("fit"))
    fits = models.BooleanField(default=False)
    eligible_channels = models.JSONField(default=list)
    breakdown = models.JSONField(default=list)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("fit")
        verbose_name_plural = _("fits")
        constraints = [
            models.UniqueConstraint(fields=["institution", "proposal"], name="fit_unique_pair"),
            models.CheckConstraint(condition=Q(score__lte=100), name="fit_score_at_most_100"),
        ]
        indexes = [models.Index(fields=["institution", "-score"], name="fit_best_first")]

    def __str__(self) -> str:
        return f"{self.institution_id}:{self.proposal_id} {self.score}"


class InterestState(models.TextChoices):
    OPEN = "open", _("Waiting for the firm")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CLOSED = "closed", _("Closed")


class Interest(models.Model):
    """An institution's interest in an opened proposal, with its message. The lead firm accepts
    (a consultation opens and both see each other's contact) or declines; withdrawing the
    proposal from institutions closes it. One interest per institution and proposal."""

    institution = models.ForeignKey(
        "alliance.FinancialInstitution", on_delete=models.PROTECT, related_name="interests"
    )
    proposal = models.ForeignKey(
        "alliance.Proposal", on_delete=models.PROTECT, related_name="institution_interests"
    )
    message = models.TextField(_("message"), validators=[MaxLengthValidator(MESSAGE_MAX)])
    state = models.CharField(
        _("state"), max_length=10, choices=InterestState.choices, default=InterestState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(
        _("reason for declining"), blank=True, validators=[MaxLengthValidator(MESSAGE_MAX)]
    )
    consultation = models.OneToOneField(
        "alliance.Consultation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interest",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "proposal"], name="interest_one_per_institution"
            ),
            models.CheckConstraint(
                condition=Q(state__in=InterestState.values), name="interest_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} → {self.proposal_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state == InterestState.OPEN
