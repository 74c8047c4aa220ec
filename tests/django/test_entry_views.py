"""Answer entry and review pages: who may do what, save-as-you-go, skip logic, history."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mnr.frameworks.models import InstrumentQuestion
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Answer, AnswerChange, Submission
from mnr.web.questionnaire import build_questionnaire, progress_json

pytestmark = pytest.mark.django_db

PERSONAS = ("administrator", "analyst", "reviewer", "focal_point", "other_focal_point", "anonymous")
LOGIN = "login"


@pytest.fixture
def kenya(review_round: Any, personas: dict[str, Any]) -> Submission:
    return actions.open_submission(
        review_round, Jurisdiction.objects.get(code="KE"), "unicef_country_office"
    )


def client_for(persona: str, personas: dict[str, Any]) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(personas[persona])
    return client


def required_answers(submission: Submission) -> dict[str, AnswerInput]:
    """A first choice (or some text) for every required question asked of the channel."""
    return {
        q.code: AnswerInput(value=q.choice_codes[0] if q.choice_codes else "Some text.")
        for q in submission.round.instrument.questions.filter(required=True)
        if q.asked_of(submission.channel)
    }


def complete(submission: Submission) -> None:
    actions.save_answers(submission, required_answers(submission), source="test")


def submitted(submission: Submission) -> None:
    complete(submission)
    actions.submit(submission, source="test")


def validated(submission: Submission) -> None:
    submitted(submission)
    actions.validate(submission, source="test")


def _post_json(client: Client, url: str, body: object) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


# Each row: URL name, how it is called, the state the submission is put in first, and what
# each persona gets (a status code, or LOGIN for a redirect to the sign-in page).
REQUESTS = {
    "list": ("submissions", "get", None),
    "start": ("submissions", "start", None),
    "page": ("submission", "get", None),
    "form": ("submission", "form", None),
    "save": ("submission-save", "json", None),
    "confirm": ("submission-submit", "get", complete),
    "submit": ("submission-submit", "confirmed", complete),
    "comment": ("submission-comment", "question-comment", submitted),
    "review": ("submission-review", "get", submitted),
    "return": ("submission-return", "comment", submitted),
    "validate": ("submission-validate", "post", submitted),
    "reopen": ("submission-reopen", "comment", validated),
    "history": ("submission-history", "get", None),
}
EXPECTED = {
    #            admin analyst reviewer focal other anonymous
    "list": (200, 200, 200, 200, 200, LOGIN),
    "start": (302, 302, 403, 302, 403, LOGIN),
    "page": (200, 200, 200, 200, 404, LOGIN),
    "form": (302, 403, 403, 302, 404, LOGIN),
    "save": (200, 403, 403, 200, 404, 401),
    "confirm": (200, 403, 403, 200, 404, LOGIN),
    "submit": (302, 403, 403, 302, 404, LOGIN),
    "comment": (302, 302, 302, 403, 404, LOGIN),
    "review": (200, 200, 200, 403, 404, LOGIN),
    "return": (302, 403, 302, 403, 404, LOGIN),
    "validate": (302, 403, 302, 403, 404, LOGIN),
    "reopen": (302, 302, 403, 403, 404, LOGIN),
    "history": (200, 200, 200, 200, 404, LOGIN),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("request_name", list(REQUESTS))
def test_every_url_answers_each_persona_as_its_role_allows(
    personas: dict[str, Any], kenya: Submission, request_name: str, persona: str
) -> None:
    name, how, state = REQUESTS[request_name]
    expected = EXPECTED[request_name][PERSONAS.index(persona)]
    if state:
        state(kenya)
    client = client_for(persona, personas)
    url = reverse(name) if name == "submissions" else reverse(name, args=[kenya.pk])
    if how == "get":
        response = client.get(url)
    elif how == "start":
        response = client.post(
            url, {"round": "test-2021", "jurisdiction": "KE", "channel": "government"}
        )
    elif how == "form":
        response = client.post(
            url, {"question": "MNR.used_as_reference", "MNR.used_as_reference:value": "yes"}
        )
    elif how == "json":
        response = _post_json(client, url, {"answers": {"C01.status": {"value": "yes"}}})
    elif how == "comment":
        response = client.post(url, {"comment": "Please check C11."})
    elif how == "confirmed":
        response = client.post(url, {"confirmed": "yes"})
    elif how == "question-comment":
        response = client.post(url, {"question": "C11.status", "body": "Is this in law?"})
    else:
        response = client.post(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    else:
        assert response.status_code == expected, response.content[:500]


def test_a_page_of_another_jurisdiction_is_not_found_for_a_focal_point(
    personas: dict[str, Any], kenya: Submission
) -> None:
    client = client_for("other_focal_point", personas)
    assert client.get(reverse("submission", args=[kenya.pk]) + "?domain=D1").status_code == 404
    assert "Kenya" not in client.get(reverse("submissions")).content.decode()


def test_refused_requests_change_nothing(personas: dict[str, Any], kenya: Submission) -> None:
    _post_json(
        client_for("reviewer", personas),
        reverse("submission-save", args=[kenya.pk]),
        {"answers": {"C01.status": {"value": "yes"}}},
    )
    client_for("focal_point", personas).post(
        reverse("submission-return", args=[kenya.pk]), {"comment": "x"}
    )
    assert not Answer.objects.exists()
    assert not kenya.transitions.exists()


# --- Save as you go --------------------------------------------------------------------------


def test_save_endpoint_saves_and_answers_with_the_progress(
    personas: dict[str, Any], kenya: Submission
) -> None:
    response = _post_json(
        client_for("focal_point", personas),
        reverse("submission-save", args=[kenya.pk]),
        {"answers": {"C01.status": {"value": "partial", "comment": "A unit was set up."}}},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["changed"] == 2
    assert body["versions"] == {"C01.status": 1}
    assert body["progress"]["sections"]["D1"]["answered"] == 1
    required_d1 = sum(
        1
        for q in kenya.round.instrument.questions.filter(domain="D1", required=True)
        if q.asked_of(kenya.channel)
    )
    assert body["progress"]["sections"]["D1"]["required"] == required_d1
    assert body["progress"]["overall"]["answered"] == 1
    change = AnswerChange.objects.get(field="value")
    assert (change.old, change.new, change.source) == ("", "partial", "web")
    assert change.changed_by == personas["focal_point"]


def test_save_endpoint_refuses_a_choice_not_offered_and_saves_nothing(
    personas: dict[str, Any], kenya: Submission
) -> None:
    response = _post_json(
        client_for("focal_point", personas),
        reverse("submission-save", args=[kenya.pk]),
        {"answers": {"C01.status": {"value": "yes"}, "C04.status": {"value": "maybe"}}},
    )
    assert response.status_code == 400
    assert "'maybe' is not among the choices of C04.status" in response.json()["error"]
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "not JSON"),
        ({"C01.status": "yes"}, "no answers in the request"),
        ({"answers": {"C01.status": "yes"}}, "answers.C01.status must be an object"),
        ({"answers": {"C01.status": {"value": 1}}}, "answers.C01.status.value must be text"),
        ({"answers": {"C01.status": {"colour": "red"}}}, "unknown field(s) colour"),
        ({"answers": {"C01.status": {"publishable": "yes"}}}, "must be true or false"),
        (
            {"answers": {"C01.status": {"value": "yes", "expected_version": "0"}}},
            "answers.C01.status.expected_version must be a whole number",
        ),
        ({"answers": {"C99.status": {"value": "yes"}}}, "unknown question 'C99.status'"),
        (
            {"answers": {"C01.status": {"evidence_url": "ftp://x.org/a"}}},
            "is not an http(s) address",
        ),
    ],
)
def test_save_endpoint_says_what_is_wrong_with_a_bad_request(
    personas: dict[str, Any], kenya: Submission, body: object, message: str
) -> None:
    client = client_for("focal_point", personas)
    url = reverse("submission-save", args=[kenya.pk])
    if isinstance(body, str):
        response = client.post(url, data=body, content_type="application/json")
    else:
        response = _post_json(client, url, body)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Answer.objects.exists()


def test_save_endpoint_refuses_a_validated_submission_as_a_conflict(
    personas: dict[str, Any], kenya: Submission
) -> None:
    validated(kenya)
    response = _post_json(
        client_for("focal_point", personas),
        reverse("submission-save", args=[kenya.pk]),
        {"answers": {"C01.status": {"value": "no"}}},
    )
    assert response.status_code == 409
    assert "is validated" in response.json()["error"]
    assert Answer.objects.get(question__code="C01.status").value == "yes"


def test_save_endpoint_tells_a_signed_out_page_to_sign_in_again(kenya: Submission) -> None:
    response = _post_json(
        Client(),
        reverse("submission-save", args=[kenya.pk]),
        {"answers": {"C01.status": {"value": "yes"}}},
    )
    assert response.status_code == 401
    assert "Sign in again" in response.json()["error"]


def test_plain_form_post_saves_the_page_without_javascript(
    personas: dict[str, Any], kenya: Submission
) -> None:
    url = reverse("submission", args=[kenya.pk]) + "?domain=D1"
    response = client_for("focal_point", personas).post(
        url,
        {
            "question": ["C01.status", "C01.good_practice"],
            "C01.status:value": "yes",
            "C01.status:comment": "",
            "C01.status:evidence_url": " https://example.org/strategy ",
            "C01.good_practice:value": "A task force\r\nmeets monthly.",
            "C01.good_practice:publishable": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url
    answers = {a.question.code: a for a in kenya.answers.select_related("question")}
    assert answers["C01.status"].value == "yes"
    assert answers["C01.status"].evidence_url == "https://example.org/strategy"
    assert answers["C01.good_practice"].value == "A task force\nmeets monthly."
    assert answers["C01.good_practice"].publishable
    assert not answers["C01.status"].publishable


def test_plain_form_post_that_fails_shows_the_input_again_and_saves_nothing(
    personas: dict[str, Any], kenya: Submission
) -> None:
    response = client_for("focal_point", personas).post(
        reverse("submission", args=[kenya.pk]) + "?domain=D1",
        {
            "question": ["C01.status", "C01.challenges"],
            "C01.status:value": "partial",
            "C01.status:evidence_url": "not a web address",
            "C01.challenges:value": "Funding is short.",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not an http(s) address" in page
    assert 'value="not a web address"' in page
    assert "Funding is short.</textarea>" in page
    assert 'value="partial" data-question="C01.status" data-field="value" checked' in page
    assert not Answer.objects.exists()


# --- Questionnaire ---------------------------------------------------------------------------


def test_domain_page_shows_capabilities_with_description_and_phase_descriptors(
    personas: dict[str, Any], kenya: Submission
) -> None:
    page = (
        client_for("focal_point", personas)
        .get(reverse("submission", args=[kenya.pk]) + "?domain=D1")
        .content.decode()
    )
    c01 = kenya.round.instrument.edition.capabilities.get(code="C01")
    assert "C01 Leadership" in page
    assert c01.description["en"] in page
    for descriptor in c01.phase_descriptors.all():
        assert descriptor.text["en"] in page
    assert '<label for="q-C01_status-comment">Comment</label>' in page
    assert 'data-save-url="' + reverse("submission-save", args=[kenya.pk]) in page
    assert "C04.status" not in page  # D2 is on its own page


def test_answer_fields_hold_no_more_than_the_server_takes(
    personas: dict[str, Any], kenya: Submission
) -> None:
    from mnr.core.limits import MAX_ANSWER_LENGTH, MAX_COMMENT_LENGTH, MAX_URL_LENGTH

    page = (
        client_for("focal_point", personas)
        .get(reverse("submission", args=[kenya.pk]) + "?domain=D1")
        .content.decode()
    )
    assert f'name="C01.good_practice:value" rows="3" maxlength="{MAX_ANSWER_LENGTH}"' in page
    assert f'name="C01.status:comment" rows="2" maxlength="{MAX_COMMENT_LENGTH}"' in page
    assert f'inputmode="url" maxlength="{MAX_URL_LENGTH}"' in page


def test_merged_capabilities_are_shown_together(
    personas: dict[str, Any], kenya: Submission
) -> None:
    page = (
        client_for("focal_point", personas)
        .get(reverse("submission", args=[kenya.pk]) + "?domain=D5")
        .content.decode()
    )
    assert 'id="C16-C17"' in page
    assert "Maturity phases of C17" in page


def test_unknown_domain_is_not_found(personas: dict[str, Any], kenya: Submission) -> None:
    client = client_for("focal_point", personas)
    assert client.get(reverse("submission", args=[kenya.pk]) + "?domain=D9").status_code == 404


def test_each_channel_gets_its_own_question_set(
    personas: dict[str, Any], kenya: Submission, review_round: Any
) -> None:
    government = actions.open_submission(
        review_round, Jurisdiction.objects.get(code="KE"), "government"
    )
    client = client_for("focal_point", personas)

    def d1(submission: Submission) -> str:
        url = reverse("submission", args=[submission.pk]) + "?domain=D1"
        return client.get(url).content.decode()

    assert 'data-question="C03.laws_adequate"' in d1(kenya)
    assert "C03.laws_adequate" not in d1(government)
    response = _post_json(
        client,
        reverse("submission-save", args=[government.pk]),
        {"answers": {"C03.laws_adequate": {"value": "no"}}},
    )
    assert response.status_code == 400
    assert "not asked through channel government" in response.json()["error"]


@pytest.fixture
def governance_asked_only_with_a_national_body(kenya: Submission) -> InstrumentQuestion:
    """Make a required question depend on another one, as skip logic in an instrument does."""
    question = kenya.round.instrument.questions.get(code="C01.governance_mechanism")
    question.relevant = {"question": "C01.status", "values": ["yes", "partial"]}
    question.save()
    return question


def test_a_question_that_does_not_apply_is_not_required_to_submit(
    personas: dict[str, Any], kenya: Submission, governance_asked_only_with_a_national_body: Any
) -> None:
    answers = required_answers(kenya)
    answers["C01.status"] = AnswerInput(value="no")
    del answers["C01.governance_mechanism"]
    actions.save_answers(kenya, answers, source="test")
    client = client_for("focal_point", personas)

    page = client.get(reverse("submission", args=[kenya.pk]) + "?domain=D1").content.decode()
    fieldset = page[page.index('id="q-C01_governance_mechanism"') - 200 :]
    fieldset = fieldset[: fieldset.index("</legend>")]
    assert "not-applicable" in fieldset
    assert 'data-relevant-question="C01.status" data-relevant-values="yes partial"' in fieldset
    assert " disabled>" in fieldset
    assert build_questionnaire(kenya).missing == []

    response = client.post(reverse("submission-submit", args=[kenya.pk]), {"confirmed": "yes"})
    assert response.status_code == 302
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.SUBMITTED


def test_a_question_that_applies_is_required_again(
    personas: dict[str, Any], kenya: Submission, governance_asked_only_with_a_national_body: Any
) -> None:
    answers = required_answers(kenya)
    del answers["C01.governance_mechanism"]
    actions.save_answers(kenya, answers, source="test")  # C01.status is "yes"
    assert [e.code for e in build_questionnaire(kenya).missing] == ["C01.governance_mechanism"]
    assert [q.code for q in actions.missing_required(kenya)] == ["C01.governance_mechanism"]
    response = client_for("focal_point", personas).post(
        reverse("submission-submit", args=[kenya.pk]), {"confirmed": "yes"}
    )
    assert response.status_code == 400
    assert "?domain=D1#q-C01_governance_mechanism" in response.content.decode()


def test_submitting_with_answers_missing_lists_each_with_a_link(
    personas: dict[str, Any], kenya: Submission
) -> None:
    actions.save_answers(kenya, {"C01.status": AnswerInput(value="yes")}, source="test")
    response = client_for("focal_point", personas).post(
        reverse("submission-submit", args=[kenya.pk]), {"confirmed": "yes"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "required questions are unanswered" in page
    missing = actions.missing_required(kenya)
    assert f"Not submitted: {len(missing)} required questions still unanswered" in page
    for question in missing:
        anchor = "q-" + question.code.replace(".", "_")
        section = f"?domain={question.domain}" if question.domain else ""
        assert f"{reverse('submission', args=[kenya.pk])}{section}#{anchor}" in page
    assert "?domain=D1#q-C01_status" not in page
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.DRAFT


def _answer_everything(submission: Submission) -> None:
    actions.save_answers(
        submission,
        {
            q.code: AnswerInput(
                value=q.choice_codes[-1] if q.choice_codes else "Text.",
                comment="Noted.",
                evidence_url="https://example.org/",
            )
            for q in submission.round.instrument.questions.all()
            if q.asked_of(submission.channel)
        },
        source="test",
    )


@pytest.mark.parametrize("domain", ["", "?domain=D1"])
def test_answer_page_queries_do_not_grow_with_the_answers(
    personas: dict[str, Any], kenya: Submission, domain: str
) -> None:
    client = client_for("focal_point", personas)
    url = reverse("submission", args=[kenya.pk]) + domain
    client.get(url)  # the session and the first-use caches
    with CaptureQueriesContext(connection) as empty:
        client.get(url)
    _answer_everything(kenya)
    with CaptureQueriesContext(connection) as full:
        response = client.get(url)
    assert kenya.answers.count() > 80
    assert "Noted.</textarea>" in response.content.decode()  # the answers are on the page
    assert len(full) == len(empty), [q["sql"] for q in full]
    assert len(full) <= 20


def test_review_page_queries_do_not_grow_with_the_answers(
    personas: dict[str, Any], kenya: Submission
) -> None:
    client = client_for("reviewer", personas)
    url = reverse("submission-review", args=[kenya.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as empty:
        client.get(url)
    _answer_everything(kenya)
    with CaptureQueriesContext(connection) as full:
        client.get(url)
    assert len(full) == len(empty)


# --- Review and history ----------------------------------------------------------------------


def test_history_shows_who_when_which_field_old_new_and_source(
    personas: dict[str, Any], kenya: Submission
) -> None:
    focal_point = personas["focal_point"]
    actions.save_answers(
        kenya, {"C02.status": AnswerInput(value="partial")}, acting_user=focal_point
    )
    actions.save_answers(
        kenya,
        {"C02.status": AnswerInput(value="yes", evidence_url="https://example.org/report")},
        acting_user=focal_point,
        source="import",
    )
    change = AnswerChange.objects.filter(field="value").last()
    assert change is not None
    when = change.changed_at.strftime("%Y-%m-%d %H:%M")
    for name in ("submission", "submission-history", "submission-review"):
        persona = "reviewer" if name == "submission-review" else "focal_point"
        page = client_for(persona, personas).get(reverse(name, args=[kenya.pk])).content.decode()
        assert "<del>Partly</del> → <ins>Yes</ins>" in page
        assert "<del>(blank)</del> → <ins>Partly</ins>" in page
        assert "<ins>https://example.org/report</ins>" in page
        assert "<td>Evidence</td>" in page
        assert "<td>focal-ke</td>" in page
        assert "<td>import</td>" in page and "<td>web</td>" in page
        assert when in page


def test_return_needs_a_comment_which_the_focal_point_then_sees(
    personas: dict[str, Any], kenya: Submission
) -> None:
    submitted(kenya)
    reviewer = client_for("reviewer", personas)
    response = reviewer.post(reverse("submission-return", args=[kenya.pk]), {"comment": "  "})
    assert response.status_code == 400
    assert "returning a submission needs a comment" in response.content.decode()
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.SUBMITTED

    response = reviewer.post(
        reverse("submission-return", args=[kenya.pk]),
        {"comment": "Please add evidence for the helpline (C11)."},
    )
    assert response.status_code == 302
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.RETURNED
    page = (
        client_for("focal_point", personas)
        .get(reverse("submission", args=[kenya.pk]) + "?domain=D3")
        .content.decode()
    )
    banner = page[page.index('class="return-comment"') :]
    banner = banner[: banner.index("</section>")]
    assert "Please add evidence for the helpline (C11)." in banner
    assert "reviewer returned this submission" in banner
    assert "data-save-url" in page  # returned submissions can be changed again


def test_a_validated_submission_is_locked_until_an_analyst_reopens_it(
    personas: dict[str, Any], kenya: Submission
) -> None:
    submitted(kenya)
    assert (
        client_for("reviewer", personas)
        .post(reverse("submission-validate", args=[kenya.pk]), {"comment": ""})
        .status_code
        == 302
    )
    focal_point = client_for("focal_point", personas)
    url = reverse("submission", args=[kenya.pk]) + "?domain=D1"
    page = focal_point.get(url).content.decode()
    assert "Validated and locked." in page
    assert "data-save-url" not in page and "<textarea" not in page
    assert "Submit for review" not in focal_point.get(url.split("?")[0]).content.decode()
    response = focal_point.post(url, {"question": "C01.status", "C01.status:value": "no"})
    assert response.status_code == 400
    assert "is validated" in response.content.decode()

    analyst = client_for("analyst", personas)
    review = reverse("submission-review", args=[kenya.pk])
    assert "Reopen for changes" in analyst.get(review).content.decode()
    reopen = reverse("submission-reopen", args=[kenya.pk])
    assert analyst.post(reopen, {"comment": ""}).status_code == 400
    analyst.post(reopen, {"comment": "A figure was mistyped."})
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.RETURNED
    assert "A figure was mistyped." in focal_point.get(url).content.decode()
    assert "data-save-url" in focal_point.get(url).content.decode()


def test_review_page_shows_every_answer_read_only_and_the_actions(
    personas: dict[str, Any], kenya: Submission
) -> None:
    submitted(kenya)
    page = (
        client_for("reviewer", personas)
        .get(reverse("submission-review", args=[kenya.pk]))
        .content.decode()
    )
    assert "Return for changes" in page and "Validate" in page
    assert "<fieldset" not in page.split("History of changes")[0].split("Answers")[-1]
    for code in ("MNR.used_as_reference", "C01.status", "C21.status", "C03.laws_adequate"):
        assert f'id="q-{code.replace(".", "_")}"' in page


def test_my_submissions_lists_only_visible_ones_and_starts_a_channel(
    personas: dict[str, Any], kenya: Submission, review_round: Any
) -> None:
    client = client_for("focal_point", personas)
    page = client.get(reverse("submissions")).content.decode()
    assert "Kenya" in page and "Sweden" not in page
    # The start forms come before the forms that add another respondent.
    start = page.split("<h2>Add a respondent")[0]
    assert '<input type="hidden" name="channel" value="government">' in start
    assert 'name="channel" value="unicef_country_office"' not in start  # started already

    response = client.post(
        reverse("submissions"),
        {"round": review_round.code, "jurisdiction": "KE", "channel": "government"},
    )
    government = Submission.objects.get(jurisdiction__code="KE", channel="government")
    assert response["Location"] == reverse("submission", args=[government.pk])
    assert (
        'name="channel" value="government"'
        not in client.get(reverse("submissions")).content.decode().split("<h2>Add a respondent")[0]
    )


def test_a_focal_point_cannot_start_another_jurisdictions_submission(
    personas: dict[str, Any], review_round: Any
) -> None:
    response = client_for("other_focal_point", personas).post(
        reverse("submissions"),
        {"round": review_round.code, "jurisdiction": "KE", "channel": "government"},
    )
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_round_page_links_each_submission(personas: dict[str, Any], kenya: Submission) -> None:
    page = client_for("reviewer", personas).get(reverse("round", args=["test-2021"]))
    assert reverse("submission", args=[kenya.pk]) in page.content.decode()


@pytest.mark.parametrize("answered", ["none", "some", "skipped", "all"])
def test_save_endpoint_progress_is_the_questionnaire_s_progress(
    kenya: Submission, governance_asked_only_with_a_national_body: Any, answered: str
) -> None:
    """The save endpoint counts progress without building the questionnaire (it is answered
    after every save); it must count exactly as the questionnaire page does, skip logic and
    blank answers included."""
    answers = required_answers(kenya)
    if answered == "some":
        answers = dict(list(answers.items())[::3])
        answers[next(iter(answers))] = AnswerInput(value="")
    elif answered == "skipped":
        answers["C01.status"] = AnswerInput(value="no")  # C01.governance_mechanism: skipped
    if answered != "none":
        actions.save_answers(kenya, answers, source="test")
    expected = build_questionnaire(kenya).progress_json()
    assert progress_json(kenya) == expected
    assert list(progress_json(kenya)["sections"]) == list(expected["sections"])
    assert expected["overall"]["required"] > 0
