"""Where each role lands after signing in: the page of its own work.

One map from role to page (a URL name, so this leaf module imports no app). A user with
several roles lands on the first of theirs in the map's order. Roles added later (the
institutions', the ministry's) add one line each.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from portal.core.vocabulary import Role

LANDING_BY_ROLE: dict[str, str] = {
    Role.APPLICANT: "alliance:dashboard",
    Role.ALLIANCE_SECRETARIAT: "pipeline:screening",
    Role.FUND_SECRETARIAT: "pipeline:board",
    Role.SITE_EDITOR: "site:editor_dashboard",
    Role.INSTITUTION: "institutions:dealflow",
    Role.MINISTRY: "overview:ministry",
}
# A signed-in user with no role of the map (or an applicant without a firm) opens the
# workspace, which says what the account may do.
FALLBACK = "alliance:dashboard"


def landing_name(user) -> str:
    """The URL name of the page `user` lands on."""
    for role, name in LANDING_BY_ROLE.items():
        if role == Role.APPLICANT and not getattr(user, "firm_id", None):
            continue
        if user.has_role(role):
            return name
    return FALLBACK


def landing_url(user) -> str:
    try:
        return reverse(landing_name(user))
    except NoReverseMatch:
        return reverse(FALLBACK)
