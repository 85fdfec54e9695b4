"""The alliance secretariat's (KEIT's) registry of member firms and its proposal screening."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alliance import permissions, selectors, services
from alliance.choices import FirmStatus
from alliance.forms.accounts import add_service_errors
from alliance.forms.firms import FirmFilterForm, ProposalFilterForm, RequestInfoForm
from alliance.models import AuditLog, Industry, SubAlliance
from alliance.validators import normalize_digits

PAGE_SIZE = 50
STAFF_ONLY = gettext_lazy("Only alliance secretariat (KEIT) staff can do this.")


def secretariat_only(view):
    """Signed-out visitors are sent to sign in; anyone but KEIT staff gets 404, not 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not permissions.can_see_registry(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _search(q: str, *, name_fields: tuple[str, ...], brn_field: str) -> Q:
    condition = Q()
    for field in name_fields:
        condition |= Q(**{f"{field}__icontains": q})
    digits = normalize_digits(q)
    if digits.isdigit():
        condition |= Q(**{f"{brn_field}__contains": digits})
    return condition


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# ---------------------------------------------------------------------------------------------
# Member firms


@secretariat_only
def firm_list(request):
    """Every member firm, filtered by status, size, region, sub-alliance or a search."""
    sub_alliances = list(SubAlliance.objects.order_by("order"))
    form = FirmFilterForm(request.GET or None, sub_alliances=sub_alliances)
    filters = form.filters() if form.is_bound else {}
    firms = selectors.firms_visible_to(request.user)
    status_counts = dict(firms.order_by().values_list("status").annotate(n=Count("id")))
    if "q" in filters:
        firms = firms.filter(
            _search(
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
    page_obj = _page(request, firms.order_by("name", "pk"))
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
    firm = get_object_or_404(selectors.firms_visible_to(user).select_related("verified_by"), pk=pk)
    proposals = selectors.proposals_visible_to(user)
    context = {
        "firm": firm,
        "members": firm.members.order_by("username"),
        "lead_proposal_count": proposals.filter(firm=firm).count(),
        "partner_proposal_count": proposals.filter(partners=firm).count(),
        "history": AuditLog.objects.filter(firm=firm)
        .select_related("actor")
        .order_by("-created_at", "-id")[:20],
        "can_verify": permissions.can_verify_firm(user, firm),
    }
    return render(request, "alliance/secretariat_firm_detail.html", context)


@require_POST
@secretariat_only
def firm_verify(request, pk):
    """Verify a pending firm; asking twice changes nothing and says why."""
    firm = get_object_or_404(selectors.firms_visible_to(request.user), pk=pk)
    try:
        firm = services.firm_verify(firm=firm, actor=request.user)
    except PermissionDenied:
        # A superuser may read the registry, but verifying is KEIT's act (and audit trail).
        messages.error(request, STAFF_ONLY)
    except services.TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(firm)s is now verified and may submit proposals.") % {"firm": firm.name}
        )
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("alliance:secretariat_firm", pk=firm.pk)


# ---------------------------------------------------------------------------------------------
# Proposals


@secretariat_only
def proposal_list(request):
    """Every proposal with its best channel and score under the active rule set, filtered by
    status, sub-alliance, industry, region, best channel, minimum score or a search over title,
    firm and 사업자등록번호; newest submission first unless sorted by score."""
    sub_alliances = list(SubAlliance.objects.order_by("order"))
    industries = list(Industry.objects.order_by("order"))
    form = ProposalFilterForm(
        request.GET or None, sub_alliances=sub_alliances, industries=industries
    )
    filters = form.filters() if form.is_bound else {}
    proposals = selectors.proposals_visible_to(request.user)
    if "q" in filters:
        proposals = proposals.filter(
            _search(
                filters["q"],
                name_fields=("title", "firm__name"),
                brn_field="firm__business_registration_number",
            )
        )
    if "status" in filters:
        proposals = proposals.filter(status=filters["status"])
    if "sub_alliance" in filters:
        proposals = proposals.filter(sub_alliance__code=filters["sub_alliance"])
    if "industry" in filters:
        proposals = proposals.filter(industry__code=filters["industry"])
    if "region" in filters:
        proposals = proposals.filter(region=filters["region"])
    sort = filters.get("sort", "submitted")
    proposals = selectors.proposals_with_best_match(proposals, filters=filters, sort=sort)
    context = {
        "form": form,
        "page_obj": _page(request, selectors.IdsFirst(proposals)),
        "request_info_form": RequestInfoForm(),
        "sort": sort,
        "sort_links": _sort_links(request, sort),
    }
    return render(request, "alliance/secretariat_proposal_list.html", context)


def _sort_links(request, sort: str) -> dict[str, str]:
    """The query string of each sortable column's header link: the filters kept, the page
    dropped, and a second click on the same column reversing its order."""
    flips = {
        "score": ("score", "score_asc"),
        "submitted": ("submitted", "submitted_asc"),
    }
    links = {}
    for column, (first, second) in flips.items():
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = second if sort == first else first
        links[column] = query.urlencode()
    return links


@require_POST
@secretariat_only
def proposal_request_info(request, pk):
    """Send a submitted proposal back to its applicant with KEIT's question."""
    proposal = selectors.proposal_get_for_user(request.user, pk)
    form = RequestInfoForm(request.POST)
    form.is_valid()
    try:
        services.proposal_request_info(
            proposal_id=proposal.pk,
            actor=request.user,
            question=form.cleaned_data.get("question", ""),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return render(
            request,
            "alliance/secretariat_request_info.html",
            {"proposal": proposal, "form": form},
        )
    except PermissionDenied:
        messages.error(request, STAFF_ONLY)
    except services.TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your question was sent to the applicant."))
    return redirect("alliance:proposal_detail", pk=proposal.pk)
