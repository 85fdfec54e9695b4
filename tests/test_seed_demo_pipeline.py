"""seed_demo's living pipeline (fund.management.demo_pipeline): about 60 proposals at every
step, so each role's screens have work on them; every step goes through the portal's own
services, and a second run writes nothing."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.models import Consultation, Proposal
from fund.capacity.models import Commitment
from fund.coordination.models import CoordinationPacket
from fund.management import demo_pipeline
from fund.review.models import AgendaItem, CommitteeMeeting, FundReview
from fund.site.models import Event, Notice, Registration
from portal.core.vocabulary import EOK

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts(queryset, field: str) -> dict:
    values = list(queryset.values_list(field, flat=True))
    return {value: values.count(value) for value in sorted(set(values), key=str)}


def test_sixty_proposals_stand_at_every_status_of_their_way():
    seed()

    assert Proposal.objects.count() == 60
    assert counts(Proposal.objects.all(), "status") == {
        "decided": 11,
        "draft": 3,
        "in_review": 18,
        "info_requested": 2,
        "referred": 3,
        "submitted": 21,
        "withdrawn": 2,
    }


def test_kdb_has_reviews_at_every_stage_and_decisions_of_each_kind():
    seed()

    assert counts(FundReview.objects.all(), "stage") == {
        "committee": 5,
        "council": 4,
        "decided": 11,
        "prescreen": 4,
        "received": 5,
    }
    assert counts(FundReview.objects.exclude(decision=""), "decision") == {
        "approved": 4,
        "approved_with_conditions": 3,
        "deferred": 2,
        "rejected": 2,
    }
    # An approval commits what it approves; a conditional one here approves four fifths.
    for review in FundReview.objects.filter(decision="approved").select_related("proposal"):
        assert review.approved_krw == review.proposal.requested_krw
    for review in FundReview.objects.filter(decision="approved_with_conditions").select_related(
        "proposal"
    ):
        assert review.approved_krw == review.proposal.requested_krw * 4 // 5
        assert review.conditions
    assert Commitment.objects.count() == 7
    assert (
        sum(Commitment.objects.values_list("amount_krw", flat=True))
        == ((1_500 + 3_000 + 300 + 1_100) + (900 + 600 + 1_000) * 4 // 5) * EOK
    )


def test_a_committee_meeting_and_a_council_meeting_each_have_their_agenda():
    seed()

    meetings = {m.body: m for m in CommitteeMeeting.objects.all()}
    assert set(meetings) == {"committee", "council"}
    assert meetings["committee"].title == demo_pipeline.COMMITTEE_MEETING
    assert meetings["council"].title == demo_pipeline.COUNCIL_MEETING
    for body, size in (("committee", 5), ("council", 4)):
        items = AgendaItem.objects.filter(meeting=meetings[body]).select_related("review")
        assert [item.position for item in items] == list(range(1, size + 1))
        assert {item.review.stage for item in items} == {body}


def test_packets_stand_in_every_state_and_one_is_stuck_with_its_reason():
    seed()

    assert set(CoordinationPacket.objects.values_list("state", flat=True)) == {
        "pending",
        "delivered",
        "acknowledged",
        "stuck",
    }
    pending = CoordinationPacket.objects.filter(state="pending")
    assert sorted(pending.values_list("proposal__title", flat=True)) == [
        "AI 반도체 후공정 테스트 자동화",
        "제조 데이터 공유 플랫폼 구축",
    ]
    (stuck,) = CoordinationPacket.objects.filter(state="stuck")
    assert (stuck.kind, stuck.proposal.title, stuck.proposal.status) == (
        "referral",
        "자율운항 선박 원격관제 센터",
        "referred",
    )
    assert stuck.last_error == "Connection refused: the broker did not answer."
    assert stuck.next_attempt_at is None


def test_consultations_are_pending_and_confirmed_and_events_have_registrations():
    seed()

    # the pipeline demo's 2 + 2, and the consultation an accepted interest opens
    assert counts(Consultation.objects.all(), "status") == {"confirmed": 2, "requested": 3}
    assert Notice.objects.filter(published=True).count() == 3
    by_event = {
        event.title: Registration.objects.filter(event=event).count()
        for event in Event.objects.filter(invitation_only=False)
    }
    assert sorted(by_event.values(), reverse=True) == [5, 4, 3]
    assert not Registration.objects.exclude(email__endswith="@example.com").exists()


def test_a_second_run_writes_nothing_and_asks_few_questions():
    seed()
    before = (
        Proposal.objects.count(),
        CoordinationPacket.objects.count(),
        AgendaItem.objects.count(),
        Consultation.objects.count(),
        Registration.objects.count(),
    )

    with CaptureQueriesContext(connection) as queries:
        output = seed()

    assert (
        "(이번에 추가: 기업 0, 금융기관 0, 사용자 0, 제안 0, 회의 0, 상담 0, 행사 신청 0)" in output
    )
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    # alliance.demo rewrites the seven institutions' names with the same values (update_or_
    # create); nothing else is written.
    assert len(writes) == 7
    assert all(sql.startswith('UPDATE "alliance_financialinstitution"') for sql in writes)
    assert len(queries) < 250
    assert before == (
        Proposal.objects.count(),
        CoordinationPacket.objects.count(),
        AgendaItem.objects.count(),
        Consultation.objects.count(),
        Registration.objects.count(),
    )


def test_the_demo_table_names_only_demo_firms_and_known_journeys():
    firms = set(demo_pipeline.REGION)
    ends = {
        demo_pipeline.DRAFT,
        demo_pipeline.SUBMITTED,
        demo_pipeline.INFO_REQUESTED,
        demo_pipeline.WITHDRAWN,
        demo_pipeline.REFERRED_PENDING,
        demo_pipeline.REFERRED_STUCK,
        demo_pipeline.RECEIVED,
        demo_pipeline.RECEIVED_ACK,
        demo_pipeline.PRESCREEN,
        demo_pipeline.COMMITTEE,
        demo_pipeline.COUNCIL,
        *demo_pipeline.DECISIONS,
    }
    assert len(demo_pipeline.JOURNEYS) == 43
    assert {j.end for j in demo_pipeline.JOURNEYS} == ends
    assert {j.firm for j in demo_pipeline.JOURNEYS} <= firms
    titles = [(j.firm, j.title) for j in demo_pipeline.JOURNEYS]
    assert len(set(titles)) == len(titles)
    assert all(200 <= j.requested_eok <= 3_000 for j in demo_pipeline.JOURNEYS)
