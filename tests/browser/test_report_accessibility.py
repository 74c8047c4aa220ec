"""The demo's published report as a visitor opens it, in English, French and Spanish: axe finds
no serious or critical violation (text descriptions opened), the page starts with its skip
link and fits a 360 px phone, and the synthetic-data banner stays in sight while the reader
scrolls; no table or chart is wider than the report's column. Screenshots in /tmp/a11y-shots/."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.test_accessibility import check_page

from mnr.demo import load_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
sync_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

# Tables, figures and charts reaching past the right edge of the report's column.
WIDER_THAN_MAIN = """() => {
  const edge = document.querySelector('main').getBoundingClientRect().right;
  return [...document.querySelectorAll('main table, main figure, main svg')]
    .filter((el) => el.getBoundingClientRect().right > edge + 1)
    .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')); }"""
SYNTHETIC = {"en": "SYNTHETIC DATA", "fr": "DONNÉES SYNTHÉTIQUES", "es": "DATOS SINTÉTICOS"}


def test_published_demo_report_passes_axe_in_each_language(live_server: Any, new_page: Any) -> None:
    demo_round = load_demo().round
    axe = sync_playwright.Axe()
    page = new_page()
    problems: list[str] = []
    for lang, mark in SYNTHETIC.items():
        response = page.goto(f"{live_server.url}/rounds/{demo_round.code}/report/?lang={lang}")
        assert response is not None and response.status == 200, lang
        assert page.locator("html").get_attribute("lang") == lang
        banner = page.locator(".synthetic-banner")
        assert mark in banner.inner_text()
        page.locator("#annex").scroll_into_view_if_needed()
        assert page.evaluate("window.scrollY") > 2000
        placed = banner.bounding_box()
        assert placed is not None and abs(placed["y"]) < 1, (lang, placed)  # still at the top
        page.evaluate("window.scrollTo(0, 0)")
        assert page.evaluate(WIDER_THAN_MAIN) == [], lang
        problems += check_page(page, axe, "anonymous", f"report-{lang}")
    assert not problems, "\n".join(problems)
