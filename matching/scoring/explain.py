"""Reasons in Korean and English for an evaluation: eligibility checks, breakdown and hints.

A stored result keeps only a compact `trace` of what the engine decided (each check's outcome
and numbers, each criterion's fraction and value, and the few inputs the reasons quote);
`render` turns a trace and the rule set's frozen parameters back into the reasons in both
languages. `explain` is `render` of a fresh trace, so stored and freshly computed reasons are
the same by construction (pinned by tests/test_matching_storage.py).
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple

from matching.scoring.engine import ChannelEvaluation, CompiledChannel, ProposalInput
from matching.scoring.rules import as_decimal
from portal.core.money import krw_en, krw_ko

CRITERION_LABELS = {
    "business_viability": ("사업성", "Business viability"),
    "financial_structure": ("재무구조", "Financial structure"),
    "technology_readiness": ("기술·시장성", "Technology and market readiness"),
    "policy_effect": ("정책적 효과", "Policy effect"),
    "channel_size_fit": ("채널 규모 적합성", "Fit to the channel's size"),
}
RULE_LABELS = {
    "industry_in": ("첨단전략산업", "Strategic industry"),
    "fund_use_in": ("자금 용도", "Use of funds"),
    "structure_in": ("사업 구조", "Structure"),
    "ticket_range": ("지원 규모", "Ticket size"),
    "capacity_remaining": ("잔여 한도", "Remaining capacity"),
    "coinvest_ratio": ("민간 매칭", "Private matching"),
}
FUND_USES = {
    "facility": ("제조시설", "manufacturing facilities"),
    "mna": ("핵심기술 기업 M&A", "M&A of a core-technology firm"),
    "rnd": ("R&D", "R&D"),
    "growth_equity": ("성장자금(지분)", "growth equity"),
    "ai_data_center": ("AI 데이터센터", "an AI data centre"),
    "power_grid": ("전력망·송전망", "power grids and transmission"),
    "shared_infra": ("공동 활용 인프라", "shared infrastructure"),
}
STRUCTURES = {
    "corporate": ("법인 직접 투자", "corporate (on balance sheet)"),
    "jv": ("합작법인(JV)", "a joint venture (JV)"),
    "spc": ("특수목적법인(SPC)", "a special purpose company (SPC)"),
}


# Amounts and parameter lists repeat across thousands of results: format each once.
@lru_cache(maxsize=8192)
def _won(amount: int) -> tuple[str, str]:
    return krw_ko(amount), krw_en(amount)


def _join(codes, labels: dict, *, ko_sep: str = ", ", en_sep: str = " or ") -> tuple[str, str]:
    return _join_cached(tuple(codes), id(labels), ko_sep, en_sep)


@lru_cache(maxsize=256)
def _join_cached(codes: tuple, labels_id: int, ko_sep: str, en_sep: str) -> tuple[str, str]:
    labels = _LABEL_TABLES[labels_id]
    ko = ko_sep.join(labels[c][0] for c in codes)
    en = en_sep.join(labels[c][1] for c in codes)
    return ko, en


_LABEL_TABLES = {id(FUND_USES): FUND_USES, id(STRUCTURES): STRUCTURES}


@lru_cache(maxsize=65536)
def points(weight: int, fraction: float) -> float:
    """A criterion's points, half-up to one decimal place."""
    exact = Decimal(repr(weight * fraction)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(exact)


@lru_cache(maxsize=256)
def _num(value) -> str:
    """A rule parameter as plain text: "1.0" → "1", "10" → "10", "0.25" → "0.25"."""
    return format(as_decimal(value).normalize(), "f")


@lru_cache(maxsize=65536)
def _percent(value: float) -> str:
    text = f"{value * 100:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _check_text(rule: str, passed: bool, detail: tuple, params: dict, p, remaining: int):
    """(reason_ko, reason_en, hint or None) for one eligibility check."""
    kind = detail[0]
    hint = None
    if rule == "industry_in":
        if kind == "ok":
            return (
                "사업 분야가 지원 대상 첨단전략산업에 해당합니다.",
                ("The project's industry is one of the eligible strategic industries."),
                None,
            )
        ko = (
            "사업 분야가 입력되지 않았습니다."
            if kind == "no_data"
            else "사업 분야가 지원 대상 첨단전략산업(12개)에 해당하지 않습니다."
        )
        en = (
            "No industry was given."
            if kind == "no_data"
            else "The project's industry is not one of the 12 strategic industries."
        )
        hint = {
            "code": "industry",
            "reason_ko": "12개 첨단전략산업 중 하나에 해당하는 사업으로 구성해 주세요.",
            "reason_en": "Scope the project within one of the 12 strategic industries.",
        }
        return ko, en, hint
    if rule == "fund_use_in":
        uses_ko, uses_en = _join(params["uses"], FUND_USES)
        if kind == "ok":
            return "자금 용도가 이 채널에 맞습니다.", "The use of funds fits this channel.", None
        ko = (
            "자금 용도가 입력되지 않았습니다."
            if kind == "no_data"
            else f"자금 용도가 이 채널의 지원 대상({uses_ko})이 아닙니다."
        )
        en = (
            "No use of funds was given."
            if kind == "no_data"
            else f"The use of funds is not what this channel funds ({uses_en})."
        )
        hint = {
            "code": "fund_use",
            "uses": list(params["uses"]),
            "reason_ko": f"자금 용도를 {uses_ko} 중 하나로 구성해 주세요.",
            "reason_en": f"Use the money for {uses_en}.",
        }
        return ko, en, hint
    if rule == "structure_in":
        allowed = [s for s in ("spc", "jv", "corporate") if s in params["structures"]]
        allowed_ko, allowed_en = _join(allowed, STRUCTURES, ko_sep=" 또는 ")
        current_ko, current_en = STRUCTURES.get(p.structure or "", ("미입력", "not given"))
        if kind == "ok":
            return (
                f"사업 구조({current_ko})가 이 채널에 맞습니다.",
                f"The structure ({current_en}) fits this channel.",
                None,
            )
        short_ko = " 또는 ".join(s.upper() for s in allowed)
        short_en = " or ".join(
            f"an {s.upper()}" if s == "spc" else f"a {s.upper()}" for s in allowed
        )
        hint = {
            "code": "structure",
            "structures": allowed,
            "reason_ko": f"투자를 {short_ko}로 구조화해 주세요.",
            "reason_en": f"Structure the investment as {short_en}.",
        }
        return (
            f"이 채널은 {allowed_ko} 구조만 지원합니다(현재: {current_ko}).",
            f"This channel invests only through {allowed_en} (now: {current_en}).",
            hint,
        )
    if rule == "ticket_range":
        low_ko, low_en = _won(params["min_krw"])
        high_ko, high_en = _won(params["max_krw"])
        if kind == "no_data":
            return "신청 금액이 입력되지 않았습니다.", "No requested amount was given.", None
        amount_ko, amount_en = _won(p.requested_krw)
        if kind == "ok":
            return (
                f"신청 금액({amount_ko})이 채널 범위({low_ko}~{high_ko}) 안에 있습니다.",
                f"The request of {amount_en} is within the channel's range "
                f"({low_en} to {high_en}).",
                None,
            )
        if kind == "below":
            return (
                f"신청 금액({amount_ko})이 이 채널의 최소 규모({low_ko})보다 적습니다.",
                f"The request of {amount_en} is below this channel's minimum of {low_en}.",
                {
                    "code": "ticket_min",
                    "amount_krw": params["min_krw"],
                    "reason_ko": f"신청 금액을 최소 {low_ko} 이상으로 해 주세요.",
                    "reason_en": f"Request at least {low_en}.",
                },
            )
        return (
            f"신청 금액({amount_ko})이 이 채널의 최대 규모({high_ko})를 넘습니다.",
            f"The request of {amount_en} is above this channel's maximum of {high_en}.",
            {
                "code": "ticket_max",
                "amount_krw": params["max_krw"],
                "reason_ko": f"신청 금액을 {high_ko} 이하로 줄이거나 나누어 신청해 주세요.",
                "reason_en": f"Reduce the request to at most {high_en}, or split it.",
            },
        )
    if rule == "capacity_remaining":
        left_ko, left_en = _won(max(remaining, 0))
        if kind == "no_data":
            return "신청 금액이 입력되지 않았습니다.", "No requested amount was given.", None
        if kind == "ok":
            return (
                f"채널 잔여 한도({left_ko}) 안에 있습니다.",
                f"Within the channel's remaining capacity ({left_en}).",
                None,
            )
        return (
            f"신청 금액이 채널 잔여 한도({left_ko})를 넘습니다.",
            f"The request exceeds the channel's remaining capacity of {left_en}.",
            {
                "code": "capacity",
                "amount_krw": max(remaining, 0),
                "reason_ko": f"신청 금액을 잔여 한도({left_ko}) 이하로 줄여 주세요.",
                "reason_en": f"Reduce the request to at most the remaining {left_en}.",
            },
        )
    if rule == "coinvest_ratio":
        if kind == "no_data":
            return "신청 금액이 입력되지 않았습니다.", "No requested amount was given.", None
        needed = detail[1]
        ratio = _num(params["ratio"])
        need_ko, need_en = _won(needed)
        have_ko, have_en = _won(p.private_coinvest_krw or 0)
        if kind == "ok":
            return (
                f"민간 공동투자({have_ko})가 필요 최소액({need_ko}, "
                f"신청 금액의 {ratio}배) 이상입니다.",
                f"Private co-investment of {have_en} meets the minimum of {need_en} "
                f"({ratio}× the request).",
                None,
            )
        return (
            f"민간 공동투자({have_ko})가 필요 최소액"
            f"({need_ko}, 신청 금액의 {ratio}배)에 못 미칩니다.",
            f"Private co-investment of {have_en} is below the minimum of {need_en} "
            f"({ratio}× the request).",
            {
                "code": "coinvest",
                "amount_krw": needed,
                "reason_ko": f"민간 공동투자를 최소 {need_ko} 이상으로 늘려 주세요.",
                "reason_en": f"Raise private co-investment to at least {need_en}.",
            },
        )
    raise KeyError(rule)


_NO_DATA_KO = "자료 없음: 0점."
_NO_DATA_EN = "No data: 0 points."


def _criterion_text(name: str, value, detail: str, params: dict) -> tuple[str, str]:
    if detail == "no_data":
        missing = {
            "business_viability": (
                "기대 부가가치 또는 총사업비",
                "expected value added or total cost",
            ),
            "financial_structure": ("총사업비 또는 신청 금액", "total cost or requested amount"),
            "technology_readiness": ("기술성숙도(TRL)", "readiness (TRL)"),
            "channel_size_fit": ("신청 금액", "requested amount"),
        }[name]
        return (
            f"자료 없음: 0점({missing[0]} 미입력).",
            f"No data: {missing[1]} not given, so 0 points.",
        )
    if detail == "no_capacity":
        return (
            "채널 잔여 한도가 없어 0점입니다.",
            "The channel has no remaining capacity: 0 points.",
        )
    if name == "business_viability":
        full = _num(params["full_ratio"])
        return (
            f"기대 부가가치가 총사업비의 {value}배입니다(만점 기준 {full}배).",
            f"Expected value added is {value}× the total cost (full points at {full}×).",
        )
    if name == "financial_structure":
        full = _percent(float(as_decimal(params["full_share"])))
        return (
            f"총사업비 중 자기자금·민간 공동투자 비중이 {_percent(value)}%입니다"
            f"(만점 기준 {full}%).",
            f"Own funds and co-investment are {_percent(value)}% of the total cost "
            f"(full points at {full}%).",
        )
    if name == "technology_readiness":
        low, high = params["min_trl"], params["full_trl"]
        return (
            f"기술성숙도 TRL {value}(TRL {low} 이하 0점, TRL {high} 이상 만점).",
            f"Readiness TRL {value} (TRL {low} or below scores 0, TRL {high} or above full).",
        )
    if name == "policy_effect":
        ai, regional, spillover, jobs = value
        yes_no = {True: ("예", "yes"), False: ("아니오", "no"), None: ("자료 없음", "no data")}
        jobs_ko = "자료 없음" if jobs is None else f"{jobs}명"
        jobs_en = "no data" if jobs is None else f"{jobs}"
        full = _num(params["jobs_per_100eok_full"])
        return (
            f"AI 관련: {yes_no[ai][0]}, 비수도권: {yes_no[regional][0]}, "
            f"상생(컨소시엄·중소기업): {_percent(spillover)}%, 100억원당 고용: {jobs_ko}"
            f"(만점 기준 {full}명).",
            f"AI-related: {yes_no[ai][1]}, outside the capital area: {yes_no[regional][1]}, "
            f"spillover (consortium, SMEs): {_percent(spillover)}%, jobs per KRW 10 billion: "
            f"{jobs_en} (full at {full}).",
        )
    if name == "channel_size_fit":
        return (
            f"신청 금액이 채널 잔여 한도의 {_percent(value)}%입니다.",
            f"The request is {_percent(value)}% of the channel's remaining capacity.",
        )
    raise KeyError(name)


def _json_value(name: str, value):
    if name == "policy_effect" and value is not None:
        ai, regional, spillover, jobs = value
        return {
            "ai_related": ai,
            "regional": regional,
            "spillover": spillover,
            "jobs_per_100eok": jobs,
        }
    return value


class _Quoted(NamedTuple):
    """The proposal values a reason quotes (the rest of the proposal is not needed to explain)."""

    requested_krw: int | None
    private_coinvest_krw: int | None
    structure: str | None


# Criteria whose value is a float: JSON (and jsonb) may hand 2.0 back as 2 or 1e16 back as an
# integer, and the reasons print the value as Python prints the float.
_FLOAT_VALUES = frozenset({"business_viability", "financial_structure", "channel_size_fit"})


def _stored_value(name: str, value):
    if value is None:
        return None
    if name in _FLOAT_VALUES:
        return float(value)
    if name == "policy_effect":
        ai, regional, spillover, jobs = value
        return (ai, regional, float(spillover), None if jobs is None else float(jobs))
    return value


_OK_DETAIL = ("ok",)


def trace(evaluation: ChannelEvaluation, p: ProposalInput, remaining: int) -> dict:
    """What the engine decided, as compact JSON-ready lists: enough for `render`.

    Entries are in the order of the channel's rules and criteria in the (immutable) rule set:

        {"in": [requested_krw, private_coinvest_krw, structure, remaining capacity],
         "checks": [true | [passed, detail kind, *numbers], ...],   # true: passed, "ok"
         "criteria": [[fraction, value] | [fraction, value, detail], ...]}   # detail "ok"
    """
    return {
        "in": [p.requested_krw, p.private_coinvest_krw, p.structure, remaining],
        "checks": [
            True if passed and detail == _OK_DETAIL else [passed, *detail]
            for _rule, passed, detail in evaluation.checks
        ],
        "criteria": [
            [fraction, value] if detail == "ok" else [fraction, value, detail]
            for _name, _weight, fraction, value, detail in evaluation.items
        ],
    }


def _json(value) -> str:
    """JSON for the few value types a trace holds, as json.dumps writes them (but faster)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return f'"{value}"' if value.isascii() and value.isidentifier() else json.dumps(value)
    if kind is tuple or kind is list:
        return "[" + ",".join([_json(item) for item in value]) + "]"
    return repr(value)  # int or float: json.dumps writes both with repr


def trace_json(evaluation: ChannelEvaluation, p: ProposalInput, remaining: int) -> str:
    """`trace` serialised as compact JSON: what the write path stores, built without the
    general encoder (a full rescore serialises hundreds of thousands of traces)."""
    checks = ",".join(
        [
            "true" if passed and detail == _OK_DETAIL else _json((passed, *detail))
            for _rule, passed, detail in evaluation.checks
        ]
    )
    criteria = ",".join(
        [
            f"[{fraction!r},{_json(value)}]"
            if detail == "ok"
            else f"[{fraction!r},{_json(value)},{_json(detail)}]"
            for _name, _weight, fraction, value, detail in evaluation.items
        ]
    )
    quoted = _json((p.requested_krw, p.private_coinvest_krw, p.structure, int(remaining)))
    return f'{{"in":{quoted},"checks":[{checks}],"criteria":[{criteria}]}}'


class TraceMismatch(ValueError):
    """A trace does not fit the channel it is rendered with (other rules or criteria)."""


def render(channel: CompiledChannel, stored: dict) -> dict:
    """Checks, breakdown and hints with reasons in both languages, from a trace (see `trace`)."""
    requested, private, structure, remaining = stored["in"]
    quoted = _Quoted(requested, private, structure)
    if len(stored["checks"]) != len(channel.checks) or len(stored["criteria"]) != len(
        channel.criteria
    ):
        raise TraceMismatch(channel.code)
    checks, hints = [], []
    for (rule, _fn, params), entry in zip(channel.checks, stored["checks"], strict=True):
        if entry is True:
            passed, detail = True, _OK_DETAIL
        else:
            passed, detail = entry[0], entry[1:]
        ko, en, hint = _check_text(rule, passed, detail, params, quoted, remaining)
        checks.append({"rule": rule, "passed": passed, "reason_ko": ko, "reason_en": en})
        if not passed and hint is not None:
            hints.append(hint)
    breakdown = []
    for (name, weight, _fn, params), entry in zip(
        channel.criteria, stored["criteria"], strict=True
    ):
        fraction, value = entry[0], entry[1]
        detail = entry[2] if len(entry) > 2 else "ok"
        value = _stored_value(name, value)
        ko, en = _criterion_text(name, value, detail, params)
        breakdown.append(
            {
                "criterion": name,
                "weight": weight,
                "value": _json_value(name, value),
                "points": points(weight, float(fraction)),
                "reason_ko": ko,
                "reason_en": en,
            }
        )
    return {"checks": checks, "breakdown": breakdown, "hints": hints}


def explain(
    channel: CompiledChannel, evaluation: ChannelEvaluation, p: ProposalInput, remaining: int
) -> dict:
    """The shown shape of a result: checks, breakdown and hints with reasons in both languages."""
    return {
        "eligible": evaluation.eligible,
        "score": evaluation.score,
        **render(channel, trace(evaluation, p, remaining)),
    }
