"""Automatic routing through real Celery workers and a real Redis: a submission reaches the
fund's inbox with no hand step, a held proposal stays with KEIT, the daily cap holds under
concurrent scoring, pausing stops routing (also in the middle of a batch), and a worker
killed mid-batch leaves every proposal routed exactly once."""

import datetime
import random
import time

import pytest
from django.utils import timezone

from alliance.models import AuditLog, Proposal
from alliance.proposals import services as proposals
from fund.coordination.models import CoordinationPacket, FundInbox, PacketKind
from fund.review.models import FundReview
from fund.routing import selectors, services
from fund.routing.models import RoutedProposal, RoutingCandidate
from fund.routing.tasks import sweep
from matching import services as matching
from matching.models import MatchResult
from portal.core.queue import task
from tests.factories import ProposalFactory
from tests.fault_support import (
    backends,
    sleeping_backend,
    slow_inserts,
    tagged_worker_fixture,  # noqa: F401  (a fixture)
    unacked_messages,
    wait_for,
)
from tests.routing_support import activate, document

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROUTED_TABLE = RoutedProposal._meta.db_table
SLOW_INSERT = 0.4
MARGIN = 0.1


def _scored(proposal) -> bool:
    return MatchResult.objects.filter(proposal=proposal).count() == 4


def _looked_at(proposal) -> bool:
    """Scored, and the candidate its scoring wrote is gone (routed or held by a worker)."""
    return _scored(proposal) and not RoutingCandidate.objects.filter(pk=proposal.pk).exists()


def _submit(applicant, firm) -> Proposal:
    draft = ProposalFactory(firm=firm, created_by=applicant)
    return proposals.proposal_submit(proposal_id=draft.pk, actor=applicant)


def _waiting_scored(count: int) -> list[Proposal]:
    """Submitted proposals scored in this process while routing is paused (so no worker looks
    at them until it resumes)."""
    made = []
    for _ in range(count):
        proposal = ProposalFactory(status="submitted", submitted_at=timezone.now())
        matching.score_proposal(proposal_id=proposal.pk)
        made.append(proposal)
    return made


def _referrals() -> dict[int, int]:
    counts: dict[int, int] = {}
    for proposal_id in CoordinationPacket.objects.filter(kind=PacketKind.REFERRAL).values_list(
        "proposal_id", flat=True
    ):
        counts[proposal_id] = counts.get(proposal_id, 0) + 1
    return counts


def test_a_submitted_proposal_that_meets_the_policy_reaches_the_fund_inbox_with_no_hand_step(
    celery_worker, keit, applicant, firm
):
    policy = activate(keit)

    proposal = _submit(applicant, firm)

    wait_for(
        lambda: FundInbox.objects.filter(proposal=proposal).exists(),
        what="the referral in the fund's inbox",
    )
    packet = CoordinationPacket.objects.get(proposal=proposal, kind=PacketKind.REFERRAL)
    assert (packet.payload["routing"]["policy_version"], packet.created_by) == (1, None)
    assert packet.payload["routing"]["policy"] == policy.pk
    assert FundReview.objects.get(proposal=proposal).channel == "indirect"
    wait_for(lambda: Proposal.objects.get(pk=proposal.pk).status == "in_review")
    # Every step after the applicant's submission was the system's.
    assert list(
        AuditLog.objects.filter(proposal=proposal).order_by("pk").values_list("action", "actor")
    ) == [
        ("proposal.submit", applicant.pk),
        ("proposal.refer", None),
        ("proposal.receive", None),
    ]
    assert selectors.routing_status(Proposal.objects.get(pk=proposal.pk), applicant)["state"] == (
        "routed"
    )


def test_a_proposal_that_misses_the_policy_stays_with_keit_with_the_reason(
    celery_worker, keit, applicant, firm
):
    activate(keit, document(indirect={"min_score": 80}))

    proposal = _submit(applicant, firm)

    wait_for(lambda: _looked_at(proposal), what="the worker to score and look at it")
    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"
    assert CoordinationPacket.objects.count() == 0
    status = selectors.routing_status(Proposal.objects.get(pk=proposal.pk), keit)
    assert (status["state"], [r["reason_en"] for r in status["reasons"]]) == (
        "held",
        ["Score 73 is below the minimum of 80."],
    )


def test_the_daily_cap_holds_under_concurrent_scoring(celery_worker_factory, keit):
    # Given a cap of 3 on the channel eight submitted proposals fit best, and four workers.
    activate(keit, document(indirect={"daily_cap": 3}))
    waiting = [ProposalFactory(status="submitted", submitted_at=timezone.now()) for _ in range(8)]
    score = task("matching.score_proposal")

    # Each referral holds its transaction open a while, so the workers' referrals overlap.
    with slow_inserts(ROUTED_TABLE, seconds=0.3):
        celery_worker_factory(concurrency=4)
        # When all eight are scored at once.
        for proposal in waiting:
            score.apply_async(args=[proposal.pk], queue="scoring")
        wait_for(lambda: all(_looked_at(p) or _capped(p) for p in waiting), timeout=60)

    # Then exactly three were routed today; the other five wait for tomorrow.
    assert RoutedProposal.objects.filter(channel="indirect").count() == 3
    assert sorted(_referrals().values()) == [1, 1, 1]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    candidates = RoutingCandidate.objects.all()
    assert candidates.count() == 5
    assert {timezone.localdate(c.due_at) for c in candidates} == {tomorrow}


def _capped(proposal) -> bool:
    candidate = RoutingCandidate.objects.filter(pk=proposal.pk).first()
    return candidate is not None and candidate.due_at > timezone.now() + datetime.timedelta(
        minutes=1
    )


def test_pausing_stops_routing_and_resuming_routes_what_waited(
    celery_worker, keit, applicant, firm
):
    activate(keit)
    services.routing_pause(actor=keit)

    proposal = _submit(applicant, firm)
    wait_for(lambda: _scored(proposal), what="the score")
    time.sleep(1.0)  # time enough for any routing message there might have been

    assert Proposal.objects.get(pk=proposal.pk).status == "submitted"
    assert RoutingCandidate.objects.count() == 0
    assert CoordinationPacket.objects.count() == 0

    services.routing_resume(actor=keit)

    wait_for(lambda: FundInbox.objects.filter(proposal=proposal).exists(), what="the inbox")
    assert RoutedProposal.objects.filter(pk=proposal.pk).count() == 1


def test_pausing_while_a_batch_runs_stops_its_remaining_referrals(celery_worker, keit):
    activate(keit)
    services.routing_pause(actor=keit)
    waiting = _waiting_scored(6)

    with slow_inserts(ROUTED_TABLE, seconds=0.5):
        # One message carries all six (the resume's); each referral takes half a second.
        services.routing_resume(actor=keit)
        wait_for(lambda: RoutedProposal.objects.count() >= 2, what="two referrals")
        # The pause waits for the referral in flight, and no referral follows it.
        services.routing_pause(actor=keit)
        routed = RoutedProposal.objects.count()
        time.sleep(1.5)

    assert 2 <= routed < 6
    assert RoutedProposal.objects.count() == routed
    assert RoutingCandidate.objects.count() == 6 - routed
    assert Proposal.objects.filter(status="submitted").count() == 6 - routed

    services.routing_resume(actor=keit)

    wait_for(lambda: RoutedProposal.objects.count() == 6, what="the rest after resuming")
    assert _referrals() == {p.pk: 1 for p in waiting}


KILLS = 3


def test_a_worker_killed_mid_batch_leaves_every_proposal_routed_exactly_once(tagged_worker, keit):
    seed = random.randrange(2**32)
    print(f"random seed {seed}")  # shown with the failure, to replay the same kill times
    rng = random.Random(seed)
    activate(keit)
    services.routing_pause(actor=keit)
    waiting = _waiting_scored(10)
    name = "fault-kill-routing"
    seen: set = set()

    with slow_inserts(ROUTED_TABLE, seconds=SLOW_INSERT):
        services.routing_resume(actor=keit)  # one message with the ten ids, sent now
        worker = tagged_worker(name)
        for _ in range(KILLS):
            # When the worker is killed while a referral of the batch is inside its transaction.
            while True:
                wait_for(lambda: sleeping_backend(name), what="a referral in its transaction")
                time.sleep(rng.uniform(0.0, SLOW_INSERT / 4))
                if sleeping_backend(name, within=SLOW_INSERT - MARGIN):
                    worker.kill()
                    break
            wait_for(lambda: not backends(name), timeout=10, what="the session to end")
            left = {tag: m for tag, m in unacked_messages().items() if tag not in seen}
            seen.update(left)
            # Then the message it held stays unacknowledged, and the referral it was writing
            # is gone with its transaction: every routed proposal has its one packet.
            ((held, _args),) = left.values()
            assert held in ("routing.route_proposals", "routing.sweep"), seed
            routed = set(RoutedProposal.objects.values_list("pk", flat=True))
            assert set(_referrals()) == routed, seed
            assert RoutingCandidate.objects.count() == 10 - len(routed), seed
            worker.start()
            # The next run (the sweep, as beat sends it) picks up where the last one stopped.
            RoutingCandidate.objects.update(due_at=timezone.now() - datetime.timedelta(minutes=5))
            sweep.apply_async(queue="coordination")

    wait_for(lambda: RoutedProposal.objects.count() == 10, timeout=60, what="every referral")
    assert _referrals() == {p.pk: 1 for p in waiting}
    assert AuditLog.objects.filter(action="proposal.refer").count() == 10
    assert RoutingCandidate.objects.count() == 0
    assert Proposal.objects.filter(status="submitted").count() == 0
