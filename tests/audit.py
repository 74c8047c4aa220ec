"""Checking the audit trail: which events a call recorded, and that a refused call wrote nothing.

``assert_records`` compares the events a call added with the ones expected (verb, target, actor,
source), as a multiset: an event too many, one too few, or one with the wrong actor, source or
target fails. ``database_state`` is every row of every table, so a refused call can be shown to
have changed nothing at all, not only the table the test thought of."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.apps import apps
from django.db import models

from mnr.audit.models import AuditEvent

# What an event is about: a model instance, or the name recorded for what is not one object
# ("reference-data").
Target = models.Model | str
Expected = tuple[str, Target]


def target_key(target: Target) -> tuple[str, str]:
    """``(object_type, object_id)`` as ``record_event`` stores them for ``target``."""
    if isinstance(target, str):
        return target, ""
    assert target.pk is not None, f"the expected target {target!r} is not stored"
    return target._meta.label_lower, str(target.pk)


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_after(event_id: int) -> list[AuditEvent]:
    """The changes recorded after ``event_id`` (access events, such as the read of a
    submission by an analyst, are ``tests/django/test_access_audit.py``'s concern)."""
    return list(
        AuditEvent.objects.filter(id__gt=event_id, kind=AuditEvent.Kind.CHANGE).order_by("id")
    )


def describe(rows: Sequence[tuple[Any, ...]]) -> str:
    return "\n".join(f"  {row}" for row in rows) or "  (none)"


def assert_records(
    call: Callable[[], Any],
    expected: Callable[[Any], Sequence[Expected]],
    *,
    actor: Any,
    source: str,
) -> Any:
    """Run ``call`` and check that it recorded exactly ``expected(result)``, each event by
    ``actor`` (a user, or None for the operator) from ``source``. Returns the call's result."""
    before = last_event_id()
    result = call()
    wanted = [
        (verb, *target_key(target), actor.pk if actor is not None else None, source)
        for verb, target in expected(result)
    ]
    assert wanted, "an audit case must expect at least one event, or it could never fail"
    recorded = [
        (event.verb, event.object_type, event.object_id, event.actor_id, event.source)
        for event in events_after(before)
    ]
    assert sorted(recorded, key=repr) == sorted(wanted, key=repr), (
        "the audit events recorded differ from the expected ones "
        "(verb, object_type, object_id, actor id, source)\n"
        f"recorded:\n{describe(recorded)}\nexpected:\n{describe(wanted)}"
    )
    return result


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the project's models (and Django's) store, by model."""
    return {
        model._meta.label_lower: list(model._default_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def changed_tables(
    before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]
) -> list[str]:
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
