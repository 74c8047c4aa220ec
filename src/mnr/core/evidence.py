"""Which files may be attached to an answer as evidence, told by their content.

A file's type is read from its first bytes (and, for office documents, from the parts of its
ZIP archive), never from its name or from what the browser says it is; the name's extension
must then be one of that type's. The content type stored and served with the file is the one
of the type found here, so a file is always served as what it was checked to be.

Refused, among others: programs and scripts renamed as documents, HTML or SVG (they run script
when opened in a browser), archives that would inflate to gigabytes (the zip-bomb check of
:mod:`mnr.core.spreadsheet`), macro-enabled office documents, legacy Word/Excel files (their
macros cannot be checked here: save them as DOCX/XLSX or PDF), empty and oversized files, and
names that are paths or hold control characters.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass

from mnr.core.limits import MAX_EVIDENCE_BYTES, MAX_EVIDENCE_NAME_LENGTH
from mnr.core.spreadsheet import archive_problem


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("pdf", "PDF document", "application/pdf", (".pdf",))
PNG = FileType("png", "PNG image", "image/png", (".png",))
JPEG = FileType("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg"))
GIF = FileType("gif", "GIF image", "image/gif", (".gif",))
WEBP = FileType("webp", "WebP image", "image/webp", (".webp",))
DOCX = FileType(
    "docx",
    "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    (".docx",),
)
XLSX = FileType(
    "xlsx",
    "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    (".xlsx",),
)
PPTX = FileType(
    "pptx",
    "PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    (".pptx",),
)
ODT = FileType("odt", "OpenDocument text", "application/vnd.oasis.opendocument.text", (".odt",))
ODS = FileType(
    "ods", "OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", (".ods",)
)
ODP = FileType(
    "odp",
    "OpenDocument presentation",
    "application/vnd.oasis.opendocument.presentation",
    (".odp",),
)
FILE_TYPES = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, ODT, ODS, ODP)
ACCEPTED_EXTENSIONS = tuple(ext for kind in FILE_TYPES for ext in kind.extensions)
ACCEPTED = (
    "PDF, PNG, JPEG, GIF or WebP images, Word, Excel or PowerPoint (DOCX, XLSX, PPTX) "
    "or OpenDocument (ODT, ODS, ODP) files"
)

# The part each OOXML type must hold, and the mimetype each ODF file names first.
_OOXML_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": XLSX,
    "ppt/presentation.xml": PPTX,
}
_ODF_MIMETYPES = {kind.content_type: kind for kind in (ODT, ODS, ODP)}

# What some refused contents are, so that the message can say so.
_KNOWN_OTHERS = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"#!", "a script"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office file (DOC, XLS or PPT)"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
)


class EvidenceRefused(ValueError):
    """The file cannot be attached; the message names it and says what is wrong."""


@dataclass(frozen=True)
class CheckedFile:
    """A file that may be attached: its name as given, its type, size and SHA-256."""

    name: str
    file_type: FileType
    size: int
    sha256: str


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a stored file's name, or None: a plain file name, not a path."""
    if not name.strip():
        return "the file has no name"
    if "\x00" in name:
        return "the file name contains a NUL character"
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in name):
        return "the file name contains control characters or is not valid Unicode text"
    if "/" in name or "\\" in name or name.strip(". ") == "":
        return "the file name is a path; give the name of the file only"
    if len(name) > MAX_EVIDENCE_NAME_LENGTH:
        return (
            f"the file name is {len(name)} characters long; at most "
            f"{MAX_EVIDENCE_NAME_LENGTH} are allowed (rename the file)"
        )
    return None


def _article(label: str) -> str:
    return "an" if label[0] in "AEIOU" else "a"


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _office_type(content: bytes) -> FileType | str:
    """The OOXML or ODF type of a ZIP archive, or why it is none of them."""
    if problem := archive_problem(content, kind="office document"):
        return problem
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        if names and names[0] == "mimetype":
            declared = archive.read("mimetype").decode("ascii", "replace").strip()
            if declared in _ODF_MIMETYPES:
                return _ODF_MIMETYPES[declared]
            return f"is an OpenDocument file of a type that is not accepted ({declared!r})"
    if "[Content_Types].xml" not in names:
        return "is a ZIP archive, not an office document; attach the documents themselves"
    lowered = {name.lower() for name in names}
    if any(name.endswith("vbaproject.bin") for name in lowered):
        return "is an office document with macros; save it without macros (DOCX, XLSX, PPTX)"
    for part, kind in _OOXML_MAIN_PARTS.items():
        if part in names:
            return kind
    return "is an office document of a type that is not accepted"


def content_type_of(content: bytes) -> FileType | str:
    """The accepted type ``content`` is, or what it is instead (a phrase: "is …")."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    if content.startswith(b"PK\x03\x04"):
        return _office_type(content)
    for magic, what in _KNOWN_OTHERS:
        if content.startswith(magic):
            return f"is {what}"
    head = content[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<svg", b"<?xml", b"<script", b"<")):
        return "is an HTML, SVG or XML page (which a browser would run)"
    return "is not of a type that is accepted"


def check_evidence(name: str, content: bytes) -> CheckedFile:
    """``content`` checked as the evidence file ``name``; :class:`EvidenceRefused` otherwise.

    Every message starts with the file's name (as far as it can be shown) and ends with what to
    do."""
    shown = repr(name)
    if problem := name_problem(name):
        raise EvidenceRefused(f"{shown}: {problem}")
    if not content:
        raise EvidenceRefused(f"{shown} is empty (0 bytes); attach a file with content")
    if len(content) > MAX_EVIDENCE_BYTES:
        raise EvidenceRefused(
            f"{shown} is {len(content):,} bytes; evidence files may be at most "
            f"{MAX_EVIDENCE_BYTES // 1024 // 1024} MiB ({MAX_EVIDENCE_BYTES:,} bytes): "
            "compress it or attach the relevant part"
        )
    found = content_type_of(content)
    if isinstance(found, str):
        raise EvidenceRefused(f"{shown} {found}; accepted are {ACCEPTED}")
    extension = _extension(name)
    if extension not in found.extensions:
        raise EvidenceRefused(
            f"{shown} is {_article(found.label)} {found.label} but its name ends in "
            f"{extension or '(no extension)'}; name it {' or '.join(found.extensions)}"
        )
    return CheckedFile(name, found, len(content), hashlib.sha256(content).hexdigest())
