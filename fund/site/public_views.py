"""The information site's channel and alliance pages, and the staff dashboards."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from alliance import stats
from fund.capacity.selectors import channels_with_capacity, fund_targets
from fund.site import facts
from portal.core.aggregate_cache import cached
from portal.core.vocabulary import ChannelCode, ProposalStatus

PLAN_YEAR = facts.FUND.plan_year


@require_GET
def channel_detail(request, code: str):
    """What a channel funds, who may apply, its terms and live capacity (public)."""
    if code not in ChannelCode.values:
        raise Http404
    channels = cached(f"channels:{PLAN_YEAR}", lambda: list(channels_with_capacity(year=PLAN_YEAR)))
    channel = next(c for c in channels if c.code == code)
    channel.remaining_krw = channel.size_krw - channel.committed_krw
    channel.used_percent = round(100 * channel.committed_krw / channel.size_krw, 1)
    return render(
        request,
        "fund/channel_detail.html",
        {
            "channel": channel,
            "channels": channels,
            "plan_year": PLAN_YEAR,
            "rules": _plain_rules(code),
        },
    )


def _plain_rules(code: str) -> dict | None:
    """The active rule set's eligibility rules and criteria for one channel, in plain words.

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
        "eligibility": [r.get(key, "") for r in channel_rules.get("eligibility", [])],
        "criteria": [
            {"text": c.get(key, ""), "weight": c.get("weight")}
            for c in channel_rules.get("criteria", [])
        ],
    }


@require_GET
def alliance_overview(request):
    """The ten sub-alliances and live aggregated demand (submitted proposals only, no names)."""
    return render(
        request,
        "fund/alliance_overview.html",
        {
            "sub_alliances": cached("demand:sub_alliances", stats.demand_by_sub_alliance),
            "industries": cached("demand:industries", stats.demand_by_industry),
            "totals": cached("demand:totals", stats.demand_totals),
        },
    )


def _can_see_dashboard(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or user.is_alliance_staff or user.is_fund_staff
    )


@require_GET
def staff_dashboard(request):
    """Charts for both secretariats: demand, funnel, capacity use, AI and regional targets."""
    if not _can_see_dashboard(request.user):
        raise Http404
    channels = list(channels_with_capacity(year=PLAN_YEAR))
    for channel in channels:
        channel.remaining_krw = channel.size_krw - channel.committed_krw
    sub_alliances = stats.demand_by_sub_alliance()
    industries = stats.demand_by_industry()
    funnel = stats.pipeline_funnel()
    targets = fund_targets()
    status_labels = dict(ProposalStatus.choices)
    chart_data = {
        "subAlliances": {
            "labels": [s.name for s in sub_alliances],
            "amounts": [s.requested_krw for s in sub_alliances],
            "counts": [s.proposal_count for s in sub_alliances],
        },
        "industries": {
            "labels": [i.name for i in industries],
            "amounts": [i.requested_krw for i in industries],
        },
        "funnel": {
            "labels": [str(status_labels[s]) for s in funnel],
            "counts": list(funnel.values()),
        },
        "channels": {
            "labels": [c.name for c in channels],
            "committed": [c.committed_krw for c in channels],
            "remaining": [c.remaining_krw for c in channels],
        },
    }
    return render(
        request,
        "fund/dashboard.html",
        {
            "channels": channels,
            "sub_alliances": sub_alliances,
            "industries": industries,
            "funnel": [(status_labels[s], n) for s, n in funnel.items()],
            "targets": targets,
            "chart_data": chart_data,
        },
    )
