"""Importing answer files into a round: the whole file or nothing.

The file is read and checked in full first (``mnr.core.interchange``); one problem anywhere
refuses it with every problem listed. A file that passes is written in one transaction through
the same actions as the web form (``add_participants``, ``open_submission``, ``save_answers``,
``submit``), so every changed field gets a history row with source ``import``.
``docs/interchange.md`` describes the files.

Imports follow the round's lifecycle and the review locks:

- a closed or published round takes no import (nor new participants);
- rows that change nothing are fine anywhere, so importing the same file again changes nothing;
- a row that would change a validated submission refuses the file, naming the row, until an
  analyst reopens that submission;
- changes to a submitted submission are saved and flag it for its reviewer
  (``Submission.changed_since_submitted_at``);
- a draft or returned submission the import changes is then submitted: its respondents sent
  the form. The operator submits it even with required questions unanswered (listed in its
  history); a user importing submits under the web form's rules, so the file must answer
  every required question.

An import is a deliberate overwrite, but not a blind one: it locks the round, the submissions
and the answers it reads, compares and writes under those locks, and passes the versions it
read to ``save_answers``. A web save that read an answer before the import changed it is
refused as stale afterwards, and nothing saved in between is overwritten unseen.
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
from mnr.core.respondents import LEAD
from mnr.errors import MnrError
from mnr.jurisdictions import codes as jurisdiction_codes
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.actions import (
    AnswerInput,
    add_participants,
    locked_round,
    open_submission,
    require_accepts_answers,
    save_answers,
    submit,
)
from mnr.surveys.conflicts import StaleAnswer
from mnr.surveys.models import Answer, Round, Submission

SOURCE = "import"
_url = URLValidator(schemes=["http", "https"])

# The file's name for each answer field, and the field's value before any answer was saved.
_FIELDS = (
    ("answer", "value", ""),
    ("comment", "comment", ""),
    ("evidence_url", "evidence_url", ""),
    ("publishable", "publishable", False),
    ("confidence", "confidence", ""),
)
# Where a row's answer goes: jurisdiction, channel and respondent (blank: the lead).
Place = tuple[str, str, str]


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
    respondent: str = LEAD

    def describe(self) -> str:
        return (
            f"row {self.row}: {_place(self.place)} {self.question} "
            f"{self.field}: {self.old!r} → {self.new!r}"
        )

    @property
    def place(self) -> Place:
        return (self.jurisdiction, self.channel, self.respondent)


@dataclass(frozen=True)
class ImportResult:
    file: str
    format: str
    rows: int
    changes: tuple[FieldChange, ...]
    participants_added: tuple[str, ...]
    dry_run: bool
    # "KE government" ("KE government police" for a respondent other than the lead): draft or
    # returned submissions the import changed and submitted.
    submitted: tuple[str, ...] = ()
    # Submitted submissions the import changed, flagged for their reviewers.
    flagged: tuple[str, ...] = ()

    @property
    def changed(self) -> int:
        return len(self.changes)

    def summary(self) -> str:
        verb = "would make" if self.dry_run else "made"
        would = "would be " if self.dry_run else ""
        added = self.participants_added
        participants = (
            f"; {_count(added, 'participant')} {would}added ({', '.join(added)})" if added else ""
        )
        submitted = (
            f"; {_count(self.submitted, 'submission')} {would}submitted "
            f"({', '.join(self.submitted)})"
            if self.submitted
            else ""
        )
        flagged = (
            f"; {_count(self.flagged, 'submitted submission')} {would}changed and flagged for "
            f"review ({', '.join(self.flagged)})"
            if self.flagged
            else ""
        )
        return (
            f"{self.file}: {self.rows} answer rows read ({self.format}); "
            f"{verb} {self.changed} changes{participants}{submitted}{flagged}"
            + ("; dry run: nothing was written" if self.dry_run else "")
        )


def _count(items: Sequence[str], noun: str) -> str:
    return f"{len(items)} {noun}{'s' if len(items) != 1 else ''}"


def _place(place: Place) -> str:
    """``KE government``, or ``KE government police`` for a respondent other than the lead."""
    return " ".join(part for part in place if part)


def _place_of(row: AnswerRow) -> Place:
    return (row.jurisdiction, row.channel, row.respondent)


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
                phase=question.type == "phase",
            )
            for question in instrument.questions.order_by("position")
        ),
        jurisdictions=frozenset(Jurisdiction.objects.values_list("code", flat=True)),
        jurisdiction_aliases=jurisdiction_codes.aliases(),
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

    Jurisdictions not yet taking part become participants, and respondents get their
    submission as the lead does. A row sets its answer, comment and evidence URL (and
    confidence, where the file has the column) as given (blank clears them); fields a file does
    not carry (a Kobo export has no comments) are left as they are. ``dry_run`` reports the
    changes and writes nothing.

    Who may import is who may save the answers: the operator, and a user for the
    jurisdictions they answer for (adding participants needs an analyst). The module's
    docstring gives the lifecycle rules."""
    round_ = locked_round(round_)
    require_accepts_answers(round_, "imports are")
    target = import_target(round_)
    if isinstance(path_or_rows, str | Path):
        reading = read_answers(path_or_rows, target, fmt)
    else:
        rows = tuple(path_or_rows)
        reading = Reading("(rows)", fmt or "rows", rows, tuple(check_rows(rows, target)))
    problems = [*reading.problems, *url_problems(reading.rows)]
    if problems:
        problems.sort(key=lambda problem: problem.row or 0)
        raise ImportRefused(reading.file, [problem.describe(reading.file) for problem in problems])

    participating = set(round_.participations.values_list("jurisdiction__code", flat=True))
    newcomers = tuple(
        code
        for code in dict.fromkeys(row.jurisdiction for row in reading.rows)
        if code not in participating
    )
    stored = _lock(round_, reading.rows)
    changes = _changes(stored, reading.rows)
    changed_places = dict.fromkeys(change.place for change in changes)
    locked = _review_locks(stored, reading.rows, {change.row for change in changes})
    if locked:
        raise ImportRefused(reading.file, [problem.describe(reading.file) for problem in locked])
    statuses = {place: stored.status(place) for place in changed_places}
    if not dry_run:
        if newcomers:
            add_participants(round_, newcomers, acting_user=acting_user, source=SOURCE)
        _write(round_, reading, changes, stored, acting_user)
    return ImportResult(
        file=reading.file,
        format=reading.format,
        rows=len(reading.rows),
        changes=tuple(changes),
        participants_added=newcomers,
        dry_run=dry_run,
        submitted=tuple(
            _place(place)
            for place, status in statuses.items()
            if status != Submission.Status.SUBMITTED
        ),
        flagged=tuple(
            _place(place)
            for place, status in statuses.items()
            if status == Submission.Status.SUBMITTED
        ),
    )


def url_problems(rows: Iterable[AnswerRow]) -> list[Problem]:
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
        "confidence": row.confidence,
    }
    return {name: value for name, value in given.items() if value is not None}


@dataclass(frozen=True)
class _Stored:
    """The round's submissions and answers the file names, read under row locks."""

    submissions: dict[Place, Submission]
    answers: dict[tuple[Place, str], Answer]

    def status(self, place: Place) -> str:
        submission = self.submissions.get(place)
        return submission.status if submission is not None else Submission.Status.DRAFT

    def answer(self, row: AnswerRow) -> Answer | None:
        return self.answers.get((_place_of(row), row.question))

    def version(self, row: AnswerRow) -> int:
        answer = self.answer(row)
        return answer.version if answer is not None else 0


def _lock(round_: Round, rows: Sequence[AnswerRow]) -> _Stored:
    """Lock the submissions the rows name, then their answers (always in that order and by
    key, as ``save_answers`` does, so that concurrent writers cannot deadlock)."""
    places = {row.jurisdiction for row in rows}
    submissions = list(
        Submission.objects.select_for_update(of=("self",))
        .filter(round=round_, jurisdiction__code__in=places)
        .select_related("jurisdiction")
        .order_by("pk")
    )
    answers = (
        Answer.objects.select_for_update(of=("self",))
        .filter(submission__in=[submission.pk for submission in submissions])
        .select_related("submission__jurisdiction", "question")
        .order_by("pk")
    )
    return _Stored(
        submissions={(s.jurisdiction.code, s.channel, s.respondent): s for s in submissions},
        answers={
            (
                (a.submission.jurisdiction.code, a.submission.channel, a.submission.respondent),
                a.question.code,
            ): a
            for a in answers
        },
    )


def _changes(stored: _Stored, rows: Sequence[AnswerRow]) -> list[FieldChange]:
    """What saving the rows would change, field by field, as ``save_answers`` decides it."""
    changes = []
    for row in rows:
        answer = stored.answer(row)
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
                        respondent=row.respondent,
                    )
                )
    return changes


def _review_locks(stored: _Stored, rows: Sequence[AnswerRow], changing: set[int]) -> list[Problem]:
    """The rows that would change a validated submission."""
    return [
        Problem(
            f"{_place(_place_of(row))} {row.question}: the submission is validated; "
            "an analyst must reopen it before an import may change it (mnr review reopen "
            f"--round {row.round} --jurisdiction {row.jurisdiction} --channel {row.channel} "
            + (f"--respondent {row.respondent} " if row.respondent else "")
            + "--comment …)",
            row.row,
        )
        for row in rows
        if row.row in changing and stored.status(_place_of(row)) == Submission.Status.VALIDATED
    ]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write(
    round_: Round,
    reading: Reading,
    changes: Sequence[FieldChange],
    stored: _Stored,
    acting_user: Any,
) -> None:
    """Save the rows that change something, one submission at a time, each against the
    versions read under lock; then submit the draft and returned ones."""
    changing = {change.row for change in changes}
    by_submission: dict[Place, dict[str, AnswerInput]] = {}
    rows: dict[tuple[Place, str], int] = {}
    for row in reading.rows:
        if row.row in changing:
            answers = by_submission.setdefault(_place_of(row), {})
            answers[row.question] = AnswerInput(**_given(row), expected_version=stored.version(row))
            rows[_place_of(row), row.question] = row.row
    jurisdictions = {
        jurisdiction.code: jurisdiction
        for jurisdiction in Jurisdiction.objects.filter(
            code__in={code for code, _, _ in by_submission}
        )
    }
    for place, answers in by_submission.items():
        code, channel, respondent = place
        where = f"{reading.file}: {_place(place)}"
        submission = open_submission(
            round_,
            jurisdictions[code],
            channel,
            respondent=respondent,
            acting_user=acting_user,
            source=SOURCE,
        )
        try:
            save_answers(
                submission, answers, acting_user=acting_user, source=SOURCE, amend_submitted=True
            )
            if submission.status != Submission.Status.SUBMITTED:
                _submit(submission, acting_user)
        except StaleAnswer as stale:
            # Not expected while the rows stay locked; a database without row locks could
            # still get here, and then the file must not win unseen.
            lines = [f"row {rows[place, question]}" for question in stale.current]
            raise MnrError(
                f"{where}: {', '.join(lines)}: the answer changed while the file was being "
                "imported; nothing was imported; import the file again"
            ) from stale
        except MnrError as error:
            raise MnrError(f"{where}: {error}") from error


def _submit(submission: Submission, acting_user: Any) -> None:
    """Submit what the import changed, as its respondents did by sending the form."""
    try:
        submit(
            submission, acting_user=acting_user, source=SOURCE, allow_missing=acting_user is None
        )
    except MnrError as error:
        raise MnrError(
            f"{error}; an imported submission arrives as submitted, so the file must answer "
            "every required question"
        ) from error
