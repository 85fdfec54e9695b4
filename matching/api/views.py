"""API views of the matching rules: staff read rule sets; the fund secretariat creates and
edits drafts, previews them and activates one (which rescores the pipeline in the background)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from matching import selectors, services
from matching.api.serializers import (
    MatchOutput,
    PreviewOutput,
    RescoreOutput,
    RuleSetCreateInput,
    RuleSetOutput,
    RuleSetUpdateInput,
)
from matching.models import RuleSet
from matching.selectors import results_for_proposal
from portal.core.api import IdCursorPagination, validated_input
from portal.core.ids import parse_id

RULE_SET_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class RuleSetPagination(IdCursorPagination):
    ordering = "-version"


def _staff_only(user) -> None:
    if not (user.is_superuser or user.is_alliance_staff or user.is_fund_staff):
        raise PermissionDenied


@extend_schema(tags=["rulesets"])
class RuleSetViewSet(viewsets.GenericViewSet):
    """Versioned matching rule sets (draft → active → retired)."""

    permission_classes = [IsAuthenticated]
    serializer_class = RuleSetOutput
    pagination_class = RuleSetPagination
    filter_backends = []

    def get_queryset(self):
        return selectors.rule_sets_visible_to(self.request.user)

    def get_object(self) -> RuleSet:
        try:
            return self.get_queryset().get(pk=parse_id(self.kwargs["pk"]))
        except RuleSet.DoesNotExist as exc:
            raise Http404 from exc

    def _input(self, serializer_class) -> dict:
        return validated_input(serializer_class, self.request)

    @extend_schema(summary="Rule sets, newest version first (staff)")
    def list(self, request):
        _staff_only(request.user)
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RuleSetOutput(page, many=True).data)

    @extend_schema(parameters=[RULE_SET_ID], summary="One rule set")
    def retrieve(self, request, pk=None):
        return Response(RuleSetOutput(self.get_object()).data)

    @extend_schema(
        summary="Create a draft copying a rule set (fund secretariat)",
        request=RuleSetCreateInput,
        responses={201: RuleSetOutput},
    )
    def create(self, request):
        _staff_only(request.user)
        based_on = self._input(RuleSetCreateInput).get("based_on")
        if based_on is not None and not self.get_queryset().filter(pk=based_on).exists():
            raise serializers.ValidationError({"based_on": [_("Choose an existing rule set.")]})
        draft = services.rule_set_create_draft(actor=request.user, based_on_id=based_on)
        return Response(RuleSetOutput(draft).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[RULE_SET_ID],
        summary="Replace a draft's name, description and rules (fund secretariat)",
        request=RuleSetUpdateInput,
        responses=RuleSetOutput,
    )
    def update(self, request, pk=None):
        rule_set = self.get_object()
        data = self._input(RuleSetUpdateInput)
        rule_set = services.rule_set_update_draft(
            rule_set_id=rule_set.pk,
            actor=request.user,
            name=data["name"],
            description=data.get("description", ""),
            rules=data["rules"],
        )
        return Response(RuleSetOutput(rule_set).data)

    @extend_schema(
        parameters=[RULE_SET_ID],
        methods=["GET"],
        summary="The latest preview of a draft",
        responses=PreviewOutput,
    )
    @extend_schema(
        parameters=[RULE_SET_ID],
        methods=["POST"],
        summary="Preview which proposals would change if the draft were activated",
        request=None,
        responses={202: PreviewOutput},
    )
    @action(detail=True, methods=["get", "post"])
    def preview(self, request, pk=None):
        rule_set = self.get_object()
        if request.method == "POST":
            preview = services.preview_start(rule_set_id=rule_set.pk, actor=request.user)
            return Response(PreviewOutput(preview).data, status=status.HTTP_202_ACCEPTED)
        preview = selectors.latest_preview(rule_set)
        if preview is None:
            raise Http404
        return Response(PreviewOutput(preview).data)

    @extend_schema(
        parameters=[RULE_SET_ID],
        summary="Activate a draft; the whole pipeline is rescored in the background",
        request=None,
        responses={202: RescoreOutput},
    )
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        rule_set = self.get_object()
        run = services.rule_set_activate(rule_set_id=rule_set.pk, actor=request.user)
        return Response(
            RescoreOutput(selectors.rescore_progress(run)).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(
        parameters=[RULE_SET_ID],
        summary="Progress of the latest rescore under this rule set",
        responses=RescoreOutput,
    )
    @action(detail=True, methods=["get"])
    def rescore(self, request, pk=None):
        run = selectors.latest_rescore(self.get_object())
        if run is None:
            raise Http404
        return Response(RescoreOutput(selectors.rescore_progress(run)).data)


OBJECT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


class ProposalMatchesMixin:
    """The proposals resource's `matches` action: a proposal's results under the active rules.

    Mixed into the proposals viewset at the top (fund.api), so that alliance's viewset needs
    nothing from matching."""

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Match results: each channel's eligibility, score, breakdown and hints",
        responses=MatchOutput(many=True),
    )
    # One result per channel, in one array: no cursor pages (and none in the schema).
    @action(detail=True, methods=["get"], pagination_class=None)
    def matches(self, request, pk=None):
        results = results_for_proposal(self.get_object())
        return Response(MatchOutput(results, many=True).data)
