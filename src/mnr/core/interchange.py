"""The answer interchange format, and reading KoboToolbox/ODK submission exports into it.

One row per answer: ``round,jurisdiction,channel,question,answer,comment,evidence_url``, then
any of the optional ``publishable``, ``respondent`` and ``confidence`` (read by their names, in
any order), as CSV, XLSX or JSON (``docs/interchange.md``). Reading a
file gives typed rows and *every* problem found, each with its row and column, so that a caller
can refuse the whole file at once; nothing here writes anything.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first answer row 2. In
JSON, row N is the N-th object of the list.

Pure Python: no Django, no database. The caller describes the round (``ImportTarget``).
"""

from __future__ import annotations

import csv
import datetime
import functools
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import urlsplit

from mnr.core import codes
from mnr.core.limits import MAX_URL_LENGTH, text_problem
from mnr.core.respondents import LEAD, confidence_problem, respondent_problem
from mnr.core.spreadsheet import (
    archive_problem,
    escape_xlsx,
    neutralise,
    restore,
    unescape_xlsx,
)
from mnr.core.tables import csv_bytes

HEADER = ("round", "jurisdiction", "channel", "question", "answer", "comment", "evidence_url")
PUBLISHABLE = "publishable"
RESPONDENT = "respondent"
CONFIDENCE = "confidence"
OPTIONAL = (PUBLISHABLE, RESPONDENT, CONFIDENCE)
"""Columns a file may add after the seven of ``HEADER``, by name and in any order."""
EXPORT_HEADER = (*HEADER, *OPTIONAL)
"""What exports write."""
FORMATS = ("csv", "xlsx", "json", "kobo", "odk")
SUBMISSION_FORMATS = ("kobo", "odk")
EXTENSIONS: Mapping[str, str] = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}

MAX_BYTES = 20 * 1024 * 1024
"""Files larger than this (20 MiB) are refused before they are read."""
MAX_ROWS = 200_000
"""Files with more answer rows (or submissions) than this are refused."""
_SHOWN = 60
"""Characters of a refused value that a problem quotes."""

# Columns that KoboToolbox and ODK Central add to a submission export, besides the form's own
# fields. Matched on the last part of the column name (``meta/instanceID`` → ``instanceID``).
# Kobo's ``__version__`` names its own deployment, not the form's version setting; the form
# therefore carries its version in a field of its own (``mnr_version``). ODK Central's
# ``FormVersion`` is the version setting, which ODK keeps as given.
VERSION_COLUMNS = ("FormVersion", "__version__", "_version_", "version")

_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


# --- What the caller gives and gets ------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInfo:
    """What reading needs to know of an instrument question."""

    id: str
    # Valid answer codes; () when any text (or number) is an answer.
    choices: tuple[str, ...] = ()
    # The channels it is asked through; () means every channel.
    channels: tuple[str, ...] = ()
    # A phase question, the only kind that takes a confidence level.
    phase: bool = False

    def asked_of(self, channel: str) -> bool:
        return not self.channels or channel in self.channels


@dataclass(frozen=True)
class ImportTarget:
    """The round a file is read for."""

    round: str
    instrument: str
    instrument_version: int
    channels: tuple[str, ...]
    questions: tuple[QuestionInfo, ...]
    # Every known jurisdiction code (not only the participants: importing adds participants).
    jurisdictions: frozenset[str]
    # Their other spellings (alpha-3, numeric) → the code, as mnr.core.codes.aliases gives them.
    jurisdiction_aliases: Mapping[str, str] = field(default_factory=dict)

    def question(self, question_id: str) -> QuestionInfo | None:
        return self._questions.get(question_id)

    def jurisdiction_code(self, given: str) -> str | None:
        """The stored code a file's ``KE``, ``KEN`` or ``404`` names, or None."""
        return codes.resolve(given, self.jurisdictions, self.jurisdiction_aliases)

    @functools.cached_property
    def _questions(self) -> Mapping[str, QuestionInfo]:
        return {question.id: question for question in self.questions}


@dataclass(frozen=True)
class AnswerRow:
    """One answer as read. ``None`` means the file does not say (the field is left unchanged)."""

    row: int
    round: str
    jurisdiction: str
    channel: str
    question: str
    answer: str
    comment: str | None = None
    evidence_url: str | None = None
    publishable: bool | None = None
    # The respondent within the jurisdiction; blank (and a file without the column): the lead.
    respondent: str = LEAD
    confidence: str | None = None
    # The file's column for a field, where it is not named like the field (Kobo/ODK exports).
    columns: Mapping[str, str] = field(default_factory=dict)

    def column(self, field_name: str) -> str:
        return self.columns.get(field_name, field_name)


@dataclass(frozen=True)
class Problem:
    message: str
    row: int | None = None
    column: str | None = None

    def describe(self, file: str) -> str:
        """``answers.csv: row 7, column question: unknown question 'C99.status'``.

        Characters that cannot be printed (NUL, lone surrogates), which a hostile file may put
        in a column name or a key, are shown escaped."""
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column is not None:
            where.append(f"column {self.column}")
        return _printable(": ".join([file, *([", ".join(where)] if where else []), self.message]))


_UNPRINTABLE = re.compile("[\x00\ud800-\udfff]")


def _printable(text: str) -> str:
    return _UNPRINTABLE.sub(lambda match: ascii(match.group())[1:-1], text)


def _shown(text: str) -> str:
    """A value as a problem quotes it: escaped, and shortened when long."""
    quoted = repr(text[:_SHOWN])
    return quoted if len(text) <= _SHOWN else f"{quoted}… ({len(text)} characters)"


@dataclass(frozen=True)
class Reading:
    """What reading a file gave: its rows, and every problem (an empty tuple when it is fine)."""

    file: str
    format: str
    rows: tuple[AnswerRow, ...]
    problems: tuple[Problem, ...]

    def messages(self) -> list[str]:
        return [problem.describe(self.file) for problem in self.problems]


@dataclass(frozen=True)
class AnswerRecord:
    """One answer to write out."""

    round: str
    jurisdiction: str
    channel: str
    question: str
    answer: str
    comment: str
    evidence_url: str
    publishable: bool
    respondent: str = LEAD
    confidence: str = ""


class _Refused(Exception):
    """The file cannot be read at all; its one problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


# --- Reading ----------------------------------------------------------------------------------


def read_answers(path: str | Path, target: ImportTarget, fmt: str | None = None) -> Reading:
    """Read and check an answer file; ``fmt`` None means: tell from the name and the content."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return _refusal(path.name, fmt, _too_large(size))
        content = path.read_bytes()
    except OSError as error:
        return _refusal(path.name, fmt, Problem(f"cannot be read: {error.strerror or error}"))
    return parse_answers(path.name, content, target, fmt)


def parse_answers(
    name: str, content: bytes, target: ImportTarget, fmt: str | None = None
) -> Reading:
    """Read and check the content of a file called ``name``."""
    try:
        chosen, table, records = _open(name, content, fmt)
        if chosen == "json":
            rows, problems = _json_rows(records)
        elif chosen in SUBMISSION_FORMATS:
            rows, problems = _submission_rows(table, target)
        else:
            rows, problems = _interchange_rows(table)
    except _Refused as refused:
        return _refusal(name, fmt, refused.problem)
    if not problems and not rows:
        problems.append(Problem("holds no answers: there is nothing to import"))
    rows = [_normalised(row, target) for row in rows]
    problems.extend(check_rows(rows, target))
    problems.sort(key=lambda problem: problem.row or 0)
    return Reading(name, chosen, tuple(rows), tuple(problems))


def _refusal(name: str, fmt: str | None, problem: Problem) -> Reading:
    return Reading(name, fmt or "", (), (problem,))


def _too_large(size: int) -> Problem:
    return Problem(
        f"is {size:,} bytes; files over {MAX_BYTES // 1024 // 1024} MiB ({MAX_BYTES:,} bytes) "
        "are refused: split it by jurisdiction or channel"
    )


Table = Iterator[tuple[int, list[str]]]


def _open(name: str, content: bytes, fmt: str | None) -> tuple[str, Table, Any]:
    """The format, and the rows of a table (CSV/XLSX) or the parsed JSON."""
    if fmt is not None and fmt not in FORMATS:
        raise _Refused(Problem(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}"))
    if not content.strip():
        raise _Refused(Problem("is empty: there is nothing to import"))
    if len(content) > MAX_BYTES:
        raise _Refused(_too_large(len(content)))
    kind = _content_kind(content)
    chosen = fmt or EXTENSIONS.get(PurePath(name).suffix.lower()) or _FORMAT_OF_KIND.get(kind)
    if chosen is None:
        raise _Refused(
            Problem(f"holds {_KIND_NAMES[kind]}; give the format with --format csv|xlsx|json")
        )
    _expect(chosen, kind, explicit=fmt is not None)
    if chosen == "json":
        return chosen, iter(()), _parse_json(content)
    if kind == "zip" and (problem := archive_problem(content)):
        raise _Refused(Problem(problem))
    table = _xlsx_table(content) if kind == "zip" else _csv_table(content)
    header = next(table, None)
    if header is None:
        raise _Refused(Problem("is empty: there is nothing to import"))
    if fmt is None and _looks_like_submissions(header[1]):
        chosen = "kobo"
    return chosen, _chain(header, table), None


def _chain(first: tuple[int, list[str]], rest: Table) -> Table:
    yield first
    yield from rest


_KIND_NAMES = {
    "zip": "a ZIP archive such as an XLSX workbook",
    "xls": "an old-style Excel .xls workbook",
    "binary": "binary data",
    "latin": "text that is not UTF-8",
    "json": "JSON text",
    "text": "CSV text",
}
_FORMAT_OF_KIND = {"zip": "xlsx", "json": "json", "text": "csv"}
_KINDS_OF_FORMAT = {
    "csv": ("text",),
    "xlsx": ("zip",),
    "json": ("json",),
    "kobo": ("text", "zip"),
    "odk": ("text", "zip"),
}
_WHAT_FORMAT_NEEDS = {
    "csv": "CSV text (UTF-8)",
    "xlsx": "an XLSX workbook",
    "json": "a JSON list",
    "kobo": "a CSV or XLSX export",
    "odk": "a CSV or XLSX export",
}


def _content_kind(content: bytes) -> str:
    if content.startswith(b"PK\x03\x04"):
        return "zip"
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    sample = content[:65536]
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\r\n")
    if b"\x00" in sample or controls > len(sample) // 20:
        return "binary"
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "latin"
    return "json" if text.lstrip()[:1] in ("[", "{") else "text"


def _expect(chosen: str, kind: str, *, explicit: bool) -> None:
    if kind in _KINDS_OF_FORMAT[chosen]:
        return
    if kind == "latin" and "text" in _KINDS_OF_FORMAT[chosen]:
        raise _Refused(
            Problem("is not UTF-8 text; save it as 'CSV UTF-8' (or export it again) and retry")
        )
    told = f"--format {chosen}" if explicit else "its name"
    message = f"is not {_WHAT_FORMAT_NEEDS[chosen]} as {told} says: it holds {_KIND_NAMES[kind]}"
    if kind in _FORMAT_OF_KIND:
        other = _FORMAT_OF_KIND[kind]
        message += f"; rename it to .{other} or give --format {other}"
    elif kind == "xls":
        message += "; open it in a spreadsheet program and save it as .xlsx"
    raise _Refused(Problem(message))


# --- Tables: CSV and XLSX ---------------------------------------------------------------------


def _csv_table(content: bytes) -> Table:
    text = content.decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to a European locale save CSV with semicolons, Kobo exports too.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _Refused(Problem(f"is not readable CSV here: {error}", row=number)) from error
        _check_row_limit(number)
        yield number, cells


def _xlsx_table(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    # openpyxl raises whatever the broken part of the archive leads to (KeyError, ValueError,
    # BadZipFile, XML errors…); all of them mean the same to the user.
    except Exception as error:
        raise _Refused(
            Problem(f"is not a readable XLSX workbook ({type(error).__name__}: {error})")
        ) from error
    number = 0
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            _check_row_limit(number)
            yield number, [unescape_xlsx(_cell_text(value)) for value in values]
    except _Refused:
        raise
    # The sheet is read as it is iterated: a truncated or broken sheet raises XML parse errors
    # (SyntaxError), zlib and zip errors and the like only now, after some rows.
    except Exception as error:
        raise _Refused(
            Problem(
                f"is not a readable XLSX workbook after row {number} "
                f"({type(error).__name__}: {error})"
            )
        ) from error
    finally:
        workbook.close()


def _check_row_limit(number: int) -> None:
    if number > MAX_ROWS + 1:
        raise _Refused(
            Problem(
                f"has more than {MAX_ROWS} rows; split it by jurisdiction or channel",
                row=number,
            )
        )


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text it shows: ``3.0`` → ``3``, a date as ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _trimmed(cells: Sequence[str]) -> list[str]:
    """Cells without the empty ones at the end (spreadsheets pad rows)."""
    cells = list(cells)
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def _interchange_rows(table: Table) -> tuple[list[AnswerRow], list[Problem]]:
    _number, header = next(table)
    header = [cell.strip() for cell in _trimmed(header)]
    if not header:
        return [], [Problem(f"must be the header {','.join(HEADER)}, but is empty", row=1)]
    problems = _header_problems(header)
    if problems:
        return [], problems
    rows: list[AnswerRow] = []
    for number, raw in table:
        cells = _trimmed(raw)
        if not cells:
            continue
        if len(cells) > len(header):
            problems.append(
                Problem(
                    f"has {len(cells)} cells but the header has {len(header)} columns", row=number
                )
            )
            continue
        # Cells past the end of a shorter row are empty, but a column the file lacks is not said.
        values = {column: "" for column in header} | dict(
            zip(header, [restore(cell) for cell in cells], strict=False)
        )
        publishable, problem = _publishable(values.get(PUBLISHABLE, ""), number)
        if problem:
            problems.append(problem)
        rows.append(_answer_row(number, values, publishable))
    return rows, problems


def _answer_row(number: int, values: Mapping[str, str], publishable: bool | None) -> AnswerRow:
    confidence = values.get(CONFIDENCE)
    return AnswerRow(
        row=number,
        round=values.get("round", "").strip(),
        jurisdiction=values.get("jurisdiction", "").strip(),
        channel=values.get("channel", "").strip(),
        question=values.get("question", "").strip(),
        answer=values.get("answer", ""),
        comment=values.get("comment", ""),
        evidence_url=values.get("evidence_url", "").strip(),
        publishable=publishable,
        respondent=values.get(RESPONDENT, "").strip(),
        confidence=None if confidence is None else confidence.strip(),
    )


def _header_problems(header: Sequence[str]) -> list[Problem]:
    own, extra = tuple(header[: len(HEADER)]), list(header[len(HEADER) :])
    unknown = [column for column in extra if column not in OPTIONAL]
    twice = sorted({column for column in extra if extra.count(column) > 1})
    if own == HEADER and not unknown and not twice:
        return []
    wanted = ",".join(HEADER)
    if _looks_like_submissions(header):
        return [
            Problem(
                f"the header is that of a KoboToolbox/ODK submission export, not {wanted}; "
                "import it with --format kobo (or odk)",
                row=1,
            )
        ]
    problems = [
        Problem(f"expected {want!r}, found {_shown(found)}", row=1, column=_column_letter(index))
        for index, (want, found) in enumerate(zip(HEADER, header, strict=False))
        if want != found
    ]
    if len(header) < len(HEADER):
        problems.append(Problem(f"missing columns: {', '.join(HEADER[len(header) :])}", row=1))
    if unknown:
        problems.append(
            Problem(f"unexpected columns: {', '.join(_shown(c) for c in unknown)}", row=1)
        )
    problems.extend(Problem(f"column {column} appears twice", row=1) for column in twice)
    problems.append(
        Problem(
            f"the header must be {wanted}, optionally followed by any of "
            f"{', '.join(OPTIONAL)}",
            row=1,
        )
    )
    return problems


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _publishable(text: str, number: int) -> tuple[bool | None, Problem | None]:
    value = text.strip().lower()
    if not value:
        return None, None
    if value in _TRUE:
        return True, None
    if value in _FALSE:
        return False, None
    return None, Problem(f"{_shown(text)} is not true or false", row=number, column=PUBLISHABLE)


# --- JSON -------------------------------------------------------------------------------------


def _parse_json(content: bytes) -> object:
    try:
        return json.loads(content.decode("utf-8-sig"))
    except json.JSONDecodeError as error:
        raise _Refused(
            Problem(f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")
        ) from error
    except RecursionError as error:
        # Python's JSON parser recurses once per level of nesting; answers need two levels.
        raise _Refused(
            Problem("is nested too deeply to be a list of answers (a list of flat objects)")
        ) from error


def _json_rows(records: object) -> tuple[list[AnswerRow], list[Problem]]:
    if not isinstance(records, list):
        raise _Refused(Problem(f"must hold a JSON list of answers with keys {', '.join(HEADER)}"))
    if len(records) > MAX_ROWS:
        raise _Refused(Problem(f"has more than {MAX_ROWS} answers; split it by jurisdiction"))
    rows: list[AnswerRow] = []
    problems: list[Problem] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            problems.append(Problem("is not an object with the keys of an answer", row=number))
            continue
        found = _json_record_problems(record, number)
        problems.extend(found)
        if found:
            continue
        values = {key: _json_text(record[key]) for key in HEADER}
        values |= {
            key: _json_text(record[key])
            for key in (RESPONDENT, CONFIDENCE)
            if record.get(key) is not None
        }
        publishable = record.get(PUBLISHABLE)
        rows.append(
            _answer_row(number, values, publishable if isinstance(publishable, bool) else None)
        )
    return rows, problems


def _json_record_problems(record: Mapping[str, object], number: int) -> list[Problem]:
    problems = [
        Problem("missing: every answer has this key", row=number, column=key)
        for key in HEADER
        if key not in record
    ]
    problems.extend(
        Problem(f"unknown key; the keys are {', '.join(EXPORT_HEADER)}", number, key)
        for key in record
        if key not in EXPORT_HEADER
    )
    for key in (*HEADER, RESPONDENT, CONFIDENCE):
        value = record.get(key)
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not (value is None or isinstance(value, str) or (key == "answer" and numeric)):
            problems.append(Problem(f"must be text, not {json.dumps(value)}", number, key))
    if record.get(PUBLISHABLE) not in (None, True, False):
        problems.append(Problem("must be true, false or null", number, PUBLISHABLE))
    return problems


def _json_text(value: object) -> str:
    return "" if value is None else _cell_text(value)


# --- KoboToolbox and ODK Central submission exports -------------------------------------------


def _bare(column: str) -> str:
    """The field name in a column header: ``D1/C01_status``, ``D1-C01_status`` → ``C01_status``.

    Neither XLSForm field names of the form nor the metadata names hold ``/`` or ``-``."""
    return re.split(r"[/-]", column.strip())[-1]


def _looks_like_submissions(header: Sequence[str]) -> bool:
    if tuple(header[: len(HEADER)]) == HEADER:
        return False
    names = [cell.strip() for cell in header]
    return any(
        "/" in name or name.startswith("_") or name in ("KEY", "SubmissionDate", *VERSION_COLUMNS)
        for name in names
    )


@dataclass
class _SubmissionColumns:
    """Where the form's fields are in a submission export."""

    questions: dict[int, str] = field(default_factory=dict)
    # Question id → the column of the confidence in its answer (phase questions).
    confidence: dict[str, int] = field(default_factory=dict)
    fields: dict[str, int] = field(default_factory=dict)
    version: int | None = None


def _submission_columns(
    header: Sequence[str], target: ImportTarget
) -> tuple[_SubmissionColumns, list[Problem]]:
    # Only submission exports need the form's names; the other formats read without them.
    from mnr.core import xlsform

    names = {xlsform.xlsform_name(question.id): question.id for question in target.questions}
    confidence_names = {
        xlsform.confidence_name(question.id): question.id
        for question in target.questions
        if question.phase
    }
    own_fields = (
        xlsform.JURISDICTION,
        xlsform.RESPONDENT,
        xlsform.ROUND,
        xlsform.CHANNEL,
        xlsform.FORM_VERSION,
    )
    columns = _SubmissionColumns()
    if tuple(header[: len(HEADER)]) == HEADER:
        return columns, [
            Problem(
                "the header is that of the interchange format, not of a KoboToolbox/ODK "
                "submission export; import it without --format kobo/odk",
                row=1,
            )
        ]
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for index, column in enumerate(header):
        bare = _bare(column)
        if not bare:
            continue
        if (bare in names or bare in own_fields or bare in confidence_names) and bare in seen:
            problems.append(
                Problem(f"{bare} appears twice (also as {seen[bare]!r})", row=1, column=column)
            )
            continue
        seen[bare] = column
        if bare in names:
            columns.questions[index] = names[bare]
        elif bare in confidence_names:
            columns.confidence[confidence_names[bare]] = index
        elif bare in own_fields:
            columns.fields[bare] = index
        elif column.strip() in VERSION_COLUMNS:
            # Kobo's own deployment version counts only when the form's field is missing.
            if columns.version is None or column.strip() == "FormVersion":
                columns.version = index
        elif bare[:1].isupper() and "_" in bare:
            # The shape of a question name (see mnr.core.xlsform): a question of another form.
            problems.append(
                Problem(
                    f"names no question of instrument {target.instrument} "
                    f"(is this export from another form?)",
                    row=1,
                    column=column,
                )
            )
    if xlsform.FORM_VERSION in columns.fields:
        columns.version = columns.fields[xlsform.FORM_VERSION]
    if xlsform.JURISDICTION not in columns.fields:
        problems.append(
            Problem(
                f"no {xlsform.JURISDICTION} column: this is not a submission export of an mnr "
                "form (export with 'XML values and headers')",
                row=1,
            )
        )
    if columns.version is None:
        problems.append(
            Problem(
                f"no form version column ({xlsform.FORM_VERSION}, {', '.join(VERSION_COLUMNS)}): "
                "the version tells which round and channel the answers belong to",
                row=1,
            )
        )
    if not columns.questions and not problems:
        problems.append(Problem("no column names a question of the form", row=1))
    return columns, problems


def _form_versions(target: ImportTarget) -> dict[str, str]:
    """The form version of each channel's form of the round."""
    from mnr.core.xlsform import form_version

    return {
        form_version(target.round, target.instrument, target.instrument_version, channel): channel
        for channel in target.channels
    }


def _submission_rows(table: Table, target: ImportTarget) -> tuple[list[AnswerRow], list[Problem]]:
    from mnr.core import xlsform

    _number, header = next(table)
    header = [cell.strip() for cell in header]
    columns, problems = _submission_columns(header, target)
    if problems:
        return [], problems
    assert columns.version is not None  # checked above
    versions = _form_versions(target)
    jurisdiction_index = columns.fields[xlsform.JURISDICTION]
    version_column = header[columns.version]
    seen: dict[tuple[str, str, str], int] = {}
    rows: list[AnswerRow] = []
    for number, raw in table:
        cells = raw + [""] * (len(header) - len(raw))
        if not any(cell.strip() for cell in cells):
            continue
        version = cells[columns.version].strip()
        channel = versions.get(version)
        if not version:
            problems.append(Problem("no form version given", row=number, column=version_column))
            continue
        if channel is None:
            problems.append(
                Problem(
                    f"form version {_shown(version)} is not a form of round {target.round}; "
                    f"its forms are {', '.join(versions) or '(none)'}: download the current "
                    "form, or import into the round the form was made for",
                    row=number,
                    column=version_column,
                )
            )
            continue
        given_channel = _field(cells, columns, xlsform.CHANNEL)
        if given_channel and given_channel != channel:
            problems.append(
                Problem(
                    f"says channel {_shown(given_channel)} but form version {version!r} is the "
                    f"{channel} form",
                    row=number,
                    column=header[columns.fields[xlsform.CHANNEL]],
                )
            )
            continue
        given_jurisdiction = cells[jurisdiction_index].strip()
        jurisdiction = target.jurisdiction_code(given_jurisdiction) or given_jurisdiction
        respondent = _field(cells, columns, xlsform.RESPONDENT)
        first = seen.setdefault((jurisdiction, channel, respondent), number)
        if first != number:
            by = f" by respondent {respondent}" if respondent else ""
            problems.append(
                Problem(
                    f"a second submission for {jurisdiction} through {channel}{by} "
                    f"(the first is row {first}); delete one of them",
                    row=number,
                    column=header[jurisdiction_index],
                )
            )
            continue
        place = {
            "jurisdiction": header[jurisdiction_index],
            "channel": header[columns.fields.get(xlsform.CHANNEL, columns.version)],
            "round": header[columns.fields.get(xlsform.ROUND, columns.version)],
        }
        if xlsform.RESPONDENT in columns.fields:
            place[RESPONDENT] = header[columns.fields[xlsform.RESPONDENT]]
        for index, question_id in columns.questions.items():
            answer = cells[index]
            question = target.question(question_id)
            if not answer.strip() and question is not None and not question.asked_of(channel):
                continue
            confidence_index = columns.confidence.get(question_id)
            where = {**place, "question": header[index], "answer": header[index]}
            if confidence_index is not None:
                where[CONFIDENCE] = header[confidence_index]
            rows.append(
                AnswerRow(
                    row=number,
                    round=_field(cells, columns, xlsform.ROUND) or target.round,
                    jurisdiction=jurisdiction,
                    channel=channel,
                    question=question_id,
                    answer=answer,
                    respondent=respondent,
                    confidence=None
                    if confidence_index is None
                    else cells[confidence_index].strip(),
                    columns=where,
                )
            )
    return rows, problems


def _field(cells: Sequence[str], columns: _SubmissionColumns, name: str) -> str:
    index = columns.fields.get(name)
    return "" if index is None else cells[index].strip()


# --- Checking rows against the round ----------------------------------------------------------


def check_rows(rows: Iterable[AnswerRow], target: ImportTarget) -> list[Problem]:
    """Every problem of ``rows`` as answers of ``target``'s round, in row order."""
    problems: list[Problem] = []
    # The answers of one Kobo/ODK submission share a row, and so would its problems.
    reported: set[Problem] = set()
    first_row: dict[tuple[str, str, str, str], int] = {}
    for row in rows:
        found = list(_row_problems(row, target))
        problems.extend(problem for problem in found if problem not in reported)
        reported.update(found)
        if found:
            continue
        key = (row.jurisdiction, row.channel, row.respondent, row.question)
        first = first_row.setdefault(key, row.row)
        if first != row.row:
            respondent = f", respondent {row.respondent}" if row.respondent else ""
            problems.append(
                Problem(
                    f"a second answer for {row.jurisdiction}, {row.channel}{respondent}, "
                    f"{row.question} (the first is in row {first}); keep one of them",
                    row.row,
                    row.column("question"),
                )
            )
    return problems


def _row_problems(row: AnswerRow, target: ImportTarget) -> Iterator[Problem]:
    def problem(column: str, message: str) -> Problem:
        return Problem(message, row.row, row.column(column))

    if row.round != target.round:
        yield problem(
            "round",
            f"this row is for round {_shown(row.round)}, but the file is being imported into "
            f"round {target.round!r}"
            if row.round
            else "no round given",
        )
    if row.jurisdiction not in target.jurisdictions:
        hint = codes.hint(row.jurisdiction, target.jurisdictions, target.jurisdiction_aliases)
        yield problem(
            "jurisdiction",
            f"unknown jurisdiction {_shown(row.jurisdiction)}{hint}"
            if row.jurisdiction
            else "no jurisdiction given",
        )
    if row.channel not in target.channels:
        yield problem(
            "channel",
            f"unknown channel {_shown(row.channel)} for round {target.round}; "
            f"its channels are {', '.join(target.channels)}",
        )
    if message := respondent_problem(row.respondent):
        yield problem(RESPONDENT, message)
    yield from _question_problems(row, target, problem)
    text = {"answer": row.answer, "comment": row.comment, "evidence_url": row.evidence_url}
    for column, value in text.items():
        if value and (message := text_problem(column, value)):
            yield problem(column, message)
    url = row.evidence_url
    if url and not text_problem("evidence_url", url) and (message := url_problem(url)):
        yield problem("evidence_url", message)


def _question_problems(
    row: AnswerRow, target: ImportTarget, problem: Callable[[str, str], Problem]
) -> Iterator[Problem]:
    question = target.question(row.question)
    if question is None:
        yield problem(
            "question",
            f"unknown question {_shown(row.question)} (not in instrument {target.instrument})"
            if row.question
            else "no question given",
        )
        return
    if row.channel in target.channels and not question.asked_of(row.channel):
        yield problem(
            "question",
            f"question {question.id} is not asked through channel {row.channel} "
            f"(only {', '.join(question.channels)})",
        )
    answer = row.answer
    if question.choices and answer and answer not in question.choices and not text_problem(
        "answer", answer
    ):
        yield problem(
            "answer",
            f"answer {_shown(answer)} is not among the choices of {question.id}: "
            f"{', '.join(question.choices)}",
        )
    confidence = row.confidence
    if confidence and (message := confidence_problem(confidence)):
        yield problem(CONFIDENCE, message)
    elif confidence and not question.phase:
        yield problem(
            CONFIDENCE,
            f"a confidence level is given for phase questions only, and {question.id} is not "
            "one; leave the cell empty",
        )


def url_problem(url: str) -> str | None:
    """Why ``url`` is not an evidence address (an http or https URL of at most
    ``MAX_URL_LENGTH`` characters), or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        return f"{_shown(url)} is not an http(s) address"
    if len(url) > MAX_URL_LENGTH:
        return f"the address is longer than {MAX_URL_LENGTH} characters"
    return None


def _normalised(row: AnswerRow, target: ImportTarget) -> AnswerRow:
    """The jurisdiction by its stored code (``KEN`` → ``KE``); choice codes without surrounding
    spaces; text answers stay exactly as given."""
    jurisdiction = target.jurisdiction_code(row.jurisdiction)
    if jurisdiction is not None and jurisdiction != row.jurisdiction:
        row = replace(row, jurisdiction=jurisdiction)
    question = target.question(row.question)
    if question is None or not question.choices or row.answer == row.answer.strip():
        return row
    return replace(row, answer=row.answer.strip())


# --- Writing ----------------------------------------------------------------------------------


def _columns_of(record: AnswerRecord) -> list[str]:
    return [
        record.round,
        record.jurisdiction,
        record.channel,
        record.question,
        record.answer,
        record.comment,
        record.evidence_url,
        "true" if record.publishable else "false",
        record.respondent,
        record.confidence,
    ]


def render_csv(records: Iterable[AnswerRecord]) -> bytes:
    """UTF-8 CSV (no byte order mark), text neutralised against formula injection."""
    return csv_bytes([EXPORT_HEADER, *(_columns_of(record) for record in records)])


def render_xlsx(records: Iterable[AnswerRecord]) -> bytes:
    """One sheet, every cell text, neutralised against formula injection; control characters
    and carriage returns in OOXML's own escape, so that the text reads back unchanged."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("answers")
    sheet.append(list(EXPORT_HEADER))
    for record in records:
        sheet.append([escape_xlsx(neutralise(cell)) for cell in _columns_of(record)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render_json(records: Iterable[AnswerRecord]) -> bytes:
    """A list of objects with the keys of ``EXPORT_HEADER``; text as it is."""
    payload = [
        {
            "round": record.round,
            "jurisdiction": record.jurisdiction,
            "channel": record.channel,
            "question": record.question,
            "answer": record.answer,
            "comment": record.comment,
            "evidence_url": record.evidence_url,
            PUBLISHABLE: record.publishable,
            RESPONDENT: record.respondent,
            CONFIDENCE: record.confidence,
        }
        for record in records
    ]
    return (json.dumps(payload, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
