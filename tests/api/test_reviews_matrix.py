"""Permission matrix of the review steps, on Kenya's submission of the test round (which the
Swedish focal point may not see): each call finds the submission in the state its step needs,
handed in by the operator (so that four eyes refuses nobody here)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.audit import changed_tables, database_state
from tests.submissions import in_state
from tests.url_matrix import PERSONAS

from mnr.surveys.models import Round, Submission

TOKEN_USE = {"api.apitoken"}

MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("POST", "/api/v1/submissions/{submission_id}/return"): (200, 403, 200, 403, 404, 401),
    ("POST", "/api/v1/submissions/{submission_id}/validate"): (200, 403, 200, 403, 404, 401),
    ("POST", "/api/v1/submissions/{submission_id}/reopen"): (200, 200, 403, 403, 404, 401),
    ("GET", "/api/v1/submissions/{submission_id}/comments"): (200, 200, 200, 200, 404, 401),
    ("POST", "/api/v1/submissions/{submission_id}/comments"): (201, 201, 201, 403, 404, 401),
}

STATE = {"reopen": Submission.Status.VALIDATED}
BODIES: dict[str, dict[str, Any]] = {
    "return": {"comment": "Please look again"},
    "validate": {"comment": ""},
    "reopen": {"comment": "New evidence"},
    "comments": {"question": "C11.status", "text": "Which law?"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_reviews_matrix(
    api: Any, personas: dict[str, Any], key: tuple[str, str], persona: str
) -> None:
    method, template = key
    step = template.rsplit("/", 1)[-1]
    status = STATE.get(step, Submission.Status.SUBMITTED)
    submission = in_state(Round.objects.get(code="test-2021"), "KE", status)
    path = template.removeprefix("/api/v1").replace("{submission_id}", str(submission.pk))
    before = database_state()
    body = BODIES[step] if method == "POST" else None
    response = api.call(method, path, as_=persona, body=body)
    expected = MATRIX[key][PERSONAS.index(persona)]
    assert response.status_code == expected, response.content
    changed = set(changed_tables(before, database_state())) - TOKEN_USE
    if method != "GET" and expected >= 400:
        assert not changed, f"a refused {method} wrote {changed}"
    elif method != "GET":
        assert "audit.auditevent" in changed
