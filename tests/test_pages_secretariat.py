"""KEIT's registry of member firms, firm verification and proposal screening."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from alliance.firms.history import FIRM_ACTIONS
from alliance.models import AuditLog, Firm, Industry, Proposal, SubAlliance, User
from matching.models import MatchResult, RuleSet
from portal.core.vocabulary import FirmStatus, ProposalStatus
from tests.factories import ApplicantFactory, FirmFactory, ProposalFactory, UserFactory
from tests.test_layout import elements

pytestmark = pytest.mark.django_db

FIRMS = reverse("alliance:secretariat_firms")
PROPOSALS = reverse("alliance:secretariat_proposals")


def _rows(response, kind: str) -> list[str]:
    """The `data-<kind>` ids of the table rows, in order."""
    return [
        tr["attrs"][f"data-{kind}"]
        for tr in elements(response.content, "tr")
        if f"data-{kind}" in tr["attrs"]
    ]


def _row_names(response) -> list[str]:
    return [th["text"] for th in elements(response.content, "th", scope="row")]


def _submitted(**kwargs) -> Proposal:
    kwargs.setdefault("submitted_at", timezone.now())
    return ProposalFactory(status=ProposalStatus.SUBMITTED, **kwargs)


def _superuser():
    return UserFactory(username="root", is_superuser=True, is_staff=True)


# ---------------------------------------------------------------------------------------------
# Who may open the registry


@pytest.mark.parametrize(
    "url",
    [
        FIRMS,
        PROPOSALS,
    ],
)
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)

    assert (response.status_code, response.url) == (302, f"{reverse('login')}?next={url}")


@pytest.mark.parametrize("who", ["applicant", "kdb", "editor"])
def test_everyone_but_keit_gets_404_on_every_registry_page(client, request, who, firm, draft):
    client.force_login(request.getfixturevalue(who))

    answers = [
        client.get(FIRMS).status_code,
        client.get(reverse("alliance:secretariat_firm", args=[firm.pk])).status_code,
        client.get(PROPOSALS).status_code,
    ]

    assert answers == [404, 404, 404]


def test_keit_and_a_superuser_open_the_registry(client, keit, firm):
    client.force_login(keit)
    keit_answers = [client.get(FIRMS).status_code, client.get(PROPOSALS).status_code]
    client.force_login(_superuser())
    root_answers = [client.get(FIRMS).status_code, client.get(PROPOSALS).status_code]

    assert (keit_answers, root_answers) == ([200, 200], [200, 200])


# ---------------------------------------------------------------------------------------------
# Firm list


def test_the_registry_lists_every_firm_by_name(client, keit):
    FirmFactory(name="퓨리오사AI", status=FirmStatus.PENDING)
    FirmFactory(name="두산로보틱스")
    FirmFactory(name="에코프로비엠", status=FirmStatus.SUSPENDED)
    client.force_login(keit)

    response = client.get(FIRMS)

    assert _row_names(response) == ["두산로보틱스", "에코프로비엠", "퓨리오사AI"]
    counts = {
        a["attrs"]["data-status"]: a["text"].split()[-1]
        for a in elements(response.content, "a")
        if "data-status" in a["attrs"]
    }
    assert counts == {"pending": "1", "active": "1", "suspended": "1"}
    verify_forms = [
        f["attrs"]["action"]
        for f in elements(response.content, "form")
        if "verify" in f["attrs"].get("action", "")
    ]
    pending = Firm.objects.get(name="퓨리오사AI")
    assert verify_forms == [reverse("alliance:firm_verify", args=[pending.pk])]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "pending"}, ["퓨리오사AI"]),
        ({"size_class": "large"}, ["HD한국조선해양"]),
        ({"region": "ulsan"}, ["HD한국조선해양"]),
        ({"sub_alliance": "humanoid"}, ["두산로보틱스"]),
        ({"q": "로보"}, ["두산로보틱스"]),
        ({"q": "Furiosa"}, ["퓨리오사AI"]),
        ({"q": "999-88-"}, ["HD한국조선해양"]),
        ({"q": "zzz"}, []),
        ({"status": "pending", "region": "ulsan"}, []),
    ],
)
def test_the_registry_filters(client, keit, query, expected):
    FirmFactory(name="퓨리오사AI", name_en="FuriosaAI", status=FirmStatus.PENDING, region="seoul")
    FirmFactory(
        name="HD한국조선해양",
        size_class="large",
        region="ulsan",
        business_registration_number="9998800005",
    )
    robotics = FirmFactory(name="두산로보틱스", region="gyeonggi")
    robotics.sub_alliances.set([SubAlliance.objects.get(code="humanoid")])
    client.force_login(keit)

    response = client.get(FIRMS, query)

    assert response.status_code == 200
    assert _row_names(response) == expected


def test_an_unknown_filter_value_is_reported_and_ignored(client, keit):
    FirmFactory(name="삼성전자")
    client.force_login(keit)

    response = client.get(FIRMS, {"status": "bogus", "region": "mars"})

    assert response.status_code == 200
    assert len(elements(response.content, "div", id="id_status_error")) == 1
    assert len(elements(response.content, "div", id="id_region_error")) == 1
    assert _row_names(response) == ["삼성전자"]


def test_the_registry_pages_by_fifty(client, keit):
    for n in range(51):
        FirmFactory(name=f"기업 {n:02d}")
    client.force_login(keit)

    first = client.get(FIRMS)
    second = client.get(FIRMS, {"page": "2"})
    nonsense = client.get(FIRMS, {"page": "abc"})
    beyond = client.get(FIRMS, {"page": "99"})

    assert len(_row_names(first)) == 50
    assert _row_names(second) == ["기업 50"]
    assert _row_names(nonsense) == _row_names(first)
    assert _row_names(beyond) == ["기업 50"]
    assert [a["attrs"]["href"] for a in elements(first.content, "a", class_="next")] == ["?page=2"]


def test_page_links_keep_the_filters(client, keit):
    for n in range(51):
        FirmFactory(name=f"기업 {n:02d}", region="busan")
    client.force_login(keit)

    response = client.get(FIRMS, {"region": "busan"})

    assert [a["attrs"]["href"] for a in elements(response.content, "a", class_="next")] == [
        "?region=busan&page=2"
    ]


def _firms_with_sub_alliances(count: int) -> None:
    subs = list(SubAlliance.objects.all()[:3])
    for n in range(count):
        FirmFactory(name=f"기업 {n:03d}").sub_alliances.set(subs)


@pytest.mark.parametrize("count", [3, 30])
def test_the_firm_list_takes_the_same_queries_whatever_the_number_of_firms(
    client, keit, django_assert_num_queries, count
):
    _firms_with_sub_alliances(count)
    client.force_login(keit)

    # session, user, roles, sub-alliance choices, status counts, page count, page, prefetch
    with django_assert_num_queries(8):
        response = client.get(FIRMS, {"region": "gyeongnam"})

    assert len(_row_names(response)) == count


# ---------------------------------------------------------------------------------------------
# Firm detail and verification


def test_the_firm_page_shows_members_and_proposal_counts(client, keit, firm, applicant, draft):
    # KEIT counts what it can see: submitted proposals (the draft fixture stays the firm's own)
    _submitted(firm=firm, title="제출된 주관 제안")
    ApplicantFactory(firm=firm, username="second")
    partner_on = _submitted(title="컨소시엄 제안")
    partner_on.partners.add(firm)
    client.force_login(keit)

    response = client.get(reverse("alliance:secretariat_firm", args=[firm.pk]))

    assert response.status_code == 200
    assert [
        tr["attrs"]["data-member"]
        for tr in elements(response.content, "tr")
        if "data-member" in tr["attrs"]
    ] == [
        str(applicant.pk),
        str(User.objects.get(username="second").pk),
    ]
    counts = elements(response.content, "dd", data_field="proposal_count")[0]["text"]
    assert [int(n) for n in re.findall(r"\d+", counts)] == [1, 1]


def test_the_firm_history_is_in_words_not_codes(client, keit):
    firm = FirmFactory(status=FirmStatus.PENDING)
    client.force_login(keit)
    client.post(reverse("alliance:firm_verify", args=[firm.pk]))

    response = client.get(reverse("alliance:secretariat_firm", args=[firm.pk]))

    rows = [
        tr["text"]
        for tr in elements(response.content, "tr")
        if tr["attrs"].get("data-action") == "firm.verify"
    ]
    assert len(rows) == 1
    with translation.override("ko"):
        verified = str(FIRM_ACTIONS["firm.verify"])
    assert rows[0].endswith(f"keit {verified} 인증 대기 → 활성")
    page = response.content.decode()
    assert "firm.verify" not in re.sub(r'data-action="[^"]*"', "", page)
    assert "<code>" not in page


def test_an_unknown_firm_is_404(client, keit):
    client.force_login(keit)

    assert client.get(reverse("alliance:secretariat_firm", args=[999999])).status_code == 404


def test_keit_verifies_a_pending_firm_once(client, keit):
    firm = FirmFactory(name="퓨리오사AI", status=FirmStatus.PENDING)
    client.force_login(keit)
    url = reverse("alliance:firm_verify", args=[firm.pk])

    first = client.post(url, follow=True)
    firm.refresh_from_db()
    verified = (firm.status, firm.verified_by_id, firm.verified_at)

    assert first.redirect_chain == [(reverse("alliance:secretariat_firm", args=[firm.pk]), 302)]
    assert verified[:2] == (FirmStatus.ACTIVE, keit.pk)
    assert len(elements(first.content, "li", class_="portal-message--success")) == 1
    assert list(AuditLog.objects.values_list("action", "from_state", "to_state")) == [
        ("firm.verify", "pending", "active")
    ]

    second = client.post(url, follow=True)
    firm.refresh_from_db()

    assert len(elements(second.content, "li", class_="portal-message--error")) == 1
    assert (firm.status, firm.verified_by_id, firm.verified_at) == verified
    assert AuditLog.objects.count() == 1


def test_verifying_from_the_list_returns_to_the_list(client, keit):
    firm = FirmFactory(status=FirmStatus.PENDING)
    client.force_login(keit)

    response = client.post(
        reverse("alliance:firm_verify", args=[firm.pk]), {"next": f"{FIRMS}?status=pending"}
    )
    offsite = client.post(
        reverse("alliance:firm_verify", args=[firm.pk]), {"next": "https://evil.example/"}
    )

    assert (response.status_code, response.url) == (302, f"{FIRMS}?status=pending")
    assert offsite.url == reverse("alliance:secretariat_firm", args=[firm.pk])


def test_verification_is_post_only(client, keit):
    firm = FirmFactory(status=FirmStatus.PENDING)
    client.force_login(keit)

    response = client.get(reverse("alliance:firm_verify", args=[firm.pk]))

    firm.refresh_from_db()
    assert (response.status_code, firm.status) == (405, FirmStatus.PENDING)


@pytest.mark.parametrize("who", ["applicant", "kdb", "editor"])
def test_no_one_else_can_verify_and_nothing_changes(client, request, who):
    firm = FirmFactory(status=FirmStatus.PENDING)
    client.force_login(request.getfixturevalue(who))

    response = client.post(reverse("alliance:firm_verify", args=[firm.pk]))

    firm.refresh_from_db()
    assert (response.status_code, firm.status, firm.verified_at) == (404, "pending", None)
    assert AuditLog.objects.count() == 0


def test_a_superuser_outside_keit_is_told_verifying_is_keits_and_nothing_changes(client):
    firm = FirmFactory(status=FirmStatus.PENDING)
    client.force_login(_superuser())

    response = client.post(reverse("alliance:firm_verify", args=[firm.pk]), follow=True)

    firm.refresh_from_db()
    assert len(elements(response.content, "li", class_="portal-message--error")) == 1
    assert (firm.status, AuditLog.objects.count()) == (FirmStatus.PENDING, 0)


def test_a_firm_name_with_html_is_escaped_in_the_registry(client, keit):
    FirmFactory(name='<img src=x onerror="alert(1)">기업', status=FirmStatus.PENDING)
    client.force_login(keit)

    html = client.get(FIRMS).content.decode()

    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;기업" in html
    assert "<img src=x" not in html


# ---------------------------------------------------------------------------------------------
# Proposal list


def test_keit_sees_every_firms_submitted_proposals_but_no_drafts(client, keit, draft, other_draft):
    submitted = _submitted(title="제출된 제안")
    client.force_login(keit)

    response = client.get(PROPOSALS)

    assert _rows(response, "proposal") == [str(submitted.pk)]
    # Each row opens KEIT's screening page; no row carries a form of its own (compact rows).
    links = [a["attrs"]["href"] for a in elements(response.content, "a") if "href" in a["attrs"]]
    assert reverse("pipeline:screening_detail", args=[submitted.pk]) in links
    assert elements(response.content, "textarea") == []
    assert elements(response.content, "details") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "submitted"}, ["휴머노이드 양산"]),
        ({"sub_alliance": "humanoid"}, ["휴머노이드 양산"]),
        ({"industry": "semiconductor"}, ["AI 칩 양산"]),
        ({"region": "ulsan"}, ["AI 칩 양산"]),
        ({"q": "칩"}, ["AI 칩 양산"]),
        ({"q": "두산"}, ["휴머노이드 양산"]),
        ({"q": "777-66-"}, ["AI 칩 양산"]),
        ({"status": "referred", "q": "칩"}, ["AI 칩 양산"]),
        ({"status": "draft"}, []),
        ({"status": "decided"}, []),
    ],
)
def test_the_proposal_list_filters(client, keit, query, expected):
    doosan = FirmFactory(name="두산로보틱스")
    furiosa = FirmFactory(name="퓨리오사AI", business_registration_number="7776600008")
    _submitted(
        firm=doosan,
        title="휴머노이드 양산",
        sub_alliance=SubAlliance.objects.get(code="humanoid"),
    )
    ProposalFactory(
        firm=furiosa,
        status=ProposalStatus.REFERRED,
        submitted_at=timezone.now(),
        title="AI 칩 양산",
        industry=Industry.objects.get(code="semiconductor"),
        region="ulsan",
    )
    client.force_login(keit)

    response = client.get(PROPOSALS, query)

    assert response.status_code == 200
    assert _row_names(response) == expected


def test_an_unknown_proposal_filter_is_reported_and_ignored(client, keit):
    submitted = _submitted()
    client.force_login(keit)

    response = client.get(PROPOSALS, {"industry": "tea"})

    assert len(elements(response.content, "div", id="id_industry_error")) == 1
    assert _rows(response, "proposal") == [str(submitted.pk)]


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(
    "query",
    [
        {"status": "submitted"},
        {"sort": "score", "best_channel": "direct", "min_score": "10"},
    ],
)
def test_the_proposal_list_takes_the_same_queries_whatever_the_number_of_rows(
    client, keit, django_assert_num_queries, count, query
):
    for n in range(count):
        _scored(_submitted(title=f"제안 {n}"), direct=50 + n)
    client.force_login(keit)

    # session, user, roles, sub-alliance and industry choices, page count, page (with the best
    # channel and score as subqueries of the page query), the active routing policy (none: the
    # rows' routing needs nothing more)
    with django_assert_num_queries(8):
        response = client.get(PROPOSALS, query)

    assert len(_rows(response, "proposal")) == count


# ---------------------------------------------------------------------------------------------
# Proposal list: best channel and score under the active rule set


def _scored(proposal, *, rule_set=None, ineligible=(), **scores) -> Proposal:
    """Store `channel=score` results for the proposal under the rule set (the active one)."""
    rule_set = rule_set or RuleSet.objects.get(status="active")
    for channel, score in scores.items():
        MatchResult.objects.create(
            proposal=proposal,
            channel_id=channel,
            rule_set=rule_set,
            eligible=channel not in ineligible,
            score=score,
            fingerprint="test",
            computed_at=timezone.now(),
        )
    return proposal


def _cells(response, attribute: str) -> list[str]:
    return [
        td["attrs"][attribute]
        for td in elements(response.content, "td")
        if attribute in td["attrs"]
    ]


def test_each_proposal_shows_its_best_eligible_channel_and_score(client, keit):
    retired = RuleSet.objects.create(
        version=99, name="old", rules={}, status="retired", created_by=keit
    )
    best_infra = _scored(
        _submitted(title="인프라"), direct=70, loan=95, infra=80, ineligible=("loan",)
    )
    _scored(best_infra, rule_set=retired, direct=100)
    tie = _scored(_submitted(title="동점"), indirect=60, direct=60)
    nothing = _scored(_submitted(title="부적격"), loan=90, ineligible=("loan",))
    client.force_login(keit)

    response = client.get(PROPOSALS, {"sort": "score"})

    assert _rows(response, "proposal") == [str(best_infra.pk), str(tie.pk), str(nothing.pk)]
    assert _cells(response, "data-best-channel") == ["infra", "direct", ""]
    assert _cells(response, "data-best-score") == ["80", "60", ""]
    labels = [td["text"] for td in elements(response.content, "td", data_best_channel="infra")]
    assert labels == ["인프라 투·융자"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["새것", "중간", "오래된", "미채점"]),
        ({"sort": "submitted"}, ["새것", "중간", "오래된", "미채점"]),
        ({"sort": "submitted_asc"}, ["미채점", "오래된", "중간", "새것"]),
        ({"sort": "score"}, ["오래된", "새것", "중간", "미채점"]),
        ({"sort": "score_asc"}, ["중간", "새것", "오래된", "미채점"]),
        ({"best_channel": "loan"}, ["중간"]),
        ({"best_channel": "direct", "sort": "score"}, ["오래된", "새것"]),
        ({"best_channel": "none"}, ["미채점"]),
        ({"min_score": "41"}, ["새것", "오래된"]),
        ({"min_score": "90", "sort": "score"}, ["오래된"]),
        ({"min_score": "100"}, []),
    ],
)
def test_the_proposal_list_sorts_and_filters_by_best_channel_and_score(
    client, keit, query, expected
):
    now = timezone.now()
    _scored(_submitted(title="중간", submitted_at=now - timedelta(days=1)), loan=40)
    _scored(_submitted(title="새것", submitted_at=now), direct=75)
    _scored(_submitted(title="오래된", submitted_at=now - timedelta(days=2)), direct=90)
    ProposalFactory(
        title="미채점", status=ProposalStatus.REFERRED, submitted_at=now - timedelta(days=3)
    )
    client.force_login(keit)

    response = client.get(PROPOSALS, query)

    assert response.status_code == 200
    assert _row_names(response) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"min_score": "abc"}, "min_score"),
        ({"min_score": "101"}, "min_score"),
        ({"min_score": "-1"}, "min_score"),
        ({"min_score": "9" * 40}, "min_score"),
        ({"best_channel": "lottery"}, "best_channel"),
        ({"sort": "random()"}, "sort"),
    ],
)
def test_a_bad_score_filter_or_sort_is_reported_and_ignored(client, keit, query, field):
    now = timezone.now()
    older = _scored(_submitted(submitted_at=now - timedelta(days=1)), direct=90)
    newer = _scored(_submitted(submitted_at=now), direct=10)
    client.force_login(keit)

    response = client.get(PROPOSALS, query)

    assert response.status_code == 200
    assert len(elements(response.content, "div", id=f"id_{field}_error")) == 1
    assert _rows(response, "proposal") == [str(newer.pk), str(older.pk)]


def test_the_second_page_by_score_continues_where_the_first_ended(client, keit):
    proposals = [_scored(_submitted(title=f"제안 {n:02d}"), direct=n + 1) for n in range(55)]
    client.force_login(keit)

    first = client.get(PROPOSALS, {"sort": "score"})
    second = client.get(PROPOSALS, {"sort": "score", "page": "2"})

    by_score = [str(p.pk) for p in reversed(proposals)]
    assert _rows(first, "proposal") == by_score[:50]
    assert _rows(second, "proposal") == by_score[50:]


def test_the_score_header_link_keeps_the_filters_and_flips_the_order(client, keit):
    _scored(_submitted(), direct=50)
    client.force_login(keit)

    first = client.get(PROPOSALS, {"best_channel": "direct", "page": "1"})
    second = client.get(PROPOSALS, {"best_channel": "direct", "sort": "score"})

    link = next(
        a for a in elements(first.content, "a") if a["attrs"].get("data-testid") == "sort-score"
    )
    again = next(
        a for a in elements(second.content, "a") if a["attrs"].get("data-testid") == "sort-score"
    )
    assert link["attrs"]["href"] == "?best_channel=direct&sort=score"
    assert again["attrs"]["href"] == "?best_channel=direct&sort=score_asc"


# ---------------------------------------------------------------------------------------------
# Request information


def test_keit_asks_a_question_on_a_submitted_proposal(client, keit):
    proposal = _submitted()
    client.force_login(keit)

    response = client.post(
        reverse("alliance:proposal_request_info", args=[proposal.pk]),
        {"question": "재무제표를 보완해 주세요."},
    )

    proposal.refresh_from_db()
    assert (response.status_code, response.url) == (
        302,
        reverse("alliance:proposal_detail", args=[proposal.pk]),
    )
    assert (proposal.status, proposal.info_request, proposal.version) == (
        ProposalStatus.INFO_REQUESTED,
        "재무제표를 보완해 주세요.",
        2,
    )
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_an_empty_question_is_shown_on_the_field_and_changes_nothing(client, keit):
    proposal = _submitted()
    client.force_login(keit)

    response = client.post(
        reverse("alliance:proposal_request_info", args=[proposal.pk]), {"question": "   "}
    )

    proposal.refresh_from_db()
    assert response.status_code == 200
    assert len(elements(response.content, "div", id=f"question-{proposal.pk}-error")) == 1
    assert (proposal.status, proposal.version) == (ProposalStatus.SUBMITTED, 1)
    assert AuditLog.objects.count() == 0


def test_a_question_on_a_draft_is_404_because_keit_cannot_see_drafts(client, keit, draft):
    client.force_login(keit)

    response = client.post(
        reverse("alliance:proposal_request_info", args=[draft.pk]), {"question": "왜?"}
    )

    draft.refresh_from_db()
    assert response.status_code == 404
    assert (draft.status, draft.info_request, draft.version) == (ProposalStatus.DRAFT, "", 1)


def test_a_question_on_a_referred_proposal_is_refused_with_a_message(client, keit):
    referred = ProposalFactory(status=ProposalStatus.REFERRED, submitted_at=timezone.now())
    client.force_login(keit)

    response = client.post(
        reverse("alliance:proposal_request_info", args=[referred.pk]), {"question": "왜?"}
    )

    referred.refresh_from_db()
    assert response.url == reverse("alliance:proposal_detail", args=[referred.pk])
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert (referred.status, referred.info_request, referred.version) == (
        ProposalStatus.REFERRED,
        "",
        1,
    )


@pytest.mark.parametrize("who", ["applicant", "kdb"])
def test_no_one_else_can_request_information(client, request, who):
    proposal = _submitted()
    client.force_login(request.getfixturevalue(who))

    response = client.post(
        reverse("alliance:proposal_request_info", args=[proposal.pk]), {"question": "?"}
    )

    proposal.refresh_from_db()
    assert (response.status_code, proposal.status) == (404, ProposalStatus.SUBMITTED)


def test_requesting_information_is_post_only(client, keit):
    proposal = _submitted()
    client.force_login(keit)

    response = client.get(reverse("alliance:proposal_request_info", args=[proposal.pk]))

    assert response.status_code == 405
