"""What a locked-out sign-in sees: a page saying when to try again (HTTP 429)."""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off
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
