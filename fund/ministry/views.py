"""The ministries' pages: 산업부's proposals to recommend and its recommendation, and the
shared-infrastructure plans that members see and join."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fund.ministry import permissions, selectors, services
from fund.ministry.forms import PlanForm, RecommendForm
from portal.core.access import only_for
from portal.core.errors import TransitionNotAllowed
from portal.core.forms import add_service_errors

motie_only = only_for(permissions.can_recommend)
planners_only = only_for(permissions.can_manage_plans)
plan_readers_only = only_for(permissions.can_see_plans)


@require_GET
@motie_only
def candidates(request):
    """Proposals 산업부 may recommend, newest first, without the firm's name (D22)."""
    page = Paginator(selectors.candidates_for(request.user), selectors.CANDIDATES_PER_PAGE)
    return render(
        request,
        "fund/ministry/candidates.html",
        {"page_obj": page.get_page(request.GET.get("page"))},
    )


@require_http_methods(["GET", "POST"])
@motie_only
def recommend(request, pk):
    proposal = selectors.candidate_get(request.user, pk)
    status = 200
    form = RecommendForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.proposal_recommend(
                    proposal_id=proposal.pk, actor=request.user, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except TransitionNotAllowed as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, _("The proposal is recommended to the fund."))
                return redirect("ministry:candidates")
    return render(
        request,
        "fund/ministry/recommend.html",
        {"proposal": proposal, "form": form},
        status=status,
    )


@require_GET
@plan_readers_only
def plan_list(request):
    return render(
        request,
        "fund/ministry/plan_list.html",
        {
            "plans": selectors.plans_for(request.user)[:200],
            "can_manage": permissions.can_manage_plans(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@planners_only
def plan_new(request):
    status = 200
    form = PlanForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                plan = services.plan_create(actor=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The plan is registered; member firms can see it."))
                return redirect("ministry:plan_detail", pk=plan.pk)
    return render(request, "fund/ministry/plan_form.html", {"form": form}, status=status)


@require_GET
@plan_readers_only
def plan_detail(request, pk):
    plan = selectors.plan_get(request.user, pk)
    return render(
        request,
        "fund/ministry/plan_detail.html",
        {
            "plan": plan,
            "own_proposals": selectors.plan_proposals_of(plan, request.user),
            "can_join": request.user.is_applicant and plan.open,
            "joined_count": plan.links.count(),
        },
    )


@require_POST
@plan_readers_only
def plan_join(request, pk):
    plan = selectors.plan_get(request.user, pk)
    try:
        proposal = services.plan_join(plan=plan, actor=request.user)
    except PermissionDenied:
        messages.error(request, _("Only a member firm's applicant can start a proposal."))
        return redirect("ministry:plan_detail", pk=plan.pk)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect("ministry:plan_detail", pk=plan.pk)
    messages.success(
        request,
        _("A draft for this plan was created. Add your consortium partners and the figures."),
    )
    return redirect("alliance:proposal_edit", pk=proposal.pk, step=1)
