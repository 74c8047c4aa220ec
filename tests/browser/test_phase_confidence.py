"""A focal point places a capability in a phase and says how confident they are: the page saves
the confidence as it saves the phase, and a respondent's page names the respondent."""

from __future__ import annotations

from typing import Any

import pytest

from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.models import Answer, Submission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def police(personas: dict[str, Any]) -> Submission:
    round_ = actions.create_round("assess-2024", instrument="mnr-2016-self-assessment")
    actions.add_participants(round_, ["KE"])
    return actions.open_submission(
        round_,
        Jurisdiction.objects.get(code="KE"),
        "government",
        respondent="police",
        respondent_name="National Police (synthetic)",
    )


def test_the_confidence_in_a_phase_is_saved_as_it_is_chosen(
    new_page: Any, sign_in: Any, police: Submission
) -> None:
    page = new_page()
    sign_in(page, "focal-ke", f"/submissions/{police.pk}/?domain=D1")
    expect(page.locator("h1 .respondent")).to_have_text("· National Police (synthetic)")
    phase = page.locator("#q-C01_phase")

    def saving(step: Any) -> None:
        with page.expect_response(lambda response: response.url.endswith("/save/")) as sent:
            step()
        assert sent.value.status == 200

    saving(lambda: page.locator("#q-C01_status").get_by_label("Partly").check())
    expect(phase).to_be_enabled()
    saving(lambda: phase.locator("input[type=radio][value='2']").check())
    phase.locator("summary").click()
    confidence = phase.get_by_label("How confident are you of this phase?")
    saving(lambda: confidence.select_option("medium"))
    answer = Answer.objects.get(submission=police, question__code="C01.phase")
    assert (answer.value, answer.confidence) == ("2", "medium")
    page.reload()
    expect(phase.get_by_label("How confident are you of this phase?")).to_have_value("medium")
