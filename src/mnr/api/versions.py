"""Versions as ETags: every versioned object (an answer, a plan item) is served with its
version as ``ETag: "N"``; a write to an existing one must send it back as ``If-Match``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from mnr.api.errors import ApiError, ErrorDetail


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = etag(version)


def expected_version(request: HttpRequest, *, stored: int) -> int:
    """The version the writer read, from its ``If-Match``, for an object now at ``stored``
    (0: it does not exist yet). Without ``If-Match`` a write to an existing object is refused
    (428), since it would overwrite what the writer has not seen; a new object may be written
    without one. A version that is not the stored one is for the action to refuse (412, with
    the object as stored now), so that the check and the write happen in one transaction."""
    header = request.headers.get("If-Match")
    if header is None:
        if stored:
            raise ApiError(
                428,
                "version_required",
                f"This object exists (version {stored}): send its version as If-Match: "
                f'"{stored}" (the ETag you read), so that nobody\'s change is overwritten.',
            )
        return 0
    text = header.strip()
    text = text.removeprefix("W/").strip('"')
    if text == "*":
        return stored
    if not text.isdigit():
        raise ApiError(
            400,
            "invalid_version",
            f"If-Match must be a version as served in the ETag header, such as \"3\"; got "
            f"{header!r}.",
            [ErrorDetail(field="header.If-Match", message="not a version")],
        )
    return int(text)


def stale(current: dict[str, object], *, sent: int, stored: int, field: str) -> ApiError:
    """412 for an object whose version moved: what is stored now, for the writer to merge."""
    return ApiError(
        412,
        "version_mismatch",
        f"{field} changed since you read it (you sent version {sent}, it is now version "
        f"{stored}); nothing was saved: read it again and make your change on that.",
        [ErrorDetail(field=field, message=f"now version {stored}", current=current)],
    )
