"""The report's robustness annex: the publication's stored public run, in the report's words.

The rows are the figures of that run (those disclosure control lets a public output recompute),
in the report's order; the others are only counted, so that the annex names no cell beyond what
the report itself shows. The wording comes from the robustness texts (one file for every
output), the phrases from :mod:`mnr.core.narrative`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mnr.core import robustness as core
from mnr.core.narrative import phrase_lead_in
from mnr.core.numbers import count_text, percent_text
from mnr.publications.actions import Content
from mnr.publications.models import Publication
from mnr.publications.robustness import (
    assumption_label,
    ensure_result,
    matters_most,
    robustness_texts,
)


@dataclass(frozen=True)
class RobustnessRow:
    """One figure's robustness as the annex prints it (every value in words already)."""

    key: str
    published: str
    range: str
    wording: str
    stable: str
    matters_most: str


@dataclass(frozen=True)
class RobustnessAnnex:
    t: dict[str, str]
    intro: str
    rows: list[RobustnessRow]
    # The sentence on the figures shown without robustness; empty when every figure has a row.
    not_shown: str
    # The note on what a public run holds as counted; empty when nothing applies to the round.
    held_fixed: str
    # Set instead of everything else when the run could not be made (a replication failed).
    failed: str = ""


def whole_percent(value: float) -> int:
    """A percentile in whole per cent, halves up (``round`` would take 76.5 to 76)."""
    return int(value + 0.5)


def wording(figure: core.FigureRobustness, lang: str) -> str:
    """The phrase as its sentence opens, with "…" for the subject: "Over three-quarters of …"
    (without the comma an opening such as "Of the 13 …," ends with before its figures)."""
    counts = {
        "numerator": figure.numerator,
        "denominator": figure.denominator,
        "percent": figure.percent,
    }
    return phrase_lead_in(figure.phrase, lang).format(subject="…", **counts).rstrip(",")


def annex_row(figure: core.FigureRobustness, lang: str, t: dict[str, str]) -> RobustnessRow:
    assert figure.percent is not None  # a recomputed figure has a denominator
    most = matters_most(figure.sensitivity)
    return RobustnessRow(
        key=figure.id,
        published=t["published_value"].format(
            percent=percent_text(figure.percent, lang),
            numerator=figure.numerator,
            denominator=figure.denominator,
        ),
        range=t["range_value"].format(
            low=whole_percent(figure.low), high=whole_percent(figure.high)
        ),
        wording=wording(figure, lang),
        stable=t["wording_stable_value"].format(
            share=percent_text(whole_percent(100 * figure.phrase_stable), lang)
        ),
        matters_most=assumption_label(most, lang) if most else t["nothing_matters"],
    )


def held_as_counted(content: Content, result: core.Result) -> list[str]:
    """The assumptions a public run holds at their nominal option that apply to the round
    (those that do not apply change nothing, and a note about them would only puzzle)."""
    problem = core.Problem(
        round=result.round,
        round_data=content.data,
        figures=tuple(
            core.FigureSpec(f.id, f.question, f.counts_as, f.population) for f in result.figures
        ),
    )
    return [name for name in core.PUBLIC_FIXED if core.applicability(problem, name) is None]


def robustness_annex(
    publication: Publication, content: Content, report_order: Sequence[str], lang: str
) -> RobustnessAnnex:
    """The annex of ``publication``'s report; ``report_order``: the keys of the report's
    figures, in its order. Computes and stores the public run when it is not ready (a report
    build is a background task itself)."""
    t = robustness_texts(lang)
    try:
        result = ensure_result(publication)
    except core.RobustnessError:
        # Stored as failed with its reason (mnr.publications.robustness.compute); the report
        # still prints, and says so.
        return RobustnessAnnex(t, "", [], "", "", failed=t["failed"])
    by_key = {figure.id: figure for figure in result.figures}
    rows = [annex_row(by_key[key], lang, t) for key in report_order if key in by_key]
    missing = len(report_order) - len(rows)
    held = held_as_counted(content, result)
    return RobustnessAnnex(
        t=t,
        intro=t["intro"].format(
            replications=count_text(result.replications, lang), seed=result.seed
        ),
        rows=rows,
        not_shown=t["not_shown"].format(count=missing, total=len(report_order)) if missing else "",
        # The texts hold the note for the channel order, the one fixed assumption that can
        # apply to a public run (the others need maturity phases, which are never public).
        held_fixed=t["held_fixed"] if "channel" in held else "",
    )
