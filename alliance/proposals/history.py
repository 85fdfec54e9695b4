"""A proposal's audit history as people read it: every action and state in words.

Shared by the applicant's and KEIT's proposal page and the fund's review page, so no page
shows an audit code ("proposal.refer") or a state code ("in_review").
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from alliance.models import Proposal
from alliance.proposals import selectors
from portal.core.vocabulary import Decision, ProposalStatus, ReviewStage

HISTORY_ACTIONS = {
    "proposal.create": gettext_lazy("Draft created"),
    "proposal.update": gettext_lazy("Saved"),
    "proposal.discard": gettext_lazy("Draft discarded"),
    "proposal.autosave": gettext_lazy("Saved automatically"),
    "proposal.submit": gettext_lazy("Submitted"),
    "proposal.resubmit": gettext_lazy("Resubmitted"),
    "proposal.withdraw": gettext_lazy("Withdrawn"),
    "proposal.request_info": gettext_lazy("Information requested"),
    "document.upload": gettext_lazy("Document uploaded"),
    "document.delete": gettext_lazy("Document removed"),
    "proposal.refer": gettext_lazy("Referred to the fund"),
    "proposal.receive": gettext_lazy("Received by the fund secretariat"),
    "proposal.advance": gettext_lazy("Moved to the next review stage"),
    "proposal.fund_request_info": gettext_lazy("The fund secretariat asked for information"),
    "proposal.decide": gettext_lazy("Decision recorded"),
    "commitment.create": gettext_lazy("Amount committed from the channel"),
    "proposal.reopen": gettext_lazy("Returned to the investment review committee"),
    "proposal.release": gettext_lazy("Committed amount released"),
    "commitment.release": gettext_lazy("Amount released to the channel"),
    "agenda.add": gettext_lazy("Put on a committee agenda"),
    "agenda.remove": gettext_lazy("Taken off a committee agenda"),
    "agenda.reorder": gettext_lazy("Committee agenda reordered"),
    "review.comment": gettext_lazy("Review comment added"),
    "admin.change": gettext_lazy("Corrected by the administrator"),
    "admin.delete": gettext_lazy("Deleted by the administrator"),
    "proposal.assign_reviewer": gettext_lazy("Reviewer assigned"),
    "packet.acknowledge": gettext_lazy("Coordination packet acknowledged"),
    "packet.retry": gettext_lazy("Coordination packet sent again"),
    "proposal.relay_fund_question": gettext_lazy("The fund's question was sent to the applicant"),
    "proposal.answer_fund_question": gettext_lazy("The fund's question was answered"),
    "proposal.fund_info_received": gettext_lazy("The fund secretariat received the answer"),
    "proposal.share_open": gettext_lazy("Opened to financial institutions"),
    "proposal.share_withdraw": gettext_lazy("Withdrawn from financial institutions"),
    "interest.express": gettext_lazy("A financial institution expressed interest"),
    "interest.accept": gettext_lazy("Interest of a financial institution accepted"),
    "interest.decline": gettext_lazy("Interest of a financial institution declined"),
    "interest.close": gettext_lazy("Interest of a financial institution closed"),
}
# The two secretariats' internal work: an applicant sees that it happened, not their notes.
INTERNAL_NOTES = frozenset({"proposal.refer", "proposal.fund_request_info"})
INTERNAL_ACTIONS = frozenset({"proposal.assign_reviewer", "packet.acknowledge", "packet.retry"})
# The fund secretariat's own work on a review: only its staff see that it happened.
FUND_INTERNAL_ACTIONS = frozenset(
    {"review.comment", "agenda.add", "agenda.remove", "agenda.reorder"}
)
# The firm's dealings with financial institutions are its own: the secretariats see them only
# counted per state (fund.institutions), never on the proposal's history. Their states are
# not the proposal's, so the rows show the action alone.
FIRM_ONLY_ACTIONS = frozenset(
    {
        "proposal.share_open",
        "proposal.share_withdraw",
        "interest.express",
        "interest.accept",
        "interest.decline",
        "interest.close",
    }
)
# An action with no words of its own yet is named generically, never by its code.
OTHER_ACTION = gettext_lazy("Other change")


def history_rows(proposal: Proposal, user) -> list[dict]:
    """The proposal's audit rows `user` may see, each with its action and states in words."""
    staff = user.is_alliance_staff or user.is_fund_staff or user.is_superuser
    fund = user.is_fund_staff or user.is_superuser
    rows = []
    for entry in selectors.proposal_history(proposal):
        if not staff and entry.action in INTERNAL_ACTIONS:
            continue
        if not fund and entry.action in FUND_INTERNAL_ACTIONS:
            continue
        firm_only = entry.action in FIRM_ONLY_ACTIONS
        if firm_only and (staff or not user.is_applicant or user.firm_id != proposal.firm_id):
            continue
        note = entry.note if staff or entry.action not in INTERNAL_NOTES else ""
        if firm_only:
            note = ""
        if entry.action.startswith("document.") and not note:
            note = entry.data.get("name", "")
        rows.append(
            {
                "entry": entry,
                "action_label": HISTORY_ACTIONS.get(entry.action, OTHER_ACTION),
                "from_label": "" if firm_only else state_label(entry.from_state),
                "to_label": "" if firm_only else state_label(entry.to_state),
                "note": note,
            }
        )
    return rows


def state_label(code: str) -> str:
    """The words for a proposal status, review stage or decision code ("" stays "")."""
    if code in ProposalStatus.values:
        return str(ProposalStatus(code).label)
    if code in ReviewStage.values:
        return str(ReviewStage(code).label)
    if code in Decision.values:
        return str(Decision(code).label)
    return code
