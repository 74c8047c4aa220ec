"""Permission matrix of the maturity endpoints: Kenya's records, as on the web pages
(``mnr.maturity.access``): its focal point, reviewers and analysts see them; reviewers
override; its focal point edits the plan; its focal point or an analyst records consent.
Sweden's focal point gets 404 (nothing says whether Kenya has a record); anonymous 401."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from tests.maturity import self_assessment_round
from tests.url_matrix import PERSONAS

from mnr.audit.models import AuditEvent
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import actions
from mnr.maturity.models import Consent, PhaseOverride, PlanItem, PlanItemChange
from mnr.surveys.models import Round

ROUND = "sa-api-matrix"
LATER = "sa-api-matrix-later"
PHASES = {
    "KE": {"": {"C01": 2, "C03": 1, "C12": 3}, "police": {"C01": 3, "C03": 2}},
    "SE": {"": {"C01": 3, "C03": 2}},
    "GB-EAW": {"": {"C01": 1}},
}
SEE_KENYA = (200, 200, 200, 200, 404, 401)
PREFIX = "/api/v1/rounds/{code}/jurisdictions/{jurisdiction}"

MATRIX: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/api/v1/rounds/{code}/maturity"): (200, 200, 200, 200, 200, 401),
    ("GET", f"{PREFIX}/profile"): SEE_KENYA,
    ("GET", f"{PREFIX}/plan"): SEE_KENYA,
    ("GET", f"{PREFIX}/plan/items/{{capability}}"): SEE_KENYA,
    ("PATCH", f"{PREFIX}/plan/items/{{capability}}"): (200, 403, 403, 200, 404, 401),
    ("DELETE", f"{PREFIX}/plan/items/{{capability}}"): (200, 403, 403, 200, 404, 401),
    ("POST", f"{PREFIX}/plan/items"): (201, 403, 403, 201, 404, 401),
    ("POST", f"{PREFIX}/overrides"): (201, 403, 201, 403, 404, 401),
    ("GET", f"{PREFIX}/consent"): SEE_KENYA,
    ("PUT", f"{PREFIX}/consent"): (200, 200, 403, 200, 404, 401),
    ("GET", f"{PREFIX}/peers"): SEE_KENYA,
    ("GET", "/api/v1/jurisdictions/{jurisdiction}/progress"): SEE_KENYA,
}

# What a call sends besides its path: query, body, headers.
QUERIES = {
    f"{PREFIX}/peers": "?capability=C01",
    "/api/v1/jurisdictions/{jurisdiction}/progress": f"?rounds={ROUND},{LATER}",
}
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", f"{PREFIX}/plan/items/{{capability}}"): {"owner": "Ministry", "status": "done"},
    ("POST", f"{PREFIX}/plan/items"): {"capability": "C12"},
    ("POST", f"{PREFIX}/overrides"): {"capability": "C01", "phase": 4, "reason": "Checked."},
    ("PUT", f"{PREFIX}/consent"): {"peer_exchange": True},
}


def _kenya() -> Jurisdiction:
    return Jurisdiction.objects.get(code="KE")


def _drop_c12(round_: Round) -> None:
    # Something to add back: C12 dropped by the operator beforehand.
    actions.drop_plan_item(round_, _kenya(), "C12", source="test")


SETUP: dict[tuple[str, str], Callable[[Round], None]] = {
    ("POST", f"{PREFIX}/plan/items"): _drop_c12,
}


def _written() -> tuple[int, ...]:
    return (
        PlanItem.objects.filter(dropped=False).count(),
        PlanItem.objects.filter(dropped=True).count(),
        PlanItemChange.objects.count(),
        PhaseOverride.objects.count(),
        Consent.objects.count(),
        AuditEvent.objects.filter(source="api").count(),
    )


def _path(template: str) -> str:
    return (
        template.removeprefix("/api/v1")
        .replace("{code}", ROUND)
        .replace("{jurisdiction}", "KE")
        .replace("{capability}", "C01")
    ) + QUERIES.get(template, "")


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(MATRIX))
@pytest.mark.parametrize("persona", PERSONAS)
def test_maturity_matrix(
    api: Any, personas: dict[str, Any], key: tuple[str, str], persona: str
) -> None:
    method, template = key
    round_ = self_assessment_round(ROUND, PHASES)
    self_assessment_round(LATER, {"KE": {"": {"C01": 3}}, "SE": {"": {"C01": 3}}})
    if key in SETUP:
        SETUP[key](round_)
    before = _written()
    response = api.call(
        method,
        _path(template),
        as_=persona,
        body=BODIES.get(key),
        headers={"If-Match": '"1"'} if method in ("PATCH", "DELETE") else None,
    )
    expected = MATRIX[key][PERSONAS.index(persona)]
    assert response.status_code == expected, response.content
    if method != "GET":
        wrote = _written() != before
        assert wrote == (response.status_code in (200, 201)), (before, _written())
        if wrote:
            assert AuditEvent.objects.filter(source="api", actor=personas[persona]).exists()
