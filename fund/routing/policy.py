"""The routing policy document: its vocabulary, its validation and the decision for one proposal.

A policy is data, like a matching rule set: per channel, whether the workers send a scored
proposal to the fund without waiting for KEIT, the minimum score, the sub-alliances and
industries included or excluded, the range of the requested amount and a daily cap; and who is
told. A proposal is considered for the channel where it is eligible with the highest score (the
channel a hand referral proposes when KEIT names none), and is routed when every condition the
policy sets for that channel holds.

Pure: plain values in, a decision and its reasons out (no database). Reasons carry a code, the
channel, whether the condition was met, and their numbers; `render` writes them in Korean and
English, as the matching engine's reasons are written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import itemgetter

from django.utils.translation import gettext as _

from alliance.reference_data import SUB_ALLIANCES
from matching.scoring.engine import best
from portal.core.korean import particles
from portal.core.money import krw_en, krw_ko
from portal.core.vocabulary import FUND_SIZE_KRW, INDUSTRIES, ChannelCode, ProposalStatus

CHANNELS = tuple(ChannelCode.values)
CHANNEL_LABELS = {
    "direct": ("직접투자", "Direct investment"),
    "indirect": ("간접투자", "Indirect investment"),
    "loan": ("초저리대출", "Ultra-low-rate loans"),
    "infra": ("인프라 투·융자", "Infrastructure investment & loans"),
}
SUB_ALLIANCE_LABELS = {code: (ko, en) for code, ko, en, _demand in SUB_ALLIANCES}
INDUSTRY_LABELS = {code: (ko, en) for code, ko, en in INDUSTRIES}
# Who is mailed when a proposal is routed; the fund secretariat is always told by the intake.
NOTIFY = ("applicant", "alliance_secretariat")
DAILY_CAP_MAX = 100_000

CHANNEL_DEFAULTS = {
    "route": False,
    "min_score": 0,
    "daily_cap": None,
    "sub_alliances_in": [],
    "sub_alliances_out": [],
    "industries_in": [],
    "industries_out": [],
    "min_requested_krw": None,
    "max_requested_krw": None,
    # Points added to the score for the minimum when 산업부 recommended the proposal (S1 ①:
    # "recommended by 산업부 counts as a plus"); how many is KEIT's choice (D23).
    "recommended_bonus": 0,
}
RECOMMENDED_BONUS_MAX = 30
LISTS = {
    "sub_alliances_in": SUB_ALLIANCE_LABELS,
    "sub_alliances_out": SUB_ALLIANCE_LABELS,
    "industries_in": INDUSTRY_LABELS,
    "industries_out": INDUSTRY_LABELS,
}


class PolicyInvalid(Exception):
    """The document breaks the vocabulary; `errors` maps each dotted path to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


# ---------------------------------------------------------------------------------------------
# The document


def default_policy() -> dict:
    """The start of a first draft: every channel off, nobody mailed."""
    return {
        "channels": {code: dict(CHANNEL_DEFAULTS) for code in CHANNELS},
        "notify": [],
    }


def demo_policy() -> dict:
    """The demo world's policy (SPEC §7): a proposal goes to the channel where it is eligible
    with the highest score, when that score is 70 or more; the applicant is told."""
    return {
        "channels": {
            code: {**CHANNEL_DEFAULTS, "route": True, "min_score": 70} for code in CHANNELS
        },
        "notify": ["applicant"],
    }


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _codes(value, labels: Mapping, path: str, errors: dict) -> list[str]:
    if not isinstance(value, list):
        errors[path] = [_("Give a list of codes.")]
        return []
    unknown = [v for v in value if not isinstance(v, str) or v not in labels]
    if unknown:
        errors[path] = [
            _("Unknown codes: %(codes)s.") % {"codes": ", ".join(str(v) for v in unknown)}
        ]
        return []
    if len(set(value)) != len(value):
        errors[path] = [_("Each code may appear only once.")]
        return []
    return value


def _channel_errors(code: str, body, errors: dict) -> dict:
    """The channel's settings with the defaults filled in; its errors added to `errors`."""
    base = f"channels.{code}"
    if not isinstance(body, dict):
        errors[base] = [_("Give the channel's settings as an object.")]
        return dict(CHANNEL_DEFAULTS)
    for key in body:
        if key not in CHANNEL_DEFAULTS:
            errors[f"{base}.{key}"] = [_("Unknown setting.")]
    settings = {**CHANNEL_DEFAULTS, **{k: v for k, v in body.items() if k in CHANNEL_DEFAULTS}}
    if not isinstance(settings["route"], bool):
        errors[f"{base}.route"] = [_("Write true or false.")]
    score = settings["min_score"]
    if not _is_int(score) or not 0 <= score <= 100:
        errors[f"{base}.min_score"] = [_("Give a minimum score from 0 to 100.")]
    bonus = settings["recommended_bonus"]
    if not _is_int(bonus) or not 0 <= bonus <= RECOMMENDED_BONUS_MAX:
        errors[f"{base}.recommended_bonus"] = [
            _("Give the points for a recommendation from 0 to %(n)s.")
            % {"n": RECOMMENDED_BONUS_MAX}
        ]
    cap = settings["daily_cap"]
    if cap is not None:
        if not _is_int(cap):
            errors[f"{base}.daily_cap"] = [_("Give the daily cap as a whole number, or null.")]
        elif cap < 0:
            errors[f"{base}.daily_cap"] = [_("The daily cap cannot be negative.")]
        elif cap > DAILY_CAP_MAX:
            errors[f"{base}.daily_cap"] = [
                _("The daily cap can be at most %(n)s.") % {"n": f"{DAILY_CAP_MAX:,}"}
            ]
        elif cap == 0 and settings["route"] is True:
            errors[f"{base}.daily_cap"] = [
                _(
                    "A channel that is routed needs a daily cap above 0, or none; turn routing "
                    "off for the channel instead."
                )
            ]
    for key in ("min_requested_krw", "max_requested_krw"):
        amount = settings[key]
        if amount is not None and (not _is_int(amount) or not 0 <= amount <= FUND_SIZE_KRW):
            errors[f"{base}.{key}"] = [
                _("Give an amount in won from 0 to the fund's size, or null.")
            ]
    low, high = settings["min_requested_krw"], settings["max_requested_krw"]
    if (
        _is_int(low)
        and _is_int(high)
        and f"{base}.min_requested_krw" not in errors
        and f"{base}.max_requested_krw" not in errors
        and low > high
    ):
        errors[f"{base}.max_requested_krw"] = [
            _("The maximum requested amount is below the minimum.")
        ]
    lists = {
        key: _codes(settings[key], labels, f"{base}.{key}", errors) for key, labels in LISTS.items()
    }
    for kind, labels in (("sub_alliances", SUB_ALLIANCE_LABELS), ("industries", INDUSTRY_LABELS)):
        included, excluded = lists[f"{kind}_in"], lists[f"{kind}_out"]
        both = [c for c in included if c in excluded]
        if both:
            errors[f"{base}.{kind}_out"] = [
                _("Both included and excluded: %(codes)s.") % {"codes": ", ".join(both)}
            ]
        elif settings["route"] is True and len(set(excluded)) == len(labels):
            errors[f"{base}.{kind}_out"] = [
                _("Everything is excluded, so nothing could be routed to this channel.")
            ]
    return settings


def validate_policy(document) -> dict:
    """The document with every default filled in, or PolicyInvalid naming each wrong field.

    Refused: anything but an object, unknown keys and channels, a minimum score outside 0–100,
    a negative cap, amounts outside 0 to the fund's size, unknown codes, and contradictions (a
    code both included and excluded, a minimum amount above the maximum, a routed channel with
    a cap of 0 or with everything excluded).
    """
    errors: dict[str, list[str]] = {}
    if not isinstance(document, dict):
        raise PolicyInvalid({"": [_("Write the policy as an object.")]})
    for key in document:
        if key not in ("channels", "notify"):
            errors[key] = [_("Unknown setting.")]
    channels = document.get("channels", {})
    normalized = {}
    if not isinstance(channels, dict):
        errors["channels"] = [_("Give the channels as an object keyed by channel code.")]
        channels = {}
    for code in channels:
        if code not in CHANNELS:
            errors[f"channels.{code}"] = [
                _("There is no channel with this code; use direct, indirect, loan or infra.")
            ]
    for code in CHANNELS:
        if code in channels:
            normalized[code] = _channel_errors(code, channels[code], errors)
        else:
            normalized[code] = dict(CHANNEL_DEFAULTS)
    notify = document.get("notify", [])
    if not isinstance(notify, list) or any(n not in NOTIFY for n in notify if isinstance(n, str)):
        errors["notify"] = [_("Choose who is told among: applicant, alliance_secretariat.")]
    elif any(not isinstance(n, str) for n in notify) or len(set(notify)) != len(notify):
        errors["notify"] = [_("Name each recipient once.")]
    if errors:
        raise PolicyInvalid(errors)
    return {"channels": normalized, "notify": [n for n in NOTIFY if n in notify]}


def routed_channels(document: dict) -> list[str]:
    return [code for code in CHANNELS if document["channels"][code]["route"]]


# ---------------------------------------------------------------------------------------------
# The decision for one proposal


@dataclass(frozen=True)
class Facts:
    """What the decision reads of a proposal: its state, the codes and amount the policy's
    conditions name, and its match results under the active rule set as (channel, eligible,
    score) in the channels' order."""

    proposal: int
    status: str
    sub_alliance: str | None
    industry: str | None
    requested_krw: int | None
    results: tuple[tuple[str, bool, int], ...]
    recommended: bool = False  # 산업부 recommended it (fund.ministry)


@dataclass
class Decision:
    """`route` when every condition holds; `reasons` lists every condition looked at (each
    with `met`), so a held proposal shows the ones it missed. `capped` marks a proposal held
    only by the day's cap: it is looked at again the next day."""

    route: bool
    channel: str | None = None
    score: int | None = None
    reasons: list[dict] = field(default_factory=list)
    capped: bool = False

    @property
    def missed(self) -> list[dict]:
        return [r for r in self.reasons if not r["met"]]


def _reason(code: str, met: bool, channel: str | None = None, **params) -> dict:
    return {"code": code, "met": met, "channel": channel or "", "params": params}


def best_result(facts: Facts) -> tuple[str, int] | None:
    found = best(facts.results, eligible=itemgetter(1), score=itemgetter(2))
    return (found[0], found[2]) if found else None


def decide(
    document: dict, facts: Facts, *, routed_today: Mapping[str, int], paused: bool
) -> Decision:
    """Whether the policy routes the proposal now, to which channel, and why (or why not).

    `routed_today` counts the proposals routed to each channel today (the cap); `paused` is the
    pause switch. Nothing is routed that is not waiting for referral.
    """
    if facts.status != ProposalStatus.SUBMITTED:
        return Decision(route=False, reasons=[_reason("submitted", False)])
    found = best_result(facts)
    if found is None:
        return Decision(route=False, reasons=[_reason("eligible", False)])
    channel, score = found
    reasons = [_reason("eligible", True, channel, score=score)]
    rules = document["channels"].get(channel) or CHANNEL_DEFAULTS
    if not rules["route"]:
        reasons.append(_reason("channel_routed", False, channel))
        return Decision(route=False, channel=channel, score=score, reasons=reasons)
    # A policy stored before the setting existed counts no points.
    bonus = rules.get("recommended_bonus", 0) if facts.recommended else 0
    if bonus:
        reasons.append(_reason("recommended", True, channel, bonus=bonus))
    reasons.append(
        _reason(
            "min_score",
            score + bonus >= rules["min_score"],
            channel,
            score=score + bonus,
            min_score=rules["min_score"],
        )
    )
    for kind, key, value in (
        ("sub_alliance", "sub_alliances", facts.sub_alliance),
        ("industry", "industries", facts.industry),
    ):
        included, excluded = rules[f"{key}_in"], rules[f"{key}_out"]
        if included:
            reasons.append(_reason(f"{kind}_in", value in included, channel, value=value or ""))
        if excluded:
            reasons.append(
                _reason(f"{kind}_out", value not in excluded, channel, value=value or "")
            )
    low, high = rules["min_requested_krw"], rules["max_requested_krw"]
    if low is not None or high is not None:
        amount = facts.requested_krw
        met = (
            amount is not None
            and (low is None or amount >= low)
            and (high is None or amount <= high)
        )
        reasons.append(_reason("amount", met, channel, amount=amount, low=low, high=high))
    others_met = all(r["met"] for r in reasons)
    cap = rules["daily_cap"]
    capped = False
    if cap is not None:
        done = routed_today.get(channel, 0)
        reasons.append(_reason("daily_cap", done < cap, channel, routed=done, cap=cap))
        capped = others_met and done >= cap
    if paused:
        reasons.append(_reason("paused", False))
    route = all(r["met"] for r in reasons)
    return Decision(
        route=route, channel=channel, score=score, reasons=reasons, capped=capped and not paused
    )


# ---------------------------------------------------------------------------------------------
# Reasons in words


def _label(labels: Mapping, code: str) -> tuple[str, str]:
    return labels.get(code, (code, code)) if code else ("(없음)", "(none)")


def _range(low, high) -> tuple[str, str]:
    if low is not None and high is not None:
        return f"{krw_ko(low)}~{krw_ko(high)}", f"{krw_en(low)} to {krw_en(high)}"
    if low is not None:
        return f"{krw_ko(low)} 이상", f"at least {krw_en(low)}"
    return f"{krw_ko(high)} 이하", f"at most {krw_en(high)}"


def _texts(reason: dict) -> tuple[str, str]:
    code, met, p = reason["code"], reason["met"], reason.get("params") or {}
    ch_ko, ch_en = CHANNEL_LABELS.get(reason.get("channel") or "", ("", ""))
    if code == "submitted":
        return (
            (
                "제출되어 연계를 기다리는 제안서입니다.",
                "The proposal is submitted and waits for referral.",
            )
            if met
            else (
                "연계를 기다리는 제안서가 아닙니다(제출 전이거나 이미 연계됨).",
                "The proposal is not waiting for referral (not submitted, or already referred).",
            )
        )
    if code == "eligible":
        if not met:
            return "적격 채널이 없습니다.", "The proposal is eligible for no channel."
        return (
            f"{ch_ko} 채널에 적격이며 점수가 가장 높습니다({p['score']}점).",
            f"Eligible for {ch_en} with its highest score ({p['score']}).",
        )
    if code == "channel_routed":
        return (
            (f"정책이 {ch_ko} 채널을 자동 연계합니다.", f"The policy routes {ch_en} automatically.")
            if met
            else (
                f"정책이 {ch_ko} 채널을 자동 연계하지 않습니다.",
                f"The policy does not route {ch_en} automatically.",
            )
        )
    if code == "recommended":
        return (
            f"산업통상부가 추천한 제안서이므로 점수에 {p['bonus']}점을 더합니다.",
            f"Recommended by the Ministry of Trade, Industry and Energy: {p['bonus']} points "
            "are added to the score.",
        )
    if code == "min_score":
        if met:
            return (
                f"점수 {p['score']}점이 최소 점수 {p['min_score']}점 이상입니다.",
                f"Score {p['score']} reaches the minimum of {p['min_score']}.",
            )
        return (
            f"점수 {p['score']}점이 최소 점수 {p['min_score']}점에 못 미칩니다.",
            f"Score {p['score']} is below the minimum of {p['min_score']}.",
        )
    if code in ("sub_alliance_in", "sub_alliance_out", "industry_in", "industry_out"):
        kind_ko, kind_en = (
            ("분과", "Sub-alliance") if code.startswith("sub") else ("첨단전략산업", "Industry")
        )
        ko, en = _label(
            SUB_ALLIANCE_LABELS if code.startswith("sub") else INDUSTRY_LABELS, p["value"]
        )
        if code.endswith("_in"):
            return (
                (f"{kind_ko} {ko}은(는) 자동 연계 대상입니다.", f"{kind_en} {en} is routed.")
                if met
                else (
                    f"{kind_ko} {ko}은(는) 자동 연계 대상이 아닙니다.",
                    f"{kind_en} {en} is not among those routed.",
                )
            )
        return (
            (f"{kind_ko} {ko}은(는) 제외 대상이 아닙니다.", f"{kind_en} {en} is not excluded.")
            if met
            else (
                f"{kind_ko} {ko}은(는) 자동 연계에서 제외됩니다.",
                f"{kind_en} {en} is excluded from routing.",
            )
        )
    if code == "amount":
        span_ko, span_en = _range(p.get("low"), p.get("high"))
        if p.get("amount") is None:
            return (
                f"신청 금액이 없어 범위({span_ko})를 확인할 수 없습니다.",
                f"No requested amount to compare with the range ({span_en}).",
            )
        amount_ko, amount_en = krw_ko(p["amount"]), krw_en(p["amount"])
        return (
            (
                f"신청 금액 {amount_ko}이(가) 범위({span_ko}) 안에 있습니다.",
                f"The requested amount {amount_en} is within the range ({span_en}).",
            )
            if met
            else (
                f"신청 금액 {amount_ko}이(가) 범위({span_ko})를 벗어납니다.",
                f"The requested amount {amount_en} is outside the range ({span_en}).",
            )
        )
    if code == "daily_cap":
        if met:
            return (
                f"오늘 {ch_ko} 채널 자동 연계 {p['routed']}건, 일일 한도 {p['cap']}건 이내입니다.",
                f"{p['routed']} routed to {ch_en} today, within the daily cap of {p['cap']}.",
            )
        return (
            f"오늘 {ch_ko} 채널의 일일 한도 {p['cap']}건이 찼습니다. 다음 날 다시 검토합니다.",
            f"Today's cap of {p['cap']} for {ch_en} is reached; it is looked at again tomorrow.",
        )
    if code == "paused":
        return "자동 연계가 일시 중지되어 있습니다.", "Automatic routing is paused."
    if code == "pending":
        return (
            "정책의 조건을 모두 충족하여 곧 자동 연계됩니다.",
            "Meets every condition of the policy; it is being routed.",
        )
    if code == "unscored":
        return (
            "현재 매칭 규칙으로 아직 평가되지 않았습니다.",
            "Not yet scored under the active rule set.",
        )
    if code == "manual":
        return (
            "얼라이언스 사무국(KEIT)이 직접 연계했습니다.",
            "Referred by the alliance secretariat (KEIT).",
        )
    return code, code


def render(reason: dict) -> dict:
    """The reason with its words: `reason_ko` and `reason_en` added."""
    ko, en = _texts(reason)
    return {**reason, "reason_ko": particles(ko), "reason_en": en}


def note(code: str, channel: str | None = None, **params) -> dict:
    """A rendered reason that is a note rather than a condition (pending, manual, unscored)."""
    return render(_reason(code, code in ("pending", "manual"), channel, **params))
