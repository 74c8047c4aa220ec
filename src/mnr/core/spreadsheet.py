"""Text in spreadsheet cells: kept from running as a formula, and kept intact in XLSX.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
some programs skip before looking for one) is read by Excel, LibreOffice and Google Sheets as a
formula. Exports put a single quote in front of such text; importers take it off again with
``restore``, so that export → import gives back exactly the text that was exported.

Text that already starts with quotes followed by one of those characters gets one more quote,
so ``restore`` can tell an added quote from one the author wrote.

Importers apply the reverse functions in the reverse order: ``restore(unescape_xlsx(cell))``
for ``escape_xlsx(neutralise(text))``.
"""

from __future__ import annotations

import re

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
