"""Two people answering the same submission: nothing either of them typed is lost.

The answer page carries each answer's version; a save from an older version is refused (409)
with both texts on the page, and the user chooses which one to keep."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.html_forms import form_fields
from tests.submissions import events, last_event

from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Answer, AnswerChange, Submission

pytestmark = pytest.mark.django_db

PRACTICE = "C01.good_practice"
STATUS = "C01.status"


@pytest.fixture
def kenya(review_round: Any, personas: dict[str, Any]) -> Submission:
    return actions.open_submission(
        review_round, Jurisdiction.objects.get(code="KE"), "unicef_country_office"
    )


@pytest.fixture
def focal_a(personas: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(personas["focal_point"])  # focal-ke
    return client


@pytest.fixture
def focal_b(make_user: Any, personas: dict[str, Any]) -> Client:
    """A second focal point of the same jurisdiction."""
    client = Client()
    client.force_login(make_user("focal-ke-2", "focal_point", "KE"))
    return client


def d1(submission: Submission) -> str:
    return reverse("submission", args=[submission.pk]) + "?domain=D1"


def loaded_form(client: Client, submission: Submission) -> dict[str, list[str]]:
    response = client.get(d1(submission))
    assert response.status_code == 200
    return form_fields(response.content.decode())


def answer(submission: Submission, code: str = PRACTICE) -> Answer:
    return Answer.objects.get(submission=submission, question__code=code)


def save_json(client: Client, submission: Submission, answers: dict[str, Any]) -> Any:
    return client.post(
        reverse("submission-save", args=[submission.pk]),
        data=json.dumps({"answers": answers}),
        content_type="application/json",
    )


def textarea(page: str, code: str) -> str:
    """The text of the answer box of ``code`` on ``page``."""
    found = re.search(
        rf'<textarea[^>]*name="{re.escape(code)}:value"[^>]*>\n?(.*?)</textarea>', page, re.S
    )
    assert found, f"no answer box for {code}"
    return unescape(found.group(1))


# --- The page carries versions ---------------------------------------------------------------


def test_the_page_carries_each_answers_version(
    focal_a: Client, kenya: Submission, personas: dict[str, Any]
) -> None:
    assert loaded_form(focal_a, kenya)[f"{STATUS}:version"] == ["0"]
    actions.save_answers(kenya, {STATUS: AnswerInput(value="no")}, source="test")
    actions.save_answers(kenya, {STATUS: AnswerInput(value="yes")}, source="test")
    assert loaded_form(focal_a, kenya)[f"{STATUS}:version"] == ["2"]


def test_a_plain_save_sends_only_the_answers_the_user_changed(
    focal_a: Client, focal_b: Client, kenya: Submission
) -> None:
    form_a = loaded_form(focal_a, kenya)
    form_b = loaded_form(focal_b, kenya)
    form_a[f"{STATUS}:value"] = ["partial"]
    assert focal_a.post(d1(kenya), form_a).status_code == 302
    # B changes another question of the same page, from a page loaded before A saved.
    form_b[f"{PRACTICE}:value"] = ["B's practice."]
    response = focal_b.post(d1(kenya), form_b)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert answer(kenya, STATUS).value == "partial", "B's page did not write C01.status back"
    assert answer(kenya).value == "B's practice."
    assert last_event("answers.save", kenya).detail["versions"] == {PRACTICE: 1}


# --- Plain form: a stale save ----------------------------------------------------------------


def test_a_stale_plain_save_shows_both_texts_and_keep_mine_saves_it(
    focal_a: Client, focal_b: Client, kenya: Submission
) -> None:
    form_a = loaded_form(focal_a, kenya)
    form_b = loaded_form(focal_b, kenya)
    form_a[f"{PRACTICE}:value"] = ["A task force meets monthly."]
    form_a[f"{PRACTICE}:evidence_url"] = ["https://example.org/a"]
    assert focal_a.post(d1(kenya), form_a).status_code == 302
    assert answer(kenya).version == 1

    form_b[f"{PRACTICE}:value"] = ["A helpline\nopened in 2020."]
    form_b[f"{STATUS}:value"] = ["yes"]
    refused = focal_b.post(d1(kenya), form_b)

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Nothing was saved" in page
    # B's text stays in the form; A's is shown beside it, with who saved it and when.
    assert textarea(page, PRACTICE) == "A helpline\nopened in 2020."
    conflict = page[page.index('class="conflict"') :]
    conflict = conflict[: conflict.index("</fieldset>")]
    saved_at = answer(kenya).updated_at.strftime("%Y-%m-%d %H:%M")
    assert "Your text" in conflict
    assert f"Saved meanwhile by focal-ke at {saved_at} UTC" in conflict
    assert "A task force meets monthly." in conflict
    assert "https://example.org/a" in conflict
    assert "A helpline\nopened in 2020." in conflict
    assert "Keep mine" in conflict and "Take theirs" in conflict
    # C01.status did not conflict; it was not saved either, and B's choice of it stays.
    assert 'value="yes" data-question="C01.status" data-field="value" checked' in page
    assert not Answer.objects.filter(question__code=STATUS).exists()
    assert (answer(kenya).value, answer(kenya).version) == ("A task force meets monthly.", 1)

    # B keeps their own text: the form now carries A's version.
    form = form_fields(page)
    assert form[f"{PRACTICE}:version"] == ["1"]
    assert form[f"{PRACTICE}:conflict"] == ["1"]
    form[f"{PRACTICE}:choice"] = ["mine"]
    kept = focal_b.post(d1(kenya), form)

    assert kept.status_code == 302, kept.content.decode()[:2000]
    saved = answer(kenya)
    assert (saved.value, saved.version) == ("A helpline\nopened in 2020.", 2)
    assert saved.evidence_url == "", "keep mine keeps all of B's answer, as B's form held it"
    assert saved.updated_by.username == "focal-ke-2"
    assert answer(kenya, STATUS).value == "yes"
    values = list(
        AnswerChange.objects.filter(answer=saved, field="value")
        .order_by("id")
        .values_list("changed_by__username", "old", "new")
    )
    assert values == [
        ("focal-ke", "", "A task force meets monthly."),
        ("focal-ke-2", "A task force meets monthly.", "A helpline\nopened in 2020."),
    ]
    history = focal_b.get(reverse("submission-history", args=[kenya.pk])).content.decode()
    assert "<ins>A task force meets monthly.</ins>" in history
    assert "<ins>A helpline\nopened in 2020.</ins>" in history


def test_take_theirs_keeps_the_saved_answer_and_saves_the_rest(
    focal_a: Client, focal_b: Client, kenya: Submission
) -> None:
    form_a = loaded_form(focal_a, kenya)
    form_b = loaded_form(focal_b, kenya)
    form_a[f"{PRACTICE}:value"] = ["A's text."]
    focal_a.post(d1(kenya), form_a)
    form_b[f"{PRACTICE}:value"] = ["B's text."]
    form_b[f"{STATUS}:value"] = ["no"]
    form = form_fields(focal_b.post(d1(kenya), form_b).content.decode())
    form[f"{PRACTICE}:choice"] = ["theirs"]

    assert focal_b.post(d1(kenya), form).status_code == 302
    assert (answer(kenya).value, answer(kenya).version) == ("A's text.", 1)
    assert answer(kenya, STATUS).value == "no"
    page = focal_b.get(d1(kenya)).content.decode()
    assert textarea(page, PRACTICE) == "A's text."


def test_saving_a_conflict_without_choosing_saves_nothing_and_asks_again(
    focal_a: Client, focal_b: Client, kenya: Submission
) -> None:
    form_a = loaded_form(focal_a, kenya)
    form_b = loaded_form(focal_b, kenya)
    form_a[f"{PRACTICE}:value"] = ["A's text."]
    focal_a.post(d1(kenya), form_a)
    form_b[f"{PRACTICE}:value"] = ["B's text."]
    form = form_fields(focal_b.post(d1(kenya), form_b).content.decode())
    form[f"{PRACTICE}:value"] = ["B's text, combined with A's."]

    again = focal_b.post(d1(kenya), form)

    assert again.status_code == 409
    page = again.content.decode()
    assert "choose which text to keep" in page
    assert textarea(page, PRACTICE) == "B's text, combined with A's."
    assert "A&#x27;s text." in page[page.index('class="conflict"') :]
    assert answer(kenya).value == "A's text."


def test_a_conflict_chosen_after_yet_another_save_is_shown_again(
    focal_a: Client, focal_b: Client, kenya: Submission
) -> None:
    form_a = loaded_form(focal_a, kenya)
    form_b = loaded_form(focal_b, kenya)
    form_a[f"{PRACTICE}:value"] = ["A's first text."]
    focal_a.post(d1(kenya), form_a)
    form_b[f"{PRACTICE}:value"] = ["B's text."]
    form = form_fields(focal_b.post(d1(kenya), form_b).content.decode())
    # A saves again while B decides.
    form_a = loaded_form(focal_a, kenya)
    form_a[f"{PRACTICE}:value"] = ["A's second text."]
    focal_a.post(d1(kenya), form_a)
    form[f"{PRACTICE}:choice"] = ["mine"]

    refused = focal_b.post(d1(kenya), form)

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "A&#x27;s second text." in page and textarea(page, PRACTICE) == "B's text."
    assert form_fields(page)[f"{PRACTICE}:version"] == ["2"]
    assert answer(kenya).value == "A's second text."


def test_a_garbled_version_is_shown_as_a_conflict_not_saved_over(
    focal_a: Client, kenya: Submission
) -> None:
    actions.save_answers(kenya, {PRACTICE: AnswerInput(value="Stored text.")}, source="test")
    form = loaded_form(focal_a, kenya)
    form[f"{PRACTICE}:version"] = ["1e3"]
    form[f"{PRACTICE}:value"] = ["My text."]

    response = focal_a.post(d1(kenya), form)

    assert response.status_code == 409
    page = response.content.decode()
    assert textarea(page, PRACTICE) == "My text."
    assert "Saved meanwhile by an operator" in page
    assert answer(kenya).value == "Stored text."


# --- JSON endpoint ---------------------------------------------------------------------------


def test_json_save_answers_with_the_new_versions(focal_a: Client, kenya: Submission) -> None:
    first = save_json(focal_a, kenya, {STATUS: {"value": "no", "expected_version": 0}})
    assert first.status_code == 200
    assert first.json()["versions"] == {STATUS: 1}
    second = save_json(
        focal_a,
        kenya,
        {STATUS: {"value": "yes", "expected_version": 1}, PRACTICE: {"expected_version": 0}},
    )
    assert second.status_code == 200
    assert second.json()["versions"] == {STATUS: 2, PRACTICE: 0}
    assert second.json()["changed"] == 1


def test_a_stale_json_save_is_a_409_with_the_current_answer(
    focal_a: Client, focal_b: Client, kenya: Submission
) -> None:
    assert save_json(focal_a, kenya, {PRACTICE: {"value": "A's text.", "expected_version": 0}})
    history = AnswerChange.objects.count()
    saves = len(events("answers.save", kenya))

    refused = save_json(
        focal_b,
        kenya,
        {
            PRACTICE: {"value": "B's text.", "expected_version": 0},
            STATUS: {"value": "yes", "expected_version": 0},
        },
    )

    assert refused.status_code == 409
    body = refused.json()
    assert body["editable"] is True
    assert list(body["conflicts"]) == [PRACTICE]
    conflict = body["conflicts"][PRACTICE]
    assert conflict["value"] == "A's text."
    assert (conflict["version"], conflict["expected_version"]) == (1, 0)
    assert conflict["updated_by"] == "focal-ke"
    assert conflict["updated_at"] == answer(kenya).updated_at.isoformat()
    assert PRACTICE in body["error"]
    assert AnswerChange.objects.count() == history
    assert len(events("answers.save", kenya)) == saves
    assert not Answer.objects.filter(question__code=STATUS).exists()

    kept = save_json(focal_b, kenya, {PRACTICE: {"value": "B's text.", "expected_version": 1}})
    assert kept.status_code == 200
    assert kept.json()["versions"] == {PRACTICE: 2}
    assert answer(kenya).value == "B's text."


@pytest.mark.parametrize("version", ["1", 1.0, True, -1, None, [1], {"v": 1}])
def test_an_expected_version_that_is_not_a_whole_number_is_a_400(
    focal_a: Client, kenya: Submission, version: object
) -> None:
    response = save_json(focal_a, kenya, {STATUS: {"value": "no", "expected_version": version}})
    assert response.status_code == 400
    assert "answers.C01.status.expected_version must be a whole number" in response.json()["error"]
    assert not Answer.objects.exists()
