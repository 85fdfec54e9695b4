"""The fund secretariat's (KDB's) review pipeline: stage moves, decisions, information requests.

Every move locks the proposal row, changes the proposal and its FundReview together, writes an
audit row and a status packet back to KEIT in the same transaction. An approval draws the
amount from the channel's capacity ledger through fund.services.commitment_create, which locks
the channel row: two approvals at the same moment can never over-commit a channel.
"""

from __future__ import annotations

import datetime
import itertools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.choices import ProposalStatus, ReviewStage
from alliance.models import NOTE_MAX, Proposal, User
from alliance.services import TransitionNotAllowed, audit_record

from .choices import ChannelCode
from .coordination import is_fund_side, status_packet_send
from .models import APPROVING_DECISIONS, Decision, FundReview, PacketKind
from .services import commitment_create

# The order the fund works in; a proposal only ever moves to the next stage.
STAGE_ORDER = (
    ReviewStage.RECEIVED,
    ReviewStage.PRESCREEN,
    ReviewStage.COMMITTEE,
    ReviewStage.COUNCIL,
)
NEXT_STAGE = dict(itertools.pairwise(STAGE_ORDER))
STAGE_PACKET = {
    ReviewStage.PRESCREEN: PacketKind.PRESCREEN_STARTED,
    ReviewStage.COMMITTEE: PacketKind.COMMITTEE_SCHEDULED,
    ReviewStage.COUNCIL: PacketKind.COUNCIL_SCHEDULED,
}
CONDITIONS_MAX = NOTE_MAX
COMMITMENT_YEARS = (2025, 2035)


def _require_fund_staff(actor: User) -> None:
    if not is_fund_side(actor):
        raise PermissionDenied


def _lock_in_review(proposal_id: int) -> tuple[Proposal, FundReview]:
    """The proposal and its review, locked in that order (the one order every move uses)."""
    try:
        proposal = (
            Proposal.objects.select_for_update(of=("self",))
            .select_related("firm")
            .get(pk=proposal_id)
        )
    except Proposal.DoesNotExist as exc:
        raise TransitionNotAllowed(_("This proposal is not in the fund's pipeline.")) from exc
    review = FundReview.objects.select_for_update().filter(proposal=proposal).first()
    if review is None or proposal.status != ProposalStatus.IN_REVIEW:
        if review is not None and review.stage == ReviewStage.DECIDED:
            raise TransitionNotAllowed(_("A decision on this proposal has already been made."))
        raise TransitionNotAllowed(_("This proposal is not under review by the fund."))
    return proposal, review


def proposal_advance(*, proposal_id: int, actor: User, stage: str) -> Proposal:
    """Move a proposal under review to the next stage (received → prescreen → committee →
    council), with an audit row and a status packet to KEIT.

    PermissionDenied for anyone but fund staff; ValidationError on `stage` when it is not a
    stage; TransitionNotAllowed when it is not the next one.
    """
    _require_fund_staff(actor)
    if stage not in NEXT_STAGE.values():
        raise ValidationError({"stage": _("Choose the next review stage.")})
    with transaction.atomic():
        proposal, review = _lock_in_review(proposal_id)
        if NEXT_STAGE.get(review.stage) != stage:
            raise TransitionNotAllowed(
                _("From %(current)s a proposal can only move to the next stage.")
                % {"current": ReviewStage(review.stage).label}
            )
        now = timezone.now()
        previous = review.stage
        review.stage = stage
        review.stage_entered_at = now
        review.save(update_fields=["stage", "stage_entered_at"])
        proposal.stage = stage
        proposal.version += 1
        proposal.save(update_fields=["stage", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="proposal.advance",
            obj=proposal,
            from_state=previous,
            to_state=stage,
        )
        status_packet_send(
            proposal=proposal, kind=STAGE_PACKET[stage], actor=actor, data={"from": previous}
        )
    return proposal


def _clean_decision(
    *, decision, channel, amount_krw, conditions, requested_krw: int
) -> tuple[str, int | None, str]:
    errors: dict[str, str] = {}
    conditions = conditions.strip() if isinstance(conditions, str) else conditions
    if decision not in Decision.values:
        errors["decision"] = _("Choose a decision.")
    approving = decision in APPROVING_DECISIONS
    channel = channel or ""
    if channel and channel not in ChannelCode.values:
        errors["channel"] = _("Choose one of the four channels.")
    elif approving and not channel:
        errors["channel"] = _("Choose the channel the money comes from.")
    if not isinstance(conditions, str):
        errors["conditions"] = _("Write the conditions as text.")
    elif len(conditions) > CONDITIONS_MAX:
        errors["conditions"] = _("At most %(n)d characters.") % {"n": CONDITIONS_MAX}
    elif decision == Decision.APPROVED_WITH_CONDITIONS and not conditions:
        errors["conditions"] = _("State the conditions of the approval.")
    if approving:
        if amount_krw is None or amount_krw == "":
            errors["amount_krw"] = _("Enter the approved amount.")
        elif not isinstance(amount_krw, int) or isinstance(amount_krw, bool) or amount_krw <= 0:
            errors["amount_krw"] = _("The amount must be a positive number of won.")
        elif amount_krw > requested_krw:
            errors["amount_krw"] = _(
                "The approved amount cannot exceed the requested %(requested)s won."
            ) % {"requested": f"{requested_krw:,}"}
    elif decision in Decision.values and amount_krw not in (None, "", 0):
        errors["amount_krw"] = _("Only an approval commits an amount.")
    if errors:
        raise ValidationError(errors)
    return channel, (amount_krw if approving else None), conditions


def _commitment_year(now: datetime.datetime) -> int:
    low, high = COMMITMENT_YEARS
    return min(max(timezone.localtime(now).year, low), high)


def proposal_decide(
    *,
    proposal_id: int,
    actor: User,
    decision: str,
    channel: str = "",
    amount_krw: int | None = None,
    conditions: str = "",
) -> Proposal:
    """Record the fund management council's decision on a proposal at the council stage.

    An approval (with or without conditions) commits `amount_krw` (≤ requested) against the
    channel's capacity; defer and reject commit nothing. The proposal becomes `decided`.
    PermissionDenied for anyone but fund staff; ValidationError on a bad field (including an
    amount above the request); TransitionNotAllowed when not at the council stage;
    CapacityExceeded (409) when the channel has too little left. Nothing changes if refused.
    """
    _require_fund_staff(actor)
    with transaction.atomic():
        proposal, review = _lock_in_review(proposal_id)
        if review.stage != ReviewStage.COUNCIL:
            raise TransitionNotAllowed(
                _("A decision can be recorded only at the fund management council stage.")
            )
        channel, amount_krw, conditions = _clean_decision(
            decision=decision,
            channel=channel,
            amount_krw=amount_krw,
            conditions=conditions,
            requested_krw=review.requested_krw,
        )
        now = timezone.now()
        commitment = None
        if amount_krw is not None:
            # Locks the channel row after the proposal row: the same order for every decision.
            commitment = commitment_create(
                channel_code=channel,
                year=_commitment_year(now),
                amount_krw=amount_krw,
                actor=actor,
                region=proposal.region,
                ai_related=proposal.ai_related,
                proposal=proposal,
                note=proposal.title,
            )
        previous = review.stage
        review.stage = ReviewStage.DECIDED
        review.stage_entered_at = now
        review.decision = decision
        review.decided_channel = channel
        review.approved_krw = amount_krw
        review.conditions = conditions
        review.decided_at = now
        review.decided_by = actor
        review.save()
        proposal.status = ProposalStatus.DECIDED
        proposal.stage = ReviewStage.DECIDED
        proposal.version += 1
        proposal.save(update_fields=["status", "stage", "version", "updated_at"])
        data = {
            "decision": decision,
            "channel": channel,
            "amount_krw": amount_krw,
            "conditions": conditions,
        }
        audit_record(
            actor=actor,
            action="proposal.decide",
            obj=proposal,
            from_state=previous,
            to_state=decision,
            note=conditions,
            data={**data, "commitment": commitment.pk if commitment else None},
        )
        status_packet_send(proposal=proposal, kind=PacketKind.DECISION, actor=actor, data=data)
    return proposal


def proposal_request_info(*, proposal_id: int, actor: User, question: str) -> Proposal:
    """The fund secretariat asks KEIT (and through it the applicant) for more information.

    The proposal stays at its stage; the question is kept on the review and sent to KEIT as
    an `info_requested` packet. PermissionDenied for anyone but fund staff; ValidationError on
    `question`; TransitionNotAllowed unless the proposal is under review.
    """
    _require_fund_staff(actor)
    question = question.strip() if isinstance(question, str) else ""
    if not question:
        raise ValidationError({"question": _("Write the question.")})
    if len(question) > NOTE_MAX:
        raise ValidationError({"question": _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    with transaction.atomic():
        proposal, review = _lock_in_review(proposal_id)
        review.info_question = question
        review.info_requested_at = timezone.now()
        review.save(update_fields=["info_question", "info_requested_at"])
        audit_record(
            actor=actor,
            action="proposal.fund_request_info",
            obj=proposal,
            from_state=review.stage,
            to_state=review.stage,
            note=question,
        )
        status_packet_send(
            proposal=proposal,
            kind=PacketKind.INFO_REQUESTED,
            actor=actor,
            data={"question": question},
        )
    return proposal


def review_assign(*, proposal_id: int, actor: User, reviewer: User | None) -> FundReview:
    """Assign (or clear) the fund staff member reviewing a proposal."""
    _require_fund_staff(actor)
    if reviewer is not None and not is_fund_side(reviewer):
        raise ValidationError({"reviewer": _("The reviewer must be fund secretariat staff.")})
    with transaction.atomic():
        proposal, review = _lock_in_review(proposal_id)
        previous = review.reviewer.get_username() if review.reviewer else ""
        review.reviewer = reviewer
        review.save(update_fields=["reviewer"])
        audit_record(
            actor=actor,
            action="proposal.assign_reviewer",
            obj=proposal,
            from_state=previous,
            to_state=reviewer.get_username() if reviewer else "",
        )
    return review
