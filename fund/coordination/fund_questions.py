"""The fund's questions: KEIT relays a question to the applicant, the lead firm answers it and
the answer goes back to the fund as an `info_provided` packet."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import permissions
from alliance.audit import audit_record
from alliance.models import (
    NOTE_MAX,
    SUMMARY_MAX,
    Proposal,
    User,
)
from alliance.notifications import services as notifications
from alliance.proposals.services import proposal_lock
from fund.coordination.models import FundQuestion
from portal.core.errors import TransitionNotAllowed
from portal.core.vocabulary import (
    ProposalStatus,
)

ANSWER_MAX = SUMMARY_MAX


def _lock_fund_question(question_id: int) -> tuple[Proposal, FundQuestion]:
    """The question's proposal and the question, locked in that order (as every proposal
    change locks the proposal first); TransitionNotAllowed when there is no such question."""
    proposal_id = (
        FundQuestion.objects.filter(pk=question_id).values_list("proposal_id", flat=True).first()
    )
    if proposal_id is None:
        raise TransitionNotAllowed(_("There is no question from the fund with this number."))
    proposal = proposal_lock(proposal_id)
    question = FundQuestion.objects.select_for_update().get(pk=question_id)
    return proposal, question


def _require_fund_review(proposal: Proposal) -> None:
    if proposal.status != ProposalStatus.IN_REVIEW:
        raise TransitionNotAllowed(
            _("The fund is no longer reviewing this proposal, so the question is closed.")
        )


def fund_question_relay(*, question_id: int, actor: User, text: str) -> FundQuestion:
    """KEIT sends the fund's question (as asked, or reworded) to the applicant firm.

    The proposal stays in the fund's review at its stage. PermissionDenied for anyone but
    KEIT staff; ValidationError on `text` when empty or too long; TransitionNotAllowed when
    the question was already sent, or the fund no longer reviews the proposal.
    """
    if not (actor.is_authenticated and actor.is_alliance_staff):
        raise PermissionDenied
    text = text.strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationError({"text": _("Write the question for the applicant.")})
    if len(text) > NOTE_MAX:
        raise ValidationError({"text": _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    with transaction.atomic():
        proposal, question = _lock_fund_question(question_id)
        if question.relayed_at is not None:
            raise TransitionNotAllowed(
                _("This question was already sent to the applicant; there is no open question.")
            )
        _require_fund_review(proposal)
        question.relayed_question = text
        question.relayed_at = timezone.now()
        question.relayed_by = actor
        question.save(update_fields=["relayed_question", "relayed_at", "relayed_by"])
        entry = audit_record(
            actor=actor,
            action="proposal.relay_fund_question",
            obj=proposal,
            from_state=proposal.stage,
            to_state=proposal.stage,
            note=text,
            data={"question": question.pk, "packet": str(question.packet_id)},
        )
        notifications.notify_info_requested(
            proposal=proposal, question=text, event_key=f"audit:{entry.pk}"
        )
    return question


def fund_question_answer(*, question_id: int, actor: User, answer: str) -> FundQuestion:
    """The lead firm answers the fund's question; the answer goes to the fund as an
    `info_provided` packet (with the question), in the same transaction.

    PermissionDenied for anyone but the lead firm's applicants; ValidationError on `answer`
    when empty or too long; TransitionNotAllowed when the question was not sent to the firm,
    was answered before, or the fund no longer reviews the proposal.
    """
    answer = answer.strip() if isinstance(answer, str) else ""
    with transaction.atomic():
        proposal, question = _lock_fund_question(question_id)
        if not permissions.is_lead_member(actor, proposal):
            raise PermissionDenied
        if question.answered_at is not None:
            raise TransitionNotAllowed(_("This question has already been answered."))
        if question.relayed_at is None:
            raise TransitionNotAllowed(_("This question has not been sent to your firm."))
        _require_fund_review(proposal)
        if not answer:
            raise ValidationError({"answer": _("Write your answer.")})
        if len(answer) > ANSWER_MAX:
            raise ValidationError({"answer": _("At most %(n)d characters.") % {"n": ANSWER_MAX}})
        # Imported here: fund.coordination imports this module.
        from fund.coordination.models import PacketDirection, PacketKind
        from fund.coordination.services import packet_create

        now = timezone.now()
        packet = packet_create(
            proposal=proposal,
            kind=PacketKind.INFO_PROVIDED,
            direction=PacketDirection.KEIT_TO_KDB,
            payload={
                "proposal": proposal.pk,
                "title": proposal.title,
                "firm": proposal.firm.name,
                "question_packet": str(question.packet_id),
                "question": question.question,
                "relayed_question": question.relayed_question,
                "answer": answer,
                "answered_by": actor.get_username(),
                "answered_at": now.isoformat(),
            },
            actor=actor,
        )
        question.answer = answer
        question.answered_at = now
        question.answered_by = actor
        question.answer_packet = packet
        question.save(update_fields=["answer", "answered_at", "answered_by", "answer_packet"])
        audit_record(
            actor=actor,
            action="proposal.answer_fund_question",
            obj=proposal,
            from_state=proposal.stage,
            to_state=proposal.stage,
            note=answer,
            data={"question": question.pk, "packet": str(packet.pk), "sequence": packet.sequence},
        )
    return question
