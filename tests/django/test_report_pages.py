"""Every page of the demo report's English, French and Spanish PDFs, as an editor reads them:
each page renders (pdftoppm) and says, in the report's language, that its data are synthetic;
each page after the cover is numbered "page X of Y"; all 26 figures are there and each annex
row keeps its id, numerator, denominator and per cent on one line, and each robustness row its
id, published value and range; no word runs past the right margin; no page between the cover
and the last is nearly empty; charts and tables are numbered "Figure N." and "Table N." in
document order."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import transaction
from PIL import Image

from mnr.core.synthetic import load_figures
from mnr.demo import load_demo
from mnr.publications.robustness import robustness_texts
from mnr.reports.builder import build_report
from mnr.reports.render import page_css, pdf_of_html, render_html
from mnr.reports.texts import texts

pytestmark = pytest.mark.django_db
FIGURES = load_figures()
LANGUAGES = ("en", "fr", "es")
# The words every page carries, written here rather than read from the texts file, so that an
# empty or English text cannot pass.
SYNTHETIC = {"en": "SYNTHETIC DATA", "fr": "DONNÉES SYNTHÉTIQUES", "es": "DATOS SINTÉTICOS"}
FIGURE_WORD = {"en": "Figure", "fr": "Figure", "es": "Figura"}
TABLE_WORD = {"en": "Table", "fr": "Tableau", "es": "Cuadro"}
MM = 72 / 25.4
# report.css: @page margin 18mm 16mm 20mm 16mm; the running header and footer sit in them.
TOP, SIDE, BOTTOM = 18 * MM, 16 * MM, 20 * MM
TOLERANCE = 1.0
# A page between the cover and the last one whose text ends above this share of the page's
# body height is a near-empty page (a forced break left most of it blank).
MINIMUM_FILL = 0.4
MINIMUM_PART_END = 0.2


@dataclass(frozen=True)
class Word:
    page: int
    page_width: float
    page_height: float
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass(frozen=True)
class Pdf:
    lang: str
    html: str
    path: Path
    pages: list[Path]  # one PNG per page, in order

    def text(self, layout: bool = False) -> str:
        return run("pdftotext", *(["-layout"] if layout else []), str(self.path), "-")

    def page_texts(self) -> list[str]:
        """Each page's text with its whitespace collapsed (pdftotext ends pages with a form
        feed)."""
        return [" ".join(page.split()) for page in self.text().split("\f")[: len(self.pages)]]

    def words(self) -> list[Word]:
        page_pattern = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
        word_pattern = re.compile(
            r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">'
            r"([^<]*)</word>"
        )
        words = []
        page, width, height = 0, 0.0, 0.0
        for line in run("pdftotext", "-bbox", str(self.path), "-").splitlines():
            if found := page_pattern.search(line):
                page, width, height = page + 1, float(found.group(1)), float(found.group(2))
            elif found := word_pattern.search(line):
                x_min, y_min, x_max, y_max = (float(value) for value in found.groups()[:4])
                words.append(Word(page, width, height, found.group(5), x_min, y_min, x_max, y_max))
        return words


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def demo_pdfs(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> dict[str, Pdf]:
    """The demo round's report in each language, as PDF and as one PNG per page (low
    resolution: enough to see a page, fast to make); built once for the module (slow)."""
    folder = tmp_path_factory.mktemp("report-pages")
    built = {}
    with django_db_blocker.unblock(), transaction.atomic():
        demo_round = load_demo().round
        for lang in LANGUAGES:
            html = render_html(build_report(demo_round, lang))
            pdf = folder / f"report-{lang}.pdf"
            pdf.write_bytes(pdf_of_html(html))
            run("pdftoppm", "-r", "20", "-png", str(pdf), str(folder / f"page-{lang}"))
            pages = sorted(folder.glob(f"page-{lang}-*.png"))
            built[lang] = Pdf(lang, html, pdf, pages)
        transaction.set_rollback(True)
    return built


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_renders_as_an_image(demo_pdfs: dict[str, Pdf], lang: str) -> None:
    pdf = demo_pdfs[lang]
    count = int(re.search(r"^Pages:\s+(\d+)$", run("pdfinfo", str(pdf.path)), re.M).group(1))  # type: ignore[union-attr]
    assert count > 5 and len(pdf.pages) == count
    for page in pdf.pages:
        # At 20 dpi text is grey, not black; a blank page is all white.
        darkest, _ = Image.open(page).convert("L").getextrema()
        assert darkest < 200, f"{page.name} is blank"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_all_26_figures_are_in_the_pdf_with_every_annex_column(
    demo_pdfs: dict[str, Pdf], lang: str
) -> None:
    lines, _ = annexes(demo_pdfs[lang])
    assert len(FIGURES) == 26
    for figure in FIGURES:
        rows = [line for line in lines if re.match(rf"\s*{figure.figure_id}\s", line)]
        numbers = rf"\s{figure.numerator}\s+{figure.denominator}\s+{figure.percent}\s*$"
        assert len(rows) == 1 and re.search(numbers, rows[0]), (lang, figure.figure_id, rows)


def annexes(pdf: Pdf) -> tuple[list[str], list[str]]:
    """The PDF's lines (pdftotext -layout) up to the robustness annex's heading, and from it
    on: its rows start with the same figure ids as the figures' annex."""
    lines = pdf.text(layout=True).splitlines()
    # Whitespace collapsed: pdftotext may give the French title's no-break space as a space.
    title = " ".join(robustness_texts(pdf.lang)["title"].split())
    start = max(n for n, line in enumerate(lines) if " ".join(line.split()) == title)
    return lines[:start], lines[start:]


def cells(row: str) -> list[str]:
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
        for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_robustness_row_keeps_its_id_published_value_and_range_on_one_line(
    demo_pdfs: dict[str, Pdf], lang: str
) -> None:
    """The robustness annex fits its landscape pages: a figure's id, its published value and
    its range are read on one line (the wording and the choice that matters most may wrap)."""
    _, lines = annexes(demo_pdfs[lang])
    printed = re.findall(r'<tr id="robustness-([\w.-]+)">(.*?)</tr>', demo_pdfs[lang].html, re.S)
    # Every figure of the demo is recomputed by the public run: each has its row.
    assert sorted(key for key, _ in printed) == sorted(figure.figure_id for figure in FIGURES)
    for key, row in printed:
        _, published, interval, *_ = cells(row)
        found = [" ".join(line.split()) for line in lines if re.match(rf"\s*{key}\s", line)]
        assert len(found) == 1 and f"{key} {published} {interval} " in found[0], (key, found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_says_synthetic_data_in_the_reports_language(
    demo_pdfs: dict[str, Pdf], lang: str
) -> None:
    pages = demo_pdfs[lang].page_texts()
    unlabelled = [number for number, page in enumerate(pages, 1) if SYNTHETIC[lang] not in page]
    assert unlabelled == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_after_the_cover_is_numbered_page_x_of_y(
    demo_pdfs: dict[str, Pdf], lang: str
) -> None:
    """The running footer numbers the page and the running header names the report."""
    pages = demo_pdfs[lang].page_texts()
    wording = texts(lang)["page_of"]
    assert "{page}" in wording and "{pages}" in wording
    title = texts(lang)["report"]
    unnumbered = [
        number
        for number, page in enumerate(pages, 1)
        if number > 1
        and (wording.format(page=number, pages=len(pages)) not in page or title not in page)
    ]
    assert unnumbered == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_word_runs_past_the_pages_margins(demo_pdfs: dict[str, Pdf], lang: str) -> None:
    """A table wider than its page pushes its last columns past the right margin (or off the
    page, where pdftotext still finds them)."""
    outside = [
        (word.page, word.text)
        for word in demo_pdfs[lang].words()
        if word.x_max > word.page_width - SIDE + TOLERANCE or word.x_min < SIDE - TOLERANCE
    ]
    assert outside == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_page_between_the_cover_and_the_last_is_nearly_empty(
    demo_pdfs: dict[str, Pdf], lang: str
) -> None:
    """The body's text (running header and footer left out) reaches down at least
    ``MINIMUM_FILL`` of the page's body height. The annex begins on a landscape page, so the
    main text's last page ends where its text does, as a chapter's would; it may be shorter,
    but not a stray line or two (``MINIMUM_PART_END``)."""
    lowest: dict[int, float] = {}
    pages: dict[int, tuple[float, float]] = {}
    for word in demo_pdfs[lang].words():
        pages[word.page] = (word.page_width, word.page_height)
        if word.y_min >= TOP - TOLERANCE and word.y_max <= word.page_height - BOTTOM + TOLERANCE:
            lowest[word.page] = max(lowest.get(word.page, TOP), word.y_max)
    filled = {
        page: round((lowest.get(page, TOP) - TOP) / (height - TOP - BOTTOM), 2)
        for page, (_, height) in pages.items()
    }
    last = max(pages)
    landscape = [page for page, (width, height) in pages.items() if width > height]
    assert last > 5 and landscape, pages
    main_text_end = landscape[0] - 1
    minimum = {page: MINIMUM_FILL for page in range(2, last)} | {main_text_end: MINIMUM_PART_END}
    nearly_empty = {page: filled[page] for page, least in minimum.items() if filled[page] < least}
    assert nearly_empty == {}, filled


class Captions(HTMLParser):
    """The text of every figure's figcaption and every table's caption, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.figures = 0
        self.tables = 0
        self.captions: list[tuple[str, str]] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "figure":
            self.figures += 1
        elif tag == "table":
            self.tables += 1
        elif tag in ("figcaption", "caption"):
            self._open = tag
            self.captions.append((tag, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            tag, text = self.captions[-1]
            self.captions[-1] = (tag, text + data)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_figures_and_tables_are_numbered_in_document_order(
    demo_pdfs: dict[str, Pdf], lang: str
) -> None:
    pdf = demo_pdfs[lang]
    parser = Captions()
    parser.feed(pdf.html)
    figures = [" ".join(t.split()) for tag, t in parser.captions if tag == "figcaption"]
    tables = [" ".join(t.split()) for tag, t in parser.captions if tag == "caption"]
    # Every chart and every table has its caption, and the captions count up from 1.
    assert len(figures) == parser.figures > 1 and len(tables) == parser.tables > 1
    for word, captions in ((FIGURE_WORD[lang], figures), (TABLE_WORD[lang], tables)):
        for number, caption in enumerate(captions, 1):
            assert re.match(rf"{word}\s{number}\.\s\S", caption), (number, caption)
    printed = " ".join(pdf.text().split())
    for caption in figures + tables:
        assert caption[:40] in printed


def round_report(synthetic: bool, title: str) -> Any:
    """Just what page_css reads of a report: its texts and its round."""
    return SimpleNamespace(t=texts("fr"), title=title, round=SimpleNamespace(synthetic=synthetic))


def test_running_texts_are_css_strings_that_no_title_can_end() -> None:
    css = page_css(round_report(False, 'Cycle « 2021 » "}</style><script>'))
    assert "</style" not in css and '"}' not in css
    assert re.search(r'content: "Page " counter\(page\) " sur " counter\(pages\);', css)
    assert "DONN" not in css  # no synthetic mark on a real round's pages
    marked = page_css(round_report(True, "Cycle 2021"))
    assert marked.count('"DONNÉES SYNTHÉTIQUES"') == 2  # top right and bottom left
