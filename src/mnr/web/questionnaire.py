"""The answer pages of a submission, generated from its instrument.

A questionnaire is a list of sections — the general questions, then one per domain — each made
of capability groups (the capabilities a question speaks to, with their descriptions and phase
descriptors) holding the questions asked of the submission's channel, with their answers,
whether they apply given the other answers (skip logic), and progress. It is built from a fixed
number of queries, however many questions there are or answers were given.

Each entry carries the version of its answer and a digest of what the form shows, so that a
saved page writes only the questions the user changed, against the version the user read; a
question someone else saved meanwhile comes back as a :class:`Conflict` showing both texts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mnr.core.framework import text
from mnr.core.respondents import CONFIDENCE_LEVELS
from mnr.frameworks.models import Capability, Domain, InstrumentQuestion, Phase
from mnr.surveys.actions import AnswerInput
from mnr.surveys.conflicts import AnswerState
from mnr.surveys.models import Answer, AnswerChange, Submission
from mnr.web.i18n import ui_language

GENERAL = "general"
Label = Mapping[str, str]


@dataclass(frozen=True)
class Choice:
    code: str
    label: Label


ANSWER_FIELDS = ("value", "comment", "evidence_url", "publishable", "confidence")
# The confidence levels (``CONFIDENCE_LEVELS``, whose labels are English) as the pages name
# them, in the page's language.
CONFIDENCE_LABELS: Mapping[str, Any] = {
    "low": gettext_lazy("Low"),
    "medium": gettext_lazy("Medium"),
    "high": gettext_lazy("High"),
}


def confidence_label(code: str, default: str = "") -> str:
    """A confidence level's name in the page's language (``default`` for an unknown code)."""
    return str(CONFIDENCE_LABELS.get(code, CONFIDENCE_LEVELS.get(code, default)))


CONFIDENCE_CHOICES = [Choice(code, {"en": CONFIDENCE_LABELS[code]}) for code in CONFIDENCE_LEVELS]


def answer_digest(fields: Mapping[str, object]) -> str:
    """A short digest of an answer's fields as a form shows them: a page posts back the digest
    it was loaded with, so that questions the user left alone are not saved again."""
    shown = {name: fields[name] for name in ANSWER_FIELDS if name in fields}
    encoded = json.dumps(shown, sort_keys=True, ensure_ascii=False).encode("utf-8", "replace")
    return hashlib.sha256(encoded).hexdigest()[:20]


def posted_digest(answer: AnswerInput) -> str:
    """The digest of a posted answer: the fields the form sent."""
    return answer_digest(
        {name: value for name in ANSWER_FIELDS if (value := getattr(answer, name)) is not None}
    )


@dataclass(frozen=True)
class Conflict:
    """An answer someone else saved after the user read it: what is stored now."""

    saved: AnswerState
    # The stored value as a choice of the question, when it is one.
    choice: Choice | None

    @property
    def confidence_label(self) -> str:
        return confidence_label(self.saved.confidence)


@dataclass
class QuestionEntry:
    """One question on the page, with its answer as saved (or as just posted)."""

    question: InstrumentQuestion
    section: str
    choices: list[Choice]
    applicable: bool
    # The answer the question depends on must be one of these for it to apply.
    condition_choices: list[Choice] = field(default_factory=list)
    value: str = ""
    comment: str = ""
    evidence_url: str = ""
    publishable: bool = False
    confidence: str = ""
    # The version of the answer the page was loaded with (0: no answer saved yet), and the
    # digest of the fields as loaded; both go back with the form.
    version: int = 0
    loaded: str = ""
    conflict: Conflict | None = None

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def form_fields(self) -> tuple[str, ...]:
        """The answer's fields the form has inputs for (text answers have no comment box, and
        only phase answers a confidence)."""
        left_out = {"comment"} if self.question.type == "text" else set()
        if not self.has_confidence:
            left_out.add("confidence")
        return tuple(name for name in ANSWER_FIELDS if name not in left_out)

    @property
    def has_confidence(self) -> bool:
        return self.question.type == "phase"

    @property
    def confidence_choices(self) -> list[Choice]:
        return CONFIDENCE_CHOICES

    @property
    def confidence_label(self) -> str:
        return confidence_label(self.confidence)

    def digest(self, answer: QuestionEntry | AnswerState | None = None) -> str:
        """The digest of the form's fields of ``answer`` (the entry itself by default); the
        same as :func:`posted_digest` of the form posted unchanged."""
        source = self if answer is None else answer
        return answer_digest({name: getattr(source, name) for name in self.form_fields})

    def choice_of(self, value: str) -> Choice | None:
        return next((c for c in self.choices if c.code == value), None)

    @property
    def html_id(self) -> str:
        return "q-" + self.code.replace(".", "_")

    @property
    def answered(self) -> bool:
        return bool(self.value)

    @property
    def counts(self) -> bool:
        """Whether the question counts towards progress: required, and applicable."""
        return self.question.required and self.applicable

    @property
    def chosen(self) -> Choice | None:
        return self.choice_of(self.value)

    @property
    def relevant_values(self) -> str:
        relevant = self.question.relevant
        return " ".join(relevant["values"]) if relevant else ""

    @property
    def has_details(self) -> bool:
        return bool(self.comment or self.evidence_url or self.publishable or self.confidence)


@dataclass(frozen=True)
class Descriptor:
    level: int
    phase: Label
    text: Label


@dataclass(frozen=True)
class CapabilityProfile:
    """What the page shows next to a capability's questions."""

    capability: Capability
    descriptors: list[Descriptor]

    @property
    def code(self) -> str:
        return self.capability.code


@dataclass
class CapabilityGroup:
    """Questions speaking to the same capabilities (two, where an instrument merged them)."""

    capabilities: list[CapabilityProfile]
    questions: list[QuestionEntry]

    @property
    def anchor(self) -> str:
        return "-".join(c.code for c in self.capabilities) or "other"


@dataclass(frozen=True)
class Progress:
    """Answered required questions out of those that apply."""

    answered: int
    required: int

    @property
    def complete(self) -> bool:
        return self.answered >= self.required

    def as_json(self) -> dict[str, int]:
        return {"answered": self.answered, "required": self.required}


def _progress(entries: Iterable[QuestionEntry]) -> Progress:
    counted = [e for e in entries if e.counts]
    return Progress(sum(e.answered for e in counted), len(counted))


@dataclass
class Section:
    code: str
    name: Label
    outcome: Label
    groups: list[CapabilityGroup]

    @property
    def is_general(self) -> bool:
        return self.code == GENERAL

    @property
    def questions(self) -> list[QuestionEntry]:
        return [entry for group in self.groups for entry in group.questions]

    @property
    def progress(self) -> Progress:
        return _progress(self.questions)


@dataclass
class Questionnaire:
    submission: Submission
    sections: list[Section]

    def section(self, code: str) -> Section | None:
        return next((s for s in self.sections if s.code == code), None)

    @property
    def domains(self) -> list[Section]:
        return [s for s in self.sections if not s.is_general]

    @property
    def entries(self) -> list[QuestionEntry]:
        return [entry for section in self.sections for entry in section.questions]

    @property
    def progress(self) -> Progress:
        return _progress(self.entries)

    @property
    def missing(self) -> list[QuestionEntry]:
        """Required questions that apply and have no answer yet, in page order."""
        return [e for e in self.entries if e.counts and not e.answered]

    def progress_json(self) -> dict[str, Any]:
        return {
            "sections": {s.code: s.progress.as_json() for s in self.sections},
            "overall": self.progress.as_json(),
        }

    def overlay(
        self, given: Mapping[str, AnswerInput], loaded: Mapping[str, str] | None = None
    ) -> None:
        """Show input that could not be saved instead of the saved answers, so none is lost,
        with the version and digest the user's page was loaded with (``loaded``)."""
        entries = {e.code: e for e in self.entries}
        for code, answer in given.items():
            entry = entries.get(code)
            if entry is None:
                continue
            for name in ANSWER_FIELDS:
                if (new := getattr(answer, name)) is not None:
                    setattr(entry, name, new)
            if answer.expected_version is not None:
                entry.version = answer.expected_version
            if loaded and code in loaded:
                entry.loaded = loaded[code]

    def show_conflicts(self, current: Mapping[str, AnswerState]) -> None:
        """Mark answers someone else saved meanwhile, and base them on the stored version:
        saving the page again then saves the user's choice."""
        entries = {e.code: e for e in self.entries}
        for code, saved in current.items():
            entry = entries.get(code)
            if entry is None:
                continue
            entry.conflict = Conflict(saved, entry.choice_of(saved.value))
            entry.version = saved.version
            entry.loaded = entry.digest(saved)

    @property
    def conflicts(self) -> list[QuestionEntry]:
        return [e for e in self.entries if e.conflict is not None]


def _choices(question: InstrumentQuestion, phase_names: Mapping[int, Label]) -> list[Choice]:
    if question.type == "phase":
        # Phase names as administrators last set them, not as the file had them.
        return [
            Choice(c["code"], phase_names.get(int(c["code"]), c["label"])) for c in question.choices
        ]
    return [Choice(c["code"], c["label"]) for c in question.choices]


def build_questionnaire(submission: Submission) -> Questionnaire:
    """The questionnaire of ``submission`` (whose round and instrument should be selected)."""
    instrument = submission.round.instrument
    questions = list(
        InstrumentQuestion.objects.filter(instrument_id=instrument.pk)
        .order_by("position")
        .prefetch_related(
            Prefetch(
                "capabilities",
                queryset=Capability.objects.order_by("position").prefetch_related(
                    "phase_descriptors"
                ),
            )
        )
    )
    answers = {a.question_id: a for a in Answer.objects.filter(submission_id=submission.pk)}
    values = {q.code: answers[q.pk].value for q in questions if q.pk in answers}
    by_code = {q.code: q for q in questions}
    phase_names = {p.level: p.name for p in Phase.objects.filter(edition_id=instrument.edition_id)}
    choices = {q.code: _choices(q, phase_names) for q in questions}

    profiles: dict[int, CapabilityProfile] = {}
    groups: dict[str, dict[tuple[str, ...], CapabilityGroup]] = {}
    for question in questions:
        if not question.asked_of(submission.channel):
            continue
        section = question.domain or GENERAL
        capabilities = [
            profiles.get(c.pk) or profiles.setdefault(c.pk, _profile(c, phase_names))
            for c in question.capabilities.all()
        ]
        key = tuple(c.code for c in capabilities)
        group = groups.setdefault(section, {}).setdefault(key, CapabilityGroup(capabilities, []))
        group.questions.append(_entry(question, section, answers, values, by_code, choices))

    domains = {d.code: d for d in Domain.objects.filter(edition_id=instrument.edition_id)}
    sections = []
    for code in section_order(groups, {c: d.position for c, d in domains.items()}):
        domain = domains.get(code)
        name = domain.name if domain else {"en": _("General") if code == GENERAL else code}
        outcome = domain.outcome if domain else {}
        sections.append(Section(code, name, outcome, list(groups[code].values())))
    return Questionnaire(submission, sections)


def section_order(present: Iterable[str], positions: Mapping[str, int]) -> list[str]:
    """The questionnaire's sections in page order: general questions first, then the domains
    in framework order, then any other section by code."""
    return sorted(
        present,
        key=lambda code: (code != GENERAL, code not in positions, positions.get(code, 0), code),
    )


def progress_json(submission: Submission) -> dict[str, Any]:
    """``build_questionnaire(submission).progress_json()`` without building the questionnaire:
    what the save endpoint answers after every save, from two narrow queries (the whole
    questionnaire, with its capabilities and phase descriptors, costs many times more)."""
    instrument = submission.round.instrument
    questions = list(
        InstrumentQuestion.objects.filter(instrument_id=instrument.pk)
        .order_by("position")
        .only("code", "domain", "required", "relevant", "channels")
    )
    values = dict(
        Answer.objects.filter(submission_id=submission.pk).values_list("question__code", "value")
    )
    counted: dict[str, list[bool]] = {}
    for question in questions:
        if not question.asked_of(submission.channel):
            continue
        section = counted.setdefault(question.domain or GENERAL, [])
        if question.required and question.applies(values):
            section.append(bool(values.get(question.code)))
    positions = dict(
        Domain.objects.filter(edition_id=instrument.edition_id).values_list("code", "position")
    )
    sections = {
        code: Progress(sum(counted[code]), len(counted[code]))
        for code in section_order(counted, positions)
    }
    overall = Progress(
        sum(p.answered for p in sections.values()), sum(p.required for p in sections.values())
    )
    return {
        "sections": {code: p.as_json() for code, p in sections.items()},
        "overall": overall.as_json(),
    }


def _profile(capability: Capability, phase_names: Mapping[int, Label]) -> CapabilityProfile:
    return CapabilityProfile(
        capability,
        [
            Descriptor(
                d.level,
                phase_names.get(d.level, {"en": _("Phase %(level)s") % {"level": d.level}}),
                d.text,
            )
            for d in capability.phase_descriptors.all()
        ],
    )


def _entry(
    question: InstrumentQuestion,
    section: str,
    answers: Mapping[int, Answer],
    values: Mapping[str, str],
    by_code: Mapping[str, InstrumentQuestion],
    choices: Mapping[str, list[Choice]],
) -> QuestionEntry:
    entry = QuestionEntry(
        question=question,
        section=section,
        choices=choices[question.code],
        applicable=question.applies(values),
    )
    if question.relevant:
        wanted = set(question.relevant["values"])
        depends_on = by_code.get(question.relevant["question"])
        known = choices.get(depends_on.code, []) if depends_on else []
        entry.condition_choices = [c for c in known if c.code in wanted] or [
            Choice(code, {"en": code}) for code in question.relevant["values"]
        ]
    if answer := answers.get(question.pk):
        entry.value = answer.value
        entry.comment = answer.comment
        entry.evidence_url = answer.evidence_url
        entry.publishable = answer.publishable
        entry.confidence = answer.confidence
        entry.version = answer.version
    entry.loaded = entry.digest()
    return entry


# --- History ---------------------------------------------------------------------------------

FIELD_NAMES: Mapping[str, Any] = {
    "value": gettext_lazy("Answer"),
    "comment": gettext_lazy("Comment"),
    "evidence_url": gettext_lazy("Evidence"),
    "publishable": gettext_lazy("May be quoted"),
    "confidence": gettext_lazy("Confidence"),
    "evidence_file": gettext_lazy("Evidence file"),
}


@dataclass(frozen=True)
class HistoryRow:
    change: AnswerChange
    question: str
    field: str
    old: str
    new: str


def _shown(change: AnswerChange, stored: str, lang: str) -> str:
    if change.field == "publishable":
        return _("yes") if stored == "true" else _("no")
    if change.field == "confidence":
        return confidence_label(stored, stored)
    if change.field == "value" and stored:
        for choice in change.answer.question.choices:
            if choice["code"] == stored:
                return text(choice["label"], lang)  # the words the page offered
    return stored


def answer_history(submission: Submission, limit: int | None = None) -> list[HistoryRow]:
    """Changes to the answers of ``submission``, newest first."""
    changes = (
        AnswerChange.objects.filter(answer__submission_id=submission.pk)
        .select_related("answer__question", "changed_by")
        .order_by("-changed_at", "-id")
    )
    lang = ui_language()
    return [
        HistoryRow(
            change=change,
            question=change.answer.question.code,
            field=str(FIELD_NAMES.get(change.field, change.field)),
            old=_shown(change, change.old, lang),
            new=_shown(change, change.new, lang),
        )
        for change in (changes[:limit] if limit else changes)
    ]
