"""A focal point from self-assessment to an edited action plan: places capabilities in phases
with a confidence and evidence, sees the profile, agrees to peer exchange, edits an item of
the plan (owner, due date, status), drops one, adds one back with another target, and finds
the edited plan as left. Screenshots of each step at 1280 and 390 pixels wide go to
``/tmp/mweb-shots/``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from tests.maturity import self_assessment_round

from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import actions
from mnr.maturity.models import Consent, PlanItem
from mnr.surveys.models import Answer, Round

pytestmark = [
    pytest.mark.browser,
    # The framework and jurisdictions come from data migrations: keep them for the next test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SHOTS = Path("/tmp/mweb-shots")
ROUND = "sa-browser"
WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
# What Kenya's lead respondent says in the browser: capability -> (phase, confidence, evidence).
PLACED = {
    "C01": ("3", "High", "A national task force with a mandate from the cabinet (synthetic)."),
    "C02": ("2", "Medium", "One national study of prevalence so far (synthetic)."),
    "C03": ("1", "Low", "A draft law is before parliament (synthetic)."),
}


@pytest.fixture
def assessment(personas: dict[str, Any]) -> Round:
    """Kenya's police have answered already; Sweden agreed to share its phases."""
    round_ = self_assessment_round(
        ROUND,
        {
            "KE": {"police": {"C01": 2, "C02": 2}},
            "SE": {"": {"C01": 4, "C02": 3, "C03": 4}},
            "GB-EAW": {"": {"C01": 3}},
        },
        confidence="medium",
    )
    actions.set_consent(round_, Jurisdiction.objects.get(code="SE"), True)
    return round_


# Whether the page is wider than the window (tables may scroll inside their own box).
OVERFLOWS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def shoot(page: Any, step: str, *, full_page: bool = True, fits: bool = True) -> None:
    """The page as it is, at both widths (the page is left at the wide one); ``fits``: it
    must not scroll sideways at either."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, suffix in ((WIDE, "1280"), (NARROW, "390")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{step}-{suffix}.png"), full_page=full_page)
        assert not (fits and page.evaluate(OVERFLOWS)), f"{step} is wider than {suffix} px"
    page.set_viewport_size(WIDE)


def saved(page: Any) -> None:
    expect(page.locator("[data-save-status]")).to_have_text("Saved")


def place_in_phase(page: Any, capability: str, phase: str, confidence: str, evidence: str) -> None:
    page.locator(f"#q-{capability}_status").get_by_label("Yes", exact=True).check()
    saved(page)
    question = page.locator(f"#q-{capability}_phase")
    question.locator(f'input[type=radio][value="{phase}"]').check()
    saved(page)
    details = question.locator("details.answer-details")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    question.get_by_label("How confident are you of this phase?").select_option(label=confidence)
    saved(page)
    question.get_by_label("Comment").fill(evidence)
    question.get_by_label("Comment").blur()
    saved(page)


def item(page: Any, capability: str) -> Any:
    return page.locator(f"#item-{capability}")


def test_a_focal_point_goes_from_self_assessment_to_an_edited_plan(
    live_server: Any, assessment: Round, new_page: Any, sign_in: Any
) -> None:
    page = new_page()
    sign_in(page, "focal-ke", "/submissions/")
    page.get_by_role("button", name=re.compile(rf"Start Test {ROUND}, Kenya, .*Lead")).click()
    expect(page.locator("h1")).to_contain_text("Kenya")
    submission_url = page.url.split("?")[0]

    # 1. The self-assessment: three capabilities of D1 placed in phases.
    page.goto(f"{submission_url}?domain=D1")
    for capability, (phase, confidence, evidence) in PLACED.items():
        place_in_phase(page, capability, phase, confidence, evidence)
    page.locator("#q-C01_phase").scroll_into_view_if_needed()
    shoot(page, "01-self-assessment", full_page=False, fits=False)
    stored = {
        a.question.code: (a.value, a.confidence, a.comment)
        for a in Answer.objects.filter(
            submission__round=assessment,
            submission__jurisdiction__code="KE",
            submission__respondent="",
            question__code__endswith=".phase",
        ).select_related("question")
    }
    assert stored == {
        f"{c}.phase": (phase, confidence.lower(), evidence)
        for c, (phase, confidence, evidence) in PLACED.items()
    }

    # 2. The profile: the heat strip and the consolidated phases.
    page.goto(live_server.url + reverse("maturity-profile", args=[ROUND, "KE"]))
    expect(page.locator("h1")).to_contain_text("Kenya")
    expect(page.get_by_text("C01").first).to_be_visible()
    shoot(page, "02-profile")
    page.goto(live_server.url + reverse("maturity-phases", args=[ROUND, "KE"]))
    phases = page.locator("#phase-C01")
    # The lead said 3, the police 2: the lower median is 2, with both respondents beside it.
    expect(phases.locator(".phase-facts")).to_contain_text("2 Developing")
    expect(phases.locator("table.answers")).to_contain_text("Police")
    expect(phases.locator("table.answers")).to_contain_text(PLACED["C01"][2])
    expect(page.get_by_role("button", name=re.compile("^Override"))).to_have_count(0)
    shoot(page, "03-phases")

    # 3. The plan, as proposed; consent to peer exchange; peers of C01.
    page.get_by_role("link", name="Action plan", exact=True).click()
    expect(page.locator("h1")).to_have_text("Action plan of Kenya")
    shoot(page, "04-plan-proposed")
    page.get_by_label("Yes, share them").check()
    page.get_by_role("button", name="Record the choice").click()
    expect(page.locator("#consent .message")).to_have_text("Recorded: peers may learn your phases.")
    expect(page.locator(".consent-state")).to_contain_text("Set by focal-ke on ")
    assert Consent.objects.get(jurisdiction__code="KE").peer_exchange is True
    item(page, "C01").get_by_role("link", name="Learn from peers about C01").click()
    expect(page.locator("table.peers")).to_contain_text("Sweden")
    expect(page.locator("table.peers")).not_to_contain_text("England")
    shoot(page, "05-peers")
    page.get_by_role("link", name="Back to the action plan").click()

    # 4. Edit an item: owner, due date, status.
    c01 = item(page, "C01")
    c01.get_by_label("Owner").fill("Ministry of the Interior (synthetic)")
    c01.get_by_label("Due date").fill("2027-06-30")
    c01.get_by_label("Status").select_option(label="In progress")
    c01.get_by_label("Notes").fill("Agree the mandate with the cabinet office first.")
    c01.get_by_role("button", name="Save C01").click()
    expect(item(page, "C01").locator(".message")).to_have_text("Saved C01.")
    expect(item(page, "C01").get_by_label("Owner")).to_have_value(
        "Ministry of the Interior (synthetic)"
    )
    shoot(page, "06-item-saved", full_page=False)

    # 5. Drop one (with a confirmation), add it back with another target.
    c21 = item(page, "C21")
    c21.locator("summary", has_text="Drop C21 from the plan").click()
    c21.get_by_role("button", name="Yes, drop C21").click()
    expect(page.locator(".maturity-page > .message")).to_contain_text("Dropped C21 from the plan.")
    expect(item(page, "C21")).to_have_count(0)
    page.locator("#add").scroll_into_view_if_needed()
    shoot(page, "07-dropped", full_page=False)
    add = page.locator("#add")
    add.get_by_label("Capability").select_option("C21")
    add.get_by_label("Target phase").select_option("2")
    add.get_by_role("button", name="Add to the plan").click()
    expect(item(page, "C21").locator(".message")).to_have_text("Added C21 to the plan.")

    # 6. The edited plan, as the focal point left it.
    page.reload()
    c01 = item(page, "C01")
    expect(c01.get_by_label("Owner")).to_have_value("Ministry of the Interior (synthetic)")
    expect(c01.get_by_label("Due date")).to_have_value("2027-06-30")
    expect(c01.get_by_label("Status")).to_have_value("in_progress")
    c01.locator("summary", has_text="History of C01").click()
    expect(c01.locator("table.history")).to_contain_text("Open → In progress")
    expect(item(page, "C21").locator(".phase-step")).to_contain_text("phase 2")
    shoot(page, "08-plan-edited")
    rows = {row.capability: row for row in PlanItem.objects.filter(round=assessment)}
    assert rows["C01"].owner == "Ministry of the Interior (synthetic)"
    assert rows["C01"].due.isoformat() == "2027-06-30"
    assert rows["C01"].status == "in_progress"
    assert (rows["C21"].dropped, rows["C21"].target_phase) == (False, 2)
    order = [heading.split(" ")[1] for heading in page.locator(".plan-item h3").all_inner_texts()]
    assert order.index("C01") < order.index("C03")  # legislation depends on leadership


@pytest.fixture
def larger_assessment(personas: dict[str, Any]) -> Round:
    """Eight jurisdictions, so that some distribution cells are large enough to show."""
    codes = ["KE", "NG", "ZA", "SE", "FR", "DE", "BR", "MX"]
    return self_assessment_round(
        ROUND,
        {
            code: {
                "": {"C01": 1 + index % 4, "C03": 1 + (index * 3) % 4},
                **({"police": {"C01": 1 + (index + 1) % 4}} if index % 3 == 0 else {}),
            }
            for index, code in enumerate(codes)
        },
        confidence="high",
        evidence="Synthetic evidence.",
    )


def test_a_reviewer_overrides_a_phase_and_an_analyst_reads_the_overview(
    live_server: Any, larger_assessment: Round, new_page: Any, sign_in: Any
) -> None:
    reviewer = new_page()
    sign_in(reviewer, "reviewer", reverse("maturity-phases", args=[ROUND, "KE"]))
    section = reviewer.locator("#phase-C01")
    section.get_by_label("Override phase").select_option("3")
    section.get_by_role("button", name="Override C01").click()
    section = reviewer.locator("#phase-C01")
    expect(section.locator(".message")).to_contain_text("Nothing was recorded: reason is required")
    section.get_by_label("Reason (required)").fill("Inspection reports show a formal mandate.")
    section.get_by_role("button", name="Override C01").click()
    section = reviewer.locator("#phase-C01")
    expect(section.locator(".message")).to_contain_text("Overrode the phase of C01")
    expect(section.locator(".phase-facts")).to_contain_text("3 Established (override)")
    expect(section.locator(".override-note")).to_contain_text("by reviewer")
    shoot(reviewer, "09-override", full_page=False)

    analyst = new_page()
    sign_in(analyst, "analyst", reverse("maturity-round", args=[ROUND]))
    expect(analyst.locator("h1")).to_have_text(f"Maturity: Test {ROUND}")
    codes = analyst.locator("table.jurisdictions tbody tr td:first-child").all_inner_texts()
    assert codes == sorted(codes) and len(codes) == 8
    shoot(analyst, "10-overview")
    analyst.get_by_role("link", name="By region").click()
    expect(analyst.locator("table.distribution")).to_contain_text("Europe")
    shoot(analyst, "11-overview-by-region")
