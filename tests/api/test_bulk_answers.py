"""Many answers in one call: checked as `mnr import` checks a file, saved all or none."""

from __future__ import annotations

from typing import Any

import pytest
from tests.submissions import events, last_event, opened

from mnr.audit.models import AuditEvent
from mnr.surveys.models import Answer, AnswerChange, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def submission(review_round: Any, personas: dict[str, Any]) -> Submission:
    return opened(review_round, "KE")


def _bulk(api: Any, submission: Submission, answers: list[dict[str, Any]], **kw: Any) -> Any:
    return api.post(
        f"/submissions/{submission.pk}/answers:bulk",
        as_=kw.pop("as_", "focal_point"),
        body={"answers": answers},
        **kw,
    )


def _stored(submission: Submission) -> dict[str, tuple[str, int]]:
    return {
        a.question.code: (a.value, a.version)
        for a in Answer.objects.filter(submission=submission).select_related("question")
    }


def test_bulk_saves_every_answer_and_is_audited_once(
    api: Any, submission: Submission, personas: dict[str, Any]
) -> None:
    response = _bulk(
        api,
        submission,
        [
            {"question": "C01.status", "value": "yes"},
            {"question": "C02.status", "value": "partial", "comment": "synthetic"},
            {"question": "C01.good_practice", "value": "Synthetic text"},
        ],
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["changed"] == 4
    assert [a["version"] for a in body["answers"]] == [1, 1, 1]
    assert body["progress"]["answered"] == 2
    assert _stored(submission) == {
        "C01.status": ("yes", 1),
        "C02.status": ("partial", 1),
        "C01.good_practice": ("Synthetic text", 1),
    }
    event = last_event("answers.save", submission)
    assert event.source == "api" and event.actor == personas["focal_point"]
    assert len(events("answers.save", submission)) == 1
    assert set(AnswerChange.objects.values_list("source", flat=True)) == {"api"}


def test_a_hostile_payload_is_refused_whole_naming_every_question(
    api: Any, submission: Submission
) -> None:
    _bulk(api, submission, [{"question": "C01.status", "value": "yes"}])
    before = (_stored(submission), AnswerChange.objects.count(), AuditEvent.objects.count())
    response = _bulk(
        api,
        submission,
        [
            {"question": "C02.status", "value": "no"},  # fine, but not saved either
            {"question": "C99.invented", "value": "yes"},
            {"question": "C04.status", "value": "perhaps"},
            {"question": "C01.good_practice", "value": "x" * 100_000},
            {"question": "C05.status", "value": "yes", "evidence_url": "javascript:alert(1)"},
            {"question": "C03.laws_adequate", "value": "yes"},
            {"question": "C06.status", "value": "yes", "confidence": "certain"},
            {"question": "C01.status", "value": "no", "version": 1},
        ],
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "rejected"
    problems = {d["field"]: d["message"] for d in error["details"]}
    assert set(problems) == {
        "C99.invented",
        "C04.status",
        "C01.good_practice",
        "C05.status",
        "C03.laws_adequate",
        "C06.status",
    }, problems
    assert "unknown question" in problems["C99.invented"]
    assert "not among the choices" in problems["C04.status"]
    assert (
        problems["C01.good_practice"].startswith("value:")
        and "100000" in problems["C01.good_practice"]
    )
    assert "http(s)" in problems["C05.status"]
    assert "not asked through channel" in problems["C03.laws_adequate"]
    assert "confidence" in problems["C06.status"]
    assert (_stored(submission), AnswerChange.objects.count(), AuditEvent.objects.count()) == before


def test_a_question_given_twice_is_refused(api: Any, submission: Submission) -> None:
    response = _bulk(
        api,
        submission,
        [{"question": "C01.status", "value": "yes"}, {"question": "C01.status", "value": "no"}],
    )
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["error"]["details"]] == ["C01.status"]
    assert not Answer.objects.exists()


def test_existing_answers_need_their_version_428_lists_which(
    api: Any, submission: Submission
) -> None:
    _bulk(
        api,
        submission,
        [{"question": "C01.status", "value": "yes"}, {"question": "C02.status", "value": "no"}],
    )
    response = _bulk(
        api,
        submission,
        [
            {"question": "C01.status", "value": "partial"},
            {"question": "C02.status", "value": "partial", "version": 1},
            {"question": "C03.status", "value": "partial"},
            {"question": "C04.status", "value": "partial", "version": 0},
        ],
    )
    assert response.status_code == 428, response.content
    details = response.json()["error"]["details"]
    assert [d["field"] for d in details] == ["C01.status"]
    assert details[0]["current"]["value"] == "yes" and details[0]["current"]["version"] == 1
    assert _stored(submission) == {"C01.status": ("yes", 1), "C02.status": ("no", 1)}
    assert len(events("answers.save", submission)) == 1


def test_a_stale_version_saves_nothing_and_returns_412(api: Any, submission: Submission) -> None:
    _bulk(api, submission, [{"question": "C01.status", "value": "yes"}])
    # Someone else saves it (version 2) after this writer read version 1.
    api.put(
        f"/submissions/{submission.pk}/answers/C01.status",
        as_="administrator",
        body={"value": "no"},
        headers={"If-Match": '"1"'},
    )
    response = _bulk(
        api,
        submission,
        [
            {"question": "C01.status", "value": "partial", "version": 1},
            {"question": "C02.status", "value": "partial"},
        ],
    )
    assert response.status_code == 412, response.content
    details = response.json()["error"]["details"]
    assert [d["field"] for d in details] == ["C01.status"]
    assert details[0]["current"]["value"] == "no" and details[0]["current"]["version"] == 2
    assert _stored(submission) == {"C01.status": ("no", 2)}


def test_reviewers_may_not_write_in_bulk(api: Any, submission: Submission) -> None:
    response = _bulk(api, submission, [{"question": "C01.status", "value": "yes"}], as_="reviewer")
    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_an_empty_or_malformed_list_is_422(api: Any, submission: Submission) -> None:
    assert _bulk(api, submission, []).status_code == 422
    response = _bulk(api, submission, [{"value": "yes"}])
    assert response.status_code == 422
    assert "question" in response.json()["error"]["details"][0]["field"]
    assert not Answer.objects.exists()


def test_a_body_over_the_upload_limit_is_413_not_a_server_error(
    api: Any, submission: Submission, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    response = _bulk(api, submission, [{"question": "C01.good_practice", "value": "x" * 60_000}])
    assert response.status_code == 413, response.content
    assert response.json()["error"]["code"] == "too_large"
    assert not Answer.objects.exists()
