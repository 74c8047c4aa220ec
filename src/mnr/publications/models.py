"""Publications: numbered, immutable snapshots of what a round makes public.

A publication holds the answers of the round's validated submissions as they were when an
analyst published, the disclosure-controlled findings computed from them (with the decisions
of disclosure control), the report's texts and the quotes it may print. Public pages, public
command output and published reports read the latest publication only.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mnr.core.disclosure import Protection
from mnr.errors import MnrError


class Publication(models.Model):
    round = models.ForeignKey(
        "surveys.Round", on_delete=models.PROTECT, related_name="publications"
    )
    number = models.PositiveIntegerField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # What the round was when published: participants, channels, disclosure threshold.
    round_settings = models.JSONField()
    # [{"jurisdiction", "channel", "respondent", "submission", "answers", "validated_at"}]:
    # what went in ("respondent" "" for the lead; publications from before respondents lack it).
    submissions = models.JSONField()
    # [{"jurisdiction", "channel", "respondent", "status"}]: submissions left out, not validated.
    left_out = models.JSONField()
    # [{"jurisdiction", "channel", "respondent", "question", "value", "publishable", "version"}]
    answers = models.JSONField()
    # mnr.core.disclosure.Protection.to_json(): every breakdown and headline figure.
    protection = models.JSONField()
    # {"headlines": [...], "narrative": {key: {lang: text}}, "snapshot_exclude": [...]}
    report = models.JSONField()
    # [{"question", "domain", "kind", "text", "income_group", "region"}]
    quotes = models.JSONField()
    # Figures that moved against the previous publication (empty for the first).
    changes = models.JSONField(default=list)

    class Meta:
        ordering = ["round", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="publication_number")
        ]

    def __str__(self) -> str:
        return f"{self.round.code} publication {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise MnrError(f"{self}: a publication is never changed; publish again instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise MnrError(f"{self}: a publication is never deleted")

    @property
    def full_note(self) -> str:
        """The analyst's note and the submissions left out; for those who may see which
        jurisdiction's submission was not validated (never the public)."""
        if not self.left_out:
            return self.note
        listed = ", ".join(
            " ".join(filter(None, (s["jurisdiction"], s["channel"], s.get("respondent"))))
            + f" ({s['status']})"
            for s in self.left_out
        )
        left_out = gettext("Left out, not validated: %(submissions)s.") % {"submissions": listed}
        return f"{self.note}\n\n{left_out}" if self.note else left_out

    def protection_of(self) -> Protection:
        """The stored findings and disclosure decisions, read once per process (a publication
        never changes): pages that show them parse the stored JSON only the first time."""
        cached: Protection | None = getattr(self, "_protection", None)
        if cached is None:
            if self.pk is None:
                cached = Protection.from_json(self.protection)
            else:
                cached = _stored_protection(self.pk, self.created_at)
            self._protection = cached
        return cached


# Keyed by the creation time too: SQLite may give a number again after a rollback (tests).
@functools.lru_cache(maxsize=16)
def _stored_protection(publication_id: int, created_at: datetime) -> Protection:
    stored = Publication.objects.filter(pk=publication_id).values_list("protection", flat=True)
    return Protection.from_json(stored.get())


class RenderedReport(models.Model):
    """A publication's report rendered once in one language and format, and served from here.

    A publication never changes, so neither does its rendering: nothing ever invalidates a
    row. A row is created pending when the report is first asked for; a background task
    (``mnr.reports.tasks``) fills in the content.
    """

    class Format(models.TextChoices):
        HTML = "html", "HTML"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="renders")
    lang = models.CharField(max_length=8)
    format = models.CharField(max_length=4, choices=Format.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    content = models.BinaryField(default=b"")
    # Why a build failed, for the operators (the page only says that it did).
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When its build was last queued: a build still pending long after (its worker stopped
    # during it) is queued again.
    queued_at = models.DateTimeField(default=timezone.now)
    built_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "lang", "format"], name="rendered_report_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.publication} report ({self.lang}, {self.format}, {self.status})"


class PublicationRobustness(models.Model):
    """How robust a publication's public figures are (``mnr.core.robustness``), computed once
    in the background after publishing and stored: a publication never changes, so neither
    does this. ``result`` is ``mnr.core.robustness.Result.to_json()`` of the public run."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being computed")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, related_name="robustness"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    result = models.JSONField(null=True, blank=True)
    # Why a run failed, for the operators (pages only say that it did).
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    built_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.publication} robustness ({self.status})"
