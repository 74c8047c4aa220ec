"""Submissions and respondents through the API: listing, opening, detail, submitting and the
history of the answers, under the web app's permissions."""

from __future__ import annotations

from typing import Any

import pytest
from tests.submissions import events, last_event, opened, required_answers

from mnr.accounts.actions import assign_role
from mnr.api.tokens import create_token
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.models import Submission

pytestmark = pytest.mark.django_db


def opened_respondent(round_: Any, code: str, respondent: str) -> Submission:
    return actions.open_submission(
        round_, Jurisdiction.objects.get(code=code), "government", respondent=respondent
    )


def _items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return list(response.json()["items"])


def test_list_filters_and_scopes_to_the_caller(
    api: Any, review_round: Any, personas: dict[str, Any]
) -> None:
    ke = opened(review_round, "KE")
    ke_office = opened(review_round, "KE", "unicef_country_office")
    se = opened(review_round, "SE")
    path = f"/rounds/{review_round.code}/submissions"
    assert {s["id"] for s in _items(api.get(path, as_="analyst"))} == {ke.pk, ke_office.pk, se.pk}
    assert {s["id"] for s in _items(api.get(path, as_="focal_point"))} == {ke.pk, ke_office.pk}
    assert {s["id"] for s in _items(api.get(path, as_="other_focal_point"))} == {se.pk}
    only = _items(api.get(path + "?jurisdiction=KE&channel=government", as_="analyst"))
    assert [s["id"] for s in only] == [ke.pk]
    assert only[0]["jurisdiction"] == "KE" and only[0]["respondent"] == ""
    assert only[0]["status"] == "draft" and only[0]["round"] == review_round.code
    Submission.objects.filter(pk=se.pk).update(status=Submission.Status.SUBMITTED)
    assert [s["id"] for s in _items(api.get(path + "?status=submitted", as_="analyst"))] == [se.pk]
    assert api.get(path + "?status=lost", as_="analyst").status_code == 422
    police = opened_respondent(review_round, "KE", "police")
    leads = {s["id"] for s in _items(api.get(path + "?respondent=", as_="analyst"))}
    assert police.pk not in leads and ke.pk in leads
    only_police = _items(api.get(path + "?respondent=police", as_="analyst"))
    assert [s["id"] for s in only_police] == [police.pk]
    first = api.get(path + "?limit=2", as_="analyst").json()
    second = _items(api.get(path + f"?limit=2&cursor={first['next_cursor']}", as_="analyst"))
    assert len(first["items"]) == 2 and [s["id"] for s in second] == [se.pk, police.pk]
    assert api.get(path, as_="anonymous").status_code == 401
    assert api.get("/rounds/no-such-round/submissions", as_="analyst").status_code == 404


def test_a_focal_point_opens_their_submission_once(
    api: Any, review_round: Any, personas: dict[str, Any]
) -> None:
    path = f"/rounds/{review_round.code}/submissions"
    body = {"jurisdiction": "KE", "channel": "government"}
    created = api.post(path, as_="focal_point", body=body)
    assert created.status_code == 201, created.content
    submission = Submission.objects.get(pk=created.json()["id"])
    assert created.json()["may_answer"] is True and created.json()["transitions"] == []
    event = last_event("submission.create", submission)
    assert event.source == "api" and event.actor == personas["focal_point"]
    again = api.post(path, as_="focal_point", body=body)
    assert again.status_code == 200 and again.json()["id"] == submission.pk
    assert len(events("submission.create", submission)) == 1


def test_a_lead_focal_point_adds_a_respondent_and_it_is_listed(
    api: Any, review_round: Any, personas: dict[str, Any]
) -> None:
    path = f"/rounds/{review_round.code}/submissions"
    response = api.post(
        path,
        as_="focal_point",
        body={
            "jurisdiction": "KE",
            "channel": "government",
            "respondent": "police",
            "respondent_name": "Synthetic police unit",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["respondent"] == "police"
    assert response.json()["respondent_name"] == "Synthetic police unit"
    opened(review_round, "KE")
    respondents = _items(
        api.get(f"/rounds/{review_round.code}/respondents?jurisdiction=KE", as_="focal_point")
    )
    assert [r["respondent"] for r in respondents] == ["", "police"]
    assert respondents[1]["label"] == "Synthetic police unit"
    assert [s["id"] for s in respondents[1]["submissions"]] == [response.json()["id"]]
    hidden = api.get(
        f"/rounds/{review_round.code}/respondents?jurisdiction=KE", as_="other_focal_point"
    )
    assert _items(hidden) == []
    unknown = api.get(f"/rounds/{review_round.code}/respondents?jurisdiction=XX", as_="analyst")
    assert unknown.status_code == 404


def test_a_respondent_focal_point_sees_and_opens_only_their_respondent(
    api: Any, review_round: Any, make_user: Any
) -> None:
    user = make_user("focal-ke-police")
    assign_role(
        user, "focal_point", jurisdiction=Jurisdiction.objects.get(code="KE"), respondent="police"
    )
    token = create_token(user, "police", scope="write", acting_user=user)[1]
    api.tokens["police"] = token
    path = f"/rounds/{review_round.code}/submissions"
    lead = opened(review_round, "KE")
    refused = api.post(path, as_="police", body={"jurisdiction": "KE", "channel": "government"})
    assert refused.status_code == 403
    mine = api.post(
        path,
        as_="police",
        body={"jurisdiction": "KE", "channel": "government", "respondent": "police"},
    )
    assert mine.status_code == 201, mine.content
    assert [s["id"] for s in _items(api.get(path, as_="police"))] == [mine.json()["id"]]
    assert api.get(f"/submissions/{lead.pk}", as_="police").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"jurisdiction": "XX", "channel": "government"}, 400, "Unknown jurisdiction"),
        ({"jurisdiction": "KE", "channel": "radio"}, 400, "radio"),
        ({"jurisdiction": "KE", "channel": "government", "respondent": "Police!"}, 400, "code"),
        ({"jurisdiction": "KE"}, 422, "channel"),
    ],
)
def test_bad_openings_are_refused_and_write_nothing(
    api: Any, review_round: Any, personas: dict[str, Any], body: Any, status: int, words: str
) -> None:
    response = api.post(f"/rounds/{review_round.code}/submissions", as_="focal_point", body=body)
    assert response.status_code == status, response.content
    assert words in str(response.json()["error"])
    assert not Submission.objects.exists()


def test_submit_refuses_missing_answers_then_submits_with_history(
    api: Any, review_round: Any, personas: dict[str, Any]
) -> None:
    submission = opened(review_round, "KE")
    path = f"/submissions/{submission.pk}/submit"
    missing = api.post(path, as_="focal_point")
    assert missing.status_code == 400 and "unanswered" in missing.json()["error"]["message"]
    assert Submission.objects.get(pk=submission.pk).status == "draft"
    actions.save_answers(
        submission, required_answers(submission), acting_user=personas["focal_point"], source="test"
    )
    assert api.post(path, as_="reviewer").status_code == 403
    done = api.post(path, as_="focal_point")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == "submitted" and body["editable"] is False
    assert body["progress"]["answered"] == body["progress"]["required"] > 0
    assert [(t["from_status"], t["to_status"], t["by"]) for t in body["transitions"]] == [
        ("draft", "submitted", "focal-ke")
    ]
    event = last_event("submission.submitted", submission)
    assert event.source == "api" and event.actor == personas["focal_point"]
    detail = api.get(f"/submissions/{submission.pk}", as_="reviewer").json()
    assert detail["transitions"] == body["transitions"] and detail["may_answer"] is False
    again = api.post(path, as_="focal_point")
    assert again.status_code == 400 and len(events("submission.submitted", submission)) == 1


def test_history_lists_every_change_oldest_first(
    api: Any, review_round: Any, personas: dict[str, Any]
) -> None:
    submission = opened(review_round, "KE")
    answer = f"/submissions/{submission.pk}/answers/C01.status"
    api.put(answer, as_="focal_point", body={"value": "yes", "comment": "synthetic"})
    api.put(answer, as_="focal_point", body={"value": "no"}, headers={"If-Match": '"1"'})
    rows = _items(api.get(f"/submissions/{submission.pk}/history", as_="analyst"))
    assert [(r["question"], r["field"], r["old"], r["new"]) for r in rows] == [
        ("C01.status", "value", "", "yes"),
        ("C01.status", "comment", "", "synthetic"),
        ("C01.status", "value", "yes", "no"),
    ]
    assert {(r["by"], r["source"]) for r in rows} == {("focal-ke", "api")}
    page = api.get(f"/submissions/{submission.pk}/history?limit=2", as_="analyst").json()
    rest = _items(
        api.get(
            f"/submissions/{submission.pk}/history?limit=2&cursor={page['next_cursor']}",
            as_="analyst",
        )
    )
    assert [r["id"] for r in page["items"] + rest] == [r["id"] for r in rows]
    assert (
        api.get(f"/submissions/{submission.pk}/history", as_="other_focal_point").status_code == 404
    )
