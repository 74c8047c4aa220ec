"""The action plan as an XLSX workbook and as PDF.

Both are drawn from a :class:`PlanDocument`: the plan exactly as ``mnr plan --format json``
prints it (``Plan.to_json()``), with what a reader needs beside it (capability and phase names,
the stored notes, the round, whether its data are synthetic). ``docs/plan.md`` lists the
columns.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from mnr.core import framework as core_framework
from mnr.core.spreadsheet import escape_xlsx, neutralise
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import service
from mnr.maturity.render.profile import css_string, page_footer
from mnr.maturity.render.texts import texts
from mnr.surveys.models import Round

COLUMNS: tuple[str, ...] = (
    "capability",
    "name",
    "current_phase",
    "target_phase",
    "target",
    "steps",
    "depends_on",
    "owner",
    "due",
    "status",
    "notes",
)
# Characters per column in the workbook: long texts wrap inside their cells.
WIDTHS: Mapping[str, int] = {
    "capability": 11,
    "name": 28,
    "current_phase": 14,
    "target_phase": 13,
    "target": 55,
    "steps": 70,
    "depends_on": 14,
    "owner": 22,
    "due": 12,
    "status": 13,
    "notes": 40,
}
DATE_FORMAT = "yyyy-mm-dd"


@dataclass(frozen=True)
class PlanDocument:
    """A jurisdiction's plan with the names and notes that the files show beside it."""

    plan: Mapping[str, Any]  # Plan.to_json()
    round_title: str
    name: str  # the jurisdiction's, in ``lang``
    synthetic: bool
    lang: str
    capability_names: Mapping[str, str]
    phase_names: Mapping[int, str]
    notes: Mapping[str, str] = field(default_factory=dict)
    generated: datetime.datetime = field(default_factory=timezone.now)

    @property
    def items(self) -> Sequence[Mapping[str, Any]]:
        items: Sequence[Mapping[str, Any]] = self.plan["items"]
        return items


def plan_document(
    round_: Round, jurisdiction: Jurisdiction, *, lang: str = "en", user: Any = None
) -> PlanDocument:
    """The plan as ``user`` may see it (``None``: the operator), with the stored notes."""
    plan = service.plan_for(round_, jurisdiction, lang=lang, user=user)
    stored = service.stored_items(round_, jurisdiction)
    return PlanDocument(
        plan=plan.to_json(),
        round_title=round_.title,
        name=jurisdiction.name(lang),
        synthetic=round_.synthetic,
        lang=lang,
        capability_names={
            capability.id: core_framework.text(capability.name, lang)
            for capability in service.edition_of(round_).capabilities()
        },
        phase_names=service.phase_names(round_, lang),
        notes={capability: row.notes for capability, row in stored.items() if row.notes},
    )


def _phase(phase: int | None, document: PlanDocument, words: Mapping[str, str]) -> str:
    if phase is None:
        return words["no_phase"]
    return f"{phase} {document.phase_names.get(phase, '')}".strip()


def item_cells(
    item: Mapping[str, Any], document: PlanDocument, words: Mapping[str, str]
) -> dict[str, Any]:
    """One item as the workbook's row shows it, by column (plain values, before escaping)."""
    due = item["due"]
    return {
        "capability": item["capability"],
        "name": document.capability_names.get(item["capability"], ""),
        "current_phase": item["current_phase"]
        if item["current_phase"] is not None
        else words["no_phase"],
        "target_phase": item["target_phase"],
        "target": item["target"],
        "steps": "\n".join(item["steps"]),
        "depends_on": ", ".join(item["depends_on"]),
        "owner": item["owner"] or "",
        "due": datetime.date.fromisoformat(due) if due else None,
        "status": words.get(f"status.{item['status']}", item["status"]),
        "notes": document.notes.get(item["capability"], ""),
    }


def _xlsx_value(value: Any) -> Any:
    """Numbers and dates stay themselves; text is neutralised and escaped as OOXML needs."""
    if isinstance(value, str):
        return escape_xlsx(neutralise(value)) if value else None
    return value


def plan_xlsx(document: PlanDocument) -> bytes:
    """Sheet "Plan": one row per item in plan order, header frozen; sheet "About": the round,
    the jurisdiction, when it was generated and whether the data are synthetic."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    words = texts(document.lang)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = words["plan_sheet"]
    sheet.append([_xlsx_value(words[f"col.{column}"]) for column in COLUMNS])
    header_fill = PatternFill("solid", fgColor="EEF2F6")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    wrapped = Alignment(vertical="top", wrap_text=True)
    for item in document.items:
        cells = item_cells(item, document, words)
        sheet.append([_xlsx_value(cells[column]) for column in COLUMNS])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrapped
        sheet.cell(sheet.max_row, COLUMNS.index("due") + 1).number_format = DATE_FORMAT
    for position, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = WIDTHS[column]
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions

    about = workbook.create_sheet(words["about_sheet"])
    for key, value in _about(document, words):
        about.append([_xlsx_value(key), _xlsx_value(value)])
        about.cell(about.max_row, 1).font = Font(bold=True)
        about.cell(about.max_row, 2).alignment = wrapped
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _about(document: PlanDocument, words: Mapping[str, str]) -> list[tuple[str, str]]:
    rows = [
        (words["about.round"], document.plan["round"]),
        (words["about.round_title"], document.round_title),
        (words["about.jurisdiction"], f"{document.plan['jurisdiction']} {document.name}"),
        (words["about.generated"], document.generated.isoformat(timespec="seconds")),
        (words["about.lang"], document.lang),
        (words["about.items"], str(len(document.items))),
        (
            words["about.data"],
            f"{words['synthetic']}: {words['synthetic_note']}"
            if document.synthetic
            else words["about.real"],
        ),
        (words["about.order"], words["plan_intro"]),
    ]
    return rows


def plan_html(document: PlanDocument) -> str:
    """The plan as one self-contained HTML page, as the PDF prints it."""
    words = texts(document.lang)
    rows = []
    for item in document.items:
        rows.append(
            {
                **item,
                "name": document.capability_names.get(item["capability"], ""),
                "current": _phase(item["current_phase"], document, words),
                "target_name": _phase(item["target_phase"], document, words),
                "status_text": words.get(f"status.{item['status']}", item["status"]),
                "notes": document.notes.get(item["capability"], ""),
            }
        )
    context = {
        "t": words,
        "col": {column: words[f"col.{column}"] for column in COLUMNS},
        "lang": document.lang,
        "document": document,
        "title": words["plan_of"].format(name=document.name),
        "generated": words["generated"].format(
            date=document.generated.date().isoformat(), round=document.plan["round"]
        ),
        "rows": rows,
        "synthetic": document.synthetic,
        "page_size": "A4 landscape",
        "page_footer": page_footer(document.lang),
        "synthetic_footer": css_string(words["synthetic"]),
    }
    return render_to_string("maturity/plan.html", context)


def plan_pdf(document: PlanDocument) -> bytes:
    """A4 landscape, numbered pages; "SYNTHETIC DATA" in every page's footer when synthetic."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=plan_html(document)).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
