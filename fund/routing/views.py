"""KEIT's routing pages: the switch and the versions, a version's conditions and its preview,
the draft editor and the activation with confirmation. KDB reads them; KEIT changes them."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fund.routing import selectors, services
from fund.routing.forms import ActivateForm, PolicyEditor
from fund.routing.permissions import can_manage_routing, can_see_routing
from fund.routing.policy import CHANNELS, INDUSTRY_LABELS, NOTIFY, SUB_ALLIANCE_LABELS
from portal.core.access import only_for
from portal.core.errors import TransitionNotAllowed
from portal.core.ids import parse_id

secretariats_only = only_for(can_see_routing)
keit_only = only_for(can_manage_routing)


def _labels(codes, labels, english: bool) -> list[str]:
    return [labels[code][1 if english else 0] for code in codes if code in labels]


def _channel_rows(policy, english: bool) -> list[dict]:
    rows = []
    for code in CHANNELS:
        body = policy.document["channels"][code]
        rows.append(
            {
                "code": code,
                **body,
                "sub_alliances_in_labels": _labels(
                    body["sub_alliances_in"], SUB_ALLIANCE_LABELS, english
                ),
                "sub_alliances_out_labels": _labels(
                    body["sub_alliances_out"], SUB_ALLIANCE_LABELS, english
                ),
                "industries_in_labels": _labels(body["industries_in"], INDUSTRY_LABELS, english),
                "industries_out_labels": _labels(body["industries_out"], INDUSTRY_LABELS, english),
            }
        )
    return rows


def _english(request) -> bool:
    return (request.LANGUAGE_CODE or "ko").startswith("en")


@secretariats_only
@require_GET
def policy_list(request):
    """The switch (with pause and resume for KEIT), the active version and every version."""
    return render(
        request,
        "routing/policy_list.html",
        {
            "policies": selectors.policies_visible_to(request.user),
            "active": selectors.active_policy(),
            "switch": selectors.switch_state(),
            "waiting": selectors.waiting_count(),
            "can_manage": can_manage_routing(request.user),
        },
    )


def _based_on(value) -> int | None:
    """The version to copy from the form; 0 (which no version has) for a value that is no id,
    so the service answers that there is no such version."""
    if not value:
        return None
    try:
        return parse_id(value)
    except Http404:
        return 0


@require_POST
@keit_only
def policy_new(request):
    try:
        draft = services.policy_create_draft(
            actor=request.user, based_on_id=_based_on(request.POST.get("based_on"))
        )
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect("routing:policy_list")
    messages.success(request, _("A new draft was created. Edit it, preview it, then activate it."))
    return redirect("routing:policy_edit", pk=draft.pk)


@secretariats_only
@require_GET
def policy_detail(request, pk):
    policy = selectors.policy_get(request.user, pk)
    return render(
        request,
        "routing/policy_detail.html",
        {
            "policy": policy,
            "channels": _channel_rows(policy, _english(request)),
            "notify": [code for code in NOTIFY if code in policy.document.get("notify", [])],
            "policy_json": json.dumps(policy.document, ensure_ascii=False, indent=2),
            "can_manage": can_manage_routing(request.user),
        },
    )


@keit_only
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk):
    """The draft editor; saved only when the whole policy is valid, each refusal shown on the
    field it concerns."""
    policy = selectors.policy_get(request.user, pk)
    if not policy.is_draft:
        messages.error(request, _("Only a draft routing policy can be edited."))
        return redirect("routing:policy_detail", pk=policy.pk)
    status = 200
    if request.method == "POST":
        editor = PolicyEditor(policy, request.POST)
        if editor.is_valid():
            try:
                services.policy_update_draft(
                    policy_id=policy.pk,
                    actor=request.user,
                    name=editor.meta.cleaned_data["name"],
                    description=editor.meta.cleaned_data["description"],
                    document=editor.document(),
                )
            except ValidationError as exc:
                editor.add_service_errors(exc)
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
                return redirect("routing:policy_detail", pk=policy.pk)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("routing:policy_detail", pk=policy.pk)
        status = 400
    else:
        editor = PolicyEditor(policy)
    return render(
        request, "routing/policy_edit.html", {"policy": policy, "editor": editor}, status=status
    )


@secretariats_only
@require_GET
def policy_preview(request, pk):
    """What the version would route now: counts per channel and the proposals."""
    policy = selectors.policy_get(request.user, pk)
    return render(
        request,
        "routing/policy_preview.html",
        {
            "policy": policy,
            "preview": selectors.preview(policy),
            "can_manage": can_manage_routing(request.user),
        },
    )


@keit_only
@require_http_methods(["GET", "POST"])
def policy_activate(request, pk):
    """The confirmation page (what the version would route now), then the activation."""
    policy = selectors.policy_get(request.user, pk)
    form = ActivateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.policy_activate(policy_id=policy.pk, actor=request.user, confirm=True)
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
                return redirect("routing:policy_detail", pk=policy.pk)
            except ValidationError as exc:
                for error in exc.messages:
                    messages.error(request, error)
                return redirect("routing:policy_detail", pk=policy.pk)
            messages.success(
                request,
                _("Routing policy v%(version)s is active; the workers apply it now.")
                % {"version": policy.version},
            )
            return redirect("routing:policy_list")
        status = 400
    elif not policy.is_draft:
        messages.error(request, _("Only a draft routing policy can be activated."))
        return redirect("routing:policy_detail", pk=policy.pk)
    return render(
        request,
        "routing/policy_activate.html",
        {
            "policy": policy,
            "form": form,
            "preview": selectors.preview(policy),
            "switch": selectors.switch_state(),
        },
        status=status,
    )


def _switch(request, change, done: str):
    try:
        change(actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        raise Http404 from exc
    else:
        messages.success(request, done)
    return redirect("routing:policy_list")


@require_POST
@keit_only
def routing_pause(request):
    return _switch(
        request,
        services.routing_pause,
        _("Automatic routing is paused. Proposals wait for a hand referral until you resume it."),
    )


@require_POST
@keit_only
def routing_resume(request):
    return _switch(
        request,
        services.routing_resume,
        _("Automatic routing runs again; the waiting proposals are being looked at."),
    )
