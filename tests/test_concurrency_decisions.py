"""Many approvals at the same moment against one channel's remaining capacity, through every
door at once (the service, the pipeline page, the API): the channel is never over-committed,
exactly as many win as fit, and every loser is refused with the capacity conflict (409).

Two simultaneous approvals through the service are in tests/test_pipeline_concurrency.py; one
over-capacity page POST and one API call are in tests/test_pipeline_pages.py and
tests/test_api_journey.py. This file adds the crowd and the three doors racing each other.
"""

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alliance.models import Proposal
from fund.capacity.models import Channel, Commitment
from fund.capacity.selectors import channel_capacity
from fund.capacity.services import commitment_create
from fund.review import services as pipeline
from fund.review.models import FundReview
from portal.core.errors import CapacityExceeded
from tests.pipeline_support import in_review, submitted_proposal, walk_to

pytestmark = pytest.mark.django_db(transaction=True)

AMOUNT = 10_000_000_000  # 100억 per approval
DECISIONS = 12
ROOM = 4 * AMOUNT + AMOUNT // 2  # four fit; the fifth would not
DOORS = ("service", "page", "api")


def _client(door: str, kdb, token: str):
    """One client per thread (each request then has its own database connection)."""
    if door == "page":
        client = Client()
        client.force_login(kdb)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # messages in the English msgids
        return client
    if door == "api":
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client
    return None


def _decide(door: str, proposal_id: int, kdb, client) -> tuple[str, object]:
    data = {"decision": "approved", "channel": "loan", "amount_krw": AMOUNT}
    if door == "service":
        try:
            pipeline.proposal_decide(proposal_id=proposal_id, actor=kdb, **data)
        except CapacityExceeded as exc:
            return ("refused", exc.remaining_krw)
        return ("approved", None)
    if door == "page":
        response = client.post(reverse("pipeline:decide", args=[proposal_id]), data)
        if response.status_code == 409:
            return ("refused", response.context["decide_form"].errors["amount_krw"])
        return ("approved" if response.status_code == 302 else response.status_code, None)
    response = client.post(f"/api/v1/proposals/{proposal_id}/decide/", data, format="json")
    if response.status_code == 409:
        body = response.json()
        return ("refused", (body["code"], body["remaining_krw"]))
    return ("approved" if response.status_code == 200 else response.status_code, None)


def test_a_crowd_of_simultaneous_approvals_fills_the_channel_and_no_more(keit, kdb):
    # Given a channel with room for four approvals and twelve proposals at the council.
    loan = Channel.objects.get(code="loan")
    commitment_create(
        channel_code="loan",
        year=2026,
        amount_krw=loan.size_krw - ROOM,
        actor=kdb,
        region="busan",
    )
    proposals = [
        in_review(submitted_proposal(), keit=keit, channel="loan") for _ in range(DECISIONS)
    ]
    for proposal in proposals:
        walk_to(proposal, kdb=kdb, stage="council")
    token = Token.objects.create(user=kdb).key
    doors = [DOORS[i % 3] for i in range(DECISIONS)]
    clients = [_client(door, kdb, token) for door in doors]

    # When all twelve are approved at the same moment, a third through each door.
    outcomes: list = [None] * DECISIONS
    barrier = threading.Barrier(DECISIONS)

    def decide(index: int) -> None:
        try:
            barrier.wait()
            outcomes[index] = _decide(doors[index], proposals[index].pk, kdb, clients[index])
        except Exception as exc:  # asserted below: no other outcome is acceptable
            outcomes[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(DECISIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then exactly four win, whichever door they came through; the channel is full to the won.
    won = [i for i, (result, _detail) in enumerate(outcomes) if result == "approved"]
    lost = [i for i, (result, _detail) in enumerate(outcomes) if result == "refused"]
    assert (len(won), len(lost)) == (4, 8), outcomes
    assert channel_capacity(loan)["remaining_krw"] == AMOUNT // 2
    assert channel_capacity(loan)["committed_krw"] == loan.size_krw - AMOUNT // 2
    assert sorted(
        Commitment.objects.filter(proposal__isnull=False).values_list("proposal_id", flat=True)
    ) == sorted(proposals[i].pk for i in won)
    # Every loser was refused with what was left once the winners had committed: 409 on the
    # page (message on the amount) and in the API (code and remaining amount).
    message = (
        f"The Ultra-low-rate loans channel has {AMOUNT // 2:,} won left; "
        f"{AMOUNT:,} won cannot be committed."
    )
    expected = {
        "service": AMOUNT // 2,
        "page": [message],
        "api": ("capacity_exceeded", AMOUNT // 2),
    }
    assert [outcomes[i][1] for i in lost] == [expected[doors[i]] for i in lost]
    # And nothing of a loser changed: still at the council, undecided.
    assert set(
        Proposal.objects.filter(pk__in=[proposals[i].pk for i in lost]).values_list(
            "status", "stage"
        )
    ) == {("in_review", "council")}
    assert set(
        FundReview.objects.filter(proposal__in=[proposals[i].pk for i in lost]).values_list(
            "stage", "approved_krw"
        )
    ) == {("council", None)}
    assert set(
        Proposal.objects.filter(pk__in=[proposals[i].pk for i in won]).values_list(
            "status", "stage"
        )
    ) == {("decided", "decided")}
