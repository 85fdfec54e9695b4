"""Document upload, download and delete through the applicant's pages."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from alliance.models import AuditLog, ProposalDocument, ProposalPartner
from alliance.proposals.services import proposal_submit
from tests.factories import ApplicantFactory
from tests.files import (
    DOCX_TYPE,
    HWPX_TYPE,
    PATH_TRICK_NAME,
    PDF_TYPE,
    PPTX_TYPE,
    XLSX_TYPE,
    make_bytes_file,
    make_docx,
    make_exe_as_pdf,
    make_hwpx,
    make_pdf,
    make_pptx,
    make_xlsx,
    make_zip_bomb_docx,
    multipart_body,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db

HTMX = {"hx-request": "true"}


def browser(user=None) -> Client:
    """A client that asks for English, so assertions hold whatever the Korean catalogue says."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the portal ignores Accept-Language
    if user is not None:
        client.force_login(user)
    return client


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(client, proposal, file, kind="business_plan", **extra):
    return client.post(
        reverse("alliance:document_upload", args=[proposal.pk]),
        {"kind": kind, "file": file},
        **extra,
    )


def state(proposal) -> tuple:
    """Rows, files and history: what a refused upload must leave exactly as it was."""
    return (
        list(ProposalDocument.objects.filter(proposal=proposal).values_list("pk", flat=True)),
        stored_files(),
        AuditLog.objects.filter(proposal=proposal).count(),
    )


# ---------------------------------------------------------------------------------------------
# Upload


@pytest.mark.parametrize(
    ("make", "content_type"),
    [
        (make_pdf, PDF_TYPE),
        (make_docx, DOCX_TYPE),
        (make_xlsx, XLSX_TYPE),
        (make_pptx, PPTX_TYPE),
        (make_hwpx, HWPX_TYPE),
    ],
)
def test_each_allowed_type_is_accepted(make, content_type, applicant, draft):
    file = make()
    size = file.size

    response = upload(browser(applicant), draft, file)

    assert response.status_code == 302
    assert response["Location"] == reverse("alliance:proposal_edit", args=[draft.pk, 4])
    document = ProposalDocument.objects.get(proposal=draft)
    assert (document.original_name, document.content_type, document.size) == (
        file.name,
        content_type,
        size,
    )
    assert document.uploaded_by == applicant
    files = stored_files()
    assert len(files) == 1
    assert files[0] == Path(settings.MEDIA_ROOT) / document.file.name
    assert list(draft.history.values_list("action", flat=True)) == ["document.upload"]


def test_htmx_upload_answers_the_documents_fragment(applicant, draft):
    response = upload(browser(applicant), draft, make_pdf("재무제표.pdf"), headers=HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="proposal-documents"')
    assert "<html" not in html
    assert "재무제표.pdf" in html
    assert "“재무제표.pdf” was uploaded." in html


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (make_exe_as_pdf, "The file's content does not match its type."),
        (make_zip_bomb_docx, "The file expands to far more than its size; it was refused."),
    ],
)
def test_disguised_and_bomb_files_are_refused_and_nothing_is_stored(
    make, message, applicant, draft
):
    before = state(draft)

    response = upload(browser(applicant), draft, make())

    assert response.status_code == 400
    assert response.context["upload_form"].errors == {"file": [message]}
    assert state(draft) == before == ([], [], 0)


def test_file_over_the_limit_answers_413_and_nothing_is_stored(applicant, draft, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    before = state(draft)

    response = upload(browser(applicant), draft, make_bytes_file(2048))

    assert response.status_code == 413
    assert response.context["upload_form"].errors == {
        "file": ["The file is larger than the 1 KB limit."]
    }
    assert state(draft) == before == ([], [], 0)


def test_file_over_the_limit_by_htmx_answers_413_with_the_message(applicant, draft, settings):
    settings.DOCUMENT_MAX_BYTES = 1024

    response = upload(browser(applicant), draft, make_bytes_file(2048), headers=HTMX)

    assert response.status_code == 413
    assert "The file is larger than the 1 KB limit." in response.content.decode()
    assert state(draft) == ([], [], 0)


def test_default_limit_is_stated_in_megabytes(applicant, draft):
    html = browser(applicant).get(reverse("alliance:proposal_edit", args=[draft.pk, 4]))

    assert "PDF, DOCX, XLSX, PPTX, HWP or HWPX, up to 20 MB." in html.content.decode()


def test_path_tricks_in_the_name_are_stored_under_a_random_name(applicant, draft):
    body, content_type = multipart_body(
        {"kind": "other"}, [("file", PATH_TRICK_NAME, pdf_bytes(), PDF_TYPE)]
    )
    client = browser(applicant)

    response = client.post(
        reverse("alliance:document_upload", args=[draft.pk]), body, content_type=content_type
    )

    assert response.status_code == 302
    document = ProposalDocument.objects.get(proposal=draft)
    assert document.original_name == "passwd.pdf"
    stored = Path(document.file.name)
    assert stored.parts[0] == "documents"
    assert stored.suffix == ".pdf"
    assert "passwd" not in str(stored) and ".." not in stored.parts
    assert stored_files() == [Path(settings.MEDIA_ROOT) / stored]
    html = client.get(reverse("alliance:proposal_detail", args=[draft.pk])).content.decode()
    assert ">passwd.pdf</a>" in html
    assert "etc/passwd" not in html


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"kind": "business_plan"}, {"file": ["This field is required."]}),
        (
            {"kind": "contract", "file": "PDF"},
            {"kind": ["Select a valid choice. contract is not one of the available choices."]},
        ),
    ],
)
def test_missing_file_or_unknown_kind_is_a_field_error(data, errors, applicant, draft):
    if "file" in data:
        data = {**data, "file": make_pdf()}

    response = browser(applicant).post(reverse("alliance:document_upload", args=[draft.pk]), data)

    assert response.status_code == 400
    assert response.context["upload_form"].errors == errors
    assert state(draft) == ([], [], 0)


def test_upload_to_a_submitted_proposal_is_refused(applicant, draft):
    proposal_submit(proposal_id=draft.pk, actor=applicant)
    before = state(draft)

    response = upload(browser(applicant), draft, make_pdf(), headers=HTMX)

    assert response.status_code == 409
    assert "Documents can be added only while the proposal is editable." in (
        response.content.decode()
    )
    assert state(draft) == before


# ---------------------------------------------------------------------------------------------
# Download


def test_download_sends_the_original_name_type_and_nosniff(applicant, draft):
    client = browser(applicant)
    upload(client, draft, make_pdf("2026 사업계획서 (최종).pdf"))
    document = ProposalDocument.objects.get(proposal=draft)

    response = client.get(reverse("alliance:document_download", args=[document.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == PDF_TYPE
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''2026%20%EC%82%AC%EC%97%85%EA%B3%84%ED%9A%8D%EC%84%9C"
        "%20%28%EC%B5%9C%EC%A2%85%29.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_consortium_partner_downloads_but_cannot_upload_or_delete(draft, other_firm, applicant):
    upload(browser(applicant), draft, make_pdf())
    document = ProposalDocument.objects.get(proposal=draft)
    ProposalPartner.objects.create(proposal=draft, firm=other_firm)
    client = browser(ApplicantFactory(firm=other_firm))
    before = state(draft)

    download = client.get(reverse("alliance:document_download", args=[document.pk]))
    answers = [
        upload(client, draft, make_pdf()).status_code,
        client.post(reverse("alliance:document_delete", args=[document.pk])).status_code,
    ]

    assert download.status_code == 200
    assert answers == [404, 404]
    assert state(draft) == before


def test_another_firms_applicant_gets_404_on_upload_download_and_delete(
    other_applicant, applicant, draft
):
    upload(browser(applicant), draft, make_pdf())
    document = ProposalDocument.objects.get(proposal=draft)
    client = browser(other_applicant)
    before = state(draft)

    answers = [
        upload(client, draft, make_pdf()).status_code,
        upload(client, draft, make_pdf(), headers=HTMX).status_code,
        client.get(reverse("alliance:document_download", args=[document.pk])).status_code,
        client.post(reverse("alliance:document_delete", args=[document.pk])).status_code,
        client.post(
            reverse("alliance:document_delete", args=[document.pk]), headers=HTMX
        ).status_code,
    ]

    assert answers == [404] * 5
    assert state(draft) == before


def test_anonymous_download_is_sent_to_sign_in(applicant, draft):
    upload(browser(applicant), draft, make_pdf())
    document = ProposalDocument.objects.get(proposal=draft)

    response = browser().get(reverse("alliance:document_download", args=[document.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_download_of_a_missing_document_is_404(applicant):
    response = browser(applicant).get(reverse("alliance:document_download", args=[999999]))

    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Delete


def test_delete_removes_the_row_and_then_the_file(
    applicant, draft, django_capture_on_commit_callbacks
):
    client = browser(applicant)
    upload(client, draft, make_pdf())
    document = ProposalDocument.objects.get(proposal=draft)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("alliance:document_delete", args=[document.pk]), headers=HTMX
        )

    assert response.status_code == 200
    assert "No documents yet." in response.content.decode()
    assert ProposalDocument.objects.filter(proposal=draft).count() == 0
    assert stored_files() == []
    assert list(draft.history.values_list("action", flat=True)) == [
        "document.upload",
        "document.delete",
    ]


def test_delete_without_htmx_redirects_to_the_documents_step(applicant, draft):
    client = browser(applicant)
    upload(client, draft, make_pdf())
    document = ProposalDocument.objects.get(proposal=draft)

    response = client.post(reverse("alliance:document_delete", args=[document.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("alliance:proposal_edit", args=[draft.pk, 4])
    assert ProposalDocument.objects.filter(proposal=draft).count() == 0


def test_delete_from_a_submitted_proposal_is_refused(applicant, draft):
    client = browser(applicant)
    upload(client, draft, make_pdf())
    document = ProposalDocument.objects.get(proposal=draft)
    proposal_submit(proposal_id=draft.pk, actor=applicant)
    before = state(draft)

    response = client.post(reverse("alliance:document_delete", args=[document.pk]), headers=HTMX)

    assert response.status_code == 409
    assert "Documents can be removed only while the proposal is editable." in (
        response.content.decode()
    )
    assert state(draft) == before
