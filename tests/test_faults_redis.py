"""Redis loses what it held while referrals are in flight: flushed, then crashed and restarted
empty. PostgreSQL holds the outbox, so the sweep sends again what Redis forgot, and every packet
is taken in exactly once.

The test runs its own redis-server (tests.fault_support.ThrowawayRedis) on a free port; the
shared Redis that other tests use is never touched.
"""

import pytest

from alliance.models import AuditLog, Proposal
from fund.coordination import services as coordination
from fund.coordination.models import (
    CoordinationPacket,
    FundInbox,
    KeitInbox,
    PacketKind,
    PacketState,
)
from fund.review.models import FundReview
from portal.celery import app as celery_app
from tests.fault_support import (
    broker_url,
    reset_broker_connections,
    sleeping_backend,
    slow_inserts,
    sweep_until_delivered,
    tagged_worker_fixture,  # noqa: F401  (a fixture)
    throwaway_redis_fixture,  # noqa: F401  (a fixture)
    wait_for,
)
from tests.pipeline_support import submitted_proposal

pytest_plugins = ["tests.celery_worker"]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SLOW_INTAKE = 2.0  # the referral being taken in stays open this long: time to fill the queue


def _refer(proposal, keit) -> CoordinationPacket:
    return coordination.proposal_refer(proposal_id=proposal.pk, actor=keit, channel="loan")


def _state(packet) -> str:
    return CoordinationPacket.objects.get(pk=packet.pk).state


def _received(proposal) -> CoordinationPacket:
    return CoordinationPacket.objects.get(kind=PacketKind.RECEIVED, proposal=proposal)


def test_referrals_in_flight_survive_a_redis_flush_and_a_redis_crash(
    tagged_worker, throwaway_redis, keit
):
    proposals = [submitted_proposal() for _ in range(10)]
    name = "fault-redis"

    with broker_url(throwaway_redis.url()):
        with slow_inserts(FundInbox._meta.db_table, seconds=SLOW_INTAKE):
            worker = tagged_worker(name, broker=throwaway_redis.url())

            # Given one referral being taken in and five queued behind it, when Redis is
            # flushed.
            first = _refer(proposals[0], keit)
            wait_for(lambda: sleeping_backend(name), what="the first intake")
            queued = [_refer(p, keit) for p in proposals[1:6]]
            throwaway_redis.flushall()
            # (The intake finishes; its `received` packet is sent after the flush.)
            wait_for(lambda: _state(first) == PacketState.DELIVERED, what="the first intake")
            wait_for(lambda: _state(_received(proposals[0])) == PacketState.DELIVERED)

            # Given one more being taken in and two queued, when Redis crashes; while it is
            # down one more referral is made, and the intake finishes (neither this referral
            # nor the intake's `received` packet can be sent).
            seventh = _refer(proposals[6], keit)
            wait_for(lambda: sleeping_backend(name), what="the seventh intake")
            queued += [_refer(p, keit) for p in proposals[7:9]]
            throwaway_redis.crash()
            while_down = _refer(proposals[9], keit)
            wait_for(lambda: _state(seventh) == PacketState.DELIVERED, what="the seventh intake")

        # Then PostgreSQL holds, as pending, exactly what Redis lost or never got.
        assert set(
            CoordinationPacket.objects.filter(state=PacketState.PENDING).values_list(
                "pk", flat=True
            )
        ) == {p.pk for p in [*queued, while_down, _received(proposals[6])]}

        # When Redis comes back empty, the worker reconnects by itself, and beat's sweep runs.
        throwaway_redis.start()
        reset_broker_connections()
        wait_for(
            lambda: celery_app.control.ping(destination=[worker.hostname], timeout=0.5),
            what="the worker to reconnect",
        )
        sweep_until_delivered(expected=20)

    # Then every packet was taken in exactly once, by the worker that rode out the crash.
    assert worker.alive
    referrals = set(
        CoordinationPacket.objects.filter(kind=PacketKind.REFERRAL).values_list("pk", flat=True)
    )
    received = set(
        CoordinationPacket.objects.filter(kind=PacketKind.RECEIVED).values_list("pk", flat=True)
    )
    assert (len(referrals), len(received)) == (10, 10)
    assert set(FundInbox.objects.values_list("packet_id", flat=True)) == referrals
    assert FundInbox.objects.count() == 10
    assert set(KeitInbox.objects.values_list("packet_id", flat=True)) == received
    assert KeitInbox.objects.count() == 10
    assert FundReview.objects.count() == 10
    assert AuditLog.objects.filter(action="proposal.receive").count() == 10
    assert set(
        Proposal.objects.filter(pk__in=[p.pk for p in proposals]).values_list("status", "stage")
    ) == {("in_review", "received")}
