"""The dashboard for both secretariats and the ministries: above the information site and
the review pipeline, so it can set the pipeline's stages beside the site's sourced figures."""

import dataclasses

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alliance import stats
from alliance.models import Industry, SubAlliance
from fund.capacity.selectors import (
    channels_with_capacity,
    committed_by_industry,
    fund_targets,
    regional_share,
)
from fund.ministry import permissions as ministry_permissions
from fund.overview.views import pipeline_tables
from fund.site import facts
from portal.core.vocabulary import ProposalStatus

PLAN_YEAR = facts.PLAN_YEAR


@require_GET
def staff_dashboard(request):
    """One page for both secretariats and the ministries, ordered by the reader's work: KEIT
    first sees its intake and screening by sub-alliance and industry, KDB (and the
    ministries) the pipeline by channel and review stage; then the fund-wide targets, the
    industry allocation against demand and commitments, capacity use, demand and the funnel.
    Counts and sums only: no firm is named here."""
    if not ministry_permissions.can_see_overview(request.user):
        raise Http404
    reg = facts.registry()
    channels = facts.with_channel_facts(list(channels_with_capacity(year=PLAN_YEAR)), reg)
    for channel in channels:
        channel.remaining_krw = channel.size_krw - channel.committed_krw
    sub_alliances = stats.demand_by_sub_alliance()
    industries = stats.demand_by_industry()
    funnel = stats.pipeline_funnel()
    regional_krw, _committed, share = regional_share(year=PLAN_YEAR)
    targets = dataclasses.replace(
        fund_targets(),
        ai_target_krw=reg.fact("fund-ai-target").amount_krw,
        regional_krw=regional_krw,
        regional_share_percent=share,
        regional_target_percent=reg.fact(f"fund-{PLAN_YEAR}-regional-share").number,
    )
    status_labels = dict(ProposalStatus.choices)
    keit_first = request.user.is_alliance_staff and not request.user.is_fund_staff
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
            "facts_registry": reg,
            "plan_year": PLAN_YEAR,
            "channels": channels,
            "sub_alliances": sub_alliances,
            "industries": industries,
            "allocations": facts.allocation_rows(reg, industries, committed_by_industry()),
            "funnel": [(status_labels[s], n) for s, n in funnel.items()],
            "targets": targets,
            "chart_data": chart_data,
            "keit_first": keit_first,
            "screening_statuses": [status_labels[s] for s in stats.SCREENING_STATUSES],
            "screening_groups": [
                (_("By sub-alliance"), stats.screening_by(SubAlliance), "screening-sub"),
                (_("By strategic industry"), stats.screening_by(Industry), "screening-industry"),
            ],
            **pipeline_tables(),
        },
    )
