"""The coordination queue's services: referral packets, intake, acknowledgement, the sweep."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone, translation

from alliance.models import AuditLog, Proposal
from fund.coordination import services as coordination
from fund.coordination.models import (
    CoordinationPacket,
    FundInbox,
    KeitInbox,
    PacketImmutable,
    PacketKind,
    PacketState,
)
from fund.review.models import FundReview
from portal.core.errors import TransitionNotAllowed
from tests.factories import ProposalFactory
from tests.pipeline_support import submitted_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _snapshot(proposal):
    proposal.refresh_from_db()
    return (proposal.status, proposal.stage, proposal.version)


def test_referral_moves_the_proposal_and_writes_one_packet_with_the_snapshot(keit, firm):
    proposal = submitted_proposal(firm=firm, title="스마트 공장")

    packet = coordination.proposal_refer(
        proposal_id=proposal.pk, actor=keit, note="우선 검토 요망", channel="loan"
    )

    proposal.refresh_from_db()
    assert (proposal.status, proposal.version) == ("referred", 2)
    assert CoordinationPacket.objects.count() == 1
    assert isinstance(packet.pk, uuid.UUID)
    assert (packet.kind, packet.direction, packet.state, packet.attempts) == (
        "referral",
        "keit_to_kdb",
        "pending",
        1,
    )
    payload = packet.payload
    assert payload["note"] == "우선 검토 요망"
    assert payload["proposed_channel"] == "loan"
    assert payload["rule_version"] == 1
    assert payload["proposal"]["title"] == "스마트 공장"
    assert payload["proposal"]["requested_krw"] == 50_000_000_000
    assert payload["proposal"]["sub_alliance"] == "ai_factory"
    assert payload["proposal"]["firm"]["name"] == "현대자동차"
    assert payload["proposal"]["partners"] == []
    assert payload["proposal"]["documents"] == []
    assert sorted((m["channel"], m["eligible"], m["score"]) for m in payload["match_results"]) == [
        ("direct", False, 59),
        ("indirect", True, 73),
        ("infra", False, 62),
        ("loan", True, 61),
    ]
    assert {m["rule_version"] for m in payload["match_results"]} == {1}
    audit = AuditLog.objects.get(action="proposal.refer")
    assert (audit.from_state, audit.to_state, audit.data["packet"]) == (
        "submitted",
        "referred",
        str(packet.pk),
    )


def test_referral_without_a_channel_proposes_the_best_match(keit):
    proposal = submitted_proposal()

    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)

    assert packet.payload["proposed_channel"] == "indirect"


def test_referral_sends_the_delivery_only_after_commit(keit, django_capture_on_commit_callbacks):
    proposal = submitted_proposal()

    with django_capture_on_commit_callbacks() as callbacks:
        coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)

    assert len(callbacks) == 1


def test_packets_are_numbered_in_order(keit):
    first = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    second = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)

    assert second.sequence == first.sequence + 1


def test_a_failure_inside_the_referral_rolls_back_both_status_and_packet(keit, monkeypatch):
    proposal = submitted_proposal()

    def broken_audit(**kwargs):
        raise IntegrityError("audit table unavailable")

    # The audit row is written after the packet, inside the same transaction.
    monkeypatch.setattr(coordination, "audit_record", broken_audit)
    with pytest.raises(IntegrityError):
        coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)

    assert _snapshot(proposal) == ("submitted", "", 1)
    assert CoordinationPacket.objects.count() == 0


@pytest.mark.parametrize("status", ["draft", "info_requested", "withdrawn"])
def test_referral_of_a_proposal_that_is_not_submitted_is_refused(keit, status):
    proposal = ProposalFactory(status=status)

    with pytest.raises(TransitionNotAllowed) as exc:
        coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)

    assert exc.value.message == "Only a submitted proposal can be referred to the fund."
    assert _snapshot(proposal) == (status, "", 1)
    assert CoordinationPacket.objects.count() == 0


def test_referring_twice_is_refused_the_second_time(keit):
    proposal = submitted_proposal()
    coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)

    with pytest.raises(TransitionNotAllowed):
        coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)

    assert CoordinationPacket.objects.count() == 1
    assert _snapshot(proposal) == ("referred", "", 2)


@pytest.mark.parametrize(
    ("note", "channel", "field"),
    [("x" * 2001, "loan", "note"), ("ok", "bank", "channel"), (["list"], "loan", "note")],
)
def test_referral_with_a_bad_field_is_refused_on_that_field(keit, note, channel, field):
    proposal = submitted_proposal()

    with pytest.raises(ValidationError) as exc:
        coordination.proposal_refer(proposal_id=proposal.pk, actor=keit, note=note, channel=channel)

    assert list(exc.value.message_dict) == [field]
    assert _snapshot(proposal) == ("submitted", "", 1)
    assert CoordinationPacket.objects.count() == 0


def test_referral_without_any_match_needs_a_channel(keit):
    proposal = ProposalFactory(status="submitted")  # never scored

    with pytest.raises(ValidationError) as exc:
        coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)

    assert list(exc.value.message_dict) == ["channel"]
    assert CoordinationPacket.objects.count() == 0


@pytest.mark.parametrize("who", ["kdb", "applicant", "editor"])
def test_only_keit_can_refer(request, who):
    proposal = submitted_proposal()

    with pytest.raises(PermissionDenied):
        coordination.proposal_refer(proposal_id=proposal.pk, actor=request.getfixturevalue(who))

    assert _snapshot(proposal) == ("submitted", "", 1)
    assert CoordinationPacket.objects.count() == 0


def test_bulk_referral_refers_the_submitted_and_reports_the_rest(keit):
    ready = [submitted_proposal(), submitted_proposal()]
    draft = ProposalFactory()

    packets, refused = coordination.proposal_refer_many(
        proposal_ids=[ready[0].pk, draft.pk, ready[1].pk], actor=keit, note="일괄"
    )

    assert [p.proposal_id for p in packets] == [ready[0].pk, ready[1].pk]
    assert list(refused) == [draft.pk]
    assert set(Proposal.objects.values_list("pk", "status")) == {
        (ready[0].pk, "referred"),
        (ready[1].pk, "referred"),
        (draft.pk, "draft"),
    }


def test_intake_opens_the_pipeline_entry_and_sends_received_back(keit):
    proposal = submitted_proposal()
    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit, channel="loan")

    outcome = coordination.packet_deliver(packet_id=str(packet.pk))

    assert outcome == "delivered"
    packet.refresh_from_db()
    assert packet.state == "delivered"
    assert packet.delivered_at is not None
    assert _snapshot(proposal) == ("in_review", "received", 3)
    review = FundReview.objects.get(proposal=proposal)
    assert (review.stage, review.channel, review.score, review.rule_version) == (
        "received",
        "loan",
        61,
        1,
    )
    assert FundInbox.objects.filter(packet=packet).count() == 1
    back = CoordinationPacket.objects.get(kind=PacketKind.RECEIVED)
    assert (back.direction, back.state, back.proposal_id) == ("kdb_to_keit", "pending", proposal.pk)


def test_delivering_the_same_packet_twice_takes_it_in_once(keit):
    proposal = submitted_proposal()
    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)
    coordination.packet_deliver(packet_id=packet.pk)
    before = list(CoordinationPacket.objects.order_by("sequence").values())

    outcome = coordination.packet_deliver(packet_id=packet.pk)

    assert outcome == "duplicate"
    assert FundInbox.objects.count() == 1
    assert FundReview.objects.count() == 1
    assert list(CoordinationPacket.objects.order_by("sequence").values()) == before
    assert _snapshot(proposal) == ("in_review", "received", 3)


@pytest.mark.parametrize("packet_id", [str(uuid.uuid4()), "not-a-uuid", None])
def test_delivering_an_unknown_packet_changes_nothing(packet_id):
    assert coordination.packet_deliver(packet_id=packet_id) == "missing"
    assert FundInbox.objects.count() == 0


def test_a_status_packet_is_taken_into_keits_inbox(keit):
    proposal = submitted_proposal()
    coordination.packet_deliver(
        packet_id=coordination.proposal_refer(proposal_id=proposal.pk, actor=keit).pk
    )
    received = CoordinationPacket.objects.get(kind=PacketKind.RECEIVED)

    coordination.packet_deliver(packet_id=received.pk)

    assert list(KeitInbox.objects.values_list("packet_id", flat=True)) == [received.pk]
    assert FundInbox.objects.count() == 1


def test_the_receiving_side_acknowledges_a_delivered_packet(keit, kdb):
    proposal = submitted_proposal()
    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)
    coordination.packet_deliver(packet_id=packet.pk)

    coordination.packet_acknowledge(packet_id=str(packet.pk), actor=kdb)

    packet.refresh_from_db()
    assert (packet.state, packet.acknowledged_by) == ("acknowledged", kdb)
    assert packet.acknowledged_at is not None
    assert AuditLog.objects.filter(action="packet.acknowledge").count() == 1


def test_acknowledging_locks_the_packet_with_its_proposal_in_a_pinned_query_count(
    keit, kdb, django_assert_num_queries
):
    proposal = submitted_proposal()
    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)
    coordination.packet_deliver(packet_id=packet.pk)
    kdb.is_fund_staff  # noqa: B018 (the role is loaded once per request, not by the service)

    # savepoint, the packet and its proposal (locked: the packet only), update, audit, release
    with django_assert_num_queries(5):
        coordination.packet_acknowledge(packet_id=str(packet.pk), actor=kdb)

    audit = AuditLog.objects.get(action="packet.acknowledge")
    assert (audit.proposal_id, audit.object_id, audit.actor_id) == (
        proposal.pk,
        str(packet.pk),
        kdb.pk,
    )


def test_acknowledging_twice_is_refused_and_changes_nothing(keit, kdb):
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    coordination.packet_deliver(packet_id=packet.pk)
    coordination.packet_acknowledge(packet_id=packet.pk, actor=kdb)
    before = CoordinationPacket.objects.filter(pk=packet.pk).values().get()

    with pytest.raises(TransitionNotAllowed) as exc:
        coordination.packet_acknowledge(packet_id=packet.pk, actor=kdb)

    assert exc.value.message == "This packet was already acknowledged."
    assert CoordinationPacket.objects.filter(pk=packet.pk).values().get() == before
    assert AuditLog.objects.filter(action="packet.acknowledge").count() == 1


def test_the_sending_side_cannot_acknowledge_its_own_packet(keit):
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    coordination.packet_deliver(packet_id=packet.pk)

    with pytest.raises(PermissionDenied):
        coordination.packet_acknowledge(packet_id=packet.pk, actor=keit)

    packet.refresh_from_db()
    assert (packet.state, packet.acknowledged_at) == ("delivered", None)


@pytest.mark.parametrize("who", ["applicant", "editor"])
def test_an_outsider_acknowledging_is_told_the_packet_does_not_exist(request, keit, who):
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    coordination.packet_deliver(packet_id=packet.pk)

    with pytest.raises(coordination.PacketNotFound):
        coordination.packet_acknowledge(packet_id=packet.pk, actor=request.getfixturevalue(who))

    packet.refresh_from_db()
    assert packet.state == "delivered"


@pytest.mark.parametrize("packet_id", [str(uuid.uuid4()), "12", ""])
def test_acknowledging_an_unknown_packet_is_refused(kdb, packet_id):
    with pytest.raises(coordination.PacketNotFound):
        coordination.packet_acknowledge(packet_id=packet_id, actor=kdb)

    assert AuditLog.objects.count() == 0


def test_an_undelivered_packet_cannot_be_acknowledged(keit, kdb):
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)

    with pytest.raises(TransitionNotAllowed):
        coordination.packet_acknowledge(packet_id=packet.pk, actor=kdb)

    packet.refresh_from_db()
    assert packet.state == "pending"


def test_a_packets_content_cannot_be_changed_or_deleted(keit):
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    packet.payload = {"tampered": True}

    with pytest.raises(PacketImmutable):
        packet.save()
    with pytest.raises(PacketImmutable):
        packet.save(update_fields=["payload"])
    with pytest.raises(PacketImmutable):
        packet.delete()

    assert CoordinationPacket.objects.get(pk=packet.pk).payload["proposed_channel"] == "indirect"


def test_the_sweep_resends_only_what_is_due_with_growing_backoff(keit, settings):
    settings.COORDINATION_RESEND_AFTER = 30
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    created = packet.last_sent_at

    assert coordination.sweep(now=created + datetime.timedelta(seconds=29)) == {
        "resent": 0,
        "stuck": 0,
    }
    assert coordination.sweep(now=created + datetime.timedelta(seconds=30)) == {
        "resent": 1,
        "stuck": 0,
    }

    packet.refresh_from_db()
    assert packet.attempts == 2
    assert packet.next_attempt_at == created + datetime.timedelta(seconds=30 + 60)


def test_the_sweep_marks_a_packet_stuck_after_the_maximum_attempts(keit, settings):
    settings.COORDINATION_RESEND_AFTER = 1
    settings.COORDINATION_MAX_ATTEMPTS = 3
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    later = timezone.now() + datetime.timedelta(hours=2)

    results = [coordination.sweep(now=later + datetime.timedelta(hours=i)) for i in range(4)]

    assert results == [
        {"resent": 1, "stuck": 0},
        {"resent": 1, "stuck": 0},
        {"resent": 0, "stuck": 1},
        {"resent": 0, "stuck": 0},
    ]
    packet.refresh_from_db()
    assert (packet.state, packet.attempts, packet.next_attempt_at) == ("stuck", 3, None)
    assert packet.last_error == "Not delivered after 3 attempts."


def test_the_sweep_leaves_delivered_packets_alone(keit):
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    coordination.packet_deliver(packet_id=packet.pk)

    result = coordination.sweep(now=timezone.now() + datetime.timedelta(days=1))

    # Only the `received` status packet (never delivered here) is due.
    assert result == {"resent": 1, "stuck": 0}
    packet.refresh_from_db()
    assert (packet.state, packet.attempts) == ("delivered", 1)


def test_a_stuck_packet_can_be_sent_again_by_staff(keit, settings):
    settings.COORDINATION_MAX_ATTEMPTS = 1
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)
    coordination.sweep(now=timezone.now() + datetime.timedelta(hours=1))

    coordination.packet_retry(packet_id=packet.pk, actor=keit)

    packet.refresh_from_db()
    assert (packet.state, packet.attempts) == ("pending", 1)


def test_a_packet_that_is_not_stuck_cannot_be_retried(keit):
    packet = coordination.proposal_refer(proposal_id=submitted_proposal().pk, actor=keit)

    with pytest.raises(TransitionNotAllowed):
        coordination.packet_retry(packet_id=packet.pk, actor=keit)

    assert PacketState(CoordinationPacket.objects.get(pk=packet.pk).state) == "pending"
