"""The findings explorer's "How robust is this figure?" panel: the stored public robustness of
the round's latest publication (``mnr.publications.robustness.ready_result``), for the
headline figures of the questions the explorer shows.

Never computed here: the run is the publication's background task, and while it is pending (or
when it failed) the panel says so. Whoever reads the page, the panel shows the public result
only (no domain scores, nothing of the live round), and only the figures that result holds:
disclosure control (``mnr.core.disclosure.public_robustness``) decided which when it ran.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from mnr.core import narrative
from mnr.core import robustness as core
from mnr.core.framework import text as label_text
from mnr.core.numbers import count_text, percent_text
from mnr.publications.models import Publication, PublicationRobustness
from mnr.publications.robustness import (
    assumption_label,
    matters_most,
    ready_result,
    robustness_texts,
)


@dataclass(frozen=True)
class Choice:
    """An assumption's total-order index, as a bar from 0 to 1."""

    label: str
    total: float

    @property
    def shown(self) -> str:
        return f"{self.total:.2f}"

    @property
    def width(self) -> str:
        """The bar's width in per cent of its track (CSS), between 0 and 100."""
        return f"{min(100.0, max(0.0, self.total * 100)):.1f}%"


@dataclass(frozen=True)
class RobustFigure:
    """One headline figure of the publication, with its stored robustness, in words."""

    id: str
    sentence: str
    published: str
    range: str
    low: int
    high: int
    percent: int | None
    wording: str
    wording_stable: str
    matters_most: str
    choices: tuple[Choice, ...]

    @property
    def low_at(self) -> str:
        return f"{self.low}%"

    @property
    def range_width(self) -> str:
        return f"{max(0, self.high - self.low)}%"

    @property
    def published_at(self) -> str:
        return f"{self.percent}%" if self.percent is not None else ""


@dataclass(frozen=True)
class QuestionPanel:
    question: str
    label: str
    figures: tuple[RobustFigure, ...]

    @property
    def anchor(self) -> str:
        return "robust-" + self.question.replace(".", "-")


@dataclass
class Panel:
    """What the page shows: ``status`` is ready, pending or failed; ``questions`` (ready only)
    follow the table's order."""

    status: str
    publication: int
    t: Mapping[str, str]
    intro: str = ""
    source: str = ""
    held_fixed: str = ""
    questions: list[QuestionPanel] = field(default_factory=list)

    @property
    def message(self) -> str:
        return self.t[self.status] if self.status != "ready" else ""

    def anchors(self) -> dict[str, str]:
        """Question code → its panel's anchor, for the table's links."""
        return {q.question: q.anchor for q in self.questions}


def whole(value: float) -> int:
    """A per cent rounded half up, as the findings' shares are."""
    return math.floor(value + 0.5)


def _sentence(headline: Mapping[str, Any], figure: core.FigureRobustness, lang: str) -> str:
    subject = label_text(headline.get("subject") or {}, lang) or narrative.DEFAULT_SUBJECT.get(
        lang, narrative.DEFAULT_SUBJECT["en"]
    )
    statement = label_text(headline.get("statement") or {}, lang)
    if figure.percent is None:
        return f"{subject} {statement}".strip()
    return narrative.finding_sentence(
        figure.phrase,
        subject,
        statement,
        figure.numerator,
        figure.denominator,
        figure.percent,
        lang,
    )


def robust_figure(
    figure: core.FigureRobustness, headline: Mapping[str, Any], lang: str, t: Mapping[str, str]
) -> RobustFigure:
    low, high = whole(figure.low), whole(figure.high)
    most = matters_most(figure.sensitivity)
    if figure.percent is None:
        published = _("no answers")
    else:
        published = _("%(percent)s%% (%(numerator)s of %(denominator)s)") % {
            "percent": figure.percent,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
        }
    return RobustFigure(
        id=figure.id,
        sentence=_sentence(headline, figure, lang),
        published=published,
        range=t["range_value"].format(low=low, high=high),
        low=low,
        high=high,
        percent=figure.percent,
        wording=narrative.phrase_label(figure.phrase, lang),
        wording_stable=t["wording_stable_value"].format(
            share=percent_text(whole(100 * figure.phrase_stable), lang)
        ),
        matters_most=assumption_label(most, lang) if most else t["nothing_matters"],
        choices=tuple(
            Choice(assumption_label(s.assumption, lang), s.total) for s in figure.sensitivity
        ),
    )


def _headlines(publication: Publication) -> list[dict[str, Any]]:
    # The report's texts only: the publication's answers and findings are large JSON.
    report = Publication.objects.filter(pk=publication.pk).values_list("report", flat=True).first()
    return list((report or {}).get("headlines", []))


def figures_panel(
    publication: Publication | None,
    questions: Sequence[str],
    labels: Mapping[str, str],
    lang: str,
    *,
    channels: Collection[str] = (),
) -> Panel | None:
    """The panel for the questions shown (in their order), or None when the round was never
    published or none of those questions has a headline figure in its latest publication."""
    if publication is None:
        return None
    shown = set(questions)
    headlines = {h["key"]: h for h in _headlines(publication) if h["question"] in shown}
    if not headlines:
        return None
    t = robustness_texts(lang)
    panel = Panel(status="ready", publication=publication.number, t=t)
    result = ready_result(publication)
    if result is None:
        failed = PublicationRobustness.objects.filter(
            publication=publication, status=PublicationRobustness.Status.FAILED
        ).exists()
        panel.status = "failed" if failed else "pending"
        return panel
    # Only what a public output may hold, whoever reads the page.
    public = result.for_public()
    panel.intro = t["intro"].format(
        replications=count_text(public.replications, lang), seed=public.seed
    )
    panel.source = t["source"].format(number=publication.number)
    if len(channels) > 1:
        panel.held_fixed = t["held_fixed"]
    by_question: dict[str, list[RobustFigure]] = {}
    for figure in public.figures:
        if figure.id in headlines and figure.question in shown:
            by_question.setdefault(figure.question, []).append(
                robust_figure(figure, headlines[figure.id], lang, t)
            )
    panel.questions = [
        QuestionPanel(code, labels.get(code, ""), tuple(by_question[code]))
        for code in dict.fromkeys(questions)
        if code in by_question
    ]
    return panel if panel.questions else None
