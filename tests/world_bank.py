"""Workbooks shaped like the World Bank's own, for the income classification tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from mnr.core.reference import CLASS_SHEET

CLASS_HEADER = (
    "Economy", "Code", "Region", "Income group", "Lending category", "Other (EMU or HIPC)",
)
# An older list, when Serbia and Montenegro and the Netherlands Antilles were still economies.
CLASS_2006 = (
    ("Kenya", "KEN", "Sub-Saharan Africa", "Low income", "IDA", None),
    ("Serbia and Montenegro", "SCG", "Europe & Central Asia", "Upper middle income", "IBRD", None),
    ("Sweden", "SWE", "Europe & Central Asia", "High income", None, "EMU"),
    ("Netherlands Antilles", "ANT", "Latin America & Caribbean", "High income", None, None),
)


def class_workbook_as_published(folder: Path, *economies: Sequence[object]) -> Path:
    """``CLASS.xlsx`` as the World Bank publishes it: the sheet of economies under a title
    block, with an "Other" column and the aggregates below the economies, and its other
    sheets. The economies start at row 6."""
    sheet = [
        ("World Bank list of economies (July 2006)",),
        (),
        ("", "", "", "", "", ""),
        (),
        CLASS_HEADER,
        *economies,
        ("World", "WLD", None, None, None, None),
        ("Sub-Saharan Africa", "SSF", None, None, None, None),
        ("High income", "HIC", None, None, None, None),
        (),
        ("This table classifies all World Bank member countries.",),
    ]
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets = {
        CLASS_SHEET: sheet,
        "Groups": [("GroupCode", "GroupName", "CountryCode", "CountryName")],
        "Notes": [("Notes",)],
    }
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row in rows:
            worksheet.append(list(row))
    path = folder / "CLASS.xlsx"
    workbook.save(path)
    return path
