"""The REST API root, /api/v1/: token auth, the OpenAPI schema and its docs, each app's routes.

Any other path under /api/v1/ answers the API's JSON 404, not the HTML page of the site.
"""

from django.contrib.auth import authenticate
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.core.api import ErrorSerializer, not_found
from portal.core.throttles import TokenObtainThrottle


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


TokenOutput = inline_serializer("TokenOutput", {"token": serializers.CharField()})


@extend_schema(tags=["auth"])
class TokenView(APIView):
    """Exchange a username and password for an API token, or revoke the caller's token."""

    parser_classes = [JSONParser, FormParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.request.method == "POST":
            throttles.append(TokenObtainThrottle())
        return throttles

    @extend_schema(
        summary="Get a token: then send `Authorization: Token <token>`",
        request=TokenInput,
        responses={
            200: TokenOutput,
            429: OpenApiResponse(
                ErrorSerializer,
                description=(
                    "Throttled (`throttled`), or sign-in locked out after repeated failures "
                    "(`locked_out`); retry after `Retry-After` seconds."
                ),
            ),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to sign in with that username and password.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(
        summary="Revoke your token (sign out every client using it)", responses={204: None}
    )
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("alliance.api.urls")),
    path("", include("fund.api.urls")),
    path("", include("matching.api.urls")),
    path("", include("fund.routing.api.urls")),
    path("", include("fund.institutions.api.urls")),
    re_path(r"^.*$", not_found),
]
