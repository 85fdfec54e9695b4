"""Reads for matching: the active rule set (compiled once per process), engine inputs, results."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet, Sum

from alliance.choices import ProposalStatus, SizeClass
from alliance.models import Proposal, ProposalPartner, User
from fund.selectors import channels_with_capacity

from .models import MatchResult, RescoreRun, RulePreview, RuleSet, RuleSetStatus
from .scoring import CompiledRuleSet, ProposalInput, compile_rules

# Everything that has been submitted and not withdrawn is in the pipeline and gets scored.
SCOREABLE_STATUSES = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.INFO_REQUESTED,
    ProposalStatus.REFERRED,
    ProposalStatus.IN_REVIEW,
    ProposalStatus.DECIDED,
)
SME_SIZES = (SizeClass.SME, SizeClass.STARTUP)

_compiled_cache: dict[tuple[int, int], CompiledRuleSet] = {}


def active_rule_set() -> RuleSet | None:
    return RuleSet.objects.filter(status=RuleSetStatus.ACTIVE).first()


def compiled_rule_set(rule_set: RuleSet) -> CompiledRuleSet:
    """Compile once per process for frozen sets; a draft is compiled afresh (it may change)."""
    if rule_set.is_draft:
        return compile_rules(rule_set.rules, version=rule_set.version)
    key = (rule_set.pk, rule_set.version)
    compiled = _compiled_cache.get(key)
    if compiled is None:
        compiled = _compiled_cache[key] = compile_rules(rule_set.rules, version=rule_set.version)
    return compiled


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
        .order_by("-rule_set__version", "channel__order")
    )
    if not results:
        return []
    newest = results[0].rule_set_id
    return [r for r in results if r.rule_set_id == newest]


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
