"""Permission matrix of the reference data (public) and of the caller's own tokens."""

from __future__ import annotations

from typing import Any

import pytest
from tests.url_matrix import PERSONAS

from mnr.api.models import ApiToken
from mnr.frameworks.models import Edition, Instrument

EVERYONE = (200,) * 6

MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/api/v1/frameworks"): EVERYONE,
    ("GET", "/api/v1/frameworks/{code}/{version}"): EVERYONE,
    ("GET", "/api/v1/instruments"): EVERYONE,
    ("GET", "/api/v1/instruments/{code}/{version}"): EVERYONE,
    ("GET", "/api/v1/jurisdictions"): EVERYONE,
    ("GET", "/api/v1/jurisdictions/{code}"): EVERYONE,
    ("GET", "/api/v1/tokens"): (200, 200, 200, 200, 200, 401),
    # The analyst's token: nobody else's to revoke, and not found for them.
    ("DELETE", "/api/v1/tokens/{token_id}"): (404, 200, 404, 404, 404, 401),
}


def _path(template: str, personas: dict[str, Any]) -> str:
    edition = Edition.objects.first()
    instrument = Instrument.objects.first()
    assert edition is not None and instrument is not None
    analysts = ApiToken.objects.get(user=personas["analyst"])
    return (
        template.removeprefix("/api/v1")
        .replace("/frameworks/{code}/{version}", f"/frameworks/{edition.code}/{edition.version}")
        .replace(
            "/instruments/{code}/{version}", f"/instruments/{instrument.code}/{instrument.version}"
        )
        .replace("{code}", "KE")
        .replace("{token_id}", str(analysts.pk))
    )


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_reference_matrix(
    api: Any, personas: dict[str, Any], key: tuple[str, str], persona: str
) -> None:
    method, template = key
    response = api.call(method, _path(template, personas), as_=persona)
    assert response.status_code == MATRIX[key][PERSONAS.index(persona)], response.content
    if method == "DELETE":
        revoked = ApiToken.objects.get(user=personas["analyst"]).revoked_at is not None
        assert revoked == (response.status_code == 200)
