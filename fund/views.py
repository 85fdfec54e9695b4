"""Pages of the fund information site."""

from django.shortcuts import render

from alliance.models import Industry, SubAlliance

from . import facts
from .aggregate_cache import cached
from .selectors import channels_with_capacity


def home(request):
    """The information site's landing page: the fund, its channels, the alliance, the path."""
    year = facts.FUND.plan_year
    channels = cached(f"channels:{year}", lambda: list(channels_with_capacity(year=year)))
    context = {
        "fund": facts.FUND,
        "alliance": facts.ALLIANCE,
        "channels": channels,
        "sub_alliances": cached(
            "sub_alliances", lambda: list(SubAlliance.objects.order_by("order"))
        ),
        "industries": cached("industries", lambda: list(Industry.objects.order_by("order"))),
        "decision_path": facts.DECISION_PATH,
        "review_criteria": facts.REVIEW_CRITERIA,
        "cooperation": facts.COOPERATION,
    }
    return render(request, "fund/home.html", context)
