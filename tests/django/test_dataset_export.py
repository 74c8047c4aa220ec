"""``mnr export dataset``: the answers as SPSS, Stata and CSV files that read back with the
same values, variable labels and value labels."""

from __future__ import annotations

import csv
import io
import math
from io import StringIO
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mnr.core.dataset import ANSWER_VALUES, SUBMISSION_COLUMNS, truncate, variable_names
from mnr.core.framework import text
from mnr.demo import load_demo
from mnr.exporters.base import get_exporter
from mnr.frameworks.actions import rename_phase
from mnr.frameworks.models import InstrumentQuestion, Phase
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Answer, Round, Submission

pytestmark = pytest.mark.django_db

FORMULA = "=1+2 looks like a formula"
LONG_TEXT = "Förbättringar i samverkan mellan myndigheter. " * 120  # about 5,500 characters
STATUS_LABELS = {1: "Yes", 2: "Partly", 3: "No", 4: "Don't know", 9: "Not applicable"}


def export_file(tmp_path: Path, round_code: str, fmt: str) -> Path:
    path = tmp_path / f"dataset.{fmt}"
    call_command(
        "export",
        "dataset",
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


def read(path: Path, **options: Any) -> tuple[Any, Any]:
    reader = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
    return reader(str(path), **options)


def answer(round_: Round, code: str, channel: str, answers: dict[str, str]) -> None:
    jurisdiction = Jurisdiction.objects.get(code=code)
    submission = actions.open_submission(round_, jurisdiction, channel, source="test")
    actions.save_answers(
        submission,
        {question: AnswerInput(value=value) for question, value in answers.items()},
        source="test",
    )


@pytest.fixture
def answered_round(review_round: Round) -> Round:
    answer(
        review_round,
        "KE",
        "government",
        {
            "C01.status": "yes",
            "C01.governance_mechanism": "no",
            "C02.status": "dont_know",
            "C03.status": "not_applicable",
            "C01.good_practice": FORMULA,
        },
    )
    answer(review_round, "KE", "unicef_country_office", {"C01.status": "no"})
    answer(
        review_round,
        "SE",
        "government",
        {"C01.status": "partial", "C01.good_practice": LONG_TEXT},
    )
    answer(
        review_round,
        "GB-EAW",
        "unicef_country_office",
        {"C01.status": "", "C03.laws_adequate": "yes"},
    )
    return review_round


def stored(value: str, question: InstrumentQuestion, fmt: str) -> Any:
    """What the file should hold for a stored answer."""
    if question.type == "text":
        # SPSS pads strings with spaces, so trailing spaces do not survive a .sav file.
        return value.rstrip(" ") if fmt == "sav" else value
    if not value:
        return None
    if value == "not_applicable":
        return 9.0 if fmt == "sav" else "a"
    if question.type == "phase":
        return float(value)
    return float(ANSWER_VALUES[value])


def cells(frame: Any, column: str) -> list[Any]:
    return [None if isinstance(v, float) and math.isnan(v) else v for v in frame[column]]


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_every_answer_reads_back_as_stored(answered_round: Round, tmp_path: Path, fmt: str) -> None:
    frame, meta = read(export_file(tmp_path, answered_round.code, fmt), user_missing=True)
    assert list(zip(frame["jurisdiction"], frame["channel"], strict=True)) == [
        ("GB-EAW", "unicef_country_office"),
        ("KE", "government"),
        ("KE", "unicef_country_office"),
        ("SE", "government"),
    ]
    assert list(frame["jurisdiction_name"]) == ["England and Wales", "Kenya", "Kenya", "Sweden"]
    assert list(frame["income_group"]) == ["HIC", "LMC", "LMC", "HIC"]
    assert list(frame["submission_status"]) == ["draft"] * 4
    questions = list(
        InstrumentQuestion.objects.filter(instrument=answered_round.instrument).order_by("position")
    )
    names = variable_names([q.code for q in questions])
    assert list(frame.columns)[len(SUBMISSION_COLUMNS) :] == [names[q.code] for q in questions]
    values = {
        (a.submission.jurisdiction.code, a.submission.channel, a.question.code): a.value
        for a in Answer.objects.filter(submission__round=answered_round).select_related(
            "submission__jurisdiction", "question"
        )
    }
    for question in questions:
        expected = [
            stored(values.get((code, channel, question.code), ""), question, fmt)
            for code, channel in zip(frame["jurisdiction"], frame["channel"], strict=True)
        ]
        assert cells(frame, names[question.code]) == expected, question.code
        label = meta.column_names_to_labels[names[question.code]]
        assert label == truncate(text(question.label), chars=80)
    assert cells(frame, "C01_status") == [None, 1.0, 3.0, 2.0]
    assert cells(frame, "C01_good_practice")[1] == FORMULA
    assert cells(frame, "C01_good_practice")[3].startswith(LONG_TEXT.strip())


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_choice_variables_carry_their_value_labels(
    answered_round: Round, tmp_path: Path, fmt: str
) -> None:
    _frame, meta = read(export_file(tmp_path, answered_round.code, fmt))
    not_applicable: float | str = 9 if fmt == "sav" else "a"
    status = {not_applicable if code == 9 else code: label for code, label in STATUS_LABELS.items()}
    assert meta.variable_value_labels["C01_status"] == status
    assert meta.variable_value_labels["C16_17_status"] == status
    assert meta.variable_value_labels["C01_governance_mechanism"] == {
        1: "Yes",
        3: "No",
        4: "Don't know",
        not_applicable: "Not applicable",
    }
    assert "C01_good_practice" not in meta.variable_value_labels
    assert meta.column_names_to_labels["jurisdiction"] == "Jurisdiction code"


def test_spss_leaves_not_applicable_out_as_missing_but_keeps_dont_know(
    answered_round: Round, tmp_path: Path
) -> None:
    path = export_file(tmp_path, answered_round.code, "sav")
    frame, meta = read(path)
    assert cells(frame, "C03_status")[1] is None
    assert cells(frame, "C02_status")[1] == 4.0
    frame, meta = read(path, user_missing=True)
    assert cells(frame, "C03_status")[1] == 9.0
    assert meta.missing_ranges["C03_status"] == [{"lo": 9.0, "hi": 9.0}]
    assert "C01_status = C01.status" in meta.notes


def test_csv_neutralises_text_that_could_run_as_a_formula(
    answered_round: Round, tmp_path: Path
) -> None:
    content = export_file(tmp_path, answered_round.code, "csv").read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    kenya = next(
        row for row in rows if (row["jurisdiction"], row["channel"]) == ("KE", "government")
    )
    assert kenya["C01_good_practice"] == "'" + FORMULA
    assert kenya["C01_status"] == "yes" and kenya["C03_status"] == "not_applicable"
    sweden = next(row for row in rows if row["jurisdiction"] == "SE")
    assert sweden["C01_good_practice"] == LONG_TEXT
    # The statistics files hold the text exactly as it was answered.
    frame, _meta = read(export_file(tmp_path, answered_round.code, "sav"))
    assert FORMULA in list(frame["C01_good_practice"])


def test_focal_point_gets_only_their_jurisdiction(
    answered_round: Round, personas: dict[str, Any]
) -> None:
    exporter = get_exporter("dataset")
    for user, expected in (
        (personas["focal_point"], {"KE"}),
        (personas["analyst"], {"KE", "SE", "GB-EAW"}),
    ):
        dataset = exporter(answered_round, format="csv", user=user).dataset()
        assert {row[0] for row in dataset.rows} == expected


def test_phase_answers_are_levels_labelled_with_current_phase_names(
    make_user: Any, tmp_path: Path
) -> None:
    round_ = actions.create_round("self-2024", instrument="mnr-2016-self-assessment")
    actions.add_participants(round_, ["KE"])
    answer(round_, "KE", "government", {"C01.status": "yes", "C01.phase": "3"})
    phase = Phase.objects.get(edition=round_.instrument.edition, level=3)
    rename_phase(phase, "Embedded", source="test")
    for fmt in ("sav", "dta"):
        frame, meta = read(export_file(tmp_path, round_.code, fmt))
        assert cells(frame, "C01_phase") == [3.0]
        assert meta.variable_value_labels["C01_phase"] == {
            1: "Building",
            2: "Developing",
            3: "Embedded",
            4: "Maturity",
        }
    _frame, meta = read(tmp_path / "dataset.sav")
    assert meta.variable_measure["C01_phase"] == "ordinal"


@pytest.fixture(scope="module")
def demo_files(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Any:
    """The demo round exported once (loading it takes seconds), then rolled back."""
    from django.db import transaction

    tmp_path = tmp_path_factory.mktemp("dataset")
    with django_db_blocker.unblock(), transaction.atomic():
        round_ = load_demo().round
        files = {fmt: export_file(tmp_path, round_.code, fmt) for fmt in ("sav", "dta")}
        files["submissions"] = Submission.objects.filter(round=round_).count()
        transaction.set_rollback(True)
    return files


def test_synthetic_round_files_say_so(demo_files: dict[str, Any]) -> None:
    for fmt in ("sav", "dta"):
        frame, meta = read(demo_files[fmt])
        assert meta.file_label == "SYNTHETIC DATA (invented answers): mnr round review-2021"
        assert len(frame) == demo_files["submissions"] > 42
        assert all(name.endswith("(synthetic)") for name in frame["jurisdiction_name"])
    _frame, meta = read(demo_files["sav"])
    assert meta.notes[0].startswith("SYNTHETIC DATA: pseudonymous jurisdictions")


def test_real_round_files_carry_no_synthetic_notice(answered_round: Round, tmp_path: Path) -> None:
    _frame, meta = read(export_file(tmp_path, answered_round.code, "sav"))
    assert meta.file_label == "mnr answers, round test-2021"
    assert not any("SYNTHETIC" in note for note in meta.notes)


def test_an_answer_outside_the_choices_stops_the_export_and_says_where(
    answered_round: Round, tmp_path: Path
) -> None:
    # Data that got past the checks (an old import, a hand edit in the database).
    Answer.objects.filter(
        submission__jurisdiction__code="KE",
        submission__channel="government",
        question__code="C01.status",
    ).update(value="maybe")
    with pytest.raises(CommandError) as error:
        export_file(tmp_path, answered_round.code, "sav")
    assert str(error.value).startswith(
        "cannot export the answers of round test-2021: KE through government: the answer "
        "'maybe' to C01.status is not one of its choices (yes, partial, no, dont_know, "
        "not_applicable)"
    )
