"""The institutions' pages: the offers every signed-in user browses; an institution's offer,
deal flow and interests; a lead firm opening its proposal and answering interests; KEIT's
and KDB's counts. Everything an institution may not see answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fund.institutions import selectors, services
from fund.institutions.forms import DeclineForm, InterestForm, OfferForm, ShareForm
from fund.institutions.models import InterestState
from fund.institutions.permissions import (
    can_browse_offers,
    can_see_interest_summary,
    is_institution_user,
)
from portal.core.access import only_for
from portal.core.errors import StaleEdit, TransitionNotAllowed

PAGE_SIZE = 25
institution_only = only_for(is_institution_user)


def _interest_user(user) -> bool:
    return is_institution_user(user) or (user.is_authenticated and user.is_applicant)


@require_GET
@only_for(can_browse_offers)
def offer_list(request):
    """Every institution's offer."""
    institutions = list(selectors.institutions_with_offers())
    names = selectors.code_names()
    rows = [
        {"institution": i, "offer": selectors.offer_display(selectors.offer_of(i), names)}
        for i in institutions
    ]
    return render(request, "institutions/offer_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@institution_only
def offer_edit(request):
    """The institution's own offer (its users keep it)."""
    institution = selectors.institution_get(request.user.institution_id)
    offer = selectors.offer_of(institution)
    status = 200
    if request.method == "POST":
        form = OfferForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.offer_update(
                    institution_id=institution.pk,
                    actor=request.user,
                    data=form.offer_data(),
                    version=form.cleaned_data.get("version"),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            except StaleEdit as exc:
                status = 409
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("The offer was saved. The deal flow is worked out again in a moment."),
                )
                return redirect("institutions:offer_edit")
    else:
        initial = {"min_ticket_krw": 0, "max_ticket_krw": 0}
        if offer is not None:
            initial = {field: getattr(offer, field) for field in services.OFFER_FIELDS}
            initial["version"] = offer.version
        form = OfferForm(initial=initial)
    context = {"institution": institution, "offer": offer, "form": form}
    return render(request, "institutions/offer_form.html", context, status=status)


@require_GET
@institution_only
def dealflow(request):
    """The opened proposals that fit the institution's offer, best first, anonymised."""
    page = Paginator(selectors.dealflow(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    names = selectors.code_names()
    rows = [
        {
            "fit": fit,
            "reasons": selectors.fit_reasons(fit, names),
            "channels": selectors.channel_labels(fit.eligible_channels),
        }
        for fit in page
    ]
    context = {
        "page_obj": page,
        "rows": rows,
        "names": names,
        "has_offer": selectors.offer_of(selectors.institution_get(request.user.institution_id))
        is not None,
    }
    return render(request, "institutions/dealflow.html", context)


def _render_deal(request, fit, *, form=None, status=200):
    names = selectors.code_names()
    own = getattr(fit.proposal, "own_interests", [])
    context = {
        "fit": fit,
        "proposal": fit.proposal,
        "names": names,
        "reasons": selectors.fit_reasons(fit, names),
        "channels": selectors.channel_labels(fit.eligible_channels),
        "interest": own[0] if own else None,
        "form": form or InterestForm(),
    }
    return render(request, "institutions/deal_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@institution_only
def deal_detail(request, pk):
    """One proposal of the deal flow, and the institution's interest in it (POST)."""
    fit = selectors.dealflow_get(request.user, pk)
    if request.method == "GET":
        return _render_deal(request, fit)
    form = InterestForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            interest = services.interest_express(
                actor=request.user,
                proposal_id=fit.proposal_id,
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except TransitionNotAllowed as exc:
            status = 409
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your interest was sent to the firm."))
            return redirect("institutions:interest_detail", pk=interest.pk)
    return _render_deal(request, fit, form=form, status=status)


@require_GET
@only_for(_interest_user)
def interest_list(request):
    """An institution's interests, or those the firm received."""
    page = Paginator(selectors.interests_visible_to(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"page_obj": page, "as_institution": is_institution_user(request.user)}
    return render(request, "institutions/interest_list.html", context)


def _render_interest(request, interest, *, decline_form=None, status=200):
    as_institution = is_institution_user(request.user)
    accepted = interest.state == InterestState.ACCEPTED
    other = interest.decided_by if as_institution else interest.created_by
    context = {
        "interest": interest,
        "as_institution": as_institution,
        "contact": selectors.contact_of(other) if accepted else None,
        "show_firm": accepted or not as_institution,
        "can_answer": not as_institution and interest.is_open,
        "decline_form": decline_form or DeclineForm(),
    }
    return render(request, "institutions/interest_detail.html", context, status=status)


@require_GET
@only_for(_interest_user)
def interest_detail(request, pk):
    return _render_interest(request, selectors.interest_get(request.user, pk))


def _answer(request, pk, action):
    interest = selectors.interest_get(request.user, pk)
    if is_institution_user(request.user):
        raise Http404
    decline_form = None
    try:
        if action == "accept":
            services.interest_accept(interest_id=interest.pk, actor=request.user)
            messages.success(
                request,
                _(
                    "You accepted the interest. A consultation request with the institution "
                    "is open, and each side sees the other's contact."
                ),
            )
        else:
            decline_form = DeclineForm(request.POST)
            if not decline_form.is_valid():
                return _render_interest(request, interest, decline_form=decline_form, status=400)
            services.interest_decline(
                interest_id=interest.pk,
                actor=request.user,
                reason=decline_form.cleaned_data["reason"],
            )
            messages.success(request, _("You declined the interest; the institution is told."))
    except ValidationError as exc:
        form = decline_form or DeclineForm()
        form.add_service_errors(exc)
        return _render_interest(request, interest, decline_form=form, status=400)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
        return _render_interest(request, selectors.interest_get(request.user, pk), status=409)
    return redirect("institutions:interest_detail", pk=interest.pk)


@require_POST
@only_for(_interest_user)
def interest_accept(request, pk):
    return _answer(request, pk, "accept")


@require_POST
@only_for(_interest_user)
def interest_decline(request, pk):
    return _answer(request, pk, "decline")


@require_POST
@login_required
def share_open(request, pk):
    """The lead firm's applicant opens the proposal (the consent box must be ticked)."""
    selectors.lead_proposal_get(request.user, pk)
    form = ShareForm(request.POST)
    consent = form.is_valid() and form.cleaned_data["consent"]
    try:
        _share, opened = services.share_open(proposal_id=pk, actor=request.user, consent=consent)
    except ValidationError:
        messages.error(request, _("Tick the consent box to open the proposal to institutions."))
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        if opened:
            messages.success(
                request,
                _(
                    "The proposal is open to financial institutions. Those whose offer fits "
                    "will see it, without your firm's name."
                ),
            )
    return redirect("alliance:proposal_detail", pk=pk)


@require_POST
@login_required
def share_withdraw(request, pk):
    """The lead firm's applicant withdraws the proposal from institutions at once."""
    selectors.lead_proposal_get(request.user, pk)
    try:
        services.share_withdraw(proposal_id=pk, actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The proposal is no longer open to institutions; open interests were closed."),
        )
    return redirect("alliance:proposal_detail", pk=pk)


@require_GET
@only_for(can_see_interest_summary)
def summary(request):
    """KEIT's and KDB's view: how many proposals are open and how interests stand."""
    data = selectors.interest_summary(request.user)
    rows = [
        {"state": state, "label": InterestState(state).label, "count": count}
        for state, count in data["interests"].items()
    ]
    context = {"opened": data["opened_proposals"], "rows": rows}
    return render(request, "institutions/summary.html", context)
