"""Files attached to an answer as evidence.

The bytes live under ``settings.EVIDENCE_ROOT`` (outside the web root), named by their hash
and a random suffix, never by the name they were uploaded with (see ``mnr.evidence.storage``).
Removing a file keeps its row (who attached it, when, its name, size and SHA-256, who removed
it and when) and deletes its bytes; the answer's history shows both steps."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from mnr.core.limits import MAX_EVIDENCE_NAME_LENGTH


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def attached(self) -> EvidenceQuerySet:
        """Files not removed."""
        return self.filter(removed_at__isnull=True)


class Evidence(models.Model):
    answer = models.ForeignKey(
        "surveys.Answer", on_delete=models.CASCADE, related_name="evidence_files"
    )
    # Where the bytes are, relative to EVIDENCE_ROOT ("ab/ab12…-5f3c…"); chosen by the server.
    stored_as = models.CharField(max_length=100, unique=True)
    original_name = models.CharField(max_length=MAX_EVIDENCE_NAME_LENGTH)
    # The type the content was checked to be (mnr.core.evidence), not what the browser said.
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # web, cli, … — where the file came from.
    source = models.CharField(max_length=20, default="web")
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["answer", "uploaded_at", "id"]
        verbose_name_plural = "evidence files"

    def __str__(self) -> str:
        return f"{self.answer} {self.original_name}"

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    @property
    def described(self) -> str:
        """How the answer's history names the file."""
        return f"{self.original_name} ({self.size:,} bytes)"
