"""SIGKILL a real worker in the middle of its work, again and again: nothing lost, nothing twice.

Each kill lands while the worker is inside its transaction with rows written but not
committed: inserts into the target tables are slowed (tests.fault_support.slow_inserts) and
the kill comes at a random moment of that window. Each test runs on both brokers:
- Redis: the message the worker held stays unacknowledged for kombu's visibility timeout (an
  hour), so recovery is the product's own path: a resumed rescore (`manage.py rescore
  --workers`) and the outbox sweep.
- RabbitMQ (durable queues): the broker puts the message back on its queue the moment the
  worker's connection dies, and the restarted worker takes it again; it must still take
  nothing in twice.
"""

import io
import random
import time

import pytest
from django.core.management import call_command
from django.db import transaction

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
from matching import selectors, services
from matching.models import MatchResult, RescoreBatch, RescoreRun
from portal.celery import app as celery_app
from portal.core.vocabulary import ChannelCode
from tests.fault_support import (
    Broker,
    backends,
    broker_fixture,  # noqa: F401  (a fixture)
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

KILLS = 5
SLOW_INSERT = 0.4  # seconds a worker spends inside its transaction after writing rows
MARGIN = 0.1  # a kill comes at least this long before the slowed insert would return


def _kill_in_the_middle(
    worker, application_name: str, rng: random.Random, seen: set, broker: Broker, queue: str
) -> list:
    """SIGKILL the worker at a random moment while it holds uncommitted rows; return what it
    was working on, as (task name, args).

    Redis: the messages the kill left unacknowledged (`seen` holds the delivery tags earlier
    kills left behind; they stay in Redis until the visibility timeout). RabbitMQ: the task
    the worker reported running just before the kill, whose message must then be back on
    `queue` (one more message waiting than before the kill)."""
    while True:
        wait_for(
            lambda: sleeping_backend(application_name),
            what="the worker to be inside its transaction",
        )
        running = _running(worker, broker)
        time.sleep(rng.uniform(0.0, SLOW_INSERT / 4))
        # Kill only with time to spare before the insert returns (a loaded machine can make
        # the random wait overshoot); otherwise wait for the worker's next transaction. On
        # RabbitMQ the task must still be the one reported before the wait: one that finished
        # meanwhile would be named for a batch the kill never touched.
        if sleeping_backend(application_name, within=SLOW_INSERT - MARGIN) and (
            not broker.durable
            or (len(running) == 1 and _ids(_running(worker, broker)) == _ids(running))
        ):
            waiting = broker.ready(queue) if broker.durable else 0
            worker.kill()
            break
    # PostgreSQL rolls the dead client's transaction back when it notices the closed socket.
    wait_for(lambda: not backends(application_name), timeout=10, what="the session to end")
    if broker.durable:
        wait_for(
            lambda: broker.ready(queue) == waiting + 1,
            timeout=10,
            what="RabbitMQ to put the killed worker's message back",
        )
        return [(task["name"], list(task["args"])) for task in running]
    left = {tag: m for tag, m in unacked_messages().items() if tag not in seen}
    seen.update(left)
    return list(left.values())


def _running(worker, broker) -> list:
    """The tasks the worker reports running (RabbitMQ only; Redis answers from its unacked
    set after the kill)."""
    if not broker.durable:
        return []
    active = celery_app.control.inspect([worker.hostname], timeout=1, limit=1).active()
    return (active or {}).get(worker.hostname, [])


def _ids(tasks: list) -> list:
    return [task["id"] for task in tasks]


def test_killing_the_worker_mid_rescore_batch_loses_and_duplicates_no_result(tagged_worker, broker):
    seed = random.randrange(2**32)
    print(f"random seed {seed}")  # shown with the failure, to replay the same kill times
    rng = random.Random(seed)
    # Given a few thousand submitted proposals and a rescore in batches of 120.
    call_command("generate_proposals", "--count", "2400", "--seed", "11", stdout=io.StringIO())
    rule_set = selectors.active_rule_set()
    scoreable = set(selectors.scoreable_proposals().values_list("pk", flat=True))
    assert len(scoreable) == 2400
    name = "fault-kill-rescore"
    lost_batches, seen = [], set()

    with slow_inserts(MatchResult._meta.db_table, seconds=SLOW_INSERT):
        run = services.rescore_start(rule_set=rule_set, batch_size=120)  # autocommit: sent now
        worker = tagged_worker(name, broker=broker.url)
        # When the worker is killed five times in the middle of a batch.
        for _ in range(KILLS):
            (task, args), *others = _kill_in_the_middle(worker, name, rng, seen, broker, "scoring")
            assert (task, others) == ("matching.rescore_batch", []), seed
            batch = RescoreBatch.objects.get(pk=args[0])
            # Killed mid-batch: none of that batch's scores were committed.
            assert batch.done_at is None, seed
            assert not MatchResult.objects.filter(
                proposal_id__gte=batch.first_id, proposal_id__lte=batch.last_id
            ).exists(), seed
            lost_batches.append(batch.pk)
            worker.start()

    # Then resuming the run (what `manage.py rescore --workers` does) finishes it.
    with transaction.atomic():
        services.rescore_enqueue(run=run)
    wait_for(lambda: RescoreRun.objects.get(pk=run.pk).finished_at, timeout=60, what="the run")

    # Redis sets each lost message aside, so every kill hits another batch; RabbitMQ hands the
    # same batch straight back, so a later kill may land on it again.
    assert len(set(lost_batches)) == KILLS if not broker.durable else len(lost_batches) == KILLS
    assert RescoreBatch.objects.filter(run=run, done_at__isnull=True).count() == 0
    results = MatchResult.objects.filter(rule_set=rule_set)
    assert results.count() == 2400 * 4
    assert set(results.values_list("proposal_id", "channel_id")) == {
        (pk, channel) for pk in scoreable for channel in ChannelCode.values
    }
    # Every stored result is the one its inputs give: scoring everything again changes nothing.
    assert services.score_proposals(queryset=Proposal.objects.all(), rule_set=rule_set) == 0


def test_killing_the_worker_mid_delivery_takes_every_packet_in_exactly_once(
    tagged_worker, keit, broker
):
    seed = random.randrange(2**32)
    print(f"random seed {seed}")
    rng = random.Random(seed)
    # Given twelve referrals waiting in the broker (each delivery writes a `received` packet).
    proposals = [submitted_proposal() for _ in range(12)]
    versions = {p.pk: Proposal.objects.get(pk=p.pk).version for p in proposals}
    for proposal in proposals:
        coordination.proposal_refer(proposal_id=proposal.pk, actor=keit, channel="loan")
    name = "fault-kill-delivery"
    lost_packets, seen = [], set()

    with slow_inserts(FundInbox._meta.db_table, KeitInbox._meta.db_table, seconds=SLOW_INSERT):
        worker = tagged_worker(name, broker=broker.url)
        # When the worker is killed five times in the middle of a delivery.
        for _ in range(KILLS):
            (task, args), *others = _kill_in_the_middle(
                worker, name, rng, seen, broker, "coordination"
            )
            assert (task, others) == ("coordination.deliver_packet", []), seed
            packet = CoordinationPacket.objects.get(pk=args[0])
            # Killed mid-delivery: the inbox row it had written was rolled back.
            assert packet.state == PacketState.PENDING, seed
            assert not FundInbox.objects.filter(packet=packet).exists(), seed
            assert not KeitInbox.objects.filter(packet=packet).exists(), seed
            lost_packets.append(packet.pk)
            worker.start()

    # Then what the killed workers held comes back (RabbitMQ: by itself, without a sweep;
    # Redis: the sweep re-sends it), and everything is in, once.
    if broker.durable:
        wait_for(
            lambda: CoordinationPacket.objects.filter(state=PacketState.DELIVERED).count() == 24,
            timeout=60,
            what="RabbitMQ's redelivery of every packet",
        )
    sweeps = sweep_until_delivered(expected=24)
    assert sweeps == 0 if broker.durable else sweeps >= 1

    assert len(set(lost_packets)) == KILLS if not broker.durable else len(lost_packets) == KILLS
    referrals = set(
        CoordinationPacket.objects.filter(kind=PacketKind.REFERRAL).values_list("pk", flat=True)
    )
    received = set(
        CoordinationPacket.objects.filter(kind=PacketKind.RECEIVED).values_list("pk", flat=True)
    )
    assert (len(referrals), len(received)) == (12, 12)
    assert FundInbox.objects.count() == 12
    assert set(FundInbox.objects.values_list("packet_id", flat=True)) == referrals
    assert KeitInbox.objects.count() == 12
    assert set(KeitInbox.objects.values_list("packet_id", flat=True)) == received
    # Each referral was taken in once: one review, one receipt, one version step per proposal.
    assert FundReview.objects.count() == 12
    assert AuditLog.objects.filter(action="proposal.receive").count() == 12
    assert {
        p.pk: (p.status, p.stage, p.version) for p in Proposal.objects.filter(pk__in=versions)
    } == {pk: ("in_review", "received", version + 2) for pk, version in versions.items()}
