from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

APPEND_ONLY = "audit events are append-only: they are never changed or deleted"


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete a recorded audit event."""


def now_to_the_millisecond() -> datetime:
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _refuse(doing: str) -> NoReturn:
    raise AppendOnlyError(f"{APPEND_ONLY} ({doing} refused)")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        _refuse("update")

    def delete(self) -> NoReturn:
        _refuse("delete")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("bulk_update")

    def update_or_create(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("update_or_create")


class AuditEvent(models.Model):
    """Who did what to which object, or who signed in, downloaded or read what from where.

    Append-only: the model refuses to change or delete a stored row, and database triggers
    refuse it too (``docs/audit.md`` says which, and their limits)."""

    class Kind(models.TextChoices):
        CHANGE = "change", _("change")
        ACCESS = "access", _("access")

    # To the millisecond, as Django's JSON serializer writes times: a copy of the log made
    # that way (a test's serialized rollback, a logical backup) holds exactly what is stored.
    at = models.DateTimeField(default=now_to_the_millisecond, editable=False, db_index=True)
    # No database constraint and no action on delete: removing a user must not rewrite (or
    # refuse because of) the log; ``actor_username`` keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True, db_index=True)
    # Where the change came from when there is no signed-in user (command line, importer).
    source = models.CharField(max_length=20, default="web")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHANGE, db_index=True)
    verb = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=100, blank=True)
    # The client's address as the sign-in protection sees it (blank at the command line).
    address = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        who = self.actor_username or self.source
        return f"{self.at:%Y-%m-%d %H:%M} {who} {self.verb} {self.object_type} {self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse("save of a stored event")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse("delete")
