"""Imports follow the round's lifecycle and the review locks, and submit what they change."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.submissions import events, in_state, last_event, opened, required_answers

from mnr.core.interchange import HEADER, AnswerRow
from mnr.errors import MnrError
from mnr.surveys import actions
from mnr.surveys.imports import ImportRefused, import_answers
from mnr.surveys.models import Answer, AnswerChange, Participation, Round, Submission

pytestmark = pytest.mark.django_db


def row(
    number: int, code: str, question: str, value: str, channel: str = "government"
) -> AnswerRow:
    return AnswerRow(number, "test-2021", code, channel, question, value)


def csv_file(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "answers.csv"
    path.write_text("\n".join([",".join(HEADER), *lines]) + "\n", encoding="utf-8")
    return path


def mnr_import(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import", str(path), "--round", "test-2021", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def value(submission: Submission, question: str = "C01.status") -> str:
    return Answer.objects.get(submission=submission, question__code=question).value


def status(submission: Submission) -> str:
    submission.refresh_from_db()
    return submission.status


# --- Closed and published rounds --------------------------------------------------------------


@pytest.mark.parametrize("round_status", [Round.Status.CLOSED, Round.Status.PUBLISHED])
@pytest.mark.parametrize("dry_run", [False, True])
def test_an_import_into_a_closed_or_published_round_is_refused(
    review_round: Round, tmp_path: Path, round_status: str, dry_run: bool
) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.DRAFT)
    actions.set_round_status(review_round, round_status, source="test")
    path = csv_file(
        tmp_path,
        "test-2021,KE,government,C01.status,no,,",
        "test-2021,NG,government,C01.status,yes,,",
    )
    participants = set(Participation.objects.values_list("jurisdiction__code", flat=True))

    with pytest.raises(CommandError, match=f"round test-2021 is {round_status}: imports are"):
        mnr_import(path, *(["--dry-run"] if dry_run else []))

    assert value(kenya) == "yes"
    assert set(Participation.objects.values_list("jurisdiction__code", flat=True)) == participants
    assert not AnswerChange.objects.filter(source="import").exists()


# --- Validated submissions --------------------------------------------------------------------


def test_an_import_that_would_change_a_validated_submission_is_refused_naming_the_rows(
    review_round: Round,
) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.VALIDATED)
    sweden = opened(review_round, "SE")
    rows = [
        row(2, "SE", "C01.status", "no"),
        row(3, "KE", "C01.status", "yes"),  # unchanged: fine
        row(4, "KE", "C02.status", "no"),
        row(5, "KE", "C03.status", "partial"),
    ]

    with pytest.raises(ImportRefused) as refused:
        import_answers(review_round, rows)

    problems = refused.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("(rows): row 4: KE government C02.status: the submission is ")
    assert "validated; an analyst must reopen it" in problems[0]
    assert (
        "mnr review reopen --round test-2021 --jurisdiction KE --channel government"
        in (problems[0])
    )
    assert problems[1].startswith("(rows): row 5: KE government C03.status:")
    assert "nothing was imported" in str(refused.value)
    assert value(kenya, "C02.status") == "yes"
    assert not sweden.answers.exists()
    assert status(kenya) == Submission.Status.VALIDATED


def test_unchanged_rows_of_a_validated_submission_import_with_0_changes(
    review_round: Round, tmp_path: Path
) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.VALIDATED)
    path = csv_file(tmp_path, "test-2021,KE,government,C01.status,yes,,")
    history = AnswerChange.objects.count()

    assert "made 0 changes" in mnr_import(path)
    assert "made 0 changes" in mnr_import(path)

    assert status(kenya) == Submission.Status.VALIDATED
    assert AnswerChange.objects.count() == history


def test_after_an_analyst_reopens_it_an_import_changes_and_submits_it_again(
    review_round: Round, personas: dict[str, Any], tmp_path: Path
) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.VALIDATED)
    actions.reopen(kenya, "a figure was mistyped", acting_user=personas["analyst"])
    path = csv_file(tmp_path, "test-2021,KE,government,C02.status,no,corrected,")

    output = mnr_import(path)

    assert "made 2 changes; 1 submission submitted (KE government)" in output
    assert (value(kenya, "C02.status"), status(kenya)) == ("no", Submission.Status.SUBMITTED)
    assert list(kenya.transitions.values_list("to_status", flat=True))[-2:] == [
        "returned",
        "submitted",
    ]
    event = last_event("submission.submitted", kenya)
    assert (event.actor, event.source, event.detail["from_status"]) == (None, "import", "returned")


# --- Submitted submissions --------------------------------------------------------------------


def test_changes_to_a_submitted_submission_are_recorded_and_flagged_for_its_reviewer(
    review_round: Round, tmp_path: Path
) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.SUBMITTED)
    path = csv_file(tmp_path, "test-2021,KE,government,C01.status,partial,,")

    output = mnr_import(path)

    assert "1 submitted submission changed and flagged for review (KE government)" in output
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.SUBMITTED
    assert kenya.changed_since_submitted
    change = AnswerChange.objects.get(source="import", field="value")
    assert (change.old, change.new, change.changed_by) == ("yes", "partial", None)
    event = last_event("answers.save", kenya)
    assert (event.actor, event.source, event.detail["changed_since_submitted"]) == (
        None,
        "import",
        True,
    )
    assert len(events("submission.submitted", kenya)) == 1, "not submitted a second time"


def test_a_dry_run_says_what_would_be_submitted_and_flagged(
    review_round: Round, tmp_path: Path
) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.SUBMITTED)
    in_state(review_round, "SE", Submission.Status.DRAFT)
    path = csv_file(
        tmp_path,
        "test-2021,KE,government,C01.status,partial,,",
        "test-2021,SE,government,C01.status,no,,",
    )

    output = mnr_import(path, "--dry-run")

    assert "1 submission would be submitted (SE government)" in output
    assert "1 submitted submission would be changed and flagged for review (KE government)" in (
        output
    )
    kenya.refresh_from_db()
    assert not kenya.changed_since_submitted


# --- Imported submissions arrive as submitted -------------------------------------------------


def test_imported_submissions_arrive_as_submitted_with_the_gaps_listed(
    review_round: Round,
) -> None:
    result = import_answers(review_round, [row(2, "SE", "C01.status", "no")])

    sweden = Submission.objects.get(round=review_round, jurisdiction__code="SE")
    assert result.submitted == ("SE government",)
    assert sweden.status == Submission.Status.SUBMITTED
    transition = sweden.transitions.get()
    assert transition.by is None
    assert transition.comment.startswith("recorded with unanswered required questions: ")
    event = last_event("submission.submitted", sweden)
    assert (event.actor, event.source) == (None, "import")


def test_an_import_of_the_same_file_again_leaves_the_statuses_alone(
    review_round: Round, personas: dict[str, Any]
) -> None:
    rows = [row(2, "SE", "C01.status", "no")]
    import_answers(review_round, rows)
    sweden = Submission.objects.get(round=review_round, jurisdiction__code="SE")
    actions.return_for_changes(sweden, "C01: which law?", acting_user=personas["reviewer"])

    again = import_answers(review_round, rows)

    assert (again.changed, again.submitted) == (0, ())
    assert status(sweden) == Submission.Status.RETURNED


def test_a_focal_point_importing_submits_under_the_web_forms_rules(
    review_round: Round, personas: dict[str, Any]
) -> None:
    focal_point = personas["focal_point"]
    kenya = opened(review_round, "KE")
    before = AnswerChange.objects.count()

    with pytest.raises(MnrError, match=r"required questions are unanswered: .*must answer every"):
        import_answers(review_round, [row(2, "KE", "C01.status", "no")], acting_user=focal_point)
    assert (status(kenya), AnswerChange.objects.count()) == (Submission.Status.DRAFT, before)

    complete = [
        row(number, "KE", code, given.value or "")
        for number, (code, given) in enumerate(required_answers(kenya).items(), start=2)
    ]
    import_answers(review_round, complete, acting_user=focal_point)

    assert status(kenya) == Submission.Status.SUBMITTED
    submitted = kenya.transitions.get(to_status=Submission.Status.SUBMITTED)
    assert (submitted.by, submitted.comment) == (focal_point, "")
    event = last_event("submission.submitted", kenya)
    assert (event.actor, event.source) == (focal_point, "import")


def test_a_reviewer_who_imported_answers_cannot_validate_them(
    review_round: Round, personas: dict[str, Any]
) -> None:
    administrator = personas["administrator"]
    kenya = in_state(review_round, "KE", Submission.Status.SUBMITTED)
    import_answers(review_round, [row(2, "KE", "C02.status", "no")], acting_user=administrator)
    with pytest.raises(MnrError, match="four eyes"):
        actions.validate(kenya, acting_user=administrator)
    actions.validate(kenya, acting_user=personas["reviewer"])
    assert status(kenya) == Submission.Status.VALIDATED
