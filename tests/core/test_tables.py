"""The one table writer: a title line, then rows, as CSV or XLSX; text never runs as a
formula; numbers stay numbers in XLSX."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from mnr.core.spreadsheet import restore, unescape_xlsx
from mnr.core.tables import csv_bytes, xlsx_bytes

ROWS = [["Question", "Count"], ["=SUM(A1:A3)", 3], ["tab\there", None], ["cr\x01x", 0]]


def test_csv_has_the_title_line_then_the_rows_with_formulas_neutralised() -> None:
    title, *rows = list(csv.reader(io.StringIO(csv_bytes(ROWS, title="@title").decode())))
    assert title == ["'@title"]
    assert rows == [
        ["Question", "Count"],
        ["'=SUM(A1:A3)", "3"],
        ["tab\there", ""],
        ["cr\x01x", "0"],
    ]
    assert [restore(row[0]) for row in rows] == ["Question", "=SUM(A1:A3)", "tab\there", "cr\x01x"]


def test_xlsx_keeps_numbers_as_numbers_and_text_as_typed() -> None:
    sheet = load_workbook(io.BytesIO(xlsx_bytes("Findings", ROWS, title="T")))
    assert sheet.sheetnames == ["Findings"]
    title, *rows = [list(row) for row in sheet.worksheets[0].iter_rows(values_only=True)]
    assert title[0] == "T" and not any(title[1:])
    assert rows[1][1] == 3 and rows[2][1] is None and rows[3][1] == 0
    assert [restore(unescape_xlsx(str(row[0]))) for row in rows] == [r[0] for r in ROWS]
