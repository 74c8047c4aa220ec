"""The demo report in French and Spanish has no English left: not in its HTML (text, document
title, chart titles and labels, attributes read by people or screen readers) and not in the text
of its PDF; it writes percentages and French punctuation as each language does; and every fixed
text of the report has its French and Spanish translation.

"English" is any word of the English report that is not also a word of the target language:
words of the target language are those of the project's own texts in it (the translations in
the report texts, narrative, headlines and framework data files, wherever they differ from the
English) plus the short allow-lists below, each with its reason. Text that keeps its original
language is marked ``lang="en"`` (quotations from respondents) and is left out, as are codes
in ``<code>`` (question ids, population rules)."""

from __future__ import annotations

import csv
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.db import transaction

from mnr.core.numbers import percent_text
from mnr.demo import load_demo
from mnr.reports.builder import build_report
from mnr.reports.render import pdf_of_html, render_html
from mnr.reports.texts import TEXTS_FILE

pytestmark = pytest.mark.django_db

TARGETS = ("fr", "es")
SRC = Path(__file__).resolve().parents[2] / "src" / "mnr"
# Data files whose per-language texts ({en: …, fr: …, es: …}) are the target languages' words.
LABEL_FILES = sorted(
    [
        *(SRC / "reports" / "data").glob("*.yaml"),
        # The robustness annex's wording.
        *(SRC / "publications" / "data").glob("*.yaml"),
        *(SRC / "core" / "data").glob("*.yaml"),
        *(SRC / "frameworks" / "data").rglob("*.yaml"),
    ]
)
HEADLINE_FILES = sorted((SRC / "reports" / "data").glob("*headlines*.csv"))

# Names and codes that stay as they are in every language.
PROPER_NOUNS = {
    "mnr",  # the software's name
    "unicef",
    "interpol",
    "icse",  # INTERPOL's International Child Sexual Exploitation database
    "weprotect",
    "luxembourg",  # the Luxembourg Terminology Guidelines
    "internet",
    "sobol",  # Sobol' indices, named after the mathematician
}
# Words spelt the same in English and the target language, which the project's texts in that
# language do not happen to contain yet (chart words, headings).
SHARED_WORDS = {
    "fr": {
        "question",
        "questionnaire",
        "population",
        "introduction",
        "participation",
        "page",
        "dates",
        "notes",
        "note",
        "figure",
        "description",
        "version",
        "action",
        "national",
        "justice",
        "communications",
        "leadership",
        "europe",
        "date",
        "total",
        "cent",  # "pour cent"
        "part",  # "Part en place"
    },
    "es": {
        "no",
        "a",
        "control",
        "material",
        "local",
        "real",
        "social",
        "sexual",
        "universal",
        "portal",
        "asia",
        "total",
    },
}
# Report texts that are the same words in English and the target language.
SAME_AS_ENGLISH = {
    "fr": {
        "introduction",
        "instrument",  # Questionnaire
        "question",
        "population",
        "annex_participation",  # Participation
        "page",
        "dates",
        "endnotes",  # Notes
        "note",
        "version",
        "figure_number",  # Figure {number}.
        "Europe",
    },
    "es": {"no", "Asia"},
}
# Formats and punctuation that a language may share with English.
FORMAT_KEYS = {"channel_count", "date_format", "colon", "quote_income_region"}


@dataclass(frozen=True)
class Built:
    html: str
    pdf_text: str


@pytest.fixture(scope="module")
def demo_reports(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> dict[str, Built]:
    """The demo round's report in English (its words are what "English" means here), French
    and Spanish, the latter two also as PDF text; built once for the module (slow)."""
    folder = tmp_path_factory.mktemp("report-languages")
    built = {}
    with django_db_blocker.unblock(), transaction.atomic():
        demo_round = load_demo().round
        for lang in ("en", *TARGETS):
            html = render_html(build_report(demo_round, lang))
            pdf_text = ""
            if lang != "en":
                pdf = folder / f"report-{lang}.pdf"
                pdf.write_bytes(pdf_of_html(html))
                pdf_text = subprocess.run(
                    ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            built[lang] = Built(html, pdf_text)
        transaction.set_rollback(True)
    return built


@dataclass(frozen=True)
class Element:
    tag: str
    skipped: bool  # style, script, code: not text a reader reads
    kept: bool  # in its original language (lang="en" in a translated report)
    image: bool  # role="img": its descendants are presentational, their attributes unread


class ReadText(HTMLParser):
    """The text a reader sees or hears: text nodes and the attributes read out (not those of
    the parts of an SVG drawn as one image with its own name, which no one hears), outside
    ``<style>``, ``<script>`` and ``<code>`` and, in a translated report, outside elements in
    English (``lang="en"``); text left out is gathered apart in ``kept``."""

    SKIPPED = {"style", "script", "code"}
    READ_ATTRIBUTES = ("title", "alt", "aria-label", "aria-description", "placeholder")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self, keep_lang: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.keep_lang = keep_lang
        self.open: list[Element] = []
        self.read: list[str] = []
        self.kept: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        inside_image = any(element.image for element in self.open)
        element = Element(
            tag,
            tag in self.SKIPPED or any(e.skipped for e in self.open),
            (self.keep_lang is not None and attributes.get("lang") == self.keep_lang)
            or any(e.kept for e in self.open),
            attributes.get("role") == "img",
        )
        if not inside_image:
            for name in self.READ_ATTRIBUTES:
                if value := attributes.get(name):
                    self._add(value, element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip() and self.open:
            self._add(data, self.open[-1])

    def _add(self, value: str, element: Element) -> None:
        (self.kept if element.skipped or element.kept else self.read).append(value)


def read_text(html: str, keep_lang: str | None = "en") -> ReadText:
    reader = ReadText(keep_lang)
    reader.feed(html)
    reader.close()
    return reader


# Letters only; a word glued to digits (F01, M49, C16-17) is a code, and one letter (l', d', a)
# tells no language from another.
WORD = re.compile(r"(?<![\w])[^\W\d_]{2,}(?![\w])")


# Codes with digits in them: a round's code (review-2021), an instrument's, a question's.
CODE = re.compile(r"[\w.-]*\d[\w.-]*")


def words(text: str) -> set[str]:
    return {word.lower() for word in WORD.findall(CODE.sub(" ", text))}


def _labels(node: Any, lang: str) -> Iterator[str]:
    """The ``lang`` texts of every {en: …, lang: …} in a data file that differ from the
    English (a copied English text is not evidence of a word of ``lang``)."""
    if isinstance(node, dict):
        english, translated = node.get("en"), node.get(lang)
        if isinstance(english, str) and isinstance(translated, str):
            if translated.strip() != english.strip():
                yield translated
        elif isinstance(english, dict) and isinstance(translated, dict):
            for key, value in translated.items():
                if isinstance(value, str) and value != english.get(key):
                    yield value
        for value in node.values():
            yield from _labels(value, lang)
    elif isinstance(node, list):
        for value in node:
            yield from _labels(value, lang)


def headline_rows() -> Iterator[dict[str, str]]:
    """The rows of the demo's headline files, with a ``file`` column naming the file."""
    for path in HEADLINE_FILES:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                yield {**row, "file": path.name}


@pytest.fixture(scope="module")
def vocabulary() -> dict[str, set[str]]:
    """Per target language, the words the project's own texts in that language use."""
    found: dict[str, set[str]] = {lang: set() for lang in TARGETS}
    for path in LABEL_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for lang in TARGETS:
            for label in _labels(data, lang):
                found[lang] |= words(label)
    for row in headline_rows():
        for lang in TARGETS:
            for column in ("subject", "statement"):
                if (translated := row.get(f"{column}_{lang}")) and translated != row[column]:
                    found[lang] |= words(translated)
    return {lang: found[lang] | SHARED_WORDS[lang] | PROPER_NOUNS for lang in TARGETS}


def english_left(text: str, english: set[str], allowed: set[str]) -> dict[str, list[str]]:
    """Each line of ``text`` that has English words, with those words."""
    left: dict[str, list[str]] = {}
    for line in text.splitlines():
        if found := words(line) & english - allowed:
            left.setdefault(" ".join(line.split())[:100], sorted(found))
    return left


@pytest.fixture(scope="module")
def english(demo_reports: dict[str, Built]) -> set[str]:
    """Every word of the English report, quotations and codes included."""
    reader = read_text(demo_reports["en"].html, keep_lang=None)
    return words("\n".join(reader.read + reader.kept))


@pytest.mark.parametrize("lang", TARGETS)
def test_translated_report_html_has_no_english_word(
    demo_reports: dict[str, Built], english: set[str], vocabulary: dict[str, set[str]], lang: str
) -> None:
    reader = read_text(demo_reports[lang].html)
    assert len(reader.read) > 100  # the report was read, not an empty page
    left = english_left("\n".join(reader.read), english, vocabulary[lang])
    assert left == {}, f"English in the {lang} report (where: words): {left}"


def flat(text: str) -> str:
    """``text`` on one line with its hyphens taken out, so that a passage of the HTML is found
    in the PDF's text where a line was broken at a hyphen ("self-" / "referrals" comes out of
    pdftotext as "selfreferrals")."""
    return re.sub(r"-\s*", "", " ".join(text.split()))


@pytest.mark.parametrize("lang", TARGETS)
def test_translated_report_pdf_has_no_english_word(
    demo_reports: dict[str, Built], english: set[str], vocabulary: dict[str, set[str]], lang: str
) -> None:
    """The PDF's text too: what the print stylesheet adds (running headers, generated
    content) is only there. The HTML's English quotations and codes are taken out of the
    PDF's text first, as whole passages, since the PDF no longer marks them."""
    built = demo_reports[lang]
    assert len(built.pdf_text) > 1000
    printed = flat(built.pdf_text)
    kept = {flat(text) for text in read_text(built.html).kept}
    for passage in sorted(kept - {""}, key=len, reverse=True):
        printed = re.sub(rf"(?<!\w){re.escape(passage)}(?!\w)", " | ", printed)
    sentences = "\n".join(re.split(r"(?<=[.;:|])\s+", printed))
    left = english_left(sentences, english, vocabulary[lang])
    assert left == {}, f"English in the {lang} PDF (where: words): {left}"


# French: a no-break space (or narrow no-break space) before ; : ! ? % » and after «.
FRENCH_SPACING = re.compile(r"[^\S\u00a0\u202f][;:!?%»]|«[^\S\u00a0\u202f]|\w[;!?»]|«\w")


def test_french_report_spaces_its_punctuation_the_french_way(
    demo_reports: dict[str, Built],
) -> None:
    text = read_text(demo_reports["fr"].html).read
    wrong = sorted({" ".join(part.split())[:100] for part in text if FRENCH_SPACING.search(part)})
    assert wrong == []


@pytest.mark.parametrize("lang", TARGETS)
def test_percentages_are_written_with_a_no_break_space(
    demo_reports: dict[str, Built], lang: str
) -> None:
    """French and Spanish write "76 %" with U+00A0, in the call-outs, sentences, tables and
    charts alike (no "76%" and no "76 %" with an ordinary space)."""
    text = "\n".join(read_text(demo_reports[lang].html).read)
    assert percent_text(76, lang) == "76\u00a0%"
    assert text.count("\u00a0%") >= 5
    assert re.findall(r"\d+(?:%| %)", text) == []


def test_english_report_keeps_the_english_percent_sign(demo_reports: dict[str, Built]) -> None:
    text = "\n".join(read_text(demo_reports["en"].html, keep_lang=None).read)
    assert percent_text(76, "en") == "76%"
    assert re.findall(r"\d+\u00a0%", text) == []
    assert len(re.findall(r"\d+%", text)) > 10


def _report_texts() -> dict[str, dict[str, str]]:
    loaded: dict[str, dict[str, str]] = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    return loaded


@pytest.mark.parametrize("lang", TARGETS)
def test_every_report_text_is_translated(lang: str) -> None:
    every = _report_texts()
    english, translated = every["en"], every[lang]
    assert sorted(set(english) - set(translated)) == []
    assert sorted(set(translated) - set(english)) == []
    same = {
        key
        for key, value in english.items()
        if translated[key] == value and key not in FORMAT_KEYS | SAME_AS_ENGLISH[lang]
    }
    assert sorted(same) == []


@pytest.mark.parametrize("lang", TARGETS)
def test_report_texts_keep_the_placeholders_of_the_english(lang: str) -> None:
    every = _report_texts()
    placeholder = re.compile(r"\{(\w+)\}")
    differing = {
        key: (sorted(set(placeholder.findall(value))), sorted(set(placeholder.findall(text))))
        for key, value in every["en"].items()
        if (text := every[lang].get(key)) is not None
        and set(placeholder.findall(value)) != set(placeholder.findall(text))
    }
    assert differing == {}


def test_demo_narrative_and_headlines_are_in_every_report_language() -> None:
    narrative = yaml.safe_load(
        (SRC / "reports" / "data" / "review-2021-narrative.yaml").read_text(encoding="utf-8")
    )
    missing = [
        (key, lang)
        for key, texts in narrative.items()
        for lang in TARGETS
        if not (texts.get(lang) or "").strip() or texts[lang] == texts["en"]
    ]
    missing += [
        (f"{row['file']} {row['key']} {column}", lang)
        for row in headline_rows()
        for lang in TARGETS
        for column in ("subject", "statement")
        if row[column] and not (row.get(f"{column}_{lang}") or "").strip()
    ]
    assert missing == []
