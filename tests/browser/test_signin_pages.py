"""The two-factor set-up page in a browser (QR code drawn in the page, no script of its own),
and an answer typed after the idle timeout: kept for its user only, saved when they sign in
again."""

from __future__ import annotations

import time
from base64 import b32decode
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.browser.test_findings_explorer import axe_problems

from mnr.accounts.middleware import LAST_SEEN
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.models import Answer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

PRACTICE = "#q-C01_good_practice"


def test_setting_up_two_factor_in_the_browser(
    live_server: Any, personas: dict[str, Any], new_page: Any, sign_in: Any, screenshots: Any
) -> None:
    page = new_page()
    sign_in(page, "analyst", "/accounts/security/")
    page.get_by_role("link", name="Set up two-factor").click()
    qr = page.locator(".qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box and box["width"] >= 150 and box["width"] == box["height"]
    shoot = screenshots("two-factor")
    shot = shoot(page, "set-up at 1280 px")
    assert shot.exists()
    assert not axe_problems(page, "two-factor set-up")
    secret = page.get_by_label("Or type this key into the app:").input_value()
    device = TOTPDevice(key=b32decode(secret.replace(" ", "")).hex())
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    page.get_by_label("Code from the app").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Turn two-factor on").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert not axe_problems(page, "recovery codes")
    shoot(page, "recovery codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("link", name="My submissions")).to_be_visible()


def _end_session_of(page: Any, live_server: Any) -> None:
    """What 31 idle minutes do, without waiting them: the session's last request long ago."""
    cookie = next(c for c in page.context.cookies(live_server.url) if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session[LAST_SEEN] = time.time() - 31 * 60
    session.save()


def test_an_answer_typed_after_the_idle_timeout_waits_for_its_user(
    live_server: Any,
    personas: dict[str, Any],
    make_user: Any,
    review_round: Any,
    new_page: Any,
    sign_in: Any,
) -> None:
    kenya = actions.open_submission(
        review_round, Jurisdiction.objects.get(code="KE"), "unicef_country_office"
    )
    make_user("focal-ke-2", "focal_point", "KE")
    path = f"/submissions/{kenya.pk}/?domain=D1"
    page = new_page()
    sign_in(page, "focal-ke", path)
    _end_session_of(page, live_server)
    page.locator(f"{PRACTICE} textarea").fill("Typed after the session ended.")
    expect(page.get_by_role("link", name="Sign in again")).to_be_visible()
    assert not Answer.objects.filter(question__code="C01.good_practice").exists()
    keys = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('mnr:pending:'))")
    assert keys == [f"mnr:pending:{personas['focal_point'].pk}:{kenya.pk}:C01.good_practice"]

    # Someone else signs in on this browser: the answer is neither shown nor sent as theirs.
    sign_in(page, "focal-ke-2", path)
    expect(page.locator(f"{PRACTICE} textarea")).to_have_value("")
    page.wait_for_load_state("networkidle")
    assert not Answer.objects.filter(question__code="C01.good_practice").exists()

    # Its author signs in again on this browser: sent and saved as theirs.
    sign_in(page, "focal-ke", path)
    expect(page.locator("[data-save-status]")).to_have_text("Saved")
    saved = Answer.objects.get(submission=kenya, question__code="C01.good_practice")
    assert saved.value == "Typed after the session ended."
