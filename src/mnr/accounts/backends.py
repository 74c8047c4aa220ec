"""The sign-in lockout's authentication backend (django-axes)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]
    """Refuses a sign-in while its account or address is locked out; the next backend checks
    the password.

    A call without a request is no sign-in from the web (the sign-in page and the admin's pass
    theirs; tests/accounts/test_signin_security.py checks that every call in mnr does): it has
    no address to count, so it is left to the password check instead of failing as django-axes
    would (that is what lets the test client's ``login()`` and a shell work)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
