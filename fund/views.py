"""Pages of the fund information site."""

from django.shortcuts import render

from alliance.models import Industry, SubAlliance

from . import facts
from .selectors import channels_with_capacity


def home(request):
    """The information site's landing page: the fund, its channels, the alliance, the path."""
    channels = list(channels_with_capacity(year=facts.FUND.plan_year))
    context = {
        "fund": facts.FUND,
        "alliance": facts.ALLIANCE,
        "channels": channels,
        "sub_alliances": list(SubAlliance.objects.order_by("order")),
        "industries": list(Industry.objects.order_by("order")),
        "decision_path": facts.DECISION_PATH,
        "review_criteria": facts.REVIEW_CRITERIA,
        "cooperation": facts.COOPERATION,
    }
    return render(request, "fund/home.html", context)
