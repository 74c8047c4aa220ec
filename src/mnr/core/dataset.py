"""A round's answers as a wide dataset for statistics packages: one row per submission, one
variable per question, with variable and value labels for SPSS (``.sav``) and Stata (``.dta``).

Variable names are question codes made valid for both packages (``variable_names``); answers
to choice questions are numeric codes that mean the same in every question (``ANSWER_VALUES``);
``not_applicable`` is a missing value (user-missing 9 in SPSS, ``.a`` in Stata) because the
counting rules leave it out of every denominator, while ``dont_know`` stays a valid value
because they keep it in. The layout and every code are written out in ``docs/exports.md``.
"""

from __future__ import annotations

import itertools
import re
import tempfile
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from mnr.core.tables import csv_bytes

# Stata allows 32 characters; SPSS 64 bytes. Names are kept to ASCII so both limits agree.
MAX_NAME = 32
# Stata's limit for variable labels (SPSS allows more; one limit keeps the two files alike),
# and SPSS's limit in bytes, which only labels in four-byte characters reach.
MAX_VARIABLE_LABEL = 80
MAX_VARIABLE_LABEL_BYTES = 256
# SPSS stores a value label in at most 120 bytes and a file label in 64.
MAX_VALUE_LABEL_BYTES = 120
MAX_SAV_FILE_LABEL_BYTES = 64
# SPSS keeps the file's documents as lines of 80 bytes.
SAV_DOCUMENT_LINE_BYTES = 80
MAX_DTA_FILE_LABEL = 80

# The same answer has the same number in every question, so one recode serves all of them.
ANSWER_VALUES: Mapping[str, int] = {"yes": 1, "partial": 2, "no": 3, "dont_know": 4}
NOT_APPLICABLE = "not_applicable"
# SPSS: a value declared user-missing; Stata: the extended missing value ``.a``.
SAV_NOT_APPLICABLE = 9
DTA_NOT_APPLICABLE = "a"

CODES_NOTE = (
    "Choice answers: 1 yes, 2 partly, 3 no, 4 don't know (a valid value: the counting rules "
    "keep it in denominators); 9 not applicable, declared user-missing; no answer is "
    "system-missing. Phases: 1 to 4. Free text as strings."
)

SUBMISSION_COLUMNS: tuple[str, ...] = (
    "jurisdiction",
    "jurisdiction_name",
    "channel",
    "respondent",
    "income_group",
    "region",
    "submission_status",
)

# Words neither package accepts as a variable name (compared case-insensitively): SPSS's
# reserved keywords and Stata's reserved names that start with a letter (and str1…str2045).
RESERVED_NAMES = frozenset(
    {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"}
    | {"byte", "double", "float", "if", "in", "int", "long", "strl", "using"}
)
_STATA_STR_TYPE = re.compile(r"str[0-9]+", re.IGNORECASE)
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9_]")
_STARTS_WITH_LETTER = re.compile(r"[A-Za-z]")

QuestionType = Literal["select_one", "phase", "text"]
Kind = Literal["string", "choice", "phase"]


# --- variable names -------------------------------------------------------------------------


def _ascii(text: str) -> str:
    """Accented letters without their accents (``é`` → ``e``); other characters unchanged."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _is_reserved(name: str) -> bool:
    return name.casefold() in RESERVED_NAMES or bool(_STATA_STR_TYPE.fullmatch(name))


def variable_name(code: str) -> str:
    """``code`` as a name SPSS and Stata accept, before names are made unique.

    Every character other than an ASCII letter, digit or underscore becomes ``_``
    (``C16-17.status`` → ``C16_17_status``); a name that would not start with a letter gets a
    ``q`` in front; names are cut to 32 characters; a reserved word gets a trailing ``_``."""
    name = _NOT_IN_NAME.sub("_", _ascii(code))
    if not _STARTS_WITH_LETTER.match(name):
        name = "q" + name
    name = name[:MAX_NAME]
    if _is_reserved(name):
        name = name[: MAX_NAME - 1] + "_"
    return name


def variable_names(
    codes: Sequence[str], taken: Iterable[str] = SUBMISSION_COLUMNS
) -> dict[str, str]:
    """A distinct valid name for each code, in order; the mapping can be read both ways.

    Two codes that come out the same (``A.b`` and ``A-b``, or codes that differ only after
    the 32nd character or only in case, which SPSS does not tell apart) keep the name for the
    first and number the others: ``A_b``, ``A_b_2``. ``taken`` names (the submission columns)
    are never given to a question."""
    if len(set(codes)) != len(codes):
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        raise ValueError(f"question codes must be distinct; repeated: {', '.join(repeated)}")
    used = {name.casefold() for name in taken}
    names: dict[str, str] = {}
    for code in codes:
        base = variable_name(code)
        name = base
        for number in itertools.count(2):
            if name.casefold() not in used:
                break
            suffix = f"_{number}"
            name = base[: MAX_NAME - len(suffix)] + suffix
        used.add(name.casefold())
        names[code] = name
    return names


# --- the dataset ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetQuestion:
    """A question of the round's instrument, with its texts in the export's language.

    ``choices`` are ``(code, label)`` pairs; for a phase question the codes are the levels
    ``"1"`` to ``"4"`` and the labels the phase names."""

    code: str
    type: QuestionType
    label: str
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SubmissionRow:
    """One respondent's answers for a jurisdiction through one channel; ``answers`` maps
    question codes to the stored value (a choice code, a phase level or free text; missing or
    ``""`` when blank)."""

    jurisdiction: str
    jurisdiction_name: str
    channel: str
    income_group: str | None
    region: str | None
    status: str
    answers: Mapping[str, str]
    respondent: str = ""


@dataclass(frozen=True)
class Variable:
    """One column of the dataset. ``codes`` maps the answer codes of a choice or phase
    variable to their numbers (``not_applicable`` is not among them: it is missing);
    ``value_labels`` maps the same answer codes, ``not_applicable`` included, to labels."""

    name: str
    label: str
    kind: Kind
    question: str | None = None
    codes: Mapping[str, int] = field(default_factory=dict)
    value_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def numeric(self) -> bool:
        return self.kind != "string"

    @property
    def offers_not_applicable(self) -> bool:
        return NOT_APPLICABLE in self.value_labels


@dataclass(frozen=True)
class Dataset:
    """The wide table: ``rows`` hold, per variable, the stored text (``None`` when blank)."""

    variables: tuple[Variable, ...]
    rows: tuple[tuple[str | None, ...], ...]
    file_label: str
    notes: tuple[str, ...] = ()

    def variable(self, name: str) -> Variable:
        for variable in self.variables:
            if variable.name == name:
                return variable
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [variable.name for variable in self.variables]

    def question_codes(self) -> dict[str, str]:
        """Variable name → question code: the way back from the file to the instrument."""
        return {v.name: v.question for v in self.variables if v.question is not None}


def submission_variables(income_year: int) -> tuple[Variable, ...]:
    labels = (
        "Jurisdiction code",
        "Jurisdiction name",
        "Channel the answers came through",
        "Respondent: the body within the jurisdiction that answered (empty: the lead)",
        f"World Bank income group, FY{income_year} (HIC, UMC, LMC, LIC; empty if unknown)",
        "Region (UN M49; empty if unknown)",
        "Submission status (draft, submitted, returned, validated)",
    )
    return tuple(
        Variable(name, label, "string")
        for name, label in zip(SUBMISSION_COLUMNS, labels, strict=True)
    )


def _choice_codes(question: DatasetQuestion) -> dict[str, int]:
    """Numbers for the choices: fixed ones for answer codes, the level for phases, and 1, 2, …
    in order for any other choice list (skipping 9, which always means not applicable)."""
    codes = [code for code, _label in question.choices if code != NOT_APPLICABLE]
    if question.type == "phase":
        if not all(code.isdigit() for code in codes):
            raise ValueError(
                f"phase question {question.code!r} has choices {', '.join(codes)}; phase levels "
                "must be whole numbers (1 to 4)"
            )
        return {code: int(code) for code in codes}
    if all(code in ANSWER_VALUES for code in codes):
        return {code: ANSWER_VALUES[code] for code in codes}
    numbers = (n for n in itertools.count(1) if n != SAV_NOT_APPLICABLE)
    return dict(zip(codes, numbers, strict=False))


def question_variable(question: DatasetQuestion, name: str) -> Variable:
    label = question.label.strip() or question.code
    if question.type == "text":
        return Variable(name, label, "string", question=question.code)
    kind: Kind = "phase" if question.type == "phase" else "choice"
    return Variable(
        name,
        label,
        kind,
        question=question.code,
        codes=_choice_codes(question),
        value_labels={code: text or code for code, text in question.choices},
    )


def _respondent(row: SubmissionRow) -> str:
    return f" (respondent {row.respondent})" if row.respondent else ""


def _check_value(variable: Variable, value: str, row: SubmissionRow) -> None:
    if variable.numeric and value not in variable.value_labels:
        raise ValueError(
            f"{row.jurisdiction} through {row.channel}{_respondent(row)}: the answer {value!r} to "
            f"{variable.question} is not one of its choices "
            f"({', '.join(variable.value_labels)}); correct the answer and export again"
        )


def build_dataset(
    questions: Sequence[DatasetQuestion],
    submissions: Iterable[SubmissionRow],
    *,
    file_label: str,
    income_year: int,
    notes: Sequence[str] = (),
) -> Dataset:
    """The dataset of ``submissions`` in the given order, questions in the given order.

    A question a submission holds no answer to (also one not asked through its channel) is
    blank. An answer to a choice or phase question that is not among its choices is an
    error naming the jurisdiction, channel and question."""
    names = variable_names([question.code for question in questions])
    question_variables = [question_variable(q, names[q.code]) for q in questions]
    rows: list[tuple[str | None, ...]] = []
    for row in submissions:
        values: list[str | None] = [
            row.jurisdiction,
            row.jurisdiction_name,
            row.channel,
            row.respondent,
            row.income_group or "",
            row.region or "",
            row.status,
        ]
        for variable, question in zip(question_variables, questions, strict=True):
            value = row.answers.get(question.code) or None
            if value is not None:
                _check_value(variable, value, row)
            values.append(value)
        rows.append(tuple(values))
    return Dataset(
        variables=(*submission_variables(income_year), *question_variables),
        rows=tuple(rows),
        file_label=file_label,
        notes=tuple(notes),
    )


# --- labels within the packages' limits -----------------------------------------------------


def truncate(text: str, *, chars: int | None = None, utf8_bytes: int | None = None) -> str:
    """``text`` cut to fit, ending in ``…`` when something was cut off."""

    def fits(part: str) -> bool:
        return (chars is None or len(part) <= chars) and (
            utf8_bytes is None or len(part.encode("utf-8")) <= utf8_bytes
        )

    if fits(text):
        return text
    cut = text
    while cut and not fits(cut.rstrip() + "…"):
        cut = cut[:-1]
    return cut.rstrip() + "…"


def variable_labels(dataset: Dataset) -> dict[str, str | None]:
    return {
        v.name: truncate(v.label, chars=MAX_VARIABLE_LABEL, utf8_bytes=MAX_VARIABLE_LABEL_BYTES)
        for v in dataset.variables
    }


def value_labels(dataset: Dataset, not_applicable: float | str) -> dict[str, dict[Any, str]]:
    """Labels of the numbers of every choice and phase variable; ``not_applicable`` is the
    value that stands for it (9 for SPSS, ``"a"`` for Stata's ``.a``)."""
    labels: dict[str, dict[Any, str]] = {}
    for variable in dataset.variables:
        if not variable.numeric:
            continue
        per_value: dict[Any, str] = {}
        for code, text in variable.value_labels.items():
            number = not_applicable if code == NOT_APPLICABLE else variable.codes[code]
            per_value[number] = truncate(text, utf8_bytes=MAX_VALUE_LABEL_BYTES)
        labels[variable.name] = per_value
    return labels


def _column(dataset: Dataset, index: int, not_applicable: float | str) -> pd.Series[Any]:
    variable = dataset.variables[index]
    values = [row[index] for row in dataset.rows]
    if not variable.numeric:
        return pd.Series(["" if value is None else value for value in values], dtype=object)
    coded: list[float | str] = [
        np.nan
        if value is None
        else not_applicable
        if value == NOT_APPLICABLE
        else float(variable.codes[value])
        for value in values
    ]
    # A column holding Stata's "a" must be of objects; pyreadstat takes one without any as text.
    if any(isinstance(value, str) for value in coded):
        return pd.Series(coded, dtype=object)
    return pd.Series(coded, dtype="float64")


def coded_frame(dataset: Dataset, not_applicable: float | str) -> pd.DataFrame:
    """The values as a statistics package stores them: numbers for choices and phases (NaN
    when blank, ``not_applicable`` as given), text otherwise (``""`` when blank)."""
    return pd.DataFrame(
        {
            variable.name: _column(dataset, index, not_applicable)
            for index, variable in enumerate(dataset.variables)
        },
        columns=dataset.names,
    )


def document_lines(notes: Iterable[str]) -> list[str]:
    """Notes wrapped into lines that fit SPSS's 80-byte document lines."""
    lines: list[str] = []
    for note in notes:
        for width in range(SAV_DOCUMENT_LINE_BYTES, 0, -1):
            wrapped = textwrap.wrap(note, width=width) or [""]
            if all(len(line.encode("utf-8")) <= SAV_DOCUMENT_LINE_BYTES for line in wrapped):
                break
        lines += wrapped
    return lines


def _written(write: Callable[[Path], None], suffix: str) -> bytes:
    # pyreadstat writes only to a path.
    with tempfile.TemporaryDirectory(prefix="mnr-dataset-") as directory:
        path = Path(directory) / f"dataset{suffix}"
        write(path)
        return path.read_bytes()


def _format_width(variable: Variable) -> int:
    return max((len(str(n)) for n in [*variable.codes.values(), SAV_NOT_APPLICABLE]), default=1)


def to_sav(dataset: Dataset) -> bytes:
    """An SPSS system file: variable and value labels, ``not_applicable`` as user-missing 9;
    the notes, the codes and the variable-name mapping as the file's documents."""
    import pyreadstat

    numeric = [v for v in dataset.variables if v.numeric]
    mapping = [f"{name} = {code}" for name, code in dataset.question_codes().items()]
    return _written(
        lambda path: pyreadstat.write_sav(
            coded_frame(dataset, float(SAV_NOT_APPLICABLE)),
            path,
            file_label=truncate(dataset.file_label, utf8_bytes=MAX_SAV_FILE_LABEL_BYTES),
            column_labels=variable_labels(dataset),
            note=document_lines([*dataset.notes, CODES_NOTE, "Variable = question:", *mapping]),
            variable_value_labels=value_labels(dataset, float(SAV_NOT_APPLICABLE)),
            missing_ranges={
                v.name: [float(SAV_NOT_APPLICABLE)] for v in numeric if v.offers_not_applicable
            },
            variable_measure={
                v.name: "ordinal" if v.kind == "phase" else "nominal" for v in dataset.variables
            },
            variable_format={v.name: f"F{_format_width(v)}.0" for v in numeric},
        ),
        ".sav",
    )


def to_dta(dataset: Dataset) -> bytes:
    """A Stata file of format 118 (Stata 14 and later): variable and value labels,
    ``not_applicable`` as the extended missing value ``.a``; texts over 2,045 bytes as strL."""
    import pyreadstat

    numeric = [v for v in dataset.variables if v.numeric]
    return _written(
        lambda path: pyreadstat.write_dta(
            coded_frame(dataset, DTA_NOT_APPLICABLE),
            path,
            file_label=truncate(dataset.file_label, chars=MAX_DTA_FILE_LABEL),
            column_labels=variable_labels(dataset),
            # 14 writes format 118, which Stata 14 and later read (15 would write 119).
            version=14,
            variable_value_labels=value_labels(dataset, DTA_NOT_APPLICABLE),
            missing_user_values={
                v.name: [DTA_NOT_APPLICABLE] for v in numeric if v.offers_not_applicable
            },
        ),
        ".dta",
    )


def to_csv(dataset: Dataset) -> bytes:
    """The same table as UTF-8 text (no byte order mark): answer codes as stored (``yes``,
    ``3``, free text), blank cells empty, every cell neutralised against formula injection."""
    return csv_bytes([dataset.names, *dataset.rows])
