"""A file stored by an upload whose transaction later failed is removed by the hourly sweep;
files that documents point at, and files of uploads still under way, are kept."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from alliance.documents.services import document_delete, document_upload, orphan_files_sweep
from alliance.models import ProposalDocument
from tests.files import make_pdf

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(hours=2)


class RequestFailed(Exception):
    pass


def _stored() -> set[str]:
    folders, files = default_storage.listdir("documents")
    assert files == []
    return {
        f"documents/{folder}/{name}"
        for folder in folders
        for name in default_storage.listdir(f"documents/{folder}")[1]
    }


def test_the_file_of_a_rolled_back_upload_is_swept_and_kept_files_stay(draft, applicant):
    kept = document_upload(
        proposal_id=draft.pk, actor=applicant, upload=make_pdf(), kind="business_plan"
    )
    # An upload whose request fails after the document was written: the row is rolled back,
    # the file is already on disk.
    with pytest.raises(RequestFailed), transaction.atomic():
        lost = document_upload(
            proposal_id=draft.pk, actor=applicant, upload=make_pdf(), kind="other"
        )
        raise RequestFailed
    assert list(ProposalDocument.objects.values_list("pk", flat=True)) == [kept.pk]
    assert _stored() == {kept.file.name, lost.file.name}

    # Within the grace period (an upload may still be committing) nothing is touched.
    assert orphan_files_sweep() == 0
    assert _stored() == {kept.file.name, lost.file.name}

    # Later, the orphan goes and the document's file stays.
    assert orphan_files_sweep(now=timezone.now() + LATER) == 1
    assert _stored() == {kept.file.name}
    assert orphan_files_sweep(now=timezone.now() + LATER) == 0


def test_a_deleted_documents_file_goes_with_it_and_the_sweep_finds_nothing(
    draft, applicant, django_capture_on_commit_callbacks
):
    document = document_upload(
        proposal_id=draft.pk, actor=applicant, upload=make_pdf(), kind="business_plan"
    )
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(document_id=document.pk, actor=applicant)
    assert _stored() == set()
    assert orphan_files_sweep(now=timezone.now() + LATER) == 0


def test_the_sweep_with_no_uploads_yet_does_nothing():
    assert orphan_files_sweep(now=timezone.now() + LATER) == 0
