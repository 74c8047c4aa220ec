"""Session rules applied to every request: the idle timeout, and two-factor before anything
else for whoever has it or must have it."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from mnr.accounts import two_factor

LAST_SEEN = "mnr_last_seen"
SIGNED_IN_AT = "mnr_signed_in_at"
# The last request's time is written at most this often (a session write per request would
# cost every page a database write); the timeout is therefore exact to within this.
_LAST_SEEN_RESOLUTION = 60


def start_session_clock(sender: object, request: HttpRequest, **kwargs: object) -> None:
    """At sign-in (user_logged_in), so that the first request after it writes no session."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


class IdleTimeoutMiddleware:
    """Ends a session after MNR_IDLE_TIMEOUT_MINUTES without a request, or MNR_SESSION_MAX_HOURS
    after signing in. A page being opened then goes to the sign-in page with a message saying
    why; a save in the background is answered as signed out (401 from the save endpoint), so
    the answer stays in the browser until its user signs in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = time.time()
        last_seen = session.get(LAST_SEEN)
        signed_in_at = session.get(SIGNED_IN_AT)
        idle = settings.MNR_IDLE_TIMEOUT_MINUTES * 60
        longest = settings.MNR_SESSION_MAX_HOURS * 3600
        if (last_seen is not None and now - last_seen > idle) or (
            signed_in_at is not None and now - signed_in_at > longest
        ):
            request.mnr_session_ended = "idle" if now - (last_seen or now) > idle else "maximum"  # type: ignore[attr-defined]
            logout(request)
            if request.method == "GET" and request.headers.get("Sec-Fetch-Mode", "navigate") == (
                "navigate"
            ):
                messages.info(
                    request,
                    gettext(
                        "Your session ended after %(minutes)s minutes without activity: sign in "
                        "again."
                    )
                    % {"minutes": settings.MNR_IDLE_TIMEOUT_MINUTES}
                    if request.mnr_session_ended == "idle"  # type: ignore[attr-defined]
                    else gettext("Your session ended after %(hours)s hours: sign in again.")
                    % {"hours": settings.MNR_SESSION_MAX_HOURS},
                )
            return
        if signed_in_at is None:
            session[SIGNED_IN_AT] = now
        if last_seen is None or now - last_seen >= _LAST_SEEN_RESOLUTION:
            session[LAST_SEEN] = now


# Where a user who still owes a code (or a set-up) may go: the two-factor pages themselves,
# signing out, the language switcher and the scripts' catalogue; static files never reach
# Django in production and are let through in development.
_OPEN_PATHS = ("/i18n/", "/jsi18n/")


class TwoFactorMiddleware:
    """After the password, a user with two-factor is asked for a code, and a user who must
    have it (MNR_REQUIRE_TWO_FACTOR) sets it up, before any other page, Django's admin
    included. The API refuses such a session (403 ``two_factor_required``); a request with an
    API token is the token's, which only a verified session can have made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified():  # type: ignore[attr-defined]
            step = _step_owed(request)
            if step and not _open(request, step) and not _with_api_token(request):
                return _send_to(request, step)
        return self.get_response(request)


def _step_owed(request: HttpRequest) -> str | None:
    user = request.user
    if two_factor.is_enabled(user):
        return "two-factor-verify"
    if two_factor.is_required(user):
        return "two-factor-setup"
    return None


def _open(request: HttpRequest, step: str) -> bool:
    path = request.path_info
    if path.startswith(_OPEN_PATHS) or path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    return path in (reverse(step), reverse("logout"))


def _with_api_token(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/") and bool(request.headers.get("Authorization"))


def _send_to(request: HttpRequest, step: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        return JsonResponse(
            {
                "error": {
                    "code": "two_factor_required",
                    "message": gettext(
                        "Sign in with your two-factor code (or set two-factor up) in the browser "
                        "first, or call the API with a personal API token."
                    ),
                    "details": [],
                }
            },
            status=403,
        )
    return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
