"""A proposal's documents: upload (checked by `checks`) and delete, while the draft is editable;
and the sweep that removes stored files no document row points at."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import permissions
from alliance.audit import audit_record
from alliance.documents.checks import check_upload
from alliance.models import (
    Proposal,
    ProposalDocument,
    User,
)
from alliance.proposals.services import proposal_lock
from portal.core.errors import TransitionNotAllowed
from portal.core.vocabulary import (
    DocumentKind,
)


def _check_document_change(actor: User, proposal: Proposal, message: str) -> None:
    if not permissions.is_lead_member(actor, proposal):
        raise PermissionDenied
    if not permissions.can_upload_document(actor, proposal):
        raise TransitionNotAllowed(message)


def document_upload(*, proposal_id: int, actor: User, upload, kind: str) -> ProposalDocument:
    """Check the file by content and store it under a random name; nothing is stored if refused.

    PermissionDenied for anyone but the lead firm's applicants; TransitionNotAllowed once the
    proposal is not editable; ValidationError on `kind` or `file`.
    """
    refused = _("Documents can be added only while the proposal is editable.")
    # Checked before the file is read and hashed, and again under the lock below.
    _check_document_change(actor, Proposal.objects.get(pk=proposal_id), refused)
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": _("Choose a document kind from the list.")})
    checked = check_upload(upload)
    with transaction.atomic():
        proposal = proposal_lock(proposal_id)
        _check_document_change(actor, proposal, refused)
        document = ProposalDocument(
            proposal=proposal,
            kind=kind,
            original_name=checked.safe_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=actor,
        )
        document.file.save(checked.safe_name, upload, save=False)
        try:
            document.save()
            audit_record(
                actor=actor,
                action="document.upload",
                obj=document,
                data={"name": checked.safe_name, "kind": kind, "size": checked.size},
            )
        except Exception:
            document.file.delete(save=False)
            raise
    return document


def document_delete(*, document_id: int, actor: User) -> None:
    """Remove a document of an editable proposal; its file goes once the transaction commits.

    PermissionDenied for anyone but the lead firm's applicants; TransitionNotAllowed once the
    proposal is not editable.
    """
    with transaction.atomic():
        document = ProposalDocument.objects.select_related("proposal").get(pk=document_id)
        proposal = proposal_lock(document.proposal_id)
        _check_document_change(
            actor, proposal, _("Documents can be removed only while the proposal is editable.")
        )
        audit_record(
            actor=actor,
            action="document.delete",
            obj=document,
            data={"name": document.original_name},
        )
        stored = document.file.name
        storage = document.file.storage
        document.delete()
        transaction.on_commit(lambda: storage.delete(stored))


# An upload's file is written before its row commits; a file younger than this may belong to
# a transaction still under way and is left alone.
ORPHAN_GRACE = datetime.timedelta(hours=1)
DOCUMENTS_DIR = "documents"


def orphan_files_sweep(*, now: datetime.datetime | None = None, storage=None) -> int:
    """Delete stored document files that no document row refers to (the sweep, hourly).

    A file is stored before its row is written; when the transaction around the upload rolls
    back afterwards (a later step of the same request fails, the process dies), the row is
    gone and the file would stay for ever. Files younger than ORPHAN_GRACE are kept. Returns
    the number of files deleted.
    """
    storage = storage or default_storage
    cutoff = (now or timezone.now()) - ORPHAN_GRACE
    if not storage.exists(DOCUMENTS_DIR):
        return 0
    referenced = set(ProposalDocument.objects.values_list("file", flat=True))
    deleted = 0
    folders, files = storage.listdir(DOCUMENTS_DIR)
    paths = [f"{DOCUMENTS_DIR}/{name}" for name in files]
    for folder in folders:
        paths += [
            f"{DOCUMENTS_DIR}/{folder}/{name}"
            for name in storage.listdir(f"{DOCUMENTS_DIR}/{folder}")[1]
        ]
    for path in paths:
        if path in referenced or storage.get_modified_time(path) >= cutoff:
            continue
        # Read again just before deleting: a row committed since the first read keeps its file.
        if ProposalDocument.objects.filter(file=path).exists():
            continue
        storage.delete(path)
        deleted += 1
    return deleted
