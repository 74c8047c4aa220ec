"""The audit log as a table: the rows administrators download from the admin and
``mnr audit export`` writes, through the project's one CSV writer (``mnr.core.tables``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from mnr.audit.models import AuditEvent
from mnr.core.tables import Cell, csv_bytes
from mnr.errors import MnrError

COLUMNS = (
    "id",
    "at",
    "kind",
    "verb",
    "actor",
    "actor_id",
    "source",
    "address",
    "object_type",
    "object_id",
    "detail",
)


def rows(events: Iterable[AuditEvent]) -> Iterator[list[Cell]]:
    yield list(COLUMNS)
    for event in events:
        yield [
            event.pk,
            event.at.isoformat(),
            event.kind,
            event.verb,
            event.actor_username,
            event.actor_id,
            event.source,
            event.address,
            event.object_type,
            event.object_id,
            json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
        ]


def as_csv(events: QuerySet[AuditEvent]) -> bytes:
    """The events, oldest first, as CSV (one header row, then one row per event)."""
    return csv_bytes(rows(events.order_by("at", "id").iterator()))


def since(value: str, *, where: str = "--since") -> datetime:
    """The start of the day ``value`` (YYYY-MM-DD) or the moment ``value`` (ISO 8601), in the
    server's time zone when it names none."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise MnrError(
            f"{where}: {value!r} is not a date; write it as YYYY-MM-DD (or YYYY-MM-DDTHH:MM)"
        ) from error
    if len(value) == len("YYYY-MM-DD"):
        moment = datetime.combine(date.fromisoformat(value), time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def selected(*, since_: datetime | None = None, verb: str | None = None) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if since_ is not None:
        events = events.filter(at__gte=since_)
    if verb:
        events = events.filter(verb=verb)
    return events
