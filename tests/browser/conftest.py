"""Playwright driving Debian's chromium against pytest-django's live server.

Never ``playwright install``: the browser is the system's ``/usr/bin/chromium``."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.core.signals import request_finished, request_started
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


class _Requests:
    """Requests the live server is handling, counted through Django's request signals, so
    that a test ends only after them: a page closed with unsent answers sends them as it goes
    (``pagehide``), and a request still running while the test database is flushed breaks the
    flush."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.last = time.monotonic()

    def started(self, **_: Any) -> None:
        with self.lock:
            self.running += 1
            self.last = time.monotonic()

    def finished(self, **_: Any) -> None:
        with self.lock:
            self.running -= 1
            self.last = time.monotonic()

    def wait_until_quiet(self, quiet: float = 0.5, limit: float = 15.0) -> None:
        """Until no request has run for ``quiet`` seconds (at most ``limit`` seconds)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self.lock:
                if self.running <= 0 and time.monotonic() - self.last >= quiet:
                    return
            time.sleep(0.05)


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

    requests = _Requests()
    # Connected after Django's own receivers: a request counts as finished once they have run.
    request_started.connect(requests.started)
    request_finished.connect(requests.finished)
    try:
        yield open_page
        requests.last = time.monotonic()
        for context in contexts:
            context.close()
        requests.wait_until_quiet()
    finally:
        request_started.disconnect(requests.started)
        request_finished.disconnect(requests.finished)
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
