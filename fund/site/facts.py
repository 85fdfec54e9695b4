"""The fund and the alliance as announced (SPEC §1), for the information site's pages.

Channel sizes and annual plans are data (fund.Channel / fund.AnnualPlan, seeded from
fund/facts_seed.py) so staff can correct them; what stays here are fund-wide facts that no one
edits through the portal.
"""

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fund.capacity.selectors import AI_TARGET_KRW, REGIONAL_SHARE_TARGET_PERCENT
from portal.core.vocabulary import FUND_SIZE_KRW, JO


@dataclass(frozen=True)
class FundFacts:
    size_krw: int
    start: datetime.date
    years: int
    plan_year: int
    ai_target_krw: int
    regional_share_percent: int
    strategic_industry_count: int


@dataclass(frozen=True)
class AllianceFacts:
    launched: datetime.date
    members_approx: int
    sub_alliance_count: int
    surveyed_demand_krw: int


@dataclass(frozen=True)
class Step:
    label: Promise
    who: Promise


FUND = FundFacts(
    size_krw=FUND_SIZE_KRW,
    start=datetime.date(2025, 12, 1),
    years=5,
    plan_year=2026,
    ai_target_krw=AI_TARGET_KRW,
    regional_share_percent=REGIONAL_SHARE_TARGET_PERCENT,
    strategic_industry_count=12,
)

ALLIANCE = AllianceFacts(
    launched=datetime.date(2025, 9, 10),
    members_approx=1300,
    sub_alliance_count=10,
    surveyed_demand_krw=10 * JO,
)

# From a member firm's proposal to the fund's decision (SPEC §1 "How the fund decides").
DECISION_PATH = (
    Step(_("Write the proposal"), _("Member firm")),
    Step(_("Alliance review"), _("KEIT alliance secretariat")),
    Step(_("Fund secretariat intake"), _("KDB fund secretariat")),
    Step(_("Pre-screen"), _("KDB fund secretariat")),
    Step(_("Investment review committee"), _("Outside experts and KDB, by sector")),
    Step(_("Fund management council"), _("National Growth Fund")),
    Step(_("Decision"), _("Approve, approve with conditions, defer or reject")),
)

# What the committee weighs (SPEC §1).
REVIEW_CRITERIA = (
    _("Business viability"),
    _("Financial structure"),
    _("Technology and market"),
    _("Policy effect"),
)

# How the ministry, the alliance and the fund work together (the press release's three points).
COOPERATION = (
    _(
        "The alliance keeps finding good AX investment projects from member firms' demand and "
        "proposes them to the fund."
    ),
    _(
        "Shared infrastructure that member firms use together — large-scale data, computing, "
        "testbeds — is planned and linked to the fund."
    ),
    _(
        "Firms and financial institutions meet at briefings, consultations and workshops, with "
        "this dedicated information site and a standing KEIT–KDB coordination channel."
    ),
)
