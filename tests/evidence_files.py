"""Small files of every accepted evidence type, and hostile ones, for the evidence tests.

Each is built here from its format's few defining bytes (none is a real document)."""

from __future__ import annotations

import io
import zipfile

from tests.hostile import zip_bomb

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 16
GIF = b"GIF89a" + b"\x00" * 16
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"This program cannot be run in DOS mode"
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def office(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = office({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = office({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
PPTX = office({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})
DOCM = office(
    {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\x00macro",
    }
)
ODT = office({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
PLAIN_ZIP = office({"notes.txt": b"synthetic"})


def docx_bomb(inflated_mib: int = 50) -> bytes:
    """A ZIP that inflates ``inflated_mib`` MiB, as a spreadsheet bomb (the check is the same)."""
    return zip_bomb(inflated_mib)
