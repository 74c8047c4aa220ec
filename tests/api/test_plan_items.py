"""Plan items in the API: versions as ETags, If-Match required, two writers, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from tests.maturity import self_assessment_round

from mnr.audit.models import AuditEvent
from mnr.maturity.models import PlanItem, PlanItemChange
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

ROUND = "sa-api-plan"
PHASES = {
    "KE": {"": {"C01": 2, "C03": 1, "C12": 3}, "police": {"C01": 3, "C03": 2}},
    "SE": {"": {"C01": 3, "C03": 2}},
    "GB-EAW": {"": {"C01": 1}},
}
ITEM = f"/rounds/{ROUND}/jurisdictions/KE/plan/items/C01"


@pytest.fixture
def assessment(personas: dict[str, Any]) -> Round:
    return self_assessment_round(ROUND, PHASES)


def _written() -> tuple[int, int, int]:
    return (
        PlanItem.objects.count(),
        PlanItemChange.objects.count(),
        AuditEvent.objects.filter(verb__startswith="plan.").count(),
    )


def test_item_is_served_with_its_version_as_etag(api: Any, assessment: Round) -> None:
    response = api.get(ITEM, as_="focal_point")
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body["capability"] == "C01"
    assert body["stored"] is False
    assert body["version"] == 1


def test_patch_changes_item_and_records_audit_event_from_api(
    api: Any, assessment: Round, personas: dict[str, Any]
) -> None:
    response = api.patch(
        ITEM,
        as_="focal_point",
        body={"owner": "Ministry of Health", "due": "2027-06-30", "status": "in_progress"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    body = response.json()
    assert (body["owner"], body["due"], body["status"], body["version"]) == (
        "Ministry of Health",
        "2027-06-30",
        "in_progress",
        2,
    )
    row = PlanItem.objects.get(round=assessment, jurisdiction__code="KE", capability="C01")
    assert (row.owner, row.status, row.version) == ("Ministry of Health", "in_progress", 2)
    event = AuditEvent.objects.get(verb="plan.item_update")
    assert event.source == "api"
    assert event.actor == personas["focal_point"]
    assert sorted(event.detail["fields"]) == ["due", "owner", "status"]
    assert set(PlanItemChange.objects.values_list("source", flat=True)) == {"api"}


def test_two_writers_first_wins_second_gets_412_with_first_values(
    api: Any, assessment: Round
) -> None:
    first_read = api.get(ITEM, as_="focal_point")["ETag"]
    second_read = api.get(ITEM, as_="administrator")["ETag"]
    assert first_read == second_read == '"1"'
    first = api.patch(
        ITEM, as_="focal_point", body={"owner": "First writer"}, headers={"If-Match": first_read}
    )
    assert first.status_code == 200, first.content
    before = _written()
    second = api.patch(
        ITEM,
        as_="administrator",
        body={"owner": "Second writer", "notes": "second's notes"},
        headers={"If-Match": second_read},
    )
    assert second.status_code == 412, second.content
    error = second.json()["error"]
    assert error["code"] == "version_mismatch"
    current = error["details"][0]["current"]
    assert current["owner"] == "First writer"
    assert current["version"] == 2
    assert current["notes"] == ""
    row = PlanItem.objects.get(round=assessment, jurisdiction__code="KE", capability="C01")
    assert (row.owner, row.notes, row.version) == ("First writer", "", 2)
    assert _written() == before


def test_patch_without_if_match_is_428_and_writes_nothing(api: Any, assessment: Round) -> None:
    before = _written()
    response = api.patch(ITEM, as_="focal_point", body={"owner": "Nobody"})
    assert response.status_code == 428, response.content
    assert response.json()["error"]["code"] == "version_required"
    assert _written() == before


def test_delete_without_if_match_is_428_then_drops_with_it(api: Any, assessment: Round) -> None:
    assert api.delete(ITEM, as_="focal_point").status_code == 428
    assert not PlanItem.objects.filter(dropped=True).exists()
    response = api.delete(ITEM, as_="focal_point", headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.content
    assert PlanItem.objects.get(capability="C01", jurisdiction__code="KE").dropped
    assert AuditEvent.objects.get(verb="plan.item_drop").source == "api"
    assert api.get(ITEM, as_="focal_point").status_code == 404


def test_stale_delete_is_412_and_keeps_item(api: Any, assessment: Round) -> None:
    api.patch(ITEM, as_="focal_point", body={"owner": "Someone"}, headers={"If-Match": '"1"'})
    response = api.delete(ITEM, as_="administrator", headers={"If-Match": '"1"'})
    assert response.status_code == 412, response.content
    assert response.json()["error"]["details"][0]["current"]["owner"] == "Someone"
    assert not PlanItem.objects.get(capability="C01", jurisdiction__code="KE").dropped


def test_add_item_back_is_201_with_etag_and_audit(api: Any, assessment: Round) -> None:
    api.delete(ITEM, as_="focal_point", headers={"If-Match": '"1"'})
    response = api.post(
        f"/rounds/{ROUND}/jurisdictions/KE/plan/items",
        as_="focal_point",
        body={"capability": "C01"},
    )
    assert response.status_code == 201, response.content
    assert response["ETag"] == f'"{response.json()["version"]}"'
    assert not PlanItem.objects.get(capability="C01", jurisdiction__code="KE").dropped
    assert AuditEvent.objects.get(verb="plan.item_add").source == "api"


def test_add_item_already_in_plan_is_refused(api: Any, assessment: Round) -> None:
    response = api.post(
        f"/rounds/{ROUND}/jurisdictions/KE/plan/items",
        as_="focal_point",
        body={"capability": "C01"},
    )
    assert response.status_code == 400
    assert "already" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_phase": 7}, "body.payload.target_phase"),
        ({"due": "next spring"}, "body.payload.due"),
        ({"status": "finished"}, "body.payload.status"),
        ({"note": "a field that is not one"}, "body.payload.note"),
        ({}, "body.payload"),
    ],
)
def test_bad_change_names_field_and_writes_nothing(
    api: Any, assessment: Round, body: dict[str, Any], field: str
) -> None:
    before = _written()
    response = api.patch(ITEM, as_="focal_point", body=body, headers={"If-Match": '"1"'})
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert field in [detail["field"] for detail in error["details"]]
    assert _written() == before


def test_unknown_capability_is_named_and_nothing_written(api: Any, assessment: Round) -> None:
    before = _written()
    response = api.patch(
        f"/rounds/{ROUND}/jurisdictions/KE/plan/items/C99",
        as_="focal_point",
        body={"owner": "x"},
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 400, response.content
    message = response.json()["error"]["message"]
    assert "capability" in message and "C99" in message
    added = api.post(
        f"/rounds/{ROUND}/jurisdictions/KE/plan/items",
        as_="focal_point",
        body={"capability": "C99"},
    )
    assert added.status_code == 400 and "C99" in added.json()["error"]["message"]
    assert _written() == before


def test_target_below_current_phase_is_refused_by_action(api: Any, assessment: Round) -> None:
    before = _written()
    response = api.patch(
        ITEM, as_="focal_point", body={"target_phase": 1}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 400, response.content
    assert _written() == before


def test_plan_lists_items_and_says_who_may_edit(api: Any, assessment: Round) -> None:
    mine = api.get(f"/rounds/{ROUND}/jurisdictions/KE/plan", as_="focal_point").json()
    assert mine["proposal"] is True and mine["editable"] is True
    assert {"C01", "C03", "C12"} <= {item["capability"] for item in mine["items"]}
    analysts = api.get(f"/rounds/{ROUND}/jurisdictions/KE/plan", as_="analyst").json()
    assert analysts["editable"] is False
    api.patch(ITEM, as_="focal_point", body={"notes": "n"}, headers={"If-Match": '"1"'})
    stored = api.get(f"/rounds/{ROUND}/jurisdictions/KE/plan", as_="focal_point").json()
    assert stored["proposal"] is False
    assert next(i for i in stored["items"] if i["capability"] == "C01")["notes"] == "n"
