"""Responses that must not be kept by browsers or shared caches (docs/deployment-settings.md).

What a signed-in user sees is theirs: their jurisdiction's answers, drafts, the review queue. A
browser's back button after sign-out, a shared computer's disk cache or a caching proxy must not
hand it to the next person, so such responses say ``Cache-Control: no-store, private``. So does
every response that sets or clears the session cookie (the sign-in and sign-out answers), since a
cached copy would replay the cookie. Anonymous public pages stay cacheable as before.

A response that declares itself ``public`` (the vendored chart library, the same bytes for
everyone) is left as it is: its view has decided that it holds nothing of the user's.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store, private`` for signed-in users and session-setting responses.

    It sits outside SessionMiddleware, so it sees the session cookie that middleware sets.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if _sets_session(response) or (_signed_in(request) and not _declared_public(response)):
            # patch_cache_control drops a "public" the view set, since private contradicts it.
            patch_cache_control(response, no_store=True, private=True)
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _sets_session(response: HttpResponseBase) -> bool:
    return settings.SESSION_COOKIE_NAME in response.cookies


def _declared_public(response: HttpResponseBase) -> bool:
    directives = {
        part.strip().split("=", 1)[0].lower()
        for part in response.get("Cache-Control", "").split(",")
    }
    return "public" in directives


_STYLE_ELEMENT = re.compile(rb"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def allow_stored_styles(response: HttpResponse, document: bytes) -> HttpResponse:
    """Allow the ``<style>`` elements of a stored, self-contained HTML document by their hashes.

    A report's HTML file is rendered once, without a request (the PDF and the download are the
    same file), so it cannot carry a request's nonce; the Content-Security-Policy of the
    response that serves it allows exactly its own style blocks instead, and nothing else.
    """
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + "'"
        for body in _STYLE_ELEMENT.findall(document)
    ]
    if hashes:
        # What django-csp's csp_update decorator sets, for this response only.
        response._csp_update = {"style-src": hashes}  # type: ignore[attr-defined]
    return response
