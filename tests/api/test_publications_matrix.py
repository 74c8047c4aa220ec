"""Permission matrix of publications, findings, publishing and exports, called on a round
published twice: ``{publication_id}`` is the earlier, replaced publication, which only those
who see the round's jurisdiction-level data may read."""

from __future__ import annotations

from typing import Any

import pytest
from tests.publishing import validate_and_publish
from tests.url_matrix import PERSONAS

from mnr.audit.models import AuditEvent
from mnr.publications.models import Publication

EVERYONE = (200,) * 6
WHO_SEES_JURISDICTION_DATA = (200, 200, 200, 404, 404, 404)

MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/api/v1/publications"): EVERYONE,
    ("GET", "/api/v1/rounds/{code}/publications"): EVERYONE,
    ("POST", "/api/v1/rounds/{code}/publications"): (201, 201, 403, 403, 403, 401),
    ("GET", "/api/v1/publications/{publication_id}"): WHO_SEES_JURISDICTION_DATA,
    ("GET", "/api/v1/publications/{publication_id}/findings"): WHO_SEES_JURISDICTION_DATA,
    ("GET", "/api/v1/publications/{publication_id}/robustness"): WHO_SEES_JURISDICTION_DATA,
    ("GET", "/api/v1/rounds/{code}/findings"): EVERYONE,
    ("GET", "/api/v1/exports"): EVERYONE,
    # The answers export: each signed-in caller's own scope (tests/api/test_exports.py).
    ("GET", "/api/v1/rounds/{code}/exports/{exporter}"): (200, 200, 200, 200, 200, 401),
}


def _path(template: str, round_: Any, earlier: Publication) -> str:
    path = (
        template.removeprefix("/api/v1")
        .replace("{code}", round_.code)
        .replace("{publication_id}", str(earlier.pk))
        .replace("{exporter}", "answers")
    )
    return path + "?format=csv" if "/exports/" in path else path


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_publications_matrix(
    api: Any, published_review_round: Any, key: tuple[str, str], persona: str
) -> None:
    round_ = published_review_round
    validate_and_publish(round_, "again")
    earlier = Publication.objects.get(round=round_, number=1)
    method, template = key
    body = {"note": "from the matrix"} if method == "POST" else None
    response = api.call(method, _path(template, round_, earlier), as_=persona, body=body)
    assert response.status_code == MATRIX[key][PERSONAS.index(persona)], response.content[:300]
    if method == "POST":
        published = response.status_code == 201
        assert Publication.objects.filter(round=round_).count() == (3 if published else 2)
        assert AuditEvent.objects.filter(verb="round.publish", source="api").exists() == published
