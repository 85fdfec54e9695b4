"""KEIT's bulk referral sends its packets as batch messages (DELIVERY_BATCH ids each) once the
referrals have committed, not one message per referral; a real worker takes every one in."""

import base64
import json

import pytest
import redis

from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket, FundInbox, PacketKind, PacketState
from portal.celery import app as celery_app
from tests.factories import ProposalFactory
from tests.fault_support import wait_for
from tests.pipeline_support import submitted_proposal

pytest_plugins = ["tests.celery_worker"]

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _queued(queue: str) -> list[tuple[str, list]]:
    """The messages waiting in `queue` of the test broker (Redis): (task name, first arg)."""
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    try:
        raw = client.lrange(queue, 0, -1)
    finally:
        client.close()
    messages = []
    for value in reversed(raw):  # kombu pushes on the left: oldest last
        payload = json.loads(value)
        body = payload["body"]
        if payload["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        messages.append((payload["headers"]["task"], json.loads(body)[0][0]))
    return messages


def test_a_bulk_referral_is_sent_in_batch_messages_and_delivered_once(celery_worker_factory, keit):
    # Given 101 submitted proposals and a draft among the ticked ones (refused).
    ready = [submitted_proposal() for _ in range(coordination.DELIVERY_BATCH + 1)]
    draft = ProposalFactory()
    ticked = [p.pk for p in ready[:50]] + [draft.pk] + [p.pk for p in ready[50:]]

    # When KEIT refers them all at once.
    packets, refused = coordination.proposal_refer_many(
        proposal_ids=ticked, actor=keit, note="일괄"
    )

    # Then two batch messages wait (100 ids, then 1), naming exactly the committed packets.
    assert list(refused) == [draft.pk]
    ids = [str(p.pk) for p in packets]
    assert len(ids) == coordination.DELIVERY_BATCH + 1
    assert _queued("coordination") == [
        ("coordination.deliver_packets", ids[: coordination.DELIVERY_BATCH]),
        ("coordination.deliver_packets", ids[coordination.DELIVERY_BATCH :]),
    ]

    # And a worker takes each referral in once (each intake sends its receipt back too).
    celery_worker_factory()
    wait_for(
        lambda: (
            not CoordinationPacket.objects.filter(state=PacketState.PENDING).exists()
            and CoordinationPacket.objects.filter(kind=PacketKind.RECEIVED).count() == len(ids)
        ),
        timeout=60,
        what="every referral and receipt delivered",
    )
    assert sorted(str(pk) for pk in FundInbox.objects.values_list("packet_id", flat=True)) == (
        sorted(ids)
    )
    assert not CoordinationPacket.objects.filter(attempts__gt=1).exists()
