"""The integrator's journey, with plain HTTP calls only (what the docs describe): token →
create → submit → matches → (KEIT) refer → (KDB) pull and acknowledge the queue → review →
decide. Workers' jobs (scoring, packet delivery) run in-process through the same services."""

import json

import pytest
from django.test import Client

from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket
from matching import services as matching_services
from tests.api_helpers import (
    API,
    _fresh_throttles,  # noqa: F401  (a fixture)
)

pytestmark = pytest.mark.django_db


class Http:
    """JSON over HTTP with a token, as an outside system would call the API."""

    def __init__(self, username: str, password: str = "correct-horse-9"):  # noqa: S107
        self.client = Client()
        response = self.client.post(
            f"{API}/auth/token/",
            json.dumps({"username": username, "password": password}),
            content_type="application/json",
        )
        assert response.status_code == 200
        self.auth = f"Token {response.json()['token']}"

    def get(self, path: str):
        return self.client.get(f"{API}{path}", HTTP_AUTHORIZATION=self.auth)

    def post(self, path: str, body: dict):
        return self.client.post(
            f"{API}{path}",
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=self.auth,
        )


DRAFT = {
    "title": "휴머노이드 양산 라인",
    "summary": "휴머노이드 로봇 양산을 위한 AI 공장 구축",
    "sub_alliance": "humanoid",
    "industry": "robot",
    "project_type": "new_facility",
    "fund_uses": ["facility"],
    "structure": "corporate",
    "region": "gyeongnam",
    "start_date": "2026-03-01",
    "end_date": "2028-12-31",
    "trl": 7,
    "ai_related": True,
    "total_cost_krw": 100_000_000_000,
    "requested_krw": 50_000_000_000,
    "private_coinvest_krw": 30_000_000_000,
    "preferred_channel": None,
}


def test_an_integrator_runs_a_proposal_from_creation_to_decision(applicant, keit, kdb):
    firm_side = Http("applicant")
    created = firm_side.post("/proposals/", DRAFT)
    assert created.status_code == 201
    proposal = created.json()
    submitted = firm_side.post(f"/proposals/{proposal['id']}/submit/", {"version": 1})
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"

    matching_services.score_proposal(proposal_id=proposal["id"])  # the scoring worker's job
    matches = firm_side.get(f"/proposals/{proposal['id']}/matches/").json()
    assert [m["channel"] for m in matches] == ["direct", "indirect", "loan", "infra"]
    best = max((m for m in matches if m["eligible"]), key=lambda m: m["score"])

    referred = Http("keit").post(f"/proposals/{proposal['id']}/refer/", {"note": "추천합니다"})
    assert referred.status_code == 200
    packet_id = referred.json()["packet"]["id"]
    coordination.packet_deliver(packet_id=packet_id)  # the delivery worker's job

    fund = Http("kdb")
    queue = fund.get("/coordination/packets/?after=0&direction=keit_to_kdb").json()
    assert [(p["id"], p["kind"], p["state"]) for p in queue["results"]] == [
        (packet_id, "referral", "delivered")
    ]
    assert queue["results"][0]["payload"]["proposed_channel"] == best["channel"]
    acked = fund.post(f"/coordination/packets/{packet_id}/ack/", {})
    assert acked.status_code == 200
    assert acked.json()["state"] == "acknowledged"
    last = queue["results"][-1]["sequence"]
    assert (
        fund.get(f"/coordination/packets/?after={last}&direction=keit_to_kdb").json()["results"]
        == []
    )

    for stage in ("prescreen", "committee", "council"):
        moved = fund.post(f"/proposals/{proposal['id']}/advance/", {"stage": stage})
        assert moved.status_code == 200
        assert moved.json()["stage"] == stage
    pipeline = fund.get("/pipeline/?stage=council").json()["results"]
    assert [row["proposal"] for row in pipeline] == [proposal["id"]]

    channel_before = fund.get(f"/channels/{best['channel']}/").json()
    decided = fund.post(
        f"/proposals/{proposal['id']}/decide/",
        {"decision": "approved", "channel": best["channel"], "amount_krw": 40_000_000_000},
    )
    assert decided.status_code == 200
    assert decided.json()["review"]["approved_krw"] == 40_000_000_000
    channel_after = fund.get(f"/channels/{best['channel']}/").json()
    assert channel_after["remaining_krw"] == channel_before["remaining_krw"] - 40_000_000_000
    final = firm_side.get(f"/proposals/{proposal['id']}/").json()
    assert (final["status"], final["stage"]) == ("decided", "decided")
    assert CoordinationPacket.objects.filter(proposal_id=proposal["id"]).count() == 6


def test_a_decision_beyond_the_channel_capacity_is_409_and_changes_nothing(
    applicant, keit, kdb, firm
):
    from fund.capacity.models import Channel, Commitment
    from fund.capacity.services import commitment_create
    from tests.pipeline_support import in_review, submitted_proposal, walk_to

    proposal = submitted_proposal(firm=firm)
    in_review(proposal, keit=keit, channel="loan")
    walk_to(proposal, kdb=kdb, stage="council")
    loan = Channel.objects.get(code="loan")
    commitment_create(
        channel_code="loan",
        year=2026,
        amount_krw=loan.size_krw - 1_000,
        actor=kdb,
        region="busan",
    )
    response = Http("kdb").post(
        f"/proposals/{proposal.pk}/decide/",
        {"decision": "approved", "channel": "loan", "amount_krw": 10_000},
    )
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["remaining_krw"]) == (
        "capacity_exceeded",
        1_000,
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage) == ("in_review", "council")
    assert Commitment.objects.count() == 1
