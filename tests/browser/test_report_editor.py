"""The report editor in a real browser: a text keeps its every byte through save and reload,
and two analysts editing one block see a conflict with both texts instead of losing one."""

from __future__ import annotations

from typing import Any

import pytest

from mnr.reports.actions import save_narrative
from mnr.reports.models import NarrativeBlock
from mnr.surveys.models import Round

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SCREENSHOT = "/tmp/helperb-conflict.png"
WRITTEN = (
    "\nA synthetic round, said with *emphasis*  \nand a hard break.\n\n"
    "- first bullet\n- second bullet\n\n1. first step\n2. second step"
)


@pytest.fixture
def analysts(make_user: Any, review_round: Round) -> tuple[Any, Any]:
    return (
        make_user("analyst-a", "analyst", round_=review_round),
        make_user("analyst-b", "analyst", round_=review_round),
    )


def editor(page: Any, sign_in: Any, username: str, round_: Round) -> Any:
    sign_in(page, username, f"/rounds/{round_.code}/report/edit/?lang=en")
    return page


def test_a_text_survives_save_and_reload_in_the_browser_byte_for_byte(
    analysts: tuple[Any, Any], review_round: Round, new_page: Any, sign_in: Any
) -> None:
    page = editor(new_page(), sign_in, "analyst-a", review_round)
    page.get_by_label("Introduction").fill(WRITTEN)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved: Introduction.")
    assert NarrativeBlock.objects.get(key="introduction").text == {"en": WRITTEN}
    assert page.get_by_label("Introduction").input_value() == WRITTEN
    page.get_by_role("button", name="Save").click()  # unchanged: nothing is written
    expect(page.get_by_role("status")).to_contain_text("Nothing had changed")
    block = NarrativeBlock.objects.get(key="introduction")
    assert (block.text, block.version) == ({"en": WRITTEN}, 1)


def test_two_analysts_editing_one_block_see_both_texts_and_choose(
    analysts: tuple[Any, Any], review_round: Round, new_page: Any, sign_in: Any
) -> None:
    save_narrative(review_round, "introduction", "The first introduction.", source="test")
    page_a = editor(new_page(), sign_in, "analyst-a", review_round)
    page_b = editor(new_page(), sign_in, "analyst-b", review_round)
    page_a.get_by_label("Introduction").fill("A's introduction:\n\n- one point\n- another")
    page_a.get_by_role("button", name="Save").click()
    expect(page_a.get_by_role("status")).to_contain_text("Saved: Introduction.")

    page_b.get_by_label("Introduction").fill("B's introduction, written at the same time.")
    page_b.get_by_label("Key messages").fill("B's key messages.")
    page_b.get_by_role("button", name="Save").click()
    conflict = page_b.get_by_role("group", name="Introduction: changed by analyst-a")
    expect(conflict).to_be_visible()
    expect(page_b.get_by_role("alert")).to_contain_text("Nothing was saved")
    assert page_b.get_by_label("Your text").input_value() == (
        "B's introduction, written at the same time."
    )
    theirs = page_b.get_by_label("Their text")
    assert theirs.input_value() == "A's introduction:\n\n- one point\n- another"
    assert theirs.get_attribute("readonly") is not None
    mine_box, theirs_box = (
        page_b.locator(".conflict-texts .mine").bounding_box(),
        page_b.locator(".conflict-texts .theirs").bounding_box(),
    )
    assert mine_box["x"] < theirs_box["x"] and abs(mine_box["y"] - theirs_box["y"]) < 5
    page_b.locator("#block-introduction").screenshot(path=SCREENSHOT)
    page_b.screenshot(path=SCREENSHOT.replace(".png", "-page.png"), full_page=True)

    # Saving without choosing is stopped by the browser; then B keeps their own text.
    page_b.get_by_role("button", name="Save").click()
    assert NarrativeBlock.objects.get(key="introduction").version == 2
    conflict.get_by_label("Keep mine").check()
    page_b.get_by_role("button", name="Save").click()
    expect(page_b.get_by_role("status")).to_contain_text("Saved: Introduction, Key messages.")
    texts = {block.key: block.text["en"] for block in NarrativeBlock.objects.all()}
    assert texts == {
        "introduction": "B's introduction, written at the same time.",
        "key_messages": "B's key messages.",
    }
