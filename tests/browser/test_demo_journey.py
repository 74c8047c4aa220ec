"""The demo as a new focal point finds it: the published round takes no answers; in the open
round the focal point answers, submits, gets it back from a reviewer, fixes it, and the
reviewer validates it. The published round's answers and publication do not move."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from tests.browser.answering import answer_required_questions, domains, saved

from mnr.demo import DEMO_PASSWORD, DEMO_ROUND, OPEN_ROUND, load_demo
from mnr.publications.models import Publication
from mnr.surveys.models import Answer, Submission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SHOTS = "/tmp/helpere-demo-{step}.png"


def sign_in_demo(page: Any, live_server: Any, username: str, next_path: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={quote(next_path)}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def published_state() -> tuple[int, list[tuple[int, int]]]:
    """What the published round holds: its publications and every answer's version."""
    return (
        Publication.objects.filter(round__code=DEMO_ROUND).count(),
        sorted(
            Answer.objects.filter(submission__round__code=DEMO_ROUND).values_list("pk", "version")
        ),
    )


def test_a_focal_point_answers_the_open_demo_round_and_a_reviewer_validates_it(
    live_server: Any, new_page: Any
) -> None:
    load_demo()
    before = published_state()
    focal = new_page()
    sign_in_demo(focal, live_server, "demo-focal", "/submissions/")

    # Only the open round offers a submission to start.
    starts = focal.get_by_role("button", name=re.compile(r"^Start "))
    expect(starts.first).to_be_visible()
    assert all("open for answers" in name for name in starts.all_inner_texts())
    focal.get_by_role(
        "button", name=re.compile(r"Start .*open for answers.*Jurisdiction 01.*Government")
    ).click()
    submission = Submission.objects.get(
        round__code=OPEN_ROUND, jurisdiction__code="J01", channel="government"
    )
    overview = f"{live_server.url}/submissions/{submission.pk}/"
    expect(focal).to_have_url(overview)
    expect(focal.locator(".synthetic.banner")).to_be_visible()

    focal.goto(overview + "?domain=D1")
    focal.locator("#q-C01_status").get_by_label("Partly").check()
    saved(focal)
    focal.locator("#q-C01_good_practice textarea").fill(
        "A coordination group of four ministries meets every quarter."
    )
    saved(focal)
    for domain in ["", *domains(focal)]:
        focal.goto(overview + (f"?domain={domain}" if domain else ""))
        answer_required_questions(focal)
        if domain == "D1":
            focal.evaluate("window.scrollTo(0, 0)")
            focal.screenshot(path=SHOTS.format(step="1-answering"))
    focal.goto(overview)
    expect(focal.locator('[data-progress="overall"] [data-count]')).to_have_text(
        re.compile(r"^(\d+)/\1$")
    )
    focal.get_by_role("button", name="Submit for review").click()
    focal.get_by_role("button", name="Confirm: submit for review").click()
    expect(focal.locator(".submission-status")).to_have_text("Submitted")
    focal.screenshot(path=SHOTS.format(step="2-submitted"))

    reviewer = new_page()
    sign_in_demo(reviewer, live_server, "demo-reviewer", f"/submissions/{submission.pk}/review/")
    expect(reviewer.locator("#q-C01_good_practice")).to_contain_text(
        "A coordination group of four ministries"
    )
    reviewer.get_by_label("What needs changing (required)").fill(
        "C01: please add the address of the group's terms of reference."
    )
    reviewer.screenshot(path=SHOTS.format(step="3-review"))
    reviewer.get_by_role("button", name="Return for changes").click()
    expect(reviewer.locator(".messages")).to_contain_text("Returned to the focal point")

    focal.goto(overview + "?domain=D1")
    expect(focal.locator(".return-comment")).to_contain_text("terms of reference")
    status = focal.locator("#q-C01_status")
    status.get_by_text("Comment and evidence").click()
    status.get_by_label(re.compile("Evidence")).fill("https://example.org/terms-of-reference")
    status.get_by_label(re.compile("Evidence")).press("Tab")
    saved(focal)
    focal.evaluate("window.scrollTo(0, 0)")
    focal.screenshot(path=SHOTS.format(step="4-returned"))
    focal.goto(overview)
    focal.get_by_role("button", name="Submit for review").click()
    focal.get_by_role("button", name="Confirm: submit for review").click()
    expect(focal.locator(".submission-status")).to_have_text("Submitted")

    reviewer.reload()
    expect(reviewer.locator("#q-C01_status")).to_contain_text(
        "https://example.org/terms-of-reference"
    )
    reviewer.get_by_role("button", name="Validate").click()
    expect(reviewer.locator(".messages")).to_contain_text("Validated")
    reviewer.screenshot(path=SHOTS.format(step="5-validated"))

    focal.goto(overview + "?domain=D1")
    expect(focal.locator(".lock-notice")).to_contain_text("Validated and locked.")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.VALIDATED
    assert list(submission.transitions.values_list("to_status", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "validated",
    ]
    assert published_state() == before


def test_the_published_demo_round_shows_answers_read_only(live_server: Any, new_page: Any) -> None:
    load_demo()
    before = published_state()
    published = Submission.objects.get(
        round__code=DEMO_ROUND, jurisdiction__code="J01", channel="government"
    )
    page = new_page()
    sign_in_demo(page, live_server, "demo-focal", f"/submissions/{published.pk}/?domain=D1")
    expect(page.locator(".lock-notice")).to_contain_text("Validated and locked.")
    expect(page.locator("form[data-save-url]")).to_have_count(0)
    response = page.request.post(
        f"{live_server.url}/submissions/{published.pk}/save/",
        data='{"answers": {"C01.status": {"value": "no"}}}',
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": page.evaluate("document.cookie.match(/csrftoken=([^;]+)/)?.[1] ?? ''"),
        },
    )
    assert response.status == 409
    assert published_state() == before
