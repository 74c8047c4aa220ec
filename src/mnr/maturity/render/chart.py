"""The profile's heat strip: one row of cells per domain, one cell per capability, shaded by its
phase, with the phase printed in the cell; and the chart's text alternative.

The spec is a plain Vega-Lite dict filled from the profile (``mnr.maturity.service.profile``),
not an Altair object: it is small and fixed in shape, and building Altair objects is slow. The
same spec is drawn offline by vl-convert (HTML file, PDF) and by vega-embed on the web page.

Readable in grayscale: the shades go from white (no phase) through light to dark blue (phase 1
to 4) with gray levels at least 40 apart, every cell is outlined (dashed when it has no phase),
and the phase is printed in it as a number; ``docs/maturity.md`` lists the palette.
"""

from __future__ import annotations

import functools
import html
import json
import re
import textwrap
from collections.abc import Mapping
from typing import Any

import vl_convert

from mnr.core.charts import FONT, VEGA_LITE_VERSION
from mnr.maturity.render.texts import texts

# Phase level ("none": no phase) → fill, and the ink of what is printed on it. Gray levels
# (ITU-R 601-2, as Pillow's "L"): 255, 213, 159, 97, 43.
PHASE_FILL: Mapping[str, str] = {
    "none": "#ffffff",
    "1": "#c3d9ee",
    "2": "#6baed6",
    "3": "#2171b5",
    "4": "#08306b",
}
PHASE_INK: Mapping[str, str] = {
    "none": "#1a1a1a",
    "1": "#1a1a1a",
    "2": "#1a1a1a",
    "3": "#ffffff",
    "4": "#ffffff",
}
OUTLINE = "#6b6b6b"
NO_PHASE_MARK = "\N{EN DASH}"
OVERRIDE_MARK = "*"

CELL_WIDTH = 132  # pixels per capability cell, padding included
CELL_HEIGHT = 66  # pixels per domain row, padding included
CELL_PADDING = 0.06  # share of a step left between cells
LABEL_WIDTH = 150  # pixels for the domain names left of the rows
LABEL_WRAP = 20  # characters per line of a domain name
NAME_WRAP = 22  # characters per line of a capability name inside its cell
NAME_LINES = 3
LINE_HEIGHT = 11
DOMAIN_LINE_HEIGHT = 13


def _key(phase: int | None) -> str:
    return "none" if phase is None else str(phase)


def _domain_label(domain: Mapping[str, Any]) -> str:
    """The domain as named left of its row, broken into lines (Vega does not wrap labels)."""
    label = f"{domain['id']} {domain['name']}"
    return "\n".join(textwrap.wrap(label, LABEL_WRAP)) or label


def _legend_labels(profile: Mapping[str, Any]) -> dict[str, str]:
    words = texts(profile["lang"])
    names = {str(p["level"]): p["name"] for p in profile["phases"]}
    labels = {"none": words["no_phase_legend"]}
    for level in ("1", "2", "3", "4"):
        labels[level] = f"{level} {names.get(level, '')}".strip()
    return labels


def _cells(profile: Mapping[str, Any]) -> list[dict[str, Any]]:
    labels = _legend_labels(profile)
    words = texts(profile["lang"])
    cells = []
    for domain in profile["domains"]:
        heading = _domain_label(domain)
        for slot, row in enumerate(domain["capabilities"]):
            key = _key(row["phase"])
            mark = NO_PHASE_MARK if row["phase"] is None else str(row["phase"])
            if row["override"] is not None:
                mark += OVERRIDE_MARK
            cells.append(
                {
                    "domain": heading,
                    "slot": slot,
                    "capability": row["capability"],
                    "name": row["name"],
                    "lines": textwrap.wrap(
                        row["name"], NAME_WRAP, max_lines=NAME_LINES, placeholder=" …"
                    )
                    or [row["name"]],
                    "phase": row["phase"],
                    "legend": labels[key],
                    "mark": mark,
                    "ink": PHASE_INK[key],
                    "description": _cell_sentence(row, words),
                }
            )
    return cells


def _cell_sentence(row: Mapping[str, Any], words: Mapping[str, str]) -> str:
    if row["phase"] is None:
        sentence = words["alt_no_phase"].format(id=row["capability"], name=row["name"])
    else:
        sentence = (
            words["alt_cell"]
            .format(
                id=row["capability"],
                name=row["name"],
                phase=row["phase"],
                phase_name=row["phase_name"] or "",
            )
            .rstrip()
        )
    if row["override"] is not None:
        computed = row["computed_phase"]
        sentence += words["alt_override"].format(
            computed=words["no_phase"] if computed is None else computed
        )
    return sentence


def profile_chart_sentences(profile: Mapping[str, Any]) -> list[str]:
    """What the chart shows: what it is, then one sentence per domain giving every capability
    with its phase."""
    words = texts(profile["lang"])
    intro = words["alt_intro"].format(name=profile["name"], round=profile["round"])
    if profile["synthetic"]:
        intro += f" {words['alt_synthetic']}"
    sentences = [intro]
    for domain in profile["domains"]:
        cells = "; ".join(_cell_sentence(row, words) for row in domain["capabilities"])
        sentences.append(f"{domain['id']} {domain['name']}: {cells}.")
    return sentences


def profile_chart_alt(profile: Mapping[str, Any]) -> str:
    """The chart's text alternative: :func:`profile_chart_sentences` as one text."""
    return " ".join(profile_chart_sentences(profile))


def _title(profile: Mapping[str, Any]) -> dict[str, Any]:
    words = texts(profile["lang"])
    names = {p["level"]: p["name"] for p in profile["phases"]}
    # Two lines, the synthetic label first on the second, so that a long name cannot push it
    # past the title's width.
    round_ = f"{words['round']} {profile['round']}"
    title = [
        words["chart_title"].format(name=profile["name"]),
        f"{words['synthetic']} · {round_}" if profile["synthetic"] else round_,
    ]
    subtitle = [words["chart_subtitle"].format(first=names.get(1, ""), last=names.get(4, ""))]
    if any(row["override"] for domain in profile["domains"] for row in domain["capabilities"]):
        subtitle.append(words["chart_override"])
    return {
        "text": title,
        "subtitle": subtitle,
        "anchor": "start",
        "fontSize": 14,
        "subtitleFontSize": 10.5,
        "offset": 10,
        "limit": LABEL_WIDTH + 4 * CELL_WIDTH,
    }


def profile_chart(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The heat strip of ``profile`` as a Vega-Lite spec with its data inline."""
    labels = _legend_labels(profile)
    order = [_domain_label(domain) for domain in profile["domains"]]
    half_width = CELL_WIDTH * (1 - CELL_PADDING) / 2
    half_height = CELL_HEIGHT * (1 - CELL_PADDING) / 2
    ink = {"field": "ink", "type": "nominal", "scale": None}
    text_mark = {"type": "text", "font": FONT, "aria": False}
    return {
        "$schema": f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_VERSION}.json",
        "description": profile_chart_alt(profile),
        "title": _title(profile),
        "data": {"values": _cells(profile)},
        "width": {"step": CELL_WIDTH},
        "height": {"step": CELL_HEIGHT},
        "encoding": {
            "x": {
                "field": "slot",
                "type": "ordinal",
                "axis": None,
                "scale": {"paddingInner": CELL_PADDING, "paddingOuter": CELL_PADDING / 2},
            },
            "y": {
                "field": "domain",
                "type": "nominal",
                "sort": order,
                "title": None,
                "scale": {"paddingInner": CELL_PADDING, "paddingOuter": CELL_PADDING / 2},
                "axis": {
                    "labelExpr": "split(datum.label, '\\n')",
                    "labelLineHeight": DOMAIN_LINE_HEIGHT,
                    # Vega centres the first line of a label on its row: move two lines up.
                    "labelOffset": {
                        "condition": {
                            "test": "indexof(datum.label, '\\n') >= 0",
                            "value": -DOMAIN_LINE_HEIGHT / 2,
                        },
                        "value": 0,
                    },
                    "labelFontSize": 11,
                    "labelFontWeight": "bold",
                    "labelLimit": LABEL_WIDTH - 8,
                    "minExtent": LABEL_WIDTH,
                    "maxExtent": LABEL_WIDTH,
                    "ticks": False,
                    "domain": False,
                    "labelPadding": 8,
                },
            },
        },
        "layer": [
            {
                "mark": {"type": "rect", "stroke": OUTLINE, "strokeWidth": 0.8},
                "encoding": {
                    "fill": {
                        "field": "legend",
                        "type": "nominal",
                        "scale": {
                            "domain": [labels[key] for key in PHASE_FILL],
                            "range": list(PHASE_FILL.values()),
                        },
                        "legend": {
                            "title": None,
                            "orient": "bottom",
                            "direction": "horizontal",
                            "symbolType": "square",
                            "symbolStrokeColor": OUTLINE,
                            "symbolStrokeWidth": 0.8,
                            "labelFontSize": 10.5,
                        },
                    },
                    # A cell without a phase gets the dashed outline of the layer below.
                    "stroke": {
                        "condition": {"test": "datum.phase === null", "value": "transparent"},
                        "value": OUTLINE,
                    },
                    "tooltip": [
                        {"field": "description", "type": "nominal", "title": " "},
                    ],
                    "description": {"field": "description", "type": "nominal"},
                },
            },
            {
                "transform": [{"filter": "datum.phase === null"}],
                "mark": {
                    "type": "rect",
                    "fill": "transparent",
                    "stroke": OUTLINE,
                    "strokeWidth": 1,
                    "strokeDash": [4, 3],
                    "aria": False,
                },
            },
            {
                "mark": {
                    **text_mark,
                    "align": "left",
                    "baseline": "top",
                    "dx": -half_width + 6,
                    "dy": -half_height + 5,
                    "fontSize": 10.5,
                    "fontWeight": "bold",
                },
                "encoding": {"text": {"field": "capability", "type": "nominal"}, "color": ink},
            },
            {
                "mark": {
                    **text_mark,
                    "align": "right",
                    "baseline": "top",
                    "dx": half_width - 6,
                    "dy": -half_height + 2,
                    "fontSize": 19,
                    "fontWeight": "bold",
                },
                "encoding": {"text": {"field": "mark", "type": "nominal"}, "color": ink},
            },
            {
                "mark": {
                    **text_mark,
                    "align": "left",
                    "baseline": "top",
                    "dx": -half_width + 6,
                    "dy": -half_height + 24,
                    "fontSize": 9,
                    "lineHeight": LINE_HEIGHT,
                },
                "encoding": {"text": {"field": "lines", "type": "nominal"}, "color": ink},
            },
        ],
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 8,
            "view": {"stroke": None},
        },
    }


@functools.lru_cache(maxsize=32)
def _svg(spec_json: str) -> str:
    svg: str = vl_convert.vegalite_to_svg(json.loads(spec_json), vl_version=VEGA_LITE_VERSION)
    return svg


def profile_svg(profile: Mapping[str, Any], *, element_id: str = "profile-chart") -> str:
    """The chart as inline SVG: an image whose name is the text alternative (``<title>`` and
    ``aria-labelledby``), for HTML files and the PDF."""
    svg = _svg(json.dumps(profile_chart(profile), sort_keys=True))
    title_id = f"{element_id}-title"
    alt = html.escape(profile_chart_alt(profile))
    return re.sub(
        r"^<svg ",
        f'<svg id="{element_id}" role="img" aria-labelledby="{title_id}" ',
        svg,
        count=1,
    ).replace(">", f'><title id="{title_id}">{alt}</title>', 1)
