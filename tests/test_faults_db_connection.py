"""The worker's PostgreSQL connection is terminated (pg_terminate_backend) in the middle of a
task: the task fails with OperationalError, Celery retries it (autoretry_for), and the retry
completes the work exactly once, without waiting for any sweep."""

import re

import pytest

from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket, FundInbox, PacketState
from fund.review.models import FundReview
from matching import selectors, services
from matching.models import MatchResult, RescoreBatch, RescoreRun
from tests.factories import ProposalFactory
from tests.fault_support import (
    sleeping_backend,
    slow_inserts,
    tagged_worker_fixture,  # noqa: F401  (a fixture)
    terminate_backend,
    wait_for,
)
from tests.pipeline_support import submitted_proposal

pytest_plugins = ["tests.celery_worker"]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# The reason Celery logs for a retry: "... retry: Retry in 2s: OperationalError('...')".
RETRIED = r"Task {}\[[^\]]+\] retry: Retry in \S+: (\w+)\("


def _log(worker) -> str:
    return worker.log_path.read_text(errors="replace")


def test_a_rescore_batch_whose_connection_is_terminated_is_retried_and_completes(tagged_worker):
    ProposalFactory.create_batch(40, status="submitted")
    rule_set = selectors.active_rule_set()
    worker = tagged_worker("fault-terminate-rescore")

    # Given a worker in the middle of a batch: its 160 results are written, not committed.
    with slow_inserts(MatchResult._meta.db_table, seconds=2.0):
        run = services.rescore_start(rule_set=rule_set, batch_size=100)
        backend = wait_for(lambda: sleeping_backend("fault-terminate-rescore"), what="the batch")
        # When its database connection is terminated.
        assert terminate_backend(backend["pid"]) is True

    # Then the task is retried once and the batch is done, each result stored once.
    wait_for(lambda: RescoreRun.objects.get(pk=run.pk).finished_at, what="the rescore")
    log = _log(worker)
    assert re.findall(RETRIED.format(r"matching\.rescore_batch"), log) == ["OperationalError"]
    assert re.findall(r"Task matching\.rescore_batch\[[^\]]+\] succeeded in \S+ (\w+)", log) == [
        "True"
    ]
    assert RescoreBatch.objects.get(run=run).done_at is not None
    assert MatchResult.objects.filter(rule_set=rule_set).count() == 160
    assert worker.alive


def test_a_delivery_whose_connection_is_terminated_is_retried_and_delivers_once(
    tagged_worker, keit
):
    proposal = submitted_proposal()
    worker = tagged_worker("fault-terminate-delivery")

    # Given a worker in the middle of taking a referral in: its inbox row is written.
    with slow_inserts(FundInbox._meta.db_table, seconds=2.0):
        packet = coordination.proposal_refer(proposal_id=proposal.pk, actor=keit, channel="loan")
        backend = wait_for(lambda: sleeping_backend("fault-terminate-delivery"), what="delivery")
        # When its database connection is terminated.
        assert terminate_backend(backend["pid"]) is True

    # Then the task's own retry delivers it (one attempt: no sweep was needed), once.
    wait_for(
        lambda: CoordinationPacket.objects.get(pk=packet.pk).state == PacketState.DELIVERED,
        what="the delivery",
    )
    log = _log(worker)
    assert re.findall(RETRIED.format(r"coordination\.deliver_packet"), log) == ["OperationalError"]
    assert CoordinationPacket.objects.get(pk=packet.pk).attempts == 1
    assert list(FundInbox.objects.values_list("packet_id", flat=True)) == [packet.pk]
    assert FundReview.objects.filter(proposal=proposal).count() == 1
    proposal.refresh_from_db()
    assert (proposal.status, proposal.stage) == ("in_review", "received")
    assert worker.alive
