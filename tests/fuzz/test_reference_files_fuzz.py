"""Fuzzing the reference-data readers (mnr.core.reference): a World Bank classification
workbook (``mnr jurisdictions import-income``) and the jurisdiction and income CSV files,
spoiled by tests/mutations.py, are read or refused with ReferenceDataError naming the file;
never another exception.

tests/core/test_reference.py has the hand-written cases (missing sheets and columns, unknown
labels and codes, zip bombs); the database side (nothing stored when refused) is in
tests/fuzz/test_import_fuzz.py."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from tests.mutations import (
    FUZZ,
    encoded_csv,
    mutated_table,
    spoiled_archive,
    spoiled_bytes,
    stable_archive,
    typed_cells,
)
from tests.world_bank import CLASS_2006, CLASS_HEADER

from mnr.core.reference import (
    CLASS_SHEET,
    INCOME_GROUPS_CSV,
    JURISDICTIONS_CSV,
    ReferenceDataError,
    read_income_groups,
    read_jurisdictions,
    read_world_bank_workbook,
)

ECONOMIES = [
    list(CLASS_HEADER),
    *[["" if cell is None else cell for cell in row] for row in CLASS_2006],
]


def workbook(rows: list[list[object]]) -> bytes:
    import io

    from openpyxl import Workbook

    from mnr.core.spreadsheet import escape_xlsx

    book = Workbook()
    sheet = book.active
    sheet.title = CLASS_SHEET
    for row in rows:
        sheet.append([escape_xlsx(cell) if isinstance(cell, str) else cell for cell in row])
    out = io.BytesIO()
    book.save(out)
    return stable_archive(out.getvalue())


def read_or_refused(content: bytes, name: str, read: object) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            read(path)  # type: ignore[operator]
        except ReferenceDataError as error:
            assert str(path) in str(error), error


def test_the_valid_workbook_reads() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "CLASS.xlsx"
        path.write_bytes(workbook(ECONOMIES))
        reading = read_world_bank_workbook(path, 2006, skip_unknown=True)
    assert {record.code for record in reading.records} == {"KE", "SE"}


@FUZZ
@given(data=st.data(), fiscal_year=st.sampled_from([2006, 2021, 1800]), skip=st.booleans())
def test_any_spoiled_world_bank_workbook_is_read_or_refused_naming_the_file(
    data: st.DataObject, fiscal_year: int, skip: bool
) -> None:
    rows = data.draw(typed_cells(data.draw(mutated_table(ECONOMIES))), label="rows")
    content = workbook(rows)
    spoil = data.draw(st.sampled_from(["none", "bytes", "parts"]), label="spoil")
    if spoil == "bytes":
        content = data.draw(spoiled_bytes(content), label="bytes")
    elif spoil == "parts":
        content = data.draw(spoiled_archive(content), label="parts")

    def read(path: Path) -> None:
        read_world_bank_workbook(path, fiscal_year, skip_unknown=skip)

    read_or_refused(content, "CLASS.xlsx", read)


@FUZZ
@given(data=st.data(), income=st.booleans())
def test_any_spoiled_reference_csv_is_read_or_refused_naming_the_file(
    data: st.DataObject, income: bool
) -> None:
    import csv

    source = INCOME_GROUPS_CSV if income else JURISDICTIONS_CSV
    with open(source, encoding="utf-8", newline="") as shipped:
        # The header and a few rows: the mutations have something to spoil, quickly.
        rows = [row for _, row in zip(range(12), csv.reader(shipped), strict=False)]
    table = data.draw(mutated_table(rows), label="table")
    content = data.draw(spoiled_bytes(data.draw(encoded_csv(table), label="csv")), label="bytes")
    read_or_refused(content, source.name, read_income_groups if income else read_jurisdictions)
