"""The answer pages with several respondents: who sees and answers which respondent's
submission, how the pages name the respondent, and the confidence select of phase questions."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mnr.accounts.actions import assign_role
from mnr.accounts.models import Role
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.models import Answer, AnswerChange, Round, Submission
from mnr.web.questionnaire import build_questionnaire

pytestmark = pytest.mark.django_db

RESPONDENTS = ("", "police", "justice")


def kenya() -> Jurisdiction:
    return Jurisdiction.objects.get(code="KE")


@pytest.fixture
def people(personas: dict[str, Any], make_user: Any) -> dict[str, Any]:
    """The personas and a focal point for Kenya's police only."""
    police = make_user("focal-ke-police")
    assign_role(police, Role.FOCAL_POINT, jurisdiction=kenya(), respondent="police", source="test")
    return {**personas, "police_focal_point": police}


@pytest.fixture
def kenyas(review_round: Round) -> dict[str, Submission]:
    """Kenya's government submissions: the lead's, the police's and the justice ministry's."""
    names = {"": "", "police": "National Police (synthetic)", "justice": ""}
    return {
        respondent: actions.open_submission(
            review_round,
            kenya(),
            "government",
            respondent=respondent,
            respondent_name=names[respondent],
            source="test",
        )
        for respondent in RESPONDENTS
    }


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def request(client: Client, how: str, submission: Submission) -> int:
    if how == "page":
        return client.get(reverse("submission", args=[submission.pk])).status_code
    if how == "history":
        return client.get(reverse("submission-history", args=[submission.pk])).status_code
    if how == "form":
        posted = {"question": "C01.status", "C01.status:value": "yes", "C01.status:version": "0"}
        return client.post(reverse("submission", args=[submission.pk]), posted).status_code
    body = json.dumps({"answers": {"C01.status": {"value": "yes", "expected_version": 0}}})
    url = reverse("submission-save", args=[submission.pk])
    return client.post(url, data=body, content_type="application/json").status_code


# What each focal point gets for each respondent's submission: (lead, police, justice).
EXPECTED = {
    "focal_point": {
        "page": (200, 200, 200),
        "history": (200, 200, 200),
        "form": (302, 302, 302),
        "save": (200, 200, 200),
    },
    "police_focal_point": {
        "page": (404, 200, 404),
        "history": (404, 200, 404),
        "form": (404, 302, 404),
        "save": (404, 200, 404),
    },
    "other_focal_point": {
        "page": (404, 404, 404),
        "history": (404, 404, 404),
        "form": (404, 404, 404),
        "save": (404, 404, 404),
    },
}


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("how", ["page", "history", "form", "save"])
@pytest.mark.parametrize("respondent", RESPONDENTS)
def test_each_focal_point_reaches_the_respondents_it_answers_for(
    people: dict[str, Any],
    kenyas: dict[str, Submission],
    persona: str,
    how: str,
    respondent: str,
) -> None:
    submission = kenyas[respondent]
    expected = EXPECTED[persona][how][RESPONDENTS.index(respondent)]
    assert request(client_for(people[persona]), how, submission) == expected
    saved = Answer.objects.filter(submission=submission).exists()
    assert saved == (how in ("form", "save") and expected in (200, 302))


def test_the_leads_focal_point_lists_every_respondent_and_the_police_only_theirs(
    people: dict[str, Any], kenyas: dict[str, Submission]
) -> None:
    def listed(persona: str) -> set[str]:
        return set(
            Submission.objects.visible_to(people[persona]).values_list("respondent", flat=True)
        )

    assert listed("focal_point") == set(RESPONDENTS)
    assert listed("police_focal_point") == {"police"}
    assert listed("other_focal_point") == set()
    page = client_for(people["focal_point"]).get(reverse("submissions")).content.decode()
    cells = set(re.findall(r'<td data-label="Respondent">([^<]*)</td>', page))
    assert cells == {"Lead respondent", "National Police (synthetic)", "justice"}
    police_page = client_for(people["police_focal_point"]).get(reverse("submissions"))
    assert "Lead respondent" not in police_page.content.decode()


def test_the_submission_page_names_the_respondent(
    people: dict[str, Any], kenyas: dict[str, Submission]
) -> None:
    client = client_for(people["police_focal_point"])
    page = client.get(reverse("submission", args=[kenyas["police"].pk])).content.decode()
    assert '<span class="respondent">· National Police (synthetic)</span>' in page


def test_a_respondents_focal_point_is_offered_and_starts_that_respondents_submission(
    people: dict[str, Any], review_round: Round
) -> None:
    client = client_for(people["police_focal_point"])
    page = client.get(reverse("submissions")).content.decode()
    assert '<input type="hidden" name="respondent" value="police">' in page
    assert '<input type="hidden" name="respondent" value="">' not in page
    start = {"round": "test-2021", "jurisdiction": "KE", "channel": "government"}
    started = client.post(reverse("submissions"), {**start, "respondent": "police"})
    police = Submission.objects.get(respondent="police")
    assert started["Location"] == reverse("submission", args=[police.pk])
    for respondent in ("", "justice"):
        refused = client.post(reverse("submissions"), {**start, "respondent": respondent})
        assert refused.status_code == 403
    assert list(Submission.objects.values_list("respondent", flat=True)) == ["police"]


def test_the_leads_focal_point_is_offered_the_leads_submission(
    people: dict[str, Any], review_round: Round
) -> None:
    page = client_for(people["focal_point"]).get(reverse("submissions")).content.decode()
    assert '<input type="hidden" name="respondent" value="">' in page
    assert '<input type="hidden" name="respondent" value="police">' not in page


# --- Confidence in a phase -------------------------------------------------------------------


@pytest.fixture
def assessed(personas: dict[str, Any]) -> Submission:
    round_ = actions.create_round("assess-2024", instrument="mnr-2016-self-assessment")
    actions.add_participants(round_, ["KE"])
    return actions.open_submission(round_, kenya(), "government", source="test")


def test_a_phase_question_has_a_labelled_confidence_select_beside_its_evidence(
    personas: dict[str, Any], assessed: Submission
) -> None:
    client = client_for(personas["focal_point"])
    page = client.get(reverse("submission", args=[assessed.pk]) + "?domain=D1").content.decode()
    label = "How confident are you of this phase?"
    assert f'<label for="q-C01_phase-confidence">{label}</label>' in page
    assert 'name="C01.phase:confidence"' in page
    for code, label in (("low", "Low"), ("medium", "Medium"), ("high", "High")):
        assert f'<option value="{code}">{label}</option>' in page
    assert 'name="C01.status:confidence"' not in page
    evidence = page.index('name="C01.phase:evidence_url"')
    assert evidence < page.index('name="C01.phase:confidence"')


def test_the_form_and_the_save_endpoint_save_the_confidence(
    personas: dict[str, Any], assessed: Submission
) -> None:
    client = client_for(personas["focal_point"])
    url = reverse("submission", args=[assessed.pk]) + "?domain=D1"
    posted = {
        "question": ["C01.status", "C01.phase"],
        "C01.status:value": "partial",
        "C01.phase:value": "2",
        "C01.phase:confidence": "high",
    }
    assert client.post(url, posted).status_code == 302
    phase = Answer.objects.get(question__code="C01.phase")
    assert (phase.value, phase.confidence) == ("2", "high")

    body = {"answers": {"C01.phase": {"confidence": "low", "expected_version": phase.version}}}
    saved = client.post(
        reverse("submission-save", args=[assessed.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )
    assert saved.status_code == 200
    phase.refresh_from_db()
    assert phase.confidence == "low"
    change = AnswerChange.objects.filter(field="confidence").latest("id")
    assert (change.old, change.new) == ("high", "low")
    history = client.get(reverse("submission-history", args=[assessed.pk])).content.decode()
    assert "Confidence" in history

    entry = next(e for e in build_questionnaire(assessed).entries if e.code == "C01.phase")
    assert (entry.confidence, entry.confidence_label) == ("low", "Low")
    refused = client.post(
        reverse("submission-save", args=[assessed.pk]),
        data=json.dumps({"answers": {"C01.status": {"confidence": "high"}}}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "for phase questions only" in refused.json()["error"]
