"""Reads of the fund: channels with live capacity, and the fund-wide targets."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from fund.capacity.models import LIVE_AMOUNT, Channel, Commitment
from portal.core.vocabulary import CAPITAL_AREA, JO

AI_TARGET_KRW = 30 * JO
REGIONAL_SHARE_TARGET_PERCENT = 40


def channels_with_capacity(*, year: int | None = None) -> QuerySet[Channel]:
    """Every channel annotated with committed_krw and remaining_krw (and the year's plan)."""
    committed = (
        Commitment.objects.filter(channel=OuterRef("pk"))
        .order_by()
        .values("channel")
        .annotate(total=Sum(LIVE_AMOUNT))
        .values("total")
    )
    qs = Channel.objects.annotate(committed_krw=Coalesce(Subquery(committed), Value(0)))
    if year is not None:
        from fund.capacity.models import AnnualPlan

        plan = AnnualPlan.objects.filter(channel=OuterRef("pk"), year=year).values("amount_krw")
        qs = qs.annotate(annual_plan_krw=Subquery(plan))
    return qs.order_by("order")


def channel_capacity(channel: Channel) -> dict:
    committed = channel.commitments.aggregate(total=Sum(LIVE_AMOUNT))["total"] or 0
    return {"committed_krw": committed, "remaining_krw": channel.size_krw - committed}


@dataclass(frozen=True)
class FundTargets:
    committed_krw: int
    ai_related_krw: int
    ai_target_krw: int
    regional_krw: int
    regional_share_percent: float | None
    regional_target_percent: int

    @property
    def ai_progress_percent(self) -> float:
        return round(100 * self.ai_related_krw / self.ai_target_krw, 1)

    @property
    def regional_target_met(self) -> bool:
        return (self.regional_share_percent or 0) >= self.regional_target_percent


def fund_targets() -> FundTargets:
    """AI-related total against 30조 and the regional share against 40 %, from the ledger."""
    totals = Commitment.objects.aggregate(
        committed=Coalesce(Sum(LIVE_AMOUNT), Value(0)),
        ai=Coalesce(Sum(LIVE_AMOUNT, filter=Q(ai_related=True)), Value(0)),
        regional=Coalesce(Sum(LIVE_AMOUNT, filter=~Q(region__in=CAPITAL_AREA)), Value(0)),
    )
    committed = totals["committed"]
    share = round(100 * totals["regional"] / committed, 1) if committed else None
    return FundTargets(
        committed_krw=committed,
        ai_related_krw=totals["ai"],
        ai_target_krw=AI_TARGET_KRW,
        regional_krw=totals["regional"],
        regional_share_percent=share,
        regional_target_percent=REGIONAL_SHARE_TARGET_PERCENT,
    )


def committed_by_industry() -> dict[str | None, int]:
    """Live committed won per strategic industry of the committed proposal (None: a
    commitment that names no proposal or industry)."""
    rows = (
        Commitment.objects.order_by()
        .values_list("proposal__industry__code")
        .annotate(total=Sum(LIVE_AMOUNT))
    )
    return {code: total or 0 for code, total in rows}


def regional_share(*, year: int) -> tuple[int, int, float | None]:
    """(committed won outside the capital area, committed won, share in %) of one year's
    commitments; the share is None while nothing is committed."""
    totals = Commitment.objects.filter(year=year).aggregate(
        committed=Coalesce(Sum(LIVE_AMOUNT), Value(0)),
        regional=Coalesce(Sum(LIVE_AMOUNT, filter=~Q(region__in=CAPITAL_AREA)), Value(0)),
    )
    committed = totals["committed"]
    share = round(100 * totals["regional"] / committed, 1) if committed else None
    return totals["regional"], committed, share
