"""API of automatic routing (SPEC §7): the switch (read by both secretariats, set by KEIT),
the policy versions (KEIT writes drafts and activates one, both read) and their preview."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from fund.routing import selectors, services
from fund.routing.api.serializers import (
    RoutingActivateInput,
    RoutingPolicyCreateInput,
    RoutingPolicyOutput,
    RoutingPolicyUpdateInput,
    RoutingPreviewOutput,
    RoutingStateOutput,
)
from fund.routing.models import RoutingPolicy
from fund.routing.permissions import can_manage_routing, can_see_routing
from portal.core.api import IdCursorPagination, validated_input

POLICY_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def _state() -> dict:
    policy = selectors.active_policy()
    switch = selectors.switch_state()
    return {
        "active_version": policy.version if policy else None,
        "active_policy": policy.pk if policy else None,
        "paused": switch.paused,
        "changed_at": switch.changed_at,
        "waiting": selectors.waiting_count(),
    }


@extend_schema(tags=["routing"])
class RoutingStateView(APIView):
    """Whether automatic routing runs, and under which policy version."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The active routing policy and the pause switch (KEIT, KDB)",
        responses=RoutingStateOutput,
    )
    def get(self, request) -> Response:
        if not can_see_routing(request.user):
            raise PermissionDenied
        return Response(RoutingStateOutput(_state()).data)


@extend_schema(tags=["routing"])
class RoutingPauseView(APIView):
    """Stop automatic routing at once (KEIT); hand referral keeps working."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Pause automatic routing (KEIT); 409 when already paused",
        request=None,
        responses=RoutingStateOutput,
    )
    def post(self, request) -> Response:
        services.routing_pause(actor=request.user)
        return Response(RoutingStateOutput(_state()).data)


@extend_schema(tags=["routing"])
class RoutingResumeView(APIView):
    """Start automatic routing again (KEIT): the waiting proposals are looked at."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Resume automatic routing (KEIT); 409 when it runs",
        request=None,
        responses=RoutingStateOutput,
    )
    def post(self, request) -> Response:
        services.routing_resume(actor=request.user)
        return Response(RoutingStateOutput(_state()).data)


class RoutingPolicyPagination(IdCursorPagination):
    ordering = "-version"


@extend_schema(tags=["routing"])
class RoutingPolicyViewSet(viewsets.GenericViewSet):
    """Versioned routing policies (draft → active → retired): KEIT writes, both read."""

    permission_classes = [IsAuthenticated]
    serializer_class = RoutingPolicyOutput
    pagination_class = RoutingPolicyPagination
    filter_backends = []

    def get_queryset(self):
        return selectors.policies_visible_to(self.request.user)

    def get_object(self) -> RoutingPolicy:
        return selectors.policy_get(self.request.user, self.kwargs["pk"])

    @extend_schema(summary="Routing policy versions, newest first (KEIT, KDB)")
    def list(self, request):
        if not can_see_routing(request.user):
            raise PermissionDenied
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RoutingPolicyOutput(page, many=True).data)

    @extend_schema(parameters=[POLICY_ID], summary="One routing policy version")
    def retrieve(self, request, pk=None):
        return Response(RoutingPolicyOutput(self.get_object()).data)

    @extend_schema(
        summary="Create a draft copying a version (KEIT)",
        request=RoutingPolicyCreateInput,
        responses={201: RoutingPolicyOutput},
    )
    def create(self, request):
        if not can_manage_routing(request.user):
            raise PermissionDenied
        based_on = validated_input(RoutingPolicyCreateInput, request).get("based_on")
        if based_on is not None and not self.get_queryset().filter(pk=based_on).exists():
            raise serializers.ValidationError(
                {"based_on": [_("Choose an existing routing policy.")]}
            )
        draft = services.policy_create_draft(actor=request.user, based_on_id=based_on)
        return Response(RoutingPolicyOutput(draft).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[POLICY_ID],
        summary="Replace a draft's name, description and policy (KEIT); each wrong setting "
        "is named by its path",
        request=RoutingPolicyUpdateInput,
        responses=RoutingPolicyOutput,
    )
    def update(self, request, pk=None):
        policy = self.get_object()
        if not can_manage_routing(request.user):
            raise PermissionDenied
        data = validated_input(RoutingPolicyUpdateInput, request)
        policy = services.policy_update_draft(
            policy_id=policy.pk,
            actor=request.user,
            name=data["name"],
            description=data.get("description", ""),
            document=data["policy"],
        )
        return Response(RoutingPolicyOutput(policy).data)

    @extend_schema(
        parameters=[POLICY_ID],
        summary="What this version would route now: counts per channel and the proposals",
        responses=RoutingPreviewOutput,
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        return Response(RoutingPreviewOutput(selectors.preview(self.get_object())).data)

    @extend_schema(
        parameters=[POLICY_ID],
        summary="Activate a draft (KEIT; send confirm: true); the previous version retires",
        request=RoutingActivateInput,
        responses=RoutingPolicyOutput,
    )
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        policy = self.get_object()
        if not can_manage_routing(request.user):
            raise PermissionDenied
        confirm = validated_input(RoutingActivateInput, request)["confirm"]
        policy = services.policy_activate(policy_id=policy.pk, actor=request.user, confirm=confirm)
        return Response(RoutingPolicyOutput(policy).data)
