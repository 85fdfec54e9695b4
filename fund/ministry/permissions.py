"""Who may do what in the ministries' part (SPEC §2)."""

from __future__ import annotations

from alliance.models import User
from portal.core.vocabulary import Role


def ministry_of(user: User) -> str | None:
    """The ministry code of a signed-in ministry user, or None (cached on the user object)."""
    if not user.is_authenticated or not user.has_role(Role.MINISTRY):
        return None
    if not hasattr(user, "_ministry_cache"):
        membership = getattr(user, "ministry_membership", None)
        user._ministry_cache = membership.ministry if membership is not None else None
    return user._ministry_cache


def can_see_overview(user: User) -> bool:
    """Both ministries read the aggregate picture; so do the two secretariats."""
    return user.is_authenticated and (
        ministry_of(user) is not None
        or user.is_superuser
        or user.is_alliance_staff
        or user.is_fund_staff
    )


def can_recommend(user: User) -> bool:
    """Only 산업부 recommends proposals to the fund (S1 ①)."""
    return ministry_of(user) == "motie"


def can_manage_plans(user: User) -> bool:
    """산업부 registers shared-infrastructure plans (S1 ②); KEIT helps plan them (SPEC §2)."""
    return ministry_of(user) == "motie" or (
        user.is_authenticated and (user.is_superuser or user.is_alliance_staff)
    )


def can_see_plans(user: User) -> bool:
    """Plans are for alliance members; the planners and both secretariats read them too."""
    return user.is_authenticated and (
        user.is_applicant or can_manage_plans(user) or can_see_overview(user)
    )


def can_see_recommendations(user: User) -> bool:
    """The secretariats that act on a recommendation, and 산업부 that made it."""
    return user.is_authenticated and (
        user.is_superuser or user.is_alliance_staff or user.is_fund_staff or can_recommend(user)
    )
