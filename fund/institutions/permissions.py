"""Who may do what with institutions' offers, opened proposals and interests."""

from __future__ import annotations

from alliance.models import FinancialInstitution, Proposal, User
from alliance.permissions import is_lead_member
from portal.core.vocabulary import ProposalStatus

# A proposal can be opened to institutions once it is submitted, and stays openable while it
# is with the secretariats or the fund; never as a draft nor once withdrawn (D20).
OPENABLE_STATUSES = frozenset(
    {
        ProposalStatus.SUBMITTED,
        ProposalStatus.INFO_REQUESTED,
        ProposalStatus.REFERRED,
        ProposalStatus.IN_REVIEW,
        ProposalStatus.DECIDED,
    }
)


def is_institution_user(user: User) -> bool:
    return user.is_authenticated and user.is_institution_staff


def can_browse_offers(user: User) -> bool:
    """Every signed-in user with a role reads the offers (SPEC §6)."""
    return user.is_authenticated


def can_edit_offer(user: User, institution: FinancialInstitution) -> bool:
    return is_institution_user(user) and user.institution_id == institution.pk


def can_share(user: User, proposal: Proposal) -> bool:
    """Only the lead firm's applicants open or withdraw their proposal."""
    return is_lead_member(user, proposal)


def can_see_interest_summary(user: User) -> bool:
    """KEIT and KDB see how the interests stand, counted per state."""
    return user.is_authenticated and (
        user.is_superuser or user.is_alliance_staff or user.is_fund_staff
    )
