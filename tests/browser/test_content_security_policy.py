"""The Content-Security-Policy holds in Chromium on every kind of page, as each persona sees it.

The policy is the same in every environment (mnr.settings), so what passes here passes in
production: no inline script or style without the nonce, no eval (the charts use Vega's
interpreter), nothing from elsewhere. Every `securitypolicyviolation` event and every console
message about the policy fails the test, and the charts must actually be drawn.
Screenshots in /tmp/csp-shots/ (MNR_SCREENSHOTS to choose the folder).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from mnr.demo import DEMO_PASSWORD, DEMO_ROUND, OPEN_ROUND, load_demo
from mnr.frameworks.models import Edition
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity.demo import SECOND_ROUND
from mnr.surveys.actions import open_submission
from mnr.surveys.models import Round, Submission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SHOTS = Path(os.environ.get("MNR_SCREENSHOTS", "/tmp/csp-shots"))
LISTEN = """document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation([event.violatedDirective, event.blockedURI, event.sourceFile,
                          String(event.lineNumber), (event.sample || "")].join(" | "));
});"""


class Visitor:
    """One persona's browser context, recording every policy violation of every page."""

    def __init__(self, new_page: Any, live_server: Any, username: str | None) -> None:
        self.url = live_server.url
        self.page = new_page()
        # The demo's findings pages are large and the machine may be busy: patience, not speed.
        self.page.set_default_timeout(60_000)
        self.violations: list[str] = []
        self.page.context.expose_function(
            "reportViolation", lambda text: self.violations.append(f"{self.page.url}: {text}")
        )
        self.page.context.add_init_script(LISTEN)
        self.page.on("console", self._console)
        if username:
            self.page.goto(f"{self.url}/accounts/login/?next={quote('/')}")
            self.page.get_by_label("Username").fill(username)
            self.page.get_by_label("Password").fill(DEMO_PASSWORD)
            self.page.get_by_role("button", name="Sign in").click()
            self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(f"{self.page.url}: console: {message.text}")

    def visit(self, path: str) -> Any:
        response = self.page.goto(self.url + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        # Playwright gives the header names in lower case.
        assert "default-src 'none'" in response.headers["content-security-policy"], path
        # Not "networkidle": signed-in pages keep a session check polling.
        self.page.wait_for_load_state("load")
        return self.page


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    load_demo()
    open_round = Round.objects.get(code=OPEN_ROUND)
    submission = open_submission(
        open_round, Jurisdiction.objects.get(code="J01"), "government", source="test"
    )
    published = Submission.objects.filter(round__code=DEMO_ROUND).order_by("pk").first()
    assert published is not None
    return {
        "edition": Edition.objects.order_by("pk").first().code,
        "submission": submission.pk,
        "published_submission": published.pk,
    }


def test_no_page_breaks_the_policy(new_page: Any, live_server: Any, demo: dict[str, Any]) -> None:
    visited: list[Visitor] = []

    anonymous = Visitor(new_page, live_server, None)
    visited.append(anonymous)
    anonymous.visit("/accounts/login/")
    anonymous.visit("/")
    anonymous.visit(f"/framework/{demo['edition']}/")
    anonymous.visit(f"/framework/{demo['edition']}/capabilities/C01/")
    anonymous.visit(f"/rounds/{DEMO_ROUND}/")
    page = anonymous.visit(f"/rounds/{DEMO_ROUND}/findings/")
    expect(page.locator("#findings-chart svg")).to_be_visible()
    assert page.locator("#findings-chart svg rect, #findings-chart svg path").count() > 10
    shoot(page, "public-findings")
    page = anonymous.visit(f"/rounds/{DEMO_ROUND}/report/")
    expect(page.locator("svg").first).to_be_visible()
    shoot(page, "public-report")
    # The report's stylesheet applied (allowed by its hash): its body is not the browser's
    # default serif.
    assert page.evaluate("getComputedStyle(document.body).fontFamily").strip() != "serif"
    page = anonymous.visit("/api/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    shoot(page, "api-docs")

    analyst = Visitor(new_page, live_server, "demo-analyst")
    visited.append(analyst)
    page = analyst.visit(f"/rounds/{DEMO_ROUND}/findings/?by=income")
    expect(page.locator("#findings-chart svg")).to_be_visible()
    # Over the bars: the tooltip appears, styled by charts.css rather than an injected <style>.
    chart = page.locator("#findings-chart svg").bounding_box()
    page.mouse.move(chart["x"] + chart["width"] * 0.6, chart["y"] + 120)
    shoot(page, "analyst-findings")
    page = analyst.visit(f"/rounds/{SECOND_ROUND}/maturity/J01/")
    expect(page.locator("#profile-chart svg")).to_be_visible()
    assert "C21" in page.locator("#profile-chart svg text").all_text_contents()
    # The profile's own inline style carries the nonce: the tools are laid out in a row.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.profile-tools')).display")
        == "flex"
    )
    shoot(page, "analyst-profile")
    page = analyst.visit(f"/rounds/{DEMO_ROUND}/report/edit/?lang=en")
    shoot(page, "report-editor")

    focal = Visitor(new_page, live_server, "demo-focal")
    visited.append(focal)
    page = focal.visit(f"/submissions/{demo['submission']}/?domain=D1")
    page.locator("#q-C01_status").get_by_label("Partly").check()
    expect(page.locator("[data-save-status]")).to_have_text("Saved")
    shoot(page, "entry-form")

    reviewer = Visitor(new_page, live_server, "demo-reviewer")
    visited.append(reviewer)
    page = reviewer.visit("/submissions/")
    shoot(page, "review-list")
    reviewer.visit(f"/submissions/{demo['published_submission']}/review/")

    administrator = Visitor(new_page, live_server, "demo-admin")
    visited.append(administrator)
    page = administrator.visit("/admin/")
    shoot(page, "admin")
    administrator.visit("/admin/auth/user/")

    violations = [text for visitor in visited for text in visitor.violations]
    assert not violations, "\n".join(violations)
