"""`{% match_results proposal %}`: a proposal's channel results, loaded with one query."""

from django import template
from django.utils.translation import get_language

from alliance import permissions
from matching import selectors

register = template.Library()


@register.inclusion_tag("matching/partials/results.html", takes_context=True)
def match_results(context, proposal):
    user = context["request"].user
    return {
        "proposal": proposal,
        "results": selectors.results_for_proposal(proposal),
        "can_check": permissions.can_edit_proposal(user, proposal),
        "pending": proposal.status in selectors.SCOREABLE_STATUSES,
        "request": context["request"],
    }


@register.filter
def localized(item: dict, field: str = "reason") -> str:
    """item["reason_ko"] or item["reason_en"], by the active language."""
    suffix = "en" if (get_language() or "ko").startswith("en") else "ko"
    return item.get(f"{field}_{suffix}", "")
