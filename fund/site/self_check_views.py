"""The public self-check's pages (자가진단): no sign-in, nothing stored, rate-limited."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from fund.site.self_check import (
    SELF_CHECK_SESSION_KEY,
    SelfCheckForm,
    answers_for_session,
    self_check_run,
)
from portal.core.throttles import SelfCheckThrottle


def _throttled(request) -> bool:
    return not SelfCheckThrottle().allow_request(request, None)


@require_http_methods(["GET", "POST"])
def self_check(request):
    """GET: the form. POST: the active rules' result per channel, or the form with each
    mistake on its field (400); 429 when this address checked too often."""
    results = None
    status = 200
    if request.method == "POST":
        if _throttled(request):
            return render(request, "fund/site/self_check.html", {"throttled": True}, status=429)
        form = SelfCheckForm(request.POST)
        if form.is_valid():
            results = self_check_run(form.cleaned_data)
        else:
            status = 400
    else:
        form = SelfCheckForm()
    return render(
        request,
        "fund/site/self_check.html",
        {
            "form": form,
            "results": results,
            "rule_version": results[0]["rule_version"] if results else None,
        },
        status=status,
    )


@require_POST
def self_check_carry(request):
    """The visitor asks to start a draft with these answers: they go into the session (and
    nowhere else), then to the new-draft page, through sign-in when needed."""
    if _throttled(request):
        return render(request, "fund/site/self_check.html", {"throttled": True}, status=429)
    form = SelfCheckForm(request.POST)
    if not form.is_valid():
        return render(
            request, "fund/site/self_check.html", {"form": form, "results": None}, status=400
        )
    request.session[SELF_CHECK_SESSION_KEY] = answers_for_session(form.cleaned_data)
    target = reverse("alliance:proposal_new")
    if request.user.is_authenticated:
        return redirect(target)
    return redirect(f"{reverse('login')}?{urlencode({'next': target})}")
