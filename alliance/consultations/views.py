"""Consultation requests: an applicant asks to meet a financial institution, either secretariat
confirms or declines, the applicant may cancel. Reads and writes go through
`alliance.consultations`; anyone who may not see a request gets 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alliance import permissions
from alliance.consultations import selectors as consultations_selectors
from alliance.consultations import services as consult
from alliance.consultations.forms import (
    CancelForm,
    ConfirmForm,
    ConsultationFilterForm,
    ConsultationRequestForm,
    DeclineForm,
)
from alliance.models import Consultation, ConsultationStatus, FinancialInstitution
from portal.core import privacy
from portal.core.access import only_for
from portal.core.errors import TransitionNotAllowed

PAGE_SIZE = 25

HISTORY_ACTIONS = {
    "consultation.request": gettext_lazy("Requested"),
    "consultation.confirm": gettext_lazy("Confirmed"),
    "consultation.decline": gettext_lazy("Declined"),
    "consultation.cancel": gettext_lazy("Cancelled"),
}


def _consultation_user(user) -> bool:
    """Applicants, the two secretariats and the institutions (what is addressed to them)."""
    return (
        permissions.can_request_consultation(user)
        or permissions.can_see_all_consultations(user)
        or user.is_institution_staff
    )


consultation_users_only = only_for(_consultation_user)
staff_only = only_for(permissions.can_see_all_consultations)


def _status_label(code: str) -> str:
    return str(ConsultationStatus(code).label) if code in ConsultationStatus.values else code


def _history_rows(consultation: Consultation) -> list[dict]:
    return [
        {
            "entry": entry,
            "action_label": HISTORY_ACTIONS.get(entry.action, entry.action),
            "from_label": _status_label(entry.from_state),
            "to_label": _status_label(entry.to_state),
            "note": entry.note,
        }
        for entry in consultations_selectors.consultation_history(consultation)
    ]


# ---------------------------------------------------------------------------------------------
# Pages


@require_GET
@consultation_users_only
def consultation_list(request):
    """Applicants: their firm's requests and the form for a new one. Secretariats: every
    request, filtered by status and institution."""
    user = request.user
    context = {
        "is_staff_view": permissions.can_see_all_consultations(user),
        "is_institution_view": user.is_institution_staff,
    }
    if context["is_institution_view"]:
        rows = consultations_selectors.consultation_list(user)
    elif context["is_staff_view"]:
        institutions = list(FinancialInstitution.objects.order_by("name"))
        form = ConsultationFilterForm(request.GET or None, institutions=institutions)
        filters = form.filters() if form.is_bound else {}
        rows = consultations_selectors.consultation_list(
            user, status=filters.get("status", ""), institution_id=filters.get("institution")
        )
        context["filter_form"] = form
    else:
        rows = consultations_selectors.consultation_list(user)
        context["form"] = ConsultationRequestForm()
        context["firm_pending"] = not user.firm.is_active
    context["page_obj"] = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    _record_contacts_shown(request, list(context["page_obj"]))
    return render(request, "alliance/consultation_list.html", context)


@require_http_methods(["GET", "POST"])
@consultation_users_only
def consultation_new(request):
    """The request form (GET) and the request itself (POST)."""
    user = request.user
    if not permissions.can_request_consultation(user):
        raise Http404
    status = 200
    if request.method == "POST":
        form = ConsultationRequestForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                consultation = consult.consultation_request(actor=user, **form.request_data())
            except ValidationError as exc:
                form.add_service_errors(exc)
            except TransitionNotAllowed as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Your request was sent. The secretariat will confirm one of your "
                        "preferred times or tell you why not."
                    ),
                )
                return redirect("consultation_detail", pk=consultation.pk)
    else:
        form = ConsultationRequestForm()
    context = {"form": form, "firm_pending": not user.firm.is_active}
    return render(request, "alliance/consultation_form.html", context, status=status)


def render_detail(request, consultation: Consultation, status: int = 200, **forms):
    """The detail page with the forms the user may use (bound ones keep their errors)."""
    user = request.user
    can_handle = permissions.can_answer_consultation(user, consultation) and consultation.is_open
    can_cancel = consult.is_firm_member(user, consultation) and consultation.is_cancellable
    context = {
        "consultation": consultation,
        "history": _history_rows(consultation),
        "can_handle": can_handle,
        "can_cancel": can_cancel,
        "show_contact": permissions.can_see_all_consultations(user),
        "confirm_form": forms.get("confirm_form") or ConfirmForm(consultation=consultation),
        "decline_form": forms.get("decline_form") or DeclineForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
    }
    return render(request, "alliance/consultation_detail.html", context, status=status)


@require_GET
@consultation_users_only
def consultation_detail(request, pk):
    consultation = consultations_selectors.consultation_get_for_user(request.user, pk)
    _record_contacts_shown(request, [consultation])
    return render_detail(request, consultation)


def _record_contacts_shown(request, consultations: list[Consultation]) -> None:
    """A secretariat's page that names contact persons is recorded in the access log."""
    consult.consultation_contacts_access_record(
        actor=request.user,
        action=privacy.PersonalDataAction.VIEW,
        consultation_ids=[c.pk for c in consultations if c.requested_by_id is not None],
        path=request.get_full_path(),
    )


def contact_context(consultation: Consultation, *, revealed: bool = False) -> dict:
    """What `partials/personal_contact.html` shows of the consultation's contact person."""
    person = consultation.requested_by
    return {
        "contact_prefix": "consultation-contact",
        "record_pk": consultation.pk,
        "email": person.email if person else "",
        "phone": person.phone if person else "",
        "erased": consultation.erased_at is not None,
        "revealed": revealed and person is not None,
    }


@require_POST
@staff_only
def consultation_contact(request, pk):
    """Open the contact person's e-mail address and phone number, masked on the secretariats'
    pages; the opening is recorded in the access log. htmx gets the revealed block, a plain
    form post a page with it."""
    consultation = consultations_selectors.consultation_get_for_user(request.user, pk)
    consult.consultation_contacts_access_record(
        actor=request.user,
        action=privacy.PersonalDataAction.REVEAL,
        consultation_ids=[consultation.pk] if consultation.requested_by_id else [],
        path=request.get_full_path(),
    )
    context = contact_context(consultation, revealed=True)
    if request.htmx:
        return render(request, "partials/personal_contact.html", context)
    person = consultation.requested_by
    context.update(
        name=(person.get_full_name() or person.username) if person else "",
        back_url=reverse("consultation_detail", args=[consultation.pk]),
        back_label=_("Consultations"),
    )
    return render(request, "personal_contact_page.html", context)


def _act(request, consultation, *, form, form_name, service, success, service_kwargs):
    """Run one transition from a detail-page form: success → back to the page with a
    message; bad input → the page again (400) with the errors on the form; wrong state or
    role → back with the reason, nothing changed."""
    form.is_valid()
    if form.errors:
        return render_detail(request, consultation, status=400, **{form_name: form})
    try:
        service(consultation_id=consultation.pk, actor=request.user, **service_kwargs(form))
    except ValidationError as exc:
        form.add_service_errors(exc)
        return render_detail(request, consultation, status=400, **{form_name: form})
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    except PermissionDenied:
        messages.error(request, _("You cannot change this consultation request."))
    else:
        messages.success(request, success)
    return redirect("consultation_detail", pk=consultation.pk)


@require_POST
@consultation_users_only
def consultation_confirm(request, pk):
    consultation = consultations_selectors.consultation_get_for_user(request.user, pk)
    return _act(
        request,
        consultation,
        form=ConfirmForm(request.POST, consultation=consultation),
        form_name="confirm_form",
        service=consult.consultation_confirm,
        success=_("The consultation is confirmed and the firm is notified by e-mail."),
        service_kwargs=lambda form: {
            "slot": form.cleaned_data.get("slot"),
            "place": form.cleaned_data.get("place", ""),
            "online_url": form.cleaned_data.get("online_url", ""),
            "staff_note": form.cleaned_data.get("staff_note", ""),
        },
    )


@require_POST
@consultation_users_only
def consultation_decline(request, pk):
    return _act(
        request,
        consultations_selectors.consultation_get_for_user(request.user, pk),
        form=DeclineForm(request.POST),
        form_name="decline_form",
        service=consult.consultation_decline,
        success=_("The request is declined and the firm is notified by e-mail."),
        service_kwargs=lambda form: {"reason": form.cleaned_data.get("reason", "")},
    )


@require_POST
@consultation_users_only
def consultation_cancel(request, pk):
    return _act(
        request,
        consultations_selectors.consultation_get_for_user(request.user, pk),
        form=CancelForm(request.POST),
        form_name="cancel_form",
        service=consult.consultation_cancel,
        success=_("Your consultation request is cancelled."),
        service_kwargs=lambda form: {"note": form.cleaned_data.get("note", "")},
    )
