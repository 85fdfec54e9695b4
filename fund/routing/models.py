"""Automatic routing into the coordination queue: policy versions, the pause switch, the
proposals waiting to be looked at, and the proposals the workers routed (SPEC §7)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.core.vocabulary import ChannelCode


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class PolicyImmutable(Exception):
    """An active or retired policy's content cannot change: routed proposals refer to it."""


class RoutingPolicy(models.Model):
    """A versioned routing policy (see fund.routing.policy); draft → active → retired.

    Exactly one is active (a partial unique constraint). Once a version has left draft its
    document is frozen, so every routed proposal can be explained by the policy it met.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    document = models.JSONField(_("policy"))
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("routing policy")
        verbose_name_plural = _("routing policies")
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="active"), name="routing_policy_one_active"
            ),
            models.CheckConstraint(
                condition=Q(status__in=PolicyStatus.values), name="routing_policy_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(activated_at__isnull=False),
                name="routing_policy_activated_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = (
                RoutingPolicy.objects.filter(pk=self.pk)
                .values("status", "document", "version")
                .first()
            )
            if (
                stored
                and stored["status"] != PolicyStatus.DRAFT
                and (stored["document"] != self.document or stored["version"] != self.version)
            ):
                raise PolicyImmutable(f"routing policy v{stored['version']} is {stored['status']}")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != PolicyStatus.DRAFT:
            raise PolicyImmutable("only a draft routing policy can be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == PolicyStatus.DRAFT


SWITCH_ID = 1


class RoutingSwitch(models.Model):
    """The pause switch: one row. Every routing transaction reads it with a shared lock and
    pausing takes it exclusively, so once a pause has committed no referral follows it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SWITCH_ID, editable=False)
    paused = models.BooleanField(_("paused"), default=False)
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("routing switch")
        verbose_name_plural = _("routing switch")
        constraints = [models.CheckConstraint(condition=Q(id=SWITCH_ID), name="routing_switch_one")]

    def __str__(self) -> str:
        return "paused" if self.paused else "running"


class RoutingCandidate(models.Model):
    """A submitted proposal the workers must look at under the active policy, from `due_at`.

    Written in the transaction that scores the proposal (or activates a policy), removed in the
    transaction that routes or holds it, so a worker killed in between leaves it here for the
    next run. A proposal held only by the day's cap waits here until the next day.
    """

    proposal = models.OneToOneField(
        "alliance.Proposal", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    queued_at = models.DateTimeField()
    due_at = models.DateTimeField()

    class Meta:
        verbose_name = _("routing candidate")
        verbose_name_plural = _("routing candidates")
        indexes = [models.Index(fields=["due_at"], name="routing_candidate_due")]

    def __str__(self) -> str:
        return f"{self.proposal_id} from {self.due_at:%Y-%m-%d %H:%M}"


class RoutedProposal(models.Model):
    """A proposal the workers referred to the fund under a policy: at most one row per
    proposal (its primary key), written in the referral's transaction with its packet."""

    proposal = models.OneToOneField(
        "alliance.Proposal", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    policy = models.ForeignKey(RoutingPolicy, on_delete=models.PROTECT, related_name="routed")
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelCode.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    packet = models.OneToOneField(
        "fund.CoordinationPacket", on_delete=models.PROTECT, related_name="+"
    )
    # Every condition the policy checked, each met, in words (fund.routing.policy.render).
    reasons = models.JSONField(_("reasons"), default=list)
    routed_at = models.DateTimeField(_("routed at"))
    # The day in Korea it counts against the channel's daily cap.
    routed_on = models.DateField(_("routed on"))

    class Meta:
        ordering = ["-routed_at"]
        verbose_name = _("routed proposal")
        verbose_name_plural = _("routed proposals")
        indexes = [models.Index(fields=["channel", "routed_on"], name="routed_channel_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=ChannelCode.values), name="routed_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="routed_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} → {self.channel} (v{self.policy_id})"
