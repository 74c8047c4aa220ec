"""Tables written as CSV or XLSX: an optional title line, then the rows (the first usually
the column names).

Text cells are kept from running as formulas (:func:`mnr.core.spreadsheet.neutralise`) in
both formats, and escaped as OOXML needs in XLSX; numbers stay numbers in XLSX; ``None`` is an
empty cell. CSV is UTF-8 without a byte order mark.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from mnr.core.spreadsheet import escape_xlsx, neutralise

Cell = str | int | float | None
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_TITLE = 31  # characters Excel allows in a sheet's name


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return neutralise(cell)
    return str(cell)


def csv_bytes(rows: Iterable[Sequence[Cell]], *, title: str | None = None) -> bytes:
    """The rows as CSV; ``title`` as a first line of one cell."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    if title is not None:
        writer.writerow([_text(title)])
    for row in rows:
        writer.writerow([_text(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def _xlsx_cell(cell: Cell) -> str | int | float | None:
    if cell is None or isinstance(cell, bool):
        return None if cell is None else str(cell)
    if isinstance(cell, (int, float)):
        return cell
    return escape_xlsx(neutralise(cell))


def xlsx_bytes(sheet: str, rows: Iterable[Sequence[Cell]], *, title: str | None = None) -> bytes:
    """The rows as a workbook of one sheet named ``sheet``; ``title`` in its first cell."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:MAX_SHEET_TITLE])
    if title is not None:
        worksheet.append([_xlsx_cell(title)])
    for row in rows:
        worksheet.append([_xlsx_cell(cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
