"""Pages: staff rule-set pages (edit, preview, activate, progress) and proposal results."""

import json
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliance import permissions
from alliance.proposals.selectors import proposal_get_for_user
from matching import selectors, services
from matching.forms import RuleSetEditor
from matching.scoring.explain import CRITERION_LABELS, RULE_LABELS
from portal.core.errors import TransitionNotAllowed


def _rule_set_or_404(user, pk):
    rule_set = selectors.rule_sets_visible_to(user).filter(pk=pk).first()
    if rule_set is None:
        raise Http404
    return rule_set


def _in_language(pair: tuple[str, str]) -> str:
    """The Korean or English half of a (ko, en) label, by the active language."""
    return pair[1] if (get_language() or "ko").startswith("en") else pair[0]


def _progress_context(rule_set):
    run = selectors.latest_rescore(rule_set)
    return {"rule_set": rule_set, "progress": selectors.rescore_progress(run) if run else None}


@login_required
@require_GET
def rule_set_list(request):
    rule_sets = selectors.rule_sets_visible_to(request.user)
    if not (
        request.user.is_alliance_staff or request.user.is_fund_staff or request.user.is_superuser
    ):
        raise Http404
    return render(
        request,
        "matching/rule_set_list.html",
        {"rule_sets": rule_sets, "can_manage": services.can_manage_rules(request.user)},
    )


@login_required
@require_POST
def rule_set_new(request):
    try:
        draft = services.rule_set_create_draft(
            actor=request.user, based_on_id=_int_or_none(request.POST.get("based_on"))
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
        return redirect("matching:rule_set_list")
    messages.success(request, _("A new draft was created. Edit it, preview it, then activate it."))
    return redirect("matching:rule_set_edit", pk=draft.pk)


def _int_or_none(value):
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def rule_set_detail(request, pk):
    rule_set = _rule_set_or_404(request.user, pk)
    preview = selectors.latest_preview(rule_set)
    channels = []
    for code, body in (rule_set.rules.get("channels") or {}).items():
        channels.append(
            {
                "code": code,
                "eligibility": [
                    {
                        **e,
                        "label": RULE_LABELS.get(e.get("rule"), ("", "")),
                        "title": _in_language(RULE_LABELS.get(e.get("rule"), ("", ""))),
                    }
                    for e in body.get("eligibility", [])
                ],
                "criteria": [
                    {**c, "label": CRITERION_LABELS.get(c.get("criterion"), ("", ""))}
                    for c in body.get("criteria", [])
                ],
            }
        )
    return render(
        request,
        "matching/rule_set_detail.html",
        {
            **_progress_context(rule_set),
            "channels": channels,
            "preview": preview,
            "preview_changes": [
                {
                    **change,
                    "kind_labels": [
                        str(CHANGE_KINDS[k]) for k in change.get("kinds", []) if k in CHANGE_KINDS
                    ],
                }
                for change in (preview.changes[:500] if preview else [])
            ],
            "preview_stale": bool(
                preview and preview.rules_hash != selectors.rules_hash(rule_set.rules)
            ),
            "can_manage": services.can_manage_rules(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_edit(request, pk):
    """The draft editor: typed inputs per channel, check and criterion; saved only when the
    whole document is valid. A POST carrying `weights_for` only answers that channel's live
    sum of weights (the htmx partial) and saves nothing."""
    rule_set = _rule_set_or_404(request.user, pk)
    if not services.can_manage_rules(request.user) or not rule_set.is_draft:
        raise Http404
    if request.method == "POST":
        editor = RuleSetEditor(rule_set, request.POST)
        if "weights_for" in request.POST:
            channel = editor.channel(request.POST["weights_for"])
            if channel is None:
                raise Http404
            return render(request, "matching/partials/weight_sum.html", {"channel": channel})
        if editor.is_valid():
            try:
                services.rule_set_update_draft(
                    rule_set_id=rule_set.pk,
                    actor=request.user,
                    name=editor.meta.cleaned_data["name"],
                    description=editor.meta.cleaned_data["description"],
                    rules=editor.rules(),
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                editor.add_service_errors(exc)
            except TransitionNotAllowed as exc:
                messages.error(request, exc.message)
                return redirect("matching:rule_set_detail", pk=rule_set.pk)
            else:
                messages.success(request, _("The draft was saved."))
                return redirect("matching:rule_set_detail", pk=rule_set.pk)
    else:
        editor = RuleSetEditor(rule_set)
    return render(
        request,
        "matching/rule_set_edit.html",
        {
            "rule_set": rule_set,
            "editor": editor,
            "rules_json": json.dumps(rule_set.rules, ensure_ascii=False, indent=2),
        },
    )


CHANGE_KINDS = {
    "best_channel": gettext_lazy("Best channel"),
    "eligibility": gettext_lazy("Eligibility"),
    "score_band": gettext_lazy("Score band"),
}


def _best(change: dict, side: str) -> str:
    return (change.get(side) or {}).get("best") or ""


def preview_impact(rule_set, preview) -> dict | None:
    """What activating the draft would do, read from its latest finished preview: how many
    proposals are rescored, how many results change and how (by kind), and which best
    channel moves to which, with how many proposals each. None without a finished preview of
    the draft as it is now (a stale preview says nothing about the draft)."""
    if preview is None or not preview.finished_at:
        return None
    if preview.rules_hash != selectors.rules_hash(rule_set.rules):
        return None
    by_kind = Counter(kind for change in preview.changes for kind in change.get("kinds", []))
    moves = Counter(
        (
            (change.get("before") or {}).get("best") or "",
            (change.get("after") or {}).get("best") or "",
        )
        for change in preview.changes
        if "best_channel" in change.get("kinds", [])
    )
    return {
        "total": preview.total_proposals,
        "changed": len(preview.changes),
        "by_kind": [(str(label), by_kind.get(kind, 0)) for kind, label in CHANGE_KINDS.items()],
        "moves": [
            {"before": before, "after": after, "count": count}
            for (before, after), count in sorted(moves.items(), key=lambda m: (-m[1], m[0]))
        ],
    }


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_activate(request, pk):
    """GET: the confirmation step, with the preview's impact; POST: activate and rescore."""
    rule_set = _rule_set_or_404(request.user, pk)
    if request.method == "GET":
        if not services.can_manage_rules(request.user):
            raise Http404
        if not rule_set.is_draft:
            messages.error(request, _("Only a draft can be activated."))
            return redirect("matching:rule_set_detail", pk=rule_set.pk)
        preview = selectors.latest_preview(rule_set)
        return render(
            request,
            "matching/rule_set_activate.html",
            {
                "rule_set": rule_set,
                "preview": preview,
                "impact": preview_impact(rule_set, preview),
                "active": selectors.active_rule_set(),
            },
        )
    try:
        services.rule_set_activate(rule_set_id=rule_set.pk, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for error in exc.message_dict.get("rules", []):
            messages.error(request, error)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The rule set is active; every proposal is being rescored."))
    return redirect("matching:rule_set_detail", pk=rule_set.pk)


@login_required
@require_POST
def rule_set_preview(request, pk):
    rule_set = _rule_set_or_404(request.user, pk)
    try:
        services.preview_start(rule_set_id=rule_set.pk, actor=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        for error in exc.message_dict.get("rules", []):
            messages.error(request, error)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The preview is being computed; this page will show it."))
    return redirect("matching:rule_set_detail", pk=rule_set.pk)


@login_required
@require_GET
def rule_set_progress(request, pk):
    rule_set = _rule_set_or_404(request.user, pk)
    return render(request, "matching/partials/progress.html", _progress_context(rule_set))


@login_required
@require_GET
def proposal_results(request, pk):
    proposal = proposal_get_for_user(request.user, pk)
    return render(
        request,
        "matching/partials/results.html",
        {
            "proposal": proposal,
            "results": selectors.results_for_proposal(proposal),
            "can_check": permissions.can_edit_proposal(request.user, proposal),
            "pending": proposal.status in selectors.SCOREABLE_STATUSES,
        },
    )


@login_required
@require_POST
def proposal_check(request, pk):
    proposal = proposal_get_for_user(request.user, pk)
    if not permissions.can_edit_proposal(request.user, proposal):
        raise Http404
    return render(
        request,
        "matching/partials/check.html",
        {"proposal": proposal, "checks": services.check_draft(proposal=proposal)},
    )
