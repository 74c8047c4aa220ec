"""Permission matrix of submissions, respondents and answers: who reads, who writes.

A focal point of KE reads and writes KE's submission; the focal point of SE is not told it
exists (404); analysts and reviewers read it but may not answer (403); anonymous callers are
asked to sign in (401)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.submissions import opened, required_answers
from tests.url_matrix import PERSONAS

from mnr.audit.models import AuditEvent
from mnr.surveys import actions
from mnr.surveys.models import Answer, AnswerChange, Submission, SubmissionTransition

READ = (200, 200, 200, 200, 404, 401)
ANSWER = (200, 403, 403, 200, 404, 401)

MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/api/v1/rounds/{code}/submissions"): (200, 200, 200, 200, 200, 401),
    # Analysts manage the round, so they may open a submission as in the web app; the focal
    # point of SE may not open Kenya's.
    ("POST", "/api/v1/rounds/{code}/submissions"): (201, 201, 403, 201, 403, 401),
    ("GET", "/api/v1/rounds/{code}/respondents"): (200, 200, 200, 200, 200, 401),
    ("GET", "/api/v1/submissions/{submission_id}"): READ,
    ("GET", "/api/v1/submissions/{submission_id}/answers"): READ,
    ("GET", "/api/v1/submissions/{submission_id}/answers/{question}"): READ,
    ("PUT", "/api/v1/submissions/{submission_id}/answers/{question}"): ANSWER,
    ("POST", "/api/v1/submissions/{submission_id}/answers:bulk"): ANSWER,
    ("POST", "/api/v1/submissions/{submission_id}/submit"): ANSWER,
    ("GET", "/api/v1/submissions/{submission_id}/history"): READ,
}

TEXT = "Synthetic test answer"


def _body(method: str, template: str) -> Any:
    if template.endswith("/rounds/{code}/submissions") and method == "POST":
        return {"jurisdiction": "KE", "channel": "unicef_country_office"}
    if template.endswith("answers:bulk"):
        return {"answers": [{"question": "C01.good_practice", "value": TEXT}]}
    if method == "PUT":
        return {"value": TEXT}
    return None


def _state() -> tuple[int, ...]:
    return (
        Submission.objects.count(),
        Answer.objects.count(),
        AnswerChange.objects.count(),
        SubmissionTransition.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_submissions_matrix(
    api: Any, personas: dict[str, Any], review_round: Any, key: tuple[str, str], persona: str
) -> None:
    method, template = key
    submission = opened(review_round, "KE")
    # Everything required is answered, so that submitting is refused only by permission.
    actions.save_answers(submission, required_answers(submission), source="test")
    path = (
        template.removeprefix("/api/v1")
        .replace("{code}", review_round.code)
        .replace("{submission_id}", str(submission.pk))
        .replace("{question}", "C01.good_practice")
    )
    if template.endswith("/respondents"):
        path += "?jurisdiction=KE"
    before = _state()
    response = api.call(method, path, as_=persona, body=_body(method, template))
    expected = MATRIX[key][PERSONAS.index(persona)]
    assert response.status_code == expected, response.content
    if method != "GET" and expected >= 400:
        assert _state() == before, "a refused write changed something"
        assert set(response.json()) == {"error"}
    if expected == 404:
        assert response.json()["error"]["code"] == "not_found"
    if method == "GET" and expected == 200 and template.endswith(("/submissions", "/respondents")):
        items = response.json()["items"]
        listed = {s["id"] for item in items for s in item.get("submissions", [item])}
        # The focal point of SE is shown none of Kenya's submissions.
        assert (submission.pk in listed) == (persona != "other_focal_point")
