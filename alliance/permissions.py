"""Who may do what to which object. Pure functions of (user, object); no queries beyond roles."""

from .choices import FirmStatus, ProposalStatus
from .models import Proposal, User


def is_lead_member(user: User, proposal: Proposal) -> bool:
    return user.is_authenticated and user.is_applicant and user.firm_id == proposal.firm_id


def can_create_proposal(user: User) -> bool:
    return user.is_authenticated and user.is_applicant


def can_edit_proposal(user: User, proposal: Proposal) -> bool:
    return is_lead_member(user, proposal) and proposal.is_editable


def can_submit_proposal(user: User, proposal: Proposal) -> bool:
    return can_edit_proposal(user, proposal)


def can_withdraw_proposal(user: User, proposal: Proposal) -> bool:
    return is_lead_member(user, proposal) and proposal.is_withdrawable


def can_upload_document(user: User, proposal: Proposal) -> bool:
    return can_edit_proposal(user, proposal)


def can_request_info(user: User, proposal: Proposal) -> bool:
    return (
        user.is_authenticated
        and user.is_alliance_staff
        and (proposal.status == ProposalStatus.SUBMITTED)
    )


def can_verify_firm(user: User, firm) -> bool:
    return user.is_authenticated and user.is_alliance_staff and firm.status == FirmStatus.PENDING


def can_see_registry(user: User) -> bool:
    return user.is_authenticated and (user.is_alliance_staff or user.is_superuser)
