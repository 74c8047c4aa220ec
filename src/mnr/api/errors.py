"""The API's one error format, ``{"error": {"code", "message", "details"}}``, for every refusal:
bad input (with the field of each problem), missing or bad credentials, permissions, stale
versions, rate limits, and anything unexpected (never a traceback)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from mnr.errors import MnrError
from mnr.surveys.conflicts import StaleAnswer

logger = logging.getLogger("mnr.api")


class ErrorDetail(Schema):
    """One problem: where (``field``: a dotted path into the request, such as
    ``body.answers.C01_Q1.value``, or a question or capability code) and what. ``current``
    carries the object as stored now when the problem is a stale version."""

    field: str | None = None
    message: str
    current: dict[str, Any] | None = None


class ErrorInfo(Schema):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorOut(Schema):
    error: ErrorInfo


class ApiError(Exception):
    """A refusal with its HTTP status, a stable machine-readable ``code`` and a message for
    the person reading it."""

    def __init__(
        self, status: int, code: str, message: str, details: list[ErrorDetail] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []


# The statuses an endpoint documents besides its own: what any call may get.
COMMON_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    # A request body over Django's upload limit (DATA_UPLOAD_MAX_MEMORY_SIZE).
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
# And what a write of a versioned object may get besides (stale or missing If-Match).
VERSIONED_WRITE_ERRORS: dict[int, type[Schema]] = {**COMMON_ERRORS, 412: ErrorOut, 428: ErrorOut}


def error_response(api: NinjaAPI, request: HttpRequest, error: ApiError) -> HttpResponse:
    body = {
        "error": {
            "code": error.code,
            "message": error.message,
            "details": [detail.dict() for detail in error.details],
        }
    }
    return api.create_response(request, body, status=error.status)


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _field(location: Any) -> str:
    return ".".join(str(part) for part in location)


def as_api_error(request: HttpRequest, exc: Exception) -> ApiError:
    """The API error for any exception an endpoint or its actions raise."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, ValidationError):
        details = [
            ErrorDetail(field=_field(problem.get("loc", ())), message=str(problem.get("msg", "")))
            for problem in exc.errors
        ]
        return ApiError(422, "invalid", "The request does not match the API's schema.", details)
    if isinstance(exc, StaleAnswer):
        return ApiError(
            412,
            "version_mismatch",
            str(exc),
            [
                ErrorDetail(
                    field=code,
                    message=f"you sent version {exc.expected[code]}, it is now {state.version}",
                    current=state.as_json(),
                )
                for code, state in exc.current.items()
            ],
        )
    if isinstance(exc, Throttled):
        return ApiError(429, "rate_limited", "Too many requests: wait and try again.")
    if isinstance(exc, AuthenticationError):
        return ApiError(401, "authentication_required", "Sign in or send an API token.")
    if isinstance(exc, PermissionDenied) and not _signed_in(request):
        # Nothing but aggregates is public: whoever asks for more must say who they are first.
        return ApiError(
            401,
            "authentication_required",
            "This needs a signed-in user: send 'Authorization: Bearer <token>' with a personal "
            "API token (made on your account page).",
        )
    if isinstance(exc, PermissionDenied):
        return ApiError(403, "forbidden", str(exc) or "You may not do this.")
    if isinstance(exc, Http404):
        return ApiError(404, "not_found", str(exc) or "Not found.")
    if isinstance(exc, MnrError):
        return ApiError(400, "rejected", str(exc))
    if isinstance(exc, HttpError):
        return ApiError(exc.status_code, "http_error", str(exc))
    if isinstance(exc, DataError):
        # What the database cannot store, such as a NUL character in a text on PostgreSQL.
        return ApiError(400, "invalid", f"The database refused a value you sent: {exc}".strip())
    if isinstance(exc, RequestDataTooBig):
        return ApiError(
            413,
            "too_large",
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes: "
            "send less at a time (fewer answers per bulk call).",
        )
    logger.exception("API error at %s", request.path, exc_info=exc)
    return ApiError(500, "server_error", "Something went wrong on the server; it was logged.")


def install(api: NinjaAPI) -> None:
    """Answer every exception in the one format."""

    def handle(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        raised = exc if isinstance(exc, Exception) else exc()
        return error_response(api, request, as_api_error(request, raised))

    for kind in (Exception, Http404, HttpError, ValidationError, PermissionDenied, MnrError):
        api.add_exception_handler(kind, handle)
