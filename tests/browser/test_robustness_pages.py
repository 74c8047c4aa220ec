"""Robustness in Chromium: the findings explorer's "How robust is this figure?" panel (opened
by the table's link) and the maturity profile's domain-score section, at 1280 and 390 px with
nothing wider than the phone, and axe finding no serious or critical violation. Screenshots in
/tmp/robustness-shots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.browser.test_accessibility import WIDEST
from tests.browser.test_findings_explorer import axe_problems
from tests.django.test_robustness_pages import HEADLINES, KENYA, explorer_round
from tests.maturity import self_assessment_round
from tests.publishing import validate_and_publish

from mnr.publications.models import PublicationRobustness
from mnr.publications.robustness import maturity_input
from mnr.reports.actions import set_headlines

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SHOTS = Path("/tmp/robustness-shots")
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
OVERFLOWS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def look(page: Any, name: str, selector: str) -> None:
    """Screenshots of the page and of the section at both widths; the page fits the phone."""
    SHOTS.mkdir(exist_ok=True)
    for size in (WIDE, PHONE):
        page.set_viewport_size(size)
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"{name}-{size['width']}.png"), full_page=True)
        page.locator(selector).screenshot(path=str(SHOTS / f"{name}-section-{size['width']}.png"))
        assert not page.evaluate(OVERFLOWS), (name, size, page.evaluate(WIDEST))
    page.set_viewport_size(WIDE)


def test_a_visitor_opens_how_robust_a_figure_is(
    live_server: Any, personas: dict[str, Any], new_page: Any
) -> None:
    round_ = explorer_round("robust-browser")
    set_headlines(round_, HEADLINES, acting_user=personas["analyst"], source="test")
    publication = validate_and_publish(round_)
    # Publishing committed, so the (immediate) task has run.
    row = PublicationRobustness.objects.get(publication=publication)
    assert row.status == PublicationRobustness.Status.READY
    page = new_page()
    page.goto(f"{live_server.url}/rounds/{round_.code}/findings/")
    panel = page.locator("section.robustness")
    expect(panel.get_by_role("heading", name="How robust are these figures?")).to_be_visible()
    details = page.locator("#robust-C11-status")
    expect(details).not_to_have_attribute("open", "")
    page.locator('a.robust-link[href="#robust-C11-status"]').click()
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    expect(details.locator(".robust-range")).to_contain_text("per cent")
    expect(details.locator("table.robust-choices th[scope=row]")).to_have_count(3)
    expect(details.locator("[data-figure]")).to_have_count(1)
    expect(panel).to_contain_text("Synthetic data")
    look(page, "explorer", "section.robustness")
    assert not axe_problems(page, "explorer robustness")


def test_an_analyst_reads_the_domain_score_intervals(
    live_server: Any, personas: dict[str, Any], new_page: Any, sign_in: Any
) -> None:
    round_ = self_assessment_round("sa-robust-browser", {"KE": KENYA, "SE": {"": {"C01": 3}}})
    maturity = maturity_input(round_)
    assert maturity is not None
    page = new_page()
    sign_in(page, "analyst", "/rounds/sa-robust-browser/maturity/KE/")
    section = page.locator("section.robustness")
    expect(
        section.get_by_role("heading", name="How robust are these domain scores?")
    ).to_be_visible()
    rows = section.locator("table.profile-robustness tbody tr")
    expect(rows).to_have_count(len(maturity.domains))
    shown = [rows.nth(i).get_attribute("data-domain") for i in range(len(maturity.domains))]
    assert shown == list(maturity.domains)
    look(page, "profile", "section.robustness")
    assert not axe_problems(page, "profile robustness")
