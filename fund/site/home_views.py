"""Pages of the fund information site."""

from django.conf import settings
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from alliance import stats
from alliance.models import SubAlliance
from fund.capacity.selectors import channels_with_capacity
from fund.site import facts
from portal.core.aggregate_cache import cached
from portal.core.page_cache import public_page

# The figures in the home page's hero, by registry key.
HERO_FACTS = ("fund-size", "fund-launch", "fund-ai-target", "fund-2026-regional-share")


def _home_body(reg: facts.Registry) -> str:
    """The home page below its hero, rendered: the same for every visitor in a language."""
    year = facts.PLAN_YEAR
    industries = cached("demand:industries", stats.demand_by_industry)
    context = {
        "facts_registry": reg,
        "plan_year": year,
        "channels": facts.with_channel_facts(
            cached(f"channels:{year}", lambda: list(channels_with_capacity(year=year))), reg
        ),
        "sub_alliances": cached(
            "sub_alliances", lambda: list(SubAlliance.objects.order_by("order"))
        ),
        "industries": industries,
        "allocations": facts.allocation_rows(reg, industries),
        "survey": reg.latest_survey,
        "decision_path": reg.group("decision-path"),
        "cooperation": reg.group("cooperation"),
        "demo_data": settings.DEMO_DATA_ALLOWED,
    }
    return render_to_string("fund/_home_body.html", context)


@public_page()
def home(request):
    """The information site's landing page: the fund, its channels, the alliance, the path.

    The part below the hero names no user and holds no CSRF token, so it is cached as a
    rendered fragment per language under the public aggregates' version: a commitment, a
    content change or a changed fact makes it stale the moment it commits, and a rolled-back
    one never shows.
    """
    reg = facts.registry()
    body = cached(f"home-body:{get_language()}", lambda: _home_body(reg))  # a SafeString
    return render(
        request,
        "fund/home.html",
        {"facts_registry": reg, "hero_facts": HERO_FACTS, "body": body},
    )
