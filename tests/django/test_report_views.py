from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mnr.reports.builder import snapshot_exclusions
from mnr.reports.models import Headline, NarrativeBlock
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("administrator", 200),
        ("analyst", 200),
        ("reviewer", 200),
        ("focal_point", 200),
        ("other_focal_point", 200),
        ("anonymous", 404),
    ],
)
def test_who_may_read_the_report_of_an_unpublished_round(
    personas: dict[str, Any], review_round: Round, persona: str, status: int
) -> None:
    response = client_for(personas[persona]).get(reverse("round-report", args=[review_round.code]))
    assert response.status_code == status
    if status == 200:
        assert b"<svg" in response.content


def test_anyone_may_read_a_published_rounds_report_and_pdf(review_round: Round) -> None:
    review_round.status = Round.Status.PUBLISHED
    review_round.save()
    anonymous = Client()
    assert (
        anonymous.get(reverse("round-report", args=[review_round.code]), {"lang": "fr"}).status_code
        == 200
    )
    pdf = anonymous.get(reverse("round-report-pdf", args=[review_round.code]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("administrator", 200),
        ("analyst", 200),
        ("reviewer", 403),
        ("focal_point", 403),
        ("other_focal_point", 403),
        ("anonymous", 302),
    ],
)
def test_only_analysts_open_the_report_editor(
    personas: dict[str, Any], review_round: Round, persona: str, status: int
) -> None:
    url = reverse("round-report-edit", args=[review_round.code])
    assert client_for(personas[persona]).get(url).status_code == status


def _post(headlines: list[dict[str, str]], narrative: str) -> dict[str, str]:
    data = {
        "form-TOTAL_FORMS": str(len(headlines)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "narrative-introduction": narrative,
        "narrative-key_messages": "",
        "narrative-call_to_action": "",
        "snapshot_exclude": "C03, C21",
    }
    for n, row in enumerate(headlines):
        data.update({f"form-{n}-{name}": value for name, value in row.items()})
    return data


HELPLINE = {
    "key": "H1",
    "domain": "D3",
    "question": "C11.status",
    "counts_as": "yes|partial",
    "population": "all",
    "subject": "",
    "statement": "have a national child helpline",
    "callout": "on",
}


def test_analyst_saves_headlines_and_narrative(
    personas: dict[str, Any], review_round: Round
) -> None:
    url = reverse("round-report-edit", args=[review_round.code])
    response = client_for(personas["analyst"]).post(url, _post([HELPLINE], "Why this round."))
    assert response.status_code == 302
    headline = Headline.objects.get(round=review_round)
    assert (headline.key, headline.question, headline.counts_as, headline.callout) == (
        "H1",
        "C11.status",
        ["yes", "partial"],
        True,
    )
    assert NarrativeBlock.objects.get(round=review_round, key="introduction").text == {
        "en": "Why this round."
    }
    assert snapshot_exclusions(review_round) == ["C03", "C21"]


def test_a_wrong_headline_is_explained_and_nothing_is_saved(
    personas: dict[str, Any], review_round: Round
) -> None:
    url = reverse("round-report-edit", args=[review_round.code])
    wrong = {**HELPLINE, "population": "channel=fax"}
    response = client_for(personas["analyst"]).post(url, _post([wrong], "Not saved."))
    assert response.status_code == 200
    assert b"fax" in response.content
    assert not Headline.objects.filter(round=review_round).exists()
    assert not NarrativeBlock.objects.filter(round=review_round).exists()


def test_vega_embed_is_served_locally() -> None:
    response = Client().get(reverse("vega-embed-js"))
    assert response.status_code == 200
    assert b"vegaEmbed" in response.content
