"""Findings of a round, in total and by every breakdown, in one file (``docs/exports.md``)."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from mnr.core.findings import BREAKDOWNS, COUNT_KEYS, Finding
from mnr.core.spreadsheet import escape_xlsx, neutralise
from mnr.core.tables import csv_bytes
from mnr.errors import MnrError
from mnr.exporters import sdmx
from mnr.exporters.base import Exporter, register
from mnr.findings.data import round_questions
from mnr.findings.service import finding_label, reads_live, round_findings
from mnr.publications.reading import require_publication

COLUMNS: tuple[str, ...] = (
    "question",
    "question_label",
    "breakdown",
    "group",
    *COUNT_KEYS,
    "counts_as",
    "numerator",
    "denominator",
    "percent",
    "suppressed",
    "sentence",
)
TEXT_COLUMNS = frozenset({"question", "question_label", "breakdown", "group", "sentence"})
TOTAL = "total"
EVERYONE = "all"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COUNTING_RULES = (
    "Counts are of participating jurisdictions; when several channels answered, the first "
    "non-blank answer in the round's channel order is used.",
    "percent = numerator / denominator x 100, rounded half up; numerator = the answers in "
    "counts_as; denominator = every answer except blank and not_applicable (dont_know stays "
    "in). No percent when the denominator is 0.",
    "The groups of a breakdown add up to the total. unknown: no income group or region "
    "known; none (channel): the jurisdiction gave no answer through any channel.",
    "Only choice questions are counted; phases and free text are not shares. Full rules: "
    "docs/counting-rules.md.",
)


@register
class FindingsExporter(Exporter):
    id = "findings"
    label = "Findings in total and by every breakdown, one row per question and group"
    # sdmx-csv, sdmx-ml: the latest publication's findings as SDMX (mnr.exporters.sdmx).
    formats = ("csv", "xlsx", "json", *sdmx.FORMATS)
    # Counts only; for users without jurisdiction-level access small cells are withheld.
    jurisdiction_level = False

    @property
    def lang(self) -> str:
        return self.languages[0] if self.languages else "en"

    @property
    def restricted(self) -> bool:
        """Whether disclosure control applies (the operator at the command line sees all)."""
        return not reads_live(self.user, self.round, public=False)

    def render(self) -> tuple[str, str, bytes]:
        if self.format in sdmx.FORMATS:
            # What is exchanged is what was published, for everyone: the latest publication.
            return sdmx.render(require_publication(self.round), self.format)
        rows = self.rows()
        if self.format == "csv":
            return self.filename(), "text/csv; charset=utf-8", _csv(rows)
        if self.format == "json":
            return self.filename(), "application/json", _json(rows)
        return self.filename(), XLSX, _xlsx(rows, self.notes())

    def findings(self) -> list[Finding]:
        try:
            findings = round_findings(
                self.round, breakdowns=[None, *BREAKDOWNS], user=self.user, lang=self.lang
            )
        except ValueError as error:
            # The counting rules refuse data they cannot count (two answers from one channel).
            raise MnrError(
                f"cannot export the findings of round {self.round.code}: {error}"
            ) from error
        return findings

    def rows(self) -> list[dict[str, Any]]:
        """One row per finding, typed: numbers or None, ``suppressed`` a bool, ``counts_as``
        a list of answer codes."""
        questions = round_questions(self.round)
        return [
            {
                "question": finding.question,
                "question_label": finding_label(finding, questions, self.lang),
                "breakdown": finding.by or TOTAL,
                "group": finding.group or EVERYONE,
                **{key: finding.counts.get(key) for key in COUNT_KEYS},
                "counts_as": list(finding.counts_as),
                "numerator": finding.numerator,
                "denominator": finding.denominator,
                "percent": finding.percent,
                "suppressed": finding.suppressed,
                "sentence": finding.sentence,
            }
            for finding in self.findings()
        ]

    def notes(self) -> list[tuple[str, str]]:
        round_ = self.round
        instrument = round_.instrument
        notes = [
            ("round", f"{round_.code}: {round_.title}"),
            ("instrument", f"{instrument.code} v{instrument.version}"),
            ("income classification", f"World Bank, fiscal year {round_.income_fiscal_year}"),
            ("language", self.lang),
        ]
        if round_.synthetic:
            notes.insert(
                0,
                (
                    "SYNTHETIC DATA",
                    "Pseudonymous jurisdictions and invented answers; these are not the "
                    "findings of any real review.",
                ),
            )
        if self.restricted:
            notes.append(
                (
                    "disclosure control",
                    f"Cells covering fewer than {round_.disclosure_threshold} jurisdictions "
                    "are withheld (suppressed = yes, numbers empty), and further cells so "
                    "that none can be derived from the totals.",
                )
            )
        else:
            notes.append(("disclosure control", "none: every cell is shown"))
        notes += [("counting rules", rule) for rule in COUNTING_RULES]
        return notes


def _text(column: str, value: Any) -> str:
    """A value as text: empty for None, codes joined by ``|``, yes/no for suppressed."""
    if value is None:
        return ""
    if column == "counts_as":
        return "|".join(value)
    if column == "suppressed":
        return "yes" if value else "no"
    return str(value)


def _cell(column: str, value: Any) -> str:
    """A value as CSV text, the text columns neutralised against formulas."""
    text = _text(column, value)
    return neutralise(text) if column in TEXT_COLUMNS else text


def _csv(rows: Sequence[dict[str, Any]]) -> bytes:
    # The table writer guards every text cell against formulas itself.
    return csv_bytes(
        [COLUMNS, *([_text(column, row[column]) for column in COLUMNS] for row in rows)]
    )


def _json(rows: Sequence[dict[str, Any]]) -> bytes:
    return (json.dumps(list(rows), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _xlsx_cell(column: str, value: Any) -> Any:
    """Numbers stay numbers; text is neutralised and escaped as OOXML needs."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return escape_xlsx(_cell(column, value))


def _xlsx(rows: Sequence[dict[str, Any]], notes: Sequence[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for breakdown in (TOTAL, *BREAKDOWNS):
        sheet = workbook.create_sheet(breakdown)
        sheet.append(list(COLUMNS))
        for row in rows:
            if row["breakdown"] == breakdown:
                sheet.append([_xlsx_cell(column, row[column]) for column in COLUMNS])
    sheet = workbook.create_sheet("notes")
    for key, value in notes:
        sheet.append([escape_xlsx(neutralise(key)), escape_xlsx(neutralise(value))])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
