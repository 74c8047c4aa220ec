"""Permission matrix of the SDMX download: an earlier, replaced publication is for those who
see the round's jurisdiction-level data; the latest one is everyone's."""

from __future__ import annotations

from typing import Any

import pytest
from tests.publishing import validate_and_publish
from tests.url_matrix import PERSONAS

from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.models import Publication
from mnr.surveys.actions import AnswerInput, open_submission, save_answers

# Called on the round's FIRST publication, replaced by a second one.
MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/api/v1/publications/{publication_id}/sdmx"): (200, 200, 200, 404, 404, 404),
}


@pytest.fixture
def publications(review_round: Any) -> tuple[Publication, Publication]:
    for code, value in (("KE", "yes"), ("SE", "partial"), ("GB-EAW", "no")):
        submission = open_submission(
            review_round, Jurisdiction.objects.get(code=code), "government"
        )
        save_answers(submission, {"C11.status": AnswerInput(value=value)}, source="test")
    first = validate_and_publish(review_round)
    second = validate_and_publish(review_round, note="again")
    return first, second


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_sdmx_matrix(
    api: Any, publications: tuple[Publication, Publication], key: tuple[str, str], persona: str
) -> None:
    method, template = key
    first, second = publications
    path = template.removeprefix("/api/v1").replace("{publication_id}", str(first.pk))
    for query in ("?format=csv", "?format=ml", "?structure=1"):
        response = api.call(method, path + query, as_=persona)
        assert response.status_code == MATRIX[key][PERSONAS.index(persona)], response.content
    # The latest publication is everyone's.
    latest = template.removeprefix("/api/v1").replace("{publication_id}", str(second.pk))
    assert api.call(method, latest + "?format=csv", as_=persona).status_code == 200
