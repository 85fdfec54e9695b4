"""Reads for matching: the active rule set (compiled once per process), engine inputs, results."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum

from alliance.models import Proposal, ProposalPartner, User
from fund.capacity.selectors import channels_with_capacity
from matching.models import MatchResult, RescoreRun, RulePreview, RuleSet, RuleSetStatus
from matching.scoring import ProposalInput
from portal.core.vocabulary import SME_SIZES, ProposalStatus

# Everything that has been submitted and not withdrawn is in the pipeline and gets scored.
SCOREABLE_STATUSES = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.INFO_REQUESTED,
    ProposalStatus.REFERRED,
    ProposalStatus.IN_REVIEW,
    ProposalStatus.DECIDED,
)


def active_rule_set() -> RuleSet | None:
    return RuleSet.objects.filter(status=RuleSetStatus.ACTIVE).first()


def channel_remaining() -> dict[str, int]:
    """Remaining capacity per channel code, from the commitment ledger (one query)."""
    return {c.code: c.size_krw - c.committed_krw for c in channels_with_capacity()}


_INPUT_FIELDS = (
    "id",
    "industry__code",
    "fund_uses",
    "structure",
    "region",
    "trl",
    "ai_related",
    "total_cost_krw",
    "requested_krw",
    "private_coinvest_krw",
    "expected_value_added_krw",
    "expected_jobs",
    "firm__size_class",
)


def proposal_inputs(queryset: QuerySet[Proposal]) -> list[ProposalInput]:
    """Engine inputs for the proposals of `queryset`, in id order, in two queries."""
    rows = list(queryset.order_by("id").values_list(*_INPUT_FIELDS))
    ids = [row[0] for row in rows]
    partners = {
        row["proposal_id"]: (row["n"], row["sme"])
        for row in ProposalPartner.objects.filter(proposal_id__in=ids)
        .values("proposal_id")
        .annotate(n=Count("id"), sme=Count("id", filter=Q(firm__size_class__in=SME_SIZES)))
    }
    inputs = []
    for row in rows:
        n, sme = partners.get(row[0], (0, 0))
        uses = row[2] if isinstance(row[2], list) else []
        inputs.append(
            ProposalInput(
                row[0],
                row[1] or None,
                frozenset(u for u in uses if isinstance(u, str)),
                row[3] or None,
                row[4] or None,
                row[5],
                bool(row[6]),
                *row[7:12],
                row[12] or None,
                n,
                sme,
            )
        )
    return inputs


def proposal_input(proposal: Proposal) -> ProposalInput:
    """Engine input for one proposal (used by the unsaved "which channel fits?" check)."""
    return proposal_inputs(Proposal.objects.filter(pk=proposal.pk))[0]


def fingerprint(p: ProposalInput, channel: str, remaining: int, version: int) -> str:
    """Hash of every input a result depends on."""
    return channel_fingerprint(proposal_fingerprint_part(p), channel, remaining, version)


def proposal_fingerprint_part(p: ProposalInput) -> str:
    """The proposal's share of its fingerprints: serialised once for its four channels."""
    data = [*p[:2], sorted(p.fund_uses), *p[3:]]
    return json.dumps(data, separators=(",", ":"))


def channel_fingerprint(part: str, channel: str, remaining: int, version: int) -> str:
    """sha256 of the JSON list [version, channel, remaining, *proposal values].

    Built by splicing the proposal's serialised part after the three leading values, which is
    byte for byte the JSON of the whole list (channel codes are plain identifiers).
    """
    text = f'[{int(version)},"{channel}",{int(remaining)},{part[1:]}'
    return hashlib.sha256(text.encode()).hexdigest()


def results_for_proposal(proposal: Proposal) -> list[MatchResult]:
    """The four results under the newest rule set that scored the proposal (one query)."""
    results = list(
        MatchResult.objects.filter(proposal=proposal)
        .select_related("rule_set")
        # The rule set's rules (a large JSON document) would be decoded once per row; they
        # are read only to compile the rule set, which is cached per process, and then load
        # on first use (docs/performance.md, referral).
        .defer("rule_set__rules")
        .order_by("-rule_set__version", "channel__order")
    )
    if not results:
        return []
    newest = results[0].rule_set_id
    return [r for r in results if r.rule_set_id == newest]


def eligible_channels(proposal_ids: list[int]) -> dict[int, list[str]]:
    """Each proposal's eligible channels (codes, sorted) under the newest rule set that scored
    it, as results_for_proposal reads them; a proposal never scored is absent. One query."""
    newest: dict[int, int] = {}
    rows = defaultdict(list)
    for proposal_id, channel, eligible, version in MatchResult.objects.filter(
        proposal_id__in=proposal_ids
    ).values_list("proposal_id", "channel_id", "eligible", "rule_set__version"):
        rows[proposal_id].append((channel, eligible, version))
        newest[proposal_id] = max(newest.get(proposal_id, version), version)
    return {
        pid: sorted(c for c, eligible, v in results if eligible and v == newest[pid])
        for pid, results in rows.items()
    }


def results_snapshot(proposal: Proposal) -> list[dict]:
    """The proposal's current results as plain data, to be kept with a decision: the stored
    trace and the (immutable) rule set it was scored under render the same reasons forever."""
    return [
        {
            "channel": r.channel_id,
            "eligible": r.eligible,
            "score": r.score,
            "rule_set": r.rule_set_id,
            "rule_version": r.rule_set.version,
            "trace": r.trace,
            "computed_at": r.computed_at.isoformat(),
        }
        for r in results_for_proposal(proposal)
    ]


def results_from_snapshot(snapshot: list[dict]) -> list[MatchResult]:
    """Unsaved MatchResult rows rebuilt from `results_snapshot` (one query for the rule sets),
    so pages show a decision's results exactly as they show live ones."""
    rule_sets = RuleSet.objects.in_bulk({row["rule_set"] for row in snapshot})
    return [
        MatchResult(
            channel_id=row["channel"],
            rule_set=rule_sets[row["rule_set"]],
            eligible=row["eligible"],
            score=row["score"],
            trace=row["trace"],
            computed_at=datetime.fromisoformat(row["computed_at"]),
        )
        for row in snapshot
        if row["rule_set"] in rule_sets
    ]


def rule_sets_visible_to(user: User) -> QuerySet[RuleSet]:
    """Alliance and fund staff see every rule set; everyone else none."""
    if user.is_authenticated and (
        user.is_superuser or user.is_alliance_staff or user.is_fund_staff
    ):
        return RuleSet.objects.select_related("created_by")
    return RuleSet.objects.none()


def rescore_progress(run: RescoreRun) -> dict:
    """Batches and proposals done out of the total, for the progress bars."""
    totals = run.batches.aggregate(
        batches=Count("id"),
        batches_done=Count("id", filter=Q(done_at__isnull=False)),
        proposals_done=Sum("size", filter=Q(done_at__isnull=False), default=0),
    )
    total = run.total_proposals
    percent = 100 if total == 0 else int(100 * totals["proposals_done"] / total)
    return {
        "run": run,
        "batches": totals["batches"],
        "batches_done": totals["batches_done"],
        "proposals_done": totals["proposals_done"],
        "total": total,
        "percent": percent,
        "finished": run.finished_at is not None,
    }


def latest_rescore(rule_set: RuleSet) -> RescoreRun | None:
    return rule_set.rescores.order_by("-created_at", "-id").first()


def latest_preview(rule_set: RuleSet) -> RulePreview | None:
    return rule_set.previews.order_by("-created_at", "-id").first()


def rules_hash(rules) -> str:
    return hashlib.sha256(json.dumps(rules, sort_keys=True).encode()).hexdigest()


def scoreable_proposals() -> QuerySet[Proposal]:
    return Proposal.objects.filter(status__in=SCOREABLE_STATUSES)


def ids_in_batches(queryset: QuerySet[Proposal], size: int) -> Iterable[list[int]]:
    """Proposal ids in ascending chunks of `size`, streamed from one query."""
    chunk: list[int] = []
    ids = queryset.order_by("pk").values_list("pk", flat=True)
    for pk in ids.iterator(chunk_size=max(size, 2000)):
        chunk.append(pk)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# The one ranking of a proposal's results, wherever a "best channel" is shown: the eligible
# result with the highest score, ties to the earlier channel. In memory: scoring.best.
BEST_FIRST = ("-score", "channel__order")


def _best(results: QuerySet[MatchResult], field: str) -> Subquery:
    return Subquery(results.order_by(*BEST_FIRST).values(field)[:1])


NO_ELIGIBLE_CHANNEL = "none"


def _eligible_results(rule_set: RuleSet | None = None) -> QuerySet[MatchResult]:
    """Eligible results under `rule_set`, or else the active one (whose id PostgreSQL looks up
    once per query, as an InitPlan, since the subquery is not correlated)."""
    if rule_set is not None:
        return MatchResult.objects.filter(rule_set_id=rule_set.pk, eligible=True)
    active = RuleSet.objects.filter(status=RuleSetStatus.ACTIVE).values("pk")[:1]
    return MatchResult.objects.filter(rule_set_id=Subquery(active), eligible=True)


def proposals_with_best_match(
    queryset: QuerySet[Proposal],
    *,
    filters: dict,
    sort: str = "submitted",
    rule_set: RuleSet | None = None,
) -> QuerySet[Proposal]:
    """KEIT's ranked proposals, for both of its lists (every proposal, and the screening
    inbox of the submitted ones): `queryset` (already restricted to the user) with
    `best_channel` and `best_score`, its best eligible result under `rule_set` (default: the
    active one), ranked by BEST_FIRST. Filtered by `best_channel` (a channel code, or "none"
    for no eligible channel) and `min_score`, and sorted: newest or oldest submission, highest
    or lowest best score (no eligible channel last either way), or highest best score and
    then the oldest submission (`score_fifo`: first come, first screened)."""
    eligible = _eligible_results(rule_set)
    results = eligible.filter(proposal=OuterRef("pk"))
    qs = queryset.annotate(
        # The score alone needs no channel order: a top-1 over (proposal, rule set, score).
        best_score=Subquery(results.order_by("-score").values("score")[:1]),
        best_channel=_best(results, "channel"),
    )
    # Each filter is first a semi-join on the results (one pass, hashed), so the per-row best
    # channel is only worked out for proposals that can still match.
    if filters.get("best_channel") == NO_ELIGIBLE_CHANNEL:
        qs = qs.exclude(pk__in=eligible.values("proposal_id"))
    elif "best_channel" in filters:
        channel = filters["best_channel"]
        qs = qs.filter(
            pk__in=eligible.filter(channel=channel).values("proposal_id"),
            best_channel=channel,
        )
    if "min_score" in filters:
        # The best score is at least N exactly when some eligible result scores at least N.
        qs = qs.filter(
            pk__in=eligible.filter(score__gte=filters["min_score"]).values("proposal_id")
        )
    newest = (F("submitted_at").desc(nulls_last=True), "-updated_at", "-id")
    if sort == "score":
        return qs.order_by(F("best_score").desc(nulls_last=True), *newest)
    if sort == "score_fifo":
        return qs.order_by(F("best_score").desc(nulls_last=True), "submitted_at", "pk")
    if sort == "score_asc":
        return qs.order_by(F("best_score").asc(nulls_last=True), *newest)
    if sort == "submitted_asc":
        return qs.order_by(F("submitted_at").asc(nulls_last=True), "updated_at", "id")
    return qs.order_by(*newest)
