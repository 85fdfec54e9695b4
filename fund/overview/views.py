"""The ministries' overview page: the pipeline by channel and stage in counts and won."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from fund.ministry import permissions
from fund.overview.selectors import pipeline_summary
from portal.core.access import only_for
from portal.core.vocabulary import ChannelCode, ProposalStatus, ReviewStage


@require_GET
@only_for(permissions.can_see_overview)
def overview(request):
    """Counts and amounts only: no firm, no proposal title (SPEC §2, the ministry's row)."""
    return render(
        request,
        "fund/ministry/overview.html",
        {**pipeline_tables(), "can_recommend": permissions.can_recommend(request.user)},
    )


def pipeline_tables() -> dict:
    """The pipeline before the fund (by status) and at the fund (by channel and review stage),
    with its labels; and 산업부's recommendations counted."""
    summary = pipeline_summary()
    stage_labels = dict(ReviewStage.choices)
    status_labels = dict(ProposalStatus.choices)
    by_channel = []
    for channel, label in ChannelCode.choices:
        cells = [r for r in summary["by_channel_and_stage"] if r["channel"] == channel]
        by_channel.append(
            {
                "code": channel,
                "label": label,
                "cells": cells,
                "count": sum(c["count"] for c in cells),
                "requested_krw": sum(c["requested_krw"] for c in cells),
                "approved_krw": sum(c["approved_krw"] for c in cells),
            }
        )
    return {
        "stages": [stage_labels[s] for s in ReviewStage.values],
        "before_fund": [
            {**row, "label": status_labels[row["status"]]} for row in summary["before_fund"]
        ],
        "by_channel": by_channel,
        "recommendations": summary["recommendations"],
    }
