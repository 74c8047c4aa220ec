"""The maturity profile page and the profile and plan downloads, for every persona."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from tests.maturity import self_assessment_round

from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

PERSONAS = ("administrator", "analyst", "reviewer", "focal_point", "other_focal_point", "anonymous")
# The focal point is KE's; the other focal point is SE's, which also takes part.
ALLOWED = {"administrator", "analyst", "reviewer", "focal_point"}
PAGES = [
    ("maturity-profile", ()),
    ("maturity-profile-download", ("html",)),
    ("plan-download", ("xlsx",)),
]


@pytest.fixture
def sa_round(personas: dict[str, Any]) -> Round:
    return self_assessment_round(
        "sa-pages",
        {"KE": {"": {"C01": 2, "C12": 1}, "police": {"C01": 4}}, "SE": {"": {"C01": 3}}},
        confidence="high",
    )


def client_for(personas: dict[str, Any], persona: str) -> Client:
    client = Client()
    if personas[persona].is_authenticated:
        client.force_login(personas[persona])
    return client


def url(name: str, round_: Round, jurisdiction: str, *args: str) -> str:
    return reverse(name, args=[round_.code, jurisdiction, *args])


def expected_status(persona: str) -> int:
    if persona == "anonymous":
        return 302  # sent to sign in
    return 200 if persona in ALLOWED else 404


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "args"), PAGES, ids=[name for name, _ in PAGES])
def test_who_sees_a_jurisdictions_profile_and_plan(
    personas: dict[str, Any], sa_round: Round, persona: str, name: str, args: tuple[str, ...]
) -> None:
    response = client_for(personas, persona).get(url(name, sa_round, "KE", *args))
    assert response.status_code == expected_status(persona)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("name", "args"), PAGES, ids=[name for name, _ in PAGES])
def test_a_focal_point_cannot_open_another_jurisdictions_profile(
    personas: dict[str, Any], sa_round: Round, name: str, args: tuple[str, ...]
) -> None:
    client = client_for(personas, "focal_point")
    assert client.get(url(name, sa_round, "SE", *args)).status_code == 404
    assert (
        client_for(personas, "other_focal_point").get(url(name, sa_round, "SE", *args)).status_code
        == 200
    )


@pytest.mark.parametrize("jurisdiction", ["FR", "XX"])
def test_a_jurisdiction_outside_the_round_is_not_found(
    personas: dict[str, Any], sa_round: Round, jurisdiction: str
) -> None:
    client = client_for(personas, "administrator")
    assert client.get(url("maturity-profile", sa_round, jurisdiction)).status_code == 404


def test_a_round_without_phases_has_no_profile(
    personas: dict[str, Any], review_round: Round
) -> None:
    client = client_for(personas, "administrator")
    assert client.get(url("maturity-profile", review_round, "KE")).status_code == 404
    assert client.get(url("plan-download", review_round, "KE", "pdf")).status_code == 404


@pytest.mark.parametrize(
    ("name", "file_format"),
    [("maturity-profile-download", "xlsx"), ("plan-download", "html"), ("plan-download", "exe")],
)
def test_unknown_download_formats_are_not_found(
    personas: dict[str, Any], sa_round: Round, name: str, file_format: str
) -> None:
    client = client_for(personas, "focal_point")
    assert client.get(url(name, sa_round, "KE", file_format)).status_code == 404


def test_the_page_draws_the_profile_chart_and_links_the_files(
    personas: dict[str, Any], sa_round: Round
) -> None:
    page = client_for(personas, "focal_point").get(url("maturity-profile", sa_round, "KE"))
    html = page.content.decode()
    assert "SYNTHETIC DATA" in html
    assert 'id="profile-chart" role="img" aria-label="Maturity profile of Kenya' in html
    assert reverse("vega-embed-js") in html
    spec = json.loads(
        html.split('<script id="profile-spec" type="application/json">')[1].split("</script>")[0]
    )
    cells = {cell["capability"]: cell["mark"] for cell in spec["data"]["values"]}
    assert cells["C01"] == "2" and cells["C12"] == "1"  # lower median of 2 and 4; the lead's 1
    for name, file_format in [
        ("maturity-profile-download", "html"),
        ("maturity-profile-download", "pdf"),
        ("plan-download", "xlsx"),
        ("plan-download", "pdf"),
    ]:
        assert url(name, sa_round, "KE", file_format) in html
    assert "Police: 4" in html


def test_the_page_follows_the_language_and_the_group(
    personas: dict[str, Any], sa_round: Round
) -> None:
    client = client_for(personas, "focal_point")
    french = client.get(url("maturity-profile", sa_round, "KE") + "?lang=fr").content.decode()
    assert "Profil de maturité : Kenya" in french
    grouped = client.get(url("maturity-profile", sa_round, "KE") + "?group=region").content
    assert b"Phases in the region" in grouped and b"withheld" in grouped


def test_downloads_are_files_named_for_the_round_and_jurisdiction(
    personas: dict[str, Any], sa_round: Round
) -> None:
    client = client_for(personas, "focal_point")
    pdf = client.get(url("maturity-profile-download", sa_round, "KE", "pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="sa-pages-KE-profile-en-synthetic.pdf"' in pdf["Content-Disposition"]
    plan = client.get(url("plan-download", sa_round, "KE", "xlsx") + "?lang=es")
    assert 'filename="sa-pages-KE-plan-es-synthetic.xlsx"' in plan["Content-Disposition"]
    header = next(load_workbook(io.BytesIO(plan.content))["Plan"].iter_rows(values_only=True))
    assert header[:2] == ("Capacidad", "Nombre")
    plan_pdf = client.get(url("plan-download", sa_round, "KE", "pdf"))
    assert plan_pdf.content.startswith(b"%PDF")
