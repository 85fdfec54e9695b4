"""`{% match_results proposal %}`: a proposal's channel results, loaded with one query."""

from django import template
from django.utils.translation import get_language

from alliance import permissions
from matching import selectors
from matching.scoring.engine import best

register = template.Library()


@register.inclusion_tag("matching/partials/results.html", takes_context=True)
def match_results(context, proposal, results=None, frozen=False):
    """Eligibility first: the recommended channel (the best eligible one) as a headline, the
    eligible channels by score, then those not eligible with what would make them so.
    `results` given (a decision's frozen ones) are shown instead of the current ones."""
    user = context["request"].user
    if results is None:
        results = selectors.results_for_proposal(proposal)
    results = list(results)
    order = {result.channel_id: index for index, result in enumerate(results)}
    ranked = sorted(
        results, key=lambda r: (not r.eligible, -r.score if r.eligible else 0, order[r.channel_id])
    )
    return {
        "proposal": proposal,
        "results": ranked,
        "recommended": best(results),
        "frozen": frozen,
        "can_check": not frozen and permissions.can_edit_proposal(user, proposal),
        "pending": not frozen and proposal.status in selectors.SCOREABLE_STATUSES,
        "request": context["request"],
    }


@register.filter
def localized(item: dict, field: str = "reason") -> str:
    """item["reason_ko"] or item["reason_en"], by the active language."""
    suffix = "en" if (get_language() or "ko").startswith("en") else "ko"
    return item.get(f"{field}_{suffix}", "")
