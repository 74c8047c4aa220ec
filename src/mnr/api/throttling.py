"""Rate limits: per API token, per session user, and per address for anonymous callers;
requests per minute from settings (MNR_API_RATE_ANONYMOUS, MNR_API_RATE_SIGNED_IN), counted
in fixed one-minute windows in the default cache."""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

WINDOW = 60


class CallerThrottle(BaseThrottle):
    """One instance serves every thread: what one request learnt (its wait) is kept per
    thread, since ninja asks for ``wait()`` right after ``allow_request()``."""

    def __init__(self) -> None:
        self._waits = threading.local()

    def _caller(self, request: HttpRequest) -> tuple[str, int]:
        token = getattr(request, "api_token", None)
        if token is not None:
            return f"token:{token.pk}", settings.MNR_API_RATE_SIGNED_IN
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}", settings.MNR_API_RATE_SIGNED_IN
        return f"address:{self.get_ident(request)}", settings.MNR_API_RATE_ANONYMOUS

    def allow_request(self, request: HttpRequest) -> bool:
        who, limit = self._caller(request)
        now = time.time()
        window = int(now // WINDOW)
        key = f"mnr-api-rate:{who}:{window}"
        cache.add(key, 0, timeout=WINDOW * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=WINDOW * 2)
            count = 1
        self._waits.seconds = (window + 1) * WINDOW - now
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self._waits, "seconds", None)
