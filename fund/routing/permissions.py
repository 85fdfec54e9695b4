"""Who may read the routing policy and who sets it: KEIT sets it, both secretariats read it."""

from __future__ import annotations

from alliance.models import User


def can_manage_routing(user: User) -> bool:
    """The alliance secretariat (KEIT) writes drafts, activates them and pauses routing."""
    return user.is_authenticated and (user.is_superuser or user.is_alliance_staff)


def can_see_routing(user: User) -> bool:
    """Both secretariats read the policy, its versions, its preview and the switch."""
    return user.is_authenticated and (
        user.is_superuser or user.is_alliance_staff or user.is_fund_staff
    )


def can_see_held_reasons(user: User) -> bool:
    """Why a proposal was held is the secretariats' screening; an applicant sees how and when
    the proposal went to the fund once it did."""
    return can_see_routing(user)
