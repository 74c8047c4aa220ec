"""Fuzzing the importers that write (``mnr import`` → mnr.surveys.imports.import_answers, and
``mnr jurisdictions import-income`` → mnr.jurisdictions.actions.import_income_workbook) with
spoiled files (tests/mutations.py): each file is imported whole or refused with the
importer's own error naming the file, never another exception, and a refused file leaves
every table it could touch exactly as it was (row counts and a checksum of the rows).

tests/fuzz/test_answer_files_fuzz.py and test_reference_files_fuzz.py fuzz the readers alone,
with more examples; this file checks the all-or-nothing promise on the database."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.mutations import (
    FUZZ,
    csv_bytes,
    encoded_csv,
    mutated_table,
    spoiled_archive,
    spoiled_bytes,
    typed_cells,
    xlsx_bytes,
)
from tests.world_bank import CLASS_2006, CLASS_HEADER

from mnr.audit.models import AuditEvent
from mnr.core.interchange import EXPORT_HEADER
from mnr.core.reference import CLASS_SHEET
from mnr.errors import MnrError
from mnr.jurisdictions.actions import import_income_workbook
from mnr.jurisdictions.models import IncomeClassification
from mnr.surveys.imports import import_answers
from mnr.surveys.models import Answer, AnswerChange, Participation, Submission

pytestmark = pytest.mark.django_db

ROUND = "test-2021"
ANSWERS = [
    list(EXPORT_HEADER),
    [
        ROUND,
        "KE",
        "government",
        "C11.status",
        "yes",
        "a note",
        "https://example.org/law",
        "true",
        "",
        "",
    ],
    [ROUND, "SE", "government", "C01.good_practice", "=a synthetic policy", "", "", "", "", ""],
    [ROUND, "AL", "government", "C11.status", "partial", "", "", "false", "", ""],
]
ECONOMIES = [list(CLASS_HEADER), *[["" if c is None else c for c in row] for row in CLASS_2006]]

# Each example imports through the actions and the database: fewer examples than the readers'.
DB_FUZZ = settings(FUZZ, max_examples=min(FUZZ.max_examples, 25))


def checksum(*querysets: Any) -> tuple[tuple[int, str], ...]:
    """Row count and a digest of every row of each queryset: any write shows."""
    sums = []
    for queryset in querysets:
        rows = list(queryset.order_by("pk").values_list())
        sums.append((len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()))
    return tuple(sums)


def answer_tables() -> tuple[tuple[int, str], ...]:
    return checksum(
        Answer.objects.all(),
        AnswerChange.objects.all(),
        Submission.objects.all(),
        Participation.objects.all(),
        AuditEvent.objects.all(),
    )


def written(content: bytes, name: str) -> Path:
    path = Path(tempfile.mkdtemp()) / name
    path.write_bytes(content)
    return path


def test_the_valid_file_imports(review_round: Any) -> None:
    result = import_answers(review_round, written(csv_bytes(ANSWERS).encode(), "a.csv"))
    assert result.rows == 3 and result.participants_added == ("AL",)


@DB_FUZZ
@given(data=st.data(), workbook=st.booleans())
def test_any_spoiled_answer_file_is_imported_whole_or_not_at_all(
    review_round: Any, data: st.DataObject, workbook: bool
) -> None:
    table = data.draw(mutated_table(ANSWERS), label="table")
    if workbook:
        name = "answers.xlsx"
        content = xlsx_bytes(data.draw(typed_cells(table), label="cells"))
        if data.draw(st.booleans(), label="broken part"):
            content = data.draw(spoiled_archive(content), label="parts")
    else:
        name = "answers.csv"
        content = data.draw(spoiled_bytes(data.draw(encoded_csv(table))), label="bytes")
    fmt = data.draw(st.sampled_from([None, None, "csv", "xlsx", "json", "kobo"]), label="fmt")
    before = answer_tables()
    try:
        import_answers(review_round, written(content, name), fmt=fmt)
    except MnrError as refused:
        assert name in str(refused), refused
        assert "nothing was imported" in str(refused) or name in str(refused)
        assert answer_tables() == before


@DB_FUZZ
@given(data=st.data(), skip=st.booleans())
def test_any_spoiled_income_workbook_is_stored_whole_or_not_at_all(
    personas: dict[str, Any], data: st.DataObject, skip: bool
) -> None:
    rows = data.draw(typed_cells(data.draw(mutated_table(ECONOMIES))), label="rows")
    content = xlsx_bytes(rows, CLASS_SHEET)
    spoil = data.draw(st.sampled_from(["none", "bytes", "parts"]), label="spoil")
    if spoil == "bytes":
        content = data.draw(spoiled_bytes(content), label="bytes")
    elif spoil == "parts":
        content = data.draw(spoiled_archive(content), label="parts")
    path = written(content, "CLASS.xlsx")
    before = checksum(IncomeClassification.objects.all(), AuditEvent.objects.all())
    try:
        import_income_workbook(
            path, 2006, skip_unknown=skip, acting_user=personas["administrator"], source="test"
        )
    except MnrError as refused:
        assert str(path) in str(refused) or "unknown" in str(refused), refused
        assert checksum(IncomeClassification.objects.all(), AuditEvent.objects.all()) == before
