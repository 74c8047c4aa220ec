"""Cursor pagination, the same on every list: ``?limit=N&cursor=…`` in, ``{"items": […],
"next_cursor": "…" | null}`` out. A cursor names the last item served (its primary key, or
its position in a frozen list such as a publication's findings), so pages neither skip nor
repeat items while others add rows."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet
from ninja import Field, Schema
from pydantic import BaseModel

from mnr.api.errors import ApiError, ErrorDetail

Item = TypeVar("Item")
Row = TypeVar("Row")

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


class Paging(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items per page")
    cursor: str | None = Field(
        None, description="the next_cursor of the previous page; none for the first page"
    )


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    next_cursor: str | None = Field(
        description="pass it as ?cursor= for the next page; null on the last page"
    )


def _encode(kind: str, position: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{position}".encode()).decode().rstrip("=")


def _decode(kind: str, cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        found, position = text.split(":", 1)
        if found != kind or not position.isdigit():
            raise ValueError(text)
        return int(position)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ApiError(
            422,
            "invalid",
            "This cursor was not made by this list: pass the next_cursor of its previous page.",
            [ErrorDetail(field="query.cursor", message="not a cursor of this list")],
        ) from exc


def paginate(
    rows: QuerySet[Any] | Sequence[Row],
    paging: Paging,
    serialize: Callable[[Any], Item],
) -> dict[str, Any]:
    """A page of ``rows``, each turned into its schema by ``serialize``: a queryset in
    primary-key order, or a list (frozen: a publication's) in its own order."""
    if isinstance(rows, QuerySet):
        after = _decode("pk", paging.cursor) if paging.cursor else 0
        found: list[Model] = list(rows.filter(pk__gt=after).order_by("pk")[: paging.limit + 1])
        more = len(found) > paging.limit
        served: Sequence[Any] = found[: paging.limit]
        next_cursor = _encode("pk", served[-1].pk) if more else None
    else:
        start = _decode("at", paging.cursor) if paging.cursor else 0
        served = rows[start : start + paging.limit]
        more = start + paging.limit < len(rows)
        next_cursor = _encode("at", start + paging.limit) if more else None
    return {"items": [serialize(row) for row in served], "next_cursor": next_cursor}
