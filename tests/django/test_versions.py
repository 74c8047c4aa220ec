"""Every answer carries a version; a write against an older version is refused, not lost."""

from __future__ import annotations

from typing import Any

import pytest
from tests.submissions import last_event, opened, required_answers

from mnr.core.interchange import AnswerRow, Reading
from mnr.errors import MnrError
from mnr.surveys import actions, imports
from mnr.surveys.actions import AnswerInput, StaleAnswer
from mnr.surveys.imports import import_answers
from mnr.surveys.models import Answer, AnswerChange, Round, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def kenya(review_round: Round) -> Submission:
    return opened(review_round, "KE")


def answer(submission: Submission, code: str = "C01.status") -> Answer:
    return Answer.objects.get(submission=submission, question__code=code)


def save(submission: Submission, answers: dict[str, AnswerInput], user: Any = None) -> int:
    return actions.save_answers(submission, answers, acting_user=user, source="test")


def test_an_answer_starts_at_version_1_and_each_saved_change_adds_one(kenya: Submission) -> None:
    save(kenya, {"C01.status": AnswerInput(value="no")})
    assert answer(kenya).version == 1
    save(kenya, {"C01.status": AnswerInput(value="partial", comment="draft law")})
    assert answer(kenya).version == 2
    save(kenya, {"C01.status": AnswerInput(value="partial", comment="draft law")})
    assert answer(kenya).version == 2, "saving the same answer again is no change"
    event = last_event("answers.save", kenya)
    assert (event.source, event.detail["versions"], event.detail["fields"]) == (
        "test",
        {"C01.status": 2},
        2,
    )


def test_a_save_against_the_version_read_succeeds(
    kenya: Submission, personas: dict[str, Any]
) -> None:
    focal_point = personas["focal_point"]
    save(kenya, {"C01.status": AnswerInput(value="no", expected_version=0)}, focal_point)
    save(kenya, {"C01.status": AnswerInput(value="yes", expected_version=1)}, focal_point)
    assert (answer(kenya).value, answer(kenya).version) == ("yes", 2)


def test_a_stale_save_is_refused_with_the_current_answer_and_writes_nothing(
    kenya: Submission, personas: dict[str, Any]
) -> None:
    focal_point, administrator = personas["focal_point"], personas["administrator"]
    save(kenya, {"C01.status": AnswerInput(value="no", comment="first text")}, focal_point)
    # Both read version 1; the administrator saves first.
    save(
        kenya,
        {"C01.status": AnswerInput(value="partial", comment="second text", expected_version=1)},
        administrator,
    )
    history = AnswerChange.objects.count()

    with pytest.raises(StaleAnswer) as refused:
        save(
            kenya,
            {
                "C01.status": AnswerInput(value="yes", comment="my text", expected_version=1),
                "C02.status": AnswerInput(value="no", expected_version=0),
            },
            focal_point,
        )

    stale = refused.value
    assert set(stale.current) == {"C01.status"}
    current = stale.current["C01.status"]
    stored = answer(kenya)
    assert (current.value, current.comment, current.evidence_url, current.publishable) == (
        "partial",
        "second text",
        "",
        False,
    )
    assert (current.version, current.updated_by, current.updated_at) == (
        2,
        "admin",
        stored.updated_at,
    )
    assert stale.expected == {"C01.status": 1}
    assert "C01.status (you read version 1, it is now version 2, saved by admin" in str(stale)
    assert stale.as_json()["conflicts"]["C01.status"] == {
        "value": "partial",
        "comment": "second text",
        "evidence_url": "",
        "publishable": False,
        "confidence": "",
        "version": 2,
        "updated_by": "admin",
        "updated_at": stored.updated_at.isoformat(),
        "expected_version": 1,
    }
    # Nothing of the refused call was written, not even the answer that did not conflict.
    assert (stored.value, stored.comment, stored.version) == ("partial", "second text", 2)
    assert not kenya.answers.filter(question__code="C02.status").exists()
    assert AnswerChange.objects.count() == history


def test_a_writer_that_read_no_answer_is_stale_once_someone_answered(kenya: Submission) -> None:
    save(kenya, {"C01.status": AnswerInput(value="no")})
    with pytest.raises(StaleAnswer) as refused:
        save(kenya, {"C01.status": AnswerInput(value="yes", expected_version=0)})
    assert refused.value.current["C01.status"].updated_by is None  # the operator
    assert answer(kenya).value == "no"


def test_a_stale_input_that_changes_nothing_is_no_conflict(kenya: Submission) -> None:
    save(kenya, {"C01.status": AnswerInput(value="no")})
    save(kenya, {"C01.status": AnswerInput(value="yes")})
    assert save(kenya, {"C01.status": AnswerInput(value="yes", expected_version=1)}) == 0


def test_a_writer_that_did_not_read_overwrites(kenya: Submission) -> None:
    save(kenya, {"C01.status": AnswerInput(value="no")})
    save(kenya, {"C01.status": AnswerInput(value="partial")})
    assert save(kenya, {"C01.status": AnswerInput(value="yes")}) == 1
    assert (answer(kenya).value, answer(kenya).version) == ("yes", 3)


def test_a_form_read_before_an_import_is_stale_after_it(
    kenya: Submission, personas: dict[str, Any]
) -> None:
    focal_point, reviewer = personas["focal_point"], personas["reviewer"]
    actions.save_answers(kenya, required_answers(kenya), acting_user=focal_point, source="web")
    read = answer(kenya).version  # the focal point's form shows this version

    row = AnswerRow(2, "test-2021", "KE", "government", "C01.status", "partial")
    assert import_answers(kenya.round, [row]).changed == 1
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.SUBMITTED
    with pytest.raises(MnrError, match="is submitted"):
        save(kenya, {"C01.status": AnswerInput(value="no", expected_version=read)}, focal_point)
    actions.return_for_changes(kenya, "the import changed C01", acting_user=reviewer)

    with pytest.raises(StaleAnswer) as refused:
        save(kenya, {"C01.status": AnswerInput(value="no", expected_version=read)}, focal_point)
    assert refused.value.current["C01.status"].value == "partial"
    assert (answer(kenya).value, answer(kenya).version) == ("partial", read + 1)


def test_an_import_does_not_overwrite_a_change_made_after_it_read_the_answers(
    kenya: Submission,
) -> None:
    save(kenya, {"C01.status": AnswerInput(value="no")})
    row = AnswerRow(2, "test-2021", "KE", "government", "C01.status", "partial")
    reading = Reading("late.csv", "csv", (row,), ())
    stored = imports._lock(kenya.round, reading.rows)
    changes = imports._changes(stored, reading.rows)
    # Without row locks (they make this impossible), a save could land here.
    save(kenya, {"C01.status": AnswerInput(value="yes")})

    with pytest.raises(
        MnrError, match=r"late\.csv: KE government: row 2: the answer changed while"
    ):
        imports._write(kenya.round, reading, changes, stored, acting_user=None)
    assert answer(kenya).value == "yes"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("value", "x" * 10_001, "at most 10000"),
        ("comment", "c" * 5_001, "at most 5000"),
        ("comment", "bad\x00byte", "NUL character"),
        ("comment", "half \ud800 pair", "lone surrogate"),
        ("evidence_url", "https://example.org/" + "a" * 490, "at most 500"),
    ],
)
def test_every_path_through_save_answers_keeps_the_limits(
    review_round: Any, field: str, value: str, message: str
) -> None:
    from mnr.jurisdictions.models import Jurisdiction

    place = Jurisdiction.objects.get(code="KE")
    submission = actions.open_submission(review_round, place, "government")
    question = "C11.good_practice" if field == "value" else "C11.status"
    given = {"value": "yes"} if field != "value" else {}
    with pytest.raises(MnrError, match=message):
        actions.save_answers(
            submission, {question: AnswerInput(**{**given, field: value})}, source="cli"
        )
    assert not Answer.objects.filter(submission=submission).exists()
