"""API views for firms and proposals. Reads start from the same selectors as the pages (so
anything hidden answers 404); every write is one service call. Error bodies and status codes
are mapped in portal.core.api."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from alliance.api.serializers import (
    SUB_ALLIANCE_CODES,
    DocumentOutput,
    DocumentUploadInput,
    FirmOutput,
    FirmSignUpInput,
    FirmSignUpOutput,
    ProposalCreateInput,
    ProposalOutput,
    ProposalSubmitInput,
    ProposalUpdateInput,
    ProposalWithdrawInput,
    RequestInfoInput,
)
from alliance.documents import selectors as documents_selectors
from alliance.documents import services as documents_services
from alliance.documents.views import file_response
from alliance.firms import selectors as firms_selectors
from alliance.firms import services as firms_services
from alliance.models import Firm, Proposal
from alliance.proposals import selectors, services
from portal.core.api import (
    AnyAcceptNegotiation,
    ErrorSerializer,
    IdCursorPagination,
    validated_input,
)
from portal.core.ids import parse_id
from portal.core.vocabulary import INDUSTRY_CODES, FirmStatus, ProposalStatus, Region, SizeClass

OBJECT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)
DOCUMENT_ID = OpenApiParameter("document_id", OpenApiTypes.INT, OpenApiParameter.PATH)
DOCUMENT_MEDIA_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/x-hwp",
    "application/hwp+zip",
)


# ---------------------------------------------------------------------------------------------
# Firms


class FirmFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=FirmStatus.choices)
    region = filters.ChoiceFilter(choices=Region.choices)
    size_class = filters.ChoiceFilter(choices=SizeClass.choices)

    class Meta:
        model = Firm
        fields = ["status", "region", "size_class"]


@extend_schema(tags=["firms"])
class FirmViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Member firms: KEIT sees the registry, an applicant their own firm, nobody else any."""

    serializer_class = FirmOutput
    pagination_class = IdCursorPagination
    filterset_class = FirmFilter

    def get_queryset(self):
        return firms_selectors.firms_visible_to(self.request.user)

    def get_permissions(self):
        if self.action == "create":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_object(self):
        try:
            return self.get_queryset().get(pk=parse_id(self.kwargs["pk"]))
        except Firm.DoesNotExist as exc:
            raise Http404 from exc

    @extend_schema(summary="List the firms visible to you")
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[OBJECT_ID], summary="One firm", responses=FirmOutput)
    def retrieve(self, request, pk=None):
        return Response(FirmOutput(self.get_object()).data)

    @extend_schema(
        summary="Sign up a firm with its first applicant account (anonymous)",
        request=FirmSignUpInput,
        responses={201: FirmSignUpOutput},
    )
    def create(self, request):
        data = FirmSignUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        user, warnings = firms_services.firm_sign_up(**data.validated_data)
        firm = Firm.objects.prefetch_related("sub_alliances").get(pk=user.firm_id)
        body = {"firm": firm, "username": user.get_username(), "warnings": warnings}
        return Response(FirmSignUpOutput(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Verify a pending firm (KEIT)",
        request=None,
        responses=FirmOutput,
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        firm = firms_services.firm_verify(firm=self.get_object(), actor=request.user)
        return Response(FirmOutput(self.get_queryset().get(pk=firm.pk)).data)


# ---------------------------------------------------------------------------------------------
# Proposals


class ProposalFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ProposalStatus.choices)
    sub_alliance = filters.ChoiceFilter(
        field_name="sub_alliance__code", choices=[(c, c) for c in SUB_ALLIANCE_CODES]
    )
    industry = filters.ChoiceFilter(
        field_name="industry__code", choices=[(c, c) for c in INDUSTRY_CODES]
    )
    region = filters.ChoiceFilter(choices=Region.choices)

    class Meta:
        model = Proposal
        fields = ["status", "sub_alliance", "industry", "region"]


def _with_partners(qs):
    return qs.prefetch_related(Prefetch("partners", queryset=Firm.objects.only("id")))


def _service_data(validated: dict) -> tuple[dict, list | None]:
    data = dict(validated)
    data.pop("version", None)
    return data, data.pop("partners", None)


@extend_schema(tags=["proposals"])
class ProposalViewSet(viewsets.GenericViewSet):
    """AX investment proposals, restricted to the caller (selectors.proposals_visible_to)."""

    serializer_class = ProposalOutput
    pagination_class = IdCursorPagination
    filterset_class = ProposalFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return _with_partners(selectors.proposals_visible_to(self.request.user))

    def get_object(self) -> Proposal:
        try:
            return self.get_queryset().get(pk=parse_id(self.kwargs["pk"]))
        except Proposal.DoesNotExist as exc:
            raise Http404 from exc

    def _output(self, proposal: Proposal, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=proposal.pk)
        return Response(
            ProposalOutput(fresh, context=self.get_serializer_context()).data, status=code
        )

    def _input(self, serializer_class):
        return validated_input(serializer_class, self.request)

    @extend_schema(summary="List the proposals visible to you")
    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        context = self.get_serializer_context()
        return self.get_paginated_response(ProposalOutput(page, many=True, context=context).data)

    @extend_schema(parameters=[OBJECT_ID], summary="One proposal")
    def retrieve(self, request, pk=None):
        context = self.get_serializer_context()
        return Response(ProposalOutput(self.get_object(), context=context).data)

    @extend_schema(
        summary="Start a draft for your firm (applicants)",
        request=ProposalCreateInput,
        responses={201: ProposalOutput},
    )
    def create(self, request):
        data, partners = _service_data(self._input(ProposalCreateInput))
        proposal = services.proposal_create(actor=request.user, data=data, partners=partners)
        return self._output(proposal, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Edit a draft (send the version you read; stale → 409)",
        request=ProposalUpdateInput,
        responses=ProposalOutput,
    )
    def partial_update(self, request, pk=None):
        proposal = self.get_object()
        validated = self._input(ProposalUpdateInput)
        data, partners = _service_data(validated)
        proposal = services.proposal_update(
            proposal_id=proposal.pk,
            actor=request.user,
            version=validated["version"],
            data=data,
            partners=partners,
        )
        return self._output(proposal)

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Discard a draft (it is closed as withdrawn; its history is kept)",
        responses={204: None},
    )
    def destroy(self, request, pk=None):
        proposal = self.get_object()
        services.proposal_discard(proposal_id=proposal.pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Submit a complete draft, or resubmit after an information request",
        request=ProposalSubmitInput,
        responses=ProposalOutput,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(ProposalSubmitInput)
        proposal = services.proposal_submit(
            proposal_id=proposal.pk, actor=request.user, version=data.get("version")
        )
        return self._output(proposal)

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Withdraw a proposal the fund has not taken up",
        request=ProposalWithdrawInput,
        responses=ProposalOutput,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        proposal = self.get_object()
        data = self._input(ProposalWithdrawInput)
        proposal = services.proposal_withdraw(
            proposal_id=proposal.pk, actor=request.user, note=data.get("note", "")
        )
        return self._output(proposal)

    @extend_schema(
        parameters=[OBJECT_ID],
        summary="Ask for more information (KEIT on a submitted proposal; KDB under review)",
        request=RequestInfoInput,
        responses=ProposalOutput,
    )
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, pk=None):
        proposal = self.get_object()
        question = self._input(RequestInfoInput)["question"]
        return self._output(self._request_info(proposal, question))

    def _request_info(self, proposal: Proposal, question: str) -> Proposal:
        """KEIT's request to the applicant; fund.api adds KDB's under review."""
        return services.proposal_request_info(
            proposal_id=proposal.pk, actor=self.request.user, question=question
        )

    @extend_schema(
        parameters=[OBJECT_ID],
        methods=["GET"],
        summary="The proposal's documents",
        responses=DocumentOutput(many=True),
    )
    @extend_schema(
        parameters=[OBJECT_ID],
        methods=["POST"],
        summary="Upload a document (multipart: file, kind); 413 above the size limit",
        request={"multipart/form-data": DocumentUploadInput},
        responses={201: DocumentOutput},
    )
    # A proposal's few documents come in one array: no cursor pages (pagination_class=None
    # keeps the schema saying so too).
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser],
        pagination_class=None,
    )
    def documents(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "GET":
            return Response(DocumentOutput(proposal.documents.all(), many=True).data)
        # Reading the body runs the upload handlers; the size handler stops at the limit.
        form = request.data
        if getattr(request._request, "upload_too_large", False):
            return _too_large()
        upload = DocumentUploadInput(data=form)
        upload.is_valid(raise_exception=True)
        try:
            document = documents_services.document_upload(
                proposal_id=proposal.pk,
                actor=request.user,
                upload=upload.validated_data["file"],
                kind=upload.validated_data["kind"],
            )
        except ValidationError as exc:
            errors = getattr(exc, "error_dict", {}).get("file", [])
            if any(error.code == "too_large" for error in errors):
                return _too_large()
            raise
        return Response(DocumentOutput(document).data, status=status.HTTP_201_CREATED)

    def _document(self, document_id):
        proposal = self.get_object()
        document = documents_selectors.document_get_for_user(
            self.request.user, parse_id(document_id)
        )
        if document.proposal_id != proposal.pk:
            raise Http404
        return document

    @extend_schema(
        methods=["GET"],
        summary="Download a document under its original name",
        parameters=[DOCUMENT_ID],
        responses={
            (200, media_type): OpenApiResponse(OpenApiTypes.BINARY)
            for media_type in DOCUMENT_MEDIA_TYPES
        },
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Remove a document while the proposal is editable",
        parameters=[DOCUMENT_ID],
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["get", "delete"],
        url_path=r"documents/(?P<document_id>[^/.]+)",
        url_name="document",
        content_negotiation_class=AnyAcceptNegotiation,
    )
    def document(self, request, pk=None, document_id=None):
        document = self._document(document_id)
        if request.method == "DELETE":
            documents_services.document_delete(document_id=document.pk, actor=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        return file_response(document)


def _too_large() -> Response:
    from django.conf import settings

    limit = settings.DOCUMENT_MAX_BYTES // (1024 * 1024)
    body = {
        "detail": _("The file is larger than the %(mb)d MB limit.") % {"mb": limit},
        "code": "too_large",
    }
    return Response(ErrorSerializer(body).data, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
