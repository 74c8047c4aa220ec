"""WCAG 2.1 AA in the browser: axe-core (bundled by axe-playwright-python) on every main page
of every role finds no serious or critical violation; every page starts with a skip link to
its main content and fits a 360 px phone. Lesser findings are printed, not failed; screenshots
at 360 px go to /tmp/a11y-shots/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from tests.maturity import self_assessment_round
from tests.submissions import in_state

from mnr.frameworks.models import Edition
from mnr.publications.actions import publish
from mnr.surveys import actions
from mnr.surveys.actions import set_round_status
from mnr.surveys.models import Round, Submission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
sync_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

SHOTS = Path("/tmp/a11y-shots")
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 360, "height": 780}
OVERFLOWS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
# The innermost elements reaching past the window's right edge, to name in a failure.
WIDEST = """() => {
  const edge = document.documentElement.clientWidth;
  const scrolls = (el) => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX);
  const boxed = (el) => { for (let up = el.parentElement; up && up !== document.body;
    up = up.parentElement) { if (scrolls(up)) return true; } return false; };
  const past = [...document.body.querySelectorAll('*')].filter(
    (el) => el.getBoundingClientRect().right > edge + 1 && !boxed(el));
  return past.filter((el) => !past.some((other) => other !== el && el.contains(other)))
    .slice(0, 4).map((el) => el.tagName.toLowerCase()
      + (el.getAttribute('class') ? '.' + el.getAttribute('class') : '')
      + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
}"""
BLOCKING = {"serious", "critical"}
# WCAG 2.0/2.1 A and AA rules and axe's best practices (landmarks, heading order); not AAA.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
}
SELF_ASSESSMENT = "sa-a11y"
SHOT_PAGES = {"home", "submission", "findings", "report", "manage-round"}


@pytest.fixture
def rounds(review_round: Round, personas: dict[str, Any]) -> dict[str, Any]:
    """The review round published once and open again (Kenya returned to its focal point with
    a comment on a question, Sweden and England and Wales validated); a self-assessment round
    for the maturity pages."""
    submissions = {
        "SE": in_state(review_round, "SE", Submission.Status.VALIDATED),
        "GB-EAW": in_state(review_round, "GB-EAW", Submission.Status.VALIDATED),
    }
    publish(review_round, note="first", source="test")
    set_round_status(review_round, Round.Status.OPEN)
    submissions["KE"] = in_state(review_round, "KE", Submission.Status.SUBMITTED)
    actions.return_for_changes(submissions["KE"], "Please add the law's address.", source="test")
    actions.comment_on_question(submissions["KE"], "C11.status", "Which law is it?")
    self_assessment_round(
        SELF_ASSESSMENT,
        {"KE": {"": {"C01": 2, "C02": 3}}, "SE": {"": {"C01": 4}}},
        confidence="medium",
    )
    return {"round": review_round, "submissions": submissions, "personas": personas}


def url(name: str, *args: Any) -> str | None:
    """The page's path, or None when the page does not exist (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def pages_of(role: str, rounds: dict[str, Any]) -> dict[str, str | None]:
    code = rounds["round"].code
    kenya = rounds["submissions"]["KE"]
    england = rounds["submissions"]["GB-EAW"]
    edition = Edition.objects.order_by("code").first()
    assert edition is not None
    public = {
        "home": url("home"),
        "framework": url("framework", edition.code),
        "round": url("round", code),
        "findings": url("round-findings", code),
        "report": url("round-report", code),
        "library": url("library"),
        "capability": url("capability", edition.code, "C01"),
    }
    maturity = {
        "maturity-profile": url("maturity-profile", SELF_ASSESSMENT, "KE"),
        "maturity-plan": url("maturity-plan", SELF_ASSESSMENT, "KE"),
        "maturity-phases": url("maturity-phases", SELF_ASSESSMENT, "KE"),
    }
    by_role: dict[str, dict[str, str | None]] = {
        "anonymous": {**public, "login": url("login")},
        "focal_point": {
            "home": url("home"),
            "submissions": url("submissions"),
            "submission": url("submission", kenya.pk),
            "confirm-submit": url("submission-submit", kenya.pk),
            "submission-history": url("submission-history", kenya.pk),
            **maturity,
        },
        "reviewer": {
            "home": url("home"),
            "submissions": url("submissions"),
            "submission": url("submission", england.pk),
            "review": url("submission-review", kenya.pk),
            "round": url("round", code),
            "maturity-phases": maturity["maturity-phases"],
        },
        "analyst": {
            **public,
            "submissions": url("submissions"),
            "report-editor": url("round-report-edit", code),
            "maturity-round": url("maturity-round", SELF_ASSESSMENT),
            **maturity,
        },
        "administrator": {
            "home": url("home"),
            "manage": url("manage"),
            "manage-users": url("manage-users"),
            "manage-user": url("manage-user", rounds["personas"]["focal_point"].pk),
            "manage-rounds": url("manage-rounds"),
            "manage-round": url("manage-round", code),
            "manage-phases": url("manage-phases"),
            "framework": public["framework"],
        },
    }
    return by_role[role]


USERNAMES = {
    "anonymous": None,
    "focal_point": "focal-ke",
    "reviewer": "reviewer",
    "analyst": "analyst",
    "administrator": "admin",
}


def describe(violation: dict[str, Any]) -> str:
    targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
    return (
        f"{violation['impact']}: {violation['id']} ({len(violation['nodes'])}x) "
        f"{violation['help']} at {targets}"
    )


def check_page(page: Any, axe: Any, role: str, name: str) -> list[str]:
    """What fails on the open page: serious or critical axe findings, a missing skip link,
    overflow at 360 px."""
    problems: list[str] = []
    # Folded parts (comment and evidence fields, text descriptions) are checked open.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    violations = axe.run(page, options=AXE_OPTIONS).response["violations"]
    counts = {impact: 0 for impact in ("critical", "serious", "moderate", "minor")}
    for violation in violations:
        counts[violation["impact"]] += len(violation["nodes"])
    print(f"{role} {name}: axe " + " ".join(f"{k}={v}" for k, v in counts.items()))
    for violation in violations:
        line = f"{role} {name}: {describe(violation)}"
        print(line)
        if violation["impact"] in BLOCKING:
            problems.append(line)
    skip = page.locator("a.skip-link").first
    if not skip.count() or skip.get_attribute("href") != "#content":
        problems.append(f"{role} {name}: no skip link to #content")
    elif not page.locator("main#content").count():
        problems.append(f"{role} {name}: the skip link's target main#content is missing")
    page.set_viewport_size(PHONE)
    if page.evaluate(OVERFLOWS):
        width = page.evaluate("document.documentElement.scrollWidth")
        widest = page.evaluate(WIDEST)
        problems.append(f"{role} {name}: {width} px wide at 360 px ({widest})")
    if name in SHOT_PAGES:
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{role}-{name}-360.png"), full_page=True)
    page.set_viewport_size(WIDE)
    return problems


@pytest.mark.parametrize("role", list(USERNAMES))
def test_main_pages_of_each_role_pass_axe_and_fit_360_px(
    live_server: Any,
    rounds: dict[str, Any],
    new_page: Callable[[], Any],
    sign_in: Any,
    role: str,
) -> None:
    axe = sync_playwright.Axe()
    page = new_page()
    username = USERNAMES[role]
    if username:
        sign_in(page, username, "/")
    problems: list[str] = []
    visited = 0
    for name, path in pages_of(role, rounds).items():
        if path is None:
            print(f"{role} {name}: no such page yet, skipped")
            continue
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, (role, name, path)
        visited += 1
        problems += check_page(page, axe, role, name)
    assert visited >= 5, role
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [(None, "/rounds/no-such-round/", 404), ("focal-se", "/manage/", 403)],
    ids=["not-found", "forbidden"],
)
def test_error_pages_pass_axe_and_fit_360_px(
    live_server: Any,
    rounds: dict[str, Any],
    new_page: Callable[[], Any],
    sign_in: Any,
    username: str | None,
    path: str,
    status: int,
) -> None:
    page = new_page()
    if username:
        sign_in(page, username, "/")
    response = page.goto(live_server.url + path)
    assert response is not None and response.status == status
    problems = check_page(page, sync_playwright.Axe(), username or "anonymous", str(status))
    assert not problems, "\n".join(problems)


def test_skip_link_moves_focus_to_the_main_content(
    live_server: Any, rounds: dict[str, Any], new_page: Callable[[], Any]
) -> None:
    page = new_page()
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    assert page.locator("a.skip-link").is_visible()
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / "skip-link-focused-360.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    assert page.evaluate("document.activeElement.id") == "content"
