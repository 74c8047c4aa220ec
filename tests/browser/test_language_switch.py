"""The language switcher in the browser: a focal point switches language on the dashboard, on a
questionnaire page and in the library; each time the same page (query string included) comes
back in the chosen language with no English UI text visible. Screenshots of each page in French
are kept with the other artifacts (``i18n-NN-….png``)."""

from __future__ import annotations

from typing import Any

import pytest
from tests.submissions import in_state
from tests.translations import english_ui_texts

from mnr.surveys.models import Round, Submission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect
OVERFLOWS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"

# The text a reader sees or hears: visible text nodes (not in scripts, code or form fields) and
# the text attributes of visible elements.
VISIBLE_TEXTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || parent.closest("script, style, code, pre, textarea")) continue;
    if (!parent.checkVisibility()) continue;
    texts.push(walker.currentNode.textContent);
  }
  for (const element of document.querySelectorAll("[aria-label], [title], [placeholder], [alt]")) {
    if (!element.checkVisibility()) continue;
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      if (element.hasAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  return texts.map((text) => text.split(/\\s+/).join(" ").trim()).filter(Boolean);
}"""


@pytest.fixture
def returned(review_round: Round, personas: dict[str, Any]) -> Submission:
    """Kenya's answers, returned to its focal point with a comment."""
    return in_state(review_round, "KE", Submission.Status.RETURNED)


def switch(page: Any, language: str) -> None:
    """Choose ``language`` (its name in itself) in the header's switcher; the same page comes
    back."""
    before = page.url
    switcher = page.locator("header form.languages")
    switcher.get_by_role("button", name=language).click()
    page.wait_for_load_state("networkidle")
    assert page.url == before, f"the switcher went from {before} to {page.url}"
    expect(switcher.get_by_role("button", name=language)).to_have_attribute("aria-current", "true")


def english_on(page: Any, lang: str) -> list[str]:
    assert page.evaluate("document.documentElement.lang") == lang
    english = english_ui_texts(lang)
    return sorted({text for text in page.evaluate(VISIBLE_TEXTS) if text in english})


def test_the_switcher_keeps_the_page_and_leaves_no_english(
    live_server: Any,
    new_page: Any,
    sign_in: Any,
    returned: Submission,
    screenshots: Any,
) -> None:
    shoot = screenshots("i18n")
    page = new_page()
    sign_in(page, "focal-ke")
    expect(page.get_by_role("heading", name="Your work")).to_be_visible()

    switch(page, "Français")
    expect(page.get_by_role("heading", name="Votre travail")).to_be_visible()
    assert english_on(page, "fr") == []
    shoot(page, "dashboard-fr")
    # French is longer than English: the header still fits a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    assert not page.evaluate(OVERFLOWS), "the French dashboard is wider than a 390 px phone"
    shoot(page, "dashboard-fr-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/submissions/{returned.pk}/?domain=D1")
    expect(page.get_by_role("heading", name="Renvoyée pour modifications")).to_be_visible()
    assert english_on(page, "fr") == []
    shoot(page, "questionnaire-fr")
    switch(page, "Español")
    expect(page.get_by_role("heading", name="Devuelto para cambios")).to_be_visible()
    assert english_on(page, "es") == []

    page.goto(f"{live_server.url}/library/?q=helpline")
    switch(page, "Français")
    expect(page.get_by_role("heading", name="Bibliothèque de bonnes pratiques")).to_be_visible()
    assert english_on(page, "fr") == []
    shoot(page, "library-fr")

    switch(page, "English")
    expect(page.get_by_role("heading", name="Good-practice library")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
