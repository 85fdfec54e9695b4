"""The applicant's proposal pages: workspace, the four-step form with autosave, detail,
submission and withdrawal. Reads go through selectors, writes through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliance import permissions
from alliance.firms import selectors as firms_selectors
from alliance.firms.secretariat_views import STAFF_ONLY, secretariat_only
from alliance.listing import safe_next
from alliance.models import Firm, Industry, Proposal, SubAlliance
from alliance.proposals import selectors, services
from alliance.proposals.forms import (
    FIELD_STEPS,
    LAST_STEP,
    STEP_FORMS,
    BasicInfoForm,
    DocumentUploadForm,
    InvestmentForm,
    RequestInfoForm,
    SubmitForm,
    WithdrawForm,
    step_initial,
)
from alliance.proposals.history import history_rows
from portal.core import signals
from portal.core.forms import add_service_errors
from portal.core.landing import landing_url
from portal.core.vocabulary import FundUse, Role

WORKSPACE_PAGE_SIZE = 25
# The public self-check's answers, put in the session when a visitor asks to carry them into
# a new draft (fund.site.self_check); the first draft created afterwards takes them in.
SELF_CHECK_SESSION_KEY = "self_check_answers"
CARRIED_FIELDS = (
    "fund_uses",
    "structure",
    "region",
    "trl",
    "ai_related",
    "total_cost_krw",
    "requested_krw",
    "private_coinvest_krw",
)

STEP_TITLES = {
    **{number: form_class.title_text for number, form_class in STEP_FORMS.items()},
    # Translators: 서류·제출
    LAST_STEP: gettext_lazy("Documents and submission"),
}

# What each staff role does and where its pages start; a page not yet built is left out.
ROLE_PAGES = (
    (
        Role.FUND_SECRETARIAT,
        gettext_lazy(
            "Fund secretariat (KDB): proposals that KEIT refers reach you through the "
            "coordination queue and the fund pipeline."
        ),
        "staff_dashboard",
        gettext_lazy("Demand and pipeline dashboard"),
    ),
    (
        Role.SITE_EDITOR,
        gettext_lazy("Site editor: you publish the information site's notices, FAQ and events."),
        "site:editor_dashboard",
        gettext_lazy("Editor's pages"),
    ),
    (
        Role.MINISTRY,
        gettext_lazy(
            "Ministry: the pipeline and the fund's commitments in aggregate; the Ministry of "
            "Trade, Industry and Energy also recommends proposals and plans shared infrastructure."
        ),
        "overview:ministry",
        gettext_lazy("Ministry overview"),
    ),
)

FIELD_LABELS = {
    name: form_class.base_fields[name].label
    for form_class in STEP_FORMS.values()
    for name in form_class.base_fields
    if name != "version"
}


# ---------------------------------------------------------------------------------------------
# Helpers


def _lead_proposal(request, pk) -> Proposal:
    """The proposal when the user belongs to its lead firm; 404 for everyone else.

    Consortium partners and staff may read a proposal but never reach its edit pages.
    """
    proposal = selectors.proposal_get_for_user(request.user, pk)
    if not permissions.is_lead_member(request.user, proposal):
        raise Http404
    return proposal


def _apply_service_errors(form, exc: ValidationError) -> None:
    """Put a service's field errors on the form's fields, others at the top of the form."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        else:
            label = FIELD_LABELS.get(field, field)
            for message in errors:
                form.add_error(None, f"{label}: {message}")


def _partner_choices(user, proposal: Proposal | None):
    # A partner chosen earlier stays selectable even if its firm has since been suspended,
    # so saving step 2 never drops it silently.
    current = list(proposal.partners.values_list("pk", flat=True)) if proposal else []
    return Firm.objects.filter(
        Q(pk__in=firms_selectors.partner_firm_choices(user).values("pk")) | Q(pk__in=current)
    ).order_by("name")


def _step_form(step: int, user, proposal: Proposal, data=None):
    form_class = STEP_FORMS[step]
    kwargs = {}
    if step == 2:
        kwargs["partner_choices"] = _partner_choices(user, proposal)
    if data is not None:
        return form_class(data, **kwargs)
    return form_class(initial=step_initial(proposal, step), **kwargs)


def _save_valid_fields(form, request, proposal: Proposal, step: int, *, autosave: bool):
    """Save every field of a step that is valid, even while others are not; the rest keep
    their errors on the form. Returns the saved proposal, or None when nothing was saved.

    The form's own checks leave the invalid fields out of cleaned_data; the service's rules
    name their fields, which are then left out and the rest saved again. When a refused field
    was not among those sent (the stored requested amount above a newly typed total cost),
    the fields it is checked against wait with it, marked as not saved yet.
    StaleEdit and TransitionNotAllowed go to the caller.
    """
    form.is_valid()
    if "version" in form.errors:
        return None
    data = form.service_data()
    partners = form.cleaned_data.get("partners") if step == 2 else None
    while data or partners is not None:
        try:
            return services.proposal_update(
                proposal_id=proposal.pk,
                actor=request.user,
                version=form.cleaned_data["version"],
                data=data,
                partners=partners,
                autosave=autosave,
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                _apply_service_errors(form, exc)
                return None
            refused = {
                field: errors
                for field, errors in exc.message_dict.items()
                if field not in form.errors
            }
            _apply_service_errors(form, ValidationError(refused))
            sent = set(data) | ({"partners"} if partners is not None else set())
            left_out = set(exc.message_dict) & sent
            if not left_out:
                for field in exc.message_dict:
                    for other in services.CHECKED_AGAINST.get(field, ()):
                        if other in sent and other in form.fields:
                            left_out.add(other)
                            form.add_error(
                                other,
                                _("Not saved yet: it is checked together with “%(field)s”.")
                                % {"field": FIELD_LABELS.get(field, field)},
                            )
            if not left_out:
                return None
            data = {name: value for name, value in data.items() if name not in left_out}
            if "partners" in left_out:
                partners = None
    return None


def _role_pages(user) -> list[dict]:
    pages = []
    for role, description, url_name, link_text in ROLE_PAGES:
        if not user.has_role(role):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            url = ""
        pages.append({"description": description, "url": url, "link_text": link_text})
    return pages


def _missing_fields(proposal: Proposal) -> dict[str, list[str]]:
    """What submission would refuse, by field (empty when the proposal is complete)."""
    try:
        services.proposal_validate(proposal, complete=True)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def proposal_rows(proposal: Proposal, partners, errors: dict | None = None) -> list[dict]:
    """Every proposal field as a labelled row for the review, confirmation and detail pages."""
    errors = errors or {}
    values = {
        "title": proposal.title,
        "summary": proposal.summary,
        "sub_alliance": proposal.sub_alliance.name if proposal.sub_alliance else "",
        "industry": proposal.industry.name if proposal.industry else "",
        "project_type": proposal.get_project_type_display() if proposal.project_type else "",
        "ai_related": _("Yes") if proposal.ai_related else _("No"),
        "fund_uses": ", ".join(
            str(FundUse(u).label) for u in proposal.fund_uses or [] if u in FundUse.values
        ),
        "structure": proposal.get_structure_display(),
        "region": proposal.get_region_display() if proposal.region else "",
        "start_date": proposal.start_date,
        "end_date": proposal.end_date,
        "trl": proposal.trl,
        "preferred_channel": proposal.get_preferred_channel_display()
        if proposal.preferred_channel
        else _("Let the portal suggest"),
        "partners": ", ".join(p.name for p in partners),
        "expected_jobs": "" if proposal.expected_jobs is None else f"{proposal.expected_jobs:,}",
    }
    rows = []
    for name, step in FIELD_STEPS.items():
        amount = name in InvestmentForm.AMOUNT_FIELDS
        rows.append(
            {
                "name": name,
                "label": FIELD_LABELS[name],
                "step": step,
                "kind": "amount" if amount else ("date" if name.endswith("_date") else "text"),
                "value": getattr(proposal, name) if amount else values[name],
                "errors": errors.get(name, []),
            }
        )
    return rows


def _steps(current: int, proposal: Proposal | None) -> list[dict]:
    return [
        {
            "number": number,
            "title": title,
            "state": "active" if number == current else ("done" if number < current else ""),
            "linked": proposal is not None and number != current,
        }
        for number, title in STEP_TITLES.items()
    ]


def render_review_step(request, proposal: Proposal, upload_form=None, status: int = 200):
    """Step 4: documents and a review of every field, with what submission still needs."""
    partners = list(proposal.partners.all())
    missing = _missing_fields(proposal)
    context = {
        "proposal": proposal,
        "step": LAST_STEP,
        "steps": _steps(LAST_STEP, proposal),
        "rows": proposal_rows(proposal, partners, missing),
        "missing": missing,
        "documents": list(proposal.documents.all()),
        "upload_form": upload_form or DocumentUploadForm(),
        "can_upload": permissions.can_upload_document(request.user, proposal),
        "firm_pending": not proposal.firm.is_active,
    }
    return render(request, "alliance/proposal_review.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# Pages


@login_required
@require_GET
def dashboard(request):
    """The applicant's workspace; staff are sent to the pages of their own role."""
    user = request.user
    if not user.is_applicant:
        landing = landing_url(user)
        if landing != request.path:
            return redirect(landing)
        context = {"role_only": True, "role_pages": _role_pages(user)}
        return render(request, "alliance/dashboard.html", context)
    page = Paginator(selectors.proposal_list_for_workspace(user), WORKSPACE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "alliance/dashboard.html",
        {"page": page, "firm": user.firm, "can_create": permissions.can_create_proposal(user)},
    )


def _carried_answers(request) -> tuple[dict, dict]:
    """The self-check's answers in the session: (values for the draft, step 1's initial)."""
    answers = request.session.get(SELF_CHECK_SESSION_KEY)
    if not isinstance(answers, dict):
        return {}, {}
    data = {field: answers[field] for field in CARRIED_FIELDS if field in answers}
    initial = {"ai_related": bool(answers.get("ai_related"))}
    for field, model in (("sub_alliance", SubAlliance), ("industry", Industry)):
        found = model.objects.filter(code=answers.get(field) or "").first()
        if found is not None:
            initial[field] = found
    return data, initial


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request):
    """Step 1 for a proposal that does not exist yet; saving it creates the draft, with the
    self-check's answers when the visitor carried them here."""
    if not permissions.can_create_proposal(request.user):
        raise PermissionDenied
    status = 200
    carried, initial = _carried_answers(request)
    if request.method == "POST":
        form = BasicInfoForm(request.POST, with_version=False)
        status = 400
        if form.is_valid():
            try:
                proposal = services.proposal_create(
                    actor=request.user, data={**carried, **form.service_data()}
                )
            except ValidationError as exc:
                _apply_service_errors(form, exc)
            else:
                request.session.pop(SELF_CHECK_SESSION_KEY, None)
                messages.success(request, _("The draft was created. Continue with the plan."))
                return redirect("alliance:proposal_edit", pk=proposal.pk, step=2)
    else:
        form = BasicInfoForm(with_version=False, initial=initial)
    context = {
        "form": form,
        "proposal": None,
        "step": 1,
        "steps": _steps(1, None),
        "carried_self_check": bool(carried),
    }
    return render(request, "alliance/proposal_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, pk, step):
    """Steps 1–3 edit the draft (refused with 409 if someone saved first); step 4 reviews it."""
    proposal = _lead_proposal(request, pk)
    if step not in range(1, LAST_STEP + 1):
        raise Http404
    if not permissions.can_edit_proposal(request.user, proposal):
        messages.error(request, _("This proposal can no longer be edited."))
        return redirect("alliance:proposal_detail", pk=proposal.pk)
    if step == LAST_STEP:
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        return render_review_step(request, proposal)

    status, stale_message = 200, ""
    if request.method == "POST":
        form = _step_form(step, request.user, proposal, data=request.POST)
        status = 400
        try:
            saved = _save_valid_fields(form, request, proposal, step, autosave=False)
        except services.StaleEdit as exc:
            # The typed values stay in the form; nothing was written.
            status, stale_message = 409, exc.message
        except services.TransitionNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect("alliance:proposal_detail", pk=proposal.pk)
        else:
            if not form.errors:
                messages.success(request, _("Saved."))
                next_step = step + 1 if request.POST.get("action") == "next" else step
                return redirect("alliance:proposal_edit", pk=proposal.pk, step=next_step)
            if saved is not None and saved.version != proposal.version:
                # The valid fields were saved: the next save starts from the new version.
                form.data = form.data.copy()
                form.data["version"] = str(saved.version)
                form.add_error(
                    None, _("The other fields were saved; fix the highlighted ones to save them.")
                )
    else:
        form = _step_form(step, request.user, proposal)
    context = {
        "form": form,
        "proposal": proposal,
        "step": step,
        "steps": _steps(step, proposal),
        "stale_message": stale_message,
    }
    return render(request, "alliance/proposal_form.html", context, status=status)


@login_required
@require_POST
def proposal_autosave(request, pk):
    """htmx autosave of one step: answers a fragment with the new version or the errors."""
    proposal = _lead_proposal(request, pk)
    try:
        step = int(request.POST.get("step", ""))
    except ValueError:
        step = 0
    context = {"proposal": proposal, "form": None, "message": "", "saved_at": None}
    if step not in STEP_FORMS:
        context["message"] = _("This page cannot be saved automatically; use the save button.")
        return render(request, "alliance/partials/autosave_status.html", context, status=400)
    if not permissions.can_edit_proposal(request.user, proposal):
        context["message"] = _("This proposal can no longer be edited.")
        return render(request, "alliance/partials/autosave_status.html", context, status=409)
    form = _step_form(step, request.user, proposal, data=request.POST)
    context["form"] = form
    try:
        saved = _save_valid_fields(form, request, proposal, step, autosave=True)
    except services.StaleEdit as exc:
        status, context["message"], context["stale"] = 409, exc.message, True
    except services.TransitionNotAllowed as exc:
        status, context["message"] = 409, exc.message
    else:
        # 422 while any field is refused, so the page keeps warning before it is left.
        status = 422 if form.errors else 200
        changed = saved is not None and saved.version != proposal.version
        if saved is not None and (changed or not form.errors):
            context.update(proposal=saved, saved_at=timezone.localtime())
        if form.errors:
            context["message"] = (
                _("Saved the other fields; the highlighted ones are not saved yet.")
                if changed
                else _("Not saved: check the highlighted fields.")
            )
    return render(request, "alliance/partials/autosave_status.html", context, status=status)


@login_required
@require_GET
def amount_preview(request):
    """An amount field's value in words while it is typed ("= 4,200억원"), or why it cannot be
    read; nothing is saved. htmx swaps it in under the field."""
    name = request.GET.get("field", "")
    if name not in InvestmentForm.AMOUNT_FIELDS:
        raise Http404
    field = InvestmentForm.base_fields[name]
    row = {"amount": None, "error": ""}
    try:
        row["amount"] = field.clean(request.GET.get(name, ""))
    except ValidationError as exc:
        row["error"] = exc.messages[0]
    context = {"field": InvestmentForm()[name], "row": row}
    return render(request, "alliance/partials/amount_preview.html", context)


@login_required
@require_GET
def proposal_detail(request, pk):
    """Everything about one proposal, its documents and its history; 404 if not visible."""
    return render_proposal_detail(request, selectors.proposal_get_for_user(request.user, pk))


def render_proposal_detail(request, proposal: Proposal, *, extra_context=None, status=200):
    """The proposal page. The apps above add their parts through `proposal_page_context`
    (the fund's questions, say); `extra_context` overrides them (a refused answer's form)."""
    user = request.user
    partners = list(proposal.partners.all())
    context = {
        "proposal": proposal,
        "rows": proposal_rows(proposal, partners),
        "partners": partners,
        "documents": list(proposal.documents.all()),
        "history": history_rows(proposal, request.user),
        "is_lead": permissions.is_lead_member(user, proposal),
        "is_partner": bool(user.firm_id) and user.firm_id in {p.pk for p in partners},
        "can_edit": permissions.can_edit_proposal(user, proposal),
        "can_submit": permissions.can_submit_proposal(user, proposal),
        "can_withdraw": permissions.can_withdraw_proposal(user, proposal),
        "can_request_info": permissions.can_request_info(user, proposal),
    }
    for _receiver, extra in signals.proposal_page_context.send(
        sender=Proposal, request=request, proposal=proposal
    ):
        context.update(extra or {})
    context.update(extra_context or {})
    return render(request, "alliance/proposal_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_submit(request, pk):
    """Confirmation page (GET) and the submission itself (POST)."""
    proposal = _lead_proposal(request, pk)
    if not permissions.can_submit_proposal(request.user, proposal):
        messages.error(
            request, _("Only a draft or a proposal awaiting your answer can be submitted.")
        )
        return redirect("alliance:proposal_detail", pk=proposal.pk)
    status, stale_message = 200, ""
    if request.method == "POST":
        form = SubmitForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.proposal_submit(
                    proposal_id=proposal.pk,
                    actor=request.user,
                    version=form.cleaned_data["version"],
                )
            except services.StaleEdit as exc:
                # Show what is there now; submitting it takes one more, informed, click.
                status, stale_message = 409, exc.message
                proposal = _lead_proposal(request, pk)
                form = SubmitForm(initial={"version": proposal.version})
            except services.TransitionNotAllowed as exc:
                messages.error(request, exc.message)
                return redirect("alliance:proposal_detail", pk=proposal.pk)
            except ValidationError:
                pass  # the missing fields are listed below, with links to their steps
            else:
                messages.success(request, _("The proposal was submitted."))
                return redirect("alliance:proposal_detail", pk=proposal.pk)
    else:
        form = SubmitForm(initial={"version": proposal.version})
    partners = list(proposal.partners.all())
    missing = _missing_fields(proposal)
    context = {
        "proposal": proposal,
        "form": form,
        "rows": proposal_rows(proposal, partners, missing),
        "missing": missing,
        "missing_rows": [
            {"label": FIELD_LABELS.get(name, name), "step": FIELD_STEPS.get(name, 1), "errors": e}
            for name, e in missing.items()
        ],
        "documents": list(proposal.documents.all()),
        "firm_pending": not proposal.firm.is_active,
        "stale_message": stale_message,
    }
    return render(request, "alliance/proposal_submit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_withdraw(request, pk):
    """Confirmation with an optional reason (GET), and the withdrawal (POST)."""
    proposal = _lead_proposal(request, pk)
    if not permissions.can_withdraw_proposal(request.user, proposal):
        messages.error(request, _("This proposal can no longer be withdrawn."))
        return redirect("alliance:proposal_detail", pk=proposal.pk)
    status = 200
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                services.proposal_withdraw(
                    proposal_id=proposal.pk, actor=request.user, note=form.cleaned_data["reason"]
                )
            except services.TransitionNotAllowed as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The proposal was withdrawn."))
            return redirect("alliance:proposal_detail", pk=proposal.pk)
    else:
        form = WithdrawForm()
    context = {"proposal": proposal, "form": form}
    return render(request, "alliance/proposal_withdraw.html", context, status=status)


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
    # Back to the screening page the form was on, else to the proposal.
    return redirect(safe_next(request) or reverse("alliance:proposal_detail", args=[proposal.pk]))
