"""Narrative blocks are kept exactly as written and rendered with a small, safe markup."""

from __future__ import annotations

import importlib
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.report_editor import editor_fields

from mnr.audit.models import AuditEvent
from mnr.demo import load_demo
from mnr.errors import MnrError
from mnr.reports.actions import save_narrative
from mnr.reports.builder import build_report
from mnr.reports.markup import MAX_NARRATIVE_LENGTH, clean_text, html_blocks
from mnr.reports.models import NarrativeBlock
from mnr.reports.render import render_html, render_pdf
from mnr.surveys.models import Round

WRITTEN = (
    "Synthetic round: first paragraph, with *emphasis* and a line\n"
    "that wraps where the analyst pressed Enter.\n"
    "\n"
    "Second paragraph with **strong** words and [a link](https://example.org/method).\n"
    "\n"
    "- a bullet\n"
    "- another bullet,\n"
    "  continued on an indented line\n"
    "\n"
    "1. first step\n"
    "2. second step"
)


def test_markup_renders_paragraphs_lists_emphasis_and_links() -> None:
    blocks = html_blocks(WRITTEN)
    assert [block.split(">")[0] for block in blocks] == ["<p", "<p", "<ul", "<ol"]
    assert "<em>emphasis</em>" in blocks[0]
    assert (
        '<strong>strong</strong> words and <a href="https://example.org/method">a link</a>'
        in (blocks[1])
    )
    assert blocks[2].count("<li>") == 2 and "continued on an indented line" in blocks[2]
    assert blocks[3] == "<ol>\n<li>first step</li>\n<li>second step</li>\n</ol>"
    assert html_blocks("") == [] and html_blocks("\n\n") == []


@pytest.mark.parametrize(
    ("written", "unwanted"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="https://example.org/x.png" onerror="alert(1)">', "<img"),
        ("[click](javascript:alert(1))", 'href="javascript'),
        ("![chart](https://example.org/chart.png)", "<img"),
        ("# A heading of its own", "<h1"),
    ],
)
def test_raw_html_script_links_images_and_headings_are_not_made(
    written: str, unwanted: str
) -> None:
    html = "".join(html_blocks(written))
    assert unwanted not in html
    assert html.startswith("<p>")


def test_clean_text_changes_only_line_endings_and_the_very_end() -> None:
    written = "\n  Indented start\r\n\r\nline with two spaces  \r\nnext\tline\r\n\r\n  \n"
    assert clean_text(written) == "\n  Indented start\n\nline with two spaces  \nnext\tline"
    assert clean_text("old Mac\rline") == "old Mac\nline"


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("nul \x00 byte", "NUL"),
        ("lone \ud800 surrogate", "surrogate"),
        ("x" * (MAX_NARRATIVE_LENGTH + 1), "at most"),
    ],
)
def test_text_that_cannot_be_stored_is_refused_naming_the_block(
    review_round: Round, written: str, problem: str
) -> None:
    with pytest.raises(MnrError) as refused:
        save_narrative(review_round, "key_messages", written, source="test")
    assert problem in str(refused.value) and "'key_messages' (en)" in str(refused.value)
    assert not NarrativeBlock.objects.exists()


@pytest.mark.parametrize(
    "written",
    [
        WRITTEN,
        "\nStarts with a blank line; hard break here  \nand a tab\there.",
        "حماية الأطفال على الإنترنت\n\n- 保护儿童\n- «guillemets» & <angle brackets>",
    ],
)
def test_a_block_survives_save_load_save_byte_for_byte(
    make_user: Any, review_round: Round, written: str
) -> None:
    client = Client()
    client.force_login(make_user("analyst-x", "analyst", round_=review_round))
    url = reverse("round-report-edit", args=[review_round.code])
    fields = editor_fields(client.get(url))
    # Browsers send a textarea's line breaks as CRLF.
    fields["narrative-introduction"] = written.replace("\n", "\r\n")
    assert client.post(url, fields).status_code == 302
    stored = NarrativeBlock.objects.get(key="introduction")
    assert stored.text["en"] == written
    before = AuditEvent.objects.count()
    reloaded = editor_fields(client.get(url))
    assert reloaded["narrative-introduction"] == written
    assert reloaded["narrative-introduction-loaded"] == written
    reloaded["narrative-key_messages"] = "Another block changes."
    assert client.post(url, reloaded).status_code == 302
    stored.refresh_from_db()
    assert (stored.text["en"], stored.version) == (written, 1)
    assert AuditEvent.objects.count() == before + 1  # key_messages only


@pytest.mark.django_db
def test_the_html_and_pdf_report_render_the_markup_and_escape_html(tmp_path: Path) -> None:
    demo_round = load_demo().round
    save_narrative(demo_round, "introduction", WRITTEN, source="test")
    save_narrative(demo_round, "key_messages", "Before <script>alert(1)</script> after", source="t")
    report = build_report(demo_round, preview=True)
    html = render_html(report)
    start = html.index('<section id="introduction">')
    introduction = html[start : html.index("</section>", start)]
    for tag in ("<p>", "<ul>\n<li>", "<ol>\n<li>", "<em>emphasis</em>", "<strong>strong</strong>"):
        assert tag in introduction
    assert "<p>Before &lt;script&gt;alert(1)&lt;/script&gt; after</p>" in html
    # The demo's call to action is a numbered list of five priorities written in the markup.
    start = html.index('id="call-to-action"')
    call = html[start : html.index("</section>", start)]
    assert call.count("<li>") == 5 and "<ol>" in call
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(report))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "• a bullet" in text and "1. first step" in text
    assert "<script>alert(1)</script>" in text  # shown as typed


def test_the_migration_numbers_an_old_call_to_action() -> None:
    migration = importlib.import_module(
        "mnr.reports.migrations.0003_call_to_action_as_numbered_list"
    )
    old = "Invest for the\nlong term.\n\nCooperate.\n\nMeasure."
    numbered = migration.number_the_paragraphs(old)
    assert numbered == "1. Invest for the\nlong term.\n2. Cooperate.\n3. Measure."
    assert html_blocks(numbered)[0].startswith("<ol>\n<li>Invest for the\nlong term.</li>")
    already = "- one\n- two"
    assert migration.number_the_paragraphs(already) == already
