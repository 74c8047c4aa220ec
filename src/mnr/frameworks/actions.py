"""Loading framework editions and instruments into the database, and editing phase names."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.db import transaction

from mnr.accounts.permissions import is_administrator, require
from mnr.audit.record import record_event
from mnr.core import framework as core
from mnr.errors import MnrError
from mnr.frameworks.models import (
    Capability,
    Channel,
    Domain,
    Edition,
    Instrument,
    InstrumentQuestion,
    Phase,
    PhaseDescriptor,
    Question,
)


def _checksum(document: Mapping[str, Any]) -> str:
    """What identifies a loaded version: the file's content with its labels in English only.

    Translations are not part of a version's identity: a file that only adds or corrects
    translations of a loaded version refreshes that version's labels (``load_file``). For a file
    without translations this is the digest of the whole file, as it always was."""
    identity = core.english_only(document)
    return hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()


def loaded_editions() -> dict[str, core.Edition]:
    """The newest version of each loaded edition, rebuilt from the documents stored at load."""
    editions: dict[str, core.Edition] = {}
    for row in Edition.objects.order_by("code", "-version"):
        if row.code not in editions:
            editions[row.code] = core.edition_from_document(
                row.document, source=f"{row.code} (database)"
            )
    return editions


def known_channels() -> set[str]:
    return set(Channel.objects.values_list("code", flat=True))


def validate_file(path: Path) -> core.Edition | core.Instrument:
    """Validate a framework file against the schema and against what is loaded already."""
    editions = {**core.load_shipped()[0], **loaded_editions()}
    return core.validate_file(path, editions, known_channels() | set(core.load_channels()))


@transaction.atomic
def load_channels(*, acting_user: Any = None, source: str = "cli") -> int:
    """Add the shipped channels that are not loaded yet; returns how many were added."""
    require(acting_user, is_administrator(acting_user), "Only administrators load channels.")
    created = 0
    for code, label in core.load_channels().items():
        channel, made = Channel.objects.get_or_create(code=code, defaults={"label": dict(label)})
        if made:
            created += 1
            record_event("channel.load", channel, actor=acting_user, source=source)
        elif {**channel.label, **label} != channel.label:
            old = dict(channel.label)
            channel.label = {**channel.label, **label}
            channel.save(update_fields=["label"])
            record_event(
                "channel.translations",
                channel,
                actor=acting_user,
                source=source,
                old=old,
                new=channel.label,
            )
    return created


@transaction.atomic
def load_file(path: Path, *, acting_user: Any = None, source: str = "cli") -> Edition | Instrument:
    """Validate and load one edition or instrument file; nothing is written if it is refused.

    Loading the same id and version again is a no-op when the content is identical and refused
    when it differs: a loaded version may already carry answers, so changes need a new version.
    Translations are the exception: a file that differs from the loaded version only in its
    labels' other languages than English refreshes the labels of that version in place."""
    require(acting_user, is_administrator(acting_user), "Only administrators load frameworks.")
    load_channels(acting_user=acting_user, source=source)
    parsed = validate_file(path)
    document = core.read_document(path)
    checksum = _checksum(document)
    model = Edition if isinstance(parsed, core.Edition) else Instrument
    existing = model.objects.filter(code=parsed.id, version=parsed.version).first()
    if existing is not None:
        if existing.checksum == checksum:
            if existing.document != document:
                _refresh_translations(existing, parsed, document, acting_user, source, path)
            return existing
        raise MnrError(
            f"{path}: {parsed.id} version {parsed.version} is loaded already with other content; "
            "raise 'version' in the file to load the changed content"
        )
    if isinstance(parsed, core.Edition):
        row: Edition | Instrument = _create_edition(parsed, document, checksum)
    else:
        row = _create_instrument(parsed, document, checksum)
    record_event(
        f"{model._meta.model_name}.load", row, actor=acting_user, source=source, file=str(path)
    )
    return row


def _create_edition(edition: core.Edition, document: dict[str, Any], checksum: str) -> Edition:
    row = Edition.objects.create(
        code=edition.id,
        version=edition.version,
        title=dict(edition.title),
        provenance=dict(edition.provenance),
        document=document,
        checksum=checksum,
    )
    Phase.objects.bulk_create(
        Phase(edition=row, level=p.level, name=dict(p.name), provisional=p.provisional)
        for p in edition.phases
    )
    capability_position = itertools.count(1)
    position = 0
    questions: list[Question] = []
    descriptors: list[PhaseDescriptor] = []
    for domain_position, domain in enumerate(edition.domains, start=1):
        domain_row = Domain.objects.create(
            edition=row,
            code=domain.id,
            position=domain_position,
            name=dict(domain.name),
            outcome=dict(domain.outcome),
        )
        for capability in domain.capabilities:
            capability_row = Capability.objects.create(
                edition=row,
                domain=domain_row,
                code=capability.id,
                position=next(capability_position),
                name=dict(capability.name),
                description=dict(capability.description),
            )
            descriptors += [
                PhaseDescriptor(capability=capability_row, level=level, text=dict(text))
                for level, text in capability.phase_descriptors.items()
            ]
            for question in capability.questions:
                position += 1
                questions.append(
                    _question_row(
                        Question(edition=row, capability=capability_row), question, position
                    )
                )
    for question in edition.general_questions:
        position += 1
        questions.append(_question_row(Question(edition=row), question, position))
    PhaseDescriptor.objects.bulk_create(descriptors)
    Question.objects.bulk_create(questions)
    return row


def _question_row(row: Any, question: core.Question, position: int) -> Any:
    row.code = question.id
    row.position = position
    row.type = question.type
    row.label = dict(question.label)
    row.choices = [{"code": c.code, "label": dict(c.label)} for c in question.choices]
    row.required = question.required
    row.finding = dict(question.finding or {})
    row.relevant = (
        {"question": question.relevant.question, "values": list(question.relevant.values)}
        if question.relevant
        else None
    )
    return row


def _create_instrument(
    instrument: core.Instrument, document: dict[str, Any], checksum: str
) -> Instrument:
    edition = Edition.objects.filter(code=instrument.edition).order_by("-version").first()
    if edition is None:
        raise MnrError(
            f"instrument {instrument.id} needs edition {instrument.edition}; load it first"
        )
    row = Instrument.objects.create(
        code=instrument.id,
        version=instrument.version,
        edition=edition,
        title=dict(instrument.title),
        channels=list(instrument.channels),
        document=document,
        checksum=checksum,
    )
    edition_questions = {q.code: q for q in edition.questions.all()}
    capabilities = {c.code: c for c in edition.capabilities.all()}
    crosswalk = []
    for position, question in enumerate(instrument.questions(), start=1):
        question_row = _question_row(
            InstrumentQuestion(
                instrument=row,
                domain=question.domain or "",
                channels=list(question.channels),
                source_question=edition_questions.get(question.id),
            ),
            question,
            position,
        )
        question_row.save()
        crosswalk += [
            InstrumentQuestion.capabilities.through(
                instrumentquestion_id=question_row.pk, capability_id=capabilities[code].pk
            )
            for code in question.capabilities
        ]
    InstrumentQuestion.capabilities.through.objects.bulk_create(crosswalk)
    return row


def _merged_label(
    stored: Mapping[str, str], was: Mapping[str, str], now: Mapping[str, str]
) -> dict[str, str]:
    """The file's new label, keeping each text that was changed in the database since the load
    (an administrator's phase name): ``stored`` as in the database, ``was`` the file loaded."""
    edited = {lang: value for lang, value in stored.items() if value != was.get(lang)}
    return {**now, **edited}


def _label_languages(document: Mapping[str, Any]) -> list[str]:
    return sorted({lang for _, label in core.labels_in(document) for lang in label})


def _drops_a_translation(loaded: Mapping[str, Any], document: Mapping[str, Any]) -> bool:
    """Whether a label of ``document`` lacks a language the same label has in ``loaded`` (the
    two say the same in English, so their labels come in the same order)."""
    pairs = zip(core.labels_in(loaded), core.labels_in(document), strict=True)
    return any(set(old) - set(new) for (_, old), (_, new) in pairs)


def _refresh_translations(
    row: Edition | Instrument,
    parsed: core.Edition | core.Instrument,
    document: dict[str, Any],
    acting_user: Any,
    source: str,
    path: Path,
) -> None:
    """Give a loaded version the labels of a file that adds or corrects translations of it.

    A file that lacks a translation the loaded version has (an older copy) changes nothing: a
    loaded version keeps its translations."""
    if _drops_a_translation(row.document, document):
        return
    before = _label_languages(row.document)
    if isinstance(row, Edition):
        assert isinstance(parsed, core.Edition)
        _refresh_edition_labels(row, parsed)
        row.provenance = dict(parsed.provenance)
        instruments = list(row.instruments.all())
    else:
        instruments = [row]
    row.document = document
    row.title = dict(parsed.title)
    row.save()
    for instrument_row in instruments:
        _refresh_instrument_labels(instrument_row)
    record_event(
        f"{row._meta.model_name}.translations",
        row,
        actor=acting_user,
        source=source,
        file=str(path),
        languages_before=before,
        languages=_label_languages(document),
    )


def _refresh_edition_labels(row: Edition, edition: core.Edition) -> None:
    was = core.edition_from_document(row.document, source=f"{row} (database)")
    domains = {domain.id: domain for domain in edition.domains}
    for domain_row in row.domains.all():
        domain = domains[domain_row.code]
        domain_row.name, domain_row.outcome = dict(domain.name), dict(domain.outcome)
        domain_row.save(update_fields=["name", "outcome"])
    for capability_row in row.capabilities.all():
        capability = edition.capability(capability_row.code)
        capability_row.name = dict(capability.name)
        capability_row.description = dict(capability.description)
        capability_row.save(update_fields=["name", "description"])
        for descriptor in capability_row.phase_descriptors.all():
            descriptor.text = dict(capability.phase_descriptors[descriptor.level])
            descriptor.save(update_fields=["text"])
    old_phases = {phase.level: phase for phase in was.phases}
    new_phases = {phase.level: phase for phase in edition.phases}
    for phase_row in row.phases.all():
        phase_row.name = _merged_label(
            phase_row.name, old_phases[phase_row.level].name, new_phases[phase_row.level].name
        )
        phase_row.save(update_fields=["name"])
    for question_row in row.questions.all():
        _relabel_question(question_row, edition.question(question_row.code))


def _relabel_question(row: Question | InstrumentQuestion, question: core.Question) -> None:
    row.label = dict(question.label)
    row.choices = [{"code": c.code, "label": dict(c.label)} for c in question.choices]
    row.finding = dict(question.finding or {})
    row.save(update_fields=["label", "choices", "finding"])


def _refresh_instrument_labels(row: Instrument) -> None:
    """An instrument's questions take their labels from its file and from its edition's."""
    edition_row = row.edition
    edition = core.edition_from_document(edition_row.document, source=f"{edition_row} (database)")
    instrument = core.instrument_from_document(
        row.document,
        {edition.id: edition},
        known_channels() | set(core.load_channels()),
        source=f"{row} (database)",
    )
    for question_row in row.questions.all():
        _relabel_question(question_row, instrument.question(question_row.code))


@transaction.atomic
def load_shipped(*, acting_user: Any = None, source: str = "cli") -> list[Edition | Instrument]:
    """Load every edition and instrument shipped with mnr (idempotent)."""
    paths = [*core.shipped_edition_paths(), *core.shipped_instrument_paths()]
    return [load_file(path, acting_user=acting_user, source=source) for path in paths]


@transaction.atomic
def rename_phase(
    phase: Phase,
    name: str,
    *,
    lang: str = "en",
    provisional: bool | None = None,
    acting_user: Any = None,
    source: str = "web",
) -> Phase:
    """Administrators may replace the provisional names of maturity phases."""
    require(
        acting_user, is_administrator(acting_user), "Only administrators rename maturity phases."
    )
    if not name.strip():
        raise MnrError("a phase name cannot be empty")
    old = dict(phase.name)
    phase.name = {**phase.name, lang: name.strip()}
    if provisional is not None:
        phase.provisional = provisional
    phase.save()
    record_event(
        "phase.rename",
        phase,
        actor=acting_user,
        source=source,
        old=old,
        new=phase.name,
        provisional=phase.provisional,
    )
    return phase
