"""Every public figure is true and sourced: the fact registry, its pages and its history.

The walk renders every public page of the demo world, anonymously, in Korean and in English,
and reads the HTML: each number shown in the page's main content (won amounts, percentages,
approximate counts) must sit inside an element that names a registry source
(`data-source="<key>"`, docs/facts.md), every such element must show that source's marker,
every marker must lead to the source in a list of sources, and no page may cite anything
that is not in the registry.
"""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from alliance.models import AuditLog, Industry
from fund.capacity.models import AnnualPlan, Channel
from fund.capacity.services import commitment_create
from fund.site import fact_services, facts
from fund.site.forms import FaqForm, NoticeForm
from fund.site.models import (
    Event,
    Fact,
    FactRevision,
    FactRevisionImmutable,
    Faq,
    Notice,
    Source,
    SurveyRound,
)
from fund.site.services import event_register
from matching.models import RuleSet
from portal.core.vocabulary import EOK, JO, ProposalStatus, Role
from tests.factories import ApplicantFactory, FirmFactory, ProposalFactory, UserFactory

# ---------------------------------------------------------------------------------------------
# Reading a page


# A figure a reader takes as a fact: an amount in 조/억/만원 or KRW, a percentage, or an
# approximate count (1,000여개, about 1,000, 12개).
FIGURE = re.compile(
    r"\d[\d,.]*\s*(?:조|억|만)\s*(?:[\d,]+\s*(?:억|만)\s*)*원?"
    r"|\d[\d,]*\s*원"
    r"|KRW\s*[\d,.]+(?:\s*(?:trillion|billion|million))?"
    r"|\d[\d,.]*\s*(?:trillion|billion|million)"
    r"|\d[\d,.]*\s*%"
    r"|\d[\d,]*\s*여\s*개?"
    r"|\d[\d,]*\s*개"
    r"|\babout\s+\d",
    re.IGNORECASE,
)
# How the pages used to cite documents that do not say what was cited (and no longer may).
STALE_CITATIONS = (
    "보도자료(2025.9",
    "운용계획(2025.12)",
    "MOTIE",
    "press release (Sep 2025",
    "operating plan (Dec 2025)",
    "약 1,300",
    "about 1,300",
    "1,300개",
)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Page(HTMLParser):
    """The elements of a page with their ancestors, and every text with the attributes of
    the elements around it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.texts: list[tuple[str, list[tuple[str, dict]]]] = []
        self.elements: list[tuple[str, dict, list[tuple[str, dict]]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attrs, list(self.stack)))
        if tag not in VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if data.strip() and not any(tag in ("script", "style") for tag, _ in self.stack):
            self.texts.append((data, list(self.stack)))


def read(html: bytes) -> Page:
    page = Page()
    page.feed(html.decode())
    return page


def _inside(stack, tag, **attrs) -> bool:
    return any(t == tag and all(a.get(k) == v for k, v in attrs.items()) for t, a in stack)


def _sources_named(stack) -> set[str]:
    named = set()
    for _tag, attrs in stack:
        named.update(attrs.get("data-source", "").split())
        if attrs.get("data-source-key"):
            named.add(attrs["data-source-key"])
    return named


def citation_problems(html: bytes, registry_keys: set[str]) -> list[str]:
    """Every way the page breaks the convention, as readable lines (empty: none)."""
    page = read(html)
    problems = []
    ids = {attrs["id"] for _tag, attrs, _stack in page.elements if attrs.get("id")}
    for text, stack in page.texts:
        in_main = _inside(stack, "main", id="main")
        for stale in STALE_CITATIONS:
            if stale in text:
                problems.append(f"stale citation {stale!r} in {text.strip()!r}")
        if re.search(r"(출처|source)\s*:", text, re.IGNORECASE):
            problems.append(f"a citation written as text: {text.strip()!r}")
        if not in_main:
            continue
        for match in FIGURE.finditer(text):
            if not _sources_named(stack):
                problems.append(f"unsourced figure {match[0]!r} in {text.strip()!r}")
    for tag, attrs, stack in page.elements:
        for key in [*attrs.get("data-source", "").split(), attrs.get("data-source-key", "")]:
            if key and key not in registry_keys:
                problems.append(f"<{tag}> cites {key!r}, which is not in the registry")
        if tag == "a" and _inside(stack, "sup", **{"class": "portal-source-ref"}):
            href = attrs.get("href", "")
            base, _hash, anchor = href.partition("#")
            key = anchor.removeprefix("source-")
            if key not in registry_keys:
                problems.append(f"a source marker points at {href!r}")
            elif base == "" and anchor not in ids:
                problems.append(f"the marker {href!r} has no list of sources on the page")
            elif base not in ("", reverse("site:sources")):
                problems.append(f"the marker {href!r} leads elsewhere")
    # Every element that names a source shows that source's marker inside it.
    markers_inside: dict[int, set[str]] = {}
    for tag, attrs, stack in page.elements:
        if tag == "a" and _inside(stack, "sup", **{"class": "portal-source-ref"}):
            key = attrs.get("href", "").partition("#")[2].removeprefix("source-")
            for _t, ancestor in stack:
                markers_inside.setdefault(id(ancestor), set()).add(key)
    for tag, attrs, _stack in page.elements:
        wanted = set(attrs.get("data-source", "").split())
        missing = wanted - markers_inside.get(id(attrs), set())
        if missing:
            problems.append(f"<{tag} data-source={attrs['data-source']!r}> shows no marker")
    return problems


# ---------------------------------------------------------------------------------------------
# The walk


def _public_pages() -> list[str]:
    pages = [
        reverse("home"),
        *(
            reverse("channel_detail", args=[code])
            for code in ("direct", "indirect", "loan", "infra")
        ),
        reverse("alliance_overview"),
        reverse("site:notice_list"),
        *(
            reverse("site:notice_detail", args=[pk])
            for pk in Notice.objects.values_list("pk", flat=True)
        ),
        reverse("site:faq"),
        reverse("site:event_list"),
        *(
            reverse("site:event_detail", args=[pk])
            for pk in Event.objects.values_list("pk", flat=True)
        ),
        reverse("site:contact"),
        reverse("site:privacy"),
        reverse("site:sources"),
        reverse("login"),
        reverse("signup"),
    ]
    return pages


@pytest.fixture
def demo_world(db):
    call_command("seed_demo", stdout=io.StringIO())
    facts.registry_store()


@pytest.mark.parametrize("language", ["ko", "en"])
def test_every_public_page_sources_every_figure_it_shows(client, demo_world, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    registry_keys = set(Source.objects.values_list("key", flat=True))
    pages = _public_pages()
    found = {}
    figures = 0

    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        problems = citation_problems(response.content, registry_keys)
        if problems:
            found[path] = problems
        main = [t for t, stack in read(response.content).texts if _inside(stack, "main", id="main")]
        figures += sum(len(FIGURE.findall(t)) for t in main)

    assert found == {}
    # The walk saw the notices, the FAQ, the 간담회 and every channel, and this many figures
    # (a change of the public pages' figures changes the count on purpose).
    assert len(pages) == 21
    assert figures == {"ko": 204, "en": 200}[language]


def test_the_walk_notices_an_unsourced_figure_and_a_citation_outside_the_registry():
    registry_keys = {"S1", "portal-rule"}
    html = (
        '<main id="main"><p>약 1,300개 기업</p>'
        '<span data-source="S9">40%<sup class="portal-source-ref"><a href="#source-S9">S9</a>'
        '</sup></span><span data-source="S1">150조원</span>'
        "<p>출처: 국민성장펀드 운용계획(2025.12)</p></main>"
    ).encode()

    problems = citation_problems(html, registry_keys)

    assert problems == [
        "stale citation '약 1,300' in '약 1,300개 기업'",
        "stale citation '1,300개' in '약 1,300개 기업'",
        "unsourced figure '1,300개' in '약 1,300개 기업'",
        "stale citation '운용계획(2025.12)' in '출처: 국민성장펀드 운용계획(2025.12)'",
        "a citation written as text: '출처: 국민성장펀드 운용계획(2025.12)'",
        "<span> cites 'S9', which is not in the registry",
        "a source marker points at '#source-S9'",
        "<span data-source='S1'> shows no marker",
    ]


# ---------------------------------------------------------------------------------------------
# The registry as seeded from SPEC §1


@pytest.mark.django_db
def test_the_registry_holds_spec_1s_sources_and_facts():
    reg = facts.registry()

    assert {key: (s.kind, s.date) for key, s in reg.sources.items()} == {
        "S1": ("release", datetime.date(2025, 12, 4)),
        "S2": ("plan", datetime.date(2025, 12, 16)),
        "S3": ("release", datetime.date(2025, 12, 11)),
        "portal-rule": ("portal_rule", None),
        "portal-data": ("portal_data", None),
    }
    expected = {
        "fund-size": (150 * JO, "at_least", "S1"),
        "fund-government-bonds": (75 * JO, "exact", "S3"),
        "fund-private-money": (75 * JO, "exact", "S3"),
        "fund-ai-target": (30 * JO, "at_least", "S1"),
        "fund-2026-total": (30 * JO, "plus_alpha", "S2"),
        "fund-2026-regional-amount": (12 * JO, "at_least", "S2"),
        "fund-2026-sme": (10 * JO, "at_least", "S2"),
        "alliance-goal-value-added": (100 * JO, "at_least", "S1"),
        "indirect-2026-fund-money": (15 * JO // 10, "exact", "S2"),
        "indirect-2026-private-money": (55 * JO // 10, "exact", "S2"),
        "indirect-2026-policy-funds": (56 * JO // 10, "exact", "S2"),
        "indirect-2026-citizen-fund": (6_000 * EOK, "exact", "S2"),
        "indirect-2026-long-tech-fund": (8_000 * EOK, "exact", "S2"),
    }
    assert {
        key: (reg.fact(key).amount_krw, reg.fact(key).qualifier, reg.fact(key).source_key)
        for key in expected
    } == expected
    assert reg.fact("fund-launch").date == datetime.date(2025, 12, 11)
    assert reg.fact("fund-launch").source_key == "S3"
    members = reg.fact("alliance-members")
    assert (members.number, members.qualifier, members.source_key) == (1000, "about", "S1")
    share = reg.fact("fund-2026-regional-share")
    assert (share.number, share.scope_ko, share.source_key) == (40, "2026년", "S2")
    assert reg.fact("fund-firm-size").source_key == "portal-rule"
    assert reg.fact("fund-review-criteria").source_key == "portal-rule"
    assert reg.fact("alliance-sub-alliances").source_key == "portal-rule"


@pytest.mark.django_db
def test_the_industry_allocations_and_the_channel_plan_are_s3s_and_s2s():
    reg = facts.registry()

    five_year = {f.key: f.amount_krw for f in reg.group("alloc-5y")}
    plan = {f.key: f.amount_krw for f in reg.group("alloc-2026")}

    assert five_year == {
        "alloc-5y-ai": 30 * JO,
        "alloc-5y-semiconductor": 209 * JO // 10,
        "alloc-5y-mobility": 154 * JO // 10,
        "alloc-5y-bio-vaccine": 116 * JO // 10,
        "alloc-5y-battery": 79 * JO // 10,
        "alloc-5y-media-content": 51 * JO // 10,
    }
    assert plan == {
        "alloc-2026-ai": 6 * JO,
        "alloc-2026-semiconductor": 42 * JO // 10,
        "alloc-2026-mobility": 31 * JO // 10,
        "alloc-2026-bio-vaccine": 23 * JO // 10,
        "alloc-2026-battery": 16 * JO // 10,
        "alloc-2026-media-content": 1 * JO,
        "alloc-2026-aerospace-defense": 7 * JO // 10,
    }
    assert {f.source_key for f in reg.group("alloc-5y")} == {"S3"}
    assert {f.source_key for f in reg.group("alloc-2026")} == {"S2"}
    sizes = [
        reg.fact(f"channel-{c}-size").amount_krw for c in ("direct", "indirect", "loan", "infra")
    ]
    plans = [
        reg.fact(f"channel-{c}-plan-2026").amount_krw
        for c in ("direct", "indirect", "loan", "infra")
    ]
    assert sizes == [15 * JO, 35 * JO, 50 * JO, 50 * JO]
    assert sum(sizes) == reg.fact("fund-size").amount_krw
    assert plans == [3 * JO, 7 * JO, 10 * JO, 10 * JO]
    # The channel rows the ledger counts on hold the same figures.
    assert list(Channel.objects.order_by("order").values_list("size_krw", flat=True)) == sizes
    assert (
        list(
            AnnualPlan.objects.filter(year=2026)
            .order_by("channel__order")
            .values_list("amount_krw", flat=True)
        )
        == plans
    )


@pytest.mark.django_db
def test_the_first_demand_survey_is_data_with_its_source():
    survey = SurveyRound.objects.get(number=1)

    assert (survey.as_of, survey.source_id, survey.total_krw, survey.total_qualifier) == (
        datetime.date(2025, 12, 4),
        "S1",
        10 * JO,
        "at_least",
    )
    assert [
        (f.field_ko, f.amount_krw, f.sub_alliance.code) for f in survey.figures.order_by("order")
    ] == [
        ("휴머노이드", 66 * JO // 10, "humanoid"),
        ("AI 반도체", 15 * JO // 10, "ai_semiconductor"),
        ("AI 팩토리", 13 * JO // 10, "ai_factory"),
    ]


@pytest.mark.django_db
def test_the_channel_texts_say_which_source_says_what():
    infra = Channel.objects.get(code="infra")
    direct = Channel.objects.get(code="direct")
    loan = Channel.objects.get(code="loan")

    assert infra.funds_ko.startswith("AI 데이터센터, 첨단산업 등에 필요한 전력망, 송전망 등")
    assert "발전소와 AI 데이터센터도 인프라로 지원합니다 (「2026년 국민성장펀드 운용방안」)" in (
        infra.funds_ko
    )
    assert "포털 운영 기준" in direct.who_ko and "포털 운영 기준" in direct.terms_ko
    assert "3.7" not in Channel.objects.get(code="indirect").funds_ko
    assert "장기 저리" not in loan.funds_ko


# ---------------------------------------------------------------------------------------------
# The pages


@pytest.mark.django_db
def test_the_home_page_shows_the_sourced_figures_in_both_languages(client):
    korean = read(client.get(reverse("home")).content)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = read(client.get(reverse("home")).content)

    def shown(page, key):
        return [
            text
            for text, stack in page.texts
            if any(a.get("data-fact") == key for _t, a in stack)
            and not _inside(stack, "sup", **{"class": "portal-source-ref"})
        ]

    assert shown(korean, "fund-launch")[0] == "2025년 12월 11일"
    assert shown(english, "fund-launch")[0] == "11 December 2025"
    assert shown(korean, "fund-size")[0] == "150조원 이상"
    assert shown(english, "fund-size")[0] == "KRW 150 trillion or more"
    assert shown(korean, "fund-2026-regional-share")[0] == "40%"
    assert shown(korean, "alliance-members")[0] == "1,000여개 기업·단체"
    assert shown(english, "alliance-members")[0] == "about 1,000 firms and organisations"
    assert shown(korean, "fund-2026-total")[0] == "30조원+α"


@pytest.mark.django_db
def test_the_footer_names_the_ministries_that_open_the_site(client):
    page = read(client.get(reverse("site:faq")).content)

    footer = " ".join(t for t, stack in page.texts if _inside(stack, "footer", id="krds-footer"))

    assert "국민성장펀드 전용 홈페이지는 산업통상부가 금융위원회와 협의하여 개설합니다." in footer
    assert "KEIT와 KDB가 공동으로 운영" not in footer
    links = [
        attrs["href"]
        for tag, attrs, stack in page.elements
        if tag == "a"
        and _inside(stack, "footer", id="krds-footer")
        and _inside(stack, "sup", **{"class": "portal-source-ref"})
    ]
    assert links == [
        f"{reverse('site:sources')}#source-S1",
        f"{reverse('site:sources')}#source-portal-rule",
    ]


@pytest.mark.django_db
def test_a_channel_page_cites_the_registry_not_the_rule_sets_own_citations(client):
    rule_set = RuleSet.objects.get(status="active")
    rules = rule_set.rules
    rule = rules["channels"]["direct"]["eligibility"][0]
    rule["description_ko"] = "12개 첨단전략산업만 지원 — 출처: 국민성장펀드 운용계획(2025.12)"
    rule["description_en"] = (
        "Only the 12 industries — source: National Growth Fund operating plan (Dec 2025)"
    )
    RuleSet.objects.filter(pk=rule_set.pk).update(rules=rules)

    for language in ("ko", "en"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        response = client.get(reverse("channel_detail", args=["direct"]))
        keys = set(Source.objects.values_list("key", flat=True))
        assert citation_problems(response.content, keys) == []
        first = response.context["rules"]["eligibility"][0]
        assert first["sources"] == ("S2", "portal-rule")
    assert first["text"] == "Only the 12 industries"


@pytest.mark.django_db
def test_the_alliance_page_sets_live_value_added_beside_the_goal(client, firm):
    ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED, expected_value_added_krw=3 * JO)
    ProposalFactory(firm=firm, status=ProposalStatus.REFERRED, expected_value_added_krw=2 * JO)
    ProposalFactory(firm=firm, status=ProposalStatus.DRAFT, expected_value_added_krw=9 * JO)

    response = client.get(reverse("alliance_overview"))

    assert response.context["totals"]["expected_value_added_krw"] == 5 * JO
    assert response.context["value_added_percent"] == 5.0
    (value,) = [
        attrs
        for tag, attrs, _s in read(response.content).elements
        if attrs.get("data-testid") == "value-added"
    ]
    assert value["data-krw"] == str(5 * JO)
    assert response.context["survey"].total_krw == 10 * JO


@pytest.mark.django_db
def test_the_dashboard_sets_the_allocation_beside_demand_and_commitments(client, kdb, firm):
    bio, vaccine, robot = (Industry.objects.get(code=c) for c in ("bio", "vaccine", "robot"))
    ProposalFactory(firm=firm, status=ProposalStatus.SUBMITTED, industry=bio, requested_krw=3 * EOK)
    ProposalFactory(
        firm=firm, status=ProposalStatus.SUBMITTED, industry=vaccine, requested_krw=2 * EOK
    )
    ProposalFactory(
        firm=firm, status=ProposalStatus.SUBMITTED, industry=robot, requested_krw=7 * EOK
    )
    committed = ProposalFactory(
        firm=firm, status=ProposalStatus.IN_REVIEW, industry=vaccine, requested_krw=4 * EOK
    )
    commitment_create(
        channel_code="loan",
        year=2026,
        amount_krw=4 * EOK,
        actor=kdb,
        region="seoul",
        proposal=committed,
    )
    client.force_login(kdb)

    response = client.get(reverse("staff_dashboard"))

    rows = {row["group"]: row for row in response.context["allocations"]}
    bio_vaccine = rows["bio-vaccine"]
    assert (bio_vaccine["requested_krw"], bio_vaccine["committed_krw"]) == (9 * EOK, 4 * EOK)
    assert bio_vaccine["five_year"].amount_krw == 116 * JO // 10
    assert bio_vaccine["plan"].amount_krw == 23 * JO // 10
    assert rows[""]["requested_krw"] == 7 * EOK  # robotics belongs to no group
    assert rows["aerospace-defense"]["five_year"] is None
    targets = response.context["targets"]
    assert (targets.ai_target_krw, targets.regional_target_percent) == (30 * JO, Decimal("40"))


# ---------------------------------------------------------------------------------------------
# The 간담회 and the demo data


@pytest.mark.django_db
def test_seed_demo_records_the_meeting_of_2025_12_04_as_a_past_invitation_only_event(client):
    call_command("seed_demo", stdout=io.StringIO())

    meeting = Event.objects.get(kind="meeting")

    assert meeting.title == "M.AX 얼라이언스–국민성장펀드 연계 간담회"
    assert (meeting.invitation_only, meeting.source_id, meeting.registration_state) == (
        True,
        "S1",
        "ended",
    )
    local = meeting.starts_at.astimezone(datetime.timezone(datetime.timedelta(hours=9)))
    assert (local.date(), local.hour, local.minute) == (datetime.date(2025, 12, 4), 15, 0)
    assert (meeting.ends_at - meeting.starts_at) == datetime.timedelta(minutes=90)
    assert meeting.place == "대한상공회의소 8층 대회의실"
    assert meeting.hosts == "산업통상부, 금융위원회"
    assert "신한은행" in meeting.participants and "퓨리오사AI" in meeting.participants
    response = client.get(reverse("site:event_detail", args=[meeting.pk]))
    assert response.status_code == 200
    page = read(response.content)
    assert not [
        a for tag, a, _s in page.elements if tag == "form" and "register" in a.get("action", "")
    ]
    assert [
        a["data-source"] for tag, a, _s in page.elements if tag == "dd" and "data-source" in a
    ] == ["S1"]


@pytest.mark.django_db
def test_an_invitation_only_event_takes_no_registration():
    starts = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)
    event = Event.objects.create(
        kind="meeting",
        title="초청 간담회",
        description="초청",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        place="서울",
        capacity=1,
        registration_opens_at=starts - datetime.timedelta(days=5),
        registration_closes_at=starts - datetime.timedelta(hours=1),
        invitation_only=True,
        published=True,
    )

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        event_register(
            event=event,
            name="홍길동",
            organization="테스트",
            email="hong@example.com",
            phone="010-1234-5678",
            consent=True,
        )

    assert refused.value.messages == ["This meeting is by invitation; it takes no registration."]
    assert event.registrations.count() == 0
    assert event.registration_state == "invitation"


@pytest.mark.django_db
def test_the_demo_is_labelled_where_live_figures_show(client, settings):
    assert b"data-demo-data" in client.get(reverse("alliance_overview")).content
    settings.DEMO_DATA_ALLOWED = False
    assert b"data-demo-data" not in client.get(reverse("alliance_overview")).content


# ---------------------------------------------------------------------------------------------
# Notices and answers cite facts by key


@pytest.mark.django_db
def test_a_notice_cites_a_fact_by_key_and_an_unknown_key_is_refused():
    good = NoticeForm(
        data={"title": "안내", "body": "규모는 [[fund-size]]입니다.", "published": True}
    )
    bad = NoticeForm(data={"title": "안내", "body": "규모는 [[fund-size-x]]입니다."})
    faq = FaqForm(data={"category": "other", "question": "Q", "answer": "[[nope]]", "order": 0})

    with translation.override("en"):
        assert good.is_valid()
        assert not bad.is_valid()
        assert not faq.is_valid()
        assert bad.errors["body"] == [
            "No public fact has the key [[fund-size-x]]. Check the key on the public facts page."
        ]
        assert faq.errors["answer"] == [
            "No public fact has the key [[nope]]. Check the key on the public facts page."
        ]
    assert Notice.objects.count() == 0 and Faq.objects.count() == 0


@pytest.mark.django_db
def test_a_notice_shows_the_cited_fact_with_its_source_in_the_texts_language(client):
    notice = Notice.objects.create(
        title="안내",
        body="5년간 규모는 [[fund-size]]입니다.\n<b>굵게</b>",
        published=True,
        published_at=datetime.datetime.now(datetime.UTC),
    )
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("site:notice_detail", args=[notice.pk]))

    html = response.content.decode()
    assert (
        '<span class="portal-fact" data-fact="fund-size" data-source="S1">150조원 이상<sup '
        'class="portal-source-ref"><a href="#source-S1"'
    ) in html
    assert "&lt;b&gt;굵게&lt;/b&gt;" in html
    assert (
        citation_problems(response.content, set(Source.objects.values_list("key", flat=True))) == []
    )


# ---------------------------------------------------------------------------------------------
# Changing a fact: validation, history, the public pages


@pytest.mark.django_db
def test_a_change_keeps_the_previous_value_who_when_and_why(client, kdb):
    fact = Fact.objects.get(key="alliance-members")

    changed = fact_services.fact_update(
        fact=fact, actor=kdb, reason="2차 조사 결과 반영", number=Decimal("1100")
    )

    revision = FactRevision.objects.get(fact=fact)
    assert changed.number == Decimal("1100")
    assert changed.updated_by == kdb
    assert (revision.before["number"], revision.after["number"]) == ("1000", "1100")
    assert revision.before["source"] == revision.after["source"] == "S1"
    assert (revision.actor, revision.reason) == (kdb, "2차 조사 결과 반영")
    audit = AuditLog.objects.get(action="fact.update")
    assert (audit.actor, audit.object_id, audit.note) == (kdb, str(fact.pk), "2차 조사 결과 반영")
    assert audit.data == {"key": "alliance-members", "fields": ["number"]}


@pytest.mark.django_db
def test_a_changed_fact_shows_on_the_public_pages_once_committed(
    client, kdb, django_capture_on_commit_callbacks
):
    fact = Fact.objects.get(key="alliance-members")
    facts.registry_store()

    with django_capture_on_commit_callbacks(execute=True):
        fact_services.fact_update(fact=fact, actor=kdb, reason="갱신", number=Decimal("1200"))

    assert facts.registry().fact("alliance-members").number == Decimal("1200")
    assert "1,200여개 기업·단체" in client.get(reverse("alliance_overview")).content.decode()


def _unchanged(fact: Fact) -> bool:
    fresh = Fact.objects.get(pk=fact.pk)
    return (
        fact_services.fact_snapshot(fresh) == fact_services.fact_snapshot(fact)
        and not FactRevision.objects.filter(fact=fact).exists()
        and not AuditLog.objects.filter(action="fact.update").exists()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "values", "errors"),
    [
        ("fund-size", {"reason": ""}, {"reason": ["Say why the fact changes."]}),
        (
            "fund-size",
            {"reason": "x" * 501},
            {"reason": ["Keep the reason within 500 characters."]},
        ),
        (
            "fund-size",
            {"reason": "같은 값", "amount_krw": 150 * JO},
            {"__all__": ["Nothing changed: the fact already has these values."]},
        ),
        (
            "fund-2026-regional-share",
            {"reason": "오타", "number": Decimal("140")},
            {"number": ["A percentage is at most 100."]},
        ),
        (
            "fund-decision",
            {"reason": "삭제", "text_en": "  "},
            {"text_en": ["A statement needs its text in Korean and in English."]},
        ),
        (
            "fund-size",
            {"reason": "월", "qualifier": "month"},
            {"qualifier": ["Only a date can be given to the month."]},
        ),
        (
            "fund-size",
            {"reason": "출처", "source": "S9"},
            {"source": ["Choose a source from the registry."]},
        ),
        (
            "fund-size",
            {"reason": "금액", "amount_krw": None},
            {"amount_krw": ["Give the amount in won."]},
        ),
    ],
)
def test_a_bad_change_is_refused_with_a_clear_message_and_changes_nothing(kdb, key, values, errors):
    fact = Fact.objects.get(key=key)
    values = dict(values)
    reason = values.pop("reason")

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        fact_services.fact_update(fact=fact, actor=kdb, reason=reason, **values)

    assert refused.value.message_dict == errors
    assert _unchanged(fact)


@pytest.mark.django_db
def test_a_channel_size_fact_moves_the_ledgers_channel_and_never_below_its_commitments(kdb):
    size = Fact.objects.get(key="channel-loan-size")
    plan = Fact.objects.get(key="channel-loan-plan-2026")
    commitment_create(channel_code="loan", year=2026, amount_krw=2 * JO, actor=kdb, region="ulsan")

    fact_services.fact_update(fact=size, actor=kdb, reason="정정", amount_krw=45 * JO)
    fact_services.fact_update(fact=plan, actor=kdb, reason="정정", amount_krw=9 * JO)

    loan = Channel.objects.get(code="loan")
    assert loan.size_krw == 45 * JO
    assert AnnualPlan.objects.get(channel=loan, year=2026).amount_krw == 9 * JO
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        fact_services.fact_update(fact=size, actor=kdb, reason="축소", amount_krw=1 * JO)
    assert refused.value.message_dict == {
        "amount_krw": [
            "2,000,000,000,000 won is already committed from this channel; its size cannot be "
            "smaller."
        ]
    }
    assert Channel.objects.get(code="loan").size_krw == 45 * JO
    assert Fact.objects.get(pk=size.pk).amount_krw == 45 * JO
    assert FactRevision.objects.filter(fact=size).count() == 1


@pytest.mark.django_db
def test_the_history_cannot_be_rewritten(kdb):
    fact = Fact.objects.get(key="fund-size")
    fact_services.fact_update(fact=fact, actor=kdb, reason="정정", amount_krw=151 * JO)
    revision = FactRevision.objects.get()

    with pytest.raises(FactRevisionImmutable):
        revision.save()
    with pytest.raises(FactRevisionImmutable):
        FactRevision.objects.all().delete()
    with pytest.raises(FactRevisionImmutable):
        FactRevision.objects.update(reason="x")
    assert FactRevision.objects.get().reason == "정정"


# ---------------------------------------------------------------------------------------------
# The fact pages: who may use them


def _users():
    return {
        "applicant": ApplicantFactory(firm=FirmFactory(), username="app"),
        "keit": UserFactory(username="keit", role=Role.ALLIANCE_SECRETARIAT),
        "kdb": UserFactory(username="kdb", role=Role.FUND_SECRETARIAT),
        "editor": UserFactory(username="editor", role=Role.SITE_EDITOR),
        "admin": UserFactory(username="root", is_superuser=True, is_staff=True),
    }


FACT_PAGES = [
    ("site:editor_facts", []),
    ("site:editor_fact_edit", ["fund-size"]),
    ("site:editor_fact_history", ["fund-size"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args"), FACT_PAGES)
def test_the_fact_pages_are_for_the_site_editor_and_the_fund_secretariat(client, name, args):
    users = _users()
    url = reverse(name, args=args)

    anonymous = client.get(url)
    answers = {}
    for role, user in users.items():
        client.force_login(user)
        answers[role] = client.get(url).status_code

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert answers == {"applicant": 404, "keit": 404, "kdb": 200, "editor": 200, "admin": 200}


@pytest.mark.django_db
def test_a_change_through_the_page_needs_the_right_role_and_a_reason(client):
    users = _users()
    url = reverse("site:editor_fact_edit", args=["fund-2026-sme"])
    fact = Fact.objects.get(key="fund-2026-sme")
    form = {
        "amount_krw": str(11 * JO),
        "qualifier": "at_least",
        "label_ko": fact.label_ko,
        "label_en": fact.label_en,
        "text_ko": "",
        "text_en": "",
        "scope_ko": fact.scope_ko,
        "scope_en": fact.scope_en,
        "as_of": "2025-12-16",
        "source": "S2",
    }

    client.force_login(users["keit"])
    refused = client.post(url, {**form, "reason": "정정"})
    client.force_login(users["editor"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    no_reason = client.post(url, {**form, "reason": ""})
    unchanged = _unchanged(fact)
    saved = client.post(url, {**form, "reason": "운용방안 확정치"})

    assert refused.status_code == 404
    assert no_reason.status_code == 400
    assert no_reason.context["form"].errors["reason"] == ["This field is required."]
    assert unchanged
    assert saved.status_code == 302
    assert saved["Location"] == reverse("site:editor_fact_history", args=["fund-2026-sme"])
    assert Fact.objects.get(pk=fact.pk).amount_krw == 11 * JO
    history = client.get(saved["Location"])
    (revision, changes) = history.context["revisions"][0]
    assert (revision.actor, revision.reason) == (users["editor"], "운용방안 확정치")
    assert changes == [("Amount (won)", "KRW 10 trillion", "KRW 11 trillion")]


@pytest.mark.django_db
def test_a_bad_value_through_the_page_is_a_message_on_its_field(client, kdb):
    client.force_login(kdb)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    fact = Fact.objects.get(key="fund-2026-regional-share")
    url = reverse("site:editor_fact_edit", args=[fact.key])

    response = client.post(
        url,
        {
            "number": "140",
            "qualifier": "exact",
            "label_ko": fact.label_ko,
            "label_en": fact.label_en,
            "source": "S2",
            "reason": "오타",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["number"] == [
        "Ensure this value is less than or equal to 100."
    ]
    assert _unchanged(fact)
    assert client.get(reverse("site:editor_fact_edit", args=["no-such-fact"])).status_code == 404
