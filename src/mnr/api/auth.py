"""Who calls the API: a personal API token (``Authorization: Bearer mnr_…``), else the
browser's session (with its CSRF token on writes), else an anonymous visitor, who sees what
the public sees. ``request.user`` is the caller in every case, so the endpoints use the same
access helpers and actions as the web app."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from mnr.api.errors import ApiError
from mnr.api.tokens import token_for

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """A personal API token; a bad, revoked or expired one is refused (401), never treated as
    anonymous, and a read token may not write (403)."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if header and not header.lower().startswith("bearer "):
            raise ApiError(
                401, "invalid_token", "Send the API token as 'Authorization: Bearer <token>'."
            )
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = token_for(token.strip())
        if found is None:
            raise ApiError(
                401,
                "invalid_token",
                "This API token is unknown, revoked or expired: make a new one on your account "
                "page.",
            )
        if request.method not in SAFE_METHODS and not found.writes:
            raise ApiError(
                403,
                "token_scope",
                "This API token may only read: make a token with the write scope to change data.",
            )
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found


class SessionAuth(APIKeyCookie):
    """The browser's Django session; its writes carry the CSRF token like the web app's."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request):
            raise ApiError(
                403, "csrf_failed", "Send the CSRF token (X-CSRFToken header) with a session."
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if key is not None and request.user.is_authenticated else None


class Anonymous:
    """The visitor without credentials (truthy, so that ninja lets the call through)."""

    def __str__(self) -> str:
        return "anonymous"


ANONYMOUS = Anonymous()


def anonymous(request: HttpRequest) -> Anonymous:
    request.user = AnonymousUser()
    return ANONYMOUS


def signed_in(request: HttpRequest) -> Any:
    """The calling user, or 401 for an anonymous caller: for endpoints nothing of which is
    public."""
    user = request.user
    if not user.is_authenticated:
        raise ApiError(
            401,
            "authentication_required",
            "This needs a signed-in user: send 'Authorization: Bearer <token>' with a personal "
            "API token (made on your account page).",
        )
    return user
