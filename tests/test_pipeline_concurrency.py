"""Two decisions at the same moment against one channel: never over capacity, loser refused."""

import threading

import pytest
from django.db import connection

from alliance.models import Proposal
from fund.capacity.models import Channel, Commitment
from fund.capacity.selectors import channel_capacity
from fund.capacity.services import commitment_create
from fund.review import services as pipeline
from fund.review.models import FundReview
from portal.core.errors import CapacityExceeded
from tests.pipeline_support import in_review, submitted_proposal, walk_to

pytestmark = pytest.mark.django_db(transaction=True)

AMOUNT = 50_000_000_000  # each proposal's whole request


def _decide_together(proposals, kdb) -> list:
    barrier = threading.Barrier(len(proposals))
    outcomes = [None] * len(proposals)

    def decide(index, proposal):
        try:
            barrier.wait()
            pipeline.proposal_decide(
                proposal_id=proposal.pk,
                actor=kdb,
                decision="approved",
                channel="loan",
                amount_krw=AMOUNT,
            )
            outcomes[index] = "approved"
        except CapacityExceeded as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(i, p)) for i, p in enumerate(proposals)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_concurrent_approvals_never_over_commit_a_channel(keit, kdb):
    # Given a channel with room for one of two approvals.
    loan = Channel.objects.get(code="loan")
    commitment_create(
        channel_code="loan",
        year=2026,
        amount_krw=loan.size_krw - AMOUNT - 10_000_000_000,
        actor=kdb,
        region="busan",
    )
    proposals = [in_review(submitted_proposal(), keit=keit, channel="loan") for _ in range(2)]
    for proposal in proposals:
        walk_to(proposal, kdb=kdb, stage="council")

    # When both are approved at the same moment.
    outcomes = _decide_together(proposals, kdb)

    # Then exactly one wins; the other is refused with the remaining capacity, unchanged.
    assert sorted(o if o == "approved" else "refused" for o in outcomes) == [
        "approved",
        "refused",
    ]
    loser = proposals[outcomes.index(next(o for o in outcomes if o != "approved"))]
    refusal = next(o for o in outcomes if o != "approved")
    assert refusal.remaining_krw == 10_000_000_000
    assert channel_capacity(loan)["remaining_krw"] == 10_000_000_000
    assert Commitment.objects.filter(proposal__isnull=False).count() == 1
    assert Proposal.objects.get(pk=loser.pk).status == "in_review"
    assert FundReview.objects.get(proposal=loser).stage == "council"
