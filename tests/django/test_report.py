"""The review report of the demo round: every published figure in the PDF, provenance links,
self-contained HTML, languages, fonts, and what analysts may change."""

from __future__ import annotations

import re
import subprocess
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction

from mnr.audit.models import AuditEvent
from mnr.core.narrative import sentence_parts
from mnr.core.synthetic import load_figures
from mnr.demo import REPORT_DATA, load_demo
from mnr.errors import MnrError
from mnr.reports.actions import HeadlineSpec, read_headlines_csv, save_narrative, set_headlines
from mnr.reports.builder import build_report
from mnr.reports.models import Headline
from mnr.reports.render import render_html, render_pdf

pytestmark = pytest.mark.django_db
FIGURES = load_figures()
DEMO_PHRASES = {
    spec.key: spec.phrase for spec in read_headlines_csv(REPORT_DATA / "review-2021-headlines.csv")
}


def report_file(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / ("report." + ("pdf" if "pdf" in args else "html"))
    call_command("report", "--round", "review-2021", *args, "-o", str(out), stderr=StringIO())
    return out


def pdf_text(path: Path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(text.stdout.split())


@pytest.fixture(scope="module")
def demo_pdf(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Path:
    path = tmp_path_factory.mktemp("report")
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        pdf = report_file(path, "--format", "pdf")
        transaction.set_rollback(True)
    return pdf


def test_every_page_of_the_pdf_renders(demo_pdf: Path, tmp_path: Path) -> None:
    info = subprocess.run(["pdfinfo", str(demo_pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(demo_pdf), str(tmp_path / "page")], check=True
    )
    images = sorted(tmp_path.glob("page-*.png"))
    assert pages > 5 and len(images) == pages
    assert all(image.stat().st_size > 500 for image in images)


@pytest.mark.parametrize("figure", FIGURES, ids=[f.figure_id for f in FIGURES])
def test_pdf_states_each_published_figure_with_its_denominator(demo_pdf: Path, figure: Any) -> None:
    # As the sentence of the headline's phrase states it: "(76 per cent, 32 of 42)", or for the
    # review's "Of the 13 …, 92 per cent (12)" with the denominator in the opening.
    phrase = DEMO_PHRASES[figure.figure_id]
    n, d, p = figure.numerator, figure.denominator, figure.percent
    lead, stated, _rest = sentence_parts(phrase, "…", "", n, d, p)
    text = pdf_text(demo_pdf)
    assert stated.strip("()") in text
    assert f"of {d}" in stated or lead.partition("…")[0].strip() in text


def test_pdf_says_the_data_are_synthetic(demo_pdf: Path) -> None:
    assert "Synthetic demonstration data" in pdf_text(demo_pdf)


@pytest.fixture
def demo_round() -> Any:
    return load_demo().round


def test_html_report_is_one_self_contained_file(demo_round: Any, tmp_path: Path) -> None:
    html = report_file(tmp_path, "--format", "html").read_text()
    assert "<svg" in html and "<style>" in html
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", html)
    assert not re.search(r"url\((?!#)", html)
    external = [h for h in re.findall(r'href="([^"]*)"', html) if not h.startswith("#")]
    assert external == []


def test_every_figure_links_to_its_annex_row(demo_round: Any) -> None:
    html = render_html(build_report(demo_round))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert targets <= ids
    for figure in FIGURES:
        assert f'href="#annex-{figure.figure_id}"' in html
        row = re.search(rf'<tr id="annex-{figure.figure_id}"[^>]*>(.*?)</tr>', html, re.S)
        assert row is not None
        cells = re.findall(r'<td class="num">(\d+)</td>', row.group(1))
        assert cells == [str(figure.numerator), str(figure.denominator), str(figure.percent)]


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", ("pour cent", "Principales constatations")), ("es", ("por ciento", "Anexo"))],
)
def test_report_in_another_language(demo_round: Any, lang: str, words: tuple[str, str]) -> None:
    html = render_html(build_report(demo_round, lang))
    assert f'<html lang="{lang}"' in html
    for word in words:
        assert word in html


def test_arabic_and_chinese_text_keep_their_glyphs_in_the_pdf(
    demo_round: Any, tmp_path: Path
) -> None:
    save_narrative(
        demo_round, "introduction", "حماية الأطفال على الإنترنت\n\n保护儿童上网安全", source="test"
    )
    pdf = tmp_path / "scripts.pdf"
    pdf.write_bytes(render_pdf(build_report(demo_round, preview=True)))
    text = pdf_text(pdf)
    assert "保护儿童上网安全" in text
    # Words without a lam-alef ligature, which pdftotext gives back with its letters swapped.
    assert "حماية" in text and "على" in text
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "Arabic" in fonts or "Noto" in fonts


def test_a_headline_about_too_few_jurisdictions_is_suppressed(demo_round: Any) -> None:
    set_headlines(
        demo_round,
        [
            HeadlineSpec(
                "X1",
                "C11.status",
                ("yes", "partial"),
                {"en": "have a helpline"},
                population="region=Oceania",
            )
        ],
        source="test",
    )
    report = build_report(demo_round, preview=True)
    (row,) = report.annex_figures
    assert row.percent is None and row.numerator is None
    assert row.suppressed and "fewer than 3" in row.suppressed
    html = render_html(report)
    assert 'id="finding-X1"' not in html  # no sentence with numbers
    assert "have a helpline: " in html
    assert "suppressed (fewer than 3 jurisdictions answered" in html
    # The published report keeps its own headlines until the round is published again.
    assert "X1" not in [row.key for row in build_report(demo_round).annex_figures]


def test_headlines_with_problems_are_refused_together_and_nothing_changes(demo_round: Any) -> None:
    before = list(Headline.objects.filter(round=demo_round).values_list("key", flat=True))
    bad = [
        HeadlineSpec("A", "C99.status", ("yes",), {"en": "x"}),
        HeadlineSpec("B", "C11.status", ("yes",), {"en": "x"}, population="channel=fax"),
        HeadlineSpec("C", "C11.status", ("maybe",), {"en": "x"}),
        HeadlineSpec("D", "C11.status", ("yes",), {"en": "x"}, domain="D9"),
    ]
    with pytest.raises(MnrError) as refused:
        set_headlines(demo_round, bad, source="test")
    message = str(refused.value)
    for fragment in (
        "headline 1 (A)",
        "C99.status",
        "headline 2 (B)",
        "fax",
        "headline 3 (C)",
        "maybe",
        "D9",
    ):
        assert fragment in message
    assert list(Headline.objects.filter(round=demo_round).values_list("key", flat=True)) == before


def test_only_analysts_edit_the_narrative_and_each_edit_is_recorded(
    demo_round: Any, make_user: Any
) -> None:
    analyst = make_user("analyst-r", "analyst")
    focal_point = make_user("focal-r", "focal_point", "KE")
    with pytest.raises(PermissionDenied):
        save_narrative(demo_round, "key_messages", "No.", acting_user=focal_point)
    save_narrative(
        demo_round, "key_messages", "Gaps remain in victim support.", acting_user=analyst
    )
    event = AuditEvent.objects.filter(verb="report.narrative").latest("at")
    assert event.actor == analyst and event.detail["new"] == "Gaps remain in victim support."
    assert "Gaps remain in victim support." in render_html(build_report(demo_round, preview=True))
    assert "Gaps remain in victim support." not in render_html(build_report(demo_round))


def test_the_snapshot_leaves_out_legislation_by_default(demo_round: Any) -> None:
    report = build_report(demo_round)
    shown = [code for code, _name, _row in report.snapshot_rows]
    assert "C03" not in shown and len(shown) == 20
    assert report.snapshot_excluded == ["C03 Legislation"]
