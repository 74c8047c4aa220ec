"""Rounds, submissions and answers, with the full history of every answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mnr.core.respondents import (
    CONFIDENCE_LEVELS,
    LEAD,
    MAX_RESPONDENT_LENGTH,
    MAX_RESPONDENT_NAME_LENGTH,
    respondent_label,
)
from mnr.surveys.querysets import RoundQuerySet, SubmissionQuerySet


class Round(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for answers")
        CLOSED = "closed", _("Closed")
        PUBLISHED = "published", _("Published")

    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    instrument = models.ForeignKey(
        "frameworks.Instrument", on_delete=models.PROTECT, related_name="rounds"
    )
    # Channel codes in priority order: when several answered, the first non-blank answer wins.
    channels = models.JSONField(default=list)
    income_fiscal_year = models.PositiveSmallIntegerField(default=2021)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    # Smallest group a breakdown may show to users without jurisdiction-level access.
    disclosure_threshold = models.PositiveSmallIntegerField(default=3)
    # Synthetic rounds (the demo) say so wherever a user sees them.
    synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def accepts_answers(self) -> bool:
        """Answers, submissions and imports are taken while a round is a draft (its analysts
        prepare it, the demo loads its answers) or open; a closed or published round is frozen."""
        return self.status in (self.Status.DRAFT, self.Status.OPEN)


class Participation(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="participations")
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="participations"
    )

    class Meta:
        ordering = ["round", "jurisdiction__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "jurisdiction"], name="participates_once")
        ]

    def __str__(self) -> str:
        return f"{self.round.code} {self.jurisdiction.code}"


class Submission(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        VALIDATED = "validated", _("Validated")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="submissions")
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction", on_delete=models.PROTECT, related_name="submissions"
    )
    channel = models.CharField(max_length=60)
    # An organisation within the jurisdiction (``police``); blank is the lead respondent, whose
    # answers are the jurisdiction's where one answer per jurisdiction counts
    # (mnr.core.respondents).
    respondent = models.SlugField(max_length=MAX_RESPONDENT_LENGTH, blank=True, default=LEAD)
    respondent_name = models.CharField(max_length=MAX_RESPONDENT_NAME_LENGTH, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # When an import last changed the answers after the submission was submitted: its reviewer
    # has to look again. Cleared when a reviewer returns or validates it.
    changed_since_submitted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        # The lead's blank respondent sorts first.
        ordering = ["round", "jurisdiction__code", "channel", "respondent"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "jurisdiction", "channel", "respondent"],
                name="one_submission_per_respondent",
            )
        ]

    def __str__(self) -> str:
        respondent = f" {self.respondent}" if self.respondent else ""
        return f"{self.round.code} {self.jurisdiction.code} {self.channel}{respondent}"

    @property
    def is_lead(self) -> bool:
        return self.respondent == LEAD

    @property
    def respondent_label(self) -> str:
        """The respondent's name, else its code; "Lead respondent" for the lead (in the page's
        language)."""
        if self.respondent == LEAD and not self.respondent_name:
            return gettext("Lead respondent")
        return respondent_label(self.respondent, self.respondent_name)

    @property
    def editable(self) -> bool:
        """Whether its focal points may change the answers: a draft or returned submission of a
        round that still accepts answers."""
        return (
            self.status in (self.Status.DRAFT, self.Status.RETURNED) and self.round.accepts_answers
        )

    @property
    def changed_since_submitted(self) -> bool:
        """An import changed the answers after the submission was submitted (see
        ``changed_since_submitted_at``); the review page shows it."""
        return self.changed_since_submitted_at is not None


class SubmissionTransition(models.Model):
    """Each move through draft → submitted → returned → validated, with the reviewer's comment."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    comment = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "at", "id"]

    def __str__(self) -> str:
        return f"{self.submission} {self.from_status} → {self.to_status}"

    @property
    def from_label(self) -> str:
        """The status it moved from, by the name the pages give it ("Returned for changes")."""
        return str(dict(Submission.Status.choices).get(self.from_status, self.from_status))

    @property
    def to_label(self) -> str:
        return str(dict(Submission.Status.choices).get(self.to_status, self.to_status))


class Answer(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "frameworks.InstrumentQuestion", on_delete=models.PROTECT, related_name="answers"
    )
    # A choice code, a phase level, a number or free text; empty means no answer.
    value = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    # Free text the respondent agreed may be quoted (anonymised) in public reports.
    publishable = models.BooleanField(default=False)
    # How sure the respondent is of a phase answer (phase questions only); blank: not said.
    confidence = models.CharField(
        max_length=10, blank=True, choices=list(CONFIDENCE_LEVELS.items())
    )
    # 1 when first saved, +1 on every saved change: a writer that read version n may write only
    # while the answer is still at n (``save_answers``' expected_version), so nothing is lost.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["submission", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "question"], name="one_answer")
        ]

    def __str__(self) -> str:
        return f"{self.submission} {self.question.code}={self.value!r}"


class AnswerChange(models.Model):
    """History: one row per field that changed, never updated or deleted."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=20)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # web, import, cli, demo — where the change came from.
    source = models.CharField(max_length=20, default="web")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["answer", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.answer} {self.field}: {self.old!r} → {self.new!r}"


class QuestionComment(models.Model):
    """A reviewer's comment on one question of a submission, shown to its focal point beside
    the question; never edited or deleted (a correction is a new comment)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="question_comments"
    )
    question = models.ForeignKey(
        "frameworks.InstrumentQuestion", on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "question__position", "at", "id"]

    def __str__(self) -> str:
        return f"{self.submission} {self.question.code}: {self.body[:40]!r}"
