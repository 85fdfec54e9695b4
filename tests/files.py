"""Real document files built in memory, for upload tests.

Every `make_*` function returns a fresh `SimpleUploadedFile` (name, bytes, the content type a
browser would send) that can be posted once: `client.post(url, {"file": make_pdf(), ...})`.
Call `.read()` on it for the raw bytes. The files are genuine: the content checks in
alliance/documents.py see exactly what they would see from a real office suite.

Django's test client (and `SimpleUploadedFile`) keep only the last component of a file name,
so a name with path tricks cannot be sent through them; `multipart_body()` builds the request
body by hand for that case.
"""

import functools
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
HWPX_TYPE = "application/hwp+zip"

# A name that tries to climb out of the upload folder.
PATH_TRICK_NAME = "../../etc/passwd.pdf"

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_DOC_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
)


def pdf_bytes(text: str = "M.AX AX investment plan") -> bytes:
    """A minimal, well-formed one-page PDF (correct xref offsets) showing `text`."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _zip(entries: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name, date_time=(2025, 9, 10, 9, 0, 0)), data, method)
    return out.getvalue()


def _content_types(overrides: dict[str, str]) -> bytes:
    parts = "".join(
        f'<Override PartName="{part}" ContentType="{ctype}"/>' for part, ctype in overrides.items()
    )
    return (
        _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + parts + "</Types>"
    ).encode()


def _root_rels(target: str) -> bytes:
    return (
        _XML + f'<Relationships xmlns="{_RELS_NS}">'
        f'<Relationship Id="rId1" Type="{_OFFICE_DOC_REL}" Target="{target}"/>'
        "</Relationships>"
    ).encode()


def docx_bytes(text: str = "AX 투자 사업계획서") -> bytes:
    """A minimal Word document: [Content_Types].xml, _rels/.rels and word/document.xml."""
    document = (
        _XML + '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    return _zip(
        [
            (
                "[Content_Types].xml",
                _content_types(
                    {"/word/document.xml": DOCX_TYPE.replace(".document", ".document.main+xml")}
                ),
            ),
            ("_rels/.rels", _root_rels("word/document.xml")),
            ("word/document.xml", document),
        ]
    )


def xlsx_bytes() -> bytes:
    """A minimal workbook with one sheet: xl/workbook.xml and xl/worksheets/sheet1.xml."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    workbook = (
        _XML + f'<workbook xmlns="{main}" xmlns:r="{rel}">'
        '<sheets><sheet name="재무제표" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ).encode()
    workbook_rels = (
        _XML + f'<Relationships xmlns="{_RELS_NS}"><Relationship Id="rId1" '
        f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ).encode()
    sheet = (
        _XML + f'<worksheet xmlns="{main}"><sheetData><row r="1">'
        '<c r="A1"><v>100000000000</v></c></row></sheetData></worksheet>'
    ).encode()
    sml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return _zip(
        [
            (
                "[Content_Types].xml",
                _content_types(
                    {
                        "/xl/workbook.xml": f"{sml}.sheet.main+xml",
                        "/xl/worksheets/sheet1.xml": f"{sml}.worksheet+xml",
                    }
                ),
            ),
            ("_rels/.rels", _root_rels("xl/workbook.xml")),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbook_rels),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
    )


def pptx_bytes() -> bytes:
    """A minimal presentation package: ppt/presentation.xml with its content types."""
    presentation = (
        _XML
        + '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
        ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/>'
        "</p:presentation>"
    ).encode()
    pml = "application/vnd.openxmlformats-officedocument.presentationml"
    return _zip(
        [
            (
                "[Content_Types].xml",
                _content_types({"/ppt/presentation.xml": f"{pml}.presentation.main+xml"}),
            ),
            ("_rels/.rels", _root_rels("ppt/presentation.xml")),
            ("ppt/presentation.xml", presentation),
        ]
    )


def hwpx_bytes() -> bytes:
    """A minimal HWPX (OWPML): an uncompressed first entry `mimetype` = application/hwp+zip."""
    section = (
        _XML + '<hs:sec xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section">'
        '<hp:p xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"><hp:run>'
        "<hp:t>AX 투자 사업계획서</hp:t></hp:run></hp:p></hs:sec>"
    ).encode()
    return _zip(
        [
            ("mimetype", HWPX_TYPE.encode()),
            (
                "version.xml",
                (
                    _XML + '<hv:HCFVersion xmlns:hv="http://www.hancom.co.kr/hwpml/2011/version"'
                    ' major="5" minor="1" micro="0" buildNumber="0"/>'
                ).encode(),
            ),
            (
                "Contents/content.hpf",
                (_XML + '<opf:package xmlns:opf="http://www.idpf.org/2007/opf/"/>').encode(),
            ),
            ("Contents/section0.xml", section),
        ],
        stored_first=True,
    )


def exe_bytes() -> bytes:
    """The start of a Windows executable: DOS header (MZ), stub message and a PE signature."""
    header = bytearray(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
    header += b"\xb8" + b"\x00" * 7 + b"\x40" + b"\x00" * 35
    header += (0x80).to_bytes(4, "little")  # e_lfanew: where the PE header starts
    header += b"This program cannot be run in DOS mode.\r\r\n$".ljust(64, b"\x00")
    header = header.ljust(0x80, b"\x00") + b"PE\x00\x00" + b"\x00" * 380
    return bytes(header)


@functools.cache
def zip_bomb_bytes(uncompressed_mb: int = 50) -> bytes:
    """A Word-looking zip whose word/document.xml inflates from ~50 KB to `uncompressed_mb` MB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml",
            _content_types({"/word/document.xml": "application/xml"}),
        )
        archive.writestr("_rels/.rels", _root_rels("word/document.xml"))
        chunk = b"\x00" * (1024 * 1024)
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            for _ in range(uncompressed_mb):
                entry.write(chunk)
    return out.getvalue()


def make_pdf(name: str = "사업계획서.pdf") -> SimpleUploadedFile:
    """A real one-page PDF."""
    return SimpleUploadedFile(name, pdf_bytes(), content_type=PDF_TYPE)


def make_docx(name: str = "사업계획서.docx") -> SimpleUploadedFile:
    """A real (minimal) DOCX."""
    return SimpleUploadedFile(name, docx_bytes(), content_type=DOCX_TYPE)


def make_xlsx(name: str = "재무제표.xlsx") -> SimpleUploadedFile:
    """A real (minimal) XLSX."""
    return SimpleUploadedFile(name, xlsx_bytes(), content_type=XLSX_TYPE)


def make_pptx(name: str = "발표자료.pptx") -> SimpleUploadedFile:
    """A real (minimal) PPTX."""
    return SimpleUploadedFile(name, pptx_bytes(), content_type=PPTX_TYPE)


def make_hwpx(name: str = "사업계획서.hwpx") -> SimpleUploadedFile:
    """A real (minimal) HWPX with its `mimetype` entry."""
    return SimpleUploadedFile(name, hwpx_bytes(), content_type=HWPX_TYPE)


def make_exe_as_pdf(name: str = "사업계획서.pdf") -> SimpleUploadedFile:
    """A Windows executable renamed to .pdf, sent with the PDF content type: must be refused."""
    return SimpleUploadedFile(name, exe_bytes(), content_type=PDF_TYPE)


def make_zip_bomb_docx(name: str = "사업계획서.docx") -> SimpleUploadedFile:
    """A ~50 KB .docx that claims 50 MB once inflated (ratio ≈ 1000:1): must be refused."""
    return SimpleUploadedFile(name, zip_bomb_bytes(), content_type=DOCX_TYPE)


def make_bytes_file(size: int, name: str = "큰파일.pdf") -> SimpleUploadedFile:
    """A PDF-headed file of exactly `size` bytes, for size-limit tests."""
    head = b"%PDF-1.4\n"
    return SimpleUploadedFile(name, head + b"0" * (size - len(head)), content_type=PDF_TYPE)


def multipart_body(
    fields: dict[str, str], files: list[tuple[str, str, bytes, str]], boundary: str = "B0undary"
) -> tuple[bytes, str]:
    """A multipart/form-data body with file names exactly as given (no basename applied).

    `files` holds (field name, file name, bytes, content type). Returns the body and the
    Content-Type header value: `client.post(url, body, content_type=content_type)`.
    """
    lines: list[bytes] = []
    for key, value in fields.items():
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{key}"'.encode(),
            b"",
            value.encode(),
        ]
    for key, filename, data, content_type in files:
        lines += [
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="{key}"; filename="{filename}"'.encode(),
            f"Content-Type: {content_type}".encode(),
            b"",
            data,
        ]
    lines += [f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"
