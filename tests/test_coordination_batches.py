"""Batch delivery of the coordination queue through a real Celery worker: many packets to a
message, one commit. Each packet is still taken in exactly once (a batch sent twice, a batch
redone after a killed worker), and a packet whose intake fails holds back no other."""

import re

import pytest
import redis

from alliance.models import AuditLog, Proposal
from fund.coordination import services as coordination
from fund.coordination.models import (
    CoordinationPacket,
    FundInbox,
    KeitInbox,
    PacketKind,
    PacketState,
)
from fund.coordination.tasks import deliver_packets
from fund.review.models import FundReview
from portal.celery import app as celery_app
from tests.fault_support import (
    backends,
    sleeping_backend,
    slow_inserts,
    sweep_until_delivered,
    tagged_worker_fixture,  # noqa: F401  (a fixture)
    unacked_messages,
    wait_for,
)
from tests.pipeline_support import submitted_proposal

pytest_plugins = ["tests.celery_worker"]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _flush_broker() -> None:
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    try:
        client.flushdb()
    finally:
        client.close()


def _pending_referrals(count: int, keit) -> tuple[list[Proposal], list[str]]:
    """`count` referrals whose single delivery messages were lost (the broker flushed)."""
    proposals = [submitted_proposal() for _ in range(count)]
    packets = [
        coordination.proposal_refer(proposal_id=p.pk, actor=keit, channel="loan") for p in proposals
    ]
    _flush_broker()
    return proposals, [str(p.pk) for p in packets]


def _states() -> dict[str, int]:
    states: dict[str, int] = {}
    for state in CoordinationPacket.objects.values_list("state", flat=True):
        states[state] = states.get(state, 0) + 1
    return states


def _versions(proposals) -> dict[int, int]:
    return dict(
        Proposal.objects.filter(pk__in=[p.pk for p in proposals]).values_list("pk", "version")
    )


def _log(worker) -> str:
    return worker.log_path.read_text(errors="replace")


RESULT = re.compile(
    r"succeeded in \S+: \{'delivered': (\d+), 'duplicate': (\d+), 'missing': (\d+), "
    r"'failed': (\d+)\}"
)


def _batch_totals(worker) -> tuple[int, int, int, int]:
    """delivered, duplicate, missing, failed over every batch the worker finished."""
    rows = [tuple(map(int, m)) for m in RESULT.findall(_log(worker))]
    return tuple(sum(row[i] for row in rows) for i in range(4))


def _taken_in_once(proposals, versions) -> None:
    referrals = set(
        CoordinationPacket.objects.filter(kind=PacketKind.REFERRAL).values_list("pk", flat=True)
    )
    received = set(
        CoordinationPacket.objects.filter(kind=PacketKind.RECEIVED).values_list("pk", flat=True)
    )
    assert (len(referrals), len(received)) == (len(proposals), len(proposals))
    assert FundInbox.objects.count() == len(proposals)
    assert set(FundInbox.objects.values_list("packet_id", flat=True)) == referrals
    assert KeitInbox.objects.count() == len(proposals)
    assert set(KeitInbox.objects.values_list("packet_id", flat=True)) == received
    assert FundReview.objects.count() == len(proposals)
    assert AuditLog.objects.filter(action="proposal.receive").count() == len(proposals)
    assert {
        p.pk: (p.status, p.stage, p.version)
        for p in Proposal.objects.filter(pk__in=[p.pk for p in proposals])
    } == {pk: ("in_review", "received", version + 1) for pk, version in versions.items()}


def test_a_batch_takes_every_referral_in_and_sends_the_status_packets_back_as_a_batch(
    celery_worker_factory, keit
):
    proposals, ids = _pending_referrals(5, keit)
    versions = _versions(proposals)
    worker = celery_worker_factory()

    deliver_packets.apply_async(args=[ids], queue="coordination")

    wait_for(lambda: _states() == {"delivered": 10}, what="the referrals and the status packets")
    _taken_in_once(proposals, versions)
    log = _log(worker)
    # One message for the five referrals, one for the five `received` packets they wrote.
    assert len(re.findall(r"Task coordination\.deliver_packets\[\S+\] received", log)) == 2
    assert "Task coordination.deliver_packet[" not in log
    assert RESULT.findall(log) == [("5", "0", "0", "0"), ("5", "0", "0", "0")]


def test_the_same_batch_sent_three_times_at_once_takes_each_packet_in_once(
    celery_worker_factory, keit
):
    proposals, ids = _pending_referrals(6, keit)
    versions = _versions(proposals)
    # Given the same batch sent three times (re-sends, a redelivery), in another order too.
    deliver_packets.apply_async(args=[ids], queue="coordination")
    deliver_packets.apply_async(args=[ids[::-1]], queue="coordination")
    deliver_packets.apply_async(args=[[*ids[:3], "not-a-packet"]], queue="coordination")

    # When a worker with two processes works on them side by side.
    worker = celery_worker_factory(concurrency=2)

    wait_for(lambda: _states() == {"delivered": 12}, what="every packet")
    # 15 referral ids sent: 6 taken in, 9 duplicates; then the 6 status packets they wrote.
    wait_for(lambda: _batch_totals(worker) == (12, 9, 1, 0), what="every batch's result")
    _taken_in_once(proposals, versions)


def test_a_packet_whose_intake_fails_holds_back_no_other_in_its_batch(celery_worker_factory, keit):
    _proposals, ids = _pending_referrals(4, keit)
    # Given one referral whose payload cannot be taken in (a score out of range).
    bad = CoordinationPacket.objects.get(pk=ids[1])
    payload = bad.payload
    for match in payload["match_results"]:
        match["score"] = 99_999
    CoordinationPacket.objects.filter(pk=bad.pk).update(payload=payload)
    worker = celery_worker_factory()

    deliver_packets.apply_async(args=[ids], queue="coordination")

    # Then the three others and their status packets are delivered; the bad one waits.
    wait_for(lambda: _states() == {"delivered": 6, "pending": 1}, what="the good packets")
    bad.refresh_from_db()
    assert bad.state == PacketState.PENDING
    assert bad.attempts == 1
    assert "out of range" in bad.last_error
    assert not FundInbox.objects.filter(packet=bad).exists()
    assert not FundReview.objects.filter(proposal_id=bad.proposal_id).exists()
    assert Proposal.objects.get(pk=bad.proposal_id).status == "referred"
    assert {str(pk) for pk in FundInbox.objects.values_list("packet_id", flat=True)} == set(ids) - {
        str(bad.pk)
    }
    # The referral batch: three delivered, one failed; then the three status packets.
    wait_for(lambda: _batch_totals(worker) == (6, 0, 0, 1), what="the batches' results")


def test_killing_the_worker_mid_batch_loses_nothing_and_takes_nothing_in_twice(tagged_worker, keit):
    proposals, ids = _pending_referrals(4, keit)
    versions = _versions(proposals)
    name = "fault-kill-batch"

    with slow_inserts(FundInbox._meta.db_table, seconds=1.0):
        worker = tagged_worker(name)
        deliver_packets.apply_async(args=[ids], queue="coordination")
        # Given a worker inside the batch's transaction, when it is killed (SIGKILL).
        wait_for(lambda: sleeping_backend(name), what="the worker inside the batch")
        worker.kill()
        wait_for(lambda: not backends(name), timeout=10, what="the session to end")

    # Then nothing of the batch was committed, and its message is what the worker left.
    assert _states() == {"pending": 4}
    assert FundInbox.objects.count() == 0
    assert list(unacked_messages().values()) == [("coordination.deliver_packets", [ids])]

    # When a worker runs again and beat's sweep re-sends what is due, everything is in, once.
    worker.start()
    sweep_until_delivered(expected=8)
    _taken_in_once(proposals, versions)
