"""Deployment settings from the environment (docs/deployment-settings.md).

The settings module is run afresh (runpy) with the environment under test, so that each case sees
what a process started with that environment would; `mnr check --deploy` runs in a subprocess.
"""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

import mnr.settings

STRONG_KEY = secrets.token_urlsafe(50)
PRODUCTION = {
    "MNR_ENV": "production",
    "MNR_SECRET_KEY": STRONG_KEY,
    "MNR_ALLOWED_HOSTS": "mnr.example.org",
}


def _environment(tmp_path: Path, **variables: str) -> dict[str, str]:
    """This process's environment without mnr's or Django's settings, plus ``variables``."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith("MNR_")}
    # Set for the browser tests' live server; the deployment check rightly refuses it.
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        clean.pop(name, None)
    return {**clean, "MNR_DATA_DIR": str(tmp_path), **variables}


def _settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **variables: str) -> dict[str, Any]:
    for name in [name for name in os.environ if name.startswith("MNR_")]:
        monkeypatch.delenv(name)
    for name, value in {"MNR_DATA_DIR": str(tmp_path), **variables}.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(mnr.settings.__file__)


def test_production_settings_turn_on_https_only_cookies_and_hsts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    production = _settings(monkeypatch, tmp_path, **PRODUCTION)
    assert production["PRODUCTION"] is True
    assert production["DEBUG"] is False
    assert production["SECRET_KEY"] == STRONG_KEY
    assert production["ALLOWED_HOSTS"] == ["mnr.example.org"]
    for name in (
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    ):
        assert production[name] is True, name
    assert production["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert production["SECURE_HSTS_PRELOAD"] is False
    assert production["X_FRAME_OPTIONS"] == "DENY"
    assert "SECURE_PROXY_SSL_HEADER" not in production


def test_development_keeps_plain_http_on_localhost(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    development = _settings(monkeypatch, tmp_path)
    assert development["PRODUCTION"] is False
    assert development["MNR_ENV"] == "development"
    assert "localhost" in development["ALLOWED_HOSTS"]
    for name in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT"):
        assert development[name] is False, name
    assert development["SECURE_HSTS_SECONDS"] == 0
    # The generated key kept in the data directory, as before.
    assert development["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()


def test_environment_overrides_hsts_and_names_the_proxys_header(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    production = _settings(
        monkeypatch,
        tmp_path,
        **PRODUCTION,
        MNR_HSTS_SECONDS="600",
        MNR_HSTS_PRELOAD="1",
        MNR_PROXY_SSL_HEADER="X-Forwarded-Proto",
    )
    assert production["SECURE_HSTS_SECONDS"] == 600
    assert production["SECURE_HSTS_PRELOAD"] is True
    assert production["SILENCED_SYSTEM_CHECKS"] == []
    assert production["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


def test_production_reads_the_secret_key_from_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(STRONG_KEY + "\n")
    variables = {**PRODUCTION, "MNR_SECRET_KEY": "", "MNR_SECRET_KEY_FILE": str(key_file)}
    assert _settings(monkeypatch, tmp_path, **variables)["SECRET_KEY"] == STRONG_KEY


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"MNR_ENV": "bogus"}, "MNR_ENV='bogus' is not an environment"),
        ({**PRODUCTION, "MNR_SECRET_KEY": ""}, "needs a secret key"),
        ({**PRODUCTION, "MNR_SECRET_KEY": "short-and-guessable"}, "too weak"),
        ({**PRODUCTION, "MNR_SECRET_KEY": "a" * 60}, "too weak"),
        (
            {**PRODUCTION, "MNR_SECRET_KEY_FILE": "/nonexistent/key", "MNR_SECRET_KEY": ""},
            "cannot read",
        ),
        ({**PRODUCTION, "MNR_ALLOWED_HOSTS": ""}, "needs MNR_ALLOWED_HOSTS"),
        ({**PRODUCTION, "MNR_ALLOWED_HOSTS": "*"}, "needs MNR_ALLOWED_HOSTS"),
        ({**PRODUCTION, "MNR_DEBUG": "1"}, "MNR_DEBUG=1"),
    ],
)
def test_bad_environment_is_refused_with_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variables: dict[str, str], message: str
) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        _settings(monkeypatch, tmp_path, **variables)


def _mnr(tmp_path: Path, *arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mnr", *arguments],
        env=_environment(tmp_path, **variables),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_deployment_check_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = _mnr(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "no issues" in output
    assert "WARNING" not in output and "security.W" not in output


def test_deployment_check_finds_the_development_settings_unfit(tmp_path: Path) -> None:
    result = _mnr(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W012" in result.stderr


def test_production_without_a_secret_key_stops_the_command_with_a_message(tmp_path: Path) -> None:
    result = _mnr(tmp_path, "check", MNR_ENV="production", MNR_ALLOWED_HOSTS="mnr.example.org")
    assert result.returncode == 1
    assert result.stderr.startswith("mnr: MNR_ENV=production needs a secret key")
    assert "Traceback" not in result.stderr


# --- Cache-Control -------------------------------------------------------------------------------


def _no_store(response: Any) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_for_a_signed_in_user_are_not_stored(personas: dict[str, Any]) -> None:
    client = Client()
    client.force_login(personas["analyst"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert _no_store(response) and "private" in response["Cache-Control"]


def test_anonymous_public_pages_stay_cacheable(db: Any) -> None:
    response = Client().get(reverse("home"))
    assert response.status_code == 200
    assert not _no_store(response)


def test_a_file_downloaded_by_a_signed_in_user_is_not_stored(
    personas: dict[str, Any], published_review_round: Any
) -> None:
    client = Client()
    client.force_login(personas["analyst"])
    url = reverse("round-findings-download", args=[published_review_round.code, "csv"])
    response = client.get(url)
    assert response.status_code == 200
    assert _no_store(response)


def test_signing_in_answers_with_no_store(make_user: Any) -> None:
    make_user("someone")
    response = Client().post(reverse("login"), {"username": "someone", "password": "pw-someone"})
    assert response.status_code == 302
    assert "sessionid" in response.cookies
    assert _no_store(response)


def _through_middleware(user: Any, *, sets_session: bool) -> Any:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils.cache import patch_cache_control

    from mnr.security import NoStoreForSignedInMiddleware

    def view(request: Any) -> HttpResponse:
        response = HttpResponse("the same for everyone")
        patch_cache_control(response, public=True, max_age=86400)
        if sets_session:
            response.set_cookie("sessionid", "x")
        return response

    request = RequestFactory().get("/vendor/")
    request.user = user or AnonymousUser()
    return NoStoreForSignedInMiddleware(view)(request)


def test_a_response_declared_public_stays_public_unless_it_sets_the_session(
    personas: dict[str, Any],
) -> None:
    signed_in = personas["analyst"]
    assert "public" in _through_middleware(signed_in, sets_session=False)["Cache-Control"]
    assert not _no_store(_through_middleware(None, sets_session=False))
    replayed = _through_middleware(None, sets_session=True)
    assert _no_store(replayed) and "public" not in replayed["Cache-Control"]


# --- Content-Security-Policy -------------------------------------------------------------------


def test_every_page_has_the_strict_policy(db: Any) -> None:
    policy = Client().get(reverse("home"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'none'"
    assert directives["script-src"].startswith("'self'")
    assert "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_the_served_report_allows_its_own_style_by_hash(
    personas: dict[str, Any], published_review_round: Any
) -> None:
    import base64
    import hashlib
    import re

    client = Client()
    client.force_login(personas["analyst"])
    response = client.get(reverse("round-report", args=[published_review_round.code]))
    assert response.status_code == 200
    style = re.search(rb"<style>(.*?)</style>", response.content, re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1)).digest()).decode()
    assert f"'sha256-{digest}'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
