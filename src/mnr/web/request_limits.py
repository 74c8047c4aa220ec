"""Request bodies over the limits are refused with a message, before anything reads them.

Django checks ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when a view (or the CSRF middleware, which
reads a form post's token) first reads ``request.POST`` or ``request.body``, and then answers
a bare "Bad Request (400)"; a multipart upload's files count towards no limit at all, so the
CSRF check would stream an upload of any size to a temporary file before the evidence view
could refuse it. This middleware looks at ``Content-Length`` first, in its ``__call__``, which
runs before every middleware's ``process_view`` (CSRF's included):

- an evidence upload may be ``MAX_EVIDENCE_BYTES`` plus the form around it; over that, the
  uploader goes back to the submission with the evidence view's own message;
- every other request may be ``DATA_UPLOAD_MAX_MEMORY_SIZE``: over it the page's save script
  gets ``{"error": ...}`` (status 413) and a browser a page saying what happened;
- the API (``/api/``) is left to its own handler, which answers 413 in its JSON format.

``bad_request`` (the site's ``handler400``) gives the same page for what Django still refuses
while reading a body: too many fields (``DATA_UPLOAD_MAX_NUMBER_FIELDS``) or files; and
``DatabaseRefusalMiddleware`` for a value the database refuses (a NUL on PostgreSQL).

The web server in front should refuse bodies over ``max_request_bytes()`` too (gunicorn has no
body limit of its own; a proxy's ``client_max_body_size``), see docs/operations.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import DataError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request as django_bad_request

from mnr.core.limits import MAX_EVIDENCE_BYTES

logger = logging.getLogger("mnr.web")

EVIDENCE_FORM_OVERHEAD = 64 * 1024
"""Room for the evidence form's other fields and the multipart boundaries around the file."""
_EVIDENCE_UPLOAD = "evidence-upload"
_WRITES = ("POST", "PUT", "PATCH", "DELETE")


def evidence_request_limit() -> int:
    """Bytes an evidence upload request may have: the largest file and its form."""
    return MAX_EVIDENCE_BYTES + EVIDENCE_FORM_OVERHEAD


def max_request_bytes() -> int:
    """The largest request body any page takes (an evidence upload's): what a web server or
    proxy in front of mnr may refuse outright."""
    return max(evidence_request_limit(), settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def _content_length(request: HttpRequest) -> int | None:
    given = str(request.META.get("CONTENT_LENGTH") or "")
    return int(given) if given.isdecimal() else None


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _page(request: HttpRequest, message: str, status: int, heading: str = "") -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    context = {"message": message, "heading": heading or _("Too much sent at once")}
    return render(request, "web/request_refused.html", context, status=status)


def _too_large_message(size: int, limit: int) -> str:
    return _(
        "The form sent %(size)s bytes; at most %(limit)s bytes are accepted at once. "
        "Nothing was saved: send less at a time."
    ) % {"size": f"{size:,}", "limit": f"{limit:,}"}


class RequestSizeLimitMiddleware:
    """Refuse, with a message, a request whose ``Content-Length`` is over its limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        size = _content_length(request)
        if size is not None and request.method in _WRITES and not request.path.startswith("/api/"):
            refusal = self._refusal(request, size)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request: HttpRequest, size: int) -> HttpResponse | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and size <= limit:
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        if match is not None and match.url_name == _EVIDENCE_UPLOAD:
            if size <= evidence_request_limit():
                return None
            # The evidence view's own words, and back to the answer page as the view does.
            messages.error(
                request,
                _(
                    "The file is about %(size)s bytes; evidence files may be at most "
                    "%(limit)s MiB. Nothing was attached."
                )
                % {"size": f"{size:,}", "limit": MAX_EVIDENCE_BYTES // 1024 // 1024},
            )
            return redirect(reverse("submission", args=[match.kwargs["pk"]]))
        if limit is None:
            return None
        return _page(request, _too_large_message(size, limit), 413)


class DatabaseRefusalMiddleware:
    """A value the database cannot store or compare (a NUL character on PostgreSQL, a number
    out of range) is a 400 with a message, as the API answers it, not a 500. Actions run in
    transactions, so nothing of the request was saved."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DataError) or request.path.startswith("/api/"):
            return None
        logger.warning("database refused a value at %s: %s", request.path, exception)
        message = _(
            "The database refused a value you sent (such as a NUL character, or a number out "
            "of range). Nothing was saved: correct it and try again."
        )
        return _page(request, message, 400, _("Not saved"))


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's 400 page: a message for a body Django refused while reading it."""
    if isinstance(exception, TooManyFieldsSent):
        message = _(
            "The form sent more than %(limit)s fields; nothing was saved. Reload the page and "
            "send fewer changes at once."
        ) % {"limit": f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}"}
        return _page(request, message, 400)
    if isinstance(exception, TooManyFilesSent):
        message = _(
            "The form sent more than %(limit)s files; nothing was saved. Send one file at a time."
        ) % {"limit": f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES:,}"}
        return _page(request, message, 400)
    if isinstance(exception, RequestDataTooBig):
        size = _content_length(request) or 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        return _page(request, _too_large_message(size, limit), 413)
    return django_bad_request(request, exception)
