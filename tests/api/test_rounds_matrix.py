"""Permission matrix of the rounds' endpoints, on a draft round in which only Kenya takes part
(so the Swedish focal point may not see it)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.audit import changed_tables, database_state
from tests.url_matrix import PERSONAS

from mnr.surveys import actions

TOKEN_USE = {"api.apitoken"}

MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/api/v1/rounds"): (200,) * 6,
    ("GET", "/api/v1/rounds/{code}"): (200, 200, 200, 200, 404, 404),
    # Before publication the participants are for who sees jurisdiction-level data.
    ("GET", "/api/v1/rounds/{code}/participants"): (200, 200, 200, 403, 404, 404),
    ("POST", "/api/v1/rounds"): (201, 201, 403, 403, 403, 401),
    ("PATCH", "/api/v1/rounds/{code}"): (200, 200, 403, 403, 404, 401),
    ("PUT", "/api/v1/rounds/{code}/status"): (200, 200, 403, 403, 404, 401),
    ("POST", "/api/v1/rounds/{code}/participants"): (200, 200, 403, 403, 404, 401),
}

BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/rounds"): {"code": "matrix-new", "instrument": "mnr-review-2021"},
    ("PATCH", "/api/v1/rounds/{code}"): {"title": "Renamed"},
    ("PUT", "/api/v1/rounds/{code}/status"): {"status": "open"},
    ("POST", "/api/v1/rounds/{code}/participants"): {"jurisdictions": ["US"]},
}


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_rounds_matrix(
    api: Any, personas: dict[str, Any], key: tuple[str, str], persona: str
) -> None:
    round_ = actions.create_round("matrix-ke", instrument="mnr-review-2021")
    actions.add_participants(round_, ["KE"])
    method, template = key
    path = template.removeprefix("/api/v1").replace("{code}", round_.code)
    before = database_state()
    response = api.call(method, path, as_=persona, body=BODIES.get(key))
    expected = MATRIX[key][PERSONAS.index(persona)]
    assert response.status_code == expected, response.content
    changed = set(changed_tables(before, database_state())) - TOKEN_USE
    if method != "GET" and expected >= 400:
        assert not changed, f"a refused {method} wrote {changed}"
    elif method != "GET":
        assert "audit.auditevent" in changed
