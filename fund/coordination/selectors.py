"""Reads of the coordination queue: KEIT's screening inbox and the packets both sides see."""

from __future__ import annotations

import re

from django.db.models import Count, QuerySet
from django.http import Http404

from alliance.models import Proposal, User
from alliance.proposals.selectors import (
    proposal_get_for_user,
    proposals_filtered,
    proposals_visible_to,
)
from fund.coordination.models import CoordinationPacket
from fund.coordination.permissions import can_screen, can_see_queue
from fund.coordination.services import PacketNotFound, packet_get
from fund.ministry.selectors import with_recommended
from matching.selectors import active_rule_set, proposals_with_best_match
from portal.core.vocabulary import ProposalStatus


def screening_queryset(user: User, filters: dict) -> QuerySet[Proposal]:
    """Submitted proposals with their best eligible channel and score under the active rules,
    filtered; best score first, then the oldest submission (first come, first screened)."""
    if not can_screen(user):
        return Proposal.objects.none()
    qs = proposals_visible_to(user).filter(status=ProposalStatus.SUBMITTED)
    qs = proposals_filtered(qs, filters)
    # The same ranking as KEIT's list of every proposal.
    # Each with `recommended`: 산업부 recommended it to the fund (a subquery, no extra query).
    return with_recommended(
        proposals_with_best_match(
            qs, filters=filters, sort="score_fifo", rule_set=active_rule_set()
        )
    )


def screening_get(user: User, pk) -> Proposal:
    """One proposal for KEIT's screening page (any status, so a referred one still opens)."""
    if not can_screen(user):
        raise Http404
    return proposal_get_for_user(user, pk)


PACKETS_PER_PAGE = 50
SEQUENCE_CURSOR = re.compile(r"[0-9]{1,18}")


def packets_visible_to(user: User) -> QuerySet[CoordinationPacket]:
    """Every packet for either secretariat (SPEC §3.5); none for anyone else."""
    if not can_see_queue(user):
        return CoordinationPacket.objects.none()
    return CoordinationPacket.objects.select_related("proposal", "proposal__firm")


def packet_page(user: User, filters: dict, before: str | None) -> tuple[list, int | None]:
    """One page of packets, newest first, and the cursor of the next page (or None)."""
    qs = packets_visible_to(user)
    for field in ("direction", "kind", "state"):
        if field in filters:
            qs = qs.filter(**{field: filters[field]})
    if "proposal" in filters:
        qs = qs.filter(proposal_id=filters["proposal"])
    if before and SEQUENCE_CURSOR.fullmatch(before):
        qs = qs.filter(sequence__lt=int(before))
    rows = list(qs.order_by("-sequence")[: PACKETS_PER_PAGE + 1])
    more = len(rows) > PACKETS_PER_PAGE
    rows = rows[:PACKETS_PER_PAGE]
    return rows, (rows[-1].sequence if more else None)


def packet_state_counts(user: User) -> dict[str, int]:
    qs = packets_visible_to(user).order_by()
    return dict(qs.values_list("state").annotate(n=Count("pk")))


def packet_get_for_user(user: User, pk) -> CoordinationPacket:
    """The packet, or 404 for an unknown id or a user who may not see the queue."""
    if not can_see_queue(user):
        raise Http404
    try:
        return packet_get(pk)
    except PacketNotFound as exc:
        raise Http404 from exc


def proposal_packets(proposal: Proposal) -> QuerySet[CoordinationPacket]:
    return CoordinationPacket.objects.filter(proposal=proposal).order_by("sequence")
