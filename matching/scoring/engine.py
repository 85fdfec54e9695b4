"""Compile a validated rule set into closures once; evaluate proposals with no database access.

The hot path (`evaluate`) returns numbers and short detail tuples only; a stored result keeps
them as a compact trace and the Korean and English reasons are rendered (`explain`, `render`)
only when a result is shown, so that previews and full rescores stay fast (measured by
`python -m matching.bench`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from fractions import Fraction
from operator import attrgetter
from typing import NamedTuple, TypeVar

from matching.scoring.rules import (
    CHANNEL_CODES,
    CRITERIA,
    ELIGIBILITY_RULES,
    as_decimal,
    validate_rules,
)
from portal.core.vocabulary import CAPITAL_AREA, EOK, SME_SIZES

T = TypeVar("T")
_ELIGIBLE = attrgetter("eligible")
_SCORE = attrgetter("score")
HUNDRED_EOK = 100 * EOK


class ProposalInput(NamedTuple):
    """Everything the rules may look at, as plain values (None = not given)."""

    id: int
    industry: str | None
    fund_uses: frozenset
    structure: str | None
    region: str | None
    trl: int | None
    ai_related: bool
    total_cost_krw: int | None
    requested_krw: int | None
    private_coinvest_krw: int | None
    expected_value_added_krw: int | None
    expected_jobs: int | None
    lead_size: str | None
    partner_count: int
    sme_partner_count: int


class ChannelEvaluation(NamedTuple):
    channel: str
    eligible: bool
    score: int
    checks: tuple  # (rule, passed, detail)
    items: tuple  # (criterion, weight, fraction, value, detail)


Check = Callable[[ProposalInput, int], tuple]
Scorer = Callable[[ProposalInput, int], tuple]


class CompiledChannel(NamedTuple):
    code: str
    checks: tuple  # (rule, fn, params)
    criteria: tuple  # (criterion, weight, fn, params)
    check_fns: tuple  # the hot path's view of the same: (rule, fn)
    scorer_fns: tuple  # (criterion, weight, fn)


class CompiledRuleSet(NamedTuple):
    version: int
    channels: tuple  # CompiledChannel, in CHANNEL_CODES order

    def channel(self, code: str) -> CompiledChannel:
        for channel in self.channels:
            if channel.code == code:
                return channel
        raise KeyError(code)


# ---------------------------------------------------------------------------------------------
# Eligibility rules: fn(p, remaining_krw) -> (passed, detail)

_NO_DATA = (False, ("no_data",))
_OK = (True, ("ok",))


def _industry_in(params: dict) -> Check:
    allowed = frozenset(params["industries"])

    def check(p, remaining):
        if not p.industry:
            return _NO_DATA
        return _OK if p.industry in allowed else (False, ("outside",))

    return check


def _fund_use_in(params: dict) -> Check:
    allowed = frozenset(params["uses"])

    def check(p, remaining):
        if not p.fund_uses:
            return _NO_DATA
        return _OK if p.fund_uses & allowed else (False, ("outside",))

    return check


def _structure_in(params: dict) -> Check:
    allowed = frozenset(params["structures"])

    def check(p, remaining):
        if not p.structure:
            return _NO_DATA
        return _OK if p.structure in allowed else (False, ("outside",))

    return check


def _ticket_range(params: dict) -> Check:
    low, high = params["min_krw"], params["max_krw"]

    def check(p, remaining):
        amount = p.requested_krw
        if amount is None:
            return _NO_DATA
        if amount < low:
            return (False, ("below", low))
        if amount > high:
            return (False, ("above", high))
        return _OK

    return check


def _capacity_remaining(params: dict) -> Check:
    def check(p, remaining):
        amount = p.requested_krw
        if amount is None:
            return _NO_DATA
        return _OK if amount <= remaining else (False, ("over", max(remaining, 0)))

    return check


def _coinvest_ratio(params: dict) -> Check:
    ratio = Fraction(as_decimal(params["ratio"]))
    num, den = ratio.numerator, ratio.denominator

    def check(p, remaining):
        amount = p.requested_krw
        if amount is None:
            return _NO_DATA
        needed = -(-amount * num // den)  # ceiling, in exact integers
        private = p.private_coinvest_krw or 0
        return (True, ("ok", needed)) if private >= needed else (False, ("short", needed))

    return check


CHECK_BUILDERS = {
    "industry_in": _industry_in,
    "fund_use_in": _fund_use_in,
    "structure_in": _structure_in,
    "ticket_range": _ticket_range,
    "capacity_remaining": _capacity_remaining,
    "coinvest_ratio": _coinvest_ratio,
}

# ---------------------------------------------------------------------------------------------
# Criteria: fn(p, remaining_krw) -> (fraction 0..1, value, detail)

_NO_SCORE = (0.0, None, "no_data")


def _business_viability(params: dict) -> Scorer:
    full = float(as_decimal(params["full_ratio"]))

    def score(p, remaining):
        value_added, total = p.expected_value_added_krw, p.total_cost_krw
        if value_added is None or not total:
            return _NO_SCORE
        ratio = value_added / total
        return (min(1.0, ratio / full), round(ratio, 2), "ok")

    return score


def _financial_structure(params: dict) -> Scorer:
    full = float(as_decimal(params["full_share"]))

    def score(p, remaining):
        total, requested = p.total_cost_krw, p.requested_krw
        if not total or requested is None:
            return _NO_SCORE
        share = max(total - requested, 0) / total
        return (min(1.0, share / full), round(share, 4), "ok")

    return score


def _technology_readiness(params: dict) -> Scorer:
    low, high = params["min_trl"], params["full_trl"]
    span = high - low

    def score(p, remaining):
        trl = p.trl
        if trl is None:
            return _NO_SCORE
        return (min(1.0, max(0.0, (trl - low) / span)), trl, "ok")

    return score


def _policy_effect(params: dict) -> Scorer:
    ai = float(as_decimal(params["ai_share"]))
    regional = float(as_decimal(params["regional_share"]))
    spill = float(as_decimal(params["spillover_share"]))
    jobs_share = float(as_decimal(params["jobs_share"]))
    jobs_full = float(as_decimal(params["jobs_per_100eok_full"]))

    def score(p, remaining):
        is_regional = bool(p.region) and p.region not in CAPITAL_AREA
        sme = p.lead_size in SME_SIZES or p.sme_partner_count > 0
        spillover = 0.5 * (p.partner_count > 0) + 0.5 * sme
        if p.expected_jobs is None or not p.requested_krw:
            jobs_rate = None
            jobs_part = 0.0
        else:
            jobs_rate = p.expected_jobs * HUNDRED_EOK / p.requested_krw
            jobs_part = min(1.0, jobs_rate / jobs_full)
        fraction = (
            ai * p.ai_related + regional * is_regional + spill * spillover + jobs_share * jobs_part
        )
        value = (
            bool(p.ai_related),
            is_regional if p.region else None,
            spillover,
            None if jobs_rate is None else round(jobs_rate, 1),
        )
        return (min(1.0, fraction), value, "ok")

    return score


def _channel_size_fit(params: dict) -> Scorer:
    bands = tuple((float(as_decimal(a)), float(as_decimal(b))) for a, b in params["bands"])

    def score(p, remaining):
        requested = p.requested_krw
        if requested is None:
            return _NO_SCORE
        if remaining <= 0:
            return (0.0, None, "no_capacity")
        share = requested / remaining
        for limit, fraction in bands:
            if share <= limit:
                return (fraction, round(share, 4), "ok")
        return (0.0, round(share, 4), "ok")

    return score


SCORER_BUILDERS = {
    "business_viability": _business_viability,
    "financial_structure": _financial_structure,
    "technology_readiness": _technology_readiness,
    "policy_effect": _policy_effect,
    "channel_size_fit": _channel_size_fit,
}

assert set(CHECK_BUILDERS) == set(ELIGIBILITY_RULES)
assert set(SCORER_BUILDERS) == set(CRITERIA)


def compile_rules(document: dict, *, version: int) -> CompiledRuleSet:
    """Validate and turn a rule-set document into closures; raises RuleSetInvalid."""
    validate_rules(document)
    channels = []
    for code in CHANNEL_CODES:
        body = document["channels"][code]
        checks = tuple(
            (e["rule"], CHECK_BUILDERS[e["rule"]](e.get("params") or {}), e.get("params") or {})
            for e in body.get("eligibility", [])
        )
        criteria = tuple(
            (
                e["criterion"],
                e["weight"],
                SCORER_BUILDERS[e["criterion"]](e.get("params") or {}),
                e.get("params") or {},
            )
            for e in body["criteria"]
        )
        channels.append(
            CompiledChannel(
                code,
                checks,
                criteria,
                tuple((rule, fn) for rule, fn, _params in checks),
                tuple((name, weight, fn) for name, weight, fn, _params in criteria),
            )
        )
    return CompiledRuleSet(version, tuple(channels))


def evaluate(channel: CompiledChannel, p: ProposalInput, remaining_krw: int) -> ChannelEvaluation:
    """Score one proposal against one channel. Pure: no I/O, no database."""
    checks = tuple([(rule, *fn(p, remaining_krw)) for rule, fn in channel.check_fns])
    eligible = all([check[1] for check in checks])
    total = 0.0
    items = []
    for criterion, weight, fn in channel.scorer_fns:
        fraction, value, detail = fn(p, remaining_krw)
        total += weight * fraction
        items.append((criterion, weight, fraction, value, detail))
    # Half-up rounding; the epsilon keeps 62.4999999 (float noise for 62.5) from rounding down.
    score = min(100, max(0, int(total + 0.5 + 1e-9)))
    return ChannelEvaluation(channel.code, eligible, score, checks, tuple(items))


def evaluate_all(
    rules: CompiledRuleSet, p: ProposalInput, remaining: dict[str, int]
) -> list[ChannelEvaluation]:
    """The proposal against every channel of the rule set, in channel order."""
    return [evaluate(channel, p, remaining.get(channel.code, 0)) for channel in rules.channels]


def best(
    items: Iterable[T], *, eligible: Callable = _ELIGIBLE, score: Callable = _SCORE
) -> T | None:
    """The eligible item with the highest score, ties to the earlier one (the channel order),
    or None: the ranking of every "best channel" the portal shows (matching.selectors
    ranks stored results the same way in SQL)."""
    found = None
    for item in items:
        if eligible(item) and (found is None or score(item) > score(found)):
            found = item
    return found


def best_channel(evaluations: Iterable[ChannelEvaluation]) -> str | None:
    """The best evaluation's channel, or None when no channel is eligible."""
    found = best(evaluations)
    return found.channel if found else None


def score_band(score: int) -> int:
    """Bands of 20 points (0: 0–19 … 4: 80–100), used to tell a real change from noise."""
    return min(score // 20, 4)
