"""Text in spreadsheet cells: kept from running as a formula, and kept intact in XLSX.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
some programs skip before looking for one) is read by Excel, LibreOffice and Google Sheets as a
formula. Exports put a single quote in front of such text; importers take it off again with
``restore``, so that export → import gives back exactly the text that was exported.

Text that already starts with quotes followed by one of those characters gets one more quote,
so ``restore`` can tell an added quote from one the author wrote.

Importers apply the reverse functions in the reverse order: ``restore(unescape_xlsx(cell))``
for ``escape_xlsx(neutralise(text))``.

An XLSX file is a ZIP archive of XML parts. ``archive_problem`` looks at the sizes its archive
declares before any XML is read, so that a small file that would inflate to gigabytes (a "zip
bomb") is refused instead of filling memory.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _needs_quote(text: str) -> bool:
    return text.lstrip(QUOTE).startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """``text`` as it may safely stand in a spreadsheet cell."""
    return QUOTE + text if _needs_quote(text) else text


def restore(text: str) -> str:
    """The text ``neutralise`` was given: ``restore(neutralise(t)) == t`` for every ``t``."""
    if text.startswith(QUOTE) and _needs_quote(text[1:]):
        return text[1:]
    return text


# XLSX (OOXML) cells cannot hold most control characters, and XML readers turn a carriage
# return into a line feed. The format's own escape, which Excel reads and writes, spells such a
# character ``_xHHHH_``, and an underscore that would start such a spelling ``_x005F_``.
_XLSX_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
_XLSX_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def escape_xlsx(text: str) -> str:
    """``text`` as an XLSX cell stores it; ``unescape_xlsx`` gives it back unchanged."""
    return _XLSX_UNSAFE.sub(lambda match: f"_x{ord(match.group()):04X}_", text)


def unescape_xlsx(text: str) -> str:
    """The text of an XLSX cell as Excel shows it (openpyxl leaves the escapes in)."""
    if "_x" not in text:
        return text
    return _XLSX_ESCAPED.sub(lambda match: chr(int(match.group(1), 16)), text)


MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
"""Largest total size (200 MiB) of an XLSX file's parts once uncompressed."""
MAX_COMPRESSION_RATIO = 100
"""Largest ratio of a part's uncompressed to compressed size. Spreadsheet XML compresses
about 5 to 20 times; deflate reaches about 1000 only on the repeated bytes of a zip bomb."""
MAX_PARTS = 10_000
"""Most parts (sheets, styles, images…) an XLSX file may hold."""
_RATIO_FROM = 1024 * 1024
"""Parts smaller than this (1 MiB uncompressed) are never too compressed to read."""


WORKBOOK = "XLSX workbook"


def archive_problem(workbook: bytes | Path, *, kind: str = WORKBOOK) -> str | None:
    """Why the XLSX file (its bytes, or its path) must not be opened, or None when it may.

    ``kind`` names what the archive should be in the messages (other OOXML and ODF files are
    ZIP archives too: evidence uploads check them here).

    The sizes checked are those the archive declares; Python's ``zipfile``, which openpyxl
    reads with, never inflates a part past its declared size."""
    source = io.BytesIO(workbook) if isinstance(workbook, bytes) else workbook
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as error:
        return f"is not a readable {kind}: it is not a ZIP archive ({error})"
    except OSError as error:
        return f"cannot be read: {error.strerror or error}"
    if len(parts) > MAX_PARTS:
        return f"is an archive of {len(parts):,} parts; an {kind} has at most {MAX_PARTS:,}"
    total = sum(part.file_size for part in parts)
    if total > MAX_UNCOMPRESSED_BYTES:
        return (
            f"would uncompress to {total:,} bytes; {kind}s over "
            f"{MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MiB uncompressed are refused"
            + (" (split it, or save it as CSV)" if kind == WORKBOOK else "")
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size >= _RATIO_FROM and ratio > MAX_COMPRESSION_RATIO:
            return (
                f"part {part.filename!r} would inflate {ratio:,.0f} times "
                f"({part.compress_size:,} to {part.file_size:,} bytes); no {kind} "
                f"compresses more than {MAX_COMPRESSION_RATIO} times, so it is refused as a "
                "zip bomb"
            )
    return None
