"""The maturity profile page draws its heat strip with the served vega-embed bundle, and the
profile's HTML file opens offline with the chart inside it."""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from tests.maturity import self_assessment_round

from mnr.accounts.actions import assign_role, create_user
from mnr.jurisdictions.models import Jurisdiction

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
# Set to a folder to keep the screenshots (to look at them).
SHOTS = os.environ.get("MNR_SCREENSHOTS")


def shot(page: Any, tmp_path: Path, name: str) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    page.screenshot(path=str(folder / name), full_page=True)


def build_round() -> None:
    lead = {f"C{n:02d}": n % 4 + 1 for n in range(1, 22)}
    self_assessment_round(
        "sa-browser",
        {"KE": {"": lead, "police": {"C01": 4, "C02": 1}}, "SE": {"": {"C01": 3}}},
        confidence="high",
    )


def test_focal_point_sees_the_profile_chart(
    new_page: Any, sign_in: Any, live_server: Any, tmp_path: Path
) -> None:
    build_round()
    user = create_user("focal-ke", "pw-focal-ke", source="test")
    assign_role(
        user, "focal_point", jurisdiction=Jurisdiction.objects.get(code="KE"), source="test"
    )
    page = new_page()
    sign_in(page, "focal-ke", "/rounds/sa-browser/maturity/KE/")
    chart = page.locator("#profile-chart svg")
    chart.wait_for()
    assert chart.bounding_box()["width"] > 500
    drawn = chart.locator("text").all_text_contents()
    assert "C21" in drawn and "SYNTHETIC DATA" in " ".join(drawn)
    assert page.get_by_role("heading", name="Maturity profile: Kenya").is_visible()
    shot(page, tmp_path, "profile-page.png")
    page.set_viewport_size({"width": 390, "height": 844})
    # On a phone the chart and the tables scroll inside their own boxes, not the page.
    assert not page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    shot(page, tmp_path, "profile-page-390.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    with page.expect_download() as download:
        page.get_by_role("link", name="action plan (XLSX)").click()
    assert download.value.suggested_filename == "sa-browser-KE-plan-en-synthetic.xlsx"


def test_profile_html_file_opens_offline(new_page: Any, tmp_path: Path) -> None:
    build_round()
    path = tmp_path / "profile.html"
    call_command(
        "profile", "--round", "sa-browser", "--jurisdiction", "KE", "-o", str(path),
        stderr=StringIO(),
    )  # fmt: skip
    page = new_page()
    others: list[str] = []

    def only_the_file(route: Any) -> None:
        if route.request.url == path.as_uri():
            route.continue_()
        else:
            others.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    page.context.set_offline(True)
    page.goto(path.as_uri())
    assert others == []
    chart = page.get_by_role("img", name="Maturity profile of Kenya, round sa-browser")
    assert chart.is_visible() and chart.bounding_box()["width"] > 500
    shot(page, tmp_path, "profile-file.png")
