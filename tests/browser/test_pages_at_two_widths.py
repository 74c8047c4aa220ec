"""The dashboard of each role, the submissions list, the review page and the error pages as
seen at 1280 and 390 px (screenshots in /tmp/pages-shots/); none of them is wider than a
390 px phone. Also: an evidence address refused by the server stops being marked as soon as
it is corrected."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from tests.submissions import in_state, opened

from mnr.publications.actions import publish
from mnr.surveys import actions
from mnr.surveys.actions import add_participants, set_round_status, update_round
from mnr.surveys.models import Round, Submission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SHOTS = Path("/tmp/pages-shots")
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
OVERFLOWS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture
def busy_round(review_round: Round, personas: dict[str, Any]) -> dict[str, Submission]:
    """Twelve jurisdictions in every state; Kenya submitted again after a return, with a
    reviewer's comment on one question; one publication; the round closes in nine days."""
    update_round(review_round, closes_on=timezone.localdate() + datetime.timedelta(days=9))
    others = ["FR", "DE", "IT", "ES", "PT", "CI", "BR", "IN", "JP"]
    add_participants(review_round, others)
    kenya = in_state(review_round, "KE", Submission.Status.RETURNED)
    actions.save_answers(kenya, {"C11.status": actions.AnswerInput(value="no")}, source="test")
    actions.submit(kenya, source="test")
    actions.comment_on_question(kenya, "C11.status", "Which law sets up the helpline?")
    submissions = {"KE": kenya, "SE": in_state(review_round, "SE", Submission.Status.RETURNED)}
    for number, code in enumerate(["GB-EAW", *others]):
        state = (Submission.Status.VALIDATED, Submission.Status.SUBMITTED, "draft")[number % 3]
        submissions[code] = (
            opened(review_round, code) if state == "draft" else in_state(review_round, code, state)
        )
    opened(review_round, "KE", "unicef_country_office")
    publish(review_round, note="first", source="test")
    # Published once, and open again for answers.
    set_round_status(review_round, Round.Status.OPEN)
    return submissions


def look(page: Any, name: str) -> None:
    """Screenshots at both widths; the page must fit the phone."""
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size(WIDE)
    page.screenshot(path=str(SHOTS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-390-first-screen.png"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert not page.evaluate(OVERFLOWS), f"{name} is {width} px wide at 390 px"
    # The sign-out button is inside the window, not cut off.
    sign_out = page.get_by_role("button", name="Sign out")
    if sign_out.count():
        box = sign_out.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"], name
    page.set_viewport_size(WIDE)


@pytest.mark.parametrize("username", ["admin", "analyst", "reviewer", "focal-ke", None], ids=str)
def test_home_of_each_role(
    live_server: Any,
    busy_round: dict[str, Submission],
    new_page: Any,
    sign_in: Any,
    username: str | None,
) -> None:
    page = new_page()
    if username:
        sign_in(page, username, "/")
    else:
        page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Rounds", exact=True)).to_be_visible()
    if username is None:
        assert "Kenya" not in page.content()
    look(page, f"home-{username or 'anonymous'}")


def test_submissions_list_review_page_and_round_page(
    live_server: Any, busy_round: dict[str, Submission], new_page: Any, sign_in: Any
) -> None:
    page = new_page()
    sign_in(page, "reviewer", "/submissions/")
    expect(page.locator("table.submissions tbody tr")).to_have_count(13)
    look(page, "submissions")
    page.get_by_label("Status", exact=True).select_option("submitted")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("table.submissions tbody tr")).to_have_count(4)
    page.get_by_label("Search jurisdiction").fill("kenya")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("table.submissions tbody tr")).to_have_count(1)
    page.get_by_role("link", name=re.compile(r"Review Kenya")).click()
    expect(page.locator(".since-return")).to_contain_text("C11.status")
    look(page, "review")
    page.locator("#q-C11_status").scroll_into_view_if_needed()
    page.set_viewport_size(PHONE)
    page.locator("#q-C11_status").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "review-comment-390.png"))
    page.set_viewport_size(WIDE)
    page.locator("#q-C11_status").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "review-comment-1280.png"))
    page.goto(f"{live_server.url}/rounds/{busy_round['KE'].round.code}/")
    expect(page.locator(".round-report")).to_contain_text("PDF")
    look(page, "round")


def test_focal_point_sees_the_comment_and_confirms_before_submitting(
    live_server: Any, busy_round: dict[str, Submission], new_page: Any, sign_in: Any
) -> None:
    sweden = busy_round["SE"]
    actions.comment_on_question(sweden, "C11.status", "Please add the law's address.")
    page = new_page()
    sign_in(page, "focal-se", f"/submissions/{sweden.pk}/?domain=D3")
    expect(page.locator("#q-C11_status .question-comments")).to_contain_text(
        "Please add the law's address."
    )
    page.locator("#q-C11_status").scroll_into_view_if_needed()
    look(page, "answer-with-comment")

    # An address the server refuses is marked; correcting it removes the mark at once.
    helpline = page.locator("#q-C11_status")
    helpline.get_by_text("Comment and evidence").click()
    evidence = helpline.get_by_label(re.compile("Evidence"))
    evidence.fill("not an address")
    evidence.press("Tab")
    expect(helpline.locator(".field-error")).to_contain_text("Not saved")
    evidence.fill("https://example.org/helpline-law")
    expect(helpline.locator(".field-error")).to_have_count(0)
    evidence.press("Tab")
    expect(page.locator("[data-save-status]")).to_have_text("Saved")
    expect(helpline.locator(".field-error")).to_have_count(0)

    page.goto(f"{live_server.url}/submissions/{sweden.pk}/")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("heading", name="Submit these answers for review?")).to_be_visible()
    look(page, "confirm-submit")
    page.get_by_role("button", name="Confirm: submit for review").click()
    expect(page.locator(".submission-status")).to_have_text("Submitted")


def test_error_pages_are_styled(
    live_server: Any, busy_round: dict[str, Submission], new_page: Any, sign_in: Any
) -> None:
    page = new_page()
    sign_in(page, "focal-ke", "/")
    page.goto(f"{live_server.url}/submissions/{busy_round['SE'].pk}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    look(page, "error-404")
    page.goto(f"{live_server.url}/submissions/{busy_round['KE'].pk}/review/")
    expect(page.get_by_role("heading", name="You may not do this")).to_be_visible()
    look(page, "error-403")


def test_round_page_of_its_analyst(
    live_server: Any, busy_round: dict[str, Submission], new_page: Any, sign_in: Any
) -> None:
    page = new_page()
    sign_in(page, "analyst", f"/rounds/{busy_round['KE'].round.code}/")
    expect(page.get_by_role("heading", name="Publications")).to_be_visible()
    expect(page.locator(".round-report")).to_contain_text("preview")
    look(page, "round-analyst")
