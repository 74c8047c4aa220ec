"""The MNR as loaded from its data files: editions, instruments and their crosswalk.

Labels are stored as ``{"en": "...", "fr": "..."}`` mappings so that every language the file
carries survives the load; ``label_text`` picks one with an English fallback.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models

from mnr.core.framework import text as label_text


class Channel(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    label = models.JSONField(default=dict)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Edition(models.Model):
    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    title = models.JSONField(default=dict)
    provenance = models.JSONField(default=dict)
    document = models.JSONField(help_text="The validated file as loaded, for provenance.")
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="edition_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Domain(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="domains")
    code = models.CharField(max_length=20)
    position = models.PositiveIntegerField()
    name = models.JSONField(default=dict)
    outcome = models.JSONField(default=dict)

    class Meta:
        ordering = ["edition", "position"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="domain_code")]

    def __str__(self) -> str:
        return f"{self.code} {label_text(self.name, 'en')}"


class Capability(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="capabilities")
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="capabilities")
    code = models.CharField(max_length=20)
    position = models.PositiveIntegerField()
    name = models.JSONField(default=dict)
    description = models.JSONField(default=dict)

    class Meta:
        ordering = ["edition", "position"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="capability_code")]

    def __str__(self) -> str:
        return f"{self.code} {label_text(self.name, 'en')}"


class Phase(models.Model):
    """A maturity phase. Names of phases 2 and 3 are provisional and administrators may rename
    them (``frameworks.actions.rename_phase``); the file's name stays in the edition document."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="phases")
    level = models.PositiveSmallIntegerField()
    name = models.JSONField(default=dict)
    provisional = models.BooleanField(default=False)

    class Meta:
        ordering = ["edition", "level"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "level"], name="phase_level"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=4), name="phase_level_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} {label_text(self.name, 'en')}"


class PhaseDescriptor(models.Model):
    capability = models.ForeignKey(
        Capability, on_delete=models.CASCADE, related_name="phase_descriptors"
    )
    level = models.PositiveSmallIntegerField()
    text = models.JSONField(default=dict)

    class Meta:
        ordering = ["capability", "level"]
        constraints = [
            models.UniqueConstraint(fields=["capability", "level"], name="descriptor_level")
        ]

    def __str__(self) -> str:
        return f"{self.capability.code} phase {self.level}"


class QuestionFields(models.Model):
    """What an edition question and an instrument question both carry."""

    code = models.CharField(max_length=60)
    position = models.PositiveIntegerField()
    type = models.CharField(max_length=20)
    label = models.JSONField(default=dict)
    # [{"code": "yes", "label": {"en": "Yes"}}, ...]; empty for text questions.
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    # {"question": "C01.status", "values": ["yes", "partial"]} or null.
    relevant = models.JSONField(null=True, blank=True)
    # What an answer in place means, as a statement for generated findings (may be empty).
    finding = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return self.code

    @property
    def choice_codes(self) -> list[str]:
        return [choice["code"] for choice in self.choices]

    def applies(self, values: Mapping[str, str]) -> bool:
        """Skip logic: whether the question is asked, given the answers so far by code."""
        relevant = self.relevant
        return not relevant or values.get(relevant["question"], "") in relevant["values"]


class Question(QuestionFields):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="questions")
    capability = models.ForeignKey(
        Capability, null=True, blank=True, on_delete=models.CASCADE, related_name="questions"
    )

    class Meta(QuestionFields.Meta):
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="question_code")]


class Instrument(models.Model):
    code = models.SlugField(max_length=60)
    version = models.PositiveIntegerField()
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="instruments")
    title = models.JSONField(default=dict)
    channels = models.JSONField(default=list)
    document = models.JSONField()
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class InstrumentQuestion(QuestionFields):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="questions")
    # The domain section it is asked in; empty for general questions about the MNR as a whole.
    domain = models.CharField(max_length=20, blank=True)
    source_question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Channels the question is asked through; empty means every channel of the instrument.
    channels = models.JSONField(default=list, blank=True)
    # The crosswalk: the edition capabilities this question speaks to.
    capabilities = models.ManyToManyField(Capability, related_name="instrument_questions")

    class Meta(QuestionFields.Meta):
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="instrument_question_code")
        ]

    def asked_of(self, channel: str) -> bool:
        return not self.channels or channel in self.channels
