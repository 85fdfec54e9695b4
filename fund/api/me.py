"""`GET /api/v1/me/` (SPEC §6): who the caller is, by the role codes integrators code against,
and the organisation they act for."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from fund.ministry.models import MinistryMembership
from portal.core.vocabulary import Role

# SPEC §6's role codes, in the order a user with several roles is reported by.
ROLE_CODES = (
    (Role.ALLIANCE_SECRETARIAT, "keit"),
    (Role.FUND_SECRETARIAT, "kdb"),
    (Role.MINISTRY, "ministry"),
    (Role.INSTITUTION, "institution"),
    (Role.SITE_EDITOR, "editor"),
    (Role.APPLICANT, "applicant"),
)
ROLE_CHOICES = ["admin", *(code for _role, code in ROLE_CODES)]
ORGANIZATION_KINDS = ["firm", "institution", "ministry", "alliance_secretariat", "fund_secretariat"]
SECRETARIATS = {
    "keit": ("alliance_secretariat", _("Korea Evaluation Institute of Industrial Technology")),
    "kdb": ("fund_secretariat", _("Korea Development Bank")),
}


class OrganizationOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ORGANIZATION_KINDS)
    id = serializers.IntegerField(
        allow_null=True, help_text="The firm's or the institution's id; null for the others."
    )
    code = serializers.CharField(
        allow_null=True, help_text="The ministry's code (motie, fsc); null for the others."
    )
    name = serializers.CharField()


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=ROLE_CHOICES, allow_null=True)
    organization = OrganizationOutput(allow_null=True)


def role_code(user) -> str | None:
    if user.is_superuser:
        return "admin"
    for role, code in ROLE_CODES:
        if user.has_role(role):
            return code
    return None


def _organization(kind: str, name, *, pk: int | None = None, code: str | None = None) -> dict:
    return {"kind": kind, "id": pk, "code": code, "name": str(name)}


def organization_of(user, role: str | None) -> dict | None:
    if role == "institution" and user.institution_id:
        return _organization("institution", user.institution.name, pk=user.institution_id)
    if role == "ministry":
        membership = MinistryMembership.objects.filter(user=user).first()
        if membership is not None:
            label = membership.get_ministry_display()
            return _organization("ministry", label, code=membership.ministry)
        return None
    if role in SECRETARIATS:
        kind, name = SECRETARIATS[role]
        return _organization(kind, name)
    if role == "applicant" and user.firm_id:
        return _organization("firm", user.firm.name, pk=user.firm_id)
    return None


@extend_schema(tags=["accounts"])
class MeView(APIView):
    """The signed-in caller's username, role code and organisation."""

    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Who you are: role code and organisation", responses=MeOutput)
    def get(self, request):
        user = request.user
        role = role_code(user)
        return Response(
            MeOutput(
                {
                    "username": user.get_username(),
                    "role": role,
                    "organization": organization_of(user, role),
                }
            ).data
        )
