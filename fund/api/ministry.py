"""The API of the ministries' part and the public self-check (SPEC §6): 산업부's
recommendation (an action of the proposals resource), the aggregate pipeline summary, the
shared-infrastructure plans, and `self-check/`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.api.serializers import SUB_ALLIANCE_CODES
from alliance.api.views import OBJECT_ID
from fund.ministry import permissions as ministry_permissions
from fund.ministry import selectors as ministry_selectors
from fund.ministry import services as ministry_services
from fund.ministry.models import NOTE_MAX, TITLE_MAX, InfraKind
from fund.overview.selectors import BEFORE_FUND, pipeline_summary
from fund.site.self_check import SelfCheckForm, self_check_run
from matching.api.serializers import BreakdownItemOutput, CheckOutput, HintOutput
from portal.core.api import FieldErrorsSerializer, IdCursorPagination, validated_input
from portal.core.throttles import SelfCheckThrottle
from portal.core.vocabulary import (
    FUND_SIZE_KRW,
    INDUSTRY_CODES,
    ChannelCode,
    FundUse,
    Region,
    ReviewStage,
    SizeClass,
    Structure,
)

# ---------------------------------------------------------------------------------------------
# 산업부 recommends a proposal


class RecommendInput(serializers.Serializer):
    note = serializers.CharField(max_length=NOTE_MAX, help_text="Why 산업부 recommends it.")


class RecommendationOutput(serializers.Serializer):
    proposal = serializers.IntegerField(source="proposal_id")
    note = serializers.CharField()
    recommended_at = serializers.DateTimeField(source="created_at")


class ProposalRecommendMixin:
    """The proposals resource's `recommend` action (mixed in at fund.api.views)."""

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Recommend a submitted proposal to the fund (산업부 only); once per proposal",
        request=RecommendInput,
        responses={
            201: RecommendationOutput,
            400: FieldErrorsSerializer,
            404: OpenApiResponse(description="Not found, or not one you may see."),
            409: OpenApiResponse(description="Already recommended, or no longer recommendable."),
        },
    )
    @action(detail=True, methods=["post"])
    def recommend(self, request, pk=None):
        if not ministry_permissions.can_recommend(request.user):
            self.get_object()  # 404 for a proposal the caller may not see
            raise PermissionDenied
        proposal = ministry_selectors.candidate_get(request.user, pk)
        data = self._input(RecommendInput)
        recommendation = ministry_services.proposal_recommend(
            proposal_id=proposal.pk, actor=request.user, note=data["note"]
        )
        return Response(RecommendationOutput(recommendation).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------------
# The aggregate picture


class WaitingRow(serializers.Serializer):
    status = serializers.ChoiceField(choices=[str(s) for s in BEFORE_FUND])
    count = serializers.IntegerField()
    requested_krw = serializers.IntegerField()


class StageRow(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ChannelCode.choices)
    stage = serializers.ChoiceField(choices=ReviewStage.choices)
    count = serializers.IntegerField()
    requested_krw = serializers.IntegerField()
    approved_krw = serializers.IntegerField()


class RecommendationCounts(serializers.Serializer):
    total = serializers.IntegerField()
    at_fund = serializers.IntegerField()


class PipelineSummaryOutput(serializers.Serializer):
    before_fund = WaitingRow(many=True)
    by_channel_and_stage = StageRow(many=True)
    recommendations = RecommendationCounts()


@extend_schema(tags=["stats"])
class PipelineSummaryView(APIView):
    """Counts and won by channel and review stage, with no firm or proposal named (the
    ministries and both secretariats)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The pipeline by channel and stage: counts and amounts only",
        responses=PipelineSummaryOutput,
    )
    def get(self, request):
        if not ministry_permissions.can_see_overview(request.user):
            raise PermissionDenied
        return Response(PipelineSummaryOutput(pipeline_summary()).data)


# ---------------------------------------------------------------------------------------------
# Shared-infrastructure plans


class InfraPlanOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=InfraKind.choices)
    description = serializers.CharField()
    sub_alliance = serializers.CharField(source="sub_alliance.code", allow_null=True, default=None)
    region = serializers.CharField()
    budget_krw = serializers.IntegerField(allow_null=True)
    open = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class InfraPlanInput(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    kind = serializers.ChoiceField(choices=InfraKind.choices)
    description = serializers.CharField(max_length=NOTE_MAX * 2)
    sub_alliance = serializers.ChoiceField(
        choices=SUB_ALLIANCE_CODES, required=False, allow_null=True
    )
    region = serializers.ChoiceField(choices=Region.choices, required=False, allow_blank=True)
    budget_krw = serializers.IntegerField(
        min_value=1, max_value=FUND_SIZE_KRW, required=False, allow_null=True
    )
    open = serializers.BooleanField(required=False, default=True)


class JoinOutput(serializers.Serializer):
    proposal = serializers.IntegerField(source="pk")
    plan = serializers.IntegerField(source="infra_plan_link.plan_id")
    status = serializers.CharField()


class InfraPlanPagination(IdCursorPagination):
    ordering = ("-created_at", "-id")


@extend_schema(tags=["ministry"])
class InfraPlanViewSet(viewsets.GenericViewSet):
    """산업부's shared-infrastructure plans (S1 ②): members read the open ones and start a
    consortium proposal for one; 산업부 and KEIT register them."""

    permission_classes = [IsAuthenticated]
    serializer_class = InfraPlanOutput
    pagination_class = InfraPlanPagination
    filter_backends = []

    def get_queryset(self):
        return ministry_selectors.plans_for(self.request.user)

    @extend_schema(summary="Shared-infrastructure plans you may see")
    def list(self, request):
        if not ministry_permissions.can_see_plans(request.user):
            raise PermissionDenied
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InfraPlanOutput(page, many=True).data)

    @extend_schema(parameters=[OBJECT_ID], summary="One shared-infrastructure plan")
    def retrieve(self, request, pk=None):
        return Response(InfraPlanOutput(ministry_selectors.plan_get(request.user, pk)).data)

    @extend_schema(
        summary="Register a shared-infrastructure plan (산업부, KEIT)",
        request=InfraPlanInput,
        responses={201: InfraPlanOutput, 400: FieldErrorsSerializer},
    )
    def create(self, request):
        if not ministry_permissions.can_manage_plans(request.user):
            raise PermissionDenied
        data = dict(validated_input(InfraPlanInput, request))
        if data.get("sub_alliance"):
            from alliance.models import SubAlliance

            data["sub_alliance"] = SubAlliance.objects.get(code=data["sub_alliance"])
        plan = ministry_services.plan_create(actor=request.user, data=data)
        return Response(InfraPlanOutput(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Start a consortium proposal for the plan: a draft of your firm (applicants)",
        request=None,
        responses={201: JoinOutput, 409: OpenApiResponse(description="The plan is closed.")},
    )
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        plan = ministry_selectors.plan_get(request.user, pk)
        proposal = ministry_services.plan_join(plan=plan, actor=request.user)
        return Response(JoinOutput(proposal).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------------
# The public self-check


class SelfCheckInput(serializers.Serializer):
    """What the self-check reads (documentation of the body; the page's form validates it)."""

    sub_alliance = serializers.ChoiceField(choices=SUB_ALLIANCE_CODES)
    industry = serializers.ChoiceField(choices=INDUSTRY_CODES)
    fund_uses = serializers.ListField(child=serializers.ChoiceField(choices=FundUse.choices))
    structure = serializers.ChoiceField(choices=Structure.choices)
    region = serializers.ChoiceField(choices=Region.choices)
    size_class = serializers.ChoiceField(choices=SizeClass.choices)
    total_cost_krw = serializers.IntegerField(min_value=1, max_value=FUND_SIZE_KRW)
    requested_krw = serializers.IntegerField(min_value=1, max_value=FUND_SIZE_KRW)
    private_coinvest_krw = serializers.IntegerField(min_value=0, max_value=FUND_SIZE_KRW)
    trl = serializers.IntegerField(min_value=1, max_value=9)
    ai_related = serializers.BooleanField(required=False, default=False)


class SelfCheckResult(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ChannelCode.choices)
    eligible = serializers.BooleanField()
    score = serializers.IntegerField(min_value=0, max_value=100)
    breakdown = BreakdownItemOutput(many=True)
    checks = CheckOutput(many=True)
    hints = HintOutput(many=True)
    rule_version = serializers.IntegerField()


@extend_schema(tags=["site"])
class SelfCheckView(APIView):
    """The public self-check (자가진단): the active rule set on the values sent, one result per
    channel. Nothing is stored; limited per client address (429 beyond)."""

    permission_classes = [AllowAny]
    throttle_classes = [SelfCheckThrottle]

    @extend_schema(
        summary="Run the active matching rules on a project's values (no sign-in, nothing stored)",
        request=SelfCheckInput,
        responses={200: SelfCheckResult(many=True), 400: FieldErrorsSerializer},
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        form = SelfCheckForm(data=request.data)
        if not form.is_valid():
            raise serializers.ValidationError(
                {field: [str(m) for m in messages] for field, messages in form.errors.items()}
            )
        return Response(SelfCheckResult(self_check_run(form.cleaned_data), many=True).data)
