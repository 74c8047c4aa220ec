"""The good-practice library and a capability page as seen at 1280 and 390 px (screenshots
in /tmp/library-shots/): searching and filtering in the browser, and no page wider than a
390 px phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.browser.test_accessibility import check_page
from tests.publishing import validate_and_publish

from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.actions import AnswerInput, add_participants, open_submission, save_answers
from mnr.surveys.models import Round

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")

SHOTS = Path("/tmp/library-shots")
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
OVERFLOWS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
LONG = (
    "Un service d'écoute national, joignable gratuitement jour et nuit, oriente les enfants "
    "vers les services sociaux et la police; https://example.org/a-very-long-address-without-"
    "any-break-in-it-at-all-that-could-widen-the-page"
)


@pytest.fixture
def texts_round(review_round: Round, personas: dict[str, Any]) -> Round:
    add_participants(review_round, ["FR", "DE", "IT"])
    for number, code in enumerate(["KE", "SE", "GB-EAW", "FR", "DE", "IT"]):
        submission = open_submission(
            review_round, Jurisdiction.objects.get(code=code), "government"
        )
        save_answers(
            submission,
            {
                "C11.status": AnswerInput(value="yes" if number % 2 else "partial"),
                "C11.good_practice": AnswerInput(
                    value=f"Helpline practice {number}. {LONG}", publishable=True
                ),
                "C11.lessons_learned": AnswerInput(
                    value=f"Lesson {number} on referrals", publishable=True
                ),
                "C11.challenges": AnswerInput(value=f"Private challenge {number}"),
            },
            source="test",
        )
    validate_and_publish(review_round)
    return review_round


def look(page: Any, name: str) -> None:
    """Screenshots at both widths; no serious or critical axe finding, and the page fits
    360 px (the accessibility test's check) and 390 px."""
    assert not check_page(page, axe_api.Axe(), "library", name)
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size(WIDE)
    page.screenshot(path=str(SHOTS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert not page.evaluate(OVERFLOWS), f"{name} is {width} px wide at 390 px"
    page.set_viewport_size(WIDE)


def test_anonymous_searches_the_library(
    live_server: Any, texts_round: Round, new_page: Any
) -> None:
    page = new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Library").click()
    expect(page.get_by_role("heading", name="Good-practice library")).to_be_visible()
    look(page, "library-anonymous")
    page.get_by_label("Search the texts").fill("écoute")
    page.get_by_label("Kind").select_option("good_practice")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_have_text("6 texts found.")
    content = page.content()
    assert "Private challenge" not in content and "Kenya" not in content
    look(page, "library-search")


def test_analyst_reads_the_library_and_a_capability_page(
    live_server: Any, texts_round: Round, new_page: Any, sign_in: Any
) -> None:
    page = new_page()
    sign_in(page, "analyst", "/library/?capability=C11")
    expect(page.get_by_text("Private challenge 0")).to_be_visible()
    look(page, "library-analyst")
    page.goto(live_server.url + "/framework/mnr-2016/capabilities/C11/")
    expect(page.get_by_role("heading", name="Findings across rounds")).to_be_visible()
    look(page, "capability-analyst")


def test_anonymous_capability_page(live_server: Any, texts_round: Round, new_page: Any) -> None:
    page = new_page()
    page.goto(live_server.url + "/framework/mnr-2016/")
    page.get_by_role("link", name="C11 Child Helpline").click()
    expect(page.get_by_role("heading", name="Maturity phases")).to_be_visible()
    look(page, "capability-anonymous")
