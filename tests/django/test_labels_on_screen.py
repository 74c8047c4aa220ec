"""Pages show labels, not codes: channels by their label, income groups by name; the round page
links its report and the report's PDF."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.submissions import opened

pytestmark = pytest.mark.django_db


def signed_in(personas: dict[str, Any], persona: str) -> Client:
    client = Client()
    client.force_login(personas[persona])
    return client


def test_the_round_page_names_channels_by_their_labels(
    personas: dict[str, Any], review_round: Any
) -> None:
    opened(review_round, "KE", "unicef_country_office")
    html = signed_in(personas, "analyst").get(reverse("round", args=[review_round.code]))
    page = html.content.decode()
    assert "unicef_country_office" not in page.replace('value="unicef_country_office"', "")
    assert "UNICEF country office" in page
    assert "Government" in page


def test_findings_name_income_groups(personas: dict[str, Any], published_review_round: Any) -> None:
    page = (
        signed_in(personas, "analyst")
        .get(reverse("round-findings", args=[published_review_round.code]) + "?by=income")
        .content.decode()
    )
    cells = page[page.index("<tbody>") : page.index("</tbody>")]
    assert "<td>High income</td>" in cells
    assert "<td>HIC</td>" not in cells and "<td>LMIC</td>" not in cells
    assert "By World Bank income group" in page


def test_the_round_page_links_the_report_and_its_pdf_in_each_language(
    personas: dict[str, Any], published_review_round: Any
) -> None:
    code = published_review_round.code
    page = Client().get(reverse("round", args=[code])).content.decode()
    report = page[page.index('id="report-heading"') : page.index("</section>")]
    for lang in ("en", "fr", "es"):
        assert f'href="{reverse("round-report", args=[code])}?lang={lang}"' in report
        assert f'href="{reverse("round-report-pdf", args=[code])}?lang={lang}"' in report
    assert "preview" not in report  # the preview is the analysts'
    analyst = signed_in(personas, "analyst").get(reverse("round", args=[code])).content.decode()
    assert f"{reverse('round-report', args=[code])}?preview=1" in analyst


def test_an_unpublished_round_says_there_is_no_report_yet(
    personas: dict[str, Any], review_round: Any
) -> None:
    page = signed_in(personas, "focal_point").get(reverse("round", args=[review_round.code]))
    html = page.content.decode()
    assert "No report yet" in html
    assert reverse("round-report-pdf", args=[review_round.code]) not in html
