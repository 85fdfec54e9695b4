"""Scoring and rescoring through a real Celery worker on the `scoring` queue."""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from alliance.proposals import services as alliance_services
from matching import selectors, services
from matching.models import MatchResult, RescoreRun
from tests.factories import ProposalFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the worker did not finish in time")


def test_submitting_a_proposal_stores_four_results_from_a_worker(celery_worker, draft, applicant):
    # When the applicant submits (proposal_submit schedules scoring on commit)
    with transaction.atomic():
        alliance_services.proposal_submit(proposal_id=draft.pk, actor=applicant)

    # Then the worker stores the four hand-worked results (see test_matching_rules).
    _wait_for(lambda: MatchResult.objects.filter(proposal=draft).count() == 4)
    assert sorted(
        MatchResult.objects.filter(proposal=draft).values_list("channel", "eligible", "score")
    ) == [("direct", False, 59), ("indirect", True, 73), ("infra", False, 62), ("loan", True, 61)]


def test_duplicate_delivery_through_the_worker_changes_nothing(celery_worker):
    proposal = ProposalFactory(status="submitted")
    services.schedule_scoring(proposal_id=proposal.pk)  # autocommit: sent at once
    _wait_for(lambda: MatchResult.objects.filter(proposal=proposal).count() == 4)
    first = list(MatchResult.objects.order_by("id").values())

    # When the same message is delivered again, followed by a rescore we can wait for.
    services.schedule_scoring(proposal_id=proposal.pk)
    run = services.rescore_start(rule_set=selectors.active_rule_set(), batch_size=10)
    _wait_for(lambda: RescoreRun.objects.get(pk=run.pk).finished_at)

    assert list(MatchResult.objects.order_by("id").values()) == first


def test_rescore_resumes_without_redoing_finished_batches(celery_worker):
    # Given six proposals in three batches of two, the first recorded as done before a crash.
    proposals = ProposalFactory.create_batch(6, status="submitted")
    run = services.rescore_start(rule_set=selectors.active_rule_set(), batch_size=2, enqueue=False)
    done = run.batches.get(index=0)
    done.done_at = timezone.now()
    done.save()

    # When the rescore is resumed.
    with transaction.atomic():
        sent = services.rescore_enqueue(run=run)

    # Then only the two unfinished batches ran: the first batch's proposals got no new rows.
    _wait_for(lambda: RescoreRun.objects.get(pk=run.pk).finished_at)
    assert sent == 2
    scored = set(MatchResult.objects.values_list("proposal_id", flat=True))
    assert scored == {p.pk for p in proposals[2:]}
    assert MatchResult.objects.count() == 16


def test_a_commitment_that_exhausts_a_channel_flips_the_results_that_no_longer_fit(
    celery_worker, kdb
):
    from fund.capacity.models import Channel
    from fund.capacity.selectors import channel_capacity
    from fund.capacity.services import commitment_create
    from tests.pipeline_support import submitted_proposal

    waiting = submitted_proposal()
    assert MatchResult.objects.get(proposal=waiting, channel="loan").eligible is True
    loan = Channel.objects.get(code="loan")
    left = channel_capacity(loan)["remaining_krw"]

    # When a decision commits all but less than the proposal asks for
    with transaction.atomic():
        commitment_create(
            channel_code="loan",
            year=2026,
            amount_krw=left - waiting.requested_krw + 1,
            actor=kdb,
            region="seoul",
        )

    # Then a worker rescores the pipeline against the new capacity: the loan no longer fits.
    _wait_for(lambda: RescoreRun.objects.filter(finished_at__isnull=False).exists(), timeout=60)
    result = MatchResult.objects.get(proposal=waiting, channel="loan")
    assert result.eligible is False
    assert [c["rule"] for c in result.checks if not c["passed"]] == ["capacity_remaining"]
    # The other channels' results stand.
    assert MatchResult.objects.get(proposal=waiting, channel="indirect").eligible is True
