"""The public self-check (자가진단, SPEC §6): the active rule set on what a visitor types, the
same results a stored scoring gives, nothing stored, field errors, a rate limit, and the
answers carried into a new draft."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliance.models import AuditLog, Industry, Proposal, SubAlliance
from alliance.proposals.views import SELF_CHECK_SESSION_KEY
from matching import services as matching_services
from matching.models import MatchResult
from matching.selectors import results_for_proposal
from tests.api_helpers import (
    API,
    _fresh_throttles,  # noqa: F401  (a fixture)
    client_for,
)
from tests.factories import FirmFactory, ProposalFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "sub_alliance": "humanoid",
    "industry": "robot",
    "fund_uses": ["facility", "rnd"],
    "structure": "spc",
    "region": "ulsan",
    "size_class": "middle",
    "total_cost_krw": 200_000_000_000,
    "requested_krw": 120_000_000_000,
    "private_coinvest_krw": 50_000_000_000,
    "trl": 6,
    "ai_related": True,
}


def _stored_results(answers: dict) -> list[dict]:
    """Score a submitted proposal of a lone firm with the same values, as the workers do."""
    firm = FirmFactory(size_class=answers["size_class"])
    proposal = ProposalFactory(
        firm=firm,
        status="submitted",
        sub_alliance=SubAlliance.objects.get(code=answers["sub_alliance"]),
        industry=Industry.objects.get(code=answers["industry"]),
        fund_uses=answers["fund_uses"],
        structure=answers["structure"],
        region=answers["region"],
        total_cost_krw=answers["total_cost_krw"],
        requested_krw=answers["requested_krw"],
        private_coinvest_krw=answers["private_coinvest_krw"],
        trl=answers["trl"],
        ai_related=answers["ai_related"],
        expected_value_added_krw=None,
        expected_jobs=None,
    )
    matching_services.score_proposal(proposal_id=proposal.pk)
    return [
        {
            "channel": r.channel_id,
            "eligible": r.eligible,
            "score": r.score,
            "breakdown": [
                {k: item[k] for k in ("criterion", "weight", "points", "reason_ko", "reason_en")}
                for item in r.breakdown
            ],
            "checks": [
                {k: c[k] for k in ("rule", "passed", "reason_ko", "reason_en")} for c in r.checks
            ],
            "hints": [{k: h[k] for k in ("code", "reason_ko", "reason_en")} for h in r.hints],
            "rule_version": r.rule_set.version,
        }
        for r in results_for_proposal(proposal)
    ]


def _comparable(body: list[dict]) -> list[dict]:
    return [
        {
            **{k: r[k] for k in ("channel", "eligible", "score", "rule_version")},
            "breakdown": [
                {k: i[k] for k in ("criterion", "weight", "points", "reason_ko", "reason_en")}
                for i in r["breakdown"]
            ],
            "checks": [
                {k: c[k] for k in ("rule", "passed", "reason_ko", "reason_en")} for c in r["checks"]
            ],
            "hints": [{k: h[k] for k in ("code", "reason_ko", "reason_en")} for h in r["hints"]],
        }
        for r in body
    ]


def _stored() -> tuple:
    return (Proposal.objects.count(), MatchResult.objects.count(), AuditLog.objects.count())


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"structure": "corporate", "fund_uses": ["growth_equity"], "size_class": "startup"},
        {
            "requested_krw": 2_000_000_000,
            "total_cost_krw": 2_000_000_000,
            "private_coinvest_krw": 0,
            "trl": 2,
        },
        {"fund_uses": ["power_grid", "ai_data_center"], "ai_related": False, "region": "seoul"},
    ],
)
def test_the_self_check_gives_what_a_stored_scoring_of_the_same_values_gives(change):
    answers = {**ANSWERS, **change}
    before = _stored()

    response = client_for().post(f"{API}/self-check/", answers, format="json")

    assert response.status_code == 200
    assert _stored() == before  # nothing is stored
    body = response.json()
    assert [r["channel"] for r in body] == ["direct", "indirect", "loan", "infra"]
    assert _comparable(body) == _stored_results(answers)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"total_cost_krw": None}, "total_cost_krw"),
        ({"requested_krw": -1}, "requested_krw"),
        ({"requested_krw": 0}, "requested_krw"),
        ({"private_coinvest_krw": -5}, "private_coinvest_krw"),
        ({"total_cost_krw": 10**20}, "total_cost_krw"),
        ({"requested_krw": 1.5}, "requested_krw"),
        ({"requested_krw": 300_000_000_000}, "requested_krw"),  # above the total cost
        ({"private_coinvest_krw": 300_000_000_000}, "private_coinvest_krw"),
        ({"trl": 0}, "trl"),
        ({"trl": 10}, "trl"),
        ({"trl": "높음"}, "trl"),
        ({"industry": "space"}, "industry"),
        ({"fund_uses": []}, "fund_uses"),
        ({"fund_uses": "facility"}, "fund_uses"),
        ({"fund_uses": ["yacht"]}, "fund_uses"),
        ({"region": ""}, "region"),
        ({"size_class": "giant"}, "size_class"),
        ({"sub_alliance": ["humanoid"]}, "sub_alliance"),
    ],
)
def test_missing_negative_or_absurd_values_are_refused_on_their_field(change, field):
    before = _stored()

    response = client_for().post(f"{API}/self-check/", {**ANSWERS, **change}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert _stored() == before


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "{not json"])
def test_a_body_that_is_not_an_object_is_a_400(body):
    response = client_for().post(f"{API}/self-check/", body, content_type="application/json")

    assert response.status_code == 400


def test_the_self_check_is_rate_limited_per_client_with_pages_and_api_together(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "self_check": "3/minute",
        },
    }
    api = client_for()

    answers = [api.post(f"{API}/self-check/", ANSWERS, format="json").status_code for _ in range(2)]
    page = client.post(reverse("site:self_check"), {**ANSWERS, "ai_related": "on"})
    over_api = api.post(f"{API}/self-check/", ANSWERS, format="json")
    over_page = client.post(reverse("site:self_check"), {**ANSWERS, "ai_related": "on"})

    assert answers == [200, 200]
    assert page.status_code == 200
    assert (over_api.status_code, over_api["Retry-After"]) == (429, "60")
    assert over_page.status_code == 429


def test_the_page_shows_each_channel_with_its_score_and_keeps_nothing(client):
    before = _stored()

    response = client.post(reverse("site:self_check"), {**ANSWERS, "ai_related": "on"})

    page = response.content.decode()
    expected = {
        r["channel"]: r["score"]
        for r in client_for().post(f"{API}/self-check/", ANSWERS, format="json").json()
    }
    assert response.status_code == 200
    for channel, score in expected.items():
        assert f'data-testid="score-{channel}">{score} / 100' in page
    assert _stored() == before
    assert SELF_CHECK_SESSION_KEY not in client.session


def test_the_page_puts_each_mistake_on_its_field(client):
    response = client.post(
        reverse("site:self_check"), {**ANSWERS, "requested_krw": "-3", "trl": "12"}
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"requested_krw", "trl"}


def test_the_answers_are_carried_through_sign_in_into_a_new_draft(client, applicant, firm):
    carried = client.post(reverse("site:self_check_carry"), {**ANSWERS, "ai_related": "on"})
    assert carried.status_code == 302
    assert carried["Location"].startswith(reverse("login") + "?next=")
    assert Proposal.objects.count() == 0

    client.force_login(applicant)
    form_page = client.get(reverse("alliance:proposal_new"))
    created = client.post(
        reverse("alliance:proposal_new"),
        {
            "title": "자가진단에서 온 제안",
            "sub_alliance": form_page.context["form"].initial["sub_alliance"].pk,
        },
    )

    assert 'data-testid="carried-self-check"' in form_page.content.decode()
    assert created.status_code == 302
    draft = Proposal.objects.get()
    assert (
        draft.firm_id,
        draft.sub_alliance.code,
        draft.fund_uses,
        draft.structure,
        draft.region,
        draft.trl,
        draft.total_cost_krw,
        draft.requested_krw,
        draft.private_coinvest_krw,
    ) == (
        firm.pk,
        "humanoid",
        ["facility", "rnd"],
        "spc",
        "ulsan",
        6,
        200_000_000_000,
        120_000_000_000,
        50_000_000_000,
    )
    assert SELF_CHECK_SESSION_KEY not in client.session  # taken once
