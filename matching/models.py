"""Rule sets (versioned, immutable once used), match results, and rescore/preview progress."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from matching.scoring.engine import CompiledRuleSet, compile_rules


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class RuleSetImmutable(Exception):
    """An active or retired rule set's content cannot change: scores refer to it."""


class RuleSet(models.Model):
    """A versioned rule-set document (see matching.scoring.rules); draft → active → retired.

    Exactly one is active (a partial unique constraint). Once a set has left draft its content
    is frozen, so every stored score can be explained by the rules it was computed with.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    rules = models.JSONField(_("rules"))
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="active"),
                name="ruleset_one_active",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RuleSetStatus.values), name="ruleset_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = RuleSet.objects.filter(pk=self.pk).values("status", "rules", "version").first()
            if (
                stored
                and stored["status"] != RuleSetStatus.DRAFT
                and (stored["rules"] != self.rules or stored["version"] != self.version)
            ):
                raise RuleSetImmutable(f"rule set v{stored['version']} is {stored['status']}")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != RuleSetStatus.DRAFT:
            raise RuleSetImmutable("only a draft rule set can be deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == RuleSetStatus.DRAFT


class MatchResult(models.Model):
    """One proposal scored against one channel under one rule set; upserted, never duplicated.

    `fingerprint` hashes the inputs the engine saw (proposal fields, channel capacity, rule-set
    version), so a repeated delivery with the same inputs is recognised and leaves the row alone.
    `trace` is the compact record of what the engine decided; `checks`, `breakdown` and `hints`
    (reasons in Korean and English) are rendered from it with the rule set's frozen parameters.
    """

    # No single-column indexes on the keys: the unique key (proposal, channel, rule set) and the
    # ranking index (rule set, channel, -score) lead with them, and each index is paid on every
    # one of a full rescore's rows.
    proposal = models.ForeignKey(
        "alliance.Proposal",
        on_delete=models.CASCADE,
        related_name="match_results",
        db_index=False,
    )
    # Keyed by the channel code: pages and the API show the code without a join.
    channel = models.ForeignKey(
        "fund.Channel",
        to_field="code",
        db_column="channel_code",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="results", db_index=False
    )
    eligible = models.BooleanField(_("eligible"))
    score = models.PositiveSmallIntegerField(_("score"))
    # See matching.scoring.explain.trace. Rows stored before traces existed keep their rendered
    # reasons verbatim under "text".
    trace = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("match result")
        verbose_name_plural = _("match results")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "channel", "rule_set"], name="match_result_unique"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="match_result_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["rule_set", "channel", "-score"], name="match_result_ranking"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.channel_id} v{self.rule_set_id} {self.score}"

    @cached_property
    def explained(self) -> dict:
        """{"checks", "breakdown", "hints"} as `explain` gives them (uses `rule_set`: join it)."""
        if "text" in self.trace:
            return self.trace["text"]
        from matching.scoring.explain import render

        return render(compiled_rule_set(self.rule_set).channel(self.channel_id), self.trace)

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("explained", None)
        super().refresh_from_db(*args, **kwargs)

    @property
    def checks(self) -> list[dict]:
        return self.explained["checks"]

    @property
    def breakdown(self) -> list[dict]:
        return self.explained["breakdown"]

    @property
    def hints(self) -> list[dict]:
        return self.explained["hints"]


class RescoreRun(models.Model):
    """Rescoring every proposal under one rule set, in batches whose completion is recorded."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="rescores")
    batch_size = models.PositiveIntegerField()
    total_proposals = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rescore run")
        verbose_name_plural = _("rescore runs")

    def __str__(self) -> str:
        return f"rescore {self.pk} v{self.rule_set_id}"


class RescoreBatch(models.Model):
    """A contiguous id range of one run; `done_at` is set in the same transaction as its scores."""

    run = models.ForeignKey(RescoreRun, on_delete=models.CASCADE, related_name="batches")
    index = models.PositiveIntegerField()
    first_id = models.PositiveBigIntegerField()
    last_id = models.PositiveBigIntegerField()
    size = models.PositiveIntegerField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="rescore_batch_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.index}"


class RulePreview(models.Model):
    """What would change if a draft were activated, computed in the background."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="previews")
    base_rule_set = models.ForeignKey(
        RuleSet, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The draft may be edited after the preview; a preview of other content is shown as stale.
    rules_hash = models.CharField(max_length=64)
    total_proposals = models.PositiveIntegerField(default=0)
    changes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rule-set preview")
        verbose_name_plural = _("rule-set previews")

    def __str__(self) -> str:
        return f"preview {self.pk} v{self.rule_set_id}"


_compiled_cache: dict[tuple[int, int], CompiledRuleSet] = {}


def compiled_rule_set(rule_set: RuleSet) -> CompiledRuleSet:
    """Compile once per process for frozen sets; a draft is compiled afresh (it may change)."""
    if rule_set.is_draft:
        return compile_rules(rule_set.rules, version=rule_set.version)
    key = (rule_set.pk, rule_set.version)
    compiled = _compiled_cache.get(key)
    if compiled is None:
        compiled = _compiled_cache[key] = compile_rules(rule_set.rules, version=rule_set.version)
    return compiled
