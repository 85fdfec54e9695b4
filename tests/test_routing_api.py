"""The routing API of SPEC §7: the switch, the policy versions, their preview and activation,
and each proposal's `routing` field, with exactly what each role gets."""

import json

import pytest
from django.conf import settings
from django.core.management import call_command

from alliance.models import AuditLog
from fund.routing import services
from fund.routing.models import RoutingPolicy, RoutingSwitch
from tests.api_helpers import (
    API,
    _fresh_throttles,  # noqa: F401  (a fixture)
    client_for,
)
from tests.pipeline_support import submitted_proposal
from tests.routing_support import activate, document, route_waiting

pytestmark = pytest.mark.django_db


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _state() -> tuple:
    return (
        list(RoutingPolicy.objects.order_by("pk").values_list("pk", "status", "name", "document")),
        list(RoutingSwitch.objects.values_list("paused", flat=True)),
        AuditLog.objects.count(),
    )


# ---------------------------------------------------------------------------------------------
# The switch


def test_both_secretariats_read_the_switch_and_others_are_refused(keit, kdb, applicant):
    policy = activate(keit)

    for user in (keit, kdb):
        response = client_for(user).get(f"{API}/routing/")
        assert response.status_code == 200
        assert response.json() == {
            "active_version": 1,
            "active_policy": policy.pk,
            "paused": False,
            "changed_at": None,
            "waiting": 0,
        }
    assert client_for(applicant).get(f"{API}/routing/").status_code == 403
    assert client_for().get(f"{API}/routing/").status_code == 401


def test_keit_pauses_and_resumes_and_a_repeat_is_a_conflict(keit, kdb):
    activate(keit)
    client = client_for(keit)

    paused = client.post(f"{API}/routing/pause/")
    again = client.post(f"{API}/routing/pause/")

    assert (paused.status_code, paused.json()["paused"]) == (200, True)
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")
    resumed = client.post(f"{API}/routing/resume/")
    assert (resumed.status_code, resumed.json()["paused"]) == (200, False)
    before = _state()
    assert client_for(kdb).post(f"{API}/routing/pause/").status_code == 403
    assert _state() == before


# ---------------------------------------------------------------------------------------------
# Policy versions


def test_versions_are_listed_newest_first_for_both_secretariats(keit, kdb, applicant):
    activate(keit)
    draft = services.policy_create_draft(actor=keit)

    for user in (keit, kdb):
        body = client_for(user).get(f"{API}/routing-policies/").json()
        assert [(p["version"], p["status"]) for p in body["results"]] == [
            (2, "draft"),
            (1, "active"),
        ]
        assert body["results"][0]["policy"] == document()
    assert client_for(applicant).get(f"{API}/routing-policies/").status_code == 403
    assert client_for(applicant).get(f"{API}/routing-policies/{draft.pk}/").status_code == 404


def test_keit_creates_a_draft_and_kdb_may_not(keit, kdb):
    first = client_for(keit).post(f"{API}/routing-policies/", {}, format="json")
    refused = client_for(kdb).post(f"{API}/routing-policies/", {}, format="json")
    unknown = client_for(keit).post(f"{API}/routing-policies/", {"based_on": 999}, format="json")

    assert (first.status_code, first.json()["version"], first.json()["status"]) == (201, 1, "draft")
    assert refused.status_code == 403
    assert unknown.status_code == 400
    assert list(unknown.json()) == ["based_on"]
    assert RoutingPolicy.objects.count() == 1


def test_a_bad_draft_is_refused_field_by_field_and_nothing_is_saved(keit):
    draft = services.policy_create_draft(actor=keit)
    doc = document()
    doc["channels"]["bank"] = {"route": True}
    doc["channels"]["direct"].update(min_score=120, daily_cap=-2)
    doc["channels"]["loan"].update(sub_alliances_in=["humanoid"], sub_alliances_out=["humanoid"])
    before = _state()

    response = _english(client_for(keit)).put(
        f"{API}/routing-policies/{draft.pk}/",
        {"name": "새 정책", "policy": doc},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "policy.channels.bank": [
            "There is no channel with this code; use direct, indirect, loan or infra."
        ],
        "policy.channels.direct.min_score": ["Give a minimum score from 0 to 100."],
        "policy.channels.direct.daily_cap": ["The daily cap cannot be negative."],
        "policy.channels.loan.sub_alliances_out": ["Both included and excluded: humanoid."],
    }
    assert _state() == before


def test_keit_saves_a_draft_and_reads_it_back_with_every_default(keit, kdb):
    draft = services.policy_create_draft(actor=keit)
    doc = {"channels": {"loan": {"route": True, "min_score": 60, "daily_cap": 5}}}

    saved = client_for(keit).put(
        f"{API}/routing-policies/{draft.pk}/", {"name": "대출만", "policy": doc}, format="json"
    )
    refused = client_for(kdb).put(
        f"{API}/routing-policies/{draft.pk}/", {"name": "x", "policy": doc}, format="json"
    )

    assert saved.status_code == 200
    assert saved.json()["name"] == "대출만"
    assert saved.json()["policy"]["channels"]["loan"] == {
        **document()["channels"]["loan"],
        "min_score": 60,
        "daily_cap": 5,
    }
    assert saved.json()["policy"]["channels"]["direct"]["route"] is False
    assert refused.status_code == 403


def test_the_preview_answers_what_a_version_would_route_now(keit, kdb):
    activate(keit, document(indirect={"min_score": 90}))
    waiting = submitted_proposal()
    draft = services.policy_create_draft(actor=keit)
    services.policy_update_draft(
        policy_id=draft.pk, actor=keit, name="초안", description="", document=document()
    )

    body = client_for(kdb).get(f"{API}/routing-policies/{draft.pk}/preview/").json()

    assert (body["version"], body["submitted"], body["scored"], body["would_route"]) == (
        2,
        1,
        1,
        1,
    )
    assert body["by_channel"] == {"direct": 0, "indirect": 1, "loan": 0, "infra": 0}
    assert body["proposals"] == [
        {
            "proposal": waiting.pk,
            "title": waiting.title,
            "firm": waiting.firm.name,
            "channel": "indirect",
            "score": 73,
        }
    ]


def test_activation_needs_confirm_true(keit):
    draft = services.policy_create_draft(actor=keit)
    url = f"{API}/routing-policies/{draft.pk}/activate/"
    client = _english(client_for(keit))
    before = _state()

    missing = client.post(url, {}, format="json")
    declined = client.post(url, {"confirm": False}, format="json")

    assert (missing.status_code, list(missing.json())) == (400, ["confirm"])
    assert declined.status_code == 400
    assert declined.json() == {
        "confirm": ["Confirm the activation: the workers start routing under this policy at once."]
    }
    assert _state() == before
    activated = client.post(url, {"confirm": True}, format="json")
    assert (activated.status_code, activated.json()["status"]) == (200, "active")
    again = client.post(url, {"confirm": True}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "transition_not_allowed")


# ---------------------------------------------------------------------------------------------
# The proposal's `routing`


def test_a_routed_proposal_says_so_to_its_applicant(keit, applicant, firm):
    activate(keit)
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    route_waiting()

    routing = (
        _english(client_for(applicant)).get(f"{API}/proposals/{proposal.pk}/").json()["routing"]
    )

    assert (routing["state"], routing["policy_version"], routing["channel"]) == (
        "routed",
        1,
        "indirect",
    )
    assert routing["at"] is not None
    assert [(r["code"], r["met"], r["reason"]) for r in routing["reasons"]] == [
        ("eligible", True, "Eligible for Indirect investment with its highest score (73)."),
        ("min_score", True, "Score 73 reaches the minimum of 70."),
    ]


def test_a_held_proposal_shows_keit_the_condition_and_the_applicant_nothing(keit, applicant, firm):
    activate(keit, document(indirect={"min_score": 80}))
    proposal = submitted_proposal(firm=firm, created_by=applicant)
    route_waiting()

    for_keit = client_for(keit).get(f"{API}/proposals/?status=submitted").json()["results"]
    for_applicant = client_for(applicant).get(f"{API}/proposals/{proposal.pk}/").json()

    assert [(p["id"], p["routing"]["state"]) for p in for_keit] == [(proposal.pk, "held")]
    assert [r["code"] for r in for_keit[0]["routing"]["reasons"]] == ["min_score"]
    assert for_applicant["routing"] == {
        "state": None,
        "policy_version": None,
        "channel": None,
        "at": None,
        "reasons": [],
    }


def test_the_schema_documents_the_routing_api(tmp_path):
    target = tmp_path / "schema.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(target))

    schema = json.loads(target.read_text())
    assert {
        "/api/v1/routing/",
        "/api/v1/routing/pause/",
        "/api/v1/routing/resume/",
        "/api/v1/routing-policies/",
        "/api/v1/routing-policies/{id}/",
        "/api/v1/routing-policies/{id}/preview/",
        "/api/v1/routing-policies/{id}/activate/",
    } <= set(schema["paths"])
    routing = schema["components"]["schemas"]["ProposalRoutingOutput"]["properties"]
    assert sorted(routing) == ["at", "channel", "policy_version", "reasons", "state"]
    assert "routing" in schema["components"]["schemas"]["ProposalOutput"]["properties"]
