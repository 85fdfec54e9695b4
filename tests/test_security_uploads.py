"""Hostile uploads and oversized requests that tests/test_pages_documents.py does not send.

The page tests cover a disguised executable, a zip bomb, a path-trick name and a small limit
through the form; here the real limit through the real multipart parser, the same files through
the API, and request bodies that are too big or too many-fielded for Django to read.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alliance.models import AuditLog, Proposal, ProposalDocument
from tests.files import (
    DOCX_TYPE,
    PATH_TRICK_NAME,
    PDF_TYPE,
    exe_bytes,
    multipart_body,
    pdf_bytes,
    zip_bomb_bytes,
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _no_throttle_state():
    cache.clear()
    yield
    cache.clear()


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def state(proposal) -> tuple:
    proposal.refresh_from_db()
    return (
        ProposalDocument.objects.filter(proposal=proposal).count(),
        stored_files(),
        AuditLog.objects.filter(proposal=proposal).count(),
        proposal.version,
        proposal.summary,
    )


def browser(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def test_a_file_past_the_real_20_mb_limit_is_stopped_by_the_parser_and_nothing_stored(
    applicant, draft
):
    # The default limit, a body 1 MB past it, through Django's real multipart handler.
    assert settings.DOCUMENT_MAX_BYTES == 20 * MB
    big = b"%PDF-1.7\n" + b"0" * (21 * MB)
    body, content_type = multipart_body(
        {"kind": "business_plan"}, [("file", "큰 사업계획서.pdf", big, PDF_TYPE)]
    )
    before = state(draft)

    response = browser(applicant).post(
        reverse("alliance:document_upload", args=[draft.pk]), body, content_type=content_type
    )

    assert response.status_code == 413
    assert "The file is larger than the 20 MB limit." in response.content.decode()
    assert state(draft) == before == (0, [], 0, draft.version, draft.summary)


def test_a_file_past_the_limit_through_the_api_answers_413_and_stores_nothing(
    applicant, draft, settings
):
    settings.DOCUMENT_MAX_BYTES = 64 * 1024
    body, content_type = multipart_body(
        {"kind": "business_plan"}, [("file", "plan.pdf", pdf_bytes() + b"0" * 70_000, PDF_TYPE)]
    )
    before = state(draft)

    response = api(applicant).generic(
        "POST", f"/api/v1/proposals/{draft.pk}/documents/", body, content_type=content_type
    )

    assert response.status_code == 413
    assert state(draft) == before


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("사업계획서.pdf", exe_bytes(), PDF_TYPE),
        ("사업계획서.docx", zip_bomb_bytes(), DOCX_TYPE),
        ("setup.exe", exe_bytes(), "application/octet-stream"),
    ],
    ids=["exe-named-pdf", "zip-bomb-docx", "plain-exe"],
)
def test_hostile_files_through_the_api_are_refused_on_the_file_field(
    applicant, draft, name, data, content_type
):
    body, multipart = multipart_body(
        {"kind": "business_plan"}, [("file", name, data, content_type)]
    )
    before = state(draft)

    response = api(applicant).generic(
        "POST", f"/api/v1/proposals/{draft.pk}/documents/", body, content_type=multipart
    )

    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert state(draft) == before


def test_a_path_trick_name_through_the_api_is_kept_as_data_only(applicant, draft):
    body, multipart = multipart_body(
        {"kind": "other"}, [("file", PATH_TRICK_NAME, pdf_bytes(), PDF_TYPE)]
    )

    response = api(applicant).generic(
        "POST", f"/api/v1/proposals/{draft.pk}/documents/", body, content_type=multipart
    )

    assert response.status_code == 201
    document = ProposalDocument.objects.get(proposal=draft)
    media = Path(settings.MEDIA_ROOT).resolve()
    stored = Path(document.file.path).resolve()
    assert stored.is_relative_to(media / "documents")
    assert ".." not in document.file.name
    assert "passwd" not in document.file.name
    assert stored_files() == [stored]


def test_a_text_body_past_the_memory_limit_is_400_not_500_and_changes_nothing(applicant, draft):
    # Non-file fields are read into memory; Django refuses past DATA_UPLOAD_MAX_MEMORY_SIZE.
    before = state(draft)

    response = browser(applicant).post(
        reverse("alliance:proposal_autosave", args=[draft.pk]),
        {"step": "1", "summary": "가" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
    )

    assert response.status_code == 400
    assert state(draft) == before


def test_a_form_with_thousands_of_fields_is_400_not_500_and_changes_nothing(applicant, draft):
    fields = {f"f{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    before = state(draft)

    response = browser(applicant).post(
        reverse("alliance:proposal_edit", args=[draft.pk, 1]), fields
    )

    assert response.status_code == 400
    assert state(draft) == before


def test_a_request_with_hundreds_of_files_is_400_and_stores_nothing(applicant, draft):
    files = [("file", f"{n}.pdf", pdf_bytes(), PDF_TYPE) for n in range(101)]
    body, multipart = multipart_body({"kind": "other"}, files)
    before = state(draft)

    response = browser(applicant).post(
        reverse("alliance:document_upload", args=[draft.pk]), body, content_type=multipart
    )

    assert response.status_code == 400
    assert state(draft) == before
    assert Proposal.objects.get(pk=draft.pk).documents.count() == 0
