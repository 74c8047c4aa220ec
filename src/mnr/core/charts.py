"""Charts of a round's results as Vega-Lite specs, with their text alternatives.

The specs are plain Vega-Lite dicts, fixed in shape and filled with the round's numbers (no
Altair objects: building those took most of a findings page's time). They carry their data
inline, so one spec serves the report (rendered here to SVG or PNG by vl-convert, offline)
and the web app (drawn by the vega-embed bundle from :func:`vega_embed_bundle`, served
locally). The stacking and the
labels are computed here rather than by Vega-Lite, so that what is drawn and what the text
alternative says come from the same numbers. What each chart shows, the palette and its
grayscale check are described in ``docs/charts.md``.
"""

from __future__ import annotations

import functools
import json
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import vl_convert

from mnr.core.findings import COUNT_KEYS, Finding, SnapshotRow
from mnr.core.numbers import percent_text

FONT = "DejaVu Sans, Noto Sans, sans-serif"
# The Vega-Lite version the specs are written for, which vl-convert must render them with.
VEGA_LITE_VERSION = "6.4"
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
# What the web app's bundle exposes to the page's scripts.
EMBED_GLOBALS = "window.vegaEmbed = vegaEmbed; window.vega = vega; window.vegaLite = vegaLite;"

# Snapshot segments in stacking order. Blank and not applicable share the last segment: both
# stay outside the denominator, and a sixth shade would not survive grayscale printing.
SNAPSHOT_CATEGORIES: tuple[str, ...] = ("yes", "partial", "no", "dont_know", "no_answer")
# Luminance falls strictly from "no answer" to "yes" (see docs/charts.md); hues tell yes and
# partly (blue) from no (orange) for readers who see colour, including most colour-blind ones.
SNAPSHOT_COLOURS: Mapping[str, str] = {
    "yes": "#08306b",
    "partial": "#2171b5",
    "no": "#d07f35",
    "dont_know": "#cccccc",
    "no_answer": "#f4f4f4",
}
# Counts printed inside a segment: white on the two dark shades, near-black on the others.
SNAPSHOT_INK: Mapping[str, str] = {
    "yes": "#ffffff",
    "partial": "#ffffff",
    "no": "#1a1a1a",
    "dont_know": "#1a1a1a",
    "no_answer": "#1a1a1a",
}
SEGMENT_OUTLINE = "#6b6b6b"
# Group bars are named on their axis; the shades only help, and differ in luminance within
# each breakdown: HIC, LMIC, unknown for "income"; HIC to LIC, unknown for "income-group".
GROUP_COLOURS: Mapping[str, str] = {
    "HIC": "#08306b",
    "UMC": "#2171b5",
    "LMC": "#4292c6",
    "LMIC": "#6baed6",
    "LIC": "#9ecae1",
    "unknown": "#e0e0e0",
}
INCOME_BREAKDOWNS: tuple[str, ...] = ("income", "income-group")

BAR_WIDTH = 380  # pixels for the full count of jurisdictions or 100 per cent
BAR_SIZE = 16  # pixels across a bar
ROW_STEP = 22  # pixels per capability or group row
ROW_STEP_WRAPPED = 28  # pixels per row when some capability name takes two lines
LABEL_WIDTH = 300  # pixels reserved for the capability names left of the bars
LABEL_WRAP = 42  # characters per line of a capability name (two lines at most)
LINE_HEIGHT = 12  # pixels between the lines of a capability name
GROUP_LABEL_WIDTH = 220  # pixels reserved for the income group names left of the bars
QUESTION_WRAP = 70  # characters per line of a question label above its bars

TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "yes": "Yes",
        "partial": "Partly",
        "no": "No",
        "dont_know": "Don't know",
        "no_answer": "No answer or not applicable",
        "word.yes": "yes",
        "word.partial": "partly",
        "word.no": "no",
        "word.dont_know": "don't know",
        "word.blank": "no answer",
        "word.not_applicable": "not applicable",
        "snapshot.title": "Capabilities in place",
        "snapshot.subtitle": (
            "Answers of {total} jurisdictions. In place: yes or partly, of the jurisdictions "
            "that answered (not applicable left out)."
        ),
        "snapshot.axis": "Jurisdictions",
        "snapshot.legend": "Answer",
        "snapshot.in_place": "{in_place} of {denominator} in place",
        "snapshot.segment": "{label}, {answer}: {count}",
        "breakdown.bar": "{question}, {group}: {value}",
        "snapshot.alt_row": "{label}: {in_place} of {denominator} in place{share}",
        "snapshot.alt_unanswered": "{label}: no jurisdiction answered",
        "snapshot.alt_share": " ({percent} per cent; {parts})",
        "breakdown.title": "Share in place by income group",
        "breakdown.subtitle": "Per cent of the jurisdictions in each group that answered.",
        "breakdown.axis": "Per cent in place",
        "breakdown.value": "{percent_sign} ({numerator} of {denominator})",
        "breakdown.alt_value": "{percent} per cent ({numerator} of {denominator})",
        "no_answers": "no answers",
        "alt.colon": ": ",
        "alt.list": "; ",
        "breakdown.withheld": "withheld*",
        "breakdown.alt_withheld": "withheld",
        "breakdown.note": (
            "* Withheld: too few jurisdictions to show without risk of pointing at one of them."
        ),
        "group.HIC": "High income",
        "group.LMIC": "Low and middle income",
        "group.UMC": "Upper middle income",
        "group.LMC": "Lower middle income",
        "group.LIC": "Low income",
        "group.unknown": "Income group not known",
        "tooltip.capability": "Capability",
        "tooltip.answer": "Answer",
        "tooltip.jurisdictions": "Jurisdictions",
        "tooltip.question": "Question",
        "tooltip.group": "Group",
        "tooltip.share": "Share in place",
        "synthetic": "SYNTHETIC DATA",
        "alt_synthetic": "Synthetic data: pseudonymous jurisdictions and invented answers.",
    },
    "fr": {
        "yes": "Oui",
        "partial": "En partie",
        "no": "Non",
        "dont_know": "Ne sait pas",
        "no_answer": "Sans réponse ou sans objet",
        "word.yes": "oui",
        "word.partial": "en partie",
        "word.no": "non",
        "word.dont_know": "ne sait pas",
        "word.blank": "sans réponse",
        "word.not_applicable": "sans objet",
        "snapshot.title": "Capacités en place",
        "snapshot.subtitle": (
            "Réponses de {total} juridictions. En place\u00a0: oui ou en partie, parmi les "
            "juridictions qui ont répondu (hors «\u00a0sans objet\u00a0»)."
        ),
        "snapshot.axis": "Juridictions",
        "snapshot.legend": "Réponse",
        "snapshot.in_place": "{in_place} sur {denominator} en place",
        "snapshot.segment": "{label}, {answer}\u00a0: {count}",
        "breakdown.bar": "{question}, {group}\u00a0: {value}",
        "snapshot.alt_row": "{label}\u00a0: {in_place} sur {denominator} en place{share}",
        "snapshot.alt_unanswered": "{label}\u00a0: aucune juridiction n'a répondu",
        "snapshot.alt_share": " ({percent} pour cent\u00a0; {parts})",
        "breakdown.title": "Part en place par groupe de revenu",
        "breakdown.subtitle": "Pour cent des juridictions de chaque groupe qui ont répondu.",
        "breakdown.axis": "Pour cent en place",
        "breakdown.value": "{percent_sign} ({numerator} sur {denominator})",
        "breakdown.alt_value": "{percent} pour cent ({numerator} sur {denominator})",
        "no_answers": "aucune réponse",
        "alt.colon": "\u00a0: ",
        "alt.list": "\u00a0; ",
        "breakdown.withheld": "non publié*",
        "breakdown.alt_withheld": "non publié",
        "breakdown.note": (
            "* Non publié\u00a0: trop peu de juridictions pour le montrer sans risquer d'en "
            "désigner une."
        ),
        "group.HIC": "Revenu élevé",
        "group.LMIC": "Revenu faible et intermédiaire",
        "group.UMC": "Revenu intermédiaire supérieur",
        "group.LMC": "Revenu intermédiaire inférieur",
        "group.LIC": "Revenu faible",
        "group.unknown": "Groupe de revenu inconnu",
        "tooltip.capability": "Capacité",
        "tooltip.answer": "Réponse",
        "tooltip.jurisdictions": "Juridictions",
        "tooltip.question": "Question",
        "tooltip.group": "Groupe",
        "tooltip.share": "Part en place",
        "synthetic": "DONNÉES SYNTHÉTIQUES",
        "alt_synthetic": (
            "Données synthétiques\u00a0: juridictions pseudonymes et réponses inventées."
        ),
    },
    "es": {
        "yes": "Sí",
        "partial": "En parte",
        "no": "No",
        "dont_know": "No sabe",
        "no_answer": "Sin respuesta o no aplica",
        "word.yes": "sí",
        "word.partial": "en parte",
        "word.no": "no",
        "word.dont_know": "no sabe",
        "word.blank": "sin respuesta",
        "word.not_applicable": "no aplica",
        "snapshot.title": "Capacidades en funcionamiento",
        "snapshot.subtitle": (
            "Respuestas de {total} jurisdicciones. En funcionamiento: sí o en parte, entre las "
            "jurisdicciones que respondieron (sin contar «no aplica»)."
        ),
        "snapshot.axis": "Jurisdicciones",
        "snapshot.legend": "Respuesta",
        "snapshot.in_place": "{in_place} de {denominator} en funcionamiento",
        "snapshot.segment": "{label}, {answer}: {count}",
        "breakdown.bar": "{question}, {group}: {value}",
        "snapshot.alt_row": "{label}: {in_place} de {denominator} en funcionamiento{share}",
        "snapshot.alt_unanswered": "{label}: ninguna jurisdicción respondió",
        "snapshot.alt_share": " ({percent} por ciento; {parts})",
        "breakdown.title": "Proporción en funcionamiento por grupo de ingreso",
        "breakdown.subtitle": "Por ciento de las jurisdicciones de cada grupo que respondieron.",
        "breakdown.axis": "Por ciento en funcionamiento",
        "breakdown.value": "{percent_sign} ({numerator} de {denominator})",
        "breakdown.alt_value": "{percent} por ciento ({numerator} de {denominator})",
        "no_answers": "sin respuestas",
        "alt.colon": ": ",
        "alt.list": "; ",
        "breakdown.withheld": "no publicado*",
        "breakdown.alt_withheld": "no publicado",
        "breakdown.note": (
            "* No publicado: demasiado pocas jurisdicciones para mostrarlo sin riesgo de "
            "señalar a una de ellas."
        ),
        "group.HIC": "Ingreso alto",
        "group.LMIC": "Ingreso bajo y mediano",
        "group.UMC": "Ingreso mediano alto",
        "group.LMC": "Ingreso mediano bajo",
        "group.LIC": "Ingreso bajo",
        "group.unknown": "Grupo de ingreso desconocido",
        "tooltip.capability": "Capacidad",
        "tooltip.answer": "Respuesta",
        "tooltip.jurisdictions": "Jurisdicciones",
        "tooltip.question": "Pregunta",
        "tooltip.group": "Grupo",
        "tooltip.share": "Proporción en funcionamiento",
        "synthetic": "DATOS SINTÉTICOS",
        "alt_synthetic": "Datos sintéticos: jurisdicciones seudónimas y respuestas inventadas.",
    },
}


@dataclass(frozen=True)
class CapabilityLabel:
    """A capability as the chart names it, with its domain; all texts in the chart's language."""

    id: str
    name: str
    domain_id: str
    domain_name: str

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}"

    @property
    def row(self) -> str:
        """The label as drawn left of its bar: long names are broken into lines."""
        lines = textwrap.wrap(self.label, LABEL_WRAP, max_lines=2, placeholder=" …")
        return "\n".join(lines) or self.label


@dataclass(frozen=True)
class Chart:
    """A Vega-Lite spec with its data inline, its title and a text alternative."""

    spec: dict[str, Any]
    alt_text: str
    title: str


def texts(lang: str = "en") -> Mapping[str, str]:
    """The fixed texts in ``lang``, else its base language (``fr`` for ``fr-CA``), else English."""
    return TEXTS.get(lang) or TEXTS.get(lang.split("-")[0]) or TEXTS["en"]


# --- capability snapshot --------------------------------------------------------------------


def snapshot_chart(
    rows: Sequence[SnapshotRow],
    capabilities: Sequence[CapabilityLabel],
    lang: str = "en",
    *,
    synthetic: bool = False,
) -> Chart:
    """Stacked bars of the answers per capability, in framework order, one block per domain.

    ``capabilities`` gives the framework order and the names; capabilities without a row
    (excluded from the round) are left out. Every row needs a capability in the list.
    ``synthetic`` puts SYNTHETIC DATA under the title and in the text alternative.
    """
    if not rows:
        raise ValueError("the snapshot has no rows: there is no capability to chart")
    words = texts(lang)
    by_id = {row.capability: row for row in rows}
    known = {capability.id for capability in capabilities}
    unknown = [row.capability for row in rows if row.capability not in known]
    if unknown:
        raise ValueError(
            f"snapshot rows for {', '.join(unknown)} have no capability label; "
            "pass every capability of the snapshot in `capabilities`"
        )
    shown = [capability for capability in capabilities if capability.id in by_id]
    total = max((sum(row.counts.values()) for row in rows), default=0)
    title = words["snapshot.title"]
    subtitle = words["snapshot.subtitle"].format(total=total)

    step = ROW_STEP_WRAPPED if any("\n" in c.row for c in shown) else ROW_STEP
    blocks = []
    domains = list(dict.fromkeys((c.domain_id, c.domain_name) for c in shown))
    for position, (domain_id, domain_name) in enumerate(domains):
        members = [c for c in shown if c.domain_id == domain_id]
        last = position == len(domains) - 1
        heading = f"{domain_id} {domain_name}"
        blocks.append(_domain_block(heading, members, by_id, total, words, step, last))
    alt_text = _snapshot_alt_text(title, subtitle, domains, shown, by_id, words, synthetic)
    spec = _configured(
        blocks,
        {"color": "shared", "x": "shared"},
        _marked(title, words, synthetic),
        subtitle,
        alt_text,
    )
    return Chart(spec, alt_text, title)


def _domain_block(
    heading: str,
    members: Sequence[CapabilityLabel],
    by_id: Mapping[str, SnapshotRow],
    total: int,
    words: Mapping[str, str],
    step: int,
    last: bool,
) -> dict[str, Any]:
    segments = [segment for c in members for segment in _segments(c, by_id[c.id], total, words)]
    ends = [
        {
            "row": c.row,
            "total": sum(by_id[c.id].counts.values()),
            "in_place": _in_place_text(by_id[c.id], words),
        }
        for c in members
    ]
    y = _row_encoding("row", [c.row for c in members], LABEL_WIDTH, truncate=False)
    x_axis = (
        {"format": "d", "grid": True, "tickMinStep": 1, "title": words["snapshot.axis"]}
        if last
        else _HIDDEN_AXIS
    )
    bars = {
        "data": {"values": segments},
        "mark": {"type": "bar", "size": BAR_SIZE, "stroke": SEGMENT_OUTLINE, "strokeWidth": 0.5},
        "encoding": {
            "y": y,
            "x": {
                "field": "start",
                "type": "quantitative",
                "scale": {"domain": [0, max(total, 1)], "nice": False},
                "axis": x_axis,
            },
            "x2": {"field": "end"},
            "color": {
                "field": "answer",
                "type": "nominal",
                "scale": _answer_scale(words),
                "legend": {
                    "title": None,
                    "orient": "bottom",
                    "direction": "horizontal",
                    "symbolStrokeColor": SEGMENT_OUTLINE,
                    "symbolStrokeWidth": 0.5,
                    "symbolType": "square",
                    "labelFontSize": 11,
                },
            },
            "tooltip": [
                _nominal("capability", words["tooltip.capability"]),
                _nominal("answer", words["tooltip.answer"]),
                {"field": "count", "type": "quantitative", "title": words["tooltip.jurisdictions"]},
            ],
            "description": {"field": "description", "type": "nominal"},
        },
    }
    counts = {
        "data": {"values": [s for s in segments if s["labelled"]]},
        "mark": {"type": "text", "fontSize": 10, "baseline": "middle", "aria": False},
        "encoding": {
            "y": y,
            "x": {"field": "middle", "type": "quantitative"},
            "text": {"field": "count", "type": "quantitative"},
            "color": {"field": "ink", "type": "nominal", "scale": None},
        },
    }
    in_place = {
        "data": {"values": ends},
        "mark": {
            "type": "text",
            "align": "left",
            "baseline": "middle",
            "dx": 6,
            "fontSize": 10,
            "color": "#333333",
            "aria": False,
        },
        "encoding": {
            "y": y,
            "x": {"field": "total", "type": "quantitative"},
            "text": {"field": "in_place", "type": "nominal"},
        },
    }
    return {
        "layer": [bars, counts, in_place],
        "width": BAR_WIDTH,
        "height": {"step": step},
        "title": _heading(heading),
    }


def _in_place_text(row: SnapshotRow, words: Mapping[str, str]) -> str:
    if row.denominator == 0:
        return words["no_answers"]
    return words["snapshot.in_place"].format(in_place=row.in_place, denominator=row.denominator)


# The x axis of every block but the last: its grid only, the last block carries the labels.
_HIDDEN_AXIS: Mapping[str, Any] = {
    "domain": False,
    "grid": True,
    "labels": False,
    "ticks": False,
    "title": None,
}


def _nominal(field: str, title: str) -> dict[str, Any]:
    return {"field": field, "type": "nominal", "title": title}


def _row_encoding(
    field: str, order: Sequence[str], width: int, *, truncate: bool = True
) -> dict[str, Any]:
    """Row labels left of the bars, all blocks given the same width so that their bars align.

    A label with a line break is drawn on two lines, moved up by half a line to centre it
    on its bar (Vega aligns the first line only). ``truncate`` False: a label is never cut to
    the width (labels already wrapped to fit it), which spares vl-convert measuring every
    label once more, a fifth of a report chart's drawing time.
    """
    return {
        "field": field,
        "type": "nominal",
        "sort": list(order),
        "title": None,
        "axis": {
            "labelExpr": "split(datum.label, '\\n')",
            "labelLineHeight": LINE_HEIGHT,
            "labelOffset": {
                "condition": {
                    "test": "indexof(datum.label, '\\n') >= 0",
                    "value": -LINE_HEIGHT / 2,
                },
                "value": 0,
            },
            "labelLimit": width - 8 if truncate else 0,
            "minExtent": width,
            "maxExtent": width,
            "ticks": False,
            "domain": False,
            "labelFontSize": 11,
            "labelPadding": 6,
        },
    }


def _heading(text: str | list[str]) -> dict[str, Any]:
    return {
        "text": text,
        "anchor": "start",
        "frame": "bounds",
        "fontSize": 12,
        "fontWeight": "bold",
        "offset": 5,
    }


def _segments(
    capability: CapabilityLabel, row: SnapshotRow, total: int, words: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The bar pieces of one capability, left to right, with where their count is printed."""
    counts = _snapshot_counts(row)
    pixels_per_jurisdiction = BAR_WIDTH / max(total, 1)
    segments = []
    start = 0
    for category in SNAPSHOT_CATEGORIES:
        count = counts[category]
        if count == 0:
            continue
        digits = len(str(count))
        segments.append(
            {
                "row": capability.row,
                "capability": capability.label,
                "answer": words[category],
                "count": count,
                "start": start,
                "end": start + count,
                "middle": start + count / 2,
                "ink": SNAPSHOT_INK[category],
                "description": words["snapshot.segment"].format(
                    label=capability.label, answer=words[category], count=count
                ),
                # Print the count only where it fits inside its segment.
                "labelled": count * pixels_per_jurisdiction >= 7 * digits + 6,
            }
        )
        start += count
    return segments


def _snapshot_counts(row: SnapshotRow) -> dict[str, int]:
    counts = {category: row.counts.get(category, 0) for category in SNAPSHOT_CATEGORIES[:4]}
    counts["no_answer"] = row.counts.get("blank", 0) + row.counts.get("not_applicable", 0)
    return counts


def _snapshot_alt_text(
    title: str,
    subtitle: str,
    domains: Sequence[tuple[str, str]],
    shown: Sequence[CapabilityLabel],
    by_id: Mapping[str, SnapshotRow],
    words: Mapping[str, str],
    synthetic: bool,
) -> str:
    sentences = [f"{title}. {subtitle}"]
    if synthetic:
        sentences.append(words["alt_synthetic"])
    for domain_id, domain_name in domains:
        sentences.append(f"{domain_id} {domain_name}.")
        for capability in shown:
            if capability.domain_id == domain_id:
                sentences.append(_snapshot_alt_row(capability, by_id[capability.id], words))
    return " ".join(sentences)


def _snapshot_alt_row(
    capability: CapabilityLabel, row: SnapshotRow, words: Mapping[str, str]
) -> str:
    """E.g. "C11 Child Helpline: 40 of 41 in place (98 per cent; 35 yes, 5 partly), 1 no."."""
    if row.denominator == 0:
        return words["snapshot.alt_unanswered"].format(label=capability.label) + "."

    def parts(codes: Sequence[str]) -> list[str]:
        return [f"{row.counts[c]} {words['word.' + c]}" for c in codes if row.counts.get(c)]

    share = ""
    if row.percent_in_place is not None and row.in_place:
        share = words["snapshot.alt_share"].format(
            percent=row.percent_in_place, parts=", ".join(parts(("yes", "partial")))
        )
    lead = words["snapshot.alt_row"].format(
        label=capability.label,
        in_place=row.in_place,
        denominator=row.denominator,
        share=share,
    )
    rest = parts(("no", "dont_know", "not_applicable", "blank"))
    return ", ".join([lead, *rest]) + "."


# --- breakdown by income group --------------------------------------------------------------


def breakdown_chart(
    findings: Sequence[Finding],
    labels: Mapping[str, str],
    lang: str = "en",
    *,
    synthetic: bool = False,
) -> Chart:
    """Share in place per income group for a few questions, one block of bars per question.

    ``labels`` maps question ids to the texts shown (the id is shown when a label is missing).
    A withheld (suppressed) cell gets no bar, only the word "withheld" and a note.
    ``synthetic`` puts SYNTHETIC DATA under the title and in the text alternative.
    """
    if not findings:
        raise ValueError("there are no findings to chart")
    words = texts(lang)
    other = sorted({str(f.by) for f in findings if f.by not in INCOME_BREAKDOWNS})
    if other:
        raise ValueError(
            f"breakdown_chart shows income groups, not breakdowns by {', '.join(other)}; "
            "pass findings computed with by='income' or by='income-group'"
        )
    questions = list(dict.fromkeys(f.question for f in findings))
    withheld = any(f.suppressed for f in findings)
    title = words["breakdown.title"]
    subtitle = words["breakdown.subtitle"]
    blocks = []
    for position, question in enumerate(questions):
        cells = [f for f in findings if f.question == question]
        last = position == len(questions) - 1
        blocks.append(_question_block(labels.get(question, question), cells, words, last, lang))
    if withheld:
        blocks.append(_note(words["breakdown.note"]))
    alt_text = _breakdown_alt_text(
        title, subtitle, questions, findings, labels, words, withheld, synthetic
    )
    spec = _configured(
        blocks, {"x": "shared"}, _marked(title, words, synthetic), subtitle, alt_text
    )
    return Chart(spec, alt_text, title)


# Vega expressions choosing the cells with a value (drawn) and the withheld ones (written).
_SHOWN = {"filter": "(datum.percent !== null)"}
_NOT_SHOWN = {"filter": "(!(datum.percent !== null))"}


def _question_block(
    label: str, cells: Sequence[Finding], words: Mapping[str, str], last: bool, lang: str
) -> dict[str, Any]:
    values: list[dict[str, Any]] = [
        {
            "question": label,
            "group": _group_name(f.group, words),
            "colour": GROUP_COLOURS.get(f.group or "", GROUP_COLOURS["unknown"]),
            "percent": None if f.suppressed else f.percent,
            "text": _cell_text(f, words, "breakdown.value", "breakdown.withheld", lang),
            "description": words["breakdown.bar"].format(
                question=label,
                group=_group_name(f.group, words),
                value=_cell_text(f, words, "breakdown.alt_value", "breakdown.alt_withheld"),
            ),
        }
        for f in cells
    ]
    y = _row_encoding("group", [str(v["group"]) for v in values], GROUP_LABEL_WIDTH, truncate=False)
    x_axis = (
        {"grid": True, "title": words["breakdown.axis"], "values": list(range(0, 101, 20))}
        if last
        else _HIDDEN_AXIS
    )
    bars = {
        "transform": [_SHOWN],
        "mark": {"type": "bar", "size": BAR_SIZE, "stroke": SEGMENT_OUTLINE, "strokeWidth": 0.5},
        "encoding": {
            "y": y,
            "x": {
                "field": "percent",
                "type": "quantitative",
                "scale": {"domain": [0, 100], "nice": False},
                "axis": x_axis,
            },
            "color": {"field": "colour", "type": "nominal", "scale": None},
            "tooltip": [
                _nominal("question", words["tooltip.question"]),
                _nominal("group", words["tooltip.group"]),
                _nominal("text", words["tooltip.share"]),
            ],
            "description": {"field": "description", "type": "nominal"},
        },
    }
    figures = {
        "transform": [_SHOWN],
        "mark": {
            "type": "text",
            "align": "left",
            "baseline": "middle",
            "dx": 5,
            "fontSize": 10,
            "color": "#1a1a1a",
            "aria": False,
        },
        "encoding": {
            "y": y,
            "x": {"field": "percent", "type": "quantitative"},
            "text": {"field": "text", "type": "nominal"},
        },
    }
    # A withheld cell is written at the start of the row, in pixels: no value is drawn for it.
    notes = {
        "transform": [_NOT_SHOWN],
        "mark": {
            "type": "text",
            "align": "left",
            "baseline": "middle",
            "x": 5,
            "fontSize": 10,
            "fontStyle": "italic",
        },
        "encoding": {
            "y": y,
            "text": {"field": "text", "type": "nominal"},
            "color": {"value": "#1a1a1a"},
            "description": {"field": "description", "type": "nominal"},
        },
    }
    return {
        "data": {"values": values},
        "layer": [bars, figures, notes],
        "width": BAR_WIDTH,
        "height": {"step": ROW_STEP},
        "title": _heading(textwrap.wrap(label, QUESTION_WRAP) or [label]),
    }


def _note(text: str) -> dict[str, Any]:
    """A line of text under the last block, as a view without axes."""
    line = {
        "mark": {
            "type": "text",
            "align": "left",
            "baseline": "top",
            "x": -GROUP_LABEL_WIDTH,
            "y": 0,
            "fontSize": 10,
            "color": "#333333",
        },
        "encoding": {"text": {"field": "note", "type": "nominal"}},
    }
    return {"data": {"values": [{"note": text}]}, "layer": [line], "width": BAR_WIDTH, "height": 12}


def _group_name(group: str | None, words: Mapping[str, str]) -> str:
    if group is None:
        raise ValueError("breakdown_chart needs findings of income groups, not round totals")
    return words.get(f"group.{group}", group)


def _cell_text(
    finding: Finding, words: Mapping[str, str], value_key: str, withheld: str, lang: str = "en"
) -> str:
    """A cell's value in words; ``{percent_sign}`` is the percentage written the way ``lang``
    writes it (mnr.core.numbers), as the report's call-outs write it."""
    if finding.suppressed:
        return words[withheld]
    if finding.percent is None or finding.numerator is None or finding.denominator is None:
        return words["no_answers"]
    return words[value_key].format(
        percent=finding.percent,
        percent_sign=percent_text(finding.percent, lang),
        numerator=finding.numerator,
        denominator=finding.denominator,
    )


def _breakdown_alt_text(
    title: str,
    subtitle: str,
    questions: Sequence[str],
    findings: Sequence[Finding],
    labels: Mapping[str, str],
    words: Mapping[str, str],
    withheld: bool,
    synthetic: bool,
) -> str:
    sentences = [f"{title}. {subtitle}"]
    if synthetic:
        sentences.append(words["alt_synthetic"])
    for question in questions:
        cells = [
            f"{_group_name(f.group, words).lower()} "
            f"{_cell_text(f, words, 'breakdown.alt_value', 'breakdown.alt_withheld')}"
            for f in findings
            if f.question == question
        ]
        label = labels.get(question, question).strip().rstrip(".?:")
        sentences.append(f"{label}{words['alt.colon']}{words['alt.list'].join(cells)}.")
    if withheld:
        sentences.append(words["breakdown.note"].lstrip("* "))
    return " ".join(sentences)


# --- findings explorer ----------------------------------------------------------------------

EXPLORER_TEXTS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Answers per question",
        "subtitle": "Per cent of the jurisdictions in each row by answer; segments give the count.",
        "axis": "% of jurisdictions",
        "withheld": "withheld",
        "alt_withheld": "{row}: withheld, not drawn ({reason})",
        "empty": "no jurisdiction",
        "alt_empty": "{row}: no jurisdiction",
        "alt_row": "{row}: {parts}",
        "alt_in_place": "; {numerator} of {denominator} in place ({percent} per cent)",
        "segment": "{row}, {answer}: {count}",
    },
    "fr": {
        "title": "Réponses par question",
        "subtitle": (
            "Part des juridictions de chaque ligne, par réponse\u00a0; chaque segment en donne "
            "le nombre."
        ),
        "axis": "% des juridictions",
        "withheld": "non publié",
        "alt_withheld": "{row}\u00a0: non publié, non dessiné ({reason})",
        "empty": "aucune juridiction",
        "alt_empty": "{row}\u00a0: aucune juridiction",
        "alt_row": "{row}\u00a0: {parts}",
        "alt_in_place": "\u00a0; {numerator} sur {denominator} en place ({percent} pour cent)",
        "segment": "{row}, {answer}\u00a0: {count}",
    },
    "es": {
        "title": "Respuestas por pregunta",
        "subtitle": (
            "Proporción de las jurisdicciones de cada fila, por respuesta; cada segmento indica "
            "el número."
        ),
        "axis": "% de las jurisdicciones",
        "withheld": "no publicado",
        "alt_withheld": "{row}: no publicado, no dibujado ({reason})",
        "empty": "ninguna jurisdicción",
        "alt_empty": "{row}: ninguna jurisdicción",
        "alt_row": "{row}: {parts}",
        "alt_in_place": "; {numerator} de {denominator} en funcionamiento ({percent} por ciento)",
        "segment": "{row}, {answer}: {count}",
    },
}
EXPLORER_LABEL_WIDTH = 150  # pixels for the row names left of the bars
EXPLORER_LABEL_WRAP = 24  # characters per line of a group name (two lines at most)
EXPLORER_SUBTITLE_WRAP = 48  # characters per line of the subtitle


@dataclass(frozen=True)
class ExplorerRow:
    """One row of the findings explorer's table: a question's finding in total (``group``
    None) or in one group, the group named as the table names it."""

    finding: Finding
    group: str | None = None

    @property
    def name(self) -> str:
        """The row as the chart names it: the question, then its group on a second line."""
        if self.group is None:
            return self.finding.question
        lines = textwrap.wrap(self.group, EXPLORER_LABEL_WRAP, max_lines=2, placeholder=" …")
        return "\n".join([self.finding.question, *lines])

    @property
    def spoken(self) -> str:
        """The row in one line, for tooltips and the text alternative."""
        if self.group is None:
            return self.finding.question
        return f"{self.finding.question}, {self.group}"


def explorer_chart(
    rows: Sequence[ExplorerRow], lang: str = "en", *, synthetic: bool = False
) -> Chart:
    """Stacked bars of the answers, one bar per row of the explorer's table in its order, as
    a single layered view whose width follows its container (``width: "container"``), so that
    it shrinks to a phone's width.

    Bars are shares of the row's jurisdictions, so that groups of different sizes compare;
    each segment prints its count where it fits. A withheld (suppressed) row is not drawn:
    the row says "withheld" and the text alternative gives the reason. ``synthetic`` puts
    SYNTHETIC DATA in the title and the text alternative.
    """
    if not rows:
        raise ValueError("the explorer has no rows to chart")
    names = [row.name for row in rows]
    if len(set(names)) != len(names):
        raise ValueError("two rows of the explorer chart have the same question and group")
    words = texts(lang)
    own = EXPLORER_TEXTS.get(lang.split("-")[0], EXPLORER_TEXTS["en"])
    segments = [segment for row in rows for segment in _explorer_segments(row, words, own)]
    notes = [
        {"row": row.name, "note": own["withheld"] if row.finding.suppressed else own["empty"]}
        for row in rows
        if row.finding.suppressed or row.finding.size == 0
    ]
    title = _marked(own["title"], words, synthetic)
    alt_text = _explorer_alt_text(rows, words, own, synthetic)
    wrapped = any("\n" in name for name in names)
    y = _row_encoding("row", names, EXPLORER_LABEL_WIDTH)
    y["scale"] = {"domain": names}
    bars: dict[str, Any] = {
        "data": {"values": segments},
        "mark": {"type": "bar", "size": BAR_SIZE, "stroke": SEGMENT_OUTLINE, "strokeWidth": 0.5},
        "encoding": {
            "y": y,
            "x": {
                "field": "start",
                "type": "quantitative",
                "scale": {"domain": [0, 100], "nice": False},
                "axis": {"grid": True, "title": own["axis"], "values": [0, 25, 50, 75, 100]},
            },
            "x2": {"field": "end"},
            "color": {
                "field": "answer",
                "type": "nominal",
                "scale": _answer_scale(words),
                "legend": {
                    "title": None,
                    "orient": "bottom",
                    # One entry a line: two columns are wider than a phone.
                    "columns": 1,
                    "symbolStrokeColor": SEGMENT_OUTLINE,
                    "symbolStrokeWidth": 0.5,
                    "symbolType": "square",
                    "labelFontSize": 11,
                    "labelLimit": 170,
                },
            },
            "tooltip": [
                _nominal("spoken", words["tooltip.question"]),
                _nominal("answer", words["tooltip.answer"]),
                {"field": "count", "type": "quantitative", "title": words["tooltip.jurisdictions"]},
            ],
            "description": {"field": "description", "type": "nominal"},
        },
    }
    # A count is printed where its segment is wide enough for it at the drawn width.
    fits = "(datum.end - datum.start) * width / 100 >= 7 * length(toString(datum.count)) + 6"
    counts = {
        "data": {"values": segments},
        "mark": {"type": "text", "fontSize": 10, "baseline": "middle", "aria": False},
        "encoding": {
            "y": y,
            "x": {"field": "middle", "type": "quantitative"},
            "text": {"field": "count", "type": "quantitative"},
            "color": {"field": "ink", "type": "nominal", "scale": None},
            "opacity": {"condition": {"test": fits, "value": 1}, "value": 0},
        },
    }
    if not segments:
        # Every row withheld: an empty group of bars would be announced without a name.
        bars["mark"]["aria"] = False
    layers = [bars, counts]
    if notes:
        layers.append(
            {
                "data": {"values": notes},
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "middle",
                    "x": 5,
                    "fontSize": 10,
                    "fontStyle": "italic",
                    "color": "#1a1a1a",
                    "aria": False,
                },
                "encoding": {"y": y, "text": {"field": "note", "type": "nominal"}},
            }
        )
    spec = {
        "$schema": VEGA_LITE_SCHEMA,
        "config": {"font": FONT, "background": "white", "view": {"stroke": None}},
        "padding": 8,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "description": alt_text,
        "title": {
            "text": title,
            # Short lines: a title wider than a phone would widen the page.
            "subtitle": textwrap.wrap(own["subtitle"], EXPLORER_SUBTITLE_WRAP),
            "anchor": "start",
            "fontSize": 15,
            "subtitleFontSize": 11,
            "offset": 12,
        },
        "width": "container",
        "height": {"step": ROW_STEP_WRAPPED if wrapped else ROW_STEP},
        "layer": layers,
    }
    return Chart(spec, alt_text, own["title"])


def _explorer_segments(
    row: ExplorerRow, words: Mapping[str, str], own: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The bar pieces of one row, left to right, in per cent of the row's jurisdictions;
    none for a withheld row."""
    finding = row.finding
    if finding.suppressed or finding.size == 0:
        return []
    counts = _snapshot_counts(_counted(finding))
    segments = []
    start = 0
    for category in SNAPSHOT_CATEGORIES:
        count = counts[category]
        if count == 0:
            continue
        segments.append(
            {
                "row": row.name,
                "spoken": row.spoken,
                "answer": words[category],
                "count": count,
                "start": 100 * start / finding.size,
                "end": 100 * (start + count) / finding.size,
                "middle": 100 * (start + count / 2) / finding.size,
                "ink": SNAPSHOT_INK[category],
                "description": own["segment"].format(
                    row=row.spoken, answer=words[category], count=count
                ),
            }
        )
        start += count
    return segments


def _counted(finding: Finding) -> SnapshotRow:
    """The finding's counts in the shape the snapshot's helpers read."""
    return SnapshotRow(
        capability="",
        question=finding.question,
        counts=dict(finding.counts),
        in_place=0,
        denominator=finding.denominator or 0,
        percent_in_place=finding.percent,
    )


def _explorer_alt_text(
    rows: Sequence[ExplorerRow],
    words: Mapping[str, str],
    own: Mapping[str, str],
    synthetic: bool,
) -> str:
    sentences = [f"{own['title']}. {own['subtitle']}"]
    if synthetic:
        sentences.append(words["alt_synthetic"])
    for row in rows:
        finding = row.finding
        if finding.suppressed:
            reason = finding.suppression_reason or own["withheld"]
            sentences.append(own["alt_withheld"].format(row=row.spoken, reason=reason) + ".")
            continue
        if finding.size == 0:
            sentences.append(own["alt_empty"].format(row=row.spoken) + ".")
            continue
        parts = ", ".join(
            f"{finding.counts[code]} {words['word.' + code]}"
            for code in COUNT_KEYS
            if finding.counts.get(code)
        )
        sentence = own["alt_row"].format(row=row.spoken, parts=parts)
        if finding.percent is not None:
            sentence += own["alt_in_place"].format(
                numerator=finding.numerator,
                denominator=finding.denominator,
                percent=finding.percent,
            )
        sentences.append(sentence + ".")
    return " ".join(sentences)


# --- rendering ------------------------------------------------------------------------------


def _marked(title: str, words: Mapping[str, str], synthetic: bool) -> str | list[str]:
    """The title as drawn: for synthetic data, SYNTHETIC DATA on a second line of it, so that
    a chart lifted out of its page still says what it shows."""
    return [title, words["synthetic"]] if synthetic else title


def _configured(
    blocks: Sequence[dict[str, Any]],
    resolve: Mapping[str, str],
    title: str | list[str],
    subtitle: str,
    alt_text: str,
) -> dict[str, Any]:
    """The blocks one above the other under the chart's title, fonts set.

    The text alternative becomes the spec's description, which Vega gives the drawn chart as
    its ARIA label in the web app. The view defaults are those Altair wrote when it built
    these specs, kept so that the specs (and their drawings) stay the same.
    """
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 8,
            "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
        },
        "description": alt_text,
        "title": {
            "text": title,
            "subtitle": subtitle,
            "anchor": "start",
            "fontSize": 15,
            "subtitleFontSize": 11,
            "offset": 12,
        },
        "vconcat": list(blocks),
        "spacing": 14,
        "resolve": {"scale": dict(resolve)},
    }


def render_svg(chart: Chart) -> str:
    """The chart as a standalone SVG document (text kept as text, fonts named in the spec).

    Drawn once per process for a given spec: the drawing depends on the spec alone (its data
    are inline), and drawing is the slow part of a report (vl-convert measures every text with
    the system fonts, a few milliseconds each), so a PDF printed after its HTML, or a preview
    opened again, reuses it.
    """
    return _drawn(json.dumps(chart.spec, ensure_ascii=False))


# About 30 KB a drawing: the charts of the three languages of a few reports.
@functools.lru_cache(maxsize=64)
def _drawn(spec: str) -> str:
    svg: str = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION)
    return svg


def forget_drawings() -> None:
    """Empty the cache of :func:`render_svg`, for benchmarks that time the drawing itself."""
    _drawn.cache_clear()


def render_png(chart: Chart, scale: float = 2) -> bytes:
    """The chart as PNG; ``scale`` 2 gives sharp print at the chart's size in CSS pixels."""
    png: bytes = vl_convert.vegalite_to_png(chart.spec, vl_version=VEGA_LITE_VERSION, scale=scale)
    return png


@functools.cache
def vega_embed_bundle() -> str:
    """vega-embed, Vega and Vega-Lite as one script that sets the globals in ``EMBED_GLOBALS``.

    Built by vl-convert from the libraries it ships (no network); it takes about two seconds
    and is close to 1 MB, so it is built once per process.
    """
    bundle: str = vl_convert.javascript_bundle(EMBED_GLOBALS, vl_version=VEGA_LITE_VERSION)
    return bundle


__all__ = [
    "FONT",
    "SNAPSHOT_CATEGORIES",
    "SNAPSHOT_COLOURS",
    "TEXTS",
    "CapabilityLabel",
    "Chart",
    "ExplorerRow",
    "breakdown_chart",
    "explorer_chart",
    "forget_drawings",
    "render_png",
    "render_svg",
    "snapshot_chart",
    "texts",
    "vega_embed_bundle",
]


def _answer_scale(words: Mapping[str, str]) -> dict[str, Any]:
    """The colour of each answer, in the order of the snapshot, named in ``words``' language."""
    return {
        "domain": [words[category] for category in SNAPSHOT_CATEGORIES],
        "range": [SNAPSHOT_COLOURS[category] for category in SNAPSHOT_CATEGORIES],
    }
