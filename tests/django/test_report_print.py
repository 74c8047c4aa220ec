"""The demo report's PDF in print: tagged PDF/UA with its language, title, bookmarks and links;
an annex that fits A4 (each figure's numbers on its row's line); every page's text inside the
page; chart text alternatives as alt text, not as printed paragraphs."""

from __future__ import annotations

import re
import subprocess
import zlib
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from mnr.core.synthetic import load_figures
from mnr.demo import load_demo
from mnr.publications.robustness import robustness_texts
from mnr.reports.builder import ReportContext, build_report
from mnr.reports.render import pdf_of_html, render_html

pytestmark = pytest.mark.django_db
FIGURES = load_figures()
LANGUAGES = ("en", "fr")
# report.css: @page margin 18mm 16mm 20mm 16mm.
SIDE_MARGIN = 16 / 25.4 * 72
TOLERANCE = 1.0


@dataclass(frozen=True)
class Built:
    report: ReportContext
    html: str
    pdf: Path


@pytest.fixture(scope="module")
def demo_reports(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> dict[str, Built]:
    """The demo round's report in English and French, built once for the module (slow)."""
    folder = tmp_path_factory.mktemp("report-print")
    built = {}
    with django_db_blocker.unblock(), transaction.atomic():
        demo_round = load_demo().round
        for lang in LANGUAGES:
            report = build_report(demo_round, lang)
            html = render_html(report)
            pdf = folder / f"report-{lang}.pdf"
            pdf.write_bytes(pdf_of_html(html))
            built[lang] = Built(report, html, pdf)
        transaction.set_rollback(True)
    return built


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def pdf_objects(pdf: Path) -> bytes:
    """The PDF's bytes with every Flate stream inflated, so that the catalogue, outline and
    annotations (which WeasyPrint writes in compressed object streams) can be searched."""
    data = pdf.read_bytes()
    parts = [data]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            parts.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def annex_lines(pdf: Path) -> list[str]:
    """The PDF's lines up to the robustness annex, whose rows start with the same figure ids."""
    lines = run("pdftotext", "-layout", str(pdf), "-").splitlines()
    titles = {" ".join(robustness_texts(lang)["title"].split()) for lang in LANGUAGES}
    return lines[: max(n for n, line in enumerate(lines) if " ".join(line.split()) in titles)]


@dataclass(frozen=True)
class Word:
    page: int
    page_width: float
    page_height: float
    text: str
    x_min: float
    x_max: float
    y_max: float


def words_of(pdf: Path) -> list[Word]:
    """Every word pdftotext finds, with its page's size (pdftotext -bbox)."""
    page_pattern = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
    word_pattern = re.compile(
        r'<word xMin="([\d.-]+)" yMin="[\d.-]+" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)</word>'
    )
    words = []
    page, width, height = 0, 0.0, 0.0
    for line in run("pdftotext", "-bbox", str(pdf), "-").splitlines():
        if found := page_pattern.search(line):
            page, width, height = page + 1, float(found.group(1)), float(found.group(2))
        elif found := word_pattern.search(line):
            x_min, x_max, y_max, text = found.groups()
            words.append(Word(page, width, height, text, float(x_min), float(x_max), float(y_max)))
    return words


def printed_text(pdf: Path) -> str:
    return " ".join(run("pdftotext", str(pdf), "-").split())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_is_tagged_with_the_reports_title_and_language(
    demo_reports: dict[str, Built], lang: str
) -> None:
    built = demo_reports[lang]
    info = run("pdfinfo", str(built.pdf))
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    title = unescape(re.search(r"<title>(.*?)</title>", built.html).group(1))  # type: ignore[union-attr]
    assert built.report.title in title
    assert re.search(rf"^Title:\s+{re.escape(title)}$", info, re.M)
    assert f'<rdf:li xml:lang="x-default">{escape(title, quote=False)}</rdf:li>' in run(
        "pdfinfo", "-meta", str(built.pdf)
    )
    assert re.findall(rb"/Lang\s*\(([^)]*)\)", pdf_objects(built.pdf)) == [lang.encode()]


def test_pdf_bookmarks_are_the_reports_headings(demo_reports: dict[str, Built]) -> None:
    built = demo_reports["en"]
    objects = pdf_objects(built.pdf)
    assert b"/Outlines" in objects
    bookmarks = {title.decode() for title in re.findall(rb"/Title\s*\(([^)]*)\)", objects)}
    headings = {"Key findings", "Annex: figures and their rules", "How the numbers are counted"}
    headings |= {f"Domain {d.id[1:]}: {d.name}" for d in built.report.domains}
    assert headings <= bookmarks


def test_pdf_links_lead_to_their_targets(demo_reports: dict[str, Built]) -> None:
    pdf = demo_reports["en"].pdf
    destinations = set(re.findall(r'"([^"]+)"\s*$', run("pdfinfo", "-dests", str(pdf)), re.M))
    links = {
        name.decode()
        for name in re.findall(rb"/Subtype /Link.*?/Dest \(([^)]*)\)", pdf_objects(pdf))
    }
    assert {f"annex-{figure.figure_id}" for figure in FIGURES} <= links
    assert links <= destinations


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_annex_row_keeps_its_id_and_numbers_on_one_line(
    demo_reports: dict[str, Built], lang: str
) -> None:
    lines = annex_lines(demo_reports[lang].pdf)
    for figure in FIGURES:
        rows = [line for line in lines if re.match(rf"\s*{figure.figure_id}\s", line)]
        numbers = rf"\s{figure.numerator}\s+{figure.denominator}\s+{figure.percent}\s*$"
        assert len(rows) == 1 and re.search(numbers, rows[0]), (figure.figure_id, rows)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_pages_text_stays_inside_its_margins(
    demo_reports: dict[str, Built], lang: str
) -> None:
    words = words_of(demo_reports[lang].pdf)
    assert len({word.page for word in words}) > 5
    outside = [
        (word.page, word.text)
        for word in words
        if word.x_min < SIDE_MARGIN - TOLERANCE
        or word.x_max > word.page_width - SIDE_MARGIN + TOLERANCE
        or word.y_max > word.page_height
    ]
    assert outside == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_chart_text_alternatives_are_alt_text_not_printed(
    demo_reports: dict[str, Built], lang: str
) -> None:
    built = demo_reports[lang]
    charts = [built.report.snapshot_chart] + [d.chart for d in built.report.domains if d.chart]
    assert len(charts) > 1
    printed = printed_text(built.pdf)
    alts = re.findall(rb"/Alt\s*[(<]", pdf_objects(built.pdf))
    assert len(alts) == len(charts)  # one tagged figure with its Alt per chart
    for chart in charts:
        assert chart is not None
        assert f"<title>{escape(chart.alt_text)}</title>" in built.html
        assert " ".join(chart.alt_text.split())[:60] not in printed
