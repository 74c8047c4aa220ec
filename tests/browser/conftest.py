"""Playwright driving Debian's chromium against pytest-django's live server.

Never ``playwright install``: the browser is the system's ``/usr/bin/chromium``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from tests.browser.screenshots import Screenshots, artifacts_folder

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Open pages in fresh browser contexts (one per user); fail on any script error."""
    contexts = []
    errors: list[str] = []

    def open_page() -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda message: errors.append(message.text) if message.type == "error" else None,
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    # A failed save is logged by the browser as a failed resource; that is expected when a test
    # ends a session on purpose, so only script errors count.
    script_errors = [e for e in errors if "Failed to load resource" not in e]
    assert not script_errors, script_errors


@pytest.fixture
def sign_in(live_server: Any) -> Any:
    """Sign ``username`` in on ``page`` (passwords are "pw-" + username), then go to
    ``next_path``."""

    def sign_in(page: Any, username: str, next_path: str = "/") -> None:
        page.goto(f"{live_server.url}/accounts/login/?next={quote(next_path)}")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("pw-" + username)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return sign_in


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the session's screenshots (``MNR_ARTIFACTS``; see screenshots.py)."""
    return artifacts_folder(tmp_path_factory.mktemp("screenshots"))


@pytest.fixture
def screenshots(artifacts: Path) -> Any:
    """``screenshots("reviewer")`` gives a camera: ``shoot(page, "returned")`` saves a
    full-page ``reviewer-01-returned.png`` in the artifacts folder. For journeys only."""
    return lambda role: Screenshots(artifacts, role)
