"""Importing answer files into a round: the whole file or nothing.

The file is read and checked in full first (``mnr.core.interchange``); one problem anywhere
refuses it with every problem listed. A file that passes is written in one transaction through
the same actions as the web form (``add_participants``, ``open_submission``, ``save_answers``),
so every changed field gets a history row with source ``import``. ``docs/interchange.md``
describes the files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from mnr.core.interchange import (
    AnswerRow,
    ImportTarget,
    Problem,
    QuestionInfo,
    Reading,
    check_rows,
    read_answers,
)
from mnr.errors import MnrError
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.actions import AnswerInput, add_participants, open_submission, save_answers
from mnr.surveys.models import Answer, Round

SOURCE = "import"
_url = URLValidator(schemes=["http", "https"])

# The file's name for each answer field, and the field's value before any answer was saved.
_FIELDS = (
    ("answer", "value", ""),
    ("comment", "comment", ""),
    ("evidence_url", "evidence_url", ""),
    ("publishable", "publishable", False),
)


class ImportRefused(MnrError):
    """The file has problems; ``problems`` lists each as ``file: row N, column C: message``."""

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__("\n".join([*problems, f"{file}: {count}; nothing was imported"]))


@dataclass(frozen=True)
class FieldChange:
    """One field of one answer that the import changes (or, in a dry run, would change)."""

    row: int
    jurisdiction: str
    channel: str
    question: str
    field: str
    old: str
    new: str

    def describe(self) -> str:
        return (
            f"row {self.row}: {self.jurisdiction} {self.channel} {self.question} "
            f"{self.field}: {self.old!r} → {self.new!r}"
        )


@dataclass(frozen=True)
class ImportResult:
    file: str
    format: str
    rows: int
    changes: tuple[FieldChange, ...]
    participants_added: tuple[str, ...]
    dry_run: bool

    @property
    def changed(self) -> int:
        return len(self.changes)

    def summary(self) -> str:
        verb = "would make" if self.dry_run else "made"
        added = self.participants_added
        participants = (
            f"; {len(added)} participant{'s' if len(added) != 1 else ''} "
            f"{'would be ' if self.dry_run else ''}added ({', '.join(added)})"
            if added
            else ""
        )
        return (
            f"{self.file}: {self.rows} answer rows read ({self.format}); "
            f"{verb} {self.changed} changes{participants}"
            + ("; dry run: nothing was written" if self.dry_run else "")
        )


def import_target(round_: Round) -> ImportTarget:
    """The round as ``mnr.core.interchange`` needs to know it."""
    instrument = round_.instrument
    return ImportTarget(
        round=round_.code,
        instrument=instrument.code,
        instrument_version=instrument.version,
        channels=tuple(round_.channels),
        questions=tuple(
            QuestionInfo(
                id=question.code,
                # Text questions take any text, as save_answers' check_value has it.
                choices=() if question.type == "text" else tuple(question.choice_codes),
                channels=tuple(question.channels),
            )
            for question in instrument.questions.order_by("position")
        ),
        jurisdictions=frozenset(Jurisdiction.objects.values_list("code", flat=True)),
    )


@transaction.atomic
def import_answers(
    round_: Round,
    path_or_rows: str | Path | Iterable[AnswerRow],
    *,
    fmt: str | None = None,
    dry_run: bool = False,
    acting_user: Any = None,
) -> ImportResult:
    """Import a file (or rows already read) into ``round_``; ImportRefused lists every problem.

    Jurisdictions not yet taking part become participants. A row sets its answer, comment and
    evidence URL as given (blank clears them); fields a file does not carry (a Kobo export has
    no comments) are left as they are. ``dry_run`` reports the changes and writes nothing."""
    target = import_target(round_)
    if isinstance(path_or_rows, str | Path):
        reading = read_answers(path_or_rows, target, fmt)
    else:
        rows = tuple(path_or_rows)
        reading = Reading("(rows)", fmt or "rows", rows, tuple(check_rows(rows, target)))
    problems = [*reading.problems, *_url_problems(reading.rows)]
    if problems:
        problems.sort(key=lambda problem: problem.row or 0)
        raise ImportRefused(reading.file, [problem.describe(reading.file) for problem in problems])

    participating = set(round_.participations.values_list("jurisdiction__code", flat=True))
    newcomers = tuple(
        code
        for code in dict.fromkeys(row.jurisdiction for row in reading.rows)
        if code not in participating
    )
    changes = _changes(round_, reading.rows)
    if not dry_run:
        if newcomers:
            add_participants(round_, newcomers, acting_user=acting_user, source=SOURCE)
        _write(round_, reading, changes, acting_user)
    return ImportResult(
        file=reading.file,
        format=reading.format,
        rows=len(reading.rows),
        changes=tuple(changes),
        participants_added=newcomers,
        dry_run=dry_run,
    )


def _url_problems(rows: Iterable[AnswerRow]) -> list[Problem]:
    """Addresses the simple check let through but the database's URL field would refuse."""
    problems = []
    for row in rows:
        if not row.evidence_url:
            continue
        try:
            _url(row.evidence_url)
        except ValidationError:
            problems.append(
                Problem(
                    f"{row.evidence_url!r} is not a valid http(s) address",
                    row.row,
                    row.column("evidence_url"),
                )
            )
    return problems


def _given(row: AnswerRow) -> dict[str, Any]:
    """The answer fields the row sets, by model field name (None: the file does not say)."""
    given = {
        "value": row.answer,
        "comment": row.comment,
        "evidence_url": row.evidence_url,
        "publishable": row.publishable,
    }
    return {name: value for name, value in given.items() if value is not None}


def _changes(round_: Round, rows: Sequence[AnswerRow]) -> list[FieldChange]:
    """What saving the rows would change, field by field, as ``save_answers`` decides it."""
    existing = {
        (answer.submission.jurisdiction.code, answer.submission.channel, answer.question.code): (
            answer
        )
        for answer in Answer.objects.filter(submission__round=round_).select_related(
            "submission__jurisdiction", "question"
        )
    }
    changes = []
    for row in rows:
        answer = existing.get((row.jurisdiction, row.channel, row.question))
        given = _given(row)
        for file_name, model_name, blank in _FIELDS:
            if model_name not in given:
                continue
            old = getattr(answer, model_name) if answer is not None else blank
            if given[model_name] != old:
                changes.append(
                    FieldChange(
                        row=row.row,
                        jurisdiction=row.jurisdiction,
                        channel=row.channel,
                        question=row.question,
                        field=file_name,
                        old=_text(old),
                        new=_text(given[model_name]),
                    )
                )
    return changes


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write(
    round_: Round, reading: Reading, changes: Sequence[FieldChange], acting_user: Any
) -> None:
    """Save the rows that change something, one submission at a time."""
    changing = {change.row for change in changes}
    by_submission: dict[tuple[str, str], dict[str, AnswerInput]] = {}
    for row in reading.rows:
        if row.row in changing:
            answers = by_submission.setdefault((row.jurisdiction, row.channel), {})
            answers[row.question] = AnswerInput(**_given(row))
    places = {
        place.code: place
        for place in Jurisdiction.objects.filter(code__in={code for code, _ in by_submission})
    }
    for (code, channel), answers in by_submission.items():
        submission = open_submission(
            round_, places[code], channel, acting_user=acting_user, source=SOURCE
        )
        try:
            save_answers(submission, answers, acting_user=acting_user, source=SOURCE)
        except MnrError as error:
            raise MnrError(f"{reading.file}: {code} {channel}: {error}") from error
