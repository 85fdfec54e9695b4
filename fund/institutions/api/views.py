"""API of the institutions' part (SPEC §6): offers, opening a proposal, the deal flow and
interests. Reads go through the selectors (restricted to the caller, 404 for the rest); each
command is one view calling one service."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.models import User
from fund.institutions import selectors, services
from fund.institutions.api.serializers import (
    AcceptInput,
    DealOutput,
    DeclineInput,
    InstitutionOutput,
    InterestInput,
    InterestOutput,
    InterestSummaryOutput,
    OfferInput,
    ShareInput,
    ShareOutput,
)
from fund.institutions.models import Interest, InterestState, ProposalShare
from fund.institutions.permissions import is_institution_user
from portal.core.api import IdCursorPagination, validated_input

ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def offer_data(institution) -> dict | None:
    offer = selectors.offer_of(institution)
    if offer is None:
        return None
    return {
        "channels": offer.channels,
        "industries": offer.industries,
        "sub_alliances": offer.sub_alliances,
        "regions": offer.regions,
        "min_ticket_krw": offer.min_ticket_krw,
        "max_ticket_krw": offer.max_ticket_krw,
        "description": offer.description,
        "version": offer.version,
    }


def institution_data(institution) -> dict:
    return {
        "id": institution.pk,
        "name": institution.name,
        "name_en": institution.name_en,
        "kind": institution.kind,
        "offer": offer_data(institution),
    }


def deal_data(fit, names: dict[str, str]) -> dict:
    proposal = fit.proposal
    own = getattr(proposal, "own_interests", [])
    return {
        "proposal": proposal.pk,
        "title": proposal.title,
        "summary": proposal.summary,
        "sub_alliance": proposal.sub_alliance.code if proposal.sub_alliance else None,
        "industry": proposal.industry.code if proposal.industry else None,
        "region": proposal.region,
        "size_class": proposal.firm.size_class,
        "requested_krw": proposal.requested_krw,
        "eligible_channels": fit.eligible_channels,
        "fit": fit.score,
        "reasons": selectors.fit_reasons(fit, names),
        "interest": own[0].pk if own else None,
    }


def interest_data(interest: Interest, user: User) -> dict:
    accepted = interest.state == InterestState.ACCEPTED
    as_institution = is_institution_user(user)
    other = interest.decided_by if as_institution else interest.created_by
    return {
        "id": interest.pk,
        "proposal": interest.proposal_id,
        "institution": interest.institution_id,
        "institution_name": interest.institution.name,
        "message": interest.message,
        "state": interest.state,
        "created_at": interest.created_at,
        "decided_at": interest.decided_at,
        "firm_name": interest.proposal.firm.name if (accepted or not as_institution) else None,
        "contact": selectors.contact_of(other) if accepted else None,
        "consultation": interest.consultation_id if accepted else None,
    }


def share_data(share: ProposalShare) -> dict:
    return {
        "proposal": share.proposal_id,
        "open": share.is_open,
        "opened_at": share.opened_at,
        "withdrawn_at": share.withdrawn_at,
        "consent_text": share.consent_text,
    }


class InstitutionPagination(IdCursorPagination):
    ordering = "name"


@extend_schema(tags=["institutions"])
class InstitutionViewSet(viewsets.GenericViewSet):
    """The financial institutions and their offers: every signed-in user reads them; an
    institution's own users change its offer."""

    permission_classes = [IsAuthenticated]
    serializer_class = InstitutionOutput
    pagination_class = InstitutionPagination
    filter_backends = []

    def get_queryset(self):
        return selectors.institutions_with_offers()

    @extend_schema(summary="Financial institutions with their offers (every signed-in user)")
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([institution_data(i) for i in page])

    @extend_schema(summary="One institution with its offer", parameters=[ID])
    def retrieve(self, request, pk=None):
        return Response(institution_data(selectors.institution_get(pk)))

    @extend_schema(
        summary="Change the institution's offer (its own users); fields checked one by one",
        parameters=[ID],
        request=OfferInput,
        responses=InstitutionOutput,
    )
    def partial_update(self, request, pk=None):
        data = validated_input(OfferInput, request)
        version = data.pop("version", None)
        services.offer_update(institution_id=pk, actor=request.user, data=data, version=version)
        return Response(institution_data(selectors.institution_get(pk)))


@extend_schema(tags=["institutions"])
class ProposalShareView(APIView):
    """Open a submitted proposal to institutions with consent, or withdraw it at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Open the proposal to institutions (lead firm; consent must be true)",
        parameters=[ID],
        request=ShareInput,
        responses={200: ShareOutput, 201: ShareOutput},
    )
    def post(self, request, pk):
        selectors.lead_proposal_get(request.user, pk)  # 404 before the body is read
        data = validated_input(ShareInput, request)
        share, opened = services.share_open(
            proposal_id=pk, actor=request.user, consent=data["consent"]
        )
        code = status.HTTP_201_CREATED if opened else status.HTTP_200_OK
        return Response(ShareOutput(share_data(share)).data, status=code)

    @extend_schema(
        summary="Withdraw the proposal from institutions (lead firm); open interests close",
        parameters=[ID],
        request=None,
        responses={200: ShareOutput},
    )
    def delete(self, request, pk):
        selectors.lead_proposal_get(request.user, pk)
        share = services.share_withdraw(proposal_id=pk, actor=request.user)
        return Response(ShareOutput(share_data(share)).data)


class DealflowPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-score", "-proposal_id")


@extend_schema(tags=["institutions"])
class DealflowViewSet(viewsets.GenericViewSet):
    """The institution's deal flow: opened proposals that fit its offer, best first,
    anonymised (no firm name, documents or contacts)."""

    permission_classes = [IsAuthenticated]
    serializer_class = DealOutput
    pagination_class = DealflowPagination
    filter_backends = []

    def get_queryset(self):
        return selectors.dealflow(self.request.user)

    @extend_schema(summary="Opened proposals that fit your offer, best first (institutions)")
    def list(self, request):
        if not is_institution_user(request.user):
            raise PermissionDenied
        page = self.paginate_queryset(self.get_queryset())
        names = selectors.code_names()
        return self.get_paginated_response([deal_data(fit, names) for fit in page])

    @extend_schema(summary="One proposal of your deal flow", parameters=[ID])
    def retrieve(self, request, pk=None):
        fit = selectors.dealflow_get(request.user, pk)
        return Response(deal_data(fit, selectors.code_names()))


@extend_schema(tags=["institutions"])
class InterestViewSet(viewsets.GenericViewSet):
    """Interests: an institution's own, or those a lead firm received."""

    permission_classes = [IsAuthenticated]
    serializer_class = InterestOutput
    pagination_class = IdCursorPagination
    filter_backends = []

    def get_queryset(self):
        return selectors.interests_visible_to(self.request.user)

    @extend_schema(summary="Your institution's interests, or those your firm received")
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([interest_data(i, request.user) for i in page])

    @extend_schema(summary="One interest", parameters=[ID])
    def retrieve(self, request, pk=None):
        return Response(interest_data(selectors.interest_get(request.user, pk), request.user))

    @extend_schema(
        summary="Express interest in a proposal of your deal flow (institutions)",
        request=InterestInput,
        responses={201: InterestOutput},
    )
    def create(self, request):
        if not is_institution_user(request.user):
            raise PermissionDenied
        data = validated_input(InterestInput, request)
        interest = services.interest_express(
            actor=request.user, proposal_id=data["proposal"], message=data["message"]
        )
        interest = selectors.interest_get(request.user, interest.pk)
        return Response(interest_data(interest, request.user), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accept the interest (lead firm): a consultation opens, contacts are shared",
        parameters=[ID],
        request=AcceptInput,
        responses=InterestOutput,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        data = validated_input(AcceptInput, request)
        interest = services.interest_accept(
            interest_id=pk, actor=request.user, preferred_slots=data.get("preferred_slots")
        )
        interest = selectors.interest_get(request.user, interest.pk)
        return Response(interest_data(interest, request.user))

    @extend_schema(
        summary="Decline the interest (lead firm)",
        parameters=[ID],
        request=DeclineInput,
        responses=InterestOutput,
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = validated_input(DeclineInput, request)
        interest = services.interest_decline(
            interest_id=pk, actor=request.user, reason=data.get("reason", "")
        )
        interest = selectors.interest_get(request.user, interest.pk)
        return Response(interest_data(interest, request.user))

    @extend_schema(
        summary="Opened proposals and interests counted per state (KEIT, KDB)",
        responses=InterestSummaryOutput,
    )
    @action(detail=False, methods=["get"])
    def summary(self, request):
        try:
            return Response(selectors.interest_summary(request.user))
        except Http404 as exc:
            raise PermissionDenied from exc
