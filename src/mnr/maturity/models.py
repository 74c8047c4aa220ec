"""Maturity records kept beside the answers: reviewers' overrides of consolidated phases,
consent to peer exchange, and the action plan's items with their history.

The phases themselves are answers to the instrument's phase questions (one submission per
jurisdiction x channel x respondent); ``mnr.maturity.data`` reads them. Overrides and consents
are append-only: the current one is the latest row, earlier rows are the history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PhaseOverride(models.Model):
    """A reviewer's phase for one jurisdiction x capability of a round, with the reason.

    ``phase`` None withdraws the override in force (the computed phase applies again)."""

    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="+")
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    capability = models.CharField(max_length=20)
    phase = models.PositiveSmallIntegerField(null=True, blank=True)
    # The computed phase when the override was recorded, so history shows what it overrode.
    computed_phase = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The operator at the command line has no user; whoever ran the command answers for it.
    by_name = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "jurisdiction__code", "capability", "at", "id"]

    def __str__(self) -> str:
        return f"{self.round} {self.jurisdiction.code} {self.capability} → {self.phase}"


class Consent(models.Model):
    """Whether a jurisdiction agrees, for one round, that peers may learn its phases."""

    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="+")
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    peer_exchange = models.BooleanField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    by_name = models.CharField(max_length=150)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "jurisdiction__code", "at", "id"]

    def __str__(self) -> str:
        return f"{self.round} {self.jurisdiction.code} peer exchange {self.peer_exchange}"


class PlanItem(models.Model):
    """One capability's item in a jurisdiction's action plan for a round.

    The plan is stored when its focal point first edits it (until then it is the proposal);
    a dropped item is kept, marked dropped, so that its history stays."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="+")
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="+"
    )
    capability = models.CharField(max_length=20)
    target_phase = models.PositiveSmallIntegerField()
    owner = models.CharField(max_length=200, blank=True)
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    notes = models.TextField(blank=True)
    # Added by a user rather than proposed (a capability at phase 4 cannot be; see plan.md).
    added = models.BooleanField(default=False)
    dropped = models.BooleanField(default=False)
    # 1 when stored, +1 on every change: a writer that read version n writes only at n.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["round", "jurisdiction__code", "capability"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "jurisdiction", "capability"], name="one_plan_item_per_capability"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.jurisdiction.code} {self.capability} → {self.target_phase}"


class PlanItemChange(models.Model):
    """History: one row per field of a plan item that changed, never updated or deleted."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=20)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    source = models.CharField(max_length=20, default="web")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.field}: {self.old!r} → {self.new!r}"
