"""Steps of answering a questionnaire in the browser, shared by the journey tests."""

from __future__ import annotations

from typing import Any

import pytest

expect = pytest.importorskip("playwright.sync_api").expect


def saved(page: Any) -> None:
    expect(page.locator("[data-save-status]")).to_have_text("Saved")


def answer_required_questions(page: Any) -> None:
    """Answer the unanswered required questions of the page that apply, with a first choice."""
    for fieldset in page.locator("fieldset.question[data-required]:not([disabled])").all():
        radios = fieldset.get_by_role("radio")
        if fieldset.locator("input[type=radio]:checked:not([value=''])").count():
            continue
        if radios.count():
            radios.first.check()
        else:
            fieldset.locator("textarea").fill("Answered in the browser.")
            fieldset.locator("textarea").blur()
        saved(page)


def domains(page: Any) -> list[str]:
    """The domain codes the page's navigation links to."""
    return [
        href.split("?domain=")[1]
        for link in page.locator("nav.sections a").all()
        if "?domain=" in (href := link.get_attribute("href") or "")
    ]
