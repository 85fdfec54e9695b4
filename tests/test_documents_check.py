"""Uploads are judged by their content (alliance.documents) and stored safely (services)."""

import io
import re
import struct
import zipfile
from pathlib import Path

import magic
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils import translation

from alliance.documents.checks import check_upload, safe_display_name
from alliance.documents.services import document_delete, document_upload
from alliance.models import AuditLog, Proposal, ProposalDocument, ProposalPartner
from portal.core.errors import TransitionNotAllowed
from portal.core.vocabulary import ProposalStatus
from tests import files

MISMATCH = "The file's content does not match its type."
WRONG_TYPE = "Only PDF, DOCX, XLSX, PPTX, HWP and HWPX files are accepted."
BOMB = "The file expands to far more than its size; it was refused."
STORED_NAME = re.compile(r"^documents/[0-9a-f]{2}/[0-9a-f]{32}\.(pdf|docx|xlsx|pptx|hwp|hwpx)$")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# ---------------------------------------------------------------------------------------------
# HWP 5 files are OLE compound files (Compound File Binary, MS-CFB version 3, 512-byte
# sectors). The builder below writes a minimal valid one: header, FAT, one directory sector
# with the root entry and one stream, a mini FAT and the mini stream that holds it.

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def hwp_file_header() -> bytes:
    """The 256-byte FileHeader stream: signature, version 5.0.3.0, no flags."""
    return (b"HWP Document File".ljust(32, b"\0") + struct.pack("<II", 0x05000300, 0)).ljust(
        256, b"\0"
    )


def _directory_entry(name: str, kind: int, *, child=NOSTREAM, start=0, size=0) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    entry = encoded.ljust(64, b"\0")
    entry += struct.pack("<HBB", len(encoded), kind, 1)  # name length, type, colour black
    entry += struct.pack("<III", NOSTREAM, NOSTREAM, child)  # left, right, child
    entry += b"\0" * 36  # CLSID, state bits, creation and modification times
    entry += struct.pack("<IQ", start, size)
    return entry


def make_cfb(
    stream_name: str = "FileHeader", content: bytes | None = None, *, gap_sectors: int = 0
) -> bytes:
    """An OLE compound file holding one small stream (default: an HWP 5 FileHeader).

    `gap_sectors` free sectors are placed before the directory and the stream, the way a large
    document's other streams push them back in the file.
    """
    content = hwp_file_header() if content is None else content
    # Small streams live in the mini stream; one 512-byte container sector holds eight.
    assert len(content) <= SECTOR
    mini_sectors = -(-len(content) // 64)
    used = gap_sectors + 3  # directory, mini FAT, mini stream container
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + used:
        fat_sectors += 1
    directory_at = fat_sectors + gap_sectors
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<IIII", 0, fat_sectors, directory_at, 0)
    header += struct.pack("<IIIII", 4096, directory_at + 1, 1, ENDOFCHAIN, 0)
    header += struct.pack(f"<{109}I", *range(fat_sectors), *[FREESECT] * (109 - fat_sectors))
    fat = [FATSECT] * fat_sectors + [FREESECT] * gap_sectors + [ENDOFCHAIN] * 3
    fat += [FREESECT] * (fat_sectors * 128 - len(fat))
    directory = _directory_entry(
        "Root Entry", 5, child=1, start=directory_at + 2, size=mini_sectors * 64
    )
    directory += _directory_entry(stream_name, 2, start=0, size=len(content))
    directory += _directory_entry("", 0) * 2
    chain = [*range(1, mini_sectors), ENDOFCHAIN]
    mini_fat = struct.pack(f"<{len(chain)}I", *chain).ljust(SECTOR, b"\xff")
    return b"".join(
        [
            header,
            struct.pack(f"<{len(fat)}I", *fat),
            b"\0" * SECTOR * gap_sectors,
            directory,
            mini_fat,
            content.ljust(SECTOR, b"\0"),
        ]
    )


def make_hwp(name: str = "사업계획서.hwp", **kwargs) -> ContentFile:
    return ContentFile(make_cfb(**kwargs), name=name)


def _upload(data: bytes, name: str) -> ContentFile:
    return ContentFile(data, name=name)


def _stored_files() -> list[Path]:
    return sorted(p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file())


def _refusal(upload) -> tuple[dict, list[str]]:
    with pytest.raises(ValidationError) as caught:
        check_upload(upload)
    return caught.value.message_dict, [e.code for e in caught.value.error_dict["file"]]


# ---------------------------------------------------------------------------------------------
# The HWP builder itself


def test_the_hwp_builder_writes_what_libmagic_calls_an_hwp_file():
    data = make_cfb()

    assert len(data) == 5 * SECTOR
    assert magic.from_buffer(data, mime=True) == "application/x-hwp"
    assert magic.from_buffer(data) == "Hangul (Korean) Word Processor File 5.x"


def test_an_ole_file_with_a_word_stream_is_not_called_hwp_by_libmagic():
    data = make_cfb("WordDocument", b"\xec\xa5" + b"\0" * 510)

    assert magic.from_buffer(data, mime=True) == "application/msword"


def test_the_first_8_kb_of_a_large_hwp_are_still_an_ole_file_to_libmagic():
    data = make_cfb(gap_sectors=600)

    assert len(data) == (1 + 5 + 600 + 3) * SECTOR  # header, FAT, gap, dir + mini FAT + data
    assert magic.from_buffer(data, mime=True) == "application/x-hwp"
    assert magic.from_buffer(data[:8192], mime=True) == "application/x-ole-storage"


# ---------------------------------------------------------------------------------------------
# check_upload: what is accepted


@pytest.mark.parametrize(
    ("upload", "content_type", "extension"),
    [
        (files.make_pdf, "application/pdf", ".pdf"),
        (files.make_docx, files.DOCX_TYPE, ".docx"),
        (files.make_xlsx, files.XLSX_TYPE, ".xlsx"),
        (files.make_pptx, files.PPTX_TYPE, ".pptx"),
        (files.make_hwpx, "application/hwp+zip", ".hwpx"),
        (make_hwp, "application/x-hwp", ".hwp"),
        (lambda: make_hwp(gap_sectors=600), "application/x-hwp", ".hwp"),
        (lambda: files.make_pdf("PLAN.PDF"), "application/pdf", ".pdf"),
    ],
    ids=["pdf", "docx", "xlsx", "pptx", "hwpx", "hwp", "hwp-300kb", "upper-case"],
)
def test_each_allowed_type_is_accepted_with_its_content_type(upload, content_type, extension):
    upload = upload()
    data = upload.read()

    checked = check_upload(upload)

    assert (checked.content_type, checked.extension) == (content_type, extension)
    assert checked.size == len(data)
    assert re.fullmatch(r"[0-9a-f]{64}", checked.sha256)
    assert upload.tell() == 0  # ready to be stored from the start


def test_the_browsers_content_type_claim_is_ignored():
    upload = ContentFile(files.docx_bytes(), name="계획.docx")
    upload.content_type = "application/x-msdownload"

    assert check_upload(upload).content_type == files.DOCX_TYPE


# ---------------------------------------------------------------------------------------------
# check_upload: what is refused, and why


@pytest.mark.parametrize(
    ("data", "name", "message", "code"),
    [
        (files.exe_bytes(), "사업계획서.pdf", MISMATCH, "type_mismatch"),
        (files.exe_bytes(), "사업계획서.docx", MISMATCH, "type_mismatch"),
        (files.exe_bytes(), "사업계획서.hwp", MISMATCH, "type_mismatch"),
        (files.exe_bytes(), "setup.exe", WRONG_TYPE, "extension"),
        (files.pdf_bytes(), "계획.txt", WRONG_TYPE, "extension"),
        (files.pdf_bytes(), "계획", WRONG_TYPE, "extension"),
        (files.pdf_bytes(), ".pdf", WRONG_TYPE, "extension"),
        (files.pdf_bytes(), "계획.pdf.exe", WRONG_TYPE, "extension"),
        (files.pdf_bytes(), "계획.docx", MISMATCH, "type_mismatch"),
        (files.docx_bytes(), "계획.pdf", MISMATCH, "type_mismatch"),
        (files.docx_bytes(), "계획.xlsx", MISMATCH, "type_mismatch"),
        (files.xlsx_bytes(), "계획.pptx", MISMATCH, "type_mismatch"),
        (files.hwpx_bytes(), "계획.docx", MISMATCH, "type_mismatch"),
        (files.docx_bytes(), "계획.hwpx", MISMATCH, "type_mismatch"),
        (files.docx_bytes(), "계획.hwp", MISMATCH, "type_mismatch"),
        (make_cfb(), "계획.pdf", MISMATCH, "type_mismatch"),
        (make_cfb(), "계획.docx", MISMATCH, "type_mismatch"),
        (
            make_cfb("WordDocument", b"\xec\xa5" + b"\0" * 510),
            "계획.hwp",
            MISMATCH,
            "type_mismatch",
        ),
        (
            b"HWP Document File V3.00 \x1a\x01\x02\x03\x04\x05",
            "계획.hwp",
            MISMATCH,
            "type_mismatch",
        ),
        (b"%PDF" + b"\0" * 100, "계획.pdf", MISMATCH, "type_mismatch"),
        (b" %PDF-1.4\n", "계획.pdf", MISMATCH, "type_mismatch"),
        (b"PK\x03\x04" + b"\0" * 100, "계획.docx", MISMATCH, "type_mismatch"),
        (b"PK\x05\x06" + b"\0" * 18, "계획.docx", MISMATCH, "type_mismatch"),
        (files.docx_bytes()[:300], "계획.docx", MISMATCH, "type_mismatch"),
        (b"\0", "계획.pdf", MISMATCH, "type_mismatch"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else "",
)
def test_content_that_is_not_what_the_name_says_is_refused(data, name, message, code):
    errors, codes = _refusal(_upload(data, name))

    assert errors == {"file": [message]}
    assert codes == [code]


def test_an_empty_file_is_refused():
    assert _refusal(_upload(b"", "계획.pdf")) == ({"file": ["The file is empty."]}, ["empty"])


def test_a_zip_bomb_is_refused_without_being_inflated():
    assert _refusal(files.make_zip_bomb_docx()) == ({"file": [BOMB]}, ["zip_bomb"])


def _zip(entries, *, method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def test_an_archive_with_too_many_entries_is_refused():
    entries = [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w/>")]
    entries += [(f"word/media/{n}.xml", b"") for n in range(5000)]

    assert _refusal(_upload(_zip(entries), "계획.docx")) == (
        {"file": ["The archive holds too many entries."]},
        ["zip_bomb"],
    )


def test_an_archive_with_paths_that_climb_out_is_refused():
    data = _zip(
        [
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
            ("../../evil.sh", b"rm -rf /"),
        ]
    )

    assert _refusal(_upload(data, "계획.docx")) == (
        {"file": ["The archive contains unsafe paths."]},
        ["zip_paths"],
    )


def _patch_first_entry(data: bytes, local_offset: int, central_offset: int, value: int) -> bytes:
    patched = bytearray(data)
    struct.pack_into("<H", patched, patched.find(b"PK\x03\x04") + local_offset, value)
    struct.pack_into("<H", patched, patched.find(b"PK\x01\x02") + central_offset, value)
    return bytes(patched)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (_patch_first_entry(files.hwpx_bytes(), 8, 10, 99), "unknown compression method"),
        (_patch_first_entry(files.hwpx_bytes(), 6, 8, 1), "encrypted entry"),
    ],
    ids=["compression-99", "encrypted"],
)
def test_a_damaged_archive_is_refused_not_an_error(data, why):
    assert _refusal(_upload(data, "계획.hwpx")) == ({"file": [MISMATCH]}, ["type_mismatch"])


def test_a_file_over_the_limit_is_refused_and_one_at_the_limit_is_accepted(settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024

    errors, codes = _refusal(files.make_bytes_file(1024 * 1024 + 1))

    assert errors == {"file": ["The file is larger than the 1 MB limit."]}
    assert codes == ["too_large"]
    assert check_upload(files.make_bytes_file(1024 * 1024)).size == 1024 * 1024


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\x.pdf", "x.pdf"),
        ("/absolute/path/plan.pdf", "plan.pdf"),
        ("C:\\Users\\kim\\계획서.pdf", "계획서.pdf"),
        ("plan\x00.pdf", "plan.pdf"),
        ('re<port>:?*|".pdf', "report.pdf"),
        ("\n\tplan.pdf", "plan.pdf"),
        ("...pdf", "pdf"),
        ("", "document"),
        ("가" * 300 + ".pdf", "가" * 196 + ".pdf"),
    ],
)
def test_the_display_name_is_the_last_component_without_tricks(name, shown):
    assert safe_display_name(name) == shown


# ---------------------------------------------------------------------------------------------
# document_upload and document_delete


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "content_type"),
    [
        (files.make_pdf, "application/pdf"),
        (files.make_docx, files.DOCX_TYPE),
        (files.make_xlsx, files.XLSX_TYPE),
        (files.make_pptx, files.PPTX_TYPE),
        (files.make_hwpx, "application/hwp+zip"),
        (make_hwp, "application/x-hwp"),
    ],
    ids=["pdf", "docx", "xlsx", "pptx", "hwpx", "hwp"],
)
def test_an_upload_is_stored_under_a_random_name_with_its_checked_type(
    draft, applicant, upload, content_type
):
    upload = upload()
    data = upload.read()

    document = document_upload(
        proposal_id=draft.pk, actor=applicant, upload=upload, kind="business_plan"
    )

    document.refresh_from_db()
    assert (document.proposal, document.kind, document.uploaded_by) == (
        draft,
        "business_plan",
        applicant,
    )
    assert (document.original_name, document.content_type, document.size) == (
        upload.name,
        content_type,
        len(data),
    )
    assert STORED_NAME.fullmatch(document.file.name)
    assert _stored_files() == [Path(settings.MEDIA_ROOT) / document.file.name]
    assert _stored_files()[0].read_bytes() == data
    entry = AuditLog.objects.get()
    assert (entry.actor, entry.action, entry.proposal, entry.object_type) == (
        applicant,
        "document.upload",
        draft,
        "proposaldocument",
    )
    assert entry.data == {"name": upload.name, "kind": "business_plan", "size": len(data)}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "..\\..\\passwd.pdf"])
def test_a_path_trick_name_is_kept_only_as_data(draft, applicant, name):
    document = document_upload(
        proposal_id=draft.pk,
        actor=applicant,
        upload=ContentFile(files.pdf_bytes(), name=name),
        kind="other",
    )

    assert document.original_name == "passwd.pdf"
    assert STORED_NAME.fullmatch(document.file.name)
    media = Path(settings.MEDIA_ROOT)
    assert _stored_files() == [media / document.file.name]
    assert not (media.parent.parent / "etc").exists()
    assert not (media.parent / "passwd.pdf").exists()


def _refused_upload(upload, *, proposal, actor, kind="other", raises=ValidationError):
    before = (ProposalDocument.objects.count(), AuditLog.objects.count())
    with pytest.raises(raises) as caught:
        document_upload(proposal_id=proposal.pk, actor=actor, upload=upload, kind=kind)
    assert (ProposalDocument.objects.count(), AuditLog.objects.count()) == before
    assert _stored_files() == []
    return caught.value


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (files.make_exe_as_pdf, MISMATCH),
        (files.make_zip_bomb_docx, BOMB),
        (lambda: _upload(b"", "빈파일.pdf"), "The file is empty."),
        (lambda: _upload(files.exe_bytes(), "setup.exe"), WRONG_TYPE),
        (lambda: _upload(files.pdf_bytes(), "계획.docx"), MISMATCH),
        (lambda: _upload(files.docx_bytes(), "계획.hwp"), MISMATCH),
    ],
    ids=["exe-as-pdf", "zip-bomb", "empty", "exe", "pdf-as-docx", "docx-as-hwp"],
)
def test_a_refused_upload_leaves_no_row_and_no_file(draft, applicant, upload, message):
    error = _refused_upload(upload(), proposal=draft, actor=applicant)

    assert error.message_dict == {"file": [message]}


@pytest.mark.django_db
def test_an_upload_over_the_limit_leaves_no_row_and_no_file(draft, applicant, settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024

    error = _refused_upload(files.make_bytes_file(1024 * 1024 + 1), proposal=draft, actor=applicant)

    assert error.message_dict == {"file": ["The file is larger than the 1 MB limit."]}


@pytest.mark.django_db
def test_an_unknown_document_kind_is_refused(draft, applicant):
    error = _refused_upload(files.make_pdf(), proposal=draft, actor=applicant, kind="malware")

    assert error.message_dict == {"kind": ["Choose a document kind from the list."]}


@pytest.mark.django_db
@pytest.mark.parametrize("status", [ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN])
def test_no_upload_once_the_proposal_is_not_editable(draft, applicant, status):
    Proposal.objects.filter(pk=draft.pk).update(status=status)

    _refused_upload(files.make_pdf(), proposal=draft, actor=applicant, raises=TransitionNotAllowed)


@pytest.mark.django_db
def test_an_upload_is_allowed_while_answering_an_information_request(draft, applicant):
    Proposal.objects.filter(pk=draft.pk).update(status=ProposalStatus.INFO_REQUESTED)

    document_upload(proposal_id=draft.pk, actor=applicant, upload=files.make_pdf(), kind="other")

    assert ProposalDocument.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_applicant", "keit", "kdb"])
def test_only_the_lead_firm_may_upload(draft, who, request):
    actor = request.getfixturevalue(who)
    ProposalPartner.objects.get_or_create(
        proposal=draft, firm=request.getfixturevalue("other_firm")
    )

    # refused before the file is even read: an exe gets PermissionDenied, not a file error
    _refused_upload(files.make_exe_as_pdf(), proposal=draft, actor=actor, raises=PermissionDenied)


@pytest.fixture
def stored(draft, applicant):
    return document_upload(
        proposal_id=draft.pk, actor=applicant, upload=files.make_pdf(), kind="other"
    )


@pytest.mark.django_db
def test_delete_removes_the_row_and_after_commit_the_file(
    stored, applicant, draft, django_capture_on_commit_callbacks
):
    path = Path(settings.MEDIA_ROOT) / stored.file.name

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document_delete(document_id=stored.pk, actor=applicant)
        assert path.exists()  # the file outlives the row until the transaction commits
    assert ProposalDocument.objects.count() == 0
    for callback in callbacks:
        callback()

    assert len(callbacks) == 1
    assert _stored_files() == []
    assert list(
        AuditLog.objects.order_by("id").values_list("action", "object_type", "proposal")
    ) == [
        ("document.upload", "proposaldocument", draft.pk),
        ("document.delete", "proposaldocument", draft.pk),
    ]
    assert AuditLog.objects.last().data == {"name": "사업계획서.pdf"}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_applicant", "keit"])
def test_only_the_lead_firm_may_delete_a_document(stored, who, request):
    with pytest.raises(PermissionDenied):
        document_delete(document_id=stored.pk, actor=request.getfixturevalue(who))

    assert ProposalDocument.objects.count() == 1
    assert len(_stored_files()) == 1
    assert AuditLog.objects.count() == 1


@pytest.mark.django_db
def test_no_delete_once_the_proposal_is_submitted(stored, applicant, draft):
    Proposal.objects.filter(pk=draft.pk).update(status=ProposalStatus.SUBMITTED)

    with pytest.raises(TransitionNotAllowed):
        document_delete(document_id=stored.pk, actor=applicant)

    assert ProposalDocument.objects.count() == 1
    assert len(_stored_files()) == 1
    assert AuditLog.objects.count() == 1
