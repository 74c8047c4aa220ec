"""The maturity profile as one self-contained HTML file and as PDF (WeasyPrint, A4).

Both take the profile data of ``mnr.maturity.service.profile`` as they are (JSON-ready), so
``mnr profile --format json`` and the documents show the same thing. The web page renders the
same body (``maturity/profile_body.html``) inside the site's layout, with the chart drawn by
vega-embed instead of inline SVG.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from mnr.core.charts import texts as chart_texts
from mnr.core.numbers import count_text
from mnr.maturity.render.chart import (
    profile_chart,
    profile_chart_alt,
    profile_chart_sentences,
    profile_svg,
)
from mnr.maturity.render.texts import texts
from mnr.publications.robustness import robustness_texts

NOTHING = "\N{EN DASH}"  # an empty cell: no value to show
MINUS = "\N{MINUS SIGN}"
LINK_SCHEMES = ("https://", "http://")


def css_string(text: str) -> SafeString:
    """``text`` as a quoted CSS string that cannot end the string or the style element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return mark_safe(f'"{escaped}"')  # escaped above for a CSS string


def page_footer(lang: str) -> SafeString:
    """The ``content`` of the page-number footer: "Page 2 of 5" in ``lang``."""
    wording = texts(lang)["page"]
    before, rest = wording.split("{page}", 1)
    middle, after = rest.split("{pages}", 1)
    parts = [css_string(before), "counter(page)", css_string(middle), "counter(pages)"]
    if after:
        parts.append(css_string(after))
    return mark_safe(" ".join(parts))  # built from css_string parts


def _phase_text(phase: int | None, names: Mapping[int, str], words: Mapping[str, str]) -> str:
    if phase is None:
        return words["no_phase"]
    return f"{phase} {names.get(phase, '')}".strip()


def _change_text(change: int | None) -> str:
    if change is None:
        return NOTHING
    return f"+{change}" if change > 0 else ("0" if change == 0 else f"{MINUS}{-change}")


def _answer(answer: Mapping[str, Any], words: Mapping[str, str]) -> dict[str, str]:
    confidence = answer["confidence"]
    return {
        "label": answer["label"] or answer["respondent"],
        "phase": words["blank"] if answer["phase"] is None else str(answer["phase"]),
        "confidence": words.get(f"confidence.{confidence}", confidence or ""),
        "evidence": answer["evidence"] or "",
        "evidence_url": answer["evidence_url"] or "",
        # Only web addresses become links; anything else is shown as the text it is.
        "evidence_link": (answer["evidence_url"] or "").lower().startswith(LINK_SCHEMES),
    }


def _override(row: Mapping[str, Any], names: Mapping[int, str], words: Mapping[str, str]) -> Any:
    override = row["override"]
    if override is None:
        return None
    return {
        "computed": words["computed"].format(
            phase=_phase_text(row["computed_phase"], names, words)
        ),
        "note": words["override"].format(
            by=override["by"], date=str(override["at"])[:10], reason=override["reason"]
        ),
    }


def _group_cell(cell: Mapping[str, Any] | None, words: Mapping[str, str]) -> dict[str, Any]:
    """One capability's counts in the group: "n of N" per level, "withheld" where suppressed."""
    if cell is None:
        return {"with_phase": NOTHING, "levels": [NOTHING, NOTHING, NOTHING]}
    total = cell["with_phase"]
    levels = []
    for level in ("2", "3", "4"):
        count = cell["at_least"].get(level)
        if count is None or total is None:
            levels.append(words["withheld"])
        else:
            levels.append(words["n_of"].format(n=count, total=total))
    return {"with_phase": words["withheld"] if total is None else str(total), "levels": levels}


def _group(profile: Mapping[str, Any], words: Mapping[str, str]) -> dict[str, Any] | None:
    group = profile["group"]
    if not group:
        return None
    name = group["group"] or NOTHING
    if group["by"] == "income-group":
        name = chart_texts(profile["lang"]).get(f"group.{name}", name)
    rows = [
        {
            "capability": row["capability"],
            "name": row["name"],
            **_group_cell(group["capabilities"].get(row["capability"]), words),
        }
        for domain in profile["domains"]
        for row in domain["capabilities"]
    ]
    return {
        "heading": words[f"group.{group['by']}"].format(group=name),
        "note": words["group_note"].format(k=group["k"]),
        "levels": [words["at_least"].format(level=level) for level in (2, 3, 4)],
        "rows": rows,
    }


def _score(value: float, lang: str) -> str:
    """A domain score with two decimals, with a decimal comma in French and Spanish."""
    shown = f"{value:.2f}"
    return shown.replace(".", ",") if lang in ("fr", "es") else shown


def _robustness(profile: Mapping[str, Any]) -> dict[str, Any] | None:
    """The domain scores' intervals in words (``mnr.maturity.robustness``), domains in
    framework order."""
    found = profile.get("robustness")
    if found is None:
        return None
    lang = profile["lang"]
    t = robustness_texts(lang)
    message = ""
    if found["error"]:
        message = t["profile_failed"]
    elif not found["domains"]:
        message = t["profile_none"]
    return {
        "t": t,
        "intro": t["profile_intro"].format(replications=count_text(found["replications"], lang))
        if found["replications"]
        else "",
        "message": message,
        "rows": [
            {
                "domain": row["domain"],
                "name": row["name"],
                "nominal": _score(row["nominal"], lang),
                "range": t["score_range"].format(
                    low=_score(row["low"], lang), high=_score(row["high"], lang)
                ),
                "matters_most": row["matters_most_label"] or t["nothing_matters_score"],
            }
            for row in found["domains"]
        ],
    }


def profile_context(
    profile: Mapping[str, Any], *, generated: datetime.date | None = None
) -> dict[str, Any]:
    """What the profile templates show, worded in the profile's language."""
    lang = profile["lang"]
    words = texts(lang)
    names = {phase["level"]: phase["name"] for phase in profile["phases"]}
    domains = [
        {
            "id": domain["id"],
            "name": domain["name"],
            "rows": [
                {
                    "capability": row["capability"],
                    "name": row["name"],
                    "phase": _phase_text(row["phase"], names, words),
                    "override": _override(row, names, words),
                    "answers": [_answer(answer, words) for answer in row["answers"]],
                    "range": NOTHING if row["range"] is None else str(row["range"]),
                    "previous": (
                        NOTHING
                        if row["previous_phase"] is None
                        else _phase_text(row["previous_phase"], names, words)
                    ),
                    "change": _change_text(row["change"]),
                }
                for row in domain["capabilities"]
            ],
        }
        for domain in profile["domains"]
    ]
    day = (generated or timezone.localdate()).isoformat()
    return {
        "profile": profile,
        "t": words,
        "lang": lang,
        "title": words["profile_of"].format(name=profile["name"]),
        "generated": words["generated"].format(date=day, round=profile["round"]),
        "previous": (
            words["previous"].format(round=profile["previous_round"])
            if profile["previous_round"]
            else words["no_previous"]
        ),
        "domains": domains,
        "group": _group(profile, words),
        "robustness": _robustness(profile),
        "chart_alt": profile_chart_alt(profile),
        "chart_sentences": profile_chart_sentences(profile),
        "synthetic": profile["synthetic"],
        "page_footer": page_footer(lang),
        "synthetic_footer": css_string(words["synthetic"]),
    }


def profile_html(profile: Mapping[str, Any], *, generated: datetime.date | None = None) -> str:
    """One file: styles and the chart (SVG) inline, no external resource."""
    context = profile_context(profile, generated=generated)
    context["chart_svg"] = mark_safe(profile_svg(profile))  # vl-convert's SVG
    return render_to_string("maturity/profile.html", context)


def profile_pdf(profile: Mapping[str, Any], *, generated: datetime.date | None = None) -> bytes:
    """A4, numbered pages; "SYNTHETIC DATA" in every page's footer for a synthetic round."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF output needs.
    from weasyprint import HTML

    document: bytes = HTML(string=profile_html(profile, generated=generated)).write_pdf(
        pdf_variant="pdf/ua-1"
    )
    return document


def profile_page_context(profile: Mapping[str, Any]) -> dict[str, Any]:
    """The web page's context: the same body, the chart as a spec for vega-embed."""
    context = profile_context(profile)
    context["chart_spec"] = profile_chart(profile)
    return context
