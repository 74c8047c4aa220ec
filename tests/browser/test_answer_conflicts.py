"""Two focal points of one jurisdiction edit the same answer in two browsers: the second sees
the conflict with both texts, nothing either typed is lost, and the kept text is the user's
own (never another user's of the same browser)."""

from __future__ import annotations

from typing import Any

import pytest

from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.models import Answer, AnswerChange, Submission

pytestmark = [
    pytest.mark.browser,
    # The framework and jurisdictions come from data migrations: keep them for the next test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SCREENSHOT = "/tmp/helpere-conflict.png"
PRACTICE = "#q-C01_good_practice"


@pytest.fixture
def kenya(review_round: Any, personas: dict[str, Any]) -> Submission:
    return actions.open_submission(
        review_round, Jurisdiction.objects.get(code="KE"), "unicef_country_office"
    )


@pytest.fixture
def second_focal_point(make_user: Any) -> Any:
    return make_user("focal-ke-2", "focal_point", "KE")


def saved(page: Any) -> None:
    expect(page.locator("[data-save-status]")).to_have_text("Saved")


def kept_keys(page: Any) -> list[str]:
    return sorted(page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('mnr:'))"))


def answer(submission: Submission) -> Answer:
    return Answer.objects.get(submission=submission, question__code="C01.good_practice")


def two_focal_points_edit_the_same_answer(
    new_page: Any, sign_in: Any, kenya: Submission
) -> tuple[Any, Any]:
    """A and B open the page; A saves a text; B, still on the old page, types another."""
    path = f"/submissions/{kenya.pk}/?domain=D1"
    first, second = new_page(), new_page()
    sign_in(first, "focal-ke", path)
    sign_in(second, "focal-ke-2", path)
    first.locator(f"{PRACTICE} textarea").fill("A national task force meets every month.")
    saved(first)
    second.locator(f"{PRACTICE} textarea").fill("The helpline opened in 2020,\nrun by an NGO.")
    return first, second


def test_the_second_writer_sees_both_texts_and_keeps_theirs_own(
    live_server: Any,
    personas: dict[str, Any],
    second_focal_point: Any,
    kenya: Submission,
    new_page: Any,
    sign_in: Any,
) -> None:
    first, second = two_focal_points_edit_the_same_answer(new_page, sign_in, kenya)

    conflict = second.locator(f"{PRACTICE} .conflict")
    expect(conflict).to_be_visible()
    expect(second.locator("[data-save-status]")).to_contain_text(
        "Not saved: someone else saved C01.good_practice while you were editing"
    )
    expect(conflict.locator(".theirs")).to_contain_text("Saved meanwhile by focal-ke at ")
    expect(conflict.locator(".theirs")).to_contain_text("A national task force meets every month.")
    expect(conflict.locator(".mine")).to_contain_text(
        "The helpline opened in 2020,\nrun by an NGO."
    )
    expect(second.locator(f"{PRACTICE} textarea")).to_have_value(
        "The helpline opened in 2020,\nrun by an NGO."
    )
    conflict.evaluate("panel => panel.scrollIntoView({block: 'center'})")
    second.screenshot(path=SCREENSHOT)
    assert answer(kenya).value == "A national task force meets every month."

    # The unsent text waits in this browser, under this user, until B chooses, reload or not.
    user = second_focal_point.pk
    assert kept_keys(second) == [f"mnr:pending:{user}:{kenya.pk}:C01.good_practice"]
    second.reload()
    expect(second.locator(f"{PRACTICE} .conflict")).to_be_visible()
    expect(second.locator(f"{PRACTICE} textarea")).to_have_value(
        "The helpline opened in 2020,\nrun by an NGO."
    )
    assert answer(kenya).version == 1

    # B edits while both texts are shown, then keeps the edited text.
    box = second.locator(f"{PRACTICE} textarea")
    box.fill("The helpline opened in 2020, run by an NGO; a task force meets monthly.")
    expect(second.locator(f"{PRACTICE} .conflict .mine")).to_contain_text("a task force meets")
    expect(second.locator(f"{PRACTICE} .conflict .theirs")).to_contain_text("every month")
    second.locator(PRACTICE).get_by_role("button", name="Keep mine").click()
    saved(second)
    expect(second.locator(f"{PRACTICE} .conflict")).to_have_count(0)
    stored = answer(kenya)
    assert stored.value == "The helpline opened in 2020, run by an NGO; a task force meets monthly."
    assert (stored.version, stored.updated_by) == (2, second_focal_point)
    assert kept_keys(second) == []
    texts = list(
        AnswerChange.objects.filter(answer=stored, field="value")
        .order_by("id")
        .values_list("changed_by__username", "new")
    )
    assert [who for who, _ in texts] == ["focal-ke", "focal-ke-2"]

    # The next change goes from the new version without a conflict.
    box.fill("Final text.")
    saved(second)
    assert (answer(kenya).value, answer(kenya).version) == ("Final text.", 3)
    # A, still on version 1, now gets the conflict in turn.
    first.locator(f"{PRACTICE} textarea").fill("A again.")
    expect(first.locator(f"{PRACTICE} .conflict .theirs")).to_contain_text("Final text.")


def test_take_theirs_shows_the_saved_text_and_forgets_the_unsent_one(
    live_server: Any,
    personas: dict[str, Any],
    second_focal_point: Any,
    kenya: Submission,
    new_page: Any,
    sign_in: Any,
) -> None:
    _, second = two_focal_points_edit_the_same_answer(new_page, sign_in, kenya)
    second.locator(PRACTICE).get_by_role("button", name="Take theirs").click()
    saved(second)
    expect(second.locator(f"{PRACTICE} textarea")).to_have_value(
        "A national task force meets every month."
    )
    assert kept_keys(second) == []
    second.locator(f"{PRACTICE} textarea").fill("B's text, written over A's on purpose.")
    saved(second)
    assert (answer(kenya).value, answer(kenya).version) == (
        "B's text, written over A's on purpose.",
        2,
    )


def test_signing_out_removes_the_kept_answers_after_asking(
    live_server: Any,
    personas: dict[str, Any],
    second_focal_point: Any,
    kenya: Submission,
    new_page: Any,
    sign_in: Any,
) -> None:
    _, second = two_focal_points_edit_the_same_answer(new_page, sign_in, kenya)
    expect(second.locator(f"{PRACTICE} .conflict")).to_be_visible()
    asked: list[str] = []

    def answer_dialog(dialog: Any, accept: bool) -> None:
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    second.once("dialog", lambda dialog: answer_dialog(dialog, accept=False))
    second.get_by_role("button", name="Sign out").click()
    expect(second.locator(f"{PRACTICE} .conflict")).to_be_visible()  # still signed in
    assert asked == [
        "One answer you entered is not saved yet. Signing out removes them from this browser. "
        "Sign out anyway?"
    ]
    assert len(kept_keys(second)) == 1

    second.once("dialog", lambda dialog: answer_dialog(dialog, accept=True))
    second.get_by_role("button", name="Sign out").click()
    second.wait_for_url(lambda url: f"/submissions/{kenya.pk}/" not in url)
    assert kept_keys(second) == []

    # The next user of this browser starts with nothing of the previous one's.
    sign_in(second, "focal-ke", f"/submissions/{kenya.pk}/?domain=D1")
    expect(second.locator(f"{PRACTICE} textarea")).to_have_value(
        "A national task force meets every month."
    )
    expect(second.locator(f"{PRACTICE} .conflict")).to_have_count(0)


def test_kept_answers_are_the_signed_in_users_only(
    live_server: Any,
    personas: dict[str, Any],
    second_focal_point: Any,
    kenya: Submission,
    new_page: Any,
    sign_in: Any,
) -> None:
    page = new_page()
    path = f"/submissions/{kenya.pk}/?domain=D1"
    sign_in(page, "focal-ke", path)
    # What another user of this browser left unsent (their session ended before it was saved).
    other = second_focal_point.pk
    page.evaluate(
        f"""localStorage.setItem("mnr:pending:{other}:{kenya.pk}:C01.good_practice",
        JSON.stringify({{fields: {{value: "Someone else's draft."}}, version: 0}}))"""
    )
    page.reload()
    expect(page.locator(f"{PRACTICE} textarea")).to_have_value("")
    page.locator("#q-C01_status").get_by_label("Yes").check()
    saved(page)
    assert not Answer.objects.filter(question__code="C01.good_practice").exists()


def test_without_javascript_the_form_shows_both_texts_and_saves_the_choice(
    live_server: Any,
    personas: dict[str, Any],
    second_focal_point: Any,
    kenya: Submission,
    browser: Any,
) -> None:
    contexts = [browser.new_context(java_script_enabled=False) for _ in range(2)]
    try:
        first, second = (context.new_page() for context in contexts)
        path = f"/submissions/{kenya.pk}/?domain=D1"
        for page, username in ((first, "focal-ke"), (second, "focal-ke-2")):
            page.goto(f"{live_server.url}/accounts/login/?next={path}")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill("pw-" + username)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"**{path}")
        first.locator(f"{PRACTICE} textarea").fill("A's text, saved first.")
        first.get_by_role("button", name="Save", exact=True).click()
        expect(first.locator(".messages")).to_contain_text("Saved (1 change).")
        second.locator(f"{PRACTICE} textarea").fill("B's text, typed on the old page.")
        second.get_by_role("button", name="Save", exact=True).click()

        conflict = second.locator(f"{PRACTICE} .conflict")
        expect(conflict.locator(".theirs")).to_contain_text("A's text, saved first.")
        expect(conflict.locator(".mine")).to_contain_text("B's text, typed on the old page.")
        expect(second.locator(f"{PRACTICE} textarea")).to_have_value(
            "B's text, typed on the old page."
        )
        expect(second.locator(".message.error")).to_contain_text("Nothing was saved")
        conflict.evaluate("panel => panel.scrollIntoView({block: 'center'})")
        second.screenshot(path="/tmp/helpere-conflict-plain.png")

        conflict.get_by_label("Keep mine").check()
        second.get_by_role("button", name="Save", exact=True).click()
        expect(second.locator(".messages")).to_contain_text("Saved (1 change).")
        expect(second.locator(f"{PRACTICE} .conflict")).to_have_count(0)
        assert (answer(kenya).value, answer(kenya).version) == (
            "B's text, typed on the old page.",
            2,
        )
    finally:
        for context in contexts:
            context.close()
