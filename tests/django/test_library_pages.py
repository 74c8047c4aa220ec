"""The good-practice library: who reads which texts, attribution, search on both databases,
and filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from tests.publishing import validate_and_publish

from mnr.jurisdictions.models import Jurisdiction
from mnr.reports.builder import build_report
from mnr.surveys.actions import AnswerInput, open_submission, save_answers
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db

PERSONAS = ("administrator", "analyst", "reviewer", "focal_point", "other_focal_point", "anonymous")

# Texts answered per jurisdiction (good practice quotable, challenges not, lessons quotable).
TEXTS = {
    "KE": ("Évaluation conjointe des services d'écoute", "Kenyan challenge kept private"),
    "SE": ("Swedish hotline triage works well", "Swedish challenge kept private"),
    "GB-EAW": ("Multi-agency hubs share referrals", "English challenge kept private"),
}
LESSON = "Train helpline staff before launching campaigns"
LATER = "Kenyan text written after publication"


def answer(round_: Round, code: str, answers: dict[str, AnswerInput]) -> None:
    submission = Submission.objects.filter(round=round_, jurisdiction__code=code).first()
    if submission is None:
        submission = open_submission(round_, Jurisdiction.objects.get(code=code), "government")
    save_answers(submission, answers, source="test", amend_submitted=True)


@pytest.fixture
def library_round(review_round: Round) -> Round:
    """Each participant's good practice (quotable) and challenge (not quotable), Sweden's
    quotable lesson, published; then Kenya adds a text the publication does not hold."""
    for code, (good, challenge) in TEXTS.items():
        answer(
            review_round,
            code,
            {
                "C01.status": AnswerInput(value="yes"),
                "C01.good_practice": AnswerInput(value=good, publishable=True),
                "C01.challenges": AnswerInput(value=challenge, publishable=False),
            },
        )
    answer(review_round, "SE", {"C04.lessons_learned": AnswerInput(value=LESSON, publishable=True)})
    validate_and_publish(review_round)
    review_round.refresh_from_db()
    return review_round


def page(personas: dict[str, Any], persona: str, **query: str) -> str:
    client = Client()
    if personas[persona].is_authenticated:
        client.force_login(personas[persona])
    response = client.get(reverse("library"), query)
    assert response.status_code == 200
    return str(response.content.decode())


def names(code: str) -> list[str]:
    place = Jurisdiction.objects.get(code=code)
    return [place.name("en"), place.name("fr")]


@pytest.mark.parametrize("persona", PERSONAS)
def test_library_opens_for_every_persona(personas: dict[str, Any], persona: str) -> None:
    assert "Good-practice library" in page(personas, persona)


def test_anonymous_reads_only_quotable_published_texts_attributed_to_a_group(
    personas: dict[str, Any], library_round: Round
) -> None:
    shown = page(personas, "anonymous")
    for good, challenge in TEXTS.values():
        assert good.replace("'", "&#x27;") in shown
        assert challenge not in shown
    assert LESSON in shown
    assert "Évaluation" in shown
    for code in TEXTS:
        assert not any(name in shown for name in names(code)), code
    assert "(synthetic)" not in shown
    # Three participants and k = 3: only "a participating jurisdiction" is shared by three.
    assert "From a participating jurisdiction" in shown


def test_anonymous_does_not_see_texts_written_after_the_publication(
    personas: dict[str, Any], library_round: Round
) -> None:
    library_round.status = Round.Status.OPEN
    library_round.save(update_fields=["status"])
    Submission.objects.filter(round=library_round, jurisdiction__code="KE").update(
        status=Submission.Status.DRAFT
    )
    answer(library_round, "KE", {"C02.good_practice": AnswerInput(value=LATER, publishable=True)})
    assert LATER not in page(personas, "anonymous")
    assert LATER in page(personas, "analyst")
    assert LATER in page(personas, "focal_point")
    assert LATER not in page(personas, "other_focal_point")


def test_anonymous_sees_nothing_of_an_unpublished_round(
    personas: dict[str, Any], review_round: Round
) -> None:
    answer(review_round, "KE", {"C01.good_practice": AnswerInput(value=LATER, publishable=True)})
    assert LATER not in page(personas, "anonymous")
    assert "0 texts found" in page(personas, "anonymous")


@pytest.mark.parametrize("persona", ["administrator", "analyst", "reviewer"])
def test_analysts_and_reviewers_read_every_live_text_with_its_jurisdiction(
    personas: dict[str, Any], library_round: Round, persona: str
) -> None:
    shown = page(personas, persona)
    for code, (_, challenge) in TEXTS.items():
        assert challenge in shown
        assert names(code)[0] in shown
    assert "not for quoting" in shown


def test_focal_point_reads_own_jurisdiction_live_and_others_as_published(
    personas: dict[str, Any], library_round: Round
) -> None:
    shown = page(personas, "focal_point")
    assert TEXTS["KE"][1] in shown
    assert names("KE")[0] in shown
    for code in ("SE", "GB-EAW"):
        assert TEXTS[code][1] not in shown
        assert names(code)[0] not in shown
        assert TEXTS[code][0] in shown
    # Its own good practice is listed once, as answered.
    assert shown.count("Évaluation conjointe") == 1


def test_search_matches_every_word_on_this_database(
    personas: dict[str, Any], library_round: Round
) -> None:
    assert connection.vendor in ("sqlite", "postgresql")
    shown = page(personas, "anonymous", q="hotline triage")
    assert TEXTS["SE"][0] in shown and "1 text found" in shown
    assert "0 texts found" in page(personas, "anonymous", q="hotline referrals")
    assert LESSON in page(personas, "anonymous", q="helpline")


def test_search_with_accents_and_capitals_on_this_database(
    personas: dict[str, Any], library_round: Round
) -> None:
    for query in ("évaluation", "ÉVALUATION", "écoute"):
        shown = page(personas, "anonymous", q=query)
        assert "Évaluation conjointe" in shown and "1 text found" in shown, query


def test_search_is_limited_to_what_the_visitor_may_read(
    personas: dict[str, Any], library_round: Round
) -> None:
    assert "0 texts found" in page(personas, "anonymous", q="private")
    assert "3 texts found" in page(personas, "analyst", q="private")
    assert "1 text found" in page(personas, "focal_point", q="private")


def test_filters_by_kind_domain_and_capability(
    personas: dict[str, Any], library_round: Round
) -> None:
    lessons = page(personas, "analyst", kind="lessons_learned")
    assert LESSON in lessons and "1 text found" in lessons
    domain = page(personas, "analyst", domain="D2")
    assert LESSON in domain and "1 text found" in domain
    capability = page(personas, "analyst", capability="C01")
    assert "6 texts found" in capability and LESSON not in capability
    assert "0 texts found" in page(personas, "analyst", capability="C21")
    # Filters offer what the visible texts speak to, by name.
    assert '<option value="C04">C04 Dedicated Law Enforcement</option>' in page(personas, "analyst")


def test_income_and_region_filters_use_the_real_groups_for_analysts(
    personas: dict[str, Any], library_round: Round
) -> None:
    shown = page(personas, "analyst", income="LMC")
    assert TEXTS["KE"][0].split()[0] in shown and TEXTS["SE"][0] not in shown
    europe = page(personas, "analyst", region="Europe")
    assert TEXTS["SE"][0] in europe and TEXTS["GB-EAW"][0] in europe and "Évaluation" not in europe


def test_public_income_and_region_filters_match_the_attribution_only(
    personas: dict[str, Any], library_round: Round
) -> None:
    # Every quote is attributed to "a participating jurisdiction": no group filter may pick
    # Kenya's out of the three.
    assert "0 texts found" in page(personas, "anonymous", income="LMC")
    assert "0 texts found" in page(personas, "anonymous", region="Africa")


def test_public_attribution_names_a_group_when_k_jurisdictions_share_it(
    personas: dict[str, Any], library_round: Round
) -> None:
    library_round.disclosure_threshold = 2
    library_round.save(update_fields=["disclosure_threshold"])
    assert "in Europe" not in page(personas, "anonymous")  # the publication froze k = 3
    validate_and_publish(library_round)
    shown = page(personas, "anonymous", region="Europe")
    # Sweden and England and Wales are both high-income and in Europe (k = 2).
    assert "From a high-income jurisdiction in Europe" in shown
    assert LESSON in shown and "Évaluation" not in shown
    assert not any(name in shown for name in names("SE") + names("GB-EAW"))


# Persona by URL: what each page answers, and whether it may name a jurisdiction.
URLS = {
    "library": ("/library/", 200),
    "library-filtered": ("/library/?q=hotline&kind=good_practice&income=HIC&region=Europe", 200),
    "capability": ("/framework/mnr-2016/capabilities/C01/", 200),
    "capability-unknown": ("/framework/mnr-2016/capabilities/C99/", 404),
}
NAMES_JURISDICTIONS = {"administrator", "analyst", "reviewer", "focal_point"}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", list(URLS))
def test_persona_url_table(
    personas: dict[str, Any], library_round: Round, persona: str, url_name: str
) -> None:
    url, status = URLS[url_name]
    client = Client()
    if personas[persona].is_authenticated:
        client.force_login(personas[persona])
    response = client.get(url)
    assert response.status_code == status
    shown = response.content.decode()
    kenya = names("KE")[0] in shown
    if url_name == "library" and persona in NAMES_JURISDICTIONS:
        assert kenya
    elif persona not in NAMES_JURISDICTIONS:
        assert not kenya and "(synthetic)" not in shown


@pytest.mark.skipif(connection.vendor != "postgresql", reason="web search syntax: PostgreSQL")
def test_postgres_search_takes_phrases_alternatives_and_exclusions(
    personas: dict[str, Any], library_round: Round
) -> None:
    assert "2 texts found" in page(personas, "anonymous", q='"hotline triage" or hubs')
    assert "0 texts found" in page(personas, "anonymous", q="hotline -triage")
    assert "1 text found" in page(personas, "anonymous", q="hubs -triage")
    # Whole words: no match inside a word.
    assert "0 texts found" in page(personas, "anonymous", q="hotlin")


def test_published_texts_carry_the_attribution_the_report_prints(
    personas: dict[str, Any], review_round: Round
) -> None:
    review_round.disclosure_threshold = 2
    review_round.save(update_fields=["disclosure_threshold"])
    for code, (good, _) in TEXTS.items():
        answer(review_round, code, {"C01.status": AnswerInput(value="yes")})
        answer(review_round, code, {"C01.good_practice": AnswerInput(value=good, publishable=True)})
    validate_and_publish(review_round)
    report = build_report(review_round)
    # Quotes sit under their capability's sub-heading, or at the domain's level.
    quoted = {
        q.text: q.attribution
        for d in report.domains
        for q in [*d.good_practice, *(q for c in d.capabilities for q in c.good_practice)]
    }
    assert quoted
    shown = page(personas, "anonymous", kind="good_practice")
    for text, who in quoted.items():
        block = shown.split(text.replace("'", "&#x27;"), 1)[1].split("</li>", 1)[0]
        assert f"From {who}" in block, text


def test_reviewer_limited_to_a_jurisdiction_reads_its_live_texts_only(
    make_user: Any, library_round: Round
) -> None:
    client = Client()
    client.force_login(make_user("reviewer-ke", "reviewer", "KE"))
    shown = client.get(reverse("library")).content.decode()
    assert TEXTS["KE"][1] in shown and names("KE")[0] in shown
    assert TEXTS["SE"][1] not in shown and names("SE")[0] not in shown
    assert TEXTS["SE"][0] in shown


def test_regions_are_named_in_the_pages_language_and_filter_by_their_stored_name(
    personas: dict[str, Any], library_round: Round
) -> None:
    client = Client(headers={"accept-language": "es"})
    client.force_login(personas["analyst"])
    shown = client.get(reverse("library"), {"region": "Europe"}).content.decode()
    assert '<option value="Europe" selected>Europa</option>' in shown
    assert "Suecia (Ingreso alto, Europa)" in shown
    assert TEXTS["SE"][0] in shown and TEXTS["KE"][0] not in shown
