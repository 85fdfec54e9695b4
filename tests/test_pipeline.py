"""The fund secretariat's pipeline services: stage moves, decisions, capacity, status packets."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from alliance.models import AuditLog, Proposal
from fund.capacity.models import Channel, Commitment
from fund.capacity.selectors import channel_capacity
from fund.capacity.services import commitment_create
from fund.coordination.models import CoordinationPacket
from fund.review import services as pipeline
from fund.review.models import FundReview
from portal.core.errors import CapacityExceeded, TransitionNotAllowed
from tests.pipeline_support import in_review, submitted_proposal, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _state(proposal) -> tuple:
    row = Proposal.objects.values("status", "stage", "version").get(pk=proposal.pk)
    review = FundReview.objects.values("stage", "decision", "approved_krw").get(proposal=proposal)
    return (row["status"], row["stage"], row["version"], *review.values())


def _status_kinds(proposal) -> list[str]:
    return list(
        CoordinationPacket.objects.filter(proposal=proposal, direction="kdb_to_keit")
        .order_by("sequence")
        .values_list("kind", flat=True)
    )


@pytest.fixture
def received(keit):
    return in_review(submitted_proposal(), keit=keit, channel="loan")


@pytest.fixture
def at_council(received, kdb):
    walk_to(received, kdb=kdb, stage="council")
    return received


def test_advancing_moves_one_stage_with_audit_and_status_packet(received, kdb):
    pipeline.proposal_advance(proposal_id=received.pk, actor=kdb, stage="prescreen")

    assert _state(received) == ("in_review", "prescreen", 4, "prescreen", "", None)
    audit = AuditLog.objects.get(action="proposal.advance")
    assert (audit.actor, audit.from_state, audit.to_state) == (kdb, "received", "prescreen")
    assert _status_kinds(received) == ["received", "prescreen_started"]


def test_a_full_walk_sends_a_status_packet_for_every_move(at_council):
    assert _status_kinds(at_council) == [
        "received",
        "prescreen_started",
        "committee_scheduled",
        "council_scheduled",
    ]
    assert _state(at_council) == ("in_review", "council", 6, "council", "", None)


@pytest.mark.parametrize("stage", ["committee", "council", "received", "decided"])
def test_skipping_or_going_back_a_stage_is_refused(received, kdb, stage):
    before = _state(received)

    with pytest.raises((TransitionNotAllowed, ValidationError)):
        pipeline.proposal_advance(proposal_id=received.pk, actor=kdb, stage=stage)

    assert _state(received) == before
    assert _status_kinds(received) == ["received"]


def test_an_unknown_stage_is_refused_on_the_stage_field(received, kdb):
    with pytest.raises(ValidationError) as exc:
        pipeline.proposal_advance(proposal_id=received.pk, actor=kdb, stage="board")

    assert exc.value.message_dict == {"stage": ["Choose the next review stage."]}


@pytest.mark.parametrize("who", ["keit", "applicant", "editor"])
def test_only_fund_staff_move_proposals(request, received, who):
    before = _state(received)

    with pytest.raises(PermissionDenied):
        pipeline.proposal_advance(
            proposal_id=received.pk, actor=request.getfixturevalue(who), stage="prescreen"
        )

    assert _state(received) == before


def test_a_proposal_not_yet_taken_in_cannot_be_advanced(keit, kdb):
    from fund.coordination import services as coordination

    proposal = submitted_proposal()
    coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)

    with pytest.raises(TransitionNotAllowed) as exc:
        pipeline.proposal_advance(proposal_id=proposal.pk, actor=kdb, stage="prescreen")

    assert exc.value.message == "This proposal is not under review by the fund."
    assert Proposal.objects.get(pk=proposal.pk).status == "referred"


def test_approval_commits_exactly_the_approved_amount(at_council, kdb):
    loan = Channel.objects.get(code="loan")
    before = channel_capacity(loan)["committed_krw"]

    pipeline.proposal_decide(
        proposal_id=at_council.pk,
        actor=kdb,
        decision="approved",
        channel="loan",
        amount_krw=40_000_000_000,
    )

    assert channel_capacity(loan)["committed_krw"] == before + 40_000_000_000
    commitment = Commitment.objects.get(proposal=at_council)
    assert (commitment.channel.code, commitment.amount_krw, commitment.region) == (
        "loan",
        40_000_000_000,
        "gyeongnam",
    )
    assert _state(at_council) == ("decided", "decided", 7, "decided", "approved", 40_000_000_000)
    decision = CoordinationPacket.objects.get(proposal=at_council, kind="decision")
    assert {k: decision.payload[k] for k in ("decision", "channel", "amount_krw")} == {
        "decision": "approved",
        "channel": "loan",
        "amount_krw": 40_000_000_000,
    }


def test_conditional_approval_carries_its_conditions(at_council, kdb):
    pipeline.proposal_decide(
        proposal_id=at_council.pk,
        actor=kdb,
        decision="approved_with_conditions",
        channel="indirect",
        amount_krw=50_000_000_000,
        conditions="민간 공동투자 확약서 제출",
    )

    review = FundReview.objects.get(proposal=at_council)
    assert (review.decision, review.decided_channel, review.conditions) == (
        "approved_with_conditions",
        "indirect",
        "민간 공동투자 확약서 제출",
    )
    packet = CoordinationPacket.objects.get(proposal=at_council, kind="decision")
    assert packet.payload["conditions"] == "민간 공동투자 확약서 제출"


@pytest.mark.parametrize("decision", ["deferred", "rejected"])
def test_defer_and_reject_commit_nothing(at_council, kdb, decision):
    pipeline.proposal_decide(proposal_id=at_council.pk, actor=kdb, decision=decision)

    assert Commitment.objects.count() == 0
    assert _state(at_council) == ("decided", "decided", 7, "decided", decision, None)


@pytest.mark.parametrize("stage", ["received", "prescreen", "committee"])
def test_a_decision_before_the_council_is_refused(received, kdb, stage):
    if stage != "received":
        walk_to(received, kdb=kdb, stage=stage)
    before = _state(received)

    with pytest.raises(TransitionNotAllowed) as exc:
        pipeline.proposal_decide(
            proposal_id=received.pk,
            actor=kdb,
            decision="approved",
            channel="loan",
            amount_krw=1_000_000_000,
        )

    assert exc.value.message == (
        "A decision can be recorded only at the fund management council stage."
    )
    assert _state(received) == before
    assert Commitment.objects.count() == 0


def test_a_second_decision_is_refused(at_council, kdb):
    pipeline.proposal_decide(proposal_id=at_council.pk, actor=kdb, decision="rejected")
    before = _state(at_council)

    with pytest.raises(TransitionNotAllowed) as exc:
        pipeline.proposal_decide(
            proposal_id=at_council.pk,
            actor=kdb,
            decision="approved",
            channel="loan",
            amount_krw=1_000_000_000,
        )

    assert exc.value.message == "A decision on this proposal has already been made."
    assert _state(at_council) == before
    assert Commitment.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"decision": "approved", "channel": "loan", "amount_krw": 50_000_000_001},
            {"amount_krw": ["The approved amount cannot exceed the requested 50,000,000,000 won."]},
        ),
        (
            {"decision": "approved", "channel": "loan", "amount_krw": 0},
            {"amount_krw": ["The amount must be a positive number of won."]},
        ),
        (
            {"decision": "approved", "channel": "loan", "amount_krw": "5"},
            {"amount_krw": ["The amount must be a positive number of won."]},
        ),
        (
            {"decision": "approved", "channel": "", "amount_krw": 1},
            {"channel": ["Choose the channel the money comes from."]},
        ),
        (
            {"decision": "approved_with_conditions", "channel": "loan", "amount_krw": 1},
            {"conditions": ["State the conditions of the approval."]},
        ),
        (
            {"decision": "rejected", "amount_krw": 5},
            {"amount_krw": ["Only an approval commits an amount."]},
        ),
        ({"decision": "maybe"}, {"decision": ["Choose a decision."]}),
    ],
)
def test_a_bad_decision_is_refused_on_its_field(at_council, kdb, fields, errors):
    before = _state(at_council)

    with pytest.raises(ValidationError) as exc:
        pipeline.proposal_decide(proposal_id=at_council.pk, actor=kdb, **fields)

    assert exc.value.message_dict == errors
    assert _state(at_council) == before
    assert Commitment.objects.count() == 0
    assert _status_kinds(at_council)[-1] == "council_scheduled"


def test_an_approval_above_remaining_capacity_is_refused(at_council, kdb):
    loan = Channel.objects.get(code="loan")
    commitment_create(
        channel_code="loan",
        year=2026,
        amount_krw=loan.size_krw - 10_000_000_000,
        actor=kdb,
        region="busan",
    )
    before = _state(at_council)

    with pytest.raises(CapacityExceeded) as exc:
        pipeline.proposal_decide(
            proposal_id=at_council.pk,
            actor=kdb,
            decision="approved",
            channel="loan",
            amount_krw=20_000_000_000,
        )

    assert exc.value.remaining_krw == 10_000_000_000
    assert _state(at_council) == before
    assert Commitment.objects.count() == 1
    assert AuditLog.objects.filter(action="proposal.decide").count() == 0
    assert _status_kinds(at_council)[-1] == "council_scheduled"


def test_only_fund_staff_decide(at_council, keit):
    before = _state(at_council)

    with pytest.raises(PermissionDenied):
        pipeline.proposal_decide(proposal_id=at_council.pk, actor=keit, decision="rejected")

    assert _state(at_council) == before


def test_the_fund_asks_for_information_through_keit(received, kdb):
    pipeline.proposal_request_info(
        proposal_id=received.pk, actor=kdb, question="재무제표 3개년을 보내 주세요."
    )

    assert (
        FundReview.objects.get(proposal=received).info_question == "재무제표 3개년을 보내 주세요."
    )
    packet = CoordinationPacket.objects.get(proposal=received, kind="info_requested")
    assert (packet.direction, packet.payload["question"]) == (
        "kdb_to_keit",
        "재무제표 3개년을 보내 주세요.",
    )
    assert _state(received)[:2] == ("in_review", "received")


def test_an_empty_question_is_refused(received, kdb):
    with pytest.raises(ValidationError) as exc:
        pipeline.proposal_request_info(proposal_id=received.pk, actor=kdb, question="  ")

    assert exc.value.message_dict == {"question": ["Write the question."]}
    assert _status_kinds(received) == ["received"]


def test_a_reviewer_is_assigned_from_fund_staff_only(received, kdb, keit):
    pipeline.review_assign(proposal_id=received.pk, actor=kdb, reviewer=kdb)

    with pytest.raises(ValidationError):
        pipeline.review_assign(proposal_id=received.pk, actor=kdb, reviewer=keit)

    assert FundReview.objects.get(proposal=received).reviewer == kdb
