"""The alliance secretariat's (KEIT's) registry of member firms and its proposal screening."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alliance import permissions
from alliance.firms import selectors as firms_selectors
from alliance.firms import services as firms_services
from alliance.firms.forms import FirmFilterForm
from alliance.firms.history import firm_history_rows
from alliance.listing import page_of, safe_next, search_condition
from alliance.models import SubAlliance
from alliance.proposals import selectors, services
from portal.core.access import only_for
from portal.core.vocabulary import FirmStatus

STAFF_ONLY = gettext_lazy("Only alliance secretariat (KEIT) staff can do this.")


secretariat_only = only_for(permissions.can_see_registry)


# ---------------------------------------------------------------------------------------------
# Member firms


@secretariat_only
def firm_list(request):
    """Every member firm, filtered by status, size, region, sub-alliance or a search."""
    sub_alliances = list(SubAlliance.objects.order_by("order"))
    form = FirmFilterForm(request.GET or None, sub_alliances=sub_alliances)
    filters = form.filters() if form.is_bound else {}
    firms = firms_selectors.firms_visible_to(request.user)
    status_counts = dict(firms.order_by().values_list("status").annotate(n=Count("id")))
    if "q" in filters:
        firms = firms.filter(
            search_condition(
                filters["q"],
                name_fields=("name", "name_en"),
                brn_field="business_registration_number",
            )
        )
    for field in ("status", "size_class", "region"):
        if field in filters:
            firms = firms.filter(**{field: filters[field]})
    if "sub_alliance" in filters:
        firms = firms.filter(sub_alliances__code=filters["sub_alliance"])
    page_obj = page_of(request, firms.order_by("name", "pk"))
    context = {
        "form": form,
        "page_obj": page_obj,
        "status_tabs": [
            (value, label, status_counts.get(value, 0)) for value, label in FirmStatus.choices
        ],
        "total_count": sum(status_counts.values()),
        "current_status": filters.get("status", ""),
    }
    return render(request, "alliance/secretariat_firm_list.html", context)


@secretariat_only
def firm_detail(request, pk):
    """One firm: its registration, its people, how many proposals it leads or joins."""
    user = request.user
    firm = get_object_or_404(
        firms_selectors.firms_visible_to(user).select_related("verified_by"), pk=pk
    )
    proposals = selectors.proposals_visible_to(user)
    context = {
        "firm": firm,
        "members": firm.members.order_by("username"),
        "lead_proposal_count": proposals.filter(firm=firm).count(),
        "partner_proposal_count": proposals.filter(partners=firm).count(),
        "history": firm_history_rows(firm),
        "can_verify": permissions.can_verify_firm(user, firm),
    }
    return render(request, "alliance/secretariat_firm_detail.html", context)


@require_POST
@secretariat_only
def firm_verify(request, pk):
    """Verify a pending firm; asking twice changes nothing and says why."""
    firm = get_object_or_404(firms_selectors.firms_visible_to(request.user), pk=pk)
    try:
        firm = firms_services.firm_verify(firm=firm, actor=request.user)
    except PermissionDenied:
        # A superuser may read the registry, but verifying is KEIT's act (and audit trail).
        messages.error(request, STAFF_ONLY)
    except services.TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(firm)s is now verified and may submit proposals.") % {"firm": firm.name}
        )
    # Back to the list the form was on (it sends its own path); anything but a printable path
    # on this site goes to the firm's page (`redirect` would take a bare word for a view name).
    next_url = safe_next(request)
    if next_url:
        return redirect(next_url)
    return redirect("alliance:secretariat_firm", pk=firm.pk)
