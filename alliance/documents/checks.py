"""Checks an uploaded document by its content, not its name or the browser's claim.

Accepted: PDF, DOCX, XLSX, PPTX (Office Open XML), HWP (OLE compound file with an HWP
header) and HWPX (OWPML zip). Zip containers are opened only to read their directory, and
refused when they would expand past a fixed size or ratio (zip bombs).
"""

import hashlib
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext_lazy as _

SNIFF_BYTES = 8192
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
OLE_MIMES = {
    "application/x-ole-storage",
    "application/cdfv2",
    "application/vnd.ms-office",
    "application/x-hwp",
    "application/msword",
}
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Start of the FileHeader stream of every HWP 5 file. Streams may sit anywhere in the
# compound file (a large document keeps FileHeader far past its first sectors), so the
# whole file is searched, not a prefix.
HWP_MARKER = b"HWP Document File"
# What a damaged or hostile archive can raise while its directory or an entry is read.
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,  # an unknown compression method
    RuntimeError,  # an encrypted entry
    OSError,
    EOFError,
    ValueError,
    KeyError,
    IndexError,
    struct.error,
    zlib.error,
)
ZIP_MIMES = {"application/zip", "application/octet-stream", "application/x-zip-compressed"}
OOXML_MARKERS = {
    ".docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    ".xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ".pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
}
ALLOWED_EXTENSIONS = (".pdf", ".docx", ".xlsx", ".pptx", ".hwp", ".hwpx")


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    size: int
    sha256: str
    safe_name: str


def _refuse(message, code):
    return ValidationError({"file": ValidationError(message, code=code)})


def safe_display_name(name: str) -> str:
    """The last path component only, without control characters, at most 200 characters."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    cleaned = cleaned.strip().lstrip(".")
    return cleaned[-200:] or "document"


def _zip_kind(fileobj, extension: str) -> str:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                raise _refuse(_("The archive holds too many entries."), "zip_bomb")
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > ZIP_MAX_UNCOMPRESSED or total / packed > ZIP_MAX_RATIO:
                raise _refuse(
                    _("The file expands to far more than its size; it was refused."), "zip_bomb"
                )
            names = {i.filename for i in infos}
            if any(n.startswith("/") or ".." in PurePath(n).parts for n in names):
                raise _refuse(_("The archive contains unsafe paths."), "zip_paths")
            if extension == ".hwpx":
                if "mimetype" in names and archive.read("mimetype").strip() in (
                    b"application/hwp+zip",
                    b"application/haansofthwpx",
                ):
                    return "application/hwp+zip"
            elif extension in OOXML_MARKERS:
                marker, mime = OOXML_MARKERS[extension]
                if "[Content_Types].xml" in names and marker in names:
                    return mime
    except ZIP_READ_ERRORS:
        pass
    raise _refuse(_("The file's content does not match its type."), "type_mismatch")


def _contains(upload, marker: bytes) -> bool:
    """Whether `marker` occurs anywhere in the upload, reading it in chunks."""
    upload.seek(0)
    tail = b""
    for chunk in upload.chunks():
        window = tail + chunk
        if marker in window:
            return True
        tail = window[-(len(marker) - 1) :]
    return False


def check_upload(upload) -> CheckedFile:
    """Validate an UploadedFile; raise ValidationError({'file': ...}) if it must be refused."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise _refuse(
            _("The file is larger than the %(mb)d MB limit.") % {"mb": limit // (1024 * 1024)},
            "too_large",
        )
    if upload.size == 0:
        raise _refuse(_("The file is empty."), "empty")
    name = safe_display_name(upload.name or "")
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise _refuse(
            _("Only PDF, DOCX, XLSX, PPTX, HWP and HWPX files are accepted."), "extension"
        )
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    detected = magic.from_buffer(head, mime=True).lower()
    if extension == ".pdf":
        if not head.startswith(b"%PDF-"):
            raise _refuse(_("The file's content does not match its type."), "type_mismatch")
        content_type = "application/pdf"
    elif extension == ".hwp":
        if (
            not head.startswith(OLE_SIGNATURE)
            or detected not in OLE_MIMES
            or not _contains(upload, HWP_MARKER)
        ):
            raise _refuse(_("The file's content does not match its type."), "type_mismatch")
        content_type = "application/x-hwp"
    else:
        if not head.startswith(b"PK\x03\x04") or not (
            detected in ZIP_MIMES
            or detected.startswith("application/vnd.openxmlformats")
            or detected.startswith("application/hwp")
        ):
            raise _refuse(_("The file's content does not match its type."), "type_mismatch")
        upload.seek(0)
        content_type = _zip_kind(upload, extension)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type, extension, upload.size, digest.hexdigest(), name)


class DocumentSizeLimitHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the document size limit.

    The request is marked so the view can answer with a clear message (413 in the API)
    instead of reading and storing the rest.
    """

    def new_file(self, *args, **kwargs):
        self.received = 0
        return super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received = start + len(raw_data)
        if self.received > settings.DOCUMENT_MAX_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None
