"""The information site's public pages: notices, FAQ, contact, the privacy policy, events and
registration."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from fund.site import selectors, services
from fund.site.forms import RegistrationForm
from fund.site.models import FaqCategory, RegistrationStatus
from portal.core import aggregate_cache
from portal.core.errors import TransitionNotAllowed
from portal.core.page_cache import public_page

NOTICES_PER_PAGE = 10
EVENTS_PER_PAGE = 10
SESSION_REGISTRATION = "fund_last_registration"


@require_safe
@public_page()
def notice_list(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.notices_public(q=q), NOTICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "fund/site/notice_list.html", {"page_obj": page, "q": q})


@require_safe
@public_page()
def notice_detail(request, pk: int):
    notice = selectors.notice_get_public(pk)
    return render(request, "fund/site/notice_detail.html", {"notice": notice})


@require_safe
@public_page()
def faq(request):
    q = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    if category not in FaqCategory.values:
        category = ""
    groups = selectors.faqs_public_grouped(q=q, category=category)
    return render(
        request,
        "fund/site/faq.html",
        {"groups": groups, "q": q, "category": category, "categories": FaqCategory.choices},
    )


@require_safe
@public_page()
def contact(request):
    return render(request, "fund/site/contact.html")


@require_safe
@public_page()
def privacy(request):
    """The privacy policy (개인정보 처리방침), with the retention period the portal applies."""
    return render(
        request,
        "fund/site/privacy.html",
        {"retention_days": settings.PERSONAL_DATA_RETENTION_DAYS},
    )


@require_safe
@public_page()
def terms(request):
    """The terms of use (이용약관): the portal's own operating rule, with the retention period."""
    return render(
        request,
        "fund/site/terms.html",
        {"retention_days": settings.PERSONAL_DATA_RETENTION_DAYS},
    )


@require_safe
@public_page(aggregate_cache.PUBLIC, aggregate_cache.EVENTS)
def event_list(request):
    upcoming = Paginator(selectors.events_public_upcoming(), EVENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    past = Paginator(selectors.events_public_past(), EVENTS_PER_PAGE).get_page(
        request.GET.get("past")
    )
    return render(request, "fund/site/event_list.html", {"upcoming": upcoming, "past": past})


@require_http_methods(["GET", "POST"])
@public_page(aggregate_cache.PUBLIC, aggregate_cache.EVENTS)
def event_detail(request, pk: int):
    event = selectors.event_get_public(pk)
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.event_register(event=event, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            request.session[SESSION_REGISTRATION] = registration.pk
            return redirect("site:event_registered", pk=event.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "fund/site/event_detail.html",
        {
            "event": event,
            "form": form,
            "seats_left": max(event.capacity - event.confirmed_count, 0),
            "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS,
        },
        status=status,
    )


@require_safe
def event_registered(request, pk: int):
    """The page after a successful registration (POST/redirect/GET): the outcome of the
    registration this browser just made, and nothing for anyone else."""
    event = selectors.event_get_public(pk)
    registration_id = request.session.get(SESSION_REGISTRATION)
    registration = (
        selectors.registrations_for_event(event).filter(pk=registration_id).first()
        if isinstance(registration_id, int)
        else None
    )
    if registration is None:
        return redirect("site:event_detail", pk=event.pk)
    return render(
        request,
        "fund/site/event_registered.html",
        {"event": event, "registration": registration, "statuses": RegistrationStatus},
    )


@require_http_methods(["GET", "POST"])
def registration_cancel(request, token: str):
    """The self-cancel link from the mail: GET asks for confirmation, POST cancels."""
    registration = selectors.registration_by_cancel_token(token)
    if registration is None:
        return render(
            request,
            "fund/site/cancel.html",
            {"error": services.InvalidCancelToken().message},
            status=404,
        )
    context = {"registration": registration, "event": registration.event}
    if request.method == "POST":
        try:
            services.registration_cancel_by_token(token=token)
        except (services.RegistrationAlreadyCancelled, TransitionNotAllowed) as exc:
            return render(
                request, "fund/site/cancel.html", {**context, "error": exc.message}, status=409
            )
        messages.success(request, _("Your registration has been cancelled."))
        return redirect("site:registration_cancel", token=token)
    return render(request, "fund/site/cancel.html", context)
