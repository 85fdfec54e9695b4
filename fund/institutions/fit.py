"""The fit of an opened proposal to an institution's offer (the portal's own rule, D20).

Pure: plain values in, a score and a breakdown out; `reasons` renders the breakdown in the
active language when a page or the API reads it, so the stored rows carry codes, not text.

Criteria and weights (100 in all): channels 40 — the offer serves at least one channel the
proposal is eligible for in its match results; industry 20, sub-alliance 15 and region 10 —
the proposal's is among the offer's (an empty list in the offer takes all); ticket 15 — the
requested amount lies within the offer's range. Only a proposal with a channel in common
fits at all: without one the institution has no way to finance it through the fund.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.core.money import krw_en, krw_ko
from portal.core.vocabulary import ChannelCode, Region

WEIGHTS = {"channel": 40, "industry": 20, "sub_alliance": 15, "region": 10, "ticket": 15}


@dataclass(frozen=True)
class OfferValues:
    channels: tuple[str, ...]
    industries: tuple[str, ...]
    sub_alliances: tuple[str, ...]
    regions: tuple[str, ...]
    min_ticket_krw: int
    max_ticket_krw: int


@dataclass(frozen=True)
class ProposalValues:
    eligible_channels: tuple[str, ...]
    industry: str
    sub_alliance: str
    region: str
    requested_krw: int


@dataclass(frozen=True)
class FitResult:
    score: int
    fits: bool
    breakdown: list[dict]


def _listed(code: str, accepted: tuple[str, ...]) -> tuple[bool, bool]:
    """(met, takes all): an empty list takes every code."""
    if not accepted:
        return True, True
    return code in accepted, False


def evaluate(offer: OfferValues, proposal: ProposalValues) -> FitResult:
    breakdown = []
    common = [
        c for c in ChannelCode.values if c in offer.channels and c in proposal.eligible_channels
    ]
    breakdown.append(
        {
            "criterion": "channel",
            "weight": WEIGHTS["channel"],
            "points": WEIGHTS["channel"] if common else 0,
            "met": bool(common),
            "common": common,
            "eligible": list(proposal.eligible_channels),
        }
    )
    for criterion, code, accepted in (
        ("industry", proposal.industry, offer.industries),
        ("sub_alliance", proposal.sub_alliance, offer.sub_alliances),
        ("region", proposal.region, offer.regions),
    ):
        met, takes_all = _listed(code, accepted)
        breakdown.append(
            {
                "criterion": criterion,
                "weight": WEIGHTS[criterion],
                "points": WEIGHTS[criterion] if met else 0,
                "met": met,
                "all": takes_all,
                "code": code,
            }
        )
    requested = proposal.requested_krw
    if requested < offer.min_ticket_krw:
        ticket = "below"
    elif requested > offer.max_ticket_krw:
        ticket = "above"
    else:
        ticket = "within"
    breakdown.append(
        {
            "criterion": "ticket",
            "weight": WEIGHTS["ticket"],
            "points": WEIGHTS["ticket"] if ticket == "within" else 0,
            "met": ticket == "within",
            "position": ticket,
            "requested": requested,
            "min": offer.min_ticket_krw,
            "max": offer.max_ticket_krw,
        }
    )
    return FitResult(
        score=sum(item["points"] for item in breakdown), fits=bool(common), breakdown=breakdown
    )


def format_krw(amount: int) -> str:
    return krw_en(amount) if (get_language() or "ko").startswith("en") else krw_ko(amount)


def _channels_text(codes) -> str:
    return ", ".join(str(ChannelCode(c).label) for c in codes if c in ChannelCode.values)


def reason(item: dict, *, names: dict[str, str]) -> str:
    """One criterion of a breakdown as a sentence in the active language. `names` gives the
    display name of the proposal's industry and sub-alliance codes."""
    criterion = item["criterion"]
    points = {"points": item["points"], "weight": item["weight"]}
    if criterion == "channel":
        if item["met"]:
            text = _("Channels: the offer serves %(channels)s, where the proposal is eligible.") % {
                "channels": _channels_text(item["common"])
            }
        elif item["eligible"]:
            text = _(
                "Channels: the proposal is eligible for %(channels)s, which the offer does not "
                "serve."
            ) % {"channels": _channels_text(item["eligible"])}
        else:
            text = _("Channels: the proposal is not yet eligible for any channel.")
    elif criterion in ("industry", "sub_alliance"):
        label = _("Industry") if criterion == "industry" else _("Sub-alliance")
        values = {"label": label, "name": names.get(item["code"], "")}
        if item.get("all"):
            text = _("%(label)s: the offer takes every one, %(name)s included.") % values
        elif item["met"]:
            text = _("%(label)s: %(name)s is one the offer takes.") % values
        else:
            text = _("%(label)s: %(name)s is not one the offer takes.") % values
    elif criterion == "region":
        code = item["code"]
        values = {"region": str(Region(code).label) if code in Region.values else ""}
        if item.get("all"):
            text = _("Region: the offer takes every region, %(region)s included.") % values
        elif item["met"]:
            text = _("Region: %(region)s is one the offer takes.") % values
        else:
            text = _("Region: %(region)s is not one the offer takes.") % values
    else:
        values = {
            "requested": format_krw(item["requested"]),
            "min": format_krw(item["min"]),
            "max": format_krw(item["max"]),
        }
        if item["position"] == "within":
            text = _("Ticket: the requested %(requested)s is within %(min)s–%(max)s.") % values
        elif item["position"] == "below":
            text = _("Ticket: the requested %(requested)s is below the offer's %(min)s.") % values
        else:
            text = _("Ticket: the requested %(requested)s is above the offer's %(max)s.") % values
    return _("%(text)s (%(points)d of %(weight)d points)") % {"text": text, **points}


def reasons(breakdown: list[dict], *, names: dict[str, str]) -> list[str]:
    return [reason(item, names=names) for item in breakdown]
