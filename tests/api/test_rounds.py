"""Rounds through the API: who sees which, their settings and participants, and the analysts'
changes (each through its action, audited with source "api"; bad input refused whole)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from tests.audit import assert_records, changed_tables, database_state
from tests.publishing import validate_and_publish

from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

# Every call with a token notes when the token was last used: not a write of the caller's.
TOKEN_USE = {"api.apitoken"}


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def _unchanged(before: dict[str, Any]) -> None:
    assert set(changed_tables(before, database_state())) <= TOKEN_USE


@pytest.fixture
def kenya_round(review_round: Any) -> Round:
    """A second round, unpublished, in which only Kenya takes part."""
    round_ = actions.create_round("kenya-only", instrument="mnr-review-2021", title="Kenya")
    actions.add_participants(round_, ["KE"])
    return round_


def _publish(round_: Round) -> None:
    """One answer from each participant, validated and published (as the operator)."""
    for participation in round_.participations.select_related("jurisdiction"):
        submission = actions.open_submission(
            round_, participation.jurisdiction, "government", source="test"
        )
        actions.save_answers(submission, {"C11.status": AnswerInput(value="yes")}, source="test")
    validate_and_publish(round_)


def _codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["code"] for item in response.json()["items"])


def test_anonymous_callers_list_published_rounds_only(
    api: Any, personas: dict[str, Any], kenya_round: Round
) -> None:
    assert _codes(api.get("/rounds")) == []
    _publish(Round.objects.get(code="test-2021"))
    assert _codes(api.get("/rounds")) == ["test-2021"]
    assert api.get("/rounds/kenya-only").status_code == 404


def test_each_persona_lists_the_rounds_it_may_see(
    api: Any, personas: dict[str, Any], kenya_round: Round
) -> None:
    both = ["kenya-only", "test-2021"]
    assert _codes(api.get("/rounds", as_="analyst")) == both
    assert _codes(api.get("/rounds", as_="focal_point")) == both
    assert _codes(api.get("/rounds", as_="other_focal_point")) == ["test-2021"]


def test_rounds_are_served_page_by_page(
    api: Any, personas: dict[str, Any], kenya_round: Round
) -> None:
    first = api.get("/rounds?limit=1", as_="analyst").json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = api.get(f"/rounds?limit=1&cursor={first['next_cursor']}", as_="analyst").json()
    assert second["next_cursor"] is None
    assert {first["items"][0]["code"], second["items"][0]["code"]} == {"kenya-only", "test-2021"}


def test_a_round_shows_its_settings(api: Any, personas: dict[str, Any]) -> None:
    actions.update_round(
        Round.objects.get(code="test-2021"),
        opens_on=date(2021, 3, 1),
        closes_on=date(2021, 6, 30),
        disclosure_threshold=4,
    )
    body = api.get("/rounds/test-2021", as_="focal_point").json()
    assert body["title"] == "Test round" and body["status"] == "draft"
    assert body["instrument"]["code"] == "mnr-review-2021"
    assert body["channels"][0] == "government"
    assert (body["opens_on"], body["closes_on"]) == ("2021-03-01", "2021-06-30")
    assert body["disclosure_threshold"] == 4 and body["income_fiscal_year"] == 2021
    assert body["synthetic"] is False and body["synthetic_note"] is None


def test_a_synthetic_round_says_so(api: Any, personas: dict[str, Any]) -> None:
    actions.create_round("demo-x", instrument="mnr-review-2021", synthetic=True)
    body = api.get("/rounds/demo-x", as_="analyst").json()
    assert body["synthetic"] is True and "Synthetic" in body["synthetic_note"]
    listed = api.get("/rounds", as_="analyst").json()["items"]
    assert [r["synthetic"] for r in listed if r["code"] == "demo-x"] == [True]


def test_analysts_see_the_participants_with_income_group_and_region(
    api: Any, personas: dict[str, Any]
) -> None:
    body = api.get("/rounds/test-2021/participants", as_="reviewer").json()
    assert body["publication"] is None
    rows = {row["jurisdiction"]: row for row in body["participants"]}
    assert sorted(rows) == ["GB-EAW", "KE", "SE"]
    kenya = Jurisdiction.objects.get(code="KE")
    assert rows["KE"]["name"] == kenya.name()
    assert rows["KE"]["income_group"] and rows["KE"]["region"]
    assert rows["SE"]["income_group"] != rows["KE"]["income_group"]


def test_focal_points_see_the_participants_once_the_round_is_published(
    api: Any, personas: dict[str, Any]
) -> None:
    refused = api.get("/rounds/test-2021/participants", as_="focal_point")
    assert refused.status_code == 403 and "not published" in _error(refused)["message"]
    _publish(Round.objects.get(code="test-2021"))
    for persona in ("focal_point", "anonymous"):
        body = api.get("/rounds/test-2021/participants", as_=persona).json()
        assert body["publication"] == 1
        assert [p["jurisdiction"] for p in body["participants"]] == ["GB-EAW", "KE", "SE"]


def test_the_public_sees_the_participants_as_published(api: Any, personas: dict[str, Any]) -> None:
    round_ = Round.objects.get(code="test-2021")
    _publish(round_)
    actions.set_round_status(round_, "open", source="test")
    actions.add_participants(round_, ["US"])
    public = api.get("/rounds/test-2021/participants").json()
    assert "US" not in [p["jurisdiction"] for p in public["participants"]]
    live = api.get("/rounds/test-2021/participants", as_="analyst").json()
    assert "US" in [p["jurisdiction"] for p in live["participants"]]


def test_an_analyst_creates_a_round(api: Any, personas: dict[str, Any]) -> None:
    analyst = personas["analyst"]
    response = assert_records(
        lambda: api.post(
            "/rounds",
            as_="analyst",
            body={
                "code": "api-2026",
                "instrument": "mnr-review-2021",
                "title": "Made by the API",
                "channels": ["government"],
            },
        ),
        lambda _: [("round.create", Round.objects.get(code="api-2026"))],
        actor=analyst,
        source="api",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "api-2026" and body["status"] == "draft"
    assert body["channels"] == ["government"] and body["title"] == "Made by the API"


@pytest.mark.parametrize(
    ("body", "status", "names"),
    [
        ({"code": "x", "instrument": "no-such-instrument"}, 400, "no-such-instrument"),
        ({"code": "x", "instrument": "mnr-review-2021", "channels": ["fax"]}, 400, "fax"),
        ({"code": "x", "instrument": "mnr-review-2021", "income_fiscal_year": 1900}, 400, "1900"),
        ({"code": "test-2021", "instrument": "mnr-review-2021"}, 400, "exists already"),
        ({"code": "has spaces", "instrument": "mnr-review-2021"}, 422, "body.payload.code"),
        (
            {"code": "x", "instrument": "mnr-review-2021", "titel": "typo"},
            422,
            "body.payload.titel",
        ),
        ({"code": "x"}, 422, "body.payload.instrument"),
    ],
)
def test_a_bad_new_round_is_refused_and_nothing_is_written(
    api: Any, personas: dict[str, Any], body: dict[str, Any], status: int, names: str
) -> None:
    before = database_state()
    response = api.post("/rounds", as_="analyst", body=body)
    assert response.status_code == status, response.content
    error = _error(response)
    assert names in error["message"] + " ".join(str(d["field"]) for d in error["details"])
    _unchanged(before)


def test_an_analyst_changes_title_dates_and_threshold(api: Any, personas: dict[str, Any]) -> None:
    round_ = Round.objects.get(code="test-2021")
    response = assert_records(
        lambda: api.patch(
            "/rounds/test-2021",
            as_="analyst",
            body={
                "title": "Renamed",
                "opens_on": "2026-01-05",
                "closes_on": "2026-02-28",
                "disclosure_threshold": 5,
            },
        ),
        lambda _: [("round.update", round_)],
        actor=personas["analyst"],
        source="api",
    )
    assert response.status_code == 200, response.content
    round_.refresh_from_db()
    assert round_.title == "Renamed" and round_.disclosure_threshold == 5
    assert (round_.opens_on, round_.closes_on) == (date(2026, 1, 5), date(2026, 2, 28))
    assert response.json()["closes_on"] == "2026-02-28"


@pytest.mark.parametrize(
    ("body", "status", "names"),
    [
        ({"opens_on": "2026-03-01", "closes_on": "2026-02-01"}, 400, "close"),
        ({"closes_on": "2020-01-01"}, 400, "before it opens"),
        ({"disclosure_threshold": 0}, 400, "disclosure threshold"),
        ({"title": "  "}, 400, "title"),
        ({"opens_on": "next week"}, 422, "body.payload.opens_on"),
        ({"disclosure_k": 4}, 422, "body.payload.disclosure_k"),
    ],
)
def test_bad_round_changes_are_refused_and_nothing_is_written(
    api: Any, personas: dict[str, Any], body: dict[str, Any], status: int, names: str
) -> None:
    actions.update_round(Round.objects.get(code="test-2021"), opens_on=date(2021, 3, 1))
    before = database_state()
    response = api.patch("/rounds/test-2021", as_="analyst", body=body)
    assert response.status_code == status, response.content
    error = _error(response)
    assert names in error["message"] + " ".join(str(d["field"]) for d in error["details"])
    _unchanged(before)


def test_an_analyst_opens_and_closes_a_round(api: Any, personas: dict[str, Any]) -> None:
    round_ = Round.objects.get(code="test-2021")
    for status in ("open", "closed"):
        response = assert_records(
            lambda status=status: api.put(
                "/rounds/test-2021/status", as_="analyst", body={"status": status}
            ),
            lambda _: [("round.status", round_)],
            actor=personas["analyst"],
            source="api",
        )
        assert response.status_code == 200 and response.json()["status"] == status
        round_.refresh_from_db()
        assert round_.status == status


@pytest.mark.parametrize(
    ("status", "names"), [("archived", "archived"), ("published", "publications")]
)
def test_an_unknown_or_unsettable_status_is_refused(
    api: Any, personas: dict[str, Any], status: str, names: str
) -> None:
    before = database_state()
    response = api.put("/rounds/test-2021/status", as_="analyst", body={"status": status})
    assert response.status_code == 400, response.content
    error = _error(response)
    assert names in error["message"]
    assert [d["field"] for d in error["details"]] == ["body.payload.status"]
    assert Round.objects.get(code="test-2021").status == "draft"
    _unchanged(before)


def test_an_analyst_adds_participants_by_any_code_spelling(
    api: Any, personas: dict[str, Any]
) -> None:
    round_ = Round.objects.get(code="test-2021")
    response = assert_records(
        lambda: api.post(
            "/rounds/test-2021/participants",
            as_="analyst",
            body={"jurisdictions": ["USA", "KE"]},
        ),
        lambda _: [("round.add_participants", round_)],
        actor=personas["analyst"],
        source="api",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["added"] == ["US"]
    assert [p["jurisdiction"] for p in body["participants"]] == ["GB-EAW", "KE", "SE", "US"]


@pytest.mark.parametrize(
    ("jurisdictions", "status", "names"),
    [
        (["US", "XX"], 400, "XX"),
        ([], 422, "body.payload.jurisdictions"),
        ("KE", 422, "body.payload.jurisdictions"),
    ],
)
def test_unknown_participants_are_refused_and_none_is_added(
    api: Any, personas: dict[str, Any], jurisdictions: Any, status: int, names: str
) -> None:
    before = database_state()
    response = api.post(
        "/rounds/test-2021/participants", as_="analyst", body={"jurisdictions": jurisdictions}
    )
    assert response.status_code == status, response.content
    error = _error(response)
    assert names in error["message"] + " ".join(str(d["field"]) for d in error["details"])
    assert "body.payload.jurisdictions" in [d["field"] for d in error["details"]]
    _unchanged(before)


def test_a_closed_round_takes_no_new_participants(api: Any, personas: dict[str, Any]) -> None:
    actions.set_round_status(Round.objects.get(code="test-2021"), "closed", source="test")
    before = database_state()
    response = api.post(
        "/rounds/test-2021/participants", as_="analyst", body={"jurisdictions": ["US"]}
    )
    assert response.status_code == 400 and "closed" in _error(response)["message"]
    _unchanged(before)
