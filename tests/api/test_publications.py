"""Publications, their findings and publishing through the API: the public reads the latest
publication only, and never the live round; an unpublished round is not found for it."""

from __future__ import annotations

from typing import Any

import pytest
from tests.publishing import validate_and_publish

from mnr.audit.models import AuditEvent
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.models import Publication
from mnr.surveys.actions import (
    AnswerInput,
    open_submission,
    reopen,
    save_answers,
    set_round_status,
    update_round,
)
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    return error


def _change_live_answer(round_: Any, code: str, value: str) -> None:
    """Open the round again and change one jurisdiction's answer (its submission returned)."""
    set_round_status(round_, Round.Status.OPEN, source="test")
    submission = Submission.objects.get(round=round_, jurisdiction__code=code)
    reopen(submission, "correction", source="test")
    save_answers(submission, {"C11.status": AnswerInput(value=value)}, source="test")


def _republish_with(round_: Any, code: str, value: str, note: str = "second") -> Publication:
    """Change one jurisdiction's answer and publish again (publication 2)."""
    _change_live_answer(round_, code, value)
    return validate_and_publish(round_, note)


def _total(items: list[dict[str, Any]], question: str = "C11.status") -> dict[str, Any]:
    return next(i for i in items if i["question"] == question and i["group"] is None)


def test_anonymous_lists_the_latest_publication_only_without_its_history(
    api: Any, published_review_round: Any
) -> None:
    round_ = published_review_round
    second = _republish_with(round_, "KE", "no")
    listed = api.get("/publications")
    assert listed.status_code == 200
    assert [p["number"] for p in listed.json()["items"]] == [2]
    item = listed.json()["items"][0]
    assert item["id"] == second.pk and item["round"] == round_.code
    assert item["note"] == "second" and item["participants"] == 3
    assert item["submissions"] is None and item["left_out"] is None and item["changes"] is None

    in_round = api.get(f"/rounds/{round_.code}/publications").json()["items"]
    assert [p["number"] for p in in_round] == [2]


def test_analyst_sees_every_publication_with_what_changed(
    api: Any, published_review_round: Any
) -> None:
    round_ = published_review_round
    # A threshold of 1 shows the totals of three participants, so that they can change.
    update_round(round_, disclosure_threshold=1, source="test")
    second = _republish_with(round_, "KE", "no")
    items = api.get(f"/rounds/{round_.code}/publications", as_="analyst").json()["items"]
    assert [p["number"] for p in items] == [1, 2]
    latest = api.get(f"/publications/{second.pk}", as_="analyst").json()
    assert latest["submissions"] == 3 and latest["left_out"] == []

    def given(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{key: value for key, value in c.items() if value is not None} for c in changes]

    assert given(latest["changes"]) == given(second.changes) and latest["changes"]
    # The public list of latest publications is the same one for the analyst.
    assert [p["id"] for p in api.get("/publications", as_="analyst").json()["items"]] == [second.pk]


def test_an_earlier_publication_is_not_found_for_the_public_nor_focal_points(
    api: Any, published_review_round: Any
) -> None:
    round_ = published_review_round
    first = Publication.objects.get(round=round_, number=1)
    _republish_with(round_, "KE", "no")
    for persona in ("anonymous", "focal_point", "other_focal_point"):
        for path in (f"/publications/{first.pk}", f"/publications/{first.pk}/findings"):
            response = api.get(path, as_=persona)
            assert response.status_code == 404, (persona, path)
            assert _error(response)["code"] == "not_found"
    for persona in ("analyst", "reviewer", "administrator"):
        assert api.get(f"/publications/{first.pk}/findings", as_=persona).status_code == 200


def test_an_unpublished_round_is_not_found_for_the_public(api: Any, review_round: Any) -> None:
    for path in (
        f"/rounds/{review_round.code}/publications",
        f"/rounds/{review_round.code}/findings",
        f"/rounds/{review_round.code}/exports/findings?format=json",
    ):
        response = api.get(path)
        assert response.status_code == 404, path
        assert _error(response)["code"] == "not_found"
    assert api.get("/publications").json()["items"] == []
    # Its analysts see the live round.
    live = api.get(f"/rounds/{review_round.code}/findings", as_="analyst").json()
    assert live["live"] is True and live["publication"] is None


def test_anonymous_round_findings_are_the_publication_never_the_live_round(
    api: Any, published_review_round: Any
) -> None:
    round_ = published_review_round
    publication = Publication.objects.get(round=round_)
    _change_live_answer(round_, "SE", "yes")
    public = api.get(f"/rounds/{round_.code}/findings")
    assert public.status_code == 200
    body = public.json()
    assert body["live"] is False and body["publication"] == 1
    frozen = api.get(f"/publications/{publication.pk}/findings").json()
    assert body["items"] == frozen["items"]
    # Three participants under k + 1 = 4: the public total is withheld, numbers empty.
    total = _total(body["items"])
    assert total["suppressed"] and total["numerator"] is None
    assert set(total["counts"].values()) == {None}

    live = api.get(f"/rounds/{round_.code}/findings", as_="analyst").json()
    assert live["live"] is True and live["publication"] is None
    counted = _total(live["items"])
    assert counted["counts"]["yes"] == 2 and not counted["suppressed"]
    # The analyst reading the publication reads it frozen, as the public does.
    as_analyst = api.get(f"/publications/{publication.pk}/findings", as_="analyst").json()
    assert as_analyst["items"] == frozen["items"]


def test_live_findings_by_status_are_for_analysts_only(
    api: Any, published_review_round: Any
) -> None:
    round_ = published_review_round
    _change_live_answer(round_, "SE", "yes")  # SE reopened: returned, not validated
    path = f"/rounds/{round_.code}/findings?status=validated"
    validated = _total(api.get(path, as_="analyst").json()["items"])
    assert validated["counts"]["yes"] == 1 and validated["counts"]["blank"] == 1
    # For the public the status does not apply: the publication is served.
    public = api.get(path).json()
    assert public["publication"] == 1 and public["live"] is False


def test_findings_are_paginated_over_the_frozen_list(api: Any, published_review_round: Any) -> None:
    publication = Publication.objects.get(round=published_review_round)
    path = f"/publications/{publication.pk}/findings?by=income-group"
    whole = api.get(path).json()
    assert whole["next_cursor"] is None and len(whole["items"]) > 2
    served, cursor = [], None
    while True:
        page = api.get(path + "&limit=2" + (f"&cursor={cursor}" if cursor else "")).json()
        served += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert served == whole["items"]
    assert {item["by"] for item in served} == {"income-group"}


@pytest.mark.parametrize(
    ("query", "field"),
    [("by=continent", "query.by"), ("lang=de", "query.lang"), ("cursor=zzz", "query.cursor")],
)
def test_bad_findings_queries_name_the_field(
    api: Any, published_review_round: Any, query: str, field: str
) -> None:
    publication = Publication.objects.get(round=published_review_round)
    response = api.get(f"/publications/{publication.pk}/findings?{query}")
    assert response.status_code == 422, response.content
    error = _error(response)
    assert error["details"][0]["field"] == field
    if field == "query.by":
        assert "income-group" in error["message"]


def test_an_unknown_status_names_the_valid_ones(api: Any, published_review_round: Any) -> None:
    response = api.get(
        f"/rounds/{published_review_round.code}/findings?status=approved", as_="analyst"
    )
    assert response.status_code == 422
    error = _error(response)
    assert error["details"][0]["field"] == "query.status" and "validated" in error["message"]


def test_sentences_follow_the_language(api: Any, published_review_round: Any) -> None:
    round_ = published_review_round
    english = api.get(f"/rounds/{round_.code}/findings", as_="analyst").json()["items"]
    french = api.get(f"/rounds/{round_.code}/findings?lang=fr", as_="analyst").json()["items"]
    sentences = [(e["sentence"], f["sentence"]) for e, f in zip(english, french, strict=True)]
    assert any(e and f and e != f for e, f in sentences)


def test_analyst_publishes_through_the_api_with_an_audit_event(
    api: Any, published_review_round: Any, personas: dict[str, Any]
) -> None:
    round_ = published_review_round
    response = api.post(
        f"/rounds/{round_.code}/publications", as_="analyst", body={"note": "  corrected  "}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 2 and body["note"] == "corrected" and body["round"] == round_.code
    stored = Publication.objects.get(pk=body["id"])
    assert stored.created_by == personas["analyst"]
    event = AuditEvent.objects.get(verb="round.publish", object_id=str(stored.pk))
    assert event.source == "api" and event.actor == personas["analyst"]
    assert event.detail["number"] == 2 and event.detail["round"] == round_.code


@pytest.mark.parametrize(
    ("persona", "status"),
    [("reviewer", 403), ("focal_point", 403), ("other_focal_point", 403), ("anonymous", 401)],
)
def test_only_analysts_publish(
    api: Any, published_review_round: Any, persona: str, status: int
) -> None:
    round_ = published_review_round
    response = api.post(f"/rounds/{round_.code}/publications", as_=persona, body={"note": "x"})
    assert response.status_code == status, response.content
    assert Publication.objects.filter(round=round_).count() == 1
    assert AuditEvent.objects.filter(verb="round.publish", source="api").count() == 0


def test_a_round_without_validated_submissions_is_refused_with_the_reason(
    api: Any, review_round: Any
) -> None:
    submission = open_submission(review_round, Jurisdiction.objects.get(code="KE"), "government")
    save_answers(submission, {"C11.status": AnswerInput(value="yes")}, source="test")
    response = api.post(f"/rounds/{review_round.code}/publications", as_="analyst", body={})
    assert response.status_code == 400
    assert "no validated submission" in _error(response)["message"]
    assert not Publication.objects.exists()


def test_a_note_that_is_not_text_names_the_field(api: Any, published_review_round: Any) -> None:
    response = api.post(
        f"/rounds/{published_review_round.code}/publications",
        as_="analyst",
        body={"note": ["a", "list"]},
    )
    assert response.status_code == 422
    assert _error(response)["details"][0]["field"] == "body.payload.note"
    assert Publication.objects.filter(round=published_review_round).count() == 1


def test_two_analysts_publishing_get_consecutive_numbers(
    api: Any, published_review_round: Any, make_user: Any
) -> None:
    """Publishing is not versioned: each publish freezes the round anew, numbered in turn."""
    round_ = published_review_round
    first = api.post(f"/rounds/{round_.code}/publications", as_="analyst", body={"note": "a"})
    second = api.post(
        f"/rounds/{round_.code}/publications", as_="administrator", body={"note": "b"}
    )
    assert (first.json()["number"], second.json()["number"]) == (2, 3)
    assert second.json()["changes"] == []
