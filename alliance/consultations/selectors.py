"""Reads of consultations, restricted to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from alliance.models import (
    AuditLog,
    Consultation,
    FinancialInstitution,
    User,
)
from alliance.permissions import can_see_all_consultations
from portal.core.ids import parse_id


def consultations_visible_to(user: User) -> QuerySet[Consultation]:
    """Staff see every request; an applicant sees their own firm's; anyone else none."""
    qs = Consultation.objects.select_related("firm", "institution", "requested_by", "handled_by")
    if can_see_all_consultations(user):
        return qs
    if user.is_authenticated and user.is_applicant:
        return qs.filter(firm_id=user.firm_id)
    if user.is_authenticated and user.is_institution_staff:
        return qs.filter(institution_id=user.institution_id)
    return qs.none()


def consultation_get_for_user(user: User, pk) -> Consultation:
    """The request, or 404 when it does not exist or the user may not see it."""
    try:
        return consultations_visible_to(user).get(pk=parse_id(pk))
    except Consultation.DoesNotExist as exc:
        raise Http404 from exc


def consultation_list(
    user: User, *, status: str = "", institution_id: int | None = None
) -> QuerySet[Consultation]:
    """The list page's rows, newest first, optionally filtered."""
    qs = consultations_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    return qs.order_by("-created_at", "-id")


def institutions_open_for_consultation() -> QuerySet[FinancialInstitution]:
    """The institutions a firm may ask to meet: the active ones."""
    return FinancialInstitution.objects.filter(is_active=True).order_by("name")


def consultation_history(consultation: Consultation) -> QuerySet[AuditLog]:
    return (
        AuditLog.objects.filter(object_type="consultation", object_id=str(consultation.pk))
        .select_related("actor")
        .order_by("created_at", "id")
    )
