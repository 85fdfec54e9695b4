"""The coordination queue through a real Celery worker and a real Redis: delivery, duplicate
delivery, a flushed broker, a killed worker, and the sweep that makes sure nothing is lost."""

import datetime

import pytest
import redis
from django.db import transaction
from django.utils import timezone

from alliance.models import Proposal
from fund.capacity.models import Channel
from fund.capacity.selectors import channel_capacity
from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket, FundInbox, KeitInbox
from fund.coordination.tasks import deliver_packet, sweep
from fund.review import services as pipeline
from fund.review.models import FundReview
from portal.celery import app as celery_app
from tests.pipeline_support import STAGES_TO_COUNCIL, submitted_proposal, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _state(packet) -> str:
    return CoordinationPacket.objects.get(pk=packet.pk).state


def _delivered(packet) -> bool:
    return _state(packet) == "delivered"


def _flush_broker() -> None:
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    try:
        client.flushdb()
    finally:
        client.close()


def _make_due(packet) -> None:
    """As if the resend interval had passed (the worker runs with the default 30 s)."""
    CoordinationPacket.objects.filter(pk=packet.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )


def _log_count(worker, text: str) -> int:
    return worker.log_path.read_text(errors="replace").count(text)


def test_a_worker_delivers_a_referral_into_the_fund_inbox(celery_worker, keit):
    proposal = submitted_proposal()

    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit, channel="loan")

    wait_for(lambda: _delivered(packet))
    assert list(FundInbox.objects.values_list("packet_id", flat=True)) == [packet.pk]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage) == ("in_review", "received")
    assert FundReview.objects.get(proposal=proposal).channel == "loan"
    # The `received` status packet is written by the intake and delivered back to KEIT.
    received = CoordinationPacket.objects.get(kind="received")
    wait_for(lambda: _delivered(received))
    assert list(KeitInbox.objects.values_list("packet_id", flat=True)) == [received.pk]


def test_the_same_packet_delivered_twice_is_taken_in_once(celery_worker, keit):
    proposal = submitted_proposal()
    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)
    wait_for(lambda: _delivered(packet))
    received = CoordinationPacket.objects.get(kind="received")
    wait_for(lambda: _delivered(received))

    # When the same message arrives again (a re-send, a redelivery).
    deliver_packet.apply_async(args=[str(packet.pk)], queue="coordination")

    wait_for(lambda: _log_count(celery_worker, "'duplicate'") == 1)
    assert FundInbox.objects.count() == 1
    assert FundReview.objects.count() == 1
    assert CoordinationPacket.objects.count() == 2
    assert Proposal.objects.get(pk=proposal.pk).version == 3


def test_nothing_is_lost_when_redis_is_flushed_while_no_worker_runs(celery_worker_factory, keit):
    # Given a referral whose message was in Redis when Redis lost its data.
    proposal = submitted_proposal()
    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)
    _flush_broker()
    worker = celery_worker_factory()
    assert _state(packet) == "pending"

    # When the resend time has passed and beat's sweep runs.
    _make_due(packet)
    sweep.apply_async(queue="coordination")

    # Then the worker delivers it: once, on the second attempt.
    wait_for(lambda: _delivered(packet))
    assert worker.alive
    assert CoordinationPacket.objects.get(pk=packet.pk).attempts == 2
    assert FundInbox.objects.count() == 1
    assert Proposal.objects.get(pk=proposal.pk).status == "in_review"


def test_nothing_is_lost_when_the_worker_is_killed_mid_delivery(celery_worker_factory, keit):
    proposal = submitted_proposal()
    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit)

    # Given a worker that has started the delivery and is blocked on the packet's row lock.
    with transaction.atomic():
        CoordinationPacket.objects.select_for_update().get(pk=packet.pk)
        worker = celery_worker_factory()
        wait_for(lambda: _log_count(worker, "Task coordination.deliver_packet[") == 1)
        # When it is killed (SIGKILL) in the middle of it.
        worker.kill()
    assert _state(packet) == "pending"
    assert FundInbox.objects.count() == 0

    # Then a new worker and the sweep deliver it, exactly once.
    celery_worker_factory()
    _make_due(packet)
    sweep.apply_async(queue="coordination")
    wait_for(lambda: _delivered(packet))
    assert FundInbox.objects.count() == 1
    assert FundReview.objects.count() == 1


def test_a_full_walk_to_approval_raises_the_committed_amount_exactly(celery_worker, keit, kdb):
    proposal = submitted_proposal()
    loan = Channel.objects.get(code="loan")
    committed_before = channel_capacity(loan)["committed_krw"]
    packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit, channel="loan")
    wait_for(lambda: _delivered(packet))

    for stage in STAGES_TO_COUNCIL:
        pipeline.proposal_advance(proposal_id=proposal.pk, actor=kdb, stage=stage)
    pipeline.proposal_decide(
        proposal_id=proposal.pk,
        actor=kdb,
        decision="approved",
        channel="loan",
        amount_krw=45_000_000_000,
    )

    assert channel_capacity(loan)["committed_krw"] == committed_before + 45_000_000_000
    assert Proposal.objects.get(pk=proposal.pk).status == "decided"
    kinds = ["received", "prescreen_started", "committee_scheduled", "council_scheduled"]
    kinds.append("decision")
    wait_for(lambda: KeitInbox.objects.count() == 5)
    assert list(
        CoordinationPacket.objects.filter(direction="kdb_to_keit")
        .order_by("sequence")
        .values_list("kind", "state")
    ) == [(kind, "delivered") for kind in kinds]
