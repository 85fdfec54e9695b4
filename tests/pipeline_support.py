"""Helpers shared by the coordination and pipeline tests: scored proposals, walked stages."""

from __future__ import annotations

import time

from django.conf import settings

from fund.coordination import services as coordination
from fund.coordination.models import CoordinationPacket, PacketKind
from fund.review import services as pipeline
from matching import services as matching_services
from portal.core.vocabulary import ProposalStatus
from tests.factories import ProposalFactory

STAGES_TO_COUNCIL = ("prescreen", "committee", "council")


def submitted_proposal(**fields):
    """A submitted proposal with its four match results (best: indirect, 73)."""
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED, **fields)
    matching_services.score_proposal(proposal_id=proposal.pk)
    return proposal


def referral_of(proposal) -> CoordinationPacket:
    return CoordinationPacket.objects.get(proposal=proposal, kind=PacketKind.REFERRAL)


def in_review(proposal, *, keit, channel: str = ""):
    """Refer `proposal` and take the referral in, in-process (no worker): stage `received`."""
    packet = coordination.proposal_refer(
        proposal_id=proposal.pk, actor=keit, note="추천", channel=channel
    )
    coordination.packet_deliver(packet_id=packet.pk)
    return proposal


def walk_to(proposal, *, kdb, stage: str) -> None:
    for step in STAGES_TO_COUNCIL:
        pipeline.proposal_advance(proposal_id=proposal.pk, actor=kdb, stage=step)
        if step == stage:
            return


def wait_for(condition, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the condition did not hold in time")


def at_stage(*, keit, kdb, stage: str, channel: str = "loan", **fields):
    """A proposal in the fund's pipeline at `stage` (received, prescreen, committee, council)."""
    proposal = in_review(submitted_proposal(**fields), keit=keit, channel=channel)
    if stage != "received":
        walk_to(proposal, kdb=kdb, stage=stage)
    return proposal


def meeting_of(*, kdb, body: str = "committee", **fields):
    """A committee (or council) meeting a week from now, 14:00 Korean time."""
    import datetime

    from django.utils import timezone

    meets_at = (timezone.localtime() + datetime.timedelta(days=7)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    return pipeline.committee_meeting_create(
        actor=kdb, body=body, meets_at=fields.pop("meets_at", meets_at), **fields
    )


def signed_in(client, user, language: str = "en"):
    """`client` signed in as `user`; pages in English, so messages are asserted as msgids."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client
