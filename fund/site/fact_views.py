"""The public sources page, and the pages on which the site editor and the fund secretariat
keep the public facts current: the list, a change with its reason, and each fact's history.

Staff pages follow the portal's access rule (portal.core.access.only_for): signed-out visitors
are sent to sign in, every other role gets 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alliance.templatetags.portal_tags import krw
from fund.site import fact_services, facts
from fund.site.fact_forms import FactForm
from fund.site.models import FactQualifier, Source
from fund.site.permissions import can_edit_facts
from portal.core.access import only_for

facts_editor_required = only_for(can_edit_facts)

# Which editable fields a revision shows, with their labels (the form's).
REVISION_FIELDS = [
    (name, field.label) for name, field in FactForm.base_fields.items() if name != "reason"
]


def _label(fact) -> str:
    return fact.label_en if (get_language() or "ko").startswith("en") else fact.label_ko


def _shown(name: str, value, markers: dict[str, str]):
    """A revision's recorded value as the history shows it: a source by its marker, a
    qualifier by its label, an amount in 조/억/만원; None stays None."""
    if value is None or value == "":
        return value
    if name == "source":
        return markers.get(value, value)
    if name == "qualifier":
        return str(FactQualifier(value).label) if value in FactQualifier.values else value
    if name == "amount_krw":
        return krw(value)
    return value


@require_GET
def sources(request):
    """Every source and every public fact it backs, with the survey rounds (public)."""
    reg = facts.registry()
    by_source = {key: [] for key in reg.sources}
    for entry in sorted(reg.facts.values(), key=lambda f: (facts.group_rank(f.group), f.order)):
        by_source.setdefault(entry.source_key, []).append(entry)
    return render(
        request,
        "fund/site/sources.html",
        {
            "facts_registry": reg,
            "sections": [(reg.sources[key], by_source[key]) for key in reg.sources],
            "surveys": reg.surveys,
        },
    )


@facts_editor_required
@require_GET
def fact_list(request):
    group = request.GET.get("group", "")
    groups = facts.fact_groups()
    if group not in {name for name, _label in groups}:
        group = ""
    return render(
        request,
        "fund/editor/fact_list.html",
        {"facts": facts.facts_for_editor(group=group), "groups": groups, "group": group},
    )


@facts_editor_required
@require_http_methods(["GET", "POST"])
def fact_edit(request, key: str):
    fact = facts.fact_get_for_editor(key)
    form = FactForm(request.POST if request.method == "POST" else None, fact=fact)
    if request.method == "POST" and form.is_valid():
        try:
            fact_services.fact_update(
                fact=fact,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                **form.values(),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("The fact was changed; the public pages show it now."))
            return redirect("site:editor_fact_history", key=fact.key)
    return render(
        request,
        "fund/editor/fact_form.html",
        {"fact": fact, "label": _label(fact), "form": form},
        status=400 if form.is_bound else 200,
    )


@facts_editor_required
@require_GET
def fact_history(request, key: str):
    fact = facts.fact_get_for_editor(key)
    revisions = []
    markers = {source.key: source.marker for source in Source.objects.all()}
    for revision in facts.fact_revisions(fact):
        changes = [
            (
                str(label),
                _shown(name, revision.before.get(name), markers),
                _shown(name, revision.after.get(name), markers),
            )
            for name, label in REVISION_FIELDS
            if revision.before.get(name) != revision.after.get(name)
        ]
        revisions.append((revision, changes))
    return render(
        request,
        "fund/editor/fact_history.html",
        {"fact": fact, "label": _label(fact), "revisions": revisions},
    )
