"""The review workflow in a real browser: answering with save-as-you-go, returning, fixing,
validating; and changes made after the session ended reaching the server after signing in."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.browser.answering import answer_required_questions, domains, saved

from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.models import Answer, Submission

pytestmark = [
    pytest.mark.browser,
    # The framework and jurisdictions come from data migrations: keep them for the next test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SCREENSHOT = "/tmp/mnr-entry.png"


def test_focal_point_answers_reviewer_returns_focal_point_fixes_reviewer_validates(
    live_server: Any, personas: dict[str, Any], new_page: Any, sign_in: Any
) -> None:
    focal = new_page()
    sign_in(focal, "focal-ke", "/submissions/")
    focal.get_by_role("button", name=re.compile(r"Start .*Kenya, Government")).click()
    submission = Submission.objects.get(jurisdiction__code="KE", channel="government")
    overview = f"{live_server.url}/submissions/{submission.pk}/"
    expect(focal).to_have_url(overview)

    # Save as you go: a choice is on the server before any button is pressed.
    focal.goto(overview + "?domain=D1")
    focal.locator("#q-C01_status").get_by_label("Partly").check()
    saved(focal)
    focal.locator("#q-C01_good_practice textarea").fill("A national task force meets monthly.")
    saved(focal)  # after a pause in typing
    focal.reload()
    expect(focal.locator("#q-C01_status").get_by_label("Partly")).to_be_checked()
    expect(focal.locator("#q-C01_good_practice textarea")).to_have_value(
        "A national task force meets monthly."
    )
    assert "C03.laws_adequate" not in focal.content()  # asked of UNICEF country offices only

    for domain in ["", *domains(focal)]:
        focal.goto(overview + (f"?domain={domain}" if domain else ""))
        answer_required_questions(focal)
        if domain:
            count = focal.locator(f'[data-progress="{domain}"] [data-count]')
            expect(count).to_have_text(re.compile(r"^(\d+)/\1$"))
        if domain == "D1":
            focal.evaluate("window.scrollTo(0, 0)")
            focal.screenshot(path=SCREENSHOT)
    focal.goto(overview)
    expect(focal.locator('[data-progress="overall"] [data-count]')).to_have_text(
        re.compile(r"^(\d+)/\1$")
    )
    focal.get_by_role("button", name="Submit for review").click()
    focal.get_by_role("button", name="Confirm: submit for review").click()
    expect(focal.locator(".submission-status")).to_have_text("Submitted")
    expect(focal.locator(".lock-notice")).to_contain_text("Submitted for review.")

    reviewer = new_page()
    sign_in(reviewer, "reviewer", "/submissions/")
    reviewer.get_by_role("link", name=re.compile(r"Review .*Kenya")).click()
    expect(reviewer.locator("#q-C01_status")).to_contain_text("Partly")
    helpline_review = reviewer.locator("#q-C11_status")
    helpline_review.get_by_text("Comment on C11.status", exact=True).click()
    helpline_review.get_by_label(re.compile("What should the focal point look at")).fill(
        "Which service runs it?"
    )
    helpline_review.get_by_role("button", name=re.compile("Save comment")).click()
    expect(reviewer.locator(".messages")).to_contain_text("Comment on C11.status saved")
    reviewer.get_by_label("What needs changing (required)").fill(
        "Please give evidence for the helpline (C11)."
    )
    reviewer.get_by_role("button", name="Return for changes").click()
    expect(reviewer.locator(".messages")).to_contain_text("Returned to the focal point")

    focal.goto(overview)
    expect(focal.locator(".return-comment")).to_contain_text(
        "Please give evidence for the helpline (C11)."
    )
    focal.goto(overview + "?domain=D3")
    helpline = focal.locator("#q-C11_status")
    expect(helpline.locator(".question-comments")).to_contain_text("Which service runs it?")
    helpline.get_by_text("Comment and evidence").click()
    helpline.get_by_label(re.compile("Evidence")).fill("https://example.org/helpline")
    helpline.get_by_label(re.compile("Evidence")).press("Tab")
    saved(focal)
    focal.goto(overview)
    focal.get_by_role("button", name="Submit for review").click()
    focal.get_by_role("button", name="Confirm: submit for review").click()
    expect(focal.locator(".submission-status")).to_have_text("Submitted")

    reviewer.reload()
    expect(reviewer.locator("#q-C11_status")).to_contain_text("https://example.org/helpline")
    expect(reviewer.locator(".since-return")).to_contain_text("C11.status")
    reviewer.get_by_role("button", name="Validate").click()
    expect(reviewer.locator(".messages")).to_contain_text("Validated")

    focal.goto(overview + "?domain=D3")
    expect(focal.locator(".lock-notice")).to_contain_text("Validated and locked.")
    expect(focal.locator("form[data-save-url]")).to_have_count(0)
    expect(focal.locator("main input:not([type=hidden]), main textarea")).to_have_count(0)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.VALIDATED
    assert list(submission.transitions.values_list("to_status", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "validated",
    ]


def test_a_change_made_after_the_session_ended_is_saved_after_signing_in_again(
    live_server: Any, personas: dict[str, Any], review_round: Any, new_page: Any, sign_in: Any
) -> None:
    submission = actions.open_submission(
        review_round, Jurisdiction.objects.get(code="KE"), "unicef_country_office"
    )
    path = f"/submissions/{submission.pk}/?domain=D1"
    page = new_page()
    sign_in(page, "focal-ke", path)
    page.locator("#q-C01_status").get_by_label("Yes").check()
    saved(page)

    page.context.clear_cookies()  # the session is gone, as after it expired
    page.locator("#q-C02_status").get_by_label("No", exact=True).check()
    status = page.locator("[data-save-status]")
    expect(status).to_contain_text("Not saved: your session has ended")
    assert not Answer.objects.filter(question__code="C02.status").exists()

    status.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Username").fill("focal-ke")
    page.get_by_label("Password").fill("pw-focal-ke")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    saved(page)
    expect(page.locator("#q-C02_status").get_by_label("No", exact=True)).to_be_checked()
    answer = Answer.objects.get(submission=submission, question__code="C02.status")
    assert answer.value == "no"
    assert answer.updated_by == personas["focal_point"]
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('mnr:pending:'))")
    assert kept == []


def test_a_question_is_enabled_only_when_the_answer_it_depends_on_allows_it(
    live_server: Any, personas: dict[str, Any], new_page: Any, sign_in: Any
) -> None:
    round_ = actions.create_round(
        "self-2024", instrument="mnr-2016-self-assessment", title="Self-assessment"
    )
    actions.add_participants(round_, ["KE"])
    submission = actions.open_submission(round_, Jurisdiction.objects.get(code="KE"), "government")
    page = new_page()
    sign_in(page, "focal-ke", f"/submissions/{submission.pk}/?domain=D1")
    phase = page.locator("#q-C01_phase")
    not_applicable = re.compile(r"\bnot-applicable\b")
    expect(phase).to_have_class(not_applicable)
    expect(phase.get_by_role("radio").first).to_be_hidden()

    page.locator("#q-C01_status").get_by_label("Partly").check()
    expect(phase).not_to_have_class(not_applicable)
    phase.get_by_label("2 Developing").check()
    saved(page)
    assert Answer.objects.get(submission=submission, question__code="C01.phase").value == "2"

    page.locator("#q-C01_status").get_by_label("No", exact=True).check()
    expect(phase).to_have_class(not_applicable)
    saved(page)
    page.reload()  # the server agrees that it no longer applies
    expect(phase).to_have_class(not_applicable)
    expect(phase).to_have_attribute("disabled", "")
