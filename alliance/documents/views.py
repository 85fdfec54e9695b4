"""Proposal documents: upload (htmx or plain form), permission-checked download, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alliance import permissions
from alliance.documents import selectors as documents_selectors
from alliance.documents import services as documents_services
from alliance.models import Proposal, ProposalDocument
from alliance.proposals import selectors, services
from alliance.proposals.forms import DocumentUploadForm, upload_limit_display
from alliance.proposals.views import render_review_step


def _too_large_message() -> str:
    return _("The file is larger than the %(limit)s limit.") % {"limit": upload_limit_display()}


def _respond(request, proposal: Proposal, form: DocumentUploadForm, status: int, notice=""):
    """htmx gets the documents fragment; a plain form post gets step 4 back (or a redirect)."""
    if request.htmx:
        context = {
            "proposal": proposal,
            "documents": list(proposal.documents.all()),
            "upload_form": form,
            "can_upload": permissions.can_upload_document(request.user, proposal),
            "notice": notice,
            "notice_is_error": status >= 400,
        }
        return render(request, "alliance/partials/documents.html", context, status=status)
    if notice:
        (messages.error if status >= 400 else messages.success)(request, notice)
    if status >= 400 and permissions.can_edit_proposal(request.user, proposal):
        return render_review_step(request, proposal, upload_form=form, status=status)
    if permissions.can_edit_proposal(request.user, proposal):
        return redirect("alliance:proposal_edit", pk=proposal.pk, step=4)
    return redirect("alliance:proposal_detail", pk=proposal.pk)


@login_required
@require_POST
def document_upload(request, pk):
    """Store an uploaded document after its content check; 413 above the size limit."""
    proposal = selectors.proposal_get_for_user(request.user, pk)
    if not permissions.is_lead_member(request.user, proposal):
        raise Http404
    # Reading FILES runs the upload handlers; the size handler stops early and marks the request.
    files = request.FILES
    if getattr(request, "upload_too_large", False):
        form = DocumentUploadForm(request.POST)
        form.is_valid()
        # The parser stopped at the file, so "no file" (or a kind sent after it) would mislead.
        form.errors.clear()
        form.add_error("file", _too_large_message())
        return _respond(request, proposal, form, status=413)

    form = DocumentUploadForm(request.POST, files)
    if not form.is_valid():
        return _respond(request, proposal, form, status=400)
    try:
        document = documents_services.document_upload(
            proposal_id=proposal.pk,
            actor=request.user,
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
        )
    except ValidationError as exc:
        too_large = any(
            error.code == "too_large" for error in getattr(exc, "error_dict", {}).get("file", [])
        )
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"file": exc.messages}
        for field, messages_ in errors.items():
            form.add_error(field if field in form.fields else "file", messages_)
        return _respond(request, proposal, form, status=413 if too_large else 400)
    except services.TransitionNotAllowed as exc:
        return _respond(request, proposal, form, status=409, notice=exc.message)
    notice = _("“%(name)s” was uploaded.") % {"name": document.original_name}
    return _respond(request, proposal, DocumentUploadForm(), status=200, notice=notice)


@login_required
@require_GET
def document_download(request, pk):
    """The stored file under its original name; 404 unless the user may see its proposal."""
    return file_response(documents_selectors.document_get_for_user(request.user, pk))


def file_response(document) -> FileResponse:
    """The stored file as a download under its original name, never sniffed or cached; 404
    when the file is gone from storage. The page and the API both answer with it."""
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_delete(request, pk):
    """Remove a document while its proposal is still editable."""
    document = documents_selectors.document_get_for_user(request.user, pk)
    proposal = document.proposal
    if not permissions.is_lead_member(request.user, proposal):
        raise Http404
    try:
        documents_services.document_delete(document_id=document.pk, actor=request.user)
    except ProposalDocument.DoesNotExist as exc:  # deleted by a concurrent request
        raise Http404 from exc
    except services.TransitionNotAllowed as exc:
        return _respond(request, proposal, DocumentUploadForm(), status=409, notice=exc.message)
    notice = _("“%(name)s” was removed.") % {"name": document.original_name}
    return _respond(request, proposal, DocumentUploadForm(), status=200, notice=notice)
