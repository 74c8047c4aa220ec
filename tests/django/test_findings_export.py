"""``mnr export findings``: every question in total and by every breakdown in one file, the
same counts as ``mnr findings``, disclosure control for users without jurisdiction-level access
and cells that cannot run as spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from openpyxl import load_workbook
from tests.publishing import validate_and_publish

from mnr.core.findings import BREAKDOWNS, COUNT_KEYS
from mnr.demo import load_demo
from mnr.exporters.base import get_exporter
from mnr.exporters.findings import COLUMNS
from mnr.jurisdictions.actions import create_synthetic_jurisdictions
from mnr.jurisdictions.models import IncomeClassification
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db


# The questions every jurisdiction of the rounds built here answers.
ANSWERED = ("C11.status", "C01.governance_mechanism")


def cell(rows: list[dict[str, Any]], question: str, by: str, group: str) -> dict[str, Any]:
    return next(
        row
        for row in rows
        if (row["question"], row["breakdown"], row["group"]) == (question, by, group)
    )


def export_file(tmp_path: Path, round_code: str, fmt: str) -> Path:
    path = tmp_path / f"findings.{fmt}"
    call_command(
        "export",
        "findings",
        "--round",
        round_code,
        "--format",
        fmt,
        "-o",
        str(path),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    return path


def rendered(round_: Round, fmt: str, user: Any = None) -> bytes:
    exporter = get_exporter("findings")(round_, format=fmt, user=user)
    _filename, _mimetype, content = exporter.render()
    return content


def json_rows(round_: Round, user: Any = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(rendered(round_, "json", user))
    return rows


def findings_command(round_code: str, by: str | None) -> list[dict[str, Any]]:
    out = StringIO()
    args = ["findings", "--round", round_code, "--format", "json"]
    call_command(*args, *(["--by", by] if by else []), stdout=out)
    rows: list[dict[str, Any]] = json.loads(out.getvalue())
    return rows


def places_round(code: str, groups: Sequence[tuple[str, str]], *, region: str = "Europe") -> Round:
    """A synthetic round with one jurisdiction per (income group, name) pair, every one
    answering two questions through the government channel; group "" means no income group."""
    round_ = actions.create_round(code, instrument="mnr-review-2021", synthetic=True)
    places = create_synthetic_jurisdictions(
        (
            (f"Z{code[:3].upper()}{n:03d}", name, region, group or "HIC")
            for n, (group, name) in enumerate(groups)
        ),
        2021,
    )
    unknown = [place for place, (group, _name) in zip(places, groups, strict=True) if not group]
    IncomeClassification.objects.filter(jurisdiction__in=unknown).delete()
    actions.add_participants(round_, [p.code for p in places])
    for n, place in enumerate(places):
        submission = actions.open_submission(round_, place, "government")
        answers = {
            "C11.status": AnswerInput(value="yes" if n % 3 else "no"),
            "C01.governance_mechanism": AnswerInput(value="yes"),
        }
        actions.save_answers(submission, answers, source="test")
    return round_


def income_round(code: str = "inc", counts: dict[str, int] | None = None) -> Round:
    counts = counts or {"HIC": 10, "UMC": 10, "LMC": 10, "LIC": 1, "": 1}
    groups = [(group, f"Place {group or 'x'} {n}") for group, k in counts.items() for n in range(k)]
    return places_round(code, groups)


@pytest.fixture(scope="module")
def demo_exports(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> dict[str, Any]:
    """The demo round exported in every format, with ``mnr findings`` for every breakdown;
    loaded once (it takes seconds) and removed again by rolling back."""
    from django.db import transaction

    tmp_path = tmp_path_factory.mktemp("findings")
    with django_db_blocker.unblock(), transaction.atomic():
        round_ = load_demo().round
        result = {
            "round": round_.code,
            "synthetic": round_.synthetic,
            "files": {
                fmt: export_file(tmp_path, round_.code, fmt) for fmt in ("csv", "json", "xlsx")
            },
            "command": {by: findings_command(round_.code, by) for by in (None, *BREAKDOWNS)},
        }
        transaction.set_rollback(True)
    return result


def test_counts_are_those_of_mnr_findings_for_every_breakdown(demo_exports: dict[str, Any]) -> None:
    exported = json.loads(demo_exports["files"]["json"].read_text(encoding="utf-8"))
    for by, expected in demo_exports["command"].items():
        rows = [row for row in exported if row["breakdown"] == (by or "total")]
        assert len(rows) == len(expected) > 0
        for row, finding in zip(rows, expected, strict=True):
            assert row["question"] == finding["question"]
            assert row["group"] == (finding["group"] or "all")
            assert {key: row[key] for key in COUNT_KEYS} == finding["counts"]
            for key in ("counts_as", "numerator", "denominator", "percent", "sentence"):
                assert row[key] == finding[key], (by, row["question"], key)
            assert row["suppressed"] is False


def test_csv_and_xlsx_hold_the_rows_of_the_json(demo_exports: dict[str, Any]) -> None:
    exported = json.loads(demo_exports["files"]["json"].read_text(encoding="utf-8"))
    as_text = [
        {
            key: (
                "|".join(value)
                if key == "counts_as"
                else ("yes" if value else "no")
                if key == "suppressed"
                else ""
                if value is None
                else str(value)
            )
            for key, value in row.items()
        }
        for row in exported
    ]
    content = demo_exports["files"]["csv"].read_bytes().decode("utf-8")
    csv_rows = list(csv.DictReader(io.StringIO(content, newline="")))
    assert list(csv_rows[0]) == list(COLUMNS) == list(exported[0])
    assert csv_rows == as_text

    workbook = load_workbook(demo_exports["files"]["xlsx"], read_only=True)
    assert workbook.sheetnames == ["total", "income", "income-group", "region", "channel", "notes"]
    for breakdown in ("total", *BREAKDOWNS):
        header, *rows = workbook[breakdown].iter_rows(values_only=True)
        assert header == COLUMNS
        expected = [row for row in as_text if row["breakdown"] == breakdown]
        assert len(rows) == len(expected) > 0
        for cells, row in zip(rows, expected, strict=True):
            # A read-only worksheet leaves out empty cells at the end of a row.
            padded = [*cells, *[None] * (len(COLUMNS) - len(cells))]
            assert ["" if cell is None else str(cell) for cell in padded] == list(row.values())
        numbers = [cells[COLUMNS.index("denominator")] for cells in rows]
        assert all(isinstance(number, int) for number in numbers)


def test_xlsx_notes_name_the_round_and_say_the_data_are_synthetic(
    demo_exports: dict[str, Any],
) -> None:
    workbook = load_workbook(demo_exports["files"]["xlsx"], read_only=True)
    notes = dict(workbook["notes"].iter_rows(values_only=True))
    assert demo_exports["synthetic"]
    assert "invented answers" in notes["SYNTHETIC DATA"]
    assert notes["round"].startswith("review-2021: ")
    assert notes["instrument"] == "mnr-review-2021 v1"
    assert notes["disclosure control"] == "none: every cell is shown"


def test_a_real_round_has_no_synthetic_notice(review_round: Round, tmp_path: Path) -> None:
    workbook = load_workbook(export_file(tmp_path, review_round.code, "xlsx"), read_only=True)
    notes = dict(workbook["notes"].iter_rows(values_only=True))
    assert "SYNTHETIC DATA" not in notes and notes["round"] == "test-2021: Test round"


def test_text_cells_cannot_run_as_formulas(tmp_path: Path) -> None:
    round_ = places_round(
        "inj", [("HIC", f"Place {n}") for n in range(4)], region='=HYPERLINK("http://x","y")'
    )
    content = export_file(tmp_path, round_.code, "csv").read_bytes().decode("utf-8")
    groups = {row["group"] for row in csv.DictReader(io.StringIO(content, newline=""))}
    assert '\'=HYPERLINK("http://x","y")' in groups
    assert not any(group.startswith("=") for group in groups)

    workbook = load_workbook(export_file(tmp_path, round_.code, "xlsx"), read_only=True)
    regions = [row[3] for row in workbook["region"].iter_rows(min_row=2, values_only=True)]
    assert regions and set(regions) == {'\'=HYPERLINK("http://x","y")'}
    # JSON is data, not a spreadsheet: the text stays as it is.
    rows = json_rows(round_)
    assert '=HYPERLINK("http://x","y")' in {row["group"] for row in rows}


def test_operator_and_analyst_see_every_cell(personas: dict[str, Any]) -> None:
    round_ = income_round()
    for user in (None, personas["analyst"], personas["administrator"]):
        rows = json_rows(round_, user)
        assert not any(row["suppressed"] for row in rows)
        lic = cell(rows, "C11.status", "income-group", "LIC")
        assert lic["denominator"] == 1


def test_anonymous_visitor_and_focal_point_get_small_cells_withheld(
    personas: dict[str, Any],
) -> None:
    round_ = income_round()
    validate_and_publish(round_)
    for user in (AnonymousUser(), personas["focal_point"]):
        rows = json_rows(round_, user)
        lic = cell(rows, "C11.status", "income-group", "LIC")
        assert lic["suppressed"] is True
        assert lic["numerator"] is lic["denominator"] is lic["yes"] is None
        # C11.status is answered yes by some and no by others; C01.governance_mechanism yes by
        # everyone, so its total alone would force every withheld cell of it.
        assert not cell(rows, "C11.status", "total", "all")["suppressed"]
        workbook = load_workbook(io.BytesIO(rendered(round_, "xlsx", user)), read_only=True)
        notes = dict(workbook["notes"].iter_rows(values_only=True))
        assert notes["disclosure control"].startswith("Cells covering fewer than 3 jurisdictions")


def test_the_public_export_is_the_publication_and_moves_only_when_published_again() -> None:
    round_ = income_round()
    validate_and_publish(round_)
    before = json_rows(round_, AnonymousUser())
    actions.set_round_status(round_, Round.Status.OPEN, source="test")
    changed = 0
    for submission in Submission.objects.filter(round=round_)[:5]:
        actions.reopen(submission, "correct it", source="test")
        changed += actions.save_answers(
            submission, {"C11.status": AnswerInput(value="partial")}, source="test"
        )
    assert changed
    assert json_rows(round_, AnonymousUser()) == before
    validate_and_publish(round_)
    total = cell(json_rows(round_, AnonymousUser()), "C11.status", "total", "all")
    assert total["partial"] != cell(before, "C11.status", "total", "all")["partial"]


def test_income_cells_do_not_give_away_a_withheld_income_group() -> None:
    """HIC, UMC, LMC 10 each, LIC 1, income unknown 1: LIC is withheld, and the cells shown
    never add and subtract to it (LMIC - UMC - LMC would be LIC)."""
    round_ = income_round()
    validate_and_publish(round_)
    rows = json_rows(round_, AnonymousUser())
    for question in ANSWERED:
        shown = {
            (row["breakdown"], row["group"])
            for row in rows
            if row["question"] == question and not row["suppressed"]
        }
        assert ("income-group", "LIC") not in shown
        assert not {("income", "LMIC"), ("income-group", "UMC"), ("income-group", "LMC")} <= shown


def test_income_cells_stay_when_no_income_group_is_small() -> None:
    round_ = income_round("big", {"HIC": 5, "UMC": 5, "LMC": 4, "LIC": 4})
    validate_and_publish(round_)
    rows = json_rows(round_, AnonymousUser())
    for question in ANSWERED:
        for by, group in [("income", "HIC"), ("income", "LMIC"), ("income-group", "LIC")]:
            assert cell(rows, question, by, group)["suppressed"] is False


def test_unknown_format_is_refused_with_the_valid_ones(review_round: Round) -> None:
    with pytest.raises(Exception, match="valid values: csv, json, sdmx-csv, sdmx-ml, xlsx"):
        get_exporter("findings")(review_round, format="sav")
