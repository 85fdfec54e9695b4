"""Writes to the fund's capacity ledger."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from alliance.audit import audit_record
from alliance.models import Proposal, User
from fund.capacity.models import (
    LEDGER_YEARS,
    LIVE_AMOUNT,
    RELEASE_REASON_MAX,
    Channel,
    Commitment,
    CommitmentRelease,
)
from portal.core import aggregate_cache, signals
from portal.core.errors import CapacityExceeded
from portal.core.vocabulary import FUND_SIZE_KRW, Region


def commitment_create(
    *,
    channel_code: str,
    year: int,
    amount_krw: int,
    actor: User | None,
    region: str,
    ai_related: bool = False,
    proposal: Proposal | None = None,
    note: str = "",
) -> Commitment:
    """Draw `amount_krw` from a channel's capacity, or raise CapacityExceeded.

    The channel row is locked (SELECT ... FOR UPDATE) before the ledger is summed, so
    concurrent commitments against one channel are serialised and the total never exceeds
    the channel's size.
    """
    errors = {}
    if not isinstance(amount_krw, int) or isinstance(amount_krw, bool) or amount_krw <= 0:
        errors["amount_krw"] = _("The amount must be a positive number of won.")
    elif amount_krw > FUND_SIZE_KRW:
        errors["amount_krw"] = _("The amount cannot exceed the fund's 150 trillion won.")
    if region not in Region.values:
        errors["region"] = _("Choose a region from the list.")
    if not isinstance(year, int) or not LEDGER_YEARS[0] <= year <= LEDGER_YEARS[1]:
        errors["year"] = _("The year must be between 2025 and 2035.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            channel = Channel.objects.select_for_update().get(code=channel_code)
        except Channel.DoesNotExist as exc:
            raise ValidationError({"channel": _("Choose one of the four channels.")}) from exc
        committed = channel.commitments.aggregate(total=Sum(LIVE_AMOUNT))["total"] or 0
        remaining = channel.size_krw - committed
        if amount_krw > remaining:
            raise CapacityExceeded(channel=channel, remaining_krw=remaining, amount_krw=amount_krw)
        commitment = Commitment.objects.create(
            channel=channel,
            year=year,
            amount_krw=amount_krw,
            proposal=proposal,
            ai_related=ai_related,
            region=region,
            note=note[:300],
            created_by=actor,
        )
        # The public pages' committed amounts: stale from the moment this commits; so are
        # the match results, which score against the channels' remaining capacity.
        aggregate_cache.invalidate()
        signals.capacity_changed.send(sender=Commitment, channel_code=channel.code)
        audit_record(
            actor=actor,
            action="commitment.create",
            obj=commitment,
            data={
                "channel": channel.code,
                "amount_krw": amount_krw,
                "year": year,
                "proposal": proposal.pk if proposal else None,
            },
        )
    return commitment


def commitment_release(
    *, commitment_id: int, amount_krw, reason, actor: User | None
) -> CommitmentRelease:
    """Give all or part of a commitment back to its channel, with the reason and an audit row.

    Locks the channel row, then the commitment (the order commitment_create uses), so a
    release and a new commitment against the same channel are serialised. ValidationError on
    `amount_krw` (not a positive whole number of won, or more than the commitment still
    draws) or `reason` (missing or too long); nothing changes if refused.
    """
    reason = reason.strip() if isinstance(reason, str) else reason
    errors = {}
    if not isinstance(reason, str) or not reason:
        errors["reason"] = _("State why the commitment is released.")
    elif len(reason) > RELEASE_REASON_MAX:
        errors["reason"] = _("At most %(n)d characters.") % {"n": RELEASE_REASON_MAX}
    if not isinstance(amount_krw, int) or isinstance(amount_krw, bool) or amount_krw <= 0:
        errors["amount_krw"] = _("The amount must be a positive number of won.")
    with transaction.atomic():
        channel_id = (
            Commitment.objects.filter(pk=commitment_id).values_list("channel_id", flat=True).first()
        )
        if channel_id is None:
            raise ValidationError({"commitment": _("There is no such commitment.")})
        channel = Channel.objects.select_for_update().get(pk=channel_id)
        commitment = Commitment.objects.select_for_update().get(pk=commitment_id)
        live = commitment.live_krw
        if "amount_krw" not in errors and amount_krw > live:
            errors["amount_krw"] = _(
                "At most the %(live)s won the commitment still draws can be released."
            ) % {"live": f"{live:,}"}
        if errors:
            raise ValidationError(errors)
        commitment.released_krw += amount_krw
        commitment.save(update_fields=["released_krw"])
        release = CommitmentRelease.objects.create(
            commitment=commitment, amount_krw=amount_krw, reason=reason, created_by=actor
        )
        # The freed capacity changes the public figures and what the engine scores against.
        aggregate_cache.invalidate()
        signals.capacity_changed.send(sender=Commitment, channel_code=channel.code)
        audit_record(
            actor=actor,
            action="commitment.release",
            obj=commitment,
            note=reason,
            data={
                "channel": channel.code,
                "amount_krw": amount_krw,
                "released_krw": commitment.released_krw,
                "proposal": commitment.proposal_id,
            },
        )
    return release
