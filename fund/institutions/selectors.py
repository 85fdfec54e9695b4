"""Reads of offers, deal flows and interests, already restricted to what the user may see.

An institution sees a proposal only while it is opened (share not withdrawn, proposal still
openable) and fits its offer; every read below answers 404 otherwise.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from alliance.models import FinancialInstitution, Industry, Proposal, SubAlliance, User
from fund.institutions.fit import reasons
from fund.institutions.models import InstitutionFit, Interest, InterestState, Offer, ProposalShare
from fund.institutions.permissions import (
    OPENABLE_STATUSES,
    can_see_interest_summary,
    can_share,
    is_institution_user,
)
from portal.core.ids import parse_id
from portal.core.vocabulary import ChannelCode, Region


def institutions_with_offers() -> QuerySet[FinancialInstitution]:
    """Every active institution, with its offer (or none yet), by name."""
    return (
        FinancialInstitution.objects.filter(is_active=True).select_related("offer").order_by("name")
    )


def institution_get(pk) -> FinancialInstitution:
    try:
        return institutions_with_offers().get(pk=parse_id(pk))
    except FinancialInstitution.DoesNotExist as exc:
        raise Http404 from exc


def offer_of(institution: FinancialInstitution) -> Offer | None:
    try:
        return institution.offer
    except Offer.DoesNotExist:
        return None


def open_shares() -> QuerySet[ProposalShare]:
    return ProposalShare.objects.filter(
        withdrawn_at__isnull=True, proposal__status__in=OPENABLE_STATUSES
    )


def lead_proposal_get(user: User, pk) -> Proposal:
    """The proposal when `user` is its lead firm's applicant; 404 for anyone else."""
    proposal = Proposal.objects.filter(pk=parse_id(pk)).first()
    if proposal is None or not can_share(user, proposal):
        raise Http404
    return proposal


def share_of(proposal: Proposal) -> ProposalShare | None:
    return ProposalShare.objects.filter(proposal=proposal).first()


def is_open(proposal: Proposal) -> bool:
    return open_shares().filter(proposal=proposal).exists()


def dealflow(user: User) -> QuerySet[InstitutionFit]:
    """The institution's fitting opened proposals, best first (ties: newest proposal first)."""
    if not is_institution_user(user):
        return InstitutionFit.objects.none()
    return (
        InstitutionFit.objects.filter(
            institution_id=user.institution_id,
            fits=True,
            proposal__institution_share__withdrawn_at__isnull=True,
            proposal__status__in=OPENABLE_STATUSES,
        )
        .select_related("proposal__firm", "proposal__industry", "proposal__sub_alliance")
        .prefetch_related(
            Prefetch(
                "proposal__institution_interests",
                queryset=Interest.objects.filter(institution_id=user.institution_id),
                to_attr="own_interests",
            )
        )
        .order_by("-score", "-proposal_id")
    )


def dealflow_get(user: User, proposal_id) -> InstitutionFit:
    """One proposal of the deal flow, or 404 (unopened, withdrawn, not fitting, not yours)."""
    try:
        return dealflow(user).get(proposal_id=parse_id(proposal_id))
    except InstitutionFit.DoesNotExist as exc:
        raise Http404 from exc


def code_names() -> dict[str, str]:
    """Display names of industry and sub-alliance codes in the active language."""
    names = {i.code: i.name for i in Industry.objects.all()}
    names.update({s.code: s.name for s in SubAlliance.objects.all()})
    return names


def fit_reasons(fit: InstitutionFit, names: dict[str, str]) -> list[str]:
    return reasons(fit.breakdown, names=names)


def interests_visible_to(user: User) -> QuerySet[Interest]:
    """An institution's own interests; the interests a lead firm received on its proposals;
    nothing for anyone else. Interests in a proposal no longer open are closed (withdrawal
    closes them), so they stay readable as history without showing the proposal."""
    qs = Interest.objects.select_related(
        "institution", "proposal__firm", "created_by", "decided_by", "consultation"
    )
    if is_institution_user(user):
        return qs.filter(institution_id=user.institution_id)
    if user.is_authenticated and user.is_applicant:
        return qs.filter(proposal__firm_id=user.firm_id)
    return qs.none()


def interest_get(user: User, pk) -> Interest:
    try:
        return interests_visible_to(user).get(pk=parse_id(pk))
    except Interest.DoesNotExist as exc:
        raise Http404 from exc


def interests_for_proposal(proposal: Proposal) -> QuerySet[Interest]:
    return (
        Interest.objects.filter(proposal=proposal)
        .select_related("institution", "created_by", "consultation")
        .order_by("-created_at", "-id")
    )


def interest_summary(user: User) -> dict:
    """KEIT's and KDB's aggregate: opened proposals and interests counted per state."""
    if not can_see_interest_summary(user):
        raise Http404
    counts = dict(
        Interest.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    return {
        "opened_proposals": open_shares().count(),
        "interests": {state: counts.get(state, 0) for state in InterestState.values},
    }


def contact_of(person: User | None) -> dict | None:
    if person is None:
        return None
    return {
        "name": person.get_full_name() or person.username,
        "email": person.email,
        "phone": person.phone,
    }


def offer_display(offer: Offer | None, names: dict[str, str]) -> dict | None:
    """An offer's codes as labels in the active language; an empty list stays empty (all)."""
    if offer is None:
        return None
    return {
        "offer": offer,
        "channels": [str(ChannelCode(c).label) for c in offer.channels if c in ChannelCode.values],
        "industries": [names.get(c, c) for c in offer.industries],
        "sub_alliances": [names.get(c, c) for c in offer.sub_alliances],
        "regions": [str(Region(c).label) for c in offer.regions if c in Region.values],
    }


def channel_labels(codes) -> list[str]:
    return [str(ChannelCode(c).label) for c in codes if c in ChannelCode.values]
