"""Sign-in protection (docs/security.md): lockout of repeated failures per account and per
address, password rules wherever a password is chosen, two-factor with recovery codes (required
of administrators, analysts and reviewers when MNR_REQUIRE_TWO_FACTOR is on), the idle timeout."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mnr.accounts import actions as accounts
from mnr.accounts.middleware import LAST_SEEN, SIGNED_IN_AT
from mnr.audit.models import AuditEvent
from mnr.errors import MnrError

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SRC = Path(__file__).resolve().parents[2] / "src" / "mnr"


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in_user(client: Client) -> Any:
    return client.session.get("_auth_user_id")


def current_code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():06d}"


def with_app(user: Any) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return device


# --- Lockout -------------------------------------------------------------------------------------


def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_is_refused(
    personas: dict[str, Any],
) -> None:
    # The attack of issue 14, each try from another address: the account's count locks it.
    for attempt in range(30):
        response = sign_in(Client(), "reviewer", f"guess-{attempt}", f"10.1.{attempt}.1")
        assert response.status_code in (200, 429)
    client = Client()
    response = sign_in(client, "reviewer", "pw-reviewer", "10.9.9.9")
    assert response.status_code == 429
    assert signed_in_user(client) is None
    page = response.content.decode()
    assert "Signing in is paused" in page and "Try again in 15 minutes" in page
    # Others still sign in.
    other = Client()
    assert sign_in(other, "analyst", "pw-analyst", "10.9.9.8").status_code == 302
    assert signed_in_user(other) == str(personas["analyst"].pk)


def test_one_address_trying_many_accounts_is_locked_out(personas: dict[str, Any]) -> None:
    for username in ("admin", "analyst", "reviewer", "focal-ke", "focal-se"):
        sign_in(Client(), username, "wrong-password", "192.0.2.7")
    client = Client()
    refused = sign_in(client, "focal-ke", "pw-focal-ke", "192.0.2.7")
    assert refused.status_code == 429 and signed_in_user(client) is None
    # The accounts themselves had one failure each: from elsewhere they sign in.
    elsewhere = Client()
    assert sign_in(elsewhere, "focal-ke", "pw-focal-ke", "192.0.2.8").status_code == 302


def test_after_the_cool_off_the_right_password_signs_in_and_resets_the_count(
    personas: dict[str, Any],
) -> None:
    for attempt in range(5):
        sign_in(Client(), "analyst", f"guess-{attempt}")
    assert sign_in(Client(), "analyst", "pw-analyst").status_code == 429
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=16)
        attempt.save()
    client = Client()
    assert sign_in(client, "analyst", "pw-analyst").status_code == 302
    assert signed_in_user(client) == str(personas["analyst"].pk)
    assert not AccessAttempt.objects.filter(username="analyst").exists()


def test_the_lockout_page_is_in_the_reader_s_language(personas: dict[str, Any]) -> None:
    for attempt in range(5):
        sign_in(Client(), "analyst", f"guess-{attempt}")
    response = Client().post(
        LOGIN,
        {"username": "analyst", "password": "pw-analyst"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 429
    assert "Signing in is paused" not in response.content.decode()
    assert 'lang="fr"' in response.content.decode()


def test_every_sign_in_in_mnr_passes_the_request_to_authenticate() -> None:
    # The lockout backend lets a call without a request through (the test client's login):
    # no code of mnr's may sign people in that way.
    calls = []
    for path in SRC.rglob("*.py"):
        for line in path.read_text().splitlines():
            match = re.search(r"\bauthenticate\((.*)", line)
            if match and "def authenticate" not in line:
                calls.append((path, match.group(1)))
    assert calls
    assert all(arguments.startswith("request") for _, arguments in calls), calls


# --- Password rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pw", "too short"),
        ("password1234", "too common"),
        ("736451928374651", "entirely numeric"),
        ("invited-person", "too similar"),
    ],
)
def test_an_invitation_refuses_a_weak_password_saying_why(
    personas: dict[str, Any], password: str, problem: str
) -> None:
    invitation = accounts.invite_user("person@example.org", ["reviewer"], sign_up_url="{token}")
    token = accounts.invitation_token(invitation)
    with translation.override("en"), pytest.raises(MnrError, match=problem):
        accounts.accept_invitation(token, "invited-person", password)
    assert not get_user_model().objects.filter(username="invited-person").exists()
    user = accounts.accept_invitation(token, "invited-person", "correct horse battery")
    assert user.check_password("correct horse battery")


def test_changing_the_password_checks_the_rules_and_is_recorded(personas: dict[str, Any]) -> None:
    client = Client()
    client.force_login(personas["reviewer"])
    page = client.get(reverse("password-change"))
    assert page.status_code == 200
    weak = client.post(
        reverse("password-change"),
        {"old_password": "pw-reviewer", "new_password1": "12345", "new_password2": "12345"},
    )
    assert weak.status_code == 200
    assert "too short" in weak.content.decode() and "entirely numeric" in weak.content.decode()
    done = client.post(
        reverse("password-change"),
        {
            "old_password": "pw-reviewer",
            "new_password1": "a-long-pass-phrase-9",
            "new_password2": "a-long-pass-phrase-9",
        },
    )
    assert done.status_code == 302 and done["Location"] == reverse("security")
    personas["reviewer"].refresh_from_db()
    assert personas["reviewer"].check_password("a-long-pass-phrase-9")
    assert AuditEvent.objects.filter(verb="user.password_change").count() == 1
    # Still signed in (Django keeps the session of whoever changed it).
    assert client.get(reverse("security")).status_code == 200


# --- Two-factor ---------------------------------------------------------------------------------


def test_setting_up_two_factor_shows_a_qr_code_then_ten_recovery_codes_once(
    personas: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(personas["analyst"])
    page = client.get(reverse("two-factor-setup"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "style=" not in html
    assert not TOTPDevice.objects.exists()  # nothing stored before the first code
    secret = re.search(r'id="secret" type="text" readonly value="([A-Z2-7 ]+)"', html)
    assert secret
    from base64 import b32decode

    device = TOTPDevice(key=b32decode(secret.group(1).replace(" ", "")).hex())
    wrong = client.post(reverse("two-factor-setup"), {"code": "000000"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    assert not TOTPDevice.objects.exists()
    done = client.post(reverse("two-factor-setup"), {"code": current_code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert TOTPDevice.objects.get(user=personas["analyst"]).confirmed
    assert AuditEvent.objects.filter(verb="two_factor.enable").count() == 1
    # This session is verified by the first code.
    assert client.get(reverse("submissions")).status_code == 200
    assert "recovery codes left" in client.get(reverse("security")).content.decode()


def test_signing_in_with_two_factor_asks_for_a_code_before_any_page(
    personas: dict[str, Any],
) -> None:
    device = with_app(personas["reviewer"])
    client = Client()
    response = client.post(
        LOGIN, {"username": "reviewer", "password": "pw-reviewer", "next": "/submissions/"}
    )
    assert response.status_code == 302
    page = client.get(reverse("submissions"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("two-factor-verify") + "?next=")
    assert client.get("/admin/").status_code == 302
    api = client.get("/api/v1/rounds")
    assert api.status_code == 403 and api.json()["error"]["code"] == "two_factor_required"
    wrong = client.post(reverse("two-factor-verify"), {"code": "000000", "next": "/submissions/"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    assert AccessAttempt.objects.filter(username="reviewer").exists()
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post(
        reverse("two-factor-verify"), {"code": current_code(device), "next": "/submissions/"}
    )
    assert right.status_code == 302 and right["Location"] == "/submissions/"
    assert client.get(reverse("submissions")).status_code == 200
    assert AuditEvent.objects.filter(verb="two_factor.verify").count() == 1


def test_wrong_codes_are_throttled_and_count_towards_the_lockout(
    personas: dict[str, Any],
) -> None:
    device = with_app(personas["reviewer"])
    client = Client()
    sign_in(client, "reviewer", "pw-reviewer")
    client.post(reverse("two-factor-verify"), {"code": "000000"})
    # Right, but during the wait after a wrong one: refused, saying until when.
    throttled = client.post(reverse("two-factor-verify"), {"code": current_code(device)})
    assert throttled.status_code == 200 and "Too many wrong codes" in throttled.content.decode()
    for _ in range(3):
        locked = client.post(reverse("two-factor-verify"), {"code": "000000"})
    # The fifth failure (the throttled code counts too) locks the account and signs out.
    assert locked.status_code == 429 and "Signing in is paused" in locked.content.decode()
    assert signed_in_user(client) is None
    assert sign_in(Client(), "reviewer", "pw-reviewer", "10.7.7.7").status_code == 429


def test_a_recovery_code_signs_in_once(personas: dict[str, Any]) -> None:
    with_app(personas["reviewer"])
    client = Client()
    client.force_login(personas["reviewer"])
    # Recovery codes as the set-up makes them.
    from mnr.accounts.two_factor import _new_recovery_codes

    code = _new_recovery_codes(personas["reviewer"])[0]
    assert client.post(reverse("two-factor-verify"), {"code": code.upper()}).status_code == 302
    assert client.get(reverse("submissions")).status_code == 200
    assert StaticToken.objects.count() == 9
    again = Client()
    sign_in(again, "reviewer", "pw-reviewer", "10.3.3.3")
    refused = again.post(reverse("two-factor-verify"), {"code": code})
    assert refused.status_code == 200 and "not right" in refused.content.decode()


def test_turning_two_factor_off_and_new_recovery_codes_need_a_current_code(
    personas: dict[str, Any],
) -> None:
    device = with_app(personas["analyst"])
    client = Client()
    client.force_login(personas["analyst"])
    client.post(reverse("two-factor-verify"), {"code": current_code(device)})
    refused = client.post(reverse("two-factor-disable"), {"code": "000000"}, follow=True)
    assert "not right" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=personas["analyst"]).exists()
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    codes = client.post(reverse("two-factor-recovery-codes"), {"code": current_code(device, 1)})
    assert codes.status_code == 200 and "no longer work" in codes.content.decode()
    assert StaticToken.objects.count() == 10
    recovery = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", codes.content.decode())[0]
    off = client.post(reverse("two-factor-disable"), {"code": recovery}, follow=True)
    assert "Two-factor is off" in off.content.decode()
    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"two_factor.recovery_codes", "two_factor.disable"} <= verbs


PAGES = ["/", "/library/", "/submissions/", "/accounts/security/", "/manage/", "/admin/"]


@pytest.mark.parametrize("persona", ["administrator", "analyst", "reviewer"])
def test_in_production_managing_roles_must_set_up_two_factor_before_any_page(
    personas: dict[str, Any], settings: Any, persona: str
) -> None:
    settings.MNR_REQUIRE_TWO_FACTOR = True
    client = Client()
    client.force_login(personas[persona])
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("two-factor-setup") + "?next="), page
    assert client.get("/api/v1/rounds").status_code == 403
    setup = client.get(reverse("two-factor-setup"))
    assert setup.status_code == 200 and "Your role requires" in setup.content.decode()
    assert client.get("/jsi18n/").status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_in_production_a_focal_point_is_offered_two_factor_only(
    personas: dict[str, Any], settings: Any
) -> None:
    settings.MNR_REQUIRE_TWO_FACTOR = True
    client = Client()
    client.force_login(personas["focal_point"])
    assert client.get("/submissions/").status_code == 200


def test_in_development_nobody_must_have_two_factor(personas: dict[str, Any]) -> None:
    client = Client()
    client.force_login(personas["administrator"])
    assert client.get("/manage/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert "Set up two-factor" in client.get(reverse("security")).content.decode()


def test_an_administrator_resets_a_lost_phone_from_the_command_line(
    personas: dict[str, Any], capsys: Any
) -> None:
    with_app(personas["reviewer"])
    call_command("two-factor", "reset", "reviewer")
    assert "removed" in capsys.readouterr().out
    assert not TOTPDevice.objects.exists()
    event = AuditEvent.objects.get(verb="two_factor.reset")
    assert event.detail["user"] == "reviewer"
    call_command("two-factor", "reset", "reviewer")
    assert "nothing changed" in capsys.readouterr().out


# --- Idle timeout -------------------------------------------------------------------------------


def _age_session(client: Client, **seconds_ago: int) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_a_session_ends_after_the_idle_time(personas: dict[str, Any], settings: Any) -> None:
    settings.MNR_IDLE_TIMEOUT_MINUTES = 30
    client = Client()
    client.force_login(personas["focal_point"])
    assert client.get("/submissions/").status_code == 200
    _age_session(client, **{LAST_SEEN: 29 * 60})
    assert client.get("/submissions/").status_code == 200  # activity within the time
    _age_session(client, **{LAST_SEEN: 31 * 60})
    response = client.get("/submissions/", follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "ended after 30 minutes without activity" in response.content.decode()
    assert signed_in_user(client) is None


def test_a_save_after_the_idle_time_is_answered_signed_out(personas: dict[str, Any]) -> None:
    client = Client()
    client.force_login(personas["focal_point"])
    client.get("/submissions/")
    _age_session(client, **{LAST_SEEN: 31 * 60})
    response = client.post(
        reverse("submission-save", args=[1]),
        data='{"answers": {}}',
        content_type="application/json",
        HTTP_SEC_FETCH_MODE="cors",
    )
    # The page keeps the answer and says to sign in again (entry.js).
    assert response.status_code == 401


def test_a_session_ends_after_the_longest_time_even_when_busy(
    personas: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(personas["focal_point"])
    client.get("/submissions/")
    _age_session(client, **{LAST_SEEN: 10, SIGNED_IN_AT: 13 * 3600})
    assert client.get("/submissions/")["Location"].startswith(LOGIN)


def test_a_forged_forwarded_address_does_not_escape_the_address_count(
    personas: dict[str, Any],
) -> None:
    # Without MNR_TRUSTED_PROXY_COUNT, X-Forwarded-For is whatever the client wrote: ignored.
    for number, username in enumerate(("admin", "analyst", "reviewer", "focal-ke", "focal-se")):
        Client().post(
            LOGIN,
            {"username": username, "password": "wrong-password"},
            REMOTE_ADDR="198.51.100.4",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number}",
        )
    refused = Client().post(
        LOGIN,
        {"username": "focal-ke", "password": "pw-focal-ke"},
        REMOTE_ADDR="198.51.100.4",
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert refused.status_code == 429


def test_the_admin_s_own_sign_in_page_is_locked_out_too(personas: dict[str, Any]) -> None:
    for attempt in range(5):
        Client().post(
            "/admin/login/",
            {"username": "admin", "password": f"guess-{attempt}"},
            REMOTE_ADDR="10.5.0.1",
        )
    client = Client()
    refused = client.post(
        "/admin/login/", {"username": "admin", "password": "pw-admin"}, REMOTE_ADDR="10.5.0.2"
    )
    assert refused.status_code == 429 and signed_in_user(client) is None


def test_production_requires_two_factor_and_reads_the_proxy_count() -> None:
    import json
    import os
    import subprocess
    import sys

    probe = (
        "from django.conf import settings; import django; django.setup(); import json; "
        "print(json.dumps([settings.MNR_REQUIRE_TWO_FACTOR, "
        "list(settings.AXES_IPWARE_META_PRECEDENCE_ORDER), settings.AXES_IPWARE_PROXY_COUNT, "
        "settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mnr.settings",
        "MNR_ENV": "production",
        "MNR_SECRET_KEY": "synthetic-test-key-" + "0123456789abcdef" * 4,
        "MNR_ALLOWED_HOSTS": "mnr.example.org",
        "MNR_TRUSTED_PROXY_COUNT": "1",
        "MNR_LOGIN_FAILURE_LIMIT": "7",
        "MNR_LOGIN_COOLOFF_MINUTES": "30",
    }
    env.pop("MNR_REQUIRE_TWO_FACTOR", None)
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == [
        True,
        ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        1,
        7,
        1800.0,
    ]


def test_signing_in_to_one_s_own_account_does_not_restart_the_address_count(
    personas: dict[str, Any],
) -> None:
    for username in ("admin", "analyst", "reviewer"):
        sign_in(Client(), username, "wrong-password", "192.0.2.50")
    assert sign_in(Client(), "focal-se", "pw-focal-se", "192.0.2.50").status_code == 302
    for username in ("admin", "analyst"):
        sign_in(Client(), username, "wrong-password", "192.0.2.50")
    assert sign_in(Client(), "focal-se", "pw-focal-se", "192.0.2.50").status_code == 429


def test_with_two_factor_only_the_code_completes_the_sign_in_and_forgets_failures(
    personas: dict[str, Any],
) -> None:
    device = with_app(personas["reviewer"])
    for attempt in range(3):
        sign_in(Client(), "reviewer", f"guess-{attempt}", f"10.2.{attempt}.1")
    client = Client()
    sign_in(client, "reviewer", "pw-reviewer", "10.2.9.1")
    assert AccessAttempt.objects.filter(username="reviewer").exists()
    client.post(
        reverse("two-factor-verify"), {"code": current_code(device)}, REMOTE_ADDR="10.2.9.1"
    )
    assert not AccessAttempt.objects.filter(username="reviewer").exists()
