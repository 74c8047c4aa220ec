"""One answer through the API: its version as the ETag, If-Match on writes, no lost updates."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from tests.submissions import events, last_event, opened

from mnr.surveys.models import Answer, AnswerChange, Submission

pytestmark = pytest.mark.django_db

Q = "C01.status"


def _path(submission: Submission, question: str = Q) -> str:
    return f"/submissions/{submission.pk}/answers/{question}"


@pytest.fixture
def submission(review_round: Any, personas: dict[str, Any]) -> Submission:
    return opened(review_round, "KE")


def test_an_answer_not_saved_yet_is_blank_at_version_0(api: Any, submission: Submission) -> None:
    response = api.get(_path(submission), as_="focal_point")
    assert response.status_code == 200
    assert response["ETag"] == '"0"'
    body = response.json()
    assert body["question"] == Q and body["value"] == "" and body["version"] == 0


def test_first_write_needs_no_if_match_and_is_audited(
    api: Any, submission: Submission, personas: dict[str, Any]
) -> None:
    response = api.put(_path(submission), as_="focal_point", body={"value": "yes"})
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"1"'
    assert response.json()["value"] == "yes" and response.json()["updated_by"] == "focal-ke"
    event = last_event("answers.save", submission)
    assert event.source == "api" and event.actor == personas["focal_point"]
    assert event.detail["versions"] == {Q: 1}
    change = AnswerChange.objects.get(answer__submission=submission)
    assert (change.field, change.old, change.new, change.source) == ("value", "", "yes", "api")


def test_write_to_an_existing_answer_without_if_match_is_428(
    api: Any, submission: Submission
) -> None:
    assert api.put(_path(submission), as_="focal_point", body={"value": "yes"}).status_code == 200
    response = api.put(_path(submission), as_="focal_point", body={"value": "no"})
    assert response.status_code == 428, response.content
    assert response.json()["error"]["code"] == "version_required"
    assert Answer.objects.get(submission=submission).value == "yes"
    assert len(events("answers.save", submission)) == 1


def test_two_writers_first_wins_second_gets_412_with_the_first_value(
    api: Any, submission: Submission
) -> None:
    api.put(_path(submission), as_="focal_point", body={"value": "yes"})
    # Both read version 1.
    first_read = api.get(_path(submission), as_="focal_point")["ETag"]
    second_read = api.get(_path(submission), as_="administrator")["ETag"]
    assert first_read == second_read == '"1"'
    first = api.put(
        _path(submission),
        as_="focal_point",
        body={"value": "partial", "comment": "first writer"},
        headers={"If-Match": first_read},
    )
    assert first.status_code == 200 and first["ETag"] == '"2"'
    second = api.put(
        _path(submission),
        as_="administrator",
        body={"value": "no", "comment": "second writer"},
        headers={"If-Match": second_read},
    )
    assert second.status_code == 412, second.content
    error = second.json()["error"]
    assert error["code"] == "version_mismatch"
    assert error["details"][0]["field"] == Q
    current = error["details"][0]["current"]
    assert current["value"] == "partial" and current["version"] == 2
    assert current["comment"] == "first writer"
    answer = Answer.objects.get(submission=submission)
    assert (answer.value, answer.comment, answer.version) == ("partial", "first writer", 2)
    assert not AnswerChange.objects.filter(new__in=["no", "second writer"]).exists()
    assert len(events("answers.save", submission)) == 2


def test_omitted_fields_stay_as_they_are(api: Any, submission: Submission) -> None:
    api.put(_path(submission), as_="focal_point", body={"value": "yes", "comment": "kept"})
    response = api.put(
        _path(submission),
        as_="focal_point",
        body={"evidence_url": "https://example.org/synthetic", "publishable": True},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["value"], body["comment"], body["publishable"]) == ("yes", "kept", True)
    assert body["evidence_url"] == "https://example.org/synthetic" and body["version"] == 2


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"value": "perhaps"}, Q, "not among the choices"),
        ({"value": "yes", "confidence": "high"}, Q, "phase questions only"),
        ({"evidence_url": "ftp://example.org/x"}, Q, "http(s)"),
        ({"comment": "x" * 100_000}, Q, "characters long"),
    ],
)
def test_bad_input_is_refused_naming_the_question(
    api: Any, submission: Submission, body: dict[str, Any], field: str, words: str
) -> None:
    response = api.put(_path(submission), as_="focal_point", body=body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "rejected"
    assert [d["field"] for d in error["details"]] == [field]
    assert words in error["details"][0]["message"]
    assert not Answer.objects.filter(submission=submission).exists()
    assert not events("answers.save", submission)


def test_schema_errors_name_the_field(api: Any, submission: Submission) -> None:
    response = api.put(_path(submission), as_="focal_point", body={"publishable": "maybe"})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.payload.publishable"


def test_unknown_or_not_asked_questions_are_404(api: Any, submission: Submission) -> None:
    for question in ("C99.nothing", "C03.laws_adequate"):  # the latter: UNICEF offices only
        response = api.put(_path(submission, question), as_="focal_point", body={"value": "yes"})
        assert response.status_code == 404, response.content
        assert api.get(_path(submission, question), as_="focal_point").status_code == 404
    assert not Answer.objects.exists()


def test_a_bad_if_match_is_400(api: Any, submission: Submission) -> None:
    response = api.put(
        _path(submission), as_="focal_point", body={"value": "yes"}, headers={"If-Match": "abc"}
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_version"
    assert not Answer.objects.exists()


def test_a_locked_submission_refuses_answers(api: Any, submission: Submission) -> None:
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    response = api.put(_path(submission), as_="focal_point", body={"value": "yes"})
    assert response.status_code == 400 and "submitted" in response.json()["error"]["message"]
    assert not Answer.objects.exists()


def test_reviewers_read_but_may_not_write(api: Any, submission: Submission) -> None:
    assert api.get(_path(submission), as_="reviewer").status_code == 200
    response = api.put(_path(submission), as_="reviewer", body={"value": "yes"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert (
        api.put(_path(submission), as_="other_focal_point", body={"value": "no"}).status_code == 404
    )
    assert not Answer.objects.exists()


def test_list_answers_in_question_order_with_versions_and_pages(
    api: Any, submission: Submission
) -> None:
    api.put(_path(submission, "C01.good_practice"), as_="focal_point", body={"value": "text"})
    served: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = "?limit=25" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(f"/submissions/{submission.pk}/answers{query}", as_="analyst").json()
        served.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    codes = [item["question"] for item in served]
    asked = [
        q.code
        for q in submission.round.instrument.questions.order_by("position")
        if q.asked_of("government")
    ]
    assert codes == asked and len(codes) > 25
    assert "C03.laws_adequate" not in codes
    versions = {item["question"]: item["version"] for item in served}
    assert versions["C01.good_practice"] == 1 and versions[Q] == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_two_writers_at_the_same_time_one_wins_one_gets_412(
    api_tokens: dict[str, str], review_round: Any
) -> None:
    """Real concurrent requests: both read version N, exactly one write is saved."""
    from tests.django.test_concurrency import in_threads

    submission = opened(review_round, "KE")
    path = "/api/v1" + _path(submission, "C01.good_practice")

    def writer(persona: str, value: str, read: int) -> Any:
        # If-Match "0": the writer read no answer (without If-Match, the one who comes second
        # finds an answer it has not seen and gets 428).
        headers = {"Authorization": f"Bearer {api_tokens[persona]}", "If-Match": f'"{read}"'}

        def put() -> Any:
            return Client().put(
                path,
                data=json.dumps({"value": value}),
                content_type="application/json",
                headers=headers,
            )

        return put

    # First both saw no answer yet (version 0), then both saw version 1.
    for read in (0, 1):
        outcomes = in_threads(
            writer("focal_point", f"Synthetic text A{read}", read),
            writer("administrator", f"Synthetic text B{read}", read),
        )
        assert sorted(o.status_code for o in outcomes) == [200, 412], [o.content for o in outcomes]
        won = next(o for o in outcomes if o.status_code == 200).json()
        lost = next(o for o in outcomes if o.status_code == 412).json()
        assert lost["error"]["details"][0]["current"]["value"] == won["value"]
        stored = Answer.objects.get(submission=submission)
        assert (stored.value, stored.version) == (won["value"], read + 1)
        assert AnswerChange.objects.filter(answer=stored).count() == read + 1
