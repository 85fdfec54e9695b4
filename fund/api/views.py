"""API views of the fund: channels, the coordination queue, the pipeline, demand statistics and
the information site. Reads use the pages' selectors; writes are one service call each."""

import copy

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from alliance import stats
from alliance.api.serializers import SUB_ALLIANCE_CODES, ProposalOutput
from alliance.api.views import OBJECT_ID
from alliance.api.views import ProposalViewSet as AllianceProposalViewSet
from alliance.models import Industry
from fund.api.ministry import ProposalRecommendMixin
from fund.api.serializers import (
    REVIEW_ROW_FIELDS,
    AdvanceInput,
    ChannelOutput,
    DecideInput,
    DecideOutput,
    DemandOutput,
    EventOutput,
    FaqOutput,
    NoticeOutput,
    PacketOutput,
    ReferInput,
    ReferOutput,
    RegistrationInput,
    RegistrationOutput,
    ReviewOutput,
    review_value_rows,
)
from fund.capacity import selectors
from fund.coordination import permissions as coordination_permissions
from fund.coordination import selectors as coordination_selectors
from fund.coordination import services as coordination
from fund.coordination.models import PacketDirection, PacketKind, PacketState
from fund.review import permissions as review_permissions
from fund.review import selectors as pipeline_selectors
from fund.review import services as pipeline
from fund.review.selectors import reviews_visible_to
from fund.site import selectors as site_selectors
from fund.site import services as site_services
from fund.site.models import FaqCategory
from matching.api.views import ProposalMatchesMixin
from portal.core.aggregate_cache import cached
from portal.core.api import IdCursorPagination
from portal.core.vocabulary import INDUSTRY_CODES, ChannelCode, Region, ReviewStage

PACKET_PAGE_SIZE = 50
PACKET_PAGE_MAX = 200


def _query(serializer_class, request) -> dict:
    """Query parameters checked like a body: bad values answer 400 with field errors."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return {k: v for k, v in query.validated_data.items() if v not in (None, "")}


# ---------------------------------------------------------------------------------------------
# Channels


def _channels():
    return selectors.channels_with_capacity(year=timezone.localdate().year)


def _channel_row(channel) -> dict:
    return {
        "code": channel.code,
        "name": channel.name,
        "name_ko": channel.name_ko,
        "name_en": channel.name_en,
        "size_krw": channel.size_krw,
        "annual_plan_krw": channel.annual_plan_krw,
        "committed_krw": channel.committed_krw,
        "remaining_krw": channel.size_krw - channel.committed_krw,
        "funds": channel.funds,
        "who": channel.who,
        "terms": channel.terms,
        "terms_ko": channel.terms_ko,
        "terms_en": channel.terms_en,
    }


@extend_schema(tags=["channels"])
class ChannelViewSet(viewsets.ViewSet):
    """The four channels with live capacity from the commitment ledger (public)."""

    permission_classes = [AllowAny]
    lookup_field = "code"

    @extend_schema(summary="The four channels", responses=ChannelOutput(many=True))
    def list(self, request):
        return Response(ChannelOutput([_channel_row(c) for c in _channels()], many=True).data)

    @extend_schema(
        summary="One channel",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, enum=ChannelCode.values)],
        responses=ChannelOutput,
    )
    def retrieve(self, request, code=None):
        channel = _channels().filter(code=code).first()
        if channel is None:
            raise Http404
        return Response(ChannelOutput(_channel_row(channel)).data)


# ---------------------------------------------------------------------------------------------
# Coordination queue


class PacketQuery(serializers.Serializer):
    after = serializers.IntegerField(
        min_value=0,
        max_value=2**62,
        required=False,
        help_text="Only packets with a larger sequence (the last one you processed).",
    )
    page_size = serializers.IntegerField(min_value=1, max_value=PACKET_PAGE_MAX, required=False)
    direction = serializers.ChoiceField(choices=PacketDirection.choices, required=False)
    kind = serializers.ChoiceField(choices=PacketKind.choices, required=False)
    state = serializers.ChoiceField(choices=PacketState.choices, required=False)
    proposal = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


# many=False: the answer of this `list` action is one page object, not (as drf-spectacular
# assumes of a `list`) an array of them.
@extend_schema_serializer(many=False)
class PacketPage(serializers.Serializer):
    """One page of the queue in sequence order: `next_after` is the `after` of the next page
    (and `next` its URL), both null on the last page."""

    next = serializers.URLField(allow_null=True)
    next_after = serializers.IntegerField(allow_null=True)
    results = PacketOutput(many=True)


def _packet_or_404(user, pk):
    packet = coordination_selectors.packet_get_for_user(user, pk)
    return packet


PACKET_ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)


@extend_schema(tags=["coordination"])
class PacketViewSet(viewsets.ViewSet):
    """The KEIT–KDB coordination queue. Both secretariats see every packet; an outside system
    pulls it in order with `?after=<sequence>` and acknowledges what it has taken in."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Packets in sequence order, after a sequence number",
        parameters=[PacketQuery],
        responses=PacketPage,
    )
    def list(self, request):
        if not coordination_permissions.can_see_queue(request.user):
            raise PermissionDenied
        query = _query(PacketQuery, request)
        qs = coordination_selectors.packets_visible_to(request.user)
        for field in ("direction", "kind", "state"):
            if field in query:
                qs = qs.filter(**{field: query[field]})
        if "proposal" in query:
            qs = qs.filter(proposal_id=query["proposal"])
        after = query.get("after", 0)
        size = query.get("page_size", PACKET_PAGE_SIZE)
        rows = list(qs.filter(sequence__gt=after).order_by("sequence")[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        next_after = rows[-1].sequence if more else None
        url = request.build_absolute_uri()
        body = {
            "next": replace_query_param(url, "after", next_after) if more else None,
            "next_after": next_after,
            "results": PacketOutput(rows, many=True).data,
        }
        return Response(body)

    @extend_schema(summary="One packet", parameters=[PACKET_ID], responses=PacketOutput)
    def retrieve(self, request, pk=None):
        return Response(PacketOutput(_packet_or_404(request.user, pk)).data)

    @extend_schema(
        summary="Acknowledge a delivered packet (the receiving side)",
        parameters=[PACKET_ID],
        request=None,
        responses=PacketOutput,
    )
    @action(detail=True, methods=["post"])
    def ack(self, request, pk=None):
        packet = _packet_or_404(request.user, pk)
        try:
            packet = coordination.packet_acknowledge(packet_id=packet.pk, actor=request.user)
        except coordination.PacketNotFound as exc:
            raise Http404 from exc
        return Response(PacketOutput(packet).data)


# ---------------------------------------------------------------------------------------------
# Pipeline


class _FixedChoiceField(serializers.ChoiceField):
    """A choice field of a query serializer whose choices never change after import.

    Every serializer instance deep-copies its declared fields, and a ChoiceField's copy
    deep-copies its lazily translated labels and rebuilds its choice maps: most of the time
    of checking the pipeline's query. A declared field is never changed (binding only sets
    the copy's own name and parent), so a shallow copy is the same field."""

    def __deepcopy__(self, memo):
        return copy.copy(self)


class PipelineQuery(serializers.Serializer):
    channel = _FixedChoiceField(choices=ChannelCode.choices, required=False)
    stage = _FixedChoiceField(choices=ReviewStage.choices, required=False)
    min_score = serializers.IntegerField(min_value=0, max_value=100, required=False)
    sub_alliance = _FixedChoiceField(choices=SUB_ALLIANCE_CODES, required=False)
    industry = _FixedChoiceField(choices=INDUSTRY_CODES, required=False)
    region = _FixedChoiceField(choices=Region.choices, required=False)
    sort = _FixedChoiceField(
        choices=pipeline_selectors.SORTS,
        required=False,
        help_text="`score` (highest first, default) or `age` (longest in its stage first).",
    )
    after = serializers.CharField(
        max_length=40, required=False, help_text="The `next_after` cursor of the previous page."
    )


PipelinePage = inline_serializer(
    "PipelinePage",
    {
        "next": serializers.URLField(allow_null=True),
        "next_after": serializers.CharField(allow_null=True),
        "results": ReviewOutput(many=True),
    },
)


def _industry_codes(rows) -> dict:
    """Industry id → code: a reference list, cached until an industry changes."""
    if not any(row["proposal__industry_id"] for row in rows):
        return {}
    return cached("industry_codes", lambda: dict(Industry.objects.values_list("pk", "code")))


@extend_schema(tags=["pipeline"])
class PipelineView(APIView):
    """The fund secretariat's pipeline of referred proposals (KDB only)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Referred proposals by channel and stage, filtered and sorted",
        parameters=[PipelineQuery],
        responses=PipelinePage,
    )
    def get(self, request):
        if not review_permissions.can_see_pipeline(request.user):
            raise PermissionDenied
        query = _query(PipelineQuery, request)
        sort = query.pop("sort", "score")
        after = query.pop("after", None)
        rows, next_after = pipeline_selectors.pipeline_page_values(
            request.user, query, REVIEW_ROW_FIELDS, sort=sort, after=after
        )
        url = request.build_absolute_uri()
        body = {
            "next": replace_query_param(url, "after", next_after) if next_after else None,
            "next_after": next_after,
            "results": review_value_rows(rows, industry_codes=_industry_codes(rows)),
        }
        return Response(body)


# ---------------------------------------------------------------------------------------------
# Demand statistics


def _demand_row(item, *, surveyed: bool = False) -> dict:
    row = {
        "code": item.code,
        "name": item.name,
        "proposal_count": item.proposal_count,
        "requested_krw": item.requested_krw,
    }
    if surveyed:
        row["surveyed_demand_krw"] = item.surveyed_demand_krw
    return row


@extend_schema(tags=["stats"])
class DemandView(APIView):
    """Live aggregated demand of submitted proposals: counts and sums only (public)."""

    permission_classes = [AllowAny]

    @extend_schema(summary="Demand by sub-alliance and industry", responses=DemandOutput)
    def get(self, request):
        body = {
            "totals": stats.demand_totals(),
            "by_sub_alliance": [
                _demand_row(s, surveyed=True) for s in stats.demand_by_sub_alliance()
            ],
            "by_industry": [_demand_row(i) for i in stats.demand_by_industry()],
        }
        return Response(DemandOutput(body).data)


# ---------------------------------------------------------------------------------------------
# Information site


class NoticePagination(IdCursorPagination):
    ordering = ("-published_at", "-id")


class NoticeQuery(serializers.Serializer):
    q = serializers.CharField(max_length=site_selectors.SEARCH_MAX, required=False)


@extend_schema(tags=["site"])
class NoticeViewSet(viewsets.GenericViewSet):
    """Published notices, newest first (public)."""

    permission_classes = [AllowAny]
    serializer_class = NoticeOutput
    pagination_class = NoticePagination
    filter_backends = []

    @extend_schema(summary="Published notices", parameters=[NoticeQuery])
    def list(self, request):
        query = _query(NoticeQuery, request)
        page = self.paginate_queryset(site_selectors.notices_public(q=query.get("q", "")))
        return self.get_paginated_response(NoticeOutput(page, many=True).data)

    @extend_schema(
        summary="One published notice",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    def retrieve(self, request, pk=None):
        return Response(NoticeOutput(site_selectors.notice_get_public(_digits(pk))).data)


def _digits(pk) -> str:
    if not (isinstance(pk, str) and pk.isascii() and pk.isdigit() and len(pk) <= 18):
        raise Http404
    return pk


class FaqQuery(serializers.Serializer):
    q = serializers.CharField(max_length=site_selectors.SEARCH_MAX, required=False)
    category = serializers.ChoiceField(choices=FaqCategory.choices, required=False)


@extend_schema(tags=["site"])
class FaqView(APIView):
    """Published questions and answers in their categories' order (public)."""

    permission_classes = [AllowAny]

    @extend_schema(summary="FAQ", parameters=[FaqQuery], responses=FaqOutput(many=True))
    def get(self, request):
        query = _query(FaqQuery, request)
        groups = site_selectors.faqs_public_grouped(
            q=query.get("q", ""), category=query.get("category", "")
        )
        entries = [faq for _code, _label, faqs in groups for faq in faqs]
        return Response(FaqOutput(entries, many=True).data)


class EventQuery(serializers.Serializer):
    when = serializers.ChoiceField(
        choices=["upcoming", "past"], required=False, help_text="Default `upcoming`."
    )


EVENT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema(tags=["site"])
class EventViewSet(viewsets.ViewSet):
    """Briefings, consultation fairs and workshops (public), and registration for them."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Published events", parameters=[EventQuery], responses=EventOutput(many=True)
    )
    def list(self, request):
        query = _query(EventQuery, request)
        if query.get("when") == "past":
            events = site_selectors.events_public_past()
        else:
            events = site_selectors.events_public_upcoming()
        return Response(EventOutput(events, many=True).data)

    @extend_schema(summary="One published event", parameters=[EVENT_ID], responses=EventOutput)
    def retrieve(self, request, pk=None):
        return Response(EventOutput(site_selectors.event_get_public(_digits(pk))).data)

    @extend_schema(
        summary="Register for an event (confirmed while seats remain, else waitlisted)",
        parameters=[EVENT_ID],
        request=RegistrationInput,
        responses={201: RegistrationOutput},
    )
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        event = site_selectors.event_get_public(_digits(pk))
        data = RegistrationInput(data=request.data)
        data.is_valid(raise_exception=True)
        registration = site_services.event_register(event=event, **data.validated_data)
        return Response(RegistrationOutput(registration).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------------------------
# Proposals: the alliance's resource with the matching and fund actions added


@extend_schema(tags=["proposals"])
class ProposalViewSet(ProposalMatchesMixin, ProposalRecommendMixin, AllianceProposalViewSet):
    """AX investment proposals (alliance.api) with their match results (matching.api) and the
    coordination and review actions: refer (KEIT), advance and decide (KDB), and KDB's
    request for information under review."""

    def _request_info(self, proposal, question: str):
        """KDB asks through KEIT while it reviews the proposal; KEIT asks the applicant."""
        if not self.request.user.is_fund_staff:
            return super()._request_info(proposal, question)
        return pipeline.proposal_request_info(
            proposal_id=proposal.pk, actor=self.request.user, question=question
        )

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Refer a submitted proposal to the fund (KEIT); writes a coordination packet",
        request=ReferInput,
        responses=ReferOutput,
    )
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(ReferInput)
        packet = coordination.proposal_refer(
            proposal_id=proposal.pk,
            actor=request.user,
            note=data.get("note", ""),
            channel=data.get("channel", ""),
        )
        fresh = self.get_queryset().get(pk=proposal.pk)
        return Response(ReferOutput({"proposal": fresh, "packet": packet}).data)

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Move a proposal under review to the next stage (KDB)",
        request=AdvanceInput,
        responses=ProposalOutput,
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        proposal = self.get_object()
        stage = self._input(AdvanceInput)["stage"]
        proposal = pipeline.proposal_advance(
            proposal_id=proposal.pk, actor=request.user, stage=stage
        )
        return self._output(proposal)

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Record the council's decision (KDB; only at the council stage)",
        request=DecideInput,
        responses=DecideOutput,
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(DecideInput)
        pipeline.proposal_decide(
            proposal_id=proposal.pk,
            actor=request.user,
            decision=data["decision"],
            channel=data.get("channel", ""),
            amount_krw=data.get("amount_krw"),
            conditions=data.get("conditions", ""),
        )
        fresh = self.get_queryset().get(pk=proposal.pk)
        review = reviews_visible_to(request.user).get(proposal_id=proposal.pk)
        return Response(DecideOutput({"proposal": fresh, "review": review}).data)
