"""The site editor's pages: notices, FAQ, events and their registrations.

Only site editors (and superusers) see these pages; anyone else signed in gets 404, so the
pages do not even admit to existing, and anonymous visitors are sent to sign in.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fund.site import selectors, services
from fund.site.forms import EventForm, FaqForm, NoticeForm
from fund.site.models import FaqCategory, RegistrationStatus
from fund.site.permissions import can_edit_site
from portal.core import privacy
from portal.core.access import only_for
from portal.core.errors import TransitionNotAllowed
from portal.core.exports import safe_cell

EDITOR_PAGE_SIZE = 20
REGISTRATION_PAGE_SIZE = 100

# The export is a fixed-format file for the Korean secretariats' spreadsheets, so its header
# and status words do not follow the page language.
CSV_HEADER = ["번호", "이름", "소속", "이메일", "전화", "상태", "대기순번", "신청일시", "체크인"]
CSV_STATUS = {
    RegistrationStatus.CONFIRMED: "확정",
    RegistrationStatus.WAITLISTED: "대기",
    RegistrationStatus.CANCELLED: "취소",
}


editor_required = only_for(can_edit_site)


def _form_page(request, *, form, title: str, back_url: str, status: int = 200):
    return render(
        request,
        "fund/editor/form.html",
        {"form": form, "title": title, "back_url": back_url},
        status=status,
    )


def _save(request, form, save) -> bool:
    """Run `save(cleaned_data)` for a valid form; put a refusal from the service on the form."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


@editor_required
@require_GET
def dashboard(request):
    return render(request, "fund/editor/dashboard.html", selectors.editor_dashboard_summary())


# ---------------------------------------------------------------------------------------------
# Creating, editing and deleting a notice, an FAQ entry or an event: one set of views


@dataclass(frozen=True)
class Editable:
    """What the generic editor views need to know of one kind of site content."""

    form: type
    list_url: str
    get: Callable  # pk -> the object, or 404
    create: Callable  # (*, actor, **data) -> the object
    update: Callable  # (obj, *, actor, **data) -> the object
    delete: Callable  # (obj, *, actor) -> None
    title_new: str
    title_edit: str
    saved: str
    deleted: str


def create_view(kind: Editable):
    @editor_required
    @require_http_methods(["GET", "POST"])
    def view(request):
        form = kind.form(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if _save(request, form, lambda data: kind.create(actor=request.user, **data)):
                messages.success(request, kind.saved)
                return redirect(kind.list_url)
        return _form_page(
            request,
            form=form,
            title=kind.title_new,
            back_url=kind.list_url,
            status=400 if form.is_bound else 200,
        )

    return view


def edit_view(kind: Editable):
    @editor_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk: int):
        obj = kind.get(pk)
        form = kind.form(request.POST if request.method == "POST" else None, instance=obj)
        if request.method == "POST":
            if _save(request, form, lambda data: kind.update(obj, actor=request.user, **data)):
                messages.success(request, kind.saved)
                return redirect(kind.list_url)
        return _form_page(
            request,
            form=form,
            title=kind.title_edit,
            back_url=kind.list_url,
            status=400 if form.is_bound else 200,
        )

    return view


def delete_view(kind: Editable):
    @editor_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk: int):
        obj = kind.get(pk)
        if request.method == "POST":
            try:
                kind.delete(obj, actor=request.user)
            except TransitionNotAllowed as exc:  # an event with registrations stays
                messages.error(request, exc.message)
                return redirect(kind.list_url)
            messages.success(request, kind.deleted)
            return redirect(kind.list_url)
        return render(
            request,
            "fund/editor/confirm_delete.html",
            {"object": obj, "back_url": kind.list_url},
        )

    return view


NOTICE = Editable(
    form=NoticeForm,
    list_url="site:editor_notices",
    get=selectors.notice_get_for_editor,
    create=services.notice_create,
    update=lambda notice, **kw: services.notice_update(notice=notice, **kw),
    delete=lambda notice, **kw: services.notice_delete(notice=notice, **kw),
    title_new=gettext_lazy("New notice"),
    title_edit=gettext_lazy("Edit notice"),
    saved=gettext_lazy("The notice was saved."),
    deleted=gettext_lazy("The notice was deleted."),
)
FAQ = Editable(
    form=FaqForm,
    list_url="site:editor_faqs",
    get=selectors.faq_get_for_editor,
    create=services.faq_create,
    update=lambda faq, **kw: services.faq_update(faq=faq, **kw),
    delete=lambda faq, **kw: services.faq_delete(faq=faq, **kw),
    title_new=gettext_lazy("New FAQ entry"),
    title_edit=gettext_lazy("Edit FAQ entry"),
    saved=gettext_lazy("The FAQ entry was saved."),
    deleted=gettext_lazy("The FAQ entry was deleted."),
)
EVENT = Editable(
    form=EventForm,
    list_url="site:editor_events",
    get=selectors.event_get_for_editor,
    create=services.event_create,
    update=lambda event, **kw: services.event_update(event=event, **kw),
    delete=lambda event, **kw: services.event_delete(event=event, **kw),
    title_new=gettext_lazy("New event"),
    title_edit=gettext_lazy("Edit event"),
    saved=gettext_lazy("The event was saved."),
    deleted=gettext_lazy("The event was deleted."),
)

notice_create = create_view(NOTICE)
notice_edit = edit_view(NOTICE)
notice_delete = delete_view(NOTICE)
faq_create = create_view(FAQ)
faq_edit = edit_view(FAQ)
faq_delete = delete_view(FAQ)
event_create = create_view(EVENT)
event_edit = edit_view(EVENT)
event_delete = delete_view(EVENT)


# ---------------------------------------------------------------------------------------------
# Notices


@editor_required
@require_GET
def notice_list(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.notices_for_editor(q=q), EDITOR_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "fund/editor/notice_list.html", {"page_obj": page, "q": q})


@editor_required
@require_POST
def notice_publish(request, pk: int):
    """Toggle: publish a draft, or take a published notice down."""
    notice = selectors.notice_get_for_editor(pk)
    notice = services.notice_set_published(
        notice=notice, actor=request.user, published=not notice.published
    )
    if notice.published:
        messages.success(request, _("The notice is published."))
    else:
        messages.success(request, _("The notice was taken down."))
    return redirect("site:editor_notices")


@editor_required
@require_POST
def notice_pin(request, pk: int):
    """Toggle whether the notice is pinned to the top of the list."""
    notice = selectors.notice_get_for_editor(pk)
    services.notice_set_pinned(notice=notice, actor=request.user, pinned=not notice.pinned)
    return redirect("site:editor_notices")


# ---------------------------------------------------------------------------------------------
# FAQ


@editor_required
@require_GET
def faq_list(request):
    q = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    page = Paginator(selectors.faqs_for_editor(q=q, category=category), EDITOR_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "fund/editor/faq_list.html",
        {"page_obj": page, "q": q, "category": category, "categories": FaqCategory.choices},
    )


# ---------------------------------------------------------------------------------------------
# Events


@editor_required
@require_GET
def event_list(request):
    page = Paginator(selectors.events_for_editor(), EDITOR_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "fund/editor/event_list.html", {"page_obj": page})


# ---------------------------------------------------------------------------------------------
# Registrations


@editor_required
@require_GET
def event_registrations(request, pk: int):
    """The event's registrations, their e-mail addresses and phone numbers masked; showing
    the page is recorded in the personal-data access log."""
    event = selectors.event_get_for_editor(pk)
    status = request.GET.get("status", "")
    if status not in RegistrationStatus.values:
        status = ""
    page = Paginator(
        selectors.registrations_for_event(event, status=status), REGISTRATION_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    shown = [registration.pk for registration in page if registration.erased_at is None]
    if shown:
        privacy.access_record(
            actor=request.user,
            action=privacy.PersonalDataAction.VIEW,
            kind=privacy.PersonalDataKind.REGISTRATION,
            record_ids=shown,
            path=request.get_full_path(),
            data={"event": event.pk},
        )
    return render(
        request,
        "fund/editor/registrations.html",
        {
            "event": event,
            "page_obj": page,
            "status": status,
            "statuses": RegistrationStatus.choices,
        },
    )


def _csv_cell(value) -> str:
    return safe_cell("" if value is None else str(value))


def _csv_time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def registrations_csv(registrations) -> str:
    """The export's text: header, then one row per registration, cells made formula-safe.
    E-mail addresses and phone numbers are masked, as on the list: a file travels further
    than a page, and an editor opens one person's details on the list when needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for number, registration in enumerate(registrations, start=1):
        writer.writerow(
            [
                _csv_cell(value)
                for value in (
                    number,
                    registration.name,
                    registration.organization,
                    privacy.mask_email(registration.email),
                    privacy.mask_phone(registration.phone),
                    CSV_STATUS[registration.status],
                    registration.waitlist_position,
                    _csv_time(registration.created_at),
                    _csv_time(registration.checked_in_at),
                )
            ]
        )
    return buffer.getvalue()


@editor_required
@require_GET
def event_registrations_csv(request, pk: int):
    """All of the event's registrations (or one status) as CSV. UTF-8 with a BOM, because
    Excel otherwise reads Korean as mojibake."""
    event = selectors.event_get_for_editor(pk)
    status = request.GET.get("status", "")
    if status not in RegistrationStatus.values:
        status = ""
    registrations = list(selectors.registrations_for_event(event, status=status))
    services.registrations_export_record(
        event=event,
        actor=request.user,
        registration_ids=[r.pk for r in registrations if r.erased_at is None],
        status=status,
        path=request.get_full_path(),
    )
    response = HttpResponse(
        ("\ufeff" + registrations_csv(registrations)).encode("utf-8"),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-registrations.csv"'
    return response


@editor_required
@require_POST
def registration_contact(request, pk: int):
    """Open one registrant's e-mail address and phone number, masked on the list; the opening
    is recorded in the personal-data access log. htmx gets the revealed block for the row,
    a plain form post a page with it."""
    registration = selectors.registration_get_for_editor(pk)
    erased = registration.erased_at is not None
    if not erased:
        privacy.access_record(
            actor=request.user,
            action=privacy.PersonalDataAction.REVEAL,
            kind=privacy.PersonalDataKind.REGISTRATION,
            record_ids=[registration.pk],
            path=request.get_full_path(),
            data={"event": registration.event_id},
        )
    context = {
        "contact_prefix": "registration-contact",
        "record_pk": registration.pk,
        "email": registration.email,
        "phone": registration.phone,
        "erased": erased,
        "revealed": not erased,
    }
    if request.htmx:
        return render(request, "partials/personal_contact.html", context)
    context.update(
        name=registration.name,
        back_url=reverse("site:editor_registrations", args=[registration.event_id]),
        back_label=registration.event.title,
    )
    return render(request, "personal_contact_page.html", context)


def _back_to_registrations(request, registration):
    """Back to the list the editor was looking at (its status filter kept)."""
    url = reverse("site:editor_registrations", args=[registration.event_id])
    status = request.POST.get("status", "")
    if status in RegistrationStatus.values:
        url = f"{url}?{urlencode({'status': status})}"
    return redirect(url)


@editor_required
@require_POST
def registration_check_in(request, pk: int):
    registration = selectors.registration_get_for_editor(pk)
    try:
        services.registration_toggle_check_in(registration=registration, actor=request.user)
    except TransitionNotAllowed as exc:
        messages.error(request, exc.message)
    return _back_to_registrations(request, registration)


@editor_required
@require_POST
def registration_cancel(request, pk: int):
    registration = selectors.registration_get_for_editor(pk)
    try:
        services.registration_cancel(registration=registration, actor=request.user)
    except (services.RegistrationAlreadyCancelled, TransitionNotAllowed) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The registration was cancelled."))
    return _back_to_registrations(request, registration)
