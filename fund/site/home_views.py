"""Pages of the fund information site."""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from alliance.models import Industry, SubAlliance
from fund.capacity.selectors import channels_with_capacity
from fund.site import facts
from portal.core.aggregate_cache import cached


def _home_body() -> str:
    """The home page below its hero, rendered: the same for every visitor in a language."""
    year = facts.FUND.plan_year
    context = {
        "fund": facts.FUND,
        "alliance": facts.ALLIANCE,
        "channels": cached(f"channels:{year}", lambda: list(channels_with_capacity(year=year))),
        "sub_alliances": cached(
            "sub_alliances", lambda: list(SubAlliance.objects.order_by("order"))
        ),
        "industries": cached("industries", lambda: list(Industry.objects.order_by("order"))),
        "decision_path": facts.DECISION_PATH,
        "review_criteria": facts.REVIEW_CRITERIA,
        "cooperation": facts.COOPERATION,
    }
    return render_to_string("fund/_home_body.html", context)


def home(request):
    """The information site's landing page: the fund, its channels, the alliance, the path.

    The part below the hero names no user and holds no CSRF token, so it is cached as a
    rendered fragment per language under the public aggregates' version: a commitment or a
    content change makes it stale the moment it commits, and a rolled-back one never shows.
    """
    body = cached(f"home-body:{get_language()}", _home_body)  # a SafeString, cached as one
    return render(request, "fund/home.html", {"fund": facts.FUND, "body": body})
