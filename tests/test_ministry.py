"""The ministries (SPEC §2, §6): 산업부's recommendation, shown to KEIT and KDB and counted by
a routing policy; the aggregate picture without a firm's name; shared-infrastructure plans."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import AuditLog, Proposal
from fund.ministry.models import InfraPlan, InfraPlanProposal, Ministry, Recommendation
from fund.ministry.services import proposal_recommend
from fund.routing import selectors as routing_selectors
from fund.routing.policy import Facts, PolicyInvalid, decide, validate_policy
from tests.api_helpers import (
    API,
    _fresh_throttles,  # noqa: F401  (a fixture)
    client_for,
)
from tests.factories import FirmFactory, ProposalFactory
from tests.ministry_support import ministry_user
from tests.pipeline_support import in_review, submitted_proposal
from tests.routing_support import activate, document, route_waiting

pytestmark = pytest.mark.django_db

SECRET_FIRM = "비밀정밀기계"


@pytest.fixture
def motie(db):
    return ministry_user("motie", Ministry.MOTIE)


@pytest.fixture
def fsc(db):
    return ministry_user("fsc", Ministry.FSC)


@pytest.fixture
def secret_firm(db):
    return FirmFactory(name=SECRET_FIRM, name_en="Secret Precision")


def _state() -> tuple:
    return (
        Recommendation.objects.count(),
        AuditLog.objects.count(),
        list(Proposal.objects.order_by("pk").values_list("pk", "status", "version")),
    )


# ---------------------------------------------------------------------------------------------
# The recommendation


def test_motie_recommends_a_submitted_proposal_once_with_a_note(motie, secret_firm):
    proposal = submitted_proposal(firm=secret_firm, title="AI 팩토리 전환")

    response = client_for(motie).post(
        f"{API}/proposals/{proposal.pk}/recommend/", {"note": "  확산 효과가 큽니다  "}
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["proposal"], body["note"]) == (proposal.pk, "확산 효과가 큽니다")
    row = Recommendation.objects.get()
    assert (row.proposal_id, row.note, row.recommended_by_id) == (
        proposal.pk,
        "확산 효과가 큽니다",
        motie.pk,
    )
    audit = AuditLog.objects.filter(action="proposal.recommend").get()
    assert (audit.proposal_id, audit.actor_id, audit.note) == (
        proposal.pk,
        motie.pk,
        "확산 효과가 큽니다",
    )


def test_a_second_recommendation_is_a_conflict_and_changes_nothing(motie):
    proposal = submitted_proposal()
    proposal_recommend(proposal_id=proposal.pk, actor=motie, note="첫 추천")
    before = _state()

    response = client_for(motie).post(f"{API}/proposals/{proposal.pk}/recommend/", {"note": "또"})

    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert _state() == before


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   "}, {"note": "가" * 2001}])
def test_a_recommendation_without_a_usable_note_is_refused_on_the_note(motie, body):
    proposal = submitted_proposal()
    before = _state()

    response = client_for(motie).post(
        f"{API}/proposals/{proposal.pk}/recommend/", body, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["note"]
    assert _state() == before


def test_only_motie_recommends_and_others_learn_nothing_hidden(
    motie, fsc, keit, kdb, applicant, other_applicant, firm
):
    mine = submitted_proposal(firm=firm, created_by=applicant)
    draft = ProposalFactory()
    before = _state()

    answers = {
        "fsc": client_for(fsc).post(f"{API}/proposals/{mine.pk}/recommend/", {"note": "x"}),
        "keit": client_for(keit).post(f"{API}/proposals/{mine.pk}/recommend/", {"note": "x"}),
        "own applicant": client_for(applicant).post(
            f"{API}/proposals/{mine.pk}/recommend/", {"note": "x"}
        ),
        "other applicant": client_for(other_applicant).post(
            f"{API}/proposals/{mine.pk}/recommend/", {"note": "x"}
        ),
        "motie, a draft": client_for(motie).post(
            f"{API}/proposals/{draft.pk}/recommend/", {"note": "x"}
        ),
        "anonymous": client_for().post(f"{API}/proposals/{mine.pk}/recommend/", {"note": "x"}),
    }

    assert {who: r.status_code for who, r in answers.items()} == {
        "fsc": 404,
        "keit": 403,
        "own applicant": 403,
        "other applicant": 404,
        "motie, a draft": 404,
        "anonymous": 401,
    }
    assert _state() == before


def test_keit_and_kdb_see_the_recommendation_on_the_proposal_and_in_their_lists(
    client, motie, keit, kdb
):
    waiting = submitted_proposal(title="검토 대기 제안")
    reviewed = submitted_proposal(title="심사 중 제안")
    in_review(reviewed, keit=keit)
    proposal_recommend(proposal_id=waiting.pk, actor=motie, note="대기 제안 추천 사유")
    proposal_recommend(proposal_id=reviewed.pk, actor=motie, note="심사 제안 추천 사유")

    client.force_login(keit)
    inbox = client.get(reverse("pipeline:screening")).content.decode()
    detail = client.get(reverse("pipeline:screening_detail", args=[waiting.pk])).content.decode()
    client.force_login(kdb)
    table = client.get(reverse("pipeline:table")).content.decode()
    kdb_detail = client.get(reverse("pipeline:detail", args=[reviewed.pk])).content.decode()

    assert inbox.count('data-testid="recommended"') == 1
    assert "대기 제안 추천 사유" in detail and 'data-testid="ministry-recommendation"' in detail
    assert table.count('data-testid="recommended"') == 1
    assert "심사 제안 추천 사유" in kdb_detail


def test_motie_sees_the_proposals_it_may_recommend_without_the_firm(client, motie, secret_firm):
    for n in range(3):
        submitted_proposal(firm=secret_firm, title=f"추천 후보 {n}")
    ProposalFactory(firm=secret_firm, title="초안은 보이지 않음")
    client.force_login(motie)

    response = client.get(reverse("ministry:candidates"))

    page = response.content.decode()
    assert response.status_code == 200
    assert [f"추천 후보 {n}" in page for n in range(3)] == [True, True, True]
    assert "초안은 보이지 않음" not in page
    assert SECRET_FIRM not in page and "Secret Precision" not in page


def _page_queries(client) -> list[str]:
    """The page's queries but the public facts' (cached apart, loaded when stale)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("ministry:candidates")).status_code == 200
    facts = ('"fund_source"', '"fund_fact"', '"fund_survey', '"alliance_suballiance"."surveyed')
    return [q["sql"] for q in captured.captured_queries if not any(f in q["sql"] for f in facts)]


def test_the_candidates_page_costs_the_same_queries_at_any_length(client, motie):
    """The proposals are read in two queries, the count and the rows (sub-alliance, industry
    and recommendation joined); the facts the footer cites are cached apart."""
    submitted_proposal()
    client.force_login(motie)
    one = _page_queries(client)
    for _ in range(4):
        submitted_proposal()

    five = _page_queries(client)

    assert len(one) == len(five)
    assert [len([q for q in run if '"alliance_proposal"' in q]) for run in (one, five)] == [2, 2]


def test_the_recommend_page_records_the_recommendation(client, motie):
    proposal = submitted_proposal(title="페이지 추천")
    client.force_login(motie)

    refused = client.post(reverse("ministry:recommend", args=[proposal.pk]), {"note": ""})
    done = client.post(reverse("ministry:recommend", args=[proposal.pk]), {"note": "좋은 사업"})

    assert refused.status_code == 400
    assert done.status_code == 302
    assert Recommendation.objects.get().note == "좋은 사업"


# ---------------------------------------------------------------------------------------------
# Routing counts a recommendation


def test_a_policy_bonus_lets_a_recommended_proposal_reach_the_minimum(keit, motie):
    activate(keit, document(indirect={"min_score": 80, "recommended_bonus": 10}))
    proposal = submitted_proposal()  # best: indirect, 73
    route_waiting()
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"

    proposal_recommend(proposal_id=proposal.pk, actor=motie, note="추천")
    route_waiting()

    assert Proposal.objects.get(pk=proposal.pk).status == "referred"
    status = routing_selectors.routing_status(Proposal.objects.get(pk=proposal.pk), keit)
    assert [r["reason_en"] for r in status["reasons"]][:3] == [
        "Eligible for Indirect investment with its highest score (73).",
        "Recommended by the Ministry of Trade, Industry and Energy: 10 points are added to the "
        "score.",
        "Score 83 reaches the minimum of 80.",
    ]


def test_without_a_recommendation_the_bonus_counts_nothing():
    doc = document(indirect={"min_score": 80, "recommended_bonus": 10})
    facts = Facts(1, "submitted", "ai_factory", "robot", 10, (("indirect", True, 73),))

    decision = decide(doc, facts, routed_today={}, paused=False)

    assert (decision.route, decision.missed[0]["code"]) == (False, "min_score")


@pytest.mark.parametrize("bonus", [-1, 31, "5", True, 2.5])
def test_a_bonus_outside_0_to_30_is_refused_on_its_setting(bonus):
    doc = document()
    doc["channels"]["loan"]["recommended_bonus"] = bonus

    with pytest.raises(PolicyInvalid) as refused:
        validate_policy(doc)

    assert list(refused.value.errors) == ["channels.loan.recommended_bonus"]


# ---------------------------------------------------------------------------------------------
# The aggregate picture


def _world(keit, secret_firm):
    waiting = submitted_proposal(firm=secret_firm, requested_krw=40_000_000_000)
    reviewed = submitted_proposal(firm=secret_firm, requested_krw=50_000_000_000)
    in_review(reviewed, keit=keit)
    ProposalFactory(firm=secret_firm)  # a draft counts nowhere
    return waiting, reviewed


def test_the_pipeline_summary_counts_by_channel_and_stage_without_names(
    motie, fsc, keit, secret_firm
):
    _waiting, reviewed = _world(keit, secret_firm)
    proposal_recommend(proposal_id=reviewed.pk, actor=motie, note="추천")

    response = client_for(fsc).get(f"{API}/pipeline/summary/")

    assert response.status_code == 200
    body = response.json()
    assert body["before_fund"] == [
        {"status": "submitted", "count": 1, "requested_krw": 40_000_000_000},
        {"status": "info_requested", "count": 0, "requested_krw": 0},
        {"status": "referred", "count": 0, "requested_krw": 0},
    ]
    nonzero = [row for row in body["by_channel_and_stage"] if row["count"]]
    assert nonzero == [
        {
            "channel": "indirect",
            "stage": "received",
            "count": 1,
            "requested_krw": 50_000_000_000,
            "approved_krw": 0,
        }
    ]
    assert len(body["by_channel_and_stage"]) == 20
    assert body["recommendations"] == {"total": 1, "at_fund": 1}
    assert SECRET_FIRM not in response.content.decode()


def test_the_overview_and_the_dashboard_name_no_firm(client, fsc, motie, keit, secret_firm):
    _world(keit, secret_firm)
    pages = {}
    for user in (fsc, motie):
        client.force_login(user)
        for name in ("overview:ministry", "staff_dashboard"):
            response = client.get(reverse(name))
            pages[(user.username, name)] = response.status_code
            text = response.content.decode()
            assert SECRET_FIRM not in text and "Secret Precision" not in text

    assert set(pages.values()) == {200}


def test_the_overview_shows_the_counts(client, fsc, keit, secret_firm):
    _world(keit, secret_firm)
    client.force_login(fsc)

    page = client.get(reverse("overview:ministry")).content.decode()

    assert 'data-code="indirect"><th scope="row">' in page
    assert 'data-count="1"' in page


def test_applicants_get_no_summary(applicant):
    assert client_for(applicant).get(f"{API}/pipeline/summary/").status_code == 403


# ---------------------------------------------------------------------------------------------
# Shared-infrastructure plans


PLAN = {
    "title": "제조 데이터 공동 구축",
    "kind": "data",
    "description": "공정 데이터 표준화",
    "sub_alliance": "ai_factory",
    "region": "ulsan",
    "budget_krw": 300_000_000_000,
}


def test_motie_registers_a_plan_and_a_member_starts_a_consortium_draft_for_it(
    motie, applicant, firm
):
    created = client_for(motie).post(f"{API}/infra-plans/", PLAN, format="json")
    assert created.status_code == 201
    plan = InfraPlan.objects.get()

    listed = client_for(applicant).get(f"{API}/infra-plans/")
    joined = client_for(applicant).post(f"{API}/infra-plans/{plan.pk}/join/")

    assert [p["title"] for p in listed.json()["results"]] == ["제조 데이터 공동 구축"]
    assert joined.status_code == 201
    draft = Proposal.objects.get(pk=joined.json()["proposal"])
    assert (
        draft.firm_id,
        draft.status,
        draft.title,
        draft.summary,
        draft.fund_uses,
        draft.sub_alliance.code,
        draft.region,
    ) == (
        firm.pk,
        "draft",
        PLAN["title"],
        PLAN["description"],
        ["shared_infra"],
        "ai_factory",
        "ulsan",
    )
    assert InfraPlanProposal.objects.get().proposal_id == draft.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"kind": "rocket"}, "kind"),
        ({"budget_krw": -5}, "budget_krw"),
        ({"budget_krw": 10**18}, "budget_krw"),
        ({"region": "mars"}, "region"),
    ],
)
def test_a_bad_plan_is_refused_on_its_field(motie, change, field):
    response = client_for(motie).post(f"{API}/infra-plans/", {**PLAN, **change}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert InfraPlan.objects.count() == 0


def test_only_planners_register_plans_and_a_closed_plan_takes_no_proposal(motie, fsc, applicant):
    assert client_for(fsc).post(f"{API}/infra-plans/", PLAN, format="json").status_code == 403
    assert client_for(applicant).post(f"{API}/infra-plans/", PLAN, format="json").status_code == 403
    closed = client_for(motie).post(f"{API}/infra-plans/", {**PLAN, "open": False}, format="json")
    plan_id = closed.json()["id"]
    before = Proposal.objects.count()

    # A member does not see a closed plan at all.
    assert client_for(applicant).post(f"{API}/infra-plans/{plan_id}/join/").status_code == 404
    assert Proposal.objects.count() == before


def test_the_plan_pages_let_a_member_join(client, motie, applicant):
    client.force_login(motie)
    made = client.post(reverse("ministry:plan_new"), {**PLAN, "sub_alliance": ""})
    plan = InfraPlan.objects.get()
    assert made.status_code == 302
    client.force_login(applicant)

    detail = client.get(reverse("ministry:plan_detail", args=[plan.pk]))
    joined = client.post(reverse("ministry:plan_join", args=[plan.pk]))

    assert detail.status_code == 200 and PLAN["title"] in detail.content.decode()
    draft = Proposal.objects.get(infra_plan_link__plan=plan)
    assert joined["Location"] == reverse("alliance:proposal_edit", args=[draft.pk, 1])


def test_a_ministry_user_lists_no_proposal_and_opens_none(motie, fsc, secret_firm):
    proposal = submitted_proposal(firm=secret_firm)

    for user in (motie, fsc):
        listed = client_for(user).get(f"{API}/proposals/")
        opened = client_for(user).get(f"{API}/proposals/{proposal.pk}/")

        assert (listed.status_code, listed.json()["results"]) == (200, [])
        assert opened.status_code == 404
