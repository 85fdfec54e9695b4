"""Rule sets as data: the vocabulary of rules and criteria, validation, and the start rule set.

A rule set is a JSON document::

    {"channels": {"direct": {"eligibility": [{"rule": ..., "params": {...},
                                              "description_ko": ..., "description_en": ...}],
                             "criteria": [{"criterion": ..., "weight": 25, "params": {...},
                                           "description_ko": ..., "description_en": ...}]},
                  "indirect": {...}, "loan": {...}, "infra": {...}}}

`validate_rules` refuses anything the engine could not evaluate exactly, with one message per
problem naming where it is, so staff can fix a draft before activating it.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from portal.core.vocabulary import (
    EOK,
    FUND_SIZE_KRW,
    INDUSTRY_CODES,
    JO,
    ChannelCode,
    FundUse,
    Structure,
)

# kind, and for codes the allowed vocabulary / for ints the allowed range.
KRW = ("krw", None)
RATIO = ("ratio", None)
BANDS = ("bands", None)
TRL = ("int", (1, 9))

ELIGIBILITY_RULES: dict[str, dict[str, tuple]] = {
    "industry_in": {"industries": ("codes", INDUSTRY_CODES)},
    "fund_use_in": {"uses": ("codes", tuple(FundUse.values))},
    "structure_in": {"structures": ("codes", tuple(Structure.values))},
    "ticket_range": {"min_krw": KRW, "max_krw": KRW},
    "capacity_remaining": {},
    "coinvest_ratio": {"ratio": RATIO},
}

CRITERIA: dict[str, dict[str, tuple]] = {
    "business_viability": {"full_ratio": RATIO},
    "financial_structure": {"full_share": RATIO},
    "technology_readiness": {"min_trl": TRL, "full_trl": TRL},
    "policy_effect": {
        "ai_share": RATIO,
        "regional_share": RATIO,
        "spillover_share": RATIO,
        "jobs_share": RATIO,
        "jobs_per_100eok_full": RATIO,
    },
    "channel_size_fit": {"bands": BANDS},
}

CHANNEL_CODES = tuple(ChannelCode.values)


class RuleSetInvalid(Exception):
    """The rule-set document cannot be evaluated; `errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def as_decimal(value) -> Decimal | None:
    """A ratio given as a number or a decimal string; None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, int | float | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


def _check_param(where: str, name: str, spec: tuple, value, errors: list[str]) -> None:
    kind, extra = spec
    label = f"{where} › {name}"
    if kind == "krw":
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(_("%(where)s: must be a whole number of won.") % {"where": label})
        elif not 0 <= value <= FUND_SIZE_KRW * 10:
            errors.append(_("%(where)s: amount out of range.") % {"where": label})
    elif kind == "int":
        low, high = extra
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(_("%(where)s: must be a whole number.") % {"where": label})
        elif not low <= value <= high:
            errors.append(
                _("%(where)s: must be between %(low)s and %(high)s.")
                % {"where": label, "low": low, "high": high}
            )
    elif kind == "ratio":
        number = as_decimal(value)
        if number is None:
            errors.append(_("%(where)s: must be a decimal number.") % {"where": label})
        elif number < 0:
            errors.append(_("%(where)s: must not be negative.") % {"where": label})
    elif kind == "codes":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            errors.append(_("%(where)s: must be a non-empty list of codes.") % {"where": label})
            return
        unknown = sorted(set(value) - set(extra))
        if unknown:
            errors.append(
                _("%(where)s: unknown codes %(codes)s.")
                % {"where": label, "codes": ", ".join(unknown)}
            )
    elif kind == "bands":
        if not isinstance(value, list) or not value:
            errors.append(
                _("%(where)s: must be a list of [share, fraction] pairs.") % {"where": label}
            )
            return
        previous = Decimal(-1)
        for band in value:
            pair = [as_decimal(v) for v in band] if isinstance(band, list) else []
            if len(pair) != 2 or None in pair:
                errors.append(
                    _("%(where)s: each band must be [share, fraction] as decimal numbers.")
                    % {"where": label}
                )
                return
            share, fraction = pair
            if share <= previous or not 0 <= fraction <= 1:
                errors.append(
                    _("%(where)s: shares must increase and fractions must be between 0 and 1.")
                    % {"where": label}
                )
                return
            previous = share


def _check_entry(where: str, entry, key: str, vocabulary: dict, errors: list[str]) -> str | None:
    if not isinstance(entry, dict):
        errors.append(_("%(where)s: must be an object.") % {"where": where})
        return None
    name = entry.get(key)
    if name not in vocabulary:
        errors.append(
            _("%(where)s: unknown %(key)s “%(name)s”.") % {"where": where, "key": key, "name": name}
        )
        return None
    where = f"{where} ({name})"
    params = entry.get("params", {})
    if not isinstance(params, dict):
        errors.append(_("%(where)s: params must be an object.") % {"where": where})
        return name
    spec = vocabulary[name]
    for missing in sorted(set(spec) - set(params)):
        errors.append(
            _("%(where)s: missing parameter %(name)s.") % {"where": where, "name": missing}
        )
    for extra in sorted(set(params) - set(spec)):
        errors.append(_("%(where)s: unknown parameter %(name)s.") % {"where": where, "name": extra})
    for param, param_spec in spec.items():
        if param in params:
            _check_param(where, param, param_spec, params[param], errors)
    return name


def _check_cross(where: str, name: str, params: dict, errors: list[str]) -> None:
    """Rules between parameters of one entry (only once each parameter is well-typed)."""
    if name == "ticket_range":
        low, high = params.get("min_krw"), params.get("max_krw")
        if isinstance(low, int) and isinstance(high, int) and low > high:
            errors.append(_("%(where)s: min_krw is above max_krw.") % {"where": where})
    elif name == "technology_readiness":
        low, high = params.get("min_trl"), params.get("full_trl")
        if isinstance(low, int) and isinstance(high, int) and low >= high:
            errors.append(_("%(where)s: min_trl must be below full_trl.") % {"where": where})
    elif name == "policy_effect":
        shares = [
            as_decimal(params.get(k))
            for k in ("ai_share", "regional_share", "spillover_share", "jobs_share")
        ]
        if None not in shares and sum(shares) != 1:
            errors.append(
                _("%(where)s: the four shares must add up to 1 (they add up to %(sum)s).")
                % {"where": where, "sum": sum(shares)}
            )
        full = as_decimal(params.get("jobs_per_100eok_full"))
        if full is not None and full <= 0:
            errors.append(_("%(where)s: jobs_per_100eok_full must be above 0.") % {"where": where})
    elif name == "business_viability" or name == "financial_structure":
        key = "full_ratio" if name == "business_viability" else "full_share"
        full = as_decimal(params.get(key))
        if full is not None and full <= 0:
            errors.append(_("%(where)s: %(key)s must be above 0.") % {"where": where, "key": key})


def validate_rules(document) -> None:
    """Raise RuleSetInvalid listing every problem; return None when the document is usable."""
    errors: list[str] = []
    if not isinstance(document, dict) or not isinstance(document.get("channels"), dict):
        raise RuleSetInvalid([_("The rule set must be an object with a “channels” object.")])
    channels = document["channels"]
    for code in sorted(set(channels) - set(CHANNEL_CODES)):
        errors.append(_("Unknown channel “%(code)s”.") % {"code": code})
    for code in CHANNEL_CODES:
        body = channels.get(code)
        if not isinstance(body, dict):
            errors.append(_("Channel “%(code)s” is missing.") % {"code": code})
            continue
        eligibility = body.get("eligibility", [])
        criteria = body.get("criteria")
        if not isinstance(eligibility, list):
            errors.append(_("%(code)s › eligibility must be a list.") % {"code": code})
            eligibility = []
        if not isinstance(criteria, list) or not criteria:
            errors.append(_("%(code)s › criteria must be a non-empty list.") % {"code": code})
            criteria = []
        for index, entry in enumerate(eligibility):
            where = f"{code} › eligibility[{index + 1}]"
            name = _check_entry(where, entry, "rule", ELIGIBILITY_RULES, errors)
            if name:
                _check_cross(f"{where} ({name})", name, entry.get("params") or {}, errors)
        seen: set[str] = set()
        total = 0
        weights_ok = True
        for index, entry in enumerate(criteria):
            where = f"{code} › criteria[{index + 1}]"
            name = _check_entry(where, entry, "criterion", CRITERIA, errors)
            if not name:
                weights_ok = False
                continue
            where = f"{where} ({name})"
            if name in seen:
                errors.append(_("%(where)s: criterion listed twice.") % {"where": where})
            seen.add(name)
            _check_cross(where, name, entry.get("params") or {}, errors)
            weight = entry.get("weight")
            if isinstance(weight, bool) or not isinstance(weight, int):
                errors.append(_("%(where)s: weight must be a whole number.") % {"where": where})
                weights_ok = False
            elif not 0 <= weight <= 100:
                errors.append(
                    _("%(where)s: weight %(weight)s is outside 0–100.")
                    % {"where": where, "weight": weight}
                )
                weights_ok = False
            else:
                total += weight
        if criteria and weights_ok and total != 100:
            errors.append(
                _("%(code)s: weights add up to %(total)s, not 100.")
                % {"code": code, "total": total}
            )
    if errors:
        raise RuleSetInvalid(errors)


# ---------------------------------------------------------------------------------------------
# The start rule set (version 1). Each description names where the rule comes from: S1 the
# 2025-12-04 release of 산업통상부 and 금융위원회, S2 the 2026 operating plan of 2025-12-16,
# and what neither says is the portal's own operating rule (SPEC §1). The public channel pages
# show the registry's source markers in place of these citations.

_SRC_S1 = "산업통상부·금융위원회 보도자료(2025년 12월 4일)"
_SRC_S1_EN = (
    "Ministry of Trade, Industry and Energy and Financial Services Commission release (4 Dec 2025)"
)
_SRC_S2 = "「2026년 국민성장펀드 운용방안」(2025년 12월 16일)"
_SRC_S2_EN = "2026 operating plan of the National Growth Fund (16 Dec 2025)"
_SRC_PORTAL = "포털 운영 기준 — 펀드 사무국 설정"
_SRC_PORTAL_EN = "portal operating rule — set by the fund secretariat"


def _rule(rule: str, params: dict, ko: str, en: str) -> dict:
    return {"rule": rule, "params": params, "description_ko": ko, "description_en": en}


def _criterion(name: str, weight: int, params: dict, ko: str, en: str) -> dict:
    return {
        "criterion": name,
        "weight": weight,
        "params": params,
        "description_ko": ko,
        "description_en": en,
    }


def _common_eligibility() -> list[dict]:
    return [
        _rule(
            "industry_in",
            {"industries": list(INDUSTRY_CODES)},
            f"12개 첨단전략산업에 해당하는 사업만 지원 — 출처: {_SRC_S2}; {_SRC_PORTAL}",
            f"Only projects in the 12 strategic industries — source: {_SRC_S2_EN}; "
            f"{_SRC_PORTAL_EN}",
        ),
    ]


def _capacity() -> dict:
    return _rule(
        "capacity_remaining",
        {},
        f"채널의 5년 규모에서 약정액을 뺀 잔여 한도 안에서만 지원 — 출처: {_SRC_S1}; {_SRC_PORTAL}",
        f"Only within the channel's remaining capacity (5-year size less commitments) — "
        f"source: {_SRC_S1_EN}; {_SRC_PORTAL_EN}",
    )


def _ticket(low: int, high: int) -> dict:
    return _rule(
        "ticket_range",
        {"min_krw": low, "max_krw": high},
        f"채널별 지원 규모 범위 — 출처: {_SRC_PORTAL}",
        f"The channel's ticket range — source: {_SRC_PORTAL_EN}",
    )


def _criteria(weights: tuple[int, int, int, int, int], trl: tuple[int, int], policy: dict):
    viability, finance, technology, policy_weight, size = weights
    return [
        _criterion(
            "business_viability",
            viability,
            {"full_ratio": "1.0"},
            f"사업성: 기대 부가가치 ÷ 총사업비 (1배 이상 만점) — 출처: {_SRC_PORTAL}",
            f"Business viability: expected value added ÷ total cost (full at 1×) — "
            f"source: {_SRC_PORTAL_EN}",
        ),
        _criterion(
            "financial_structure",
            finance,
            {"full_share": "0.5"},
            f"재무구조: 총사업비 중 자기자금·민간 공동투자 비중 (50% 이상 만점) — "
            f"출처: {_SRC_PORTAL}",
            f"Financial structure: own funds and co-investment share of total cost "
            f"(full at 50%) — source: {_SRC_PORTAL_EN}",
        ),
        _criterion(
            "technology_readiness",
            technology,
            {"min_trl": trl[0], "full_trl": trl[1]},
            f"기술·시장성: 기술성숙도 TRL {trl[0]} 이하 0점, TRL {trl[1]} 이상 만점 — "
            f"출처: {_SRC_PORTAL}",
            f"Technology and market: TRL {trl[0]} or below scores 0, TRL {trl[1]} or above "
            f"full — source: {_SRC_PORTAL_EN}",
        ),
        _criterion(
            "policy_effect",
            policy_weight,
            policy,
            f"정책적 효과: AI 관련 사업, 비수도권 사업, 컨소시엄·중소기업 상생, 100억원당 고용 "
            f"— 출처: {_SRC_PORTAL}",
            f"Policy effect: AI-related, outside the capital area, consortium/SME spillover, "
            f"jobs per 10 billion won — source: {_SRC_PORTAL_EN}",
        ),
        _criterion(
            "channel_size_fit",
            size,
            {"bands": [["0.01", "1"], ["0.03", "0.75"], ["0.05", "0.5"], ["0.1", "0.25"]]},
            f"채널 규모 적합성: 신청 금액 ÷ 잔여 한도 (1% 이하 만점, 10% 초과 0점) — "
            f"출처: {_SRC_PORTAL}",
            f"Fit to the channel's size: request ÷ remaining capacity (full at 1% or less, "
            f"0 above 10%) — source: {_SRC_PORTAL_EN}",
        ),
    ]


_POLICY = {
    "ai_share": "0.3",
    "regional_share": "0.3",
    "spillover_share": "0.2",
    "jobs_share": "0.2",
    "jobs_per_100eok_full": "10",
}


def default_rules() -> dict:
    """The start rule set: what the fund says it looks at, per channel."""
    return {
        "channels": {
            "direct": {
                "eligibility": [
                    *_common_eligibility(),
                    _rule(
                        "fund_use_in",
                        {"uses": ["facility", "mna"]},
                        f"직접투자: 제조시설 확충 또는 원천기술 보유기업 M&A — 출처: {_SRC_S1}",
                        f"Direct: manufacturing facilities or M&A of a "
                        f"core-technology firm — source: {_SRC_S1_EN}",
                    ),
                    _rule(
                        "structure_in",
                        {"structures": ["jv", "spc"]},
                        "직접투자는 합작법인(JV) 또는 특수목적법인(SPC)에 투자합니다 "
                        f"— 출처: {_SRC_S1}",
                        f"Direct investment goes into a JV or an SPC — source: {_SRC_S1_EN}",
                    ),
                    _ticket(500 * EOK, 2 * JO),
                    _capacity(),
                    _rule(
                        "coinvest_ratio",
                        {"ratio": "1.0"},
                        "민간자금 약 1:1 매칭(신청 금액 이상의 민간 공동투자) "
                        f"— 출처: {_SRC_PORTAL}",
                        f"Private money matches about 1:1 (co-investment at least the request) — "
                        f"source: {_SRC_PORTAL_EN}",
                    ),
                ],
                "criteria": _criteria((25, 25, 20, 20, 10), (5, 9), _POLICY),
            },
            "indirect": {
                "eligibility": [
                    *_common_eligibility(),
                    _rule(
                        "fund_use_in",
                        {"uses": ["growth_equity", "rnd", "facility"]},
                        f"간접투자: 민관 협력 펀드가 투자하기 적합한 성장·R&D·시설 사업 "
                        f"— 출처: {_SRC_PORTAL}",
                        f"Indirect: growth, R&D or facility projects suited to a public–private "
                        f"fund — source: {_SRC_PORTAL_EN}",
                    ),
                    _ticket(10 * EOK, 1000 * EOK),
                    _capacity(),
                ],
                "criteria": _criteria((20, 20, 25, 25, 10), (3, 7), _POLICY),
            },
            "loan": {
                "eligibility": [
                    *_common_eligibility(),
                    _rule(
                        "fund_use_in",
                        {"uses": ["facility", "rnd"]},
                        f"초저리대출: 설비투자·R&D 투자 자금 — 출처: {_SRC_S1}",
                        f"Ultra-low-rate loans: capital expenditure and R&D — source: {_SRC_S1_EN}",
                    ),
                    _ticket(50 * EOK, 1 * JO),
                    _capacity(),
                ],
                "criteria": _criteria((25, 30, 20, 15, 10), (5, 9), _POLICY),
            },
            "infra": {
                "eligibility": [
                    *_common_eligibility(),
                    _rule(
                        "fund_use_in",
                        {"uses": ["ai_data_center", "power_grid", "shared_infra"]},
                        "인프라 투·융자: AI 데이터센터와 첨단산업에 필요한 전력망·송전망 등, "
                        "발전소와 AI 데이터센터, 공동 활용 인프라 — "
                        f"출처: {_SRC_S1}; {_SRC_S2}; {_SRC_PORTAL}",
                        "Infrastructure: power grids, transmission and other infrastructure "
                        "that AI data centres and advanced industry need; power plants and AI "
                        "data centres; shared infrastructure — "
                        f"source: {_SRC_S1_EN}; {_SRC_S2_EN}; {_SRC_PORTAL_EN}",
                    ),
                    _ticket(1000 * EOK, 3 * JO),
                    _capacity(),
                ],
                "criteria": _criteria((20, 20, 15, 35, 10), (5, 9), _POLICY),
            },
        }
    }
