"""Shared pieces of the REST API (v1): error mapping, pagination, throttles and the schema class.

Every error answer has one of two shapes, whatever raised it:

- 400: field errors, `{"field": ["message", ...], ...}`; errors that belong to no field are under
  `non_field_errors`.
- everything else: `{"detail": "message", "code": "machine_code"}`, plus a few extra keys on a
  409 (`current_version` for a stale edit; `channel` and `remaining_krw` for a capacity conflict).

Status codes (SPEC §4): 401 no or bad credentials; 403 a role that lacks a capability, or a
visible object the caller may not change; 404 anything the caller may not see (the selectors
answer 404 before any permission check, so a 403 never confirms that a hidden object exists);
405 a method the path does not take; 406 an Accept header that admits no JSON (a document
download is served whatever it asks for); 409 a stale `version`, a state change not possible
from the current state, or a capacity conflict; 413 an upload or body above the limit; 415 a
body in a media type the operation does not read; 429 throttled (`code` `throttled`) or, on
the token endpoint, sign-in locked out (`locked_out`, portal.security), both with
`Retry-After`.

PortalAutoSchema writes every one of these into the OpenAPI schema of each operation that can
answer it; tests/test_api_answers.py checks real answers against that schema.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.core.errors import CapacityExceeded, StaleEdit, TransitionNotAllowed

NON_FIELD_KEY = "non_field_errors"


# ---------------------------------------------------------------------------------------------
# Errors


def validated_input(serializer_class, request) -> dict:
    """The request body validated by `serializer_class`; a refusal answers 400 with the
    errors by field (exception_handler below)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _messages(value) -> list[str]:
    """Any nested error structure (DRF lists, dicts of list items) as a flat list of strings."""
    if isinstance(value, dict):
        return [m for item in value.values() for m in _messages(item)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def field_errors(detail) -> dict[str, list[str]]:
    """A 400 body: each field with its messages; anything without a field under non_field_errors."""
    if isinstance(detail, dict):
        body = {}
        for field, value in detail.items():
            key = NON_FIELD_KEY if field in (NON_FIELD_ERRORS, "detail") else str(field)
            body.setdefault(key, []).extend(_messages(value))
        return body
    return {NON_FIELD_KEY: _messages(detail)}


def _django_validation_body(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return field_errors(exc.message_dict)
    return {NON_FIELD_KEY: list(exc.messages)}


def _error(status_code: int, detail, code: str, **extra) -> Response:
    return Response({"detail": str(detail), "code": code, **extra}, status=status_code)


def exception_handler(exc, context):
    """Map the services' exceptions and DRF's own to the bodies described in this module."""
    if isinstance(exc, DjangoValidationError):
        return Response(_django_validation_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleEdit):
        return _error(
            status.HTTP_409_CONFLICT,
            exc.message,
            "stale_version",
            current_version=exc.current_version,
        )
    if isinstance(exc, TransitionNotAllowed):
        return _error(status.HTTP_409_CONFLICT, exc.message, "transition_not_allowed")
    if isinstance(exc, CapacityExceeded):
        return _error(
            status.HTTP_409_CONFLICT,
            exc.message,
            "capacity_exceeded",
            channel=exc.channel.code,
            remaining_krw=exc.remaining_krw,
        )
    if isinstance(exc, RequestDataTooBig):
        return _error(
            status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            _("The request body is larger than the limit."),
            "too_large",
        )
    if isinstance(exc, PermissionDenied | exceptions.PermissionDenied) and not isinstance(
        exc, exceptions.NotAuthenticated
    ):
        # Objects reach a service only after a selector found them visible to the caller, so
        # this never confirms that something hidden exists.
        message = str(exc) if isinstance(exc, PermissionDenied) and str(exc) else ""
        return _error(
            status.HTTP_403_FORBIDDEN,
            message or _("You do not have permission to perform this action."),
            "permission_denied",
        )
    if isinstance(exc, Http404):
        return _error(status.HTTP_404_NOT_FOUND, _("Not found."), "not_found")

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = field_errors(response.data)
        return response
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    response.data = {"detail": str(detail), "code": str(code)}
    return response


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any path under /api/v1/ that matches no endpoint: the same JSON 404 as a hidden object
    (CSRF-exempt: it changes nothing, and a 403 page would hide the real answer)."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)


class ErrorSerializer(serializers.Serializer):
    """The body of every error except 400."""

    detail = serializers.CharField()
    code = serializers.CharField()


class ConflictSerializer(ErrorSerializer):
    """409: a stale version (with the current one), a refused transition, or capacity."""

    code = serializers.ChoiceField(
        choices=["stale_version", "transition_not_allowed", "capacity_exceeded"]
    )
    current_version = serializers.IntegerField(required=False)
    channel = serializers.CharField(required=False)
    remaining_krw = serializers.IntegerField(required=False)


class FieldErrorsSerializer(serializers.Serializer):
    """400: each invalid field with its messages (`non_field_errors` for the rest)."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class FieldErrorsSchema(OpenApiSerializerExtension):
    """Every key of a 400 body, not only `non_field_errors`, is a list of messages: a body of
    another shape (`{"detail": ...}`) does not pass as field errors."""

    target_class = FieldErrorsSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = {"type": "array", "items": {"type": "string"}}
        return schema


ERROR_RESPONSES = {
    "400": OpenApiResponse(FieldErrorsSerializer, description="Invalid input (field errors)."),
    "401": OpenApiResponse(ErrorSerializer, description="No or invalid credentials."),
    "403": OpenApiResponse(ErrorSerializer, description="The role lacks this capability."),
    "404": OpenApiResponse(ErrorSerializer, description="Not found or not visible to you."),
    "409": OpenApiResponse(
        ConflictSerializer,
        description="Stale version, transition not allowed, or capacity exceeded.",
    ),
    "406": OpenApiResponse(
        ErrorSerializer, description="The Accept header admits no media type of this answer."
    ),
    "413": OpenApiResponse(ErrorSerializer, description="Body or upload too large."),
    "415": OpenApiResponse(
        ErrorSerializer, description="The body is in a media type this operation does not read."
    ),
    "429": OpenApiResponse(
        ErrorSerializer, description="Throttled (`throttled`); retry after `Retry-After` seconds."
    ),
}
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    required=True,
    response=[429],
    description="Seconds until the next request can succeed.",
)
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
BODY_METHODS = ("POST", "PUT", "PATCH")


class AnyAcceptNegotiation(DefaultContentNegotiation):
    """For an answer in its content's own media type (a file download): served whatever the
    Accept header asks for, where the JSON-only default would refuse `Accept: application/pdf`
    with a 406. Errors on the way are still JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


class PortalAutoSchema(AutoSchema):
    """Adds the error answers every operation can give, so clients (and the fuzz tests) can
    rely on the schema for every status code, not only the successful one."""

    def get_override_parameters(self):
        return [*super().get_override_parameters(), RETRY_AFTER]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if not issubclass(self.view.content_negotiation_class, AnyAcceptNegotiation):
            codes.append("406")
        if self.method in UNSAFE_METHODS:
            codes += ["409", "413"]
        if self.method in BODY_METHODS and self.get_request_serializer() is not None:
            # Only an operation that reads a body can refuse the body's media type.
            codes.append("415")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ERROR_RESPONSES[code], code)
        return dict(sorted(responses.items()))


# ---------------------------------------------------------------------------------------------
# Pagination


class IdCursorPagination(CursorPagination):
    """Cursor pages over a unique ordering (no OFFSET, no COUNT): stable under inserts."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
