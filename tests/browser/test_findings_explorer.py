"""The findings explorer in Chromium: filters (the capability list follows the domain before
the form is sent), chart and table side by side at 1280 px and one under the other at 390 px
with nothing wider than the phone, the CSV link downloading the table shown, and axe finding
no serious or critical violation. Screenshots in /tmp/explorer-shots/."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from tests.browser.test_accessibility import AXE_OPTIONS, BLOCKING, WIDEST, describe
from tests.django.test_findings_views import publish, synthetic_round

from mnr.surveys.models import Round

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect
sync_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

SHOTS = Path("/tmp/explorer-shots")
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
OVERFLOWS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture
def published(personas: dict[str, Any]) -> Round:
    """Twelve synthetic jurisdictions, two of them low income (withheld from the public)."""
    return publish(synthetic_round("explore", 12, low_income=2))


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).bounding_box()
    assert found is not None, selector
    return dict(found)


def look(page: Any, name: str) -> None:
    """Screenshots at both widths: side by side when wide; at 390 px one under the other, the
    chart inside the window and the page no wider than it."""
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size(WIDE)
    page.wait_for_timeout(300)  # the chart is redrawn to its container's new width
    page.screenshot(path=str(SHOTS / f"{name}-1280.png"), full_page=True)
    chart, table = box(page, "#findings-chart svg"), box(page, ".explorer-table")
    assert chart["x"] + chart["width"] <= table["x"], "chart and table side by side"
    assert abs(chart["y"] - table["y"]) < 60
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.locator("#findings-chart").screenshot(path=str(SHOTS / f"{name}-chart-390.png"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert not page.evaluate(OVERFLOWS), (name, width, page.evaluate(WIDEST))
    chart, table = box(page, "#findings-chart svg"), box(page, ".explorer-table")
    assert chart["x"] >= 0 and chart["x"] + chart["width"] <= PHONE["width"]
    assert table["y"] >= chart["y"] + chart["height"], "the table under the chart"
    page.set_viewport_size(WIDE)


def axe_problems(page: Any, name: str) -> list[str]:
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    violations = sync_playwright.Axe().run(page, options=AXE_OPTIONS).response["violations"]
    for violation in violations:
        print(f"{name}: {describe(violation)}")
    return [describe(v) for v in violations if v["impact"] in BLOCKING]


def test_a_visitor_filters_reads_and_downloads_the_explorer(
    live_server: Any, published: Round, new_page: Any
) -> None:
    page = new_page()
    page.goto(f"{live_server.url}/rounds/{published.code}/findings/")
    page.locator("#findings-chart svg").wait_for()
    expect(page.locator("table.findings tbody tr:not(.sentence)")).to_have_count(28)
    look(page, "all")

    # The capability list follows the domain at once, before the form is sent.
    capability = page.get_by_label("Capability")
    expect(capability.locator("option", has_text="C01 Leadership")).to_have_count(1)
    page.get_by_label("Domain").select_option("D3")
    expect(capability.locator("option", has_text="C01 Leadership")).to_have_count(0)
    capability.select_option("C11")
    page.get_by_label("Breakdown").select_option("income")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/findings/?domain=D3&capability=C11&by=income")
    rows = page.locator("table.findings tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Suppressed: fewer than 3 jurisdictions answered")
    page.locator("#findings-chart svg").wait_for()
    alt = page.locator("#findings-chart").get_attribute("aria-label") or ""
    assert "C11.status, Low and middle income: withheld, not drawn" in alt
    look(page, "c11-by-income")
    assert not axe_problems(page, "anonymous explorer")

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == (
        f"{published.code}-findings-D3-C11-by-income-publication-1-synthetic.csv"
    )
    text = Path(download.value.path()).read_text(encoding="utf-8")
    title, header, *lines = list(csv.reader(io.StringIO(text)))
    assert "publication 1" in title[0] and header[0] == "Question"
    assert [(line[0], line[2]) for line in lines] == [
        ("C11.status", "High income"),
        ("C11.status", "Low and middle income"),
    ]
    assert lines[1][3:12] == [""] * 9 and lines[1][12]


def test_the_analysts_explorer_passes_axe_at_both_widths(
    live_server: Any, published: Round, new_page: Any, sign_in: Any
) -> None:
    page = new_page()
    sign_in(page, "analyst", f"/rounds/{published.code}/findings/?by=region&domain=D1")
    page.locator("#findings-chart svg").wait_for()
    expect(page.get_by_label("Submissions counted")).to_be_visible()
    look(page, "analyst-d1-by-region")
    assert not axe_problems(page, "analyst explorer")
    page.set_viewport_size(PHONE)
    assert not axe_problems(page, "analyst explorer at 390 px")
