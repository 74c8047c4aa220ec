"""Review through the API: the lifecycle (the focal point submits through the action, the
reviewer returns and validates, the analyst reopens), four eyes, question comments, and bad
input refused whole; every step audited with source "api"."""

from __future__ import annotations

from typing import Any

import pytest
from tests.audit import assert_records, changed_tables, database_state
from tests.submissions import in_state, opened, required_answers

from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db

TOKEN_USE = {"api.apitoken"}


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def _unchanged(before: dict[str, Any]) -> None:
    assert set(changed_tables(before, database_state())) <= TOKEN_USE


def _step(api: Any, persona: str, user: Any, step: str, submission: Submission, **body: Any) -> Any:
    verb = {"return": "returned", "validate": "validated", "reopen": "returned"}[step]
    response = assert_records(
        lambda: api.post(f"/submissions/{submission.pk}/{step}", as_=persona, body=body),
        lambda _: [(f"submission.{verb}", submission)],
        actor=user,
        source="api",
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_a_submission_goes_through_review(api: Any, personas: dict[str, Any]) -> None:
    focal_point = personas["focal_point"]
    submission = opened(Round.objects.get(code="test-2021"), "KE")
    actions.save_answers(submission, required_answers(submission), acting_user=focal_point)
    actions.submit(submission, acting_user=focal_point)

    body = _step(api, "reviewer", personas["reviewer"], "return", submission, comment="Check C11")
    assert body["status"] == "returned" and body["submission_id"] == submission.pk
    assert body["transition"] == {
        **body["transition"],
        "from_status": "submitted",
        "to_status": "returned",
        "comment": "Check C11",
        "by": "reviewer",
    }

    actions.save_answers(
        submission, {"C11.status": AnswerInput(value="partial")}, acting_user=focal_point
    )
    actions.submit(submission, acting_user=focal_point)
    body = _step(api, "reviewer", personas["reviewer"], "validate", submission, comment="Fine")
    assert body["status"] == "validated" and body["transition"]["from_status"] == "submitted"

    body = _step(api, "analyst", personas["analyst"], "reopen", submission, comment="New data")
    assert body["status"] == "returned" and body["transition"]["by"] == "analyst"
    submission.refresh_from_db()
    assert submission.status == "returned"


def test_nobody_validates_what_they_changed(api: Any, personas: dict[str, Any]) -> None:
    administrator = personas["administrator"]
    submission = opened(Round.objects.get(code="test-2021"), "KE")
    actions.save_answers(submission, required_answers(submission), acting_user=administrator)
    actions.submit(submission, source="test")
    before = database_state()
    response = api.post(f"/submissions/{submission.pk}/validate", as_="administrator", body={})
    assert response.status_code == 400, response.content
    assert "four eyes" in _error(response)["message"]
    _unchanged(before)
    # Another reviewer may.
    _step(api, "reviewer", personas["reviewer"], "validate", submission)


def test_nobody_validates_what_they_submitted(api: Any, personas: dict[str, Any]) -> None:
    administrator = personas["administrator"]
    submission = opened(Round.objects.get(code="test-2021"), "KE")
    actions.save_answers(submission, required_answers(submission), source="test")
    actions.submit(submission, acting_user=administrator)
    before = database_state()
    response = api.post(f"/submissions/{submission.pk}/validate", as_="administrator", body={})
    assert response.status_code == 400 and "submitted" in _error(response)["message"]
    _unchanged(before)


@pytest.mark.parametrize(
    ("status", "step", "body", "names"),
    [
        ("submitted", "return", {"comment": "  "}, "comment"),
        ("validated", "reopen", {}, "comment"),
        ("draft", "validate", {}, "draft"),
        ("draft", "return", {"comment": "x"}, "draft"),
        ("submitted", "reopen", {"comment": "x"}, "submitted"),
        ("submitted", "validate", {"note": "x"}, "body.payload.note"),
    ],
)
def test_a_step_the_submission_does_not_allow_is_refused(
    api: Any, personas: dict[str, Any], status: str, step: str, body: dict[str, Any], names: str
) -> None:
    submission = in_state(Round.objects.get(code="test-2021"), "KE", status)
    before = database_state()
    response = api.post(f"/submissions/{submission.pk}/{step}", as_="administrator", body=body)
    assert response.status_code in (400, 422), response.content
    error = _error(response)
    assert names in error["message"] + " ".join(str(d["field"]) for d in error["details"])
    _unchanged(before)
    submission.refresh_from_db()
    assert submission.status == status


def test_a_reviewer_comments_and_the_focal_point_reads_it(
    api: Any, personas: dict[str, Any]
) -> None:
    submission = in_state(Round.objects.get(code="test-2021"), "KE", "submitted")
    response = assert_records(
        lambda: api.post(
            f"/submissions/{submission.pk}/comments",
            as_="reviewer",
            body={"question": "C11.status", "text": "Which law is this?"},
        ),
        lambda _: [("submission.question_commented", submission)],
        actor=personas["reviewer"],
        source="api",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["comment"]["question"] == "C11.status"
    listed = api.get(f"/submissions/{submission.pk}/comments", as_="focal_point").json()
    assert [(c["question"], c["text"], c["by"]) for c in listed["items"]] == [
        ("C11.status", "Which law is this?", "reviewer")
    ]


@pytest.mark.parametrize(
    ("body", "status", "names"),
    [
        ({"question": "C99.nothing", "text": "x"}, 400, "C99.nothing"),
        ({"question": "C11.status", "text": "   "}, 400, "empty"),
        ({"question": "C11.status"}, 422, "body.payload.text"),
    ],
)
def test_a_bad_comment_is_refused_and_nothing_is_written(
    api: Any, personas: dict[str, Any], body: dict[str, Any], status: int, names: str
) -> None:
    submission = in_state(Round.objects.get(code="test-2021"), "KE", "submitted")
    before = database_state()
    response = api.post(f"/submissions/{submission.pk}/comments", as_="reviewer", body=body)
    assert response.status_code == status, response.content
    error = _error(response)
    assert names in error["message"] + " ".join(str(d["field"]) for d in error["details"])
    _unchanged(before)


def test_the_second_of_two_reviewers_is_told_the_submission_moved_on(
    api: Any, personas: dict[str, Any]
) -> None:
    submission = in_state(Round.objects.get(code="test-2021"), "KE", "submitted")
    _step(api, "reviewer", personas["reviewer"], "validate", submission)
    before = database_state()
    late = api.post(
        f"/submissions/{submission.pk}/return", as_="administrator", body={"comment": "Look"}
    )
    assert late.status_code == 400 and "is validated" in _error(late)["message"]
    _unchanged(before)
    assert submission.transitions.filter(to_status="validated").count() == 1
