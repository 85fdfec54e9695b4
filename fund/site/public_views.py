"""The information site's channel and alliance pages, and the staff dashboards."""

import re

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from alliance import stats
from fund.capacity.selectors import (
    channels_with_capacity,
)
from fund.site import facts
from portal.core.aggregate_cache import cached
from portal.core.page_cache import public_page
from portal.core.vocabulary import ChannelCode

PLAN_YEAR = facts.PLAN_YEAR

# Which registry sources back each kind of eligibility rule of the matching rule set. Every
# rule is the portal's own (it decides what the portal scores); where a published document
# says what the rule applies, the page cites that document too. Unknown rule kinds are the
# portal's rule only.
RULE_SOURCES = {
    "industry_in": ("S2", "portal-rule"),
    "capacity_remaining": ("S1", "portal-rule"),
    "ticket_range": ("portal-rule",),
    "structure_in": ("S1",),
    "coinvest_ratio": ("portal-rule",),
}
FUND_USE_SOURCES = {
    "direct": ("S1",),
    "indirect": ("portal-rule",),
    "loan": ("S1",),
    "infra": ("S1", "S2", "portal-rule"),
}
# The rule set's descriptions end in their own citation ("— 출처: …"); the page replaces it
# with the registry's markers, so a rule set written before the registry cites nothing stale.
CITATION = re.compile(r"\s*[—-]+\s*(출처|source)\s*:.*$", re.IGNORECASE | re.DOTALL)


def _rule_sources(rule: dict, code: str) -> tuple[str, ...]:
    if rule.get("rule") == "fund_use_in":
        return FUND_USE_SOURCES.get(code, ("portal-rule",))
    return RULE_SOURCES.get(rule.get("rule"), ("portal-rule",))


@require_GET
@public_page()
def channel_detail(request, code: str):
    """What a channel funds, who may apply, its terms and live capacity (public)."""
    if code not in ChannelCode.values:
        raise Http404
    reg = facts.registry()
    channels = cached(f"channels:{PLAN_YEAR}", lambda: list(channels_with_capacity(year=PLAN_YEAR)))
    channel = next(c for c in channels if c.code == code)
    channel.remaining_krw = channel.size_krw - channel.committed_krw
    channel.used_percent = round(100 * channel.committed_krw / channel.size_krw, 1)
    keys = facts.channel_keys(code)
    return render(
        request,
        "fund/channel_detail.html",
        {
            "facts_registry": reg,
            "channel": channel,
            "channels": channels,
            "plan_year": PLAN_YEAR,
            "keys": keys,
            "has_plan_use": keys["funds_plan"] in reg.facts,
            "structure": reg.group(f"{code}-{PLAN_YEAR}"),
            "rules": _plain_rules(code),
            "demo_data": settings.DEMO_DATA_ALLOWED,
        },
    )


def _plain_rules(code: str) -> dict | None:
    """The active rule set's eligibility rules and criteria for one channel, in plain words,
    each with the registry sources that back it.

    Read from the same rule data the matching engine scores with, so the page never says
    something the engine does not do.
    """
    from matching.selectors import active_rule_set

    rule_set = active_rule_set()
    if rule_set is None:
        return None
    english = (get_language() or "ko").startswith("en")
    key = "description_en" if english else "description_ko"
    channel_rules = rule_set.rules.get("channels", {}).get(code, {})
    return {
        "version": rule_set.version,
        "eligibility": [
            {"text": CITATION.sub("", r.get(key, "")), "sources": _rule_sources(r, code)}
            for r in channel_rules.get("eligibility", [])
        ],
        "criteria": [
            {"text": CITATION.sub("", c.get(key, "")), "weight": c.get("weight")}
            for c in channel_rules.get("criteria", [])
        ],
    }


@require_GET
@public_page()
def alliance_overview(request):
    """The alliance as its source states it, its goals, the published demand survey, and
    beside it the live demand of submitted proposals (aggregated, no names)."""
    reg = facts.registry()
    totals = cached("demand:totals", stats.demand_totals)
    goal = reg.facts.get("alliance-goal-value-added")
    value_added = totals.get("expected_value_added_krw", 0)
    return render(
        request,
        "fund/alliance_overview.html",
        {
            "facts_registry": reg,
            "sub_alliances": cached("demand:sub_alliances", stats.demand_by_sub_alliance),
            "industries": cached("demand:industries", stats.demand_by_industry),
            "totals": totals,
            "survey": reg.latest_survey,
            "value_added_percent": (
                round(100 * value_added / goal.amount_krw, 2) if goal and goal.amount_krw else None
            ),
            "meeting": reg.group("meeting"),
            "demo_data": settings.DEMO_DATA_ALLOWED,
        },
    )
