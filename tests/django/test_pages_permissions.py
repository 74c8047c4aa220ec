"""Every page outside answer entry and the report, for every persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

PERSONAS = ("administrator", "analyst", "reviewer", "focal_point", "other_focal_point", "anonymous")


def get(personas: dict[str, Any], persona: str, url: str) -> Any:
    client = Client()
    if personas[persona].is_authenticated:
        client.force_login(personas[persona])
    return client.get(url)


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_and_framework_pages_are_open_to_everyone(
    personas: dict[str, Any], persona: str
) -> None:
    assert get(personas, persona, reverse("home")).status_code == 200
    page = get(personas, persona, reverse("framework", args=["mnr-2016"]))
    assert page.status_code == 200 and b"C21 Universal Terminology" in page.content


def test_unknown_edition_is_not_found(personas: dict[str, Any]) -> None:
    assert get(personas, "anonymous", reverse("framework", args=["nope"])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [(p, 404 if p == "anonymous" else 200) for p in PERSONAS],
)
@pytest.mark.parametrize("name", ["round", "round-findings"])
def test_round_pages_of_an_unpublished_round(
    personas: dict[str, Any], review_round: Round, persona: str, status: int, name: str
) -> None:
    assert get(personas, persona, reverse(name, args=[review_round.code])).status_code == status


@pytest.mark.parametrize("persona", PERSONAS)
def test_round_pages_of_a_published_round_are_open_to_everyone(
    personas: dict[str, Any], published_review_round: Round, persona: str
) -> None:
    for name in ("round", "round-findings"):
        url = reverse(name, args=[published_review_round.code])
        assert get(personas, persona, url).status_code == 200


def test_home_lists_only_rounds_the_visitor_may_open(
    personas: dict[str, Any], review_round: Round
) -> None:
    assert review_round.title.encode() not in get(personas, "anonymous", reverse("home")).content
    assert review_round.title.encode() in get(personas, "focal_point", reverse("home")).content


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("administrator", 302),
        ("analyst", 403),
        ("reviewer", 403),
        ("focal_point", 403),
        ("other_focal_point", 403),
        ("anonymous", 302),
    ],
)
def test_only_administrators_rename_a_phase(
    personas: dict[str, Any], persona: str, status: int
) -> None:
    from mnr.frameworks.models import Phase

    client = Client()
    if personas[persona].is_authenticated:
        client.force_login(personas[persona])
    url = reverse("framework-phase", args=["mnr-2016", 2])
    response = client.post(url, {"name": "Emerging"})
    assert response.status_code == status
    renamed = Phase.objects.get(edition__code="mnr-2016", level=2).name["en"] == "Emerging"
    assert renamed == (persona == "administrator")
    if persona == "anonymous":
        assert "/accounts/login/" in response["Location"]
