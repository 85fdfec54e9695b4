"""Who may do what to which object. Pure functions of (user, object); no queries beyond roles."""

from alliance.models import Consultation, Proposal, User
from portal.core.vocabulary import FirmStatus, ProposalStatus


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


def can_request_consultation(user: User) -> bool:
    return user.is_authenticated and user.is_applicant


def can_handle_consultations(user: User) -> bool:
    """Either secretariat confirms and declines; a superuser may look but not act."""
    return user.is_authenticated and (user.is_fund_staff or user.is_alliance_staff)


def is_institution_member(user: User, consultation: Consultation) -> bool:
    """A user of the institution the consultation is addressed to."""
    return (
        user.is_authenticated
        and user.is_institution_staff
        and user.institution_id == consultation.institution_id
    )


def can_answer_consultation(user: User, consultation: Consultation) -> bool:
    """Either secretariat, or the addressed institution itself, confirms or declines."""
    return can_handle_consultations(user) or is_institution_member(user, consultation)


def can_see_all_consultations(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or can_handle_consultations(user))


def is_firm_member(user: User, consultation: Consultation) -> bool:
    return user.is_authenticated and user.is_applicant and user.firm_id == consultation.firm_id
