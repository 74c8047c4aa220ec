"""The report editor's headline rows in a real browser: the page fits a 1280 px window and a
390 px phone, an edited headline is saved, and the sentence preview follows the choices.
Screenshots in /tmp/editor-shots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mnr.demo import REPORT_DATA
from mnr.jurisdictions.models import Jurisdiction
from mnr.reports.actions import read_headlines_csv, set_headlines
from mnr.reports.models import Headline
from mnr.surveys.actions import AnswerInput, open_submission, save_answers
from mnr.surveys.models import Round

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SHOTS = Path("/tmp/editor-shots")
FITS = "document.documentElement.scrollWidth <= window.innerWidth"
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
}


@pytest.fixture
def demo_report(make_user: Any, review_round: Round) -> Round:
    make_user("analyst-a", "analyst", round_=review_round)
    review_round.channels = ["government", "unicef_country_office"]
    review_round.save()
    set_headlines(
        review_round, read_headlines_csv(REPORT_DATA / "review-2021-headlines.csv"), source="test"
    )
    for code, value in (("KE", "yes"), ("SE", "partial"), ("GB-EAW", "no")):
        submission = open_submission(
            review_round, Jurisdiction.objects.get(code=code), "government"
        )
        save_answers(submission, {"C11.status": AnswerInput(value=value)}, source="test")
    return review_round


def test_editor_fits_both_widths_previews_and_saves_a_headline(
    demo_report: Round, new_page: Any, sign_in: Any
) -> None:
    SHOTS.mkdir(exist_ok=True)
    page = new_page()
    sign_in(page, "analyst-a", f"/rounds/{demo_report.code}/report/edit/?lang=en")
    row = page.get_by_role("group", name="Headline F18")
    expect(row).to_be_visible()
    axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    blocking = [
        (v["id"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")
    ]
    assert blocking == []
    assert page.evaluate(FITS), page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=str(SHOTS / "editor-1280.png"), full_page=True)
    page.screenshot(path=str(SHOTS / "editor-1280-first-screen.png"))
    page.locator(".snapshot-exclude").screenshot(path=str(SHOTS / "snapshot-1280.png"))
    row.screenshot(path=str(SHOTS / "headline-1280.png"))

    preview = row.locator(".preview-text")
    # The review's "almost all" does not fit 2 of 3: the preview says so until it is changed.
    expect(preview).to_contain_text("No sentence: the phrase 'almost all' does not fit 2 of 3")
    row.get_by_label("Phrase").select_option(label="Default for the share")
    expect(preview).to_contain_text("(67 per cent, 2 of 3)")
    row.get_by_label("Partly").uncheck()  # the script asks for the preview again
    expect(preview).to_contain_text("(33 per cent, 1 of 3)")
    row.get_by_label("Statement").fill("have a helpline that answers at night")
    expect(preview).to_contain_text("have a helpline that answers at night.")
    row.get_by_label("Population").select_option(label="Other than High income")
    expect(preview).not_to_contain_text("(33 per cent, 1 of 3)")  # KE alone is not high-income
    row.screenshot(path=str(SHOTS / "headline-edited-1280.png"))

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(FITS), page.evaluate("document.documentElement.scrollWidth")
    fields = [row.get_by_label(name).bounding_box() for name in ("Key", "Domain", "Question")]
    assert fields[0]["y"] < fields[1]["y"] < fields[2]["y"]  # the row's fields stack
    row.screenshot(path=str(SHOTS / "headline-390.png"))
    page.screenshot(path=str(SHOTS / "editor-390.png"), full_page=True)
    page.locator(".snapshot-exclude").screenshot(path=str(SHOTS / "snapshot-390.png"))

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Saved: headlines.")
    headline = Headline.objects.get(round=demo_report, key="F18")
    assert (headline.counts_as, headline.population, headline.statement["en"]) == (
        ["yes"],
        "income!=HIC",
        "have a helpline that answers at night",
    )
