"""The fund secretariat's (KDB's) review pipeline: stage moves, decisions, information requests.

Every move locks the proposal row, changes the proposal and its FundReview together, writes an
audit row and a status packet back to KEIT in the same transaction. An approval draws the
amount from the channel's capacity ledger through fund.capacity.services.commitment_create,
which locks the channel row: two approvals at the same moment can never over-commit a
channel.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.audit import audit_record
from alliance.models import NOTE_MAX, Proposal, User
from fund.capacity.models import LEDGER_YEARS, Commitment
from fund.capacity.services import commitment_create
from fund.capacity.services import commitment_release as ledger_release
from fund.coordination.models import PacketKind
from fund.coordination.permissions import is_fund_side
from fund.coordination.services import status_packet_send
from fund.review.models import (
    COMMENT_MAX,
    MEETING_TEXT_MAX,
    SAVED_VIEW_NAME_MAX,
    SAVED_VIEW_QUERY_MAX,
    AgendaItem,
    CommitteeBody,
    CommitteeMeeting,
    FundReview,
    ReviewComment,
    SavedView,
    SavedViewPage,
)
from matching.selectors import results_snapshot
from portal.core import signals
from portal.core.errors import StaleEdit, TransitionNotAllowed
from portal.core.vocabulary import (
    APPROVING_DECISIONS,
    ChannelCode,
    Decision,
    ProposalStatus,
    ReviewStage,
)

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


def _require_fund_staff(actor: User) -> None:
    if not is_fund_side(actor):
        raise PermissionDenied


def _lock_pair(proposal_id: int) -> tuple[Proposal | None, FundReview | None]:
    """The proposal and its review, locked in that order (the one order every move uses)."""
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("firm")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        return None, None
    return proposal, FundReview.objects.select_for_update().filter(proposal=proposal).first()


def _lock_in_review(proposal_id: int) -> tuple[Proposal, FundReview]:
    """A proposal under review and its review, locked (see _lock_pair)."""
    proposal, review = _lock_pair(proposal_id)
    if proposal is None:
        raise TransitionNotAllowed(_("This proposal is not in the fund's pipeline."))
    if review is None or proposal.status != ProposalStatus.IN_REVIEW:
        if review is not None and review.stage == ReviewStage.DECIDED:
            raise TransitionNotAllowed(_("A decision on this proposal has already been made."))
        raise TransitionNotAllowed(_("This proposal is not under review by the fund."))
    return proposal, review


def _check_version(proposal: Proposal, expected_version: int | None) -> None:
    """A change made from a page refuses a proposal that changed since the page was drawn."""
    if expected_version is not None and proposal.version != expected_version:
        raise StaleEdit(proposal.version)


def proposal_advance(
    *, proposal_id: int, actor: User, stage: str, expected_version: int | None = None
) -> Proposal:
    """Move a proposal under review to the next stage (received → prescreen → committee →
    council), with an audit row and a status packet to KEIT.

    PermissionDenied for anyone but fund staff; ValidationError on `stage` when it is not a
    stage; TransitionNotAllowed when it is not the next one; StaleEdit when
    `expected_version` is given and the proposal has changed since.
    """
    _require_fund_staff(actor)
    if stage not in NEXT_STAGE.values():
        raise ValidationError({"stage": _("Choose the next review stage.")})
    with transaction.atomic():
        proposal, review = _lock_in_review(proposal_id)
        _check_version(proposal, expected_version)
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
    low, high = LEDGER_YEARS
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
        review.decision_results = results_snapshot(proposal)
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


def _lock_decided(proposal_id: int) -> tuple[Proposal, FundReview]:
    """A decided proposal and its review, locked (see _lock_pair)."""
    proposal, review = _lock_pair(proposal_id)
    if review is None or review.stage != ReviewStage.DECIDED:
        raise TransitionNotAllowed(_("The fund has not decided on this proposal."))
    return proposal, review


def _clean_reason(reason, field: str = "reason") -> str:
    reason = reason.strip() if isinstance(reason, str) else reason
    if not isinstance(reason, str) or not reason:
        raise ValidationError({field: _("State the reason.")})
    if len(reason) > NOTE_MAX:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    return reason


def proposal_reopen(
    *, proposal_id: int, actor: User, reason: str, expected_version: int | None = None
) -> Proposal:
    """Return a deferred proposal to the investment review committee, as the council asked.

    The deferral (decision, date, frozen results) is kept in the audit row; the review goes
    back to the committee stage and the proposal is under review again, with a status packet
    to KEIT. PermissionDenied for anyone but fund staff; ValidationError on `reason`;
    TransitionNotAllowed unless the decision was to defer; StaleEdit on a stale version.
    """
    _require_fund_staff(actor)
    reason = _clean_reason(reason)
    with transaction.atomic():
        proposal, review = _lock_decided(proposal_id)
        _check_version(proposal, expected_version)
        if review.decision != Decision.DEFERRED:
            raise TransitionNotAllowed(
                _("Only a deferred proposal can return to the investment review committee.")
            )
        deferral = {
            "decision": review.decision,
            "decided_at": review.decided_at.isoformat() if review.decided_at else None,
            "decided_by": review.decided_by_id,
            "conditions": review.conditions,
            "decision_results": review.decision_results,
        }
        now = timezone.now()
        review.stage = ReviewStage.COMMITTEE
        review.stage_entered_at = now
        review.decision = ""
        review.decided_channel = ""
        review.approved_krw = None
        review.conditions = ""
        review.decided_at = None
        review.decided_by = None
        review.decision_results = []
        review.save()
        proposal.status = ProposalStatus.IN_REVIEW
        proposal.stage = ReviewStage.COMMITTEE
        proposal.version += 1
        proposal.save(update_fields=["status", "stage", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="proposal.reopen",
            obj=proposal,
            from_state=Decision.DEFERRED,
            to_state=ReviewStage.COMMITTEE,
            note=reason,
            data={"deferral": deferral},
        )
        status_packet_send(
            proposal=proposal,
            kind=PacketKind.COMMITTEE_SCHEDULED,
            actor=actor,
            data={"from": ReviewStage.DECIDED, "reopened": True, "reason": reason},
        )
        # Back in the pipeline: scored again under the rules in force.
        signals.scoring_inputs_changed.send(sender=FundReview, proposal_ids=[proposal.pk])
    return proposal


def proposal_release_commitment(
    *,
    proposal_id: int,
    actor: User,
    amount_krw,
    reason: str,
    expected_version: int | None = None,
) -> Proposal:
    """Give back all or part of an approved proposal's commitment (the council cancelled or
    cut it), freeing the channel's capacity; audit rows and a decision packet to KEIT, which
    tells the applicant.

    PermissionDenied for anyone but fund staff; ValidationError on `amount_krw` or `reason`;
    TransitionNotAllowed unless the proposal was approved with a commitment; StaleEdit on a
    stale version. Nothing changes if refused.
    """
    _require_fund_staff(actor)
    reason = _clean_reason(reason)
    with transaction.atomic():
        proposal, review = _lock_decided(proposal_id)
        _check_version(proposal, expected_version)
        commitment = Commitment.objects.filter(proposal=proposal).first()
        if review.decision not in APPROVING_DECISIONS or commitment is None:
            raise TransitionNotAllowed(_("Only an approved commitment can be released."))
        release = ledger_release(
            commitment_id=commitment.pk, amount_krw=amount_krw, reason=reason, actor=actor
        )
        # The ledger's locked row, with the release applied.
        commitment = release.commitment
        proposal.version += 1
        proposal.save(update_fields=["version", "updated_at"])
        audit_record(
            actor=actor,
            action="proposal.release",
            obj=proposal,
            note=reason,
            data={"amount_krw": release.amount_krw, "live_krw": commitment.live_krw},
        )
        status_packet_send(
            proposal=proposal,
            kind=PacketKind.DECISION,
            actor=actor,
            data={
                "decision": review.decision,
                "channel": review.decided_channel,
                "amount_krw": commitment.live_krw,
                "released_krw": release.amount_krw,
                "reason": reason,
                "conditions": review.conditions,
            },
        )
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


def review_assign(
    *,
    proposal_id: int,
    actor: User,
    reviewer: User | None,
    expected_version: int | None = None,
) -> FundReview:
    """Assign (or clear) the fund staff member reviewing a proposal; StaleEdit when
    `expected_version` is given and the proposal has changed since."""
    _require_fund_staff(actor)
    if reviewer is not None and not is_fund_side(reviewer):
        raise ValidationError({"reviewer": _("The reviewer must be fund secretariat staff.")})
    with transaction.atomic():
        proposal, review = _lock_in_review(proposal_id)
        _check_version(proposal, expected_version)
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


# ---------------------------------------------------------------------------------------------
# Bulk actions: each proposal goes through the single service above, in its own transaction,
# so every one gets its own audit row and status packet and a refusal stops only itself.

BULK_MAX = 200


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one proposal of a bulk action: done, or refused with the reason."""

    proposal_id: int
    ok: bool
    message: str


def _clean_selection(items: Sequence[tuple[int, int | None]]) -> list[tuple[int, int | None]]:
    """The selection without repeats, in the order given; refused when empty or too large."""
    seen: dict[int, int | None] = {}
    for proposal_id, version in items:
        seen.setdefault(proposal_id, version)
    if not seen:
        raise ValidationError({"proposals": _("Tick at least one proposal.")})
    if len(seen) > BULK_MAX:
        raise ValidationError(
            {
                "proposals": _(
                    "At most %(max)d proposals at a time; you ticked %(n)d. Narrow the filters "
                    "or work page by page."
                )
                % {"max": BULK_MAX, "n": len(seen)}
            }
        )
    return list(seen.items())


def _stale_message() -> str:
    return _("It changed after you loaded the page; reload the page and try again.")


def _run_each(selection, call) -> list[BulkOutcome]:
    outcomes = []
    for proposal_id, version in selection:
        try:
            call(proposal_id, version)
        except StaleEdit:
            outcomes.append(BulkOutcome(proposal_id, False, _stale_message()))
        except TransitionNotAllowed as exc:
            outcomes.append(BulkOutcome(proposal_id, False, exc.message))
        except ValidationError as exc:
            outcomes.append(BulkOutcome(proposal_id, False, " ".join(exc.messages)))
        else:
            outcomes.append(BulkOutcome(proposal_id, True, ""))
    return outcomes


def pipeline_bulk_advance(
    *, actor: User, items: Sequence[tuple[int, int | None]], stage: str
) -> list[BulkOutcome]:
    """Move each selected proposal (id, version seen on the page) to `stage` through
    `proposal_advance`; one outcome per proposal, in the order given.

    PermissionDenied for anyone but fund staff; ValidationError on `stage` or on an empty or
    too large selection (nothing changes then). Each proposal is moved or refused on its own.
    """
    _require_fund_staff(actor)
    if stage not in NEXT_STAGE.values():
        raise ValidationError({"stage": _("Choose the stage to move the proposals to.")})
    selection = _clean_selection(items)
    return _run_each(
        selection,
        lambda pk, version: proposal_advance(
            proposal_id=pk, actor=actor, stage=stage, expected_version=version
        ),
    )


def pipeline_bulk_assign(
    *, actor: User, items: Sequence[tuple[int, int | None]], reviewer: User | None
) -> list[BulkOutcome]:
    """Assign `reviewer` (or clear it) on each selected proposal through `review_assign`;
    one outcome per proposal. Refusals as for `pipeline_bulk_advance`."""
    _require_fund_staff(actor)
    if reviewer is not None and not is_fund_side(reviewer):
        raise ValidationError({"reviewer": _("The reviewer must be fund secretariat staff.")})
    selection = _clean_selection(items)
    return _run_each(
        selection,
        lambda pk, version: review_assign(
            proposal_id=pk, actor=actor, reviewer=reviewer, expected_version=version
        ),
    )


# ---------------------------------------------------------------------------------------------
# Committee meetings and their agendas

AGENDA_MAX = 100


def _clean_text(value, field: str, errors: dict, limit: int = MEETING_TEXT_MAX) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if len(value) > limit:
        errors[field] = _("At most %(n)d characters.") % {"n": limit}
    return value


def committee_meeting_create(
    *,
    actor: User,
    body: str,
    meets_at: datetime.datetime,
    title: str = "",
    location: str = "",
) -> CommitteeMeeting:
    """Schedule a sitting of the investment review committee (`committee`) or the fund
    management council (`council`) at an aware `meets_at`; its agenda starts empty.

    PermissionDenied for anyone but fund staff; ValidationError on a bad field.
    """
    _require_fund_staff(actor)
    errors: dict[str, str] = {}
    if body not in CommitteeBody.values:
        errors["body"] = _("Choose the committee or the council.")
    if not isinstance(meets_at, datetime.datetime) or timezone.is_naive(meets_at):
        errors["meets_at"] = _("Enter the date and time of the meeting.")
    title = _clean_text(title, "title", errors)
    location = _clean_text(location, "location", errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = CommitteeMeeting.objects.create(
            body=body, meets_at=meets_at, title=title, location=location, created_by=actor
        )
        audit_record(
            actor=actor,
            action="meeting.create",
            obj=meeting,
            to_state=body,
            note=title,
            data={"meets_at": meets_at.isoformat(), "location": location},
        )
    return meeting


def _lock_meeting(meeting_id: int) -> CommitteeMeeting:
    meeting = CommitteeMeeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        raise TransitionNotAllowed(_("This meeting does not exist."))
    return meeting


def agenda_add(*, meeting_id: int, proposal_id: int, actor: User) -> AgendaItem:
    """Put a proposal at the end of a meeting's agenda.

    Only a proposal under review at the meeting body's own stage (the committee hears
    proposals at `committee`, the council those at `council`) and not yet on this agenda;
    TransitionNotAllowed otherwise, with the reason. Locks the meeting, then the proposal.
    """
    _require_fund_staff(actor)
    with transaction.atomic():
        meeting = _lock_meeting(meeting_id)
        proposal, review = _lock_in_review(proposal_id)
        if review.stage != meeting.body:
            raise TransitionNotAllowed(
                _(
                    "It is at the %(stage)s stage; only proposals at the %(body)s stage can be "
                    "put on this agenda."
                )
                % {
                    "stage": ReviewStage(review.stage).label,
                    "body": CommitteeBody(meeting.body).label,
                }
            )
        items = AgendaItem.objects.filter(meeting=meeting)
        if items.filter(review=review).exists():
            raise TransitionNotAllowed(_("It is already on this agenda."))
        count = items.count()
        if count >= AGENDA_MAX:
            raise TransitionNotAllowed(
                _("An agenda holds at most %(n)d proposals.") % {"n": AGENDA_MAX}
            )
        item = AgendaItem.objects.create(
            meeting=meeting, review=review, position=count + 1, added_by=actor
        )
        audit_record(
            actor=actor,
            action="agenda.add",
            obj=meeting,
            to_state=str(proposal.pk),
            data={"proposal": proposal.pk, "position": item.position},
        )
    return item


def agenda_add_many(
    *, meeting_id: int, proposal_ids: Sequence[int], actor: User
) -> list[BulkOutcome]:
    """`agenda_add` for each proposal in the order given; one outcome per proposal."""
    _require_fund_staff(actor)
    selection = _clean_selection([(pk, None) for pk in proposal_ids])
    return _run_each(
        selection,
        lambda pk, _version: agenda_add(meeting_id=meeting_id, proposal_id=pk, actor=actor),
    )


def agenda_remove(*, meeting_id: int, proposal_id: int, actor: User) -> None:
    """Take a proposal off a meeting's agenda; the items after it move up one place."""
    _require_fund_staff(actor)
    with transaction.atomic():
        meeting = _lock_meeting(meeting_id)
        item = AgendaItem.objects.filter(meeting=meeting, review_id=proposal_id).first()
        if item is None:
            raise TransitionNotAllowed(_("This proposal is not on this agenda."))
        position = item.position
        item.delete()
        AgendaItem.objects.filter(meeting=meeting, position__gt=position).update(
            position=F("position") - 1
        )
        audit_record(
            actor=actor,
            action="agenda.remove",
            obj=meeting,
            from_state=str(proposal_id),
            data={"proposal": proposal_id, "position": position},
        )


def agenda_reorder(*, meeting_id: int, actor: User, proposal_ids: Sequence[int]) -> None:
    """Set the agenda's order: `proposal_ids` must name every proposal on it exactly once.

    ValidationError on `order` otherwise (nothing changes).
    """
    _require_fund_staff(actor)
    with transaction.atomic():
        meeting = _lock_meeting(meeting_id)
        items = {item.review_id: item for item in AgendaItem.objects.filter(meeting=meeting)}
        order = list(proposal_ids)
        if len(order) != len(items) or set(order) != set(items):
            raise ValidationError(
                {"order": _("The agenda changed meanwhile; reload the page and try again.")}
            )
        before = [pk for pk, _item in sorted(items.items(), key=lambda kv: kv[1].position)]
        if before == order:
            return
        changed = []
        for position, pk in enumerate(order, start=1):
            item = items[pk]
            if item.position != position:
                item.position = position
                changed.append(item)
        AgendaItem.objects.bulk_update(changed, ["position"])
        audit_record(
            actor=actor,
            action="agenda.reorder",
            obj=meeting,
            data={"from": before, "to": order},
        )


# ---------------------------------------------------------------------------------------------
# Internal comments


def review_comment_add(*, proposal_id: int, actor: User, body: str) -> ReviewComment:
    """Add a fund staff comment to a proposal in the pipeline (any stage). Comments are
    internal to the fund secretariat and append-only.

    PermissionDenied for anyone but fund staff; ValidationError on `body` (empty or longer
    than COMMENT_MAX); TransitionNotAllowed when the proposal is not in the pipeline.
    """
    _require_fund_staff(actor)
    body = body.strip() if isinstance(body, str) else ""
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > COMMENT_MAX:
        raise ValidationError({"body": _("At most %(n)d characters.") % {"n": COMMENT_MAX}})
    with transaction.atomic():
        review = FundReview.objects.filter(proposal_id=proposal_id).first()
        if review is None:
            raise TransitionNotAllowed(_("This proposal is not in the fund's pipeline."))
        comment = ReviewComment.objects.create(review=review, author=actor, body=body)
        # The row is not linked to the proposal: KEIT and applicants read a proposal's history,
        # and fund-internal comments must not appear there.
        audit_record(
            actor=actor,
            action="review.comment",
            obj=comment,
            data={"proposal": proposal_id, "length": len(body)},
        )
    return comment


# ---------------------------------------------------------------------------------------------
# Saved views

SAVED_VIEWS_MAX = 50


def saved_view_create(*, actor: User, name: str, page: str, querystring: str) -> SavedView:
    """Save the pipeline filters in `querystring` under `name` for `actor`.

    Only known filter keys with valid values are kept (through the pipeline filter form);
    ValidationError on `name` (empty, too long, or already used by this user), on `page`, or
    on `querystring` when no valid filter is left.
    """
    from fund.review.forms import pipeline_filter_querystring

    _require_fund_staff(actor)
    errors: dict[str, str] = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = _("Give the view a name.")
    elif len(name) > SAVED_VIEW_NAME_MAX:
        errors["name"] = _("At most %(n)d characters.") % {"n": SAVED_VIEW_NAME_MAX}
    if page not in SavedViewPage.values:
        errors["page"] = _("Choose the board or the table.")
    clean = pipeline_filter_querystring(querystring if isinstance(querystring, str) else "")
    if not clean:
        errors["querystring"] = _("Choose at least one filter before saving a view.")
    elif len(clean) > SAVED_VIEW_QUERY_MAX:
        errors["querystring"] = _("These filters are too long to save.")
    if errors:
        raise ValidationError(errors)
    taken = ValidationError({"name": _("You already have a view with this name.")})
    with transaction.atomic():
        mine = SavedView.objects.filter(owner=actor)
        if mine.filter(name__iexact=name).exists():
            raise taken
        if mine.count() >= SAVED_VIEWS_MAX:
            raise ValidationError(
                {
                    "name": _("You can keep at most %(n)d views; delete one first.")
                    % {"n": SAVED_VIEWS_MAX}
                }
            )
        try:
            with transaction.atomic():
                view = SavedView.objects.create(
                    owner=actor, name=name, page=page, querystring=clean
                )
        except IntegrityError as exc:  # the same name saved at the same moment
            raise taken from exc
        audit_record(
            actor=actor,
            action="saved_view.create",
            obj=view,
            note=name,
            data={"page": page, "querystring": clean},
        )
    return view


def saved_view_delete(*, actor: User, view_id: int) -> None:
    """Delete one of `actor`'s own saved views; SavedView.DoesNotExist for any other id."""
    _require_fund_staff(actor)
    with transaction.atomic():
        view = SavedView.objects.select_for_update().filter(pk=view_id, owner=actor).first()
        if view is None:
            raise SavedView.DoesNotExist
        audit_record(
            actor=actor,
            action="saved_view.delete",
            obj=view,
            note=view.name,
            data={"page": view.page, "querystring": view.querystring},
        )
        view.delete()
