"""Reads of member firms, restricted to what the user may see."""

from django.db.models import QuerySet

from alliance.models import Firm, User


def firms_visible_to(user: User) -> QuerySet[Firm]:
    """Alliance staff see the registry; an applicant sees their own firm only."""
    qs = Firm.objects.prefetch_related("sub_alliances")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or user.is_alliance_staff:
        return qs
    if user.firm_id:
        return qs.filter(pk=user.firm_id)
    return qs.none()


def partner_firm_choices(user: User) -> QuerySet[Firm]:
    """Firms an applicant can name as consortium partners: active members other than its own."""
    return Firm.objects.filter(status="active").exclude(pk=user.firm_id).order_by("name")
