"""Every chart of the demo report (a synthetic round) draws SYNTHETIC DATA in the report's
language inside the image, on the title's second line, and says so in its text alternative; a
chart lifted out of its page (or its SVG saved on its own) still says what it shows."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from mnr.core.charts import texts
from mnr.demo import load_demo
from mnr.reports.builder import RenderedChart, build_report
from mnr.reports.render import render_html

pytestmark = pytest.mark.django_db

MARKS = {"en": "SYNTHETIC DATA", "fr": "DONNÉES SYNTHÉTIQUES", "es": "DATOS SINTÉTICOS"}
SVG = "{http://www.w3.org/2000/svg}"


def drawn_lines(svg: str) -> list[list[str]]:
    """The lines of each text the SVG draws (a multi-line title is one text of two lines)."""
    return [
        [line.strip() for line in element.itertext() if line.strip()]
        for element in ET.fromstring(svg).iter(f"{SVG}text")
    ]


@pytest.mark.parametrize("lang", sorted(MARKS))
def test_every_chart_of_the_demo_report_draws_the_synthetic_mark(lang: str) -> None:
    round_ = load_demo().round
    assert round_.synthetic
    report = build_report(round_, lang)
    charts: list[RenderedChart] = [report.snapshot_chart] if report.snapshot_chart else []
    charts += [section.chart for section in report.domains if section.chart]
    assert len(charts) >= 5  # the snapshot and the income charts of the domains
    html = render_html(report)
    for chart in charts:
        assert [chart.title, MARKS[lang]] in drawn_lines(chart.svg), chart.title
        assert texts(lang)["alt_synthetic"] in chart.alt_text
        assert chart.svg in html
