"""Answer files and Kobo/ODK exports with several respondents and confidence levels: imported
into each respondent's submission, exported without loss, refused whole when a value is bad."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from mnr.accounts.actions import assign_role
from mnr.accounts.models import Role
from mnr.core.interchange import EXPORT_HEADER, HEADER
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions, imports
from mnr.surveys.models import Answer, Round, Submission

pytestmark = pytest.mark.django_db

ROUND = "assess-2024"
VERSION = f"{ROUND}.mnr-2016-self-assessment.v1.government"


@pytest.fixture
def assessment(db: Any) -> Round:
    round_ = actions.create_round(ROUND, instrument="mnr-2016-self-assessment")
    actions.add_participants(round_, ["KE", "SE"])
    return round_


def answers_file(tmp_path: Path, header: list[str], *rows: list[str], name: str = "a.csv") -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def row(
    code: str, question: str, value: str, respondent: str = "", confidence: str = ""
) -> list[str]:
    return [ROUND, code, "government", question, value, "", "", respondent, confidence]


FULL = [*HEADER, "respondent", "confidence"]


def stored(round_: Round) -> dict[tuple[str, str, str], tuple[str, str]]:
    return {
        (a.submission.jurisdiction.code, a.submission.respondent, a.question.code): (
            a.value,
            a.confidence,
        )
        for a in Answer.objects.filter(submission__round=round_).select_related(
            "submission__jurisdiction", "question"
        )
    }


def test_an_import_fills_each_respondents_submission_creating_it_when_needed(
    assessment: Round, tmp_path: Path
) -> None:
    path = answers_file(
        tmp_path,
        FULL,
        row("KE", "C01.status", "partial"),
        row("KE", "C01.phase", "2", "", "medium"),
        row("KE", "C01.status", "yes", "police"),
        row("KE", "C01.phase", "3", "police", "high"),
        row("SE", "C01.status", "no", "civil_society"),
    )
    result = imports.import_answers(assessment, path)
    assert result.submitted == (
        "KE government",
        "KE government police",
        "SE government civil_society",
    )
    assert stored(assessment) == {
        ("KE", "", "C01.status"): ("partial", ""),
        ("KE", "", "C01.phase"): ("2", "medium"),
        ("KE", "police", "C01.status"): ("yes", ""),
        ("KE", "police", "C01.phase"): ("3", "high"),
        ("SE", "civil_society", "C01.status"): ("no", ""),
    }
    assert set(Submission.objects.values_list("jurisdiction__code", "respondent")) == {
        ("KE", ""),
        ("KE", "police"),
        ("SE", "civil_society"),
    }


def test_a_file_without_a_respondent_column_is_the_leads(
    assessment: Round, tmp_path: Path
) -> None:
    path = answers_file(tmp_path, list(HEADER), row("KE", "C01.status", "yes")[:7])
    imports.import_answers(assessment, path)
    (submission,) = Submission.objects.all()
    assert submission.respondent == ""


def test_a_dry_run_names_the_respondent_of_each_change(assessment: Round, tmp_path: Path) -> None:
    path = answers_file(tmp_path, FULL, row("KE", "C01.phase", "2", "police", "low"))
    result = imports.import_answers(assessment, path, dry_run=True)
    assert [change.describe() for change in result.changes] == [
        "row 2: KE government police C01.phase answer: '' → '2'",
        "row 2: KE government police C01.phase confidence: '' → 'low'",
    ]
    assert not Submission.objects.exists()


def test_export_then_import_is_lossless_with_respondents_and_confidence(
    assessment: Round, tmp_path: Path
) -> None:
    imports.import_answers(
        assessment,
        answers_file(
            tmp_path,
            FULL,
            row("KE", "C01.status", "partial"),
            row("KE", "C01.phase", "2", "", "medium"),
            row("KE", "C01.phase", "4", "police", "low"),
        ),
    )
    before = stored(assessment)
    for fmt in ("csv", "xlsx", "json"):
        exported = tmp_path / f"answers.{fmt}"
        call_command("export", "answers", "--round", ROUND, "-o", str(exported))
        assert imports.import_answers(assessment, exported).changed == 0
        Submission.objects.filter(round=assessment).delete()
        imports.import_answers(assessment, exported)
        assert stored(assessment) == before, fmt
    lines = (tmp_path / "answers.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(EXPORT_HEADER)
    assert lines[1:] == [
        f"{ROUND},KE,government,C01.status,partial,,,false,,",
        f"{ROUND},KE,government,C01.phase,2,,,false,,medium",
        f"{ROUND},KE,government,C01.phase,4,,,false,police,low",
    ]


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        (
            row("KE", "C01.status", "yes", "Police"),
            "a.csv: row 3, column respondent: respondent 'Police' is not a respondent code",
        ),
        (
            row("KE", "C01.phase", "2", "police", "certain"),
            "a.csv: row 3, column confidence: confidence 'certain' is not one of low, medium, "
            "high (or empty)",
        ),
        (
            row("KE", "C01.status", "yes", "police", "high"),
            "a.csv: row 3, column confidence: a confidence level is given for phase questions "
            "only, and C01.status is not one",
        ),
    ],
)
def test_a_bad_respondent_or_confidence_refuses_the_whole_file(
    assessment: Round, tmp_path: Path, bad: list[str], said: str
) -> None:
    path = answers_file(tmp_path, FULL, row("SE", "C01.status", "yes"), bad)
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_answers(assessment, path)
    assert refused.value.problems[0].startswith(said)
    assert str(refused.value).endswith("a.csv: 1 problem; nothing was imported")
    assert not Submission.objects.exists()
    assert not Answer.objects.exists()


def test_the_import_command_lists_the_problem_and_writes_nothing(
    assessment: Round, tmp_path: Path
) -> None:
    path = answers_file(tmp_path, FULL, row("KE", "C01.phase", "2", "police", "sure"))
    with pytest.raises(CommandError, match="row 2, column confidence: confidence 'sure'"):
        call_command("import", str(path), "--round", ROUND)
    assert not Answer.objects.exists()


def test_a_respondents_focal_point_imports_only_that_respondents_answers(
    assessment: Round, tmp_path: Path, make_user: Any
) -> None:
    person = make_user("focal-ke-police")
    kenya = Jurisdiction.objects.get(code="KE")
    assign_role(person, Role.FOCAL_POINT, jurisdiction=kenya, respondent="police", source="test")
    # A user's import submits what it changed, so it answers every required question.
    required = [
        row("KE", q.code, "no", "police")
        for q in assessment.instrument.questions.filter(required=True)
    ]
    theirs = answers_file(tmp_path, FULL, *required, name="police.csv")
    imports.import_answers(assessment, theirs, acting_user=person)
    assert set(Submission.objects.values_list("respondent", flat=True)) == {"police"}

    leads = answers_file(tmp_path, FULL, row("KE", "C01.status", "yes"), name="lead.csv")
    with pytest.raises(PermissionDenied):
        imports.import_answers(assessment, leads, acting_user=person)
    assert set(Submission.objects.values_list("respondent", flat=True)) == {"police"}


def test_a_kobo_export_fills_the_respondents_submission_with_confidence(
    assessment: Round, tmp_path: Path
) -> None:
    header = [
        "jurisdiction",
        "respondent",
        "mnr_version",
        "D1/C01_status",
        "D1/C01_phase",
        "D1/confidence_C01_phase",
        "_uuid",
    ]
    path = answers_file(
        tmp_path,
        header,
        ["KEN", "police", VERSION, "yes", "3", "high", "u1"],
        ["KEN", "", VERSION, "partial", "2", "", "u2"],
        name="kobo.csv",
    )
    imports.import_answers(assessment, path, fmt="kobo")
    assert stored(assessment) == {
        ("KE", "police", "C01.status"): ("yes", ""),
        ("KE", "police", "C01.phase"): ("3", "high"),
        ("KE", "", "C01.status"): ("partial", ""),
        ("KE", "", "C01.phase"): ("2", ""),
    }
