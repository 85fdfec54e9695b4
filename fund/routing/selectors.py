"""Reads of automatic routing: the policy versions, the switch, each proposal's routing status
and the preview of what a policy would route now."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

from django.db.models import Count, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from alliance.models import Proposal, User
from fund.coordination.models import CoordinationPacket, PacketKind
from fund.ministry.selectors import recommended_ids, with_recommended
from fund.routing.models import (
    SWITCH_ID,
    PolicyStatus,
    RoutedProposal,
    RoutingCandidate,
    RoutingPolicy,
    RoutingSwitch,
)
from fund.routing.permissions import can_see_held_reasons, can_see_routing
from fund.routing.policy import Decision, Facts, decide, note, render
from matching.models import MatchResult, RuleSetStatus
from portal.core.ids import parse_id
from portal.core.vocabulary import ProposalStatus

# Proposals that went to the fund: by the workers (a RoutedProposal) or else by KEIT's hand.
REFERRED_STATUSES = (ProposalStatus.REFERRED, ProposalStatus.IN_REVIEW, ProposalStatus.DECIDED)
PREVIEW_CHUNK = 2000
PREVIEW_LIST_MAX = 200


def active_policy() -> RoutingPolicy | None:
    """The active version with the switch's state as `paused` (one query)."""
    switch = RoutingSwitch.objects.filter(pk=SWITCH_ID).values("paused")[:1]
    return (
        RoutingPolicy.objects.filter(status=PolicyStatus.ACTIVE)
        .annotate(paused=Subquery(switch))
        .first()
    )


def switch_state() -> RoutingSwitch:
    """The pause switch as stored, or (before anyone touched it) an unsaved running one."""
    return RoutingSwitch.objects.select_related("changed_by").filter(
        pk=SWITCH_ID
    ).first() or RoutingSwitch(pk=SWITCH_ID, paused=False)


def policies_visible_to(user: User) -> QuerySet[RoutingPolicy]:
    """Both secretariats see every version; everyone else none."""
    if can_see_routing(user):
        return RoutingPolicy.objects.select_related("created_by", "activated_by")
    return RoutingPolicy.objects.none()


def today() -> datetime.date:
    """The day in Korea that a referral counts against the daily caps."""
    return timezone.localdate()


def routed_on(day: datetime.date) -> dict[str, int]:
    """Proposals routed to each channel on `day`."""
    rows = (
        RoutedProposal.objects.filter(routed_on=day)
        .order_by()
        .values_list("channel")
        .annotate(n=Count("pk"))
    )
    return dict(rows)


def _has_bonus(document: dict) -> bool:
    return any(
        body["route"] and body.get("recommended_bonus", 0) for body in document["channels"].values()
    )


def _has_caps(document: dict) -> bool:
    return any(
        body["route"] and body["daily_cap"] is not None for body in document["channels"].values()
    )


def _results(ids: Iterable[int]) -> dict[int, tuple]:
    """Each proposal's results under the active rule set as (channel, eligible, score), in the
    channels' order (one query)."""
    found: dict[int, list] = {}
    rows = (
        MatchResult.objects.filter(proposal_id__in=list(ids), rule_set__status=RuleSetStatus.ACTIVE)
        .order_by("proposal_id", "channel__order")
        .values_list("proposal_id", "channel_id", "eligible", "score")
    )
    for proposal_id, channel, eligible, score in rows:
        found.setdefault(proposal_id, []).append((channel, eligible, score))
    return {pk: tuple(rows) for pk, rows in found.items()}


def proposal_facts(ids: Iterable[int]) -> dict[int, Facts]:
    """What the policy reads of these proposals (two queries); a proposal without results under
    the active rule set has empty `results`."""
    ids = list(ids)
    if not ids:
        return {}
    rows = with_recommended(Proposal.objects.filter(pk__in=ids)).values_list(
        "pk", "status", "sub_alliance__code", "industry__code", "requested_krw", "recommended"
    )
    results = _results(ids)
    return {
        pk: Facts(pk, status, sub_alliance, industry, requested, results.get(pk, ()), recommended)
        for pk, status, sub_alliance, industry, requested, recommended in rows
    }


def _code(proposal: Proposal, relation: str) -> str | None:
    """The code of the proposal's sub-alliance or industry, from the joined row when the
    caller's queryset joined it."""
    if getattr(proposal, f"{relation}_id") is None:
        return None
    return getattr(proposal, relation).code


def _facts_of(proposals: list[Proposal], *, recommended: bool = False) -> dict[int, Facts]:
    """Facts of proposals already loaded (their sub-alliance and industry joined): one query,
    for the results, and one more for 산업부's recommendations when `recommended` (the policy
    counts them)."""
    results = _results(p.pk for p in proposals)
    chosen = recommended_ids(p.pk for p in proposals) if recommended else set()
    return {
        p.pk: Facts(
            p.pk,
            p.status,
            _code(p, "sub_alliance"),
            _code(p, "industry"),
            p.requested_krw,
            results.get(p.pk, ()),
            p.pk in chosen,
        )
        for p in proposals
    }


def _status(state, *, policy_version=None, channel="", at=None, reasons=()) -> dict:
    return {
        "state": state,
        "policy_version": policy_version,
        "channel": channel or "",
        "at": at,
        "reasons": list(reasons),
    }


NO_ROUTING = _status(None)


def routing_statuses(proposals: Iterable[Proposal], user: User) -> dict[int, dict]:
    """How each proposal went to the fund, or why it has not (SPEC §7's `routing`).

    `routed`: the workers referred it under policy `policy_version` at `at`, for `reasons`
    (every condition, met). `manual`: KEIT referred it by hand at `at`. `held`: submitted and
    scored, and the active policy does not route it now; `reasons` are the conditions it
    misses (staff only: an applicant sees no state until it went to the fund). `None`: nothing
    to say yet (a draft, not scored, no active policy), or it meets every condition and a
    worker is about to route it (the reason says so). Pass proposals with their sub-alliance
    and industry joined; a list costs at most five queries.
    """
    proposals = list(proposals)
    statuses = {p.pk: NO_ROUTING for p in proposals}
    referred = [p.pk for p in proposals if p.status in REFERRED_STATUSES]
    if referred:
        routed = {
            r.proposal_id: r
            for r in RoutedProposal.objects.filter(proposal_id__in=referred).select_related(
                "policy"
            )
        }
        for pk, row in routed.items():
            statuses[pk] = _status(
                "routed",
                policy_version=row.policy.version,
                channel=row.channel,
                at=row.routed_at,
                reasons=row.reasons,
            )
        by_hand = [pk for pk in referred if pk not in routed]
        if by_hand:
            packets = (
                CoordinationPacket.objects.filter(proposal_id__in=by_hand, kind=PacketKind.REFERRAL)
                .order_by("sequence")
                .values_list("proposal_id", "created_at", "payload__proposed_channel")
            )
            referrals = {pk: (at, channel) for pk, at, channel in packets}
            for pk in by_hand:
                at, channel = referrals.get(pk, (None, ""))
                statuses[pk] = _status(
                    "manual", channel=channel, at=at, reasons=[note("manual", channel)]
                )
    waiting = [p for p in proposals if p.status == ProposalStatus.SUBMITTED]
    if waiting and can_see_held_reasons(user):
        policy = active_policy()
        if policy is not None:
            facts = _facts_of(waiting, recommended=_has_bonus(policy.document))
            counts = routed_on(today()) if _has_caps(policy.document) else {}
            for p in waiting:
                statuses[p.pk] = held_status(policy, facts[p.pk], counts, bool(policy.paused))
    return statuses


def held_status(policy: RoutingPolicy, facts: Facts, counts: dict, paused: bool) -> dict:
    """A submitted proposal's status under the active policy, as `routing_statuses` gives it."""
    version = policy.version
    if not facts.results:
        return _status(None, policy_version=version, reasons=[note("unscored")])
    decision = decide(policy.document, facts, routed_today=counts, paused=paused)
    if decision.route:
        return _status(
            None,
            policy_version=version,
            channel=decision.channel,
            reasons=[note("pending", decision.channel)],
        )
    return _status(
        "held",
        policy_version=version,
        channel=decision.channel,
        reasons=[render(r) for r in decision.missed],
    )


def routing_status(proposal: Proposal, user: User) -> dict:
    return routing_statuses([proposal], user)[proposal.pk]


def candidate_count() -> int:
    return RoutingCandidate.objects.count()


# ---------------------------------------------------------------------------------------------
# Preview


def preview(policy: RoutingPolicy) -> dict:
    """What `policy` would route now if it were active and routing ran: every submitted
    proposal looked at in the order of submission (as the workers take them), the day's caps
    counted from what was already routed today. The pause switch is left out: the preview
    answers what the policy selects. Returns the counts per channel, the held proposals per
    first missed condition, and the first PREVIEW_LIST_MAX proposals it would route."""
    document = policy.document
    counts = routed_on(today())
    taken: Counter = Counter(counts)
    by_channel: Counter = Counter()
    held: Counter = Counter()
    chosen: list[tuple[int, str, int]] = []
    submitted = scored = 0
    ids = (
        Proposal.objects.filter(status=ProposalStatus.SUBMITTED)
        .order_by("submitted_at", "pk")
        .values_list("pk", flat=True)
    )
    chunk: list[int] = []

    def look(chunk: list[int]) -> None:
        nonlocal scored
        facts = proposal_facts(chunk)
        for pk in chunk:
            found = facts.get(pk)
            if found is None or not found.results:
                held["unscored"] += 1
                continue
            scored += 1
            decision: Decision = decide(document, found, routed_today=taken, paused=False)
            if decision.route:
                taken[decision.channel] += 1
                by_channel[decision.channel] += 1
                if len(chosen) < PREVIEW_LIST_MAX:
                    chosen.append((pk, decision.channel, decision.score))
            else:
                held[decision.missed[0]["code"]] += 1

    for pk in ids.iterator(chunk_size=PREVIEW_CHUNK):
        submitted += 1
        chunk.append(pk)
        if len(chunk) == PREVIEW_CHUNK:
            look(chunk)
            chunk = []
    if chunk:
        look(chunk)
    names = {
        row[0]: row[1:]
        for row in Proposal.objects.filter(pk__in=[pk for pk, _c, _s in chosen]).values_list(
            "pk", "title", "firm__name"
        )
    }
    return {
        "policy": policy.pk,
        "version": policy.version,
        "computed_at": timezone.now(),
        "submitted": submitted,
        "scored": scored,
        "would_route": sum(by_channel.values()),
        "by_channel": {code: by_channel.get(code, 0) for code in document["channels"]},
        "rows": [
            {
                "code": code,
                "would_route": by_channel.get(code, 0),
                "routed_today": counts.get(code, 0),
            }
            for code in document["channels"]
        ],
        "held": dict(sorted(held.items())),
        "routed_today": counts,
        "proposals": [
            {
                "proposal": pk,
                "title": names.get(pk, ("", ""))[0],
                "firm": names.get(pk, ("", ""))[1],
                "channel": channel,
                "score": score,
            }
            for pk, channel, score in chosen
        ],
    }


def policy_get(user: User, pk) -> RoutingPolicy:
    """The version `pk`, or 404 when it does not exist or the user may not see it."""
    policy = policies_visible_to(user).filter(pk=parse_id(pk)).first()
    if policy is None:
        raise Http404
    return policy


def waiting_count() -> int:
    """Proposals the workers have yet to look at (candidates due now)."""
    return RoutingCandidate.objects.filter(due_at__lte=timezone.now()).count()
