"""The ministries' tables: membership, recommendations and shared-infrastructure plans."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

NOTE_MAX = 2000
TITLE_MAX = 200


class Ministry(models.TextChoices):
    """The two ministries of S1; 산업부 recommends and plans, 금융위 reads the picture."""

    MOTIE = "motie", _("Ministry of Trade, Industry and Energy")
    FSC = "fsc", _("Financial Services Commission")


class InfraKind(models.TextChoices):
    """What a shared-infrastructure plan builds (S1 ②: large-scale data, computing, testbeds)."""

    DATA = "data", _("Large-scale data")
    COMPUTING = "computing", _("Computing")
    TESTBED = "testbed", _("Testbed")


class MinistryMembership(models.Model):
    """Which ministry a user of the `ministry` role works for: one row per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="ministry_membership",
        verbose_name=_("user"),
    )
    ministry = models.CharField(_("ministry"), max_length=8, choices=Ministry.choices)
    unit = models.CharField(_("unit"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("ministry membership")
        verbose_name_plural = _("ministry memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(ministry__in=Ministry.values), name="ministry_membership_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.ministry}"


class Recommendation(models.Model):
    """산업부 recommends a submitted proposal to the fund (S1 ①), once, with a note; KEIT and
    KDB see it on the proposal and in their lists, and a routing policy may count it."""

    proposal = models.OneToOneField(
        "alliance.Proposal",
        on_delete=models.CASCADE,
        related_name="ministry_recommendation",
        verbose_name=_("proposal"),
    )
    note = models.TextField(_("note"), max_length=NOTE_MAX)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recommended by"),
    )
    created_at = models.DateTimeField(_("recommended at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recommendation by the ministry")
        verbose_name_plural = _("recommendations by the ministry")
        constraints = [
            models.CheckConstraint(condition=~Q(note=""), name="recommendation_note_given")
        ]

    def __str__(self) -> str:
        return f"recommendation {self.proposal_id}"


class InfraPlan(models.Model):
    """A shared-infrastructure plan of 산업부 (S1 ②) that alliance members see and may join
    by starting a consortium proposal linked to it."""

    title = models.CharField(_("title"), max_length=TITLE_MAX)
    kind = models.CharField(_("kind"), max_length=10, choices=InfraKind.choices)
    description = models.TextField(_("description"), max_length=NOTE_MAX * 2)
    sub_alliance = models.ForeignKey(
        "alliance.SubAlliance",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("sub-alliance"),
    )
    region = models.CharField(_("region"), max_length=12, blank=True)
    budget_krw = models.PositiveBigIntegerField(_("planned budget (won)"), null=True, blank=True)
    open = models.BooleanField(_("open for proposals"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registered by"),
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shared-infrastructure plan")
        verbose_name_plural = _("shared-infrastructure plans")
        ordering = ("-created_at", "-id")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=InfraKind.values), name="infra_kind_valid")
        ]

    def __str__(self) -> str:
        return self.title


class InfraPlanProposal(models.Model):
    """A consortium proposal a member firm started for a plan: one plan per proposal."""

    plan = models.ForeignKey(
        InfraPlan, on_delete=models.PROTECT, related_name="links", verbose_name=_("plan")
    )
    proposal = models.OneToOneField(
        "alliance.Proposal",
        on_delete=models.CASCADE,
        related_name="infra_plan_link",
        verbose_name=_("proposal"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proposal for a plan")
        verbose_name_plural = _("proposals for plans")

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.proposal_id}"
