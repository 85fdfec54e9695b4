"""Shared pieces of the REST API (v1): error mapping, pagination, throttles and the schema class.

Every error answer has one of two shapes, whatever raised it:

- 400: field errors, `{"field": ["message", ...], ...}`; errors that belong to no field are under
  `non_field_errors`.
- everything else: `{"detail": "message", "code": "machine_code"}`, plus a few extra keys on a
  409 (`current_version` for a stale edit; `channel` and `remaining_krw` for a capacity conflict).

Status codes (SPEC §4): 401 no or bad credentials; 403 a role that lacks a capability, or a
visible object the caller may not change; 404 anything the caller may not see (the selectors
answer 404 before any permission check, so a 403 never confirms that a hidden object exists);
409 a stale `version`, a state change not possible from the current state, or a capacity
conflict; 413 an upload or body above the limit; 429 throttled.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.core.errors import CapacityExceeded, StaleEdit, TransitionNotAllowed

NON_FIELD_KEY = "non_field_errors"


# ---------------------------------------------------------------------------------------------
# Errors


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


ERROR_RESPONSES = {
    "400": OpenApiResponse(FieldErrorsSerializer, description="Invalid input (field errors)."),
    "401": OpenApiResponse(ErrorSerializer, description="No or invalid credentials."),
    "403": OpenApiResponse(ErrorSerializer, description="The role lacks this capability."),
    "404": OpenApiResponse(ErrorSerializer, description="Not found or not visible to you."),
    "409": OpenApiResponse(
        ConflictSerializer,
        description="Stale version, transition not allowed, or capacity exceeded.",
    ),
    "413": OpenApiResponse(ErrorSerializer, description="Body or upload too large."),
    "429": OpenApiResponse(ErrorSerializer, description="Throttled; see Retry-After."),
}
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class PortalAutoSchema(AutoSchema):
    """Adds the error answers every operation can give, so clients (and the fuzz tests) can
    rely on the schema for every status code, not only the successful one."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["400", "401", "403", "404", "429"]
        if self.method in UNSAFE_METHODS:
            codes += ["409", "413"]
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(ERROR_RESPONSES[code], code)
        return responses


# ---------------------------------------------------------------------------------------------
# Pagination


class IdCursorPagination(CursorPagination):
    """Cursor pages over a unique ordering (no OFFSET, no COUNT): stable under inserts."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"
