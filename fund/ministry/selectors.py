"""Reads for the ministries' part: recommendations, candidates to recommend, plans."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from alliance.models import Proposal, User
from fund.ministry import permissions
from fund.ministry.models import InfraPlan, Recommendation
from portal.core.vocabulary import ProposalStatus

# A proposal may be recommended while the fund can still act on it: from submission until the
# fund's decision (this portal's operating rule, D22).
RECOMMENDABLE = (
    ProposalStatus.SUBMITTED,
    ProposalStatus.INFO_REQUESTED,
    ProposalStatus.REFERRED,
    ProposalStatus.IN_REVIEW,
)
CANDIDATES_PER_PAGE = 50


def with_recommended(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """`recommended` (bool) on each proposal: 산업부 recommended it (one subquery, no join)."""
    return qs.annotate(
        recommended=Exists(Recommendation.objects.filter(proposal_id=OuterRef("pk")))
    )


def recommended_ids(proposal_ids) -> set[int]:
    """Which of these proposals 산업부 recommended (one query)."""
    return set(
        Recommendation.objects.filter(proposal_id__in=list(proposal_ids)).values_list(
            "proposal_id", flat=True
        )
    )


def recommendation_for(proposal_id: int, user: User) -> Recommendation | None:
    """The recommendation of a proposal, for those who may see it; None otherwise."""
    if not permissions.can_see_recommendations(user):
        return None
    return Recommendation.objects.filter(proposal_id=proposal_id).first()


def candidates_for(user: User) -> QuerySet[Proposal]:
    """Proposals 산업부 may recommend, newest submission first, without anything that names
    the firm: the page and the API show the project, never the firm (D22)."""
    if not permissions.can_recommend(user):
        return Proposal.objects.none()
    return with_recommended(
        Proposal.objects.filter(status__in=RECOMMENDABLE)
        .select_related("sub_alliance", "industry", "ministry_recommendation")
        .only(
            "id",
            "title",
            "summary",
            "status",
            "region",
            "requested_krw",
            "trl",
            "ai_related",
            "submitted_at",
            "sub_alliance__code",
            "sub_alliance__name_ko",
            "sub_alliance__name_en",
            "industry__code",
            "industry__name_ko",
            "industry__name_en",
            "ministry_recommendation__note",
            "ministry_recommendation__created_at",
        )
    ).order_by("-submitted_at", "-id")


def candidate_get(user: User, pk) -> Proposal:
    try:
        return candidates_for(user).get(pk=int(pk))
    except (Proposal.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def plans_for(user: User) -> QuerySet[InfraPlan]:
    """Shared-infrastructure plans: open ones for members, all of them for the planners."""
    if not permissions.can_see_plans(user):
        return InfraPlan.objects.none()
    qs = InfraPlan.objects.select_related("sub_alliance")
    if not permissions.can_manage_plans(user) and not permissions.can_see_overview(user):
        qs = qs.filter(open=True)
    return qs


def plan_get(user: User, pk) -> InfraPlan:
    try:
        return plans_for(user).get(pk=int(pk))
    except (InfraPlan.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def plan_proposals_of(plan: InfraPlan, user: User) -> QuerySet[Proposal]:
    """An applicant's own firm's proposals for the plan (the planners see only the count)."""
    if not user.is_authenticated or not user.is_applicant:
        return Proposal.objects.none()
    return Proposal.objects.filter(infra_plan_link__plan=plan, firm_id=user.firm_id).order_by("pk")
