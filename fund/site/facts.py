"""The public facts as the pages read them: one snapshot of the registry (sources, facts,
survey rounds), cached, and each value written out as people read it in either language.

No figure lives here: they are rows (fund.Source, fund.Fact, fund.SurveyRound), seeded from
SPEC §1 by fund/site/facts_seed.py and kept current through the portal's fact pages.

Every page shows a fact with its source marker (fund/templatetags/public_facts.py): the
page's figures, its footer and the cached home body all read the same snapshot, so a page
costs no query for them while the cache holds it. A change drops the snapshot when its
transaction commits (`registry_invalidate`); inside an atomic block the snapshot is read but
never stored, so an uncommitted change is never cached for other requests.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fund.site.models import SOURCE_MARKERS, Fact, Source, SourceKind, SurveyRound
from portal.core import aggregate_cache
from portal.core.korean import korean_date, korean_month
from portal.core.money import krw_en, krw_ko

logger = logging.getLogger(__name__)

CACHE_KEY = "facts:registry:v1"
CACHE_TIMEOUT = 60  # per-process caches learn of a change from another process within this

# The year of the annual plan the site shows beside the five-year sizes (S2's plan year): it
# picks the channels' AnnualPlan rows; the figures themselves are registry facts.
PLAN_YEAR = 2026

# The fund's industry allocation (S2, S3) names industry groups, the alliance's proposals name
# strategic industries: this is how the portal sets one beside the other (docs/facts.md).
# Displays, hydrogen, robotics and critical minerals belong to no allocation group.
ALLOCATION_GROUPS = (
    ("ai", ("ai",)),
    ("semiconductor", ("semiconductor",)),
    ("mobility", ("future_mobility",)),
    ("bio-vaccine", ("bio", "vaccine")),
    ("battery", ("secondary_battery",)),
    ("media-content", ("culture_content",)),
    ("aerospace-defense", ("defense",)),
)

# The order in which lists of facts (the sources page, the fact pages) take the groups.
GROUP_ORDER = (
    "fund",
    "alloc-5y",
    "alloc-2026",
    "channel-direct",
    "channel-indirect",
    "indirect-2026",
    "channel-loan",
    "channel-infra",
    "decision-path",
    "alliance",
    "cooperation",
    "meeting",
    "site",
)


def group_rank(group: str) -> tuple[int, str]:
    return (GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER), group)


# What the fact pages call each group.
GROUP_LABELS = {
    "fund": _("The fund"),
    "alloc-5y": _("Allocation by industry, five years"),
    "alloc-2026": _("Allocation by industry, 2026"),
    "channel-direct": _("Direct investment"),
    "channel-indirect": _("Indirect investment"),
    "indirect-2026": _("Indirect investment in 2026"),
    "channel-loan": _("Ultra-low-rate loans"),
    "channel-infra": _("Infrastructure investment & loans"),
    "decision-path": _("From proposal to decision"),
    "alliance": _("The M.AX Alliance"),
    "cooperation": _("How the two sides are to work together"),
    "meeting": _("The linkage meeting of 2025-12-04"),
    "site": _("This site"),
}


def group_label(group: str) -> str:
    return str(GROUP_LABELS.get(group, group))


def _english() -> bool:
    return (get_language() or "ko").startswith("en")


def _pick(ko: str, en: str) -> str:
    return en if _english() else ko


@dataclass(frozen=True)
class SourceEntry:
    key: str
    kind: str
    issuer_ko: str
    issuer_en: str
    title_ko: str
    title_en: str
    date: datetime.date | None
    url: str

    @property
    def issuer(self) -> str:
        return _pick(self.issuer_ko, self.issuer_en)

    @property
    def title(self) -> str:
        return _pick(self.title_ko, self.title_en)

    @property
    def is_official(self) -> bool:
        return self.kind in (SourceKind.RELEASE, SourceKind.PLAN)

    @property
    def marker(self) -> str:
        return str(SOURCE_MARKERS[self.kind]) if self.kind in SOURCE_MARKERS else self.key

    @property
    def kind_label(self) -> str:
        return str(SourceKind(self.kind).label)

    @property
    def anchor(self) -> str:
        return f"source-{self.key}"


def format_number(value: Decimal | None) -> str:
    """A count or percentage as written: 1,000; 2.5."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def format_amount(amount: int, qualifier: str) -> str:
    """A won amount with its qualifier, in the page's language: 150조원 이상, KRW 30 trillion+α."""
    if _english():
        text = krw_en(amount)
        return {
            "at_least": f"{text} or more",
            "plus_alpha": f"{text}+α",
            "about": f"about {text}",
        }.get(qualifier, text)
    text = krw_ko(amount)
    return {
        "at_least": f"{text} 이상",
        "plus_alpha": f"{text}+α",
        "about": f"약 {text}",
    }.get(qualifier, text)


@dataclass(frozen=True)
class FactEntry:
    key: str
    group: str
    order: int
    kind: str
    amount_krw: int | None
    number: Decimal | None
    date: datetime.date | None
    qualifier: str
    unit_ko: str
    unit_en: str
    label_ko: str
    label_en: str
    text_ko: str
    text_en: str
    scope_ko: str
    scope_en: str
    as_of: datetime.date | None
    source_key: str
    updated_at: datetime.datetime | None = None

    @property
    def label(self) -> str:
        return _pick(self.label_ko, self.label_en)

    @property
    def text(self) -> str:
        return _pick(self.text_ko, self.text_en)

    @property
    def scope(self) -> str:
        return _pick(self.scope_ko, self.scope_en)

    @property
    def unit(self) -> str:
        return _pick(self.unit_ko, self.unit_en)

    @property
    def display(self) -> str:
        """The value as a page shows it: 150조원 이상, 1,000여개 기업·단체, 40%, 2025년 12월 11일,
        or the statement; English pages get the English form."""
        english = _english()
        if self.kind == "amount":
            return format_amount(self.amount_krw, self.qualifier)
        if self.kind in ("count", "percent"):
            number = format_number(self.number)
            if self.kind == "percent":
                number += "%"
                return {
                    "at_least": f"at least {number}" if english else f"{number} 이상",
                    "about": f"about {number}" if english else f"약 {number}",
                }.get(self.qualifier, number)
            if english:
                text = f"{number} {self.unit_en}".strip()
                return {
                    "at_least": f"{text} or more",
                    "about": f"about {text}",
                    "plus_alpha": f"{text}+α",
                }.get(self.qualifier, text)
            if self.qualifier == "about":
                return f"{number}여{self.unit_ko}"
            text = f"{number}{self.unit_ko}"
            return {"at_least": f"{text} 이상", "plus_alpha": f"{text}+α"}.get(self.qualifier, text)
        if self.kind == "date":
            if self.qualifier == "month":
                return date_format(self.date, "F Y") if english else korean_month(self.date)
            return date_format(self.date, "j F Y") if english else korean_date(self.date)
        return self.text


@dataclass(frozen=True)
class SurveyFigureEntry:
    field_ko: str
    field_en: str
    amount_krw: int
    sub_alliance_code: str | None

    @property
    def field(self) -> str:
        return _pick(self.field_ko, self.field_en)


@dataclass(frozen=True)
class SurveyEntry:
    number: int
    conducted_by_ko: str
    conducted_by_en: str
    as_of: datetime.date
    source_key: str
    total_krw: int
    total_qualifier: str
    figures: tuple[SurveyFigureEntry, ...]

    @property
    def conducted_by(self) -> str:
        return _pick(self.conducted_by_ko, self.conducted_by_en)

    @property
    def total_display(self) -> str:
        return format_amount(self.total_krw, self.total_qualifier)

    @property
    def figures_krw(self) -> int:
        return sum(f.amount_krw for f in self.figures)


@dataclass(frozen=True)
class Registry:
    """Every source, fact and survey round, as one immutable value."""

    sources: dict[str, SourceEntry]
    facts: dict[str, FactEntry]
    surveys: tuple[SurveyEntry, ...] = field(default=())

    def fact(self, key: str) -> FactEntry:
        return self.facts[key]

    def source(self, key: str) -> SourceEntry:
        return self.sources[key]

    def group(self, name: str) -> list[FactEntry]:
        return sorted((f for f in self.facts.values() if f.group == name), key=lambda f: f.order)

    def source_of(self, key: str) -> SourceEntry:
        return self.sources[self.facts[key].source_key]

    @property
    def latest_survey(self) -> SurveyEntry | None:
        return self.surveys[-1] if self.surveys else None


def _load() -> Registry:
    sources = {
        s.key: SourceEntry(
            key=s.key,
            kind=s.kind,
            issuer_ko=s.issuer_ko,
            issuer_en=s.issuer_en,
            title_ko=s.title_ko,
            title_en=s.title_en,
            date=s.date,
            url=s.url,
        )
        for s in Source.objects.order_by("order", "id")
    }
    facts = {
        f.key: FactEntry(
            key=f.key,
            group=f.group,
            order=f.order,
            kind=f.kind,
            amount_krw=f.amount_krw,
            number=f.number,
            date=f.date,
            qualifier=f.qualifier,
            unit_ko=f.unit_ko,
            unit_en=f.unit_en,
            label_ko=f.label_ko,
            label_en=f.label_en,
            text_ko=f.text_ko,
            text_en=f.text_en,
            scope_ko=f.scope_ko,
            scope_en=f.scope_en,
            as_of=f.as_of,
            source_key=f.source_id,
            updated_at=f.updated_at,
        )
        for f in Fact.objects.order_by("group", "order", "id")
    }
    surveys = tuple(
        SurveyEntry(
            number=r.number,
            conducted_by_ko=r.conducted_by_ko,
            conducted_by_en=r.conducted_by_en,
            as_of=r.as_of,
            source_key=r.source_id,
            total_krw=r.total_krw,
            total_qualifier=r.total_qualifier,
            figures=tuple(
                SurveyFigureEntry(
                    field_ko=f.field_ko,
                    field_en=f.field_en,
                    amount_krw=f.amount_krw,
                    sub_alliance_code=f.sub_alliance.code if f.sub_alliance else None,
                )
                for f in r.figures.all()
            ),
        )
        for r in SurveyRound.objects.order_by("number").prefetch_related("figures__sub_alliance")
    )
    return Registry(sources=sources, facts=facts, surveys=surveys)


def registry() -> Registry:
    """The registry's current snapshot: from the cache when it holds one, else from the
    database (stored for the next request unless read inside an atomic block)."""
    try:
        found = cache.get(CACHE_KEY)
    except Exception:  # a cache outage costs speed, never the page
        logger.warning("cache unavailable for the fact registry", exc_info=True)
        found = None
    if isinstance(found, Registry):
        return found
    loaded = _load()
    if not connection.in_atomic_block:
        registry_store(loaded)
    return loaded


def registry_store(value: Registry | None = None) -> Registry:
    """Put a snapshot (by default, the database's) in the cache and return it."""
    value = value or _load()
    try:
        cache.set(CACHE_KEY, value, CACHE_TIMEOUT)
    except Exception:
        logger.warning("cache unavailable for the fact registry", exc_info=True)
    return value


def _drop() -> None:
    try:
        cache.delete(CACHE_KEY)
    except Exception:
        logger.warning("cache unavailable: fact registry not invalidated", exc_info=True)


def registry_invalidate() -> None:
    """Drop the snapshot, and the cached public aggregates that show facts (the home body),
    once the current transaction commits; a rolled-back change drops nothing."""
    transaction.on_commit(_drop)
    aggregate_cache.invalidate()


def channel_keys(code: str) -> dict[str, str]:
    """The registry keys of one channel's facts (its size, plan, uses, who and terms)."""
    return {
        "size": f"channel-{code}-size",
        "plan": f"channel-{code}-plan-{PLAN_YEAR}",
        "funds": f"channel-{code}-funds",
        "funds_plan": f"channel-{code}-funds-{PLAN_YEAR}",
        "who": f"channel-{code}-who",
        "terms": f"channel-{code}-terms",
    }


def with_channel_facts(channels, reg: Registry) -> list:
    """The channels, each given `keys` (channel_keys) and `size_share`: the percentage of
    the fund's size that the channel's five-year size makes up, both from the registry."""
    fund_size = reg.fact("fund-size").amount_krw
    for channel in channels:
        channel.keys = channel_keys(channel.code)
        size = reg.fact(channel.keys["size"]).amount_krw
        channel.size_share = round(100 * size / fund_size, 1) if fund_size else 0
    return channels


def allocation_rows(reg: Registry, demand_by_industry, committed_by_industry=None) -> list[dict]:
    """The industry allocation (five years, S3; 2026, S2) beside the portal's live figures per
    allocation group: requested amounts of submitted proposals and, when given, commitments.

    `demand_by_industry` holds objects with `code`, `proposal_count` and `requested_krw`;
    `committed_by_industry` maps an industry code (or None) to the committed won. The last row
    gathers the industries in no group.
    """
    demand = {i.code: i for i in demand_by_industry}
    committed = committed_by_industry or {}
    grouped: set[str] = set()
    rows = []
    for group, codes in ALLOCATION_GROUPS:
        grouped.update(codes)
        five_year = reg.facts.get(f"alloc-5y-{group}")
        plan = reg.facts.get(f"alloc-{PLAN_YEAR}-{group}")
        industries = [demand[c] for c in codes if c in demand]
        label = (plan or five_year).label if (plan or five_year) else group
        rows.append(
            {
                "group": group,
                "label": label,
                "five_year": five_year,
                "plan": plan,
                # The alliance's industries in the group, when their names differ from it.
                "industries": [] if [i.name for i in industries] == [label] else industries,
                "proposal_count": sum(demand[c].proposal_count for c in codes if c in demand),
                "requested_krw": sum(demand[c].requested_krw for c in codes if c in demand),
                "committed_krw": sum(committed.get(c, 0) for c in codes),
            }
        )
    others = [i for code, i in demand.items() if code not in grouped]
    rows.append(
        {
            "group": "",
            "label": "",
            "five_year": None,
            "plan": None,
            "industries": others,
            "proposal_count": sum(i.proposal_count for i in others),
            "requested_krw": sum(i.requested_krw for i in others),
            "committed_krw": sum(v for k, v in committed.items() if k not in grouped),
        }
    )
    return rows


# A notice or an FAQ answer cites a registry fact as [[key]]; the page shows the fact's value
# with its source marker in its place.
FACT_REFERENCE = re.compile(r"\[\[([A-Za-z0-9_-]+)\]\]")


def unknown_fact_references(text: str, reg: Registry | None = None) -> list[str]:
    """The [[key]] references in `text` that name no fact in the registry, in order."""
    reg = reg or registry()
    return [key for key in FACT_REFERENCE.findall(text or "") if key not in reg.facts]


# ---------------------------------------------------------------------------------------------
# Reads for the fact pages of the site editor and the fund secretariat


def facts_for_editor(*, group: str = "") -> list[Fact]:
    """Every fact (of one group) with its source and last editor, in the registry's order,
    each given `group_label`."""
    qs = Fact.objects.select_related("source", "updated_by")
    if group:
        qs = qs.filter(group=group)
    found = sorted(qs, key=lambda f: (group_rank(f.group), f.order, f.id))
    for fact in found:
        fact.group_label = group_label(fact.group)
    return found


def fact_groups() -> list[tuple[str, str]]:
    """(group, label) of every group, in the registry's order."""
    groups = Fact.objects.order_by("group").values_list("group", flat=True).distinct()
    return [(g, group_label(g)) for g in sorted(groups, key=group_rank)]


def fact_get_for_editor(key: str) -> Fact:
    """The fact with this key, or 404."""
    from django.http import Http404

    fact = Fact.objects.select_related("source").filter(key=str(key)[:60]).first()
    if fact is None:
        raise Http404
    return fact


def fact_revisions(fact: Fact):
    """The fact's changes, newest first, with who made them."""
    return fact.revisions.select_related("actor").order_by("-created_at", "-id")
