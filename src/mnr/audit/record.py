"""Recording audit events; called only from action functions, inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from mnr.audit.models import AuditEvent


def record_event(
    verb: str,
    target: models.Model | str,
    *,
    actor: Any,
    source: str = "web",
    **detail: Any,
) -> AuditEvent:
    """Record ``verb`` on ``target``: a model instance, or the name of what was changed when it
    is not one object (``"reference-data"``)."""
    if isinstance(target, str):
        object_type, object_id = target, ""
    else:
        object_type, object_id = target._meta.label_lower, str(target.pk)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        source=source,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
