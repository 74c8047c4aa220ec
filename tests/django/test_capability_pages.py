"""Capability pages: definition, phase descriptors under the phase names administrators set,
what the capability builds on, and its findings across the rounds the visitor may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.publishing import validate_and_publish

from mnr.frameworks.actions import rename_phase
from mnr.frameworks.models import Phase
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.actions import (
    AnswerInput,
    add_participants,
    create_round,
    open_submission,
    save_answers,
)
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

PERSONAS = ("administrator", "analyst", "reviewer", "focal_point", "other_focal_point", "anonymous")


def page(personas: dict[str, Any], persona: str, capability: str = "C11") -> Any:
    client = Client()
    if personas[persona].is_authenticated:
        client.force_login(personas[persona])
    return client.get(reverse("capability", args=["mnr-2016", capability]))


def text_of(response: Any) -> str:
    assert response.status_code == 200
    return str(response.content.decode())


@pytest.mark.parametrize("persona", PERSONAS)
def test_capability_page_opens_for_every_persona(personas: dict[str, Any], persona: str) -> None:
    shown = text_of(page(personas, persona, "C02"))
    assert "Maturity phases" in shown and "Builds on" in shown
    # C02 builds on C01, with the reason the edition gives.
    assert reverse("capability", args=["mnr-2016", "C01"]) in shown
    assert "commissions the situational analysis" in shown


def test_unknown_capability_or_edition_is_not_found(personas: dict[str, Any]) -> None:
    client = Client()
    assert client.get(reverse("capability", args=["mnr-2016", "C99"])).status_code == 404
    assert client.get(reverse("capability", args=["nope", "C01"])).status_code == 404


def test_phase_descriptors_carry_the_names_administrators_set(personas: dict[str, Any]) -> None:
    phase = Phase.objects.get(edition__code="mnr-2016", level=2)
    rename_phase(phase, "Consolidating (renamed)", provisional=False, source="test")
    shown = text_of(page(personas, "anonymous", "C01"))
    assert "Phase 2: Consolidating (renamed)" in shown
    assert shown.count("<dt>Phase ") == 4


def test_framework_page_links_each_capability(personas: dict[str, Any]) -> None:
    client = Client()
    shown = client.get(reverse("framework", args=["mnr-2016"])).content.decode()
    assert reverse("capability", args=["mnr-2016", "C21"]) in shown


@pytest.fixture
def shown_round(review_round: Round) -> Round:
    """KE yes, SE partial, GB-EAW no on C11, published with k = 2, so the total is shown."""
    review_round.disclosure_threshold = 2
    review_round.save(update_fields=["disclosure_threshold"])
    for code, value in (("KE", "yes"), ("SE", "partial"), ("GB-EAW", "no")):
        submission = open_submission(
            review_round, Jurisdiction.objects.get(code=code), "government"
        )
        save_answers(submission, {"C11.status": AnswerInput(value=value)}, source="test")
    validate_and_publish(review_round)
    review_round.refresh_from_db()
    return review_round


def test_anonymous_sees_the_published_share_and_nothing_of_unpublished_rounds(
    personas: dict[str, Any], shown_round: Round
) -> None:
    shown = text_of(page(personas, "anonymous"))
    assert "67% (2 of 3)" in shown and "latest publication" in shown
    other = create_round("unpublished-2022", instrument="mnr-review-2021", title="Hidden round")
    add_participants(other, ["KE"])
    assert "Hidden round" not in text_of(page(personas, "anonymous"))
    assert "Hidden round" in text_of(page(personas, "analyst"))


def test_published_figures_ignore_answers_changed_since(
    personas: dict[str, Any], shown_round: Round
) -> None:
    shown_round.status = Round.Status.OPEN
    shown_round.save(update_fields=["status"])
    submission = shown_round.submissions.get(jurisdiction__code="GB-EAW")
    submission.status = "draft"
    submission.save(update_fields=["status"])
    save_answers(submission, {"C11.status": AnswerInput(value="yes")}, source="test")
    assert "67% (2 of 3)" in text_of(page(personas, "anonymous"))
    analyst = text_of(page(personas, "analyst"))
    assert "100% (3 of 3)" in analyst and "live answers" in analyst


def test_withheld_share_is_shown_as_withheld(
    personas: dict[str, Any], published_review_round: Round
) -> None:
    # Three participants and k = 3: the public total is withheld, the analyst's is not.
    shown = text_of(page(personas, "anonymous"))
    assert "withheld" in shown and "67%" not in shown
    assert "67% (2 of 3)" in text_of(page(personas, "analyst"))


def test_merged_questions_name_the_capability_asked_with(
    personas: dict[str, Any], published_review_round: Round
) -> None:
    shown = text_of(page(personas, "analyst", "C16"))
    assert "C16-17.status" in shown and "asked together with C17" in shown


def test_focal_point_of_a_participant_sees_the_round_before_it_is_published(
    personas: dict[str, Any], review_round: Round
) -> None:
    assert review_round.title in text_of(page(personas, "focal_point"))
    assert review_round.title not in text_of(page(personas, "anonymous"))
