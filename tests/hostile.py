"""Hostile files for the importers' tests: small archives that inflate far past their size."""

from __future__ import annotations

import io
import zipfile

MIB = 1024 * 1024


def zip_bomb(inflated_mib: int) -> bytes:
    """An archive laid out like an XLSX workbook whose one sheet is ``inflated_mib`` MiB of
    the same byte: deflate shrinks it about a thousand times."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"<row/>" * (MIB // 6)
            for _ in range(inflated_mib):
                sheet.write(block)
    return out.getvalue()
