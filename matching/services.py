"""Writes for matching: scoring and storing results, rule-set lifecycle, rescore and preview."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.audit import audit_record
from alliance.models import Proposal, User
from matching import selectors
from matching.models import (
    MatchResult,
    RescoreBatch,
    RescoreRun,
    RulePreview,
    RuleSet,
    RuleSetStatus,
    compiled_rule_set,
)
from matching.scoring import (
    CompiledRuleSet,
    RuleSetInvalid,
    best_channel,
    compile_rules,
    evaluate,
    evaluate_all,
    explain,
    score_band,
    trace_json,
    validate_rules,
)
from matching.scoring.engine import ProposalInput
from portal.core import signals
from portal.core.errors import TransitionNotAllowed
from portal.core.queue import task

RESCORE_BATCH_SIZE = 500
SWEEP_LIMIT = 2000
PREVIEW_CHUNK = 2000
NAME_MAX = 120

# The advisory lock key of `_lock_rule_sets` (any constant unique in the portal).
RULE_SET_LOCK = 0x5255_4C45  # "RULE"


def can_manage_rules(user: User) -> bool:
    """The fund secretariat owns the fund's rules (and superusers, for the admin)."""
    return user.is_authenticated and (user.is_superuser or user.is_fund_staff)


# ---------------------------------------------------------------------------------------------
# Scoring


def schedule_scoring(*, proposal_id: int) -> None:
    """Score the proposal in a worker once the current transaction commits."""
    score_proposal = task("matching.score_proposal")

    # robust: if the broker is down the submission still stands; the periodic sweep
    # (score_missing) scores it once the broker is back.
    transaction.on_commit(
        lambda: score_proposal.apply_async(args=[proposal_id], queue="scoring", retry=False),
        robust=True,
    )


def score_proposals(
    *,
    queryset: QuerySet[Proposal],
    rule_set: RuleSet,
    remaining: dict[str, int] | None = None,
    fresh: bool = False,
) -> int:
    """Score every proposal of `queryset` on every channel and upsert the results.

    A result whose inputs (fingerprint) did not change is left untouched, so a repeated
    delivery writes nothing. Each row stores the engine's compact trace (reasons are rendered
    on read). On PostgreSQL a batch with no stored rows yet (a rescore) is COPied straight in,
    other batches are COPied into a temporary table and upserted from it; other databases use
    bulk_create. `fresh` (a rescore batch, whose rows are normally not stored yet) skips reading
    the stored fingerprints first: should some rows exist after all, the COPY meets the unique
    key and the batch is upserted instead. Returns the number of rows inserted or updated.
    """
    compiled = compiled_rule_set(rule_set)
    if remaining is None:
        remaining = selectors.channel_remaining()
    inputs = selectors.proposal_inputs(queryset)
    if not inputs:
        return 0
    existing = (
        {}
        if fresh and connection.vendor == "postgresql"
        else {
            (proposal_id, channel): digest
            for proposal_id, channel, digest in MatchResult.objects.filter(
                rule_set=rule_set, proposal_id__in=[p.id for p in inputs]
            ).values_list("proposal_id", "channel_id", "fingerprint")
        }
    )
    version = compiled.version
    channels = [
        (channel, channel.code, remaining.get(channel.code, 0)) for channel in compiled.channels
    ]
    rows = []
    for p in inputs:
        part = selectors.proposal_fingerprint_part(p)
        for channel, code, left in channels:
            digest = selectors.channel_fingerprint(part, code, left, version)
            if existing and existing.get((p.id, code)) == digest:
                continue
            evaluation = evaluate(channel, p, left)
            rows.append(
                (
                    p.id,
                    code,
                    evaluation.eligible,
                    evaluation.score,
                    digest,
                    trace_json(evaluation, p, left),
                )
            )
    if not rows:
        return 0
    now = timezone.now()
    if connection.vendor == "postgresql":
        if not existing and len(rows) >= COPY_MIN_ROWS:
            written = _copy_new_postgresql(rows, rule_set_id=rule_set.pk, now=now)
            if written is not None:
                return written
        return _upsert_postgresql(rows, rule_set_id=rule_set.pk, now=now)
    MatchResult.objects.bulk_create(
        [
            MatchResult(
                proposal_id=proposal_id,
                channel_id=code,
                rule_set=rule_set,
                eligible=eligible,
                score=score,
                fingerprint=digest,
                trace=json.loads(stored),
                computed_at=now,
            )
            for proposal_id, code, eligible, score, digest, stored in rows
        ],
        update_conflicts=True,
        unique_fields=["proposal", "channel", "rule_set"],
        update_fields=["eligible", "score", "trace", "fingerprint", "computed_at"],
    )
    return len(rows)


# A handful of rows (one proposal on submit) go in one multi-row INSERT, a single round trip;
# a batch (hundreds of proposals × 4 channels) goes through COPY, the cheapest way per row.
COPY_MIN_ROWS = 200

_LOAD_TABLE = "matching_result_load"
_CREATE_LOAD = f"""
CREATE TEMPORARY TABLE IF NOT EXISTS {_LOAD_TABLE} (
  proposal_id bigint NOT NULL, channel_code varchar(16) NOT NULL, eligible boolean NOT NULL,
  score smallint NOT NULL, fingerprint varchar(64) NOT NULL, trace jsonb NOT NULL
) ON COMMIT DELETE ROWS
"""
# Only rows whose fingerprint changed are updated: a duplicate delivery that raced past the
# fingerprint read above still writes nothing.
_UPSERT_TAIL = """
ON CONFLICT (proposal_id, channel_code, rule_set_id) DO UPDATE SET
  eligible = EXCLUDED.eligible, score = EXCLUDED.score, trace = EXCLUDED.trace,
  fingerprint = EXCLUDED.fingerprint, computed_at = EXCLUDED.computed_at
WHERE matching_matchresult.fingerprint <> EXCLUDED.fingerprint
"""
_INSERT_COLUMNS = (
    "INSERT INTO matching_matchresult "
    "(proposal_id, channel_code, eligible, score, fingerprint, trace, rule_set_id, computed_at) "
)


def _copy_text(value: str) -> str:
    """A value for COPY's text format (JSON has no raw tabs or newlines; escape backslashes)."""
    return value.replace("\\", "\\\\") if "\\" in value else value


def _copy_buffer(rows: list[tuple], extra: str = "") -> io.StringIO:
    buffer = io.StringIO()
    buffer.writelines(
        f"{proposal_id}\t{code}\t{'t' if eligible else 'f'}\t{score}\t{digest}\t"
        f"{_copy_text(stored)}{extra}\n"
        for proposal_id, code, eligible, score, digest, stored in rows
    )
    buffer.seek(0)
    return buffer


def _copy_new_postgresql(rows: list[tuple], *, rule_set_id: int, now) -> int | None:
    """COPY rows straight into the table when none of them was stored before (a rescore).

    A concurrent writer (the same proposal scored on submit meanwhile) makes the COPY hit the
    unique key: the savepoint is rolled back and None returned, so the caller upserts instead.
    """
    extra = f"\t{int(rule_set_id)}\t{now.isoformat()}"
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            with connection.wrap_database_errors:
                cursor.cursor.copy_expert(
                    "COPY matching_matchresult (proposal_id, channel_code, eligible, score, "
                    "fingerprint, trace, rule_set_id, computed_at) FROM STDIN",
                    _copy_buffer(rows, extra),
                )
    except IntegrityError:
        return None
    return len(rows)


def _upsert_postgresql(rows: list[tuple], *, rule_set_id: int, now) -> int:
    """Upsert result rows (proposal_id, code, eligible, score, fingerprint, trace JSON)."""
    from psycopg2.extras import execute_values

    # wrap_database_errors: the raw psycopg2 calls raise Django's errors (a lost connection is
    # an OperationalError the task retries), as the ORM's would.
    with transaction.atomic(), connection.cursor() as cursor, connection.wrap_database_errors:
        if len(rows) < COPY_MIN_ROWS:
            execute_values(
                cursor.cursor,
                _INSERT_COLUMNS + "VALUES %s" + _UPSERT_TAIL,
                [(*row, rule_set_id, now) for row in rows],
                template="(%s, %s, %s, %s, %s, %s::jsonb, %s, %s)",
                page_size=len(rows),
            )
            return cursor.cursor.rowcount
        cursor.execute(_CREATE_LOAD)
        cursor.cursor.copy_expert(f"COPY {_LOAD_TABLE} FROM STDIN", _copy_buffer(rows))
        cursor.execute(
            _INSERT_COLUMNS
            + "SELECT proposal_id, channel_code, eligible, score, fingerprint, trace, %s, %s "
            + f"FROM {_LOAD_TABLE}"
            + _UPSERT_TAIL,
            [rule_set_id, now],
        )
        written = cursor.rowcount
        # The rows would go at commit; the outer transaction may score another batch first.
        cursor.execute(f"TRUNCATE {_LOAD_TABLE}")
    return written


def score_proposal(*, proposal_id: int) -> int:
    """Score one proposal under the active rule set; 0 when it is gone or not in the pipeline.

    The results and what the apps above make of them (`proposals_scored`: the routing policy
    looks at the proposal again) commit together."""
    rule_set = selectors.active_rule_set()
    if rule_set is None:
        return 0
    queryset = selectors.scoreable_proposals().filter(pk=proposal_id)
    with transaction.atomic():
        written = score_proposals(queryset=queryset, rule_set=rule_set)
        signals.proposals_scored.send(sender=MatchResult, proposal_ids=[proposal_id])
    return written


def score_missing(*, limit: int = SWEEP_LIMIT) -> int:
    """Score scoreable proposals that lack a result under the active rule set (the sweep).

    Catches submissions whose scoring message never reached a worker (broker down at submit
    time). Returns the number of proposals scored.
    """
    rule_set = selectors.active_rule_set()
    if rule_set is None:
        return 0
    missing = (
        selectors.scoreable_proposals()
        .exclude(match_results__rule_set=rule_set)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(missing)
    if ids:
        with transaction.atomic():
            score_proposals(queryset=Proposal.objects.filter(pk__in=ids), rule_set=rule_set)
            signals.proposals_scored.send(sender=MatchResult, proposal_ids=ids)
    return len(ids)


def check_draft(*, proposal: Proposal) -> list[dict]:
    """The "which channel fits?" check: the active rules on a draft, nothing saved."""
    return check_input(selectors.proposal_input(proposal))


def check_input(p: ProposalInput) -> list[dict]:
    """The active rules on the engine's plain input, nothing saved: one result per channel in
    the channels' order, with the match result fields (channel, eligible, score, breakdown,
    checks, hints) and the rule set's version; empty when no rule set is active. Used by the
    check of a draft and by the public self-check."""
    rule_set = selectors.active_rule_set()
    if rule_set is None:
        return []
    compiled = compiled_rule_set(rule_set)
    remaining = selectors.channel_remaining()
    results = []
    for channel in compiled.channels:
        left = remaining.get(channel.code, 0)
        results.append(
            {
                "channel": channel.code,
                **explain(channel, evaluate(channel, p, left), p, left),
                "rule_version": compiled.version,
            }
        )
    return results


# ---------------------------------------------------------------------------------------------
# Rule sets


def _invalid(exc: RuleSetInvalid) -> ValidationError:
    return ValidationError({"rules": list(exc.errors)})


def _lock_rule_sets() -> None:
    """Serialize the changes of which rule set is active and how drafts are numbered, for the
    rest of the transaction. Locking the active row is not enough: a second activation that
    waited for it would find it no longer active once the first commits, and activate a
    second set beside the first. SQLite runs one writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RULE_SET_LOCK])


def rule_set_create_draft(*, actor: User, based_on_id: int | None = None) -> RuleSet:
    """A new draft, copying the given rule set (or the active one) as its starting content."""
    if not can_manage_rules(actor):
        raise PermissionDenied
    with transaction.atomic():
        _lock_rule_sets()
        if based_on_id is None:
            source = selectors.active_rule_set()
        else:
            source = RuleSet.objects.filter(pk=based_on_id).first()
            if source is None:
                raise ValidationError(
                    {"based_on": _("There is no rule set to start from with this number.")}
                )
        if source is None:
            from matching.scoring import default_rules

            rules, name = default_rules(), _("New rule set")
        else:
            rules, name = source.rules, source.name
        version = (RuleSet.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        draft = RuleSet.objects.create(
            version=version,
            name=name[:NAME_MAX],
            rules=rules,
            based_on=source,
            created_by=actor,
        )
        audit_record(actor=actor, action="ruleset.create", obj=draft, to_state=draft.status)
    return draft


def rule_set_update_draft(
    *, rule_set_id: int, actor: User, name: str, description: str, rules
) -> RuleSet:
    """Replace a draft's content; refused (field errors, nothing saved) when it is invalid."""
    if not can_manage_rules(actor):
        raise PermissionDenied
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the rule set a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("The name is too long.")]
    try:
        validate_rules(rules)
    except RuleSetInvalid as exc:
        errors["rules"] = list(exc.errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rule_set = RuleSet.objects.select_for_update().get(pk=rule_set_id)
        if not rule_set.is_draft:
            raise TransitionNotAllowed(_("Only a draft rule set can be edited."))
        rule_set.name = name
        rule_set.description = description or ""
        rule_set.rules = rules
        rule_set.save()
        audit_record(actor=actor, action="ruleset.update", obj=rule_set)
    return rule_set


def rule_set_activate(*, rule_set_id: int, actor: User) -> RescoreRun:
    """Make a valid draft the one active set, retire the previous, and rescore everything."""
    if not can_manage_rules(actor):
        raise PermissionDenied
    with transaction.atomic():
        _lock_rule_sets()
        current = RuleSet.objects.select_for_update().filter(status=RuleSetStatus.ACTIVE).first()
        rule_set = RuleSet.objects.select_for_update().get(pk=rule_set_id)
        if not rule_set.is_draft:
            raise TransitionNotAllowed(_("Only a draft rule set can be activated."))
        try:
            compile_rules(rule_set.rules, version=rule_set.version)
        except RuleSetInvalid as exc:
            raise _invalid(exc) from exc
        now = timezone.now()
        if current is not None:
            current.status = RuleSetStatus.RETIRED
            current.retired_at = now
            current.save(update_fields=["status", "retired_at", "updated_at"])
            audit_record(
                actor=actor,
                action="ruleset.retire",
                obj=current,
                from_state=RuleSetStatus.ACTIVE,
                to_state=RuleSetStatus.RETIRED,
            )
        rule_set.status = RuleSetStatus.ACTIVE
        rule_set.activated_at = now
        rule_set.save(update_fields=["status", "activated_at", "updated_at"])
        audit_record(
            actor=actor,
            action="ruleset.activate",
            obj=rule_set,
            from_state=RuleSetStatus.DRAFT,
            to_state=RuleSetStatus.ACTIVE,
        )
        return rescore_start(rule_set=rule_set, actor=actor)


# ---------------------------------------------------------------------------------------------
# Rescore


def rescore_start(
    *,
    rule_set: RuleSet,
    actor: User | None = None,
    batch_size: int = RESCORE_BATCH_SIZE,
    enqueue: bool = True,
) -> RescoreRun:
    """Record a rescore of the whole pipeline as batches; workers take them after commit."""
    with transaction.atomic():
        run = RescoreRun.objects.create(rule_set=rule_set, batch_size=batch_size, created_by=actor)
        batches = []
        total = 0
        for index, ids in enumerate(
            selectors.ids_in_batches(selectors.scoreable_proposals(), batch_size)
        ):
            batches.append(
                RescoreBatch(run=run, index=index, first_id=ids[0], last_id=ids[-1], size=len(ids))
            )
            total += len(ids)
        RescoreBatch.objects.bulk_create(batches)
        run.total_proposals = total
        if not batches:
            run.finished_at = timezone.now()
        run.save(update_fields=["total_proposals", "finished_at"])
        if enqueue:
            rescore_enqueue(run=run)
    return run


def rescore_for_capacity() -> RescoreRun | None:
    """A rescore of the pipeline under the active rule set after the channels' capacity
    changed; None when there is no active set, or when a run that has not started any batch
    yet will read the new capacity anyway (a burst of decisions rescores once)."""
    rule_set = selectors.active_rule_set()
    if rule_set is None:
        return None
    waiting = RescoreRun.objects.filter(rule_set=rule_set, finished_at__isnull=True).exclude(
        batches__done_at__isnull=False
    )
    if waiting.exists():
        return None
    return rescore_start(rule_set=rule_set)


def rescore_enqueue(*, run: RescoreRun) -> int:
    """Send one message per unfinished batch (after commit); finished batches are never redone."""
    rescore_batch = task("matching.rescore_batch")

    pending = list(run.batches.filter(done_at__isnull=True).values_list("pk", flat=True))

    def send():
        for batch_id in pending:
            rescore_batch.apply_async(args=[batch_id], queue="scoring")

    # robust: with the broker down the activation still stands (the page answers); the run
    # stays unfinished and `manage.py rescore --workers` resumes it.
    transaction.on_commit(send, robust=True)
    return len(pending)


RESCORE_STALE_AFTER = timedelta(minutes=10)


def rescore_resume_stale(*, now=None) -> int:
    """Re-send the unfinished batches of runs that made no progress for a while (the sweep).

    A worker killed mid-batch leaves its message unacknowledged until the broker's visibility
    timeout (an hour); a broker that was down at activation never got the messages. Batches
    are idempotent (a finished batch is skipped), so re-sending is always safe. Returns how many
    runs were resumed.
    """
    now = now or timezone.now()
    resumed = 0
    for run in RescoreRun.objects.filter(finished_at__isnull=True):
        last = run.batches.aggregate(last=Max("done_at"))["last"] or run.created_at
        if now - last >= RESCORE_STALE_AFTER:
            rescore_enqueue(run=run)
            resumed += 1
    return resumed


def rescore_batch_run(*, batch_id: int, remaining: dict[str, int] | None = None) -> bool:
    """Score one batch and mark it done in the same transaction; False if it was already done."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A batch is idempotent and an unfinished one is re-sent by the sweep, so a commit
            # lost in a database crash costs a redo, never a wrong result: no need to wait for
            # the WAL flush on each of the run's hundreds of commits.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        # The row lock makes a duplicate delivery wait, then see the batch done and stop. Only
        # the batch row (of=self): locking the joined run and rule set too would make batches
        # of one run wait for each other in every worker.
        batch = (
            RescoreBatch.objects.select_for_update(of=("self",))
            .select_related("run__rule_set")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or batch.done_at is not None:
            return False
        run = batch.run
        queryset = selectors.scoreable_proposals().filter(
            pk__gte=batch.first_id, pk__lte=batch.last_id
        )
        score_proposals(queryset=queryset, rule_set=run.rule_set, remaining=remaining, fresh=True)
        signals.proposals_scored.send(sender=MatchResult, id_range=(batch.first_id, batch.last_id))
        now = timezone.now()
        batch.done_at = now
        batch.save(update_fields=["done_at"])
        # Serialise the "was that the last batch?" check on the run row.
        RescoreRun.objects.select_for_update().filter(pk=run.pk).first()
        if not run.batches.filter(done_at__isnull=True).exists():
            RescoreRun.objects.filter(pk=run.pk).update(finished_at=now)
    return True


# ---------------------------------------------------------------------------------------------
# Preview


def preview_start(*, rule_set_id: int, actor: User) -> RulePreview:
    """Ask a worker what would change if the draft were activated now."""
    if not can_manage_rules(actor):
        raise PermissionDenied
    preview_rule_set = task("matching.preview_rule_set")

    with transaction.atomic():
        rule_set = RuleSet.objects.get(pk=rule_set_id)
        if not rule_set.is_draft:
            raise TransitionNotAllowed(_("Only a draft rule set can be previewed."))
        try:
            validate_rules(rule_set.rules)
        except RuleSetInvalid as exc:
            raise _invalid(exc) from exc
        preview = RulePreview.objects.create(
            rule_set=rule_set,
            base_rule_set=selectors.active_rule_set(),
            rules_hash=selectors.rules_hash(rule_set.rules),
            created_by=actor,
        )
        transaction.on_commit(
            lambda: preview_rule_set.apply_async(args=[preview.pk], queue="scoring"),
            robust=True,
        )
    return preview


def _outcome(rules: CompiledRuleSet, p, remaining) -> dict:
    evaluations = evaluate_all(rules, p, remaining)
    return {
        "best": best_channel(evaluations),
        "eligible": {e.channel: e.eligible for e in evaluations},
        "scores": {e.channel: e.score for e in evaluations},
    }


def compare_outcomes(before: dict, after: dict) -> list[str]:
    """What changed between two outcomes: best channel, eligibility, or a score band."""
    kinds = []
    if before["best"] != after["best"]:
        kinds.append("best_channel")
    if before["eligible"] != after["eligible"]:
        kinds.append("eligibility")
    if any(
        score_band(before["scores"].get(c, 0)) != score_band(s) for c, s in after["scores"].items()
    ):
        kinds.append("score_band")
    return kinds


def preview_compute(*, preview_id: int) -> RulePreview | None:
    """Evaluate every pipeline proposal under the active set and the draft; keep the changes."""
    preview = (
        RulePreview.objects.select_related("rule_set", "base_rule_set")
        .filter(pk=preview_id, finished_at__isnull=True)
        .first()
    )
    if preview is None:
        return None
    draft = compile_rules(preview.rule_set.rules, version=preview.rule_set.version)
    base = compiled_rule_set(preview.base_rule_set) if preview.base_rule_set else None
    remaining = selectors.channel_remaining()
    changes = []
    total = 0
    for ids in selectors.ids_in_batches(selectors.scoreable_proposals(), PREVIEW_CHUNK):
        for p in selectors.proposal_inputs(Proposal.objects.filter(pk__in=ids)):
            total += 1
            after = _outcome(draft, p, remaining)
            before = (
                _outcome(base, p, remaining)
                if base
                else {"best": None, "eligible": {}, "scores": {}}
            )
            kinds = compare_outcomes(before, after)
            if kinds:
                changes.append({"proposal": p.id, "kinds": kinds, "before": before, "after": after})
    titles = dict(
        Proposal.objects.filter(pk__in=[c["proposal"] for c in changes]).values_list("pk", "title")
    )
    for change in changes:
        change["title"] = titles.get(change["proposal"], "")
    RulePreview.objects.filter(pk=preview.pk).update(
        changes=changes, total_proposals=total, finished_at=timezone.now()
    )
    preview.refresh_from_db()
    return preview
