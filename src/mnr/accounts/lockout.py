"""What a locked-out sign-in sees: a page saying when to try again (HTTP 429)."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE. Every failure during the lockout starts the cool-off
    again, so it ends one cool-off after now."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    return render(
        request,
        "registration/locked_out.html",
        {"until": timezone.now() + cool_off if cool_off else None, "minutes": minutes},
        status=429,
    )


def forget_failures(user: Any) -> None:
    """A complete sign-in forgets the failures counted for its account (from any address).
    Only its own: failures for other accounts from the same address still count, so signing in
    to an account of one's own does not restart the address's count (django-axes' own reset
    on success would forget both)."""
    AccessAttempt.objects.filter(username=user.get_username()).delete()


def forget_failures_after_password(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """``user_logged_in``: the password was right. With two-factor the sign-in is complete
    only after the code (the code page forgets the failures then)."""
    from mnr.accounts import two_factor

    if not two_factor.is_enabled(user):
        forget_failures(user)
