"""Jurisdiction reference data: the shipped files and the World Bank's classification workbooks.

The shipped CSVs live in ``mnr/jurisdictions/data`` and are rebuilt by
``scripts/build_jurisdictions.py``; their provenance is in the README there. Blank CSV cells are
empty strings here, as Django keeps blank text.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import pandas as pd

from mnr.core import codes
from mnr.core.spreadsheet import archive_problem
from mnr.errors import MnrError

DATA_DIR = Path(__file__).resolve().parent.parent / "jurisdictions" / "data"
JURISDICTIONS_CSV = DATA_DIR / "jurisdictions.csv"
INCOME_GROUPS_CSV = DATA_DIR / "income_groups.csv"

INCOME_GROUPS = ("HIC", "UMC", "LMC", "LIC")
JURISDICTION_KINDS = ("country", "non_country")

# The World Bank classifies Jersey and Guernsey together as "Channel Islands" (code CHI);
# both jurisdictions take that classification.
WORLD_BANK_GROUPED_ECONOMIES: Mapping[str, tuple[str, ...]] = {"CHI": ("GG", "JE")}

CLASS_SHEET = "List of economies"
HISTORY_SHEET = "Country Analytical History"
_CLASS_LABELS = {
    "high income": "HIC",
    "upper middle income": "UMC",
    "lower middle income": "LMC",
    "low income": "LIC",
}
_HISTORY_LABELS = {"H": "HIC", "UM": "UMC", "LM": "LMC", "L": "LIC"}
_HISTORY_NO_DATA = ".."
_HEADER_SEARCH_ROWS = 30
_FISCAL_YEAR_COLUMN = re.compile(r"^FY\d{2}$")


class ReferenceDataError(MnrError):
    """A reference file that cannot be used; the message names the file, place and problem."""


@dataclass(frozen=True)
class JurisdictionRecord:
    code: str
    alpha3: str
    numeric: str
    kind: str
    parent_code: str
    name_en: str
    name_fr: str
    name_es: str
    name_ar: str
    name_ru: str
    name_zh: str
    region_code: str
    region: str
    subregion_code: str
    subregion: str
    source: str


@dataclass(frozen=True)
class IncomeRecord:
    code: str
    fiscal_year: int
    income_group: str
    source: str


@dataclass(frozen=True)
class UnknownEconomy:
    """A row of a World Bank workbook whose code names no jurisdiction of the reference data,
    such as a historical economy (``SCG`` Serbia and Montenegro, ``YUG``, ``ANT``)."""

    line: int
    code: str
    name: str

    def describe(self) -> str:
        return f"{self.code} {self.name} (row {self.line})" if self.name else (
            f"{self.code} (row {self.line})"
        )


@dataclass(frozen=True)
class WorkbookReading:
    """The income groups read from a World Bank workbook, and the rows skipped as unknown."""

    records: tuple[IncomeRecord, ...]
    skipped: tuple[UnknownEconomy, ...] = ()


JURISDICTION_COLUMNS = tuple(f.name for f in fields(JurisdictionRecord))
INCOME_COLUMNS = tuple(f.name for f in fields(IncomeRecord))


def read_jurisdictions(path: Path | str = JURISDICTIONS_CSV) -> tuple[JurisdictionRecord, ...]:
    """Every jurisdiction in the file; a non-country one names a country as its parent."""
    path = Path(path)
    rows = _read_csv(path, JURISDICTION_COLUMNS)
    problems: list[str] = []
    records: list[JurisdictionRecord] = []
    first_row: dict[str, int] = {}
    for line, row in rows:
        record = JurisdictionRecord(**row)
        for column in ("code", "kind", "name_en", "source"):
            if not row[column]:
                problems.append(f"row {line}: column {column!r} is empty")
        if record.kind and record.kind not in JURISDICTION_KINDS:
            problems.append(
                f"row {line}: kind {record.kind!r} is not one of {', '.join(JURISDICTION_KINDS)}"
            )
        if record.code in first_row:
            problems.append(
                f"row {line}: code {record.code!r} repeats row {first_row[record.code]}"
            )
        first_row.setdefault(record.code, line)
        records.append(record)
    kinds = {record.code: record.kind for record in records}
    for (line, _), record in zip(rows, records, strict=True):
        problems.extend(_parent_problems(line, record, kinds))
    _raise_if_any(f"{path}", problems, "Rebuild it with scripts/build_jurisdictions.py.")
    return tuple(records)


def _parent_problems(line: int, record: JurisdictionRecord, kinds: Mapping[str, str]) -> list[str]:
    if record.kind == "country" and record.parent_code:
        return [
            f"row {line}: country {record.code!r} has a parent_code; only non-country "
            "jurisdictions have one"
        ]
    if record.kind == "non_country" and kinds.get(record.parent_code) != "country":
        return [
            f"row {line}: non-country jurisdiction {record.code!r} needs a parent_code "
            f"naming a country in the file (found {record.parent_code!r})"
        ]
    return []


def read_income_groups(path: Path | str = INCOME_GROUPS_CSV) -> tuple[IncomeRecord, ...]:
    """Every income classification in the file, one per jurisdiction and fiscal year."""
    path = Path(path)
    problems: list[str] = []
    records: list[IncomeRecord] = []
    first_row: dict[tuple[str, int], int] = {}
    for line, row in _read_csv(path, INCOME_COLUMNS):
        if not row["code"]:
            problems.append(f"row {line}: column 'code' is empty")
        if row["income_group"] not in INCOME_GROUPS:
            problems.append(
                f"row {line}: income_group {row['income_group']!r} is not one of "
                f"{', '.join(INCOME_GROUPS)}"
            )
        if not re.fullmatch(r"\d{4}", row["fiscal_year"]):
            problems.append(f"row {line}: fiscal_year {row['fiscal_year']!r} is not a year")
            continue
        record = IncomeRecord(
            row["code"], int(row["fiscal_year"]), row["income_group"], row["source"]
        )
        key = (record.code, record.fiscal_year)
        if key in first_row:
            problems.append(
                f"row {line}: {record.code} FY{record.fiscal_year} repeats row {first_row[key]}"
            )
        first_row.setdefault(key, line)
        records.append(record)
    _raise_if_any(f"{path}", problems, "Rebuild it with scripts/build_jurisdictions.py.")
    return tuple(records)


def _read_csv(path: Path, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows with their line numbers (the header is line 1), every cell stripped."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            if tuple(header) != tuple(columns):
                raise ReferenceDataError(
                    f"{path}: header is {','.join(header) or '(empty)'}; "
                    f"expected {','.join(columns)}"
                )
            rows = []
            for line, cells in enumerate(reader, start=2):
                if len(cells) != len(columns):
                    raise ReferenceDataError(
                        f"{path}: row {line} has {len(cells)} cells; expected {len(columns)}"
                    )
                rows.append((line, {c: v.strip() for c, v in zip(columns, cells, strict=True)}))
            return rows
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ReferenceDataError(f"{path}: cannot read as UTF-8 CSV: {error}") from error


def read_world_bank_workbook(
    path: Path | str,
    fiscal_year: int,
    *,
    jurisdictions: Iterable[JurisdictionRecord] | None = None,
    skip_unknown: bool = False,
) -> WorkbookReading:
    """Income groups for ``fiscal_year`` from a World Bank classification workbook.

    Reads either the current list (``CLASS.xlsx``, sheet "List of economies"; the file does not
    say which fiscal year it is, so the caller does) or the historical file (``OGHIST.xlsx``,
    sheet "Country Analytical History", one column per fiscal year), as the World Bank publishes
    them. Economies are matched to jurisdictions by code (the World Bank's are ISO alpha-3; see
    ``mnr.core.codes``) in the shipped file unless ``jurisdictions`` is given. Economies without
    a classification (aggregates, ".." cells) are skipped. Economies the jurisdictions do not
    know (historical ones such as ``SCG`` Serbia and Montenegro) are all listed in the error,
    or, with ``skip_unknown``, skipped and returned in ``skipped``; any other problem rejects
    the whole file.
    """
    path = Path(path)
    sheets = _read_workbook(path)
    if CLASS_SHEET in sheets:
        sheet = _class_sheet(path, sheets[CLASS_SHEET])
    elif HISTORY_SHEET in sheets:
        sheet = _history_sheet(path, sheets[HISTORY_SHEET], fiscal_year)
    else:
        found = ", ".join(repr(name) for name in sheets) or "none"
        raise ReferenceDataError(
            f"{path}: missing sheet: expected {CLASS_SHEET!r} (CLASS.xlsx) or {HISTORY_SHEET!r} "
            f"(OGHIST.xlsx); sheets found: {found}. Use the workbook as the World Bank "
            "publishes it."
        )
    economy_codes = _EconomyCodes(read_jurisdictions() if jurisdictions is None else jurisdictions)
    source = f"World Bank {path.name} ({sheet.name}), FY{fiscal_year}"
    problems = list(sheet.problems)
    records: list[IncomeRecord] = []
    unknown: list[UnknownEconomy] = []
    first_row: dict[str, int] = {}
    for economy in sheet.economies:
        found_codes = economy_codes.of(economy.code)
        if not found_codes:
            unknown.append(UnknownEconomy(economy.line, economy.code, economy.name))
            continue
        for code in found_codes:
            if code in first_row:
                problems.append(
                    f"row {economy.line}: {economy.code} gives {code} a second income group "
                    f"(first at row {first_row[code]})"
                )
            first_row.setdefault(code, economy.line)
            note = f"; {economy.code} applied to {code}" if len(found_codes) > 1 else ""
            records.append(IncomeRecord(code, fiscal_year, economy.income_group, source + note))
    if unknown and not skip_unknown:
        problems.append(
            f"column {sheet.code_column}: {len(unknown)} economies the jurisdiction list does "
            f"not know (historical economies, or codes of no jurisdiction): "
            f"{', '.join(economy.describe() for economy in unknown)}; to import the other rows, "
            "skip these (mnr jurisdictions import-income FILE --fy YEAR --skip-unknown)"
        )
    _raise_if_any(
        f"{path}, sheet {sheet.name!r}",
        problems,
        "Correct the workbook, or add the missing jurisdictions before importing.",
    )
    return WorkbookReading(
        tuple(sorted(records, key=lambda record: record.code)),
        tuple(unknown) if skip_unknown else (),
    )


class _EconomyCodes:
    """The jurisdiction codes a World Bank economy code stands for: one country's (by alpha-3,
    or any spelling ``mnr.core.codes`` accepts), or several for a grouped economy (CHI)."""

    def __init__(self, jurisdictions: Iterable[JurisdictionRecord]) -> None:
        countries = [record for record in jurisdictions if record.kind == "country"]
        self.codes = frozenset(record.code for record in countries)
        self.spellings = codes.aliases(
            (record.code, record.alpha3, record.numeric) for record in countries
        )
        self.groups = {
            world_bank_code: tuple(code for code in members if code in self.codes)
            for world_bank_code, members in WORLD_BANK_GROUPED_ECONOMIES.items()
        }

    def of(self, economy: str) -> tuple[str, ...]:
        code = codes.resolve(economy, self.codes, self.spellings)
        if code is not None:
            return (code,)
        return self.groups.get(economy, ())


@dataclass(frozen=True)
class _Economy:
    line: int
    code: str
    name: str
    income_group: str


@dataclass(frozen=True)
class _Sheet:
    name: str
    code_column: str
    economies: tuple[_Economy, ...]
    problems: tuple[str, ...]


def _read_workbook(path: Path) -> dict[str, list[list[str]]]:
    """Every sheet as text cells; list index i is spreadsheet row i + 1."""
    if problem := archive_problem(path):
        raise ReferenceDataError(
            f"{path}: {problem}. Download the .xlsx file from the World Bank, or open an old "
            ".xls file and save it as .xlsx."
        )
    try:
        frames = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="openpyxl")
    # openpyxl, under pandas, raises whatever the broken part of the archive leads to (zlib
    # errors, XML syntax errors, KeyError…); all of them mean the same to the user.
    except Exception as error:
        raise ReferenceDataError(
            f"{path}: not an Excel .xlsx workbook ({error}). Download the .xlsx file from the "
            "World Bank, or open an old .xls file and save it as .xlsx."
        ) from error
    return {
        str(name): [[_cell(value) for value in row] for row in frame.itertuples(index=False)]
        for name, frame in frames.items()
    }


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _find_header(grid: Sequence[Sequence[str]], is_header: Callable[[str], bool]) -> int | None:
    """Index of the first of the top rows with a cell that looks like a column header."""
    return next(
        (
            index
            for index, cells in enumerate(grid[:_HEADER_SEARCH_ROWS])
            if any(is_header(cell) for cell in cells)
        ),
        None,
    )


def _class_sheet(path: Path, grid: list[list[str]]) -> _Sheet:
    wanted = ("Economy", "Code", "Region", "Income group")
    header_index = _find_header(grid, lambda cell: cell.casefold() in map(str.casefold, wanted))
    header = grid[header_index] if header_index is not None else []
    positions = {cell.casefold(): i for i, cell in reversed(list(enumerate(header)))}
    missing = [name for name in ("Code", "Income group") if name.casefold() not in positions]
    if header_index is None or missing:
        place = (
            f"header row {header_index + 1}"
            if header_index is not None
            else f"rows 1-{_HEADER_SEARCH_ROWS}"
        )
        raise ReferenceDataError(
            f"{path}, sheet {CLASS_SHEET!r}: missing column(s) "
            f"{', '.join(map(repr, missing or wanted))} in {place}; expected the columns "
            f"{', '.join(map(repr, wanted))} as the World Bank publishes them."
        )
    code_at, income_at = positions["code"], positions["income group"]
    name_at = positions.get("economy")
    code_column = f"{_column_letter(code_at)} 'Code'"
    income_column = f"{_column_letter(income_at)} 'Income group'"
    expected = ", ".join(repr(label.capitalize()) for label in _CLASS_LABELS)
    economies: list[_Economy] = []
    problems: list[str] = []
    for index in range(header_index + 1, len(grid)):
        cells = grid[index] + [""] * len(header)
        label, code, line = cells[income_at], cells[code_at].upper(), index + 1
        if not label:
            continue  # aggregates and unclassified economies
        income_group = _CLASS_LABELS.get(label.casefold())
        if income_group is None:
            problems.append(
                f"row {line}, column {income_column}: unknown income label "
                f"{label!r}; expected one of {expected}"
            )
        elif not code:
            problems.append(f"row {line}, column {code_column}: income group {label!r} but no code")
        else:
            name = cells[name_at] if name_at is not None else ""
            economies.append(_Economy(line, code, name, income_group))
    return _Sheet(CLASS_SHEET, code_column, tuple(economies), tuple(problems))


def _history_sheet(path: Path, grid: list[list[str]], fiscal_year: int) -> _Sheet:
    where = f"{path}, sheet {HISTORY_SHEET!r}"
    header_index = _find_header(grid, lambda cell: bool(_FISCAL_YEAR_COLUMN.match(cell)))
    if header_index is None:
        raise ReferenceDataError(
            f"{where}: missing column(s): no header row with fiscal-year columns such as 'FY21' "
            f"in rows 1-{_HEADER_SEARCH_ROWS}. Use the workbook as the World Bank publishes it."
        )
    header = grid[header_index]
    columns = {
        _full_year(cell): i for i, cell in enumerate(header) if _FISCAL_YEAR_COLUMN.match(cell)
    }
    if fiscal_year not in columns:
        labels = [cell for cell in header if _FISCAL_YEAR_COLUMN.match(cell)]
        raise ReferenceDataError(
            f"{where}: fiscal year {fiscal_year} (column 'FY{fiscal_year % 100:02d}') is not in "
            f"the historical file; header row {header_index + 1} has {labels[0]} to "
            f"{labels[-1]}. Choose one of those years or use a newer OGHIST.xlsx."
        )
    year_at = columns[fiscal_year]
    year_column = f"{_column_letter(year_at)} {header[year_at]!r}"
    expected = ", ".join(map(repr, [*_HISTORY_LABELS, _HISTORY_NO_DATA]))
    economies: list[_Economy] = []
    problems: list[str] = []
    for index in range(header_index + 1, len(grid)):
        cells = grid[index] + [""] * len(header)
        # The code is in the first column, whose header cell the World Bank leaves blank.
        code, value, line = cells[0].upper(), cells[year_at], index + 1
        if not code or value in ("", _HISTORY_NO_DATA):
            continue  # thresholds and notes have no code; ".." is no classification
        # A trailing "*" marks a footnote in the World Bank's file.
        income_group = _HISTORY_LABELS.get(value.rstrip("*").strip())
        if income_group is None:
            problems.append(
                f"row {line}, column {year_column}: unknown income label "
                f"{value!r}; expected one of {expected}"
            )
        else:
            # The economy's name is in the second column, its header cell blank too.
            economies.append(_Economy(line, code, cells[1], income_group))
    return _Sheet(HISTORY_SHEET, f"{_column_letter(0)} (code)", tuple(economies), tuple(problems))


def _full_year(label: str) -> int:
    """1989 for "FY89", 2021 for "FY21": the World Bank's series begins with FY89."""
    two_digits = int(label[2:])
    return (1900 if two_digits >= 89 else 2000) + two_digits


def _raise_if_any(where: str, problems: Sequence[str], advice: str) -> None:
    if not problems:
        return
    if len(problems) == 1:
        raise ReferenceDataError(f"{where}: {problems[0]}. {advice}")
    listed = "\n".join(f"  - {problem}" for problem in problems)
    raise ReferenceDataError(f"{where}: {len(problems)} problems:\n{listed}\n{advice}")
