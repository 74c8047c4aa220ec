"""The interface in French and Spanish: no template text outside the translation tags, complete
catalogues that match the sources and the committed .mo files, the language switcher, the
right-to-left layout, and pages that show no English UI text once a language is chosen."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import polib
import pytest
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import Client
from django.urls import reverse
from django.utils import translation
from tests.maturity import self_assessment_round
from tests.submissions import in_state
from tests.translations import DOMAINS, LOCALE, catalogue, english_ui_texts, entries

from mnr.surveys.models import Round, Submission

SRC = Path(__file__).resolve().parents[2] / "src" / "mnr"
LANGUAGES = ("fr", "es")

# Templates of the generated documents (report, maturity profile and plan): their wording comes
# from the report texts (mnr/reports/data/report-texts.yaml) in the document's own language,
# which is not the interface's, so they are checked by the report tests instead.
DOCUMENT_TEMPLATES = ("reports/templates", "maturity/templates")
# Words that stay as they are in every language.
UNTRANSLATED_WORDS = {
    "mnr",  # the application's name, in the header and the page titles
}
# Attributes a reader (or a screen reader) is given as text.
TEXT_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


def ui_templates() -> list[Path]:
    return sorted(
        path
        for path in SRC.glob("*/templates/**/*.html")
        if not any(part in path.as_posix() for part in DOCUMENT_TEMPLATES)
    )


def text_outside_translation(source: str) -> str:
    """The template's own text: every template tag and variable replaced by a mark, the text
    inside blocktranslate left out, HTML comments, scripts and styles removed."""
    parts: list[str] = []
    inside_block = False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in ("blocktranslate", "blocktrans"):
                inside_block = True
            elif name in ("endblocktranslate", "endblocktrans"):
                inside_block = False
            parts.append("\x00")
        elif token.token_type == TokenType.TEXT and not inside_block:
            parts.append(token.contents)
        elif token.token_type == TokenType.VAR:
            parts.append("\x00")
    text = "".join(parts)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    return re.sub(r"<(script|style)\b[^>]*>.*?</\1\s*>", " ", text, flags=re.S | re.I)


def untranslated_words(source: str) -> list[str]:
    text = text_outside_translation(source)
    visible = []
    for attribute in TEXT_ATTRIBUTES:
        visible += re.findall(rf'\b{attribute}="([^"]*)"', text)
    visible.append(re.sub(r"<[^>]*>", " ", text))
    words = []
    for chunk in visible:
        chunk = re.sub(r"&#?\w+;", " ", chunk)
        words += [w for w in re.findall(r"[^\W\d_]+", chunk) if w not in UNTRANSLATED_WORDS]
    return words


def test_the_check_finds_english_outside_the_tags() -> None:
    template = (
        '{% load i18n %}<p title="Hover text">{% translate "Fine" %} Loose words</p>'
        "{% blocktranslate %}Also fine {{ x }}{% endblocktranslate %}<!-- note -->"
        '<script>const ok = "ok";</script><a aria-label="{% translate "Fine" %}">mnr</a>'
    )
    assert untranslated_words(template) == ["Hover", "text", "Loose", "words"]


@pytest.mark.parametrize("path", ui_templates(), ids=lambda p: str(p.relative_to(SRC)))
def test_every_template_text_goes_through_translation(path: Path) -> None:
    assert untranslated_words(path.read_text(encoding="utf-8")) == [], path


def key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang: str, domain: str) -> None:
    po = catalogue(lang, domain)
    assert entries(po), f"{lang}/{domain}.po is empty"
    missing = [
        entry.msgid
        for entry in entries(po)
        if "fuzzy" in entry.flags
        or (not entry.msgstr if not entry.msgid_plural else not all(entry.msgstr_plural.values()))
    ]
    assert missing == [], f"{lang}/{domain}.po: untranslated or fuzzy"
    assert po.metadata.get("Language") == lang
    assert "Plural-Forms" in po.metadata


@pytest.mark.parametrize("lang", LANGUAGES)
def test_french_and_spanish_keep_the_placeholders(lang: str) -> None:
    placeholder = re.compile(r"%\(\w+\)s|%%")
    for domain in DOMAINS:
        for entry in entries(catalogue(lang, domain)):
            wanted = sorted(placeholder.findall(entry.msgid))
            texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
            for text in filter(None, texts):
                found = sorted(placeholder.findall(text))
                # The singular of a plural may spell out "one" instead of the count.
                assert found == wanted or entry.msgid_plural, (lang, entry.msgid, text)


def compiled(mo: polib.MOFile) -> dict[tuple[str, str, str], Any]:
    return {
        key(entry): (entry.msgstr if not entry.msgid_plural else dict(entry.msgstr_plural))
        for entry in mo
        if entry.msgid
    }


def translated(po: polib.POFile) -> dict[tuple[str, str, str], Any]:
    return {
        key(entry): (
            entry.msgstr
            if not entry.msgid_plural
            else {int(n): text for n, text in entry.msgstr_plural.items()}
        )
        for entry in entries(po)
        if entry.translated()
    }


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_committed_mo_is_the_compiled_po(lang: str, domain: str) -> None:
    """The .mo files are committed (nothing compiles them at install time): they must hold
    exactly what the .po says. After changing a .po: ``mnr compilemessages`` (see
    docs/translations.md)."""
    po = catalogue(lang, domain)
    mo = polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / f"{domain}.mo"))
    assert {
        k: (v if isinstance(v, str) else {int(n): t for n, t in v.items()})
        for k, v in compiled(mo).items()
    } == translated(po)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="xgettext (GNU gettext) is missing")
@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogue_has_every_message_of_the_sources(
    domain: str, tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages run afresh, on a copy of the sources, finds exactly the catalogue's msgids.
    (On the sources themselves it would write into their locale folder, whatever LOCALE_PATHS
    says.)"""
    sources = tmp_path / "mnr"
    for path in SRC.rglob("*"):
        if path.suffix in (".html", ".txt", ".py", ".js") and "locale" not in path.parts:
            copy = sources / path.relative_to(SRC)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(sources)
    options: dict[str, Any] = {"locale": ["fr"], "domain": domain, "verbosity": 0}
    if domain == "django":
        options["extensions"] = ["html", "txt", "py"]
    call_command("makemessages", **options)
    fresh = polib.pofile(str(tmp_path / "locale" / "fr" / "LC_MESSAGES" / f"{domain}.po"))
    wanted = {key(entry) for entry in entries(fresh)}
    have = {key(entry) for entry in entries(catalogue("fr", domain))}
    assert sorted(wanted - have) == [], "in the sources but not in the catalogue: makemessages"
    assert sorted(have - wanted) == [], "in the catalogue but no longer in the sources"
    assert have == {key(entry) for entry in entries(catalogue("es", domain))}


# --- The switcher and the page's language ------------------------------------------------------


@pytest.mark.django_db
def test_the_switcher_names_each_language_in_itself_and_keeps_the_page(
    personas: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(personas["focal_point"])
    page = reverse("submissions") + "?status=draft&q=ke"
    html = client.get(page).content.decode()
    switcher = re.search(r'<form class="languages".*?</form>', html, re.S)
    assert switcher, "no language switcher in the header"
    form = switcher.group(0)
    assert f'action="{reverse("set_language")}"' in form and 'method="post"' in form
    assert 'aria-label="Language"' in form
    assert 'name="next" value="/submissions/?status=draft&amp;q=ke"' in form
    buttons = re.findall(
        r'<button type="submit" name="language" value="(\w+)" lang="(\w+)"[^>]*>([^<]+)<', form
    )
    assert buttons == [("en", "en", "English"), ("fr", "fr", "Français"), ("es", "es", "Español")]

    response = client.post(reverse("set_language"), {"language": "fr", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    french = client.get(page).content.decode()
    assert '<html lang="fr" dir="ltr">' in french
    assert ">Mes soumissions</h1>" in french
    assert 'aria-label="Langue"' in french
    assert re.search(r'value="fr" lang="fr" aria-current="true">Français<', french)


@pytest.mark.django_db
def test_a_browser_asking_for_spanish_gets_spanish() -> None:
    html = Client(HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9").get(reverse("home")).content.decode()
    assert '<html lang="es" dir="ltr">' in html and "Ir al contenido" in html


@pytest.mark.django_db
def test_a_language_without_a_catalogue_is_not_offered(settings: Any) -> None:
    # The interface offers English and the languages whose catalogue is checked complete above.
    assert [code for code, _ in settings.LANGUAGES] == ["en", *LANGUAGES]
    html = Client(HTTP_ACCEPT_LANGUAGE="ar").get(reverse("home")).content.decode()
    assert '<html lang="en" dir="ltr">' in html
    assert 'value="ar"' not in html


@pytest.mark.django_db
def test_a_right_to_left_language_turns_the_page(rf: Any) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    request = rf.get("/nowhere/")
    request.user = AnonymousUser()
    with translation.override("ar"):
        html = render_to_string("404.html", {"request_path": "/nowhere/"}, request=request)
    assert '<html lang="ar" dir="rtl">' in html


def test_the_stylesheets_use_logical_directions() -> None:
    """Margins, paddings, borders and alignment follow the text's direction (right-to-left
    ready), except where the design means a physical side."""
    for sheet in (SRC / "web" / "static" / "mnr").glob("*.css"):
        css = sheet.read_text(encoding="utf-8")
        physical = re.findall(
            r"(?:margin|padding|border)-(?:left|right)\b|text-align:\s*(?:left|right)|float:\s*(?:left|right)",
            css,
        )
        assert physical == [], sheet.name


@pytest.mark.django_db
def test_the_scripts_get_their_texts_from_the_catalogue() -> None:
    french = Client().get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 200
    assert "Enregistrement" in french.content.decode()  # the script escapes "…"


# --- No English left on the pages --------------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and the text attributes, without scripts,
    styles and code samples."""

    SKIPPED = {"script", "style", "code", "pre", "textarea"}

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self.skipping.append(tag)
        for name, value in attrs:
            if name in TEXT_ATTRIBUTES and value:
                self.texts.append(value)
            if tag == "input" and name == "value" and dict(attrs).get("type") == "submit" and value:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.texts.append(data)


def visible_texts(html: str) -> Iterator[str]:
    parser = VisibleText()
    parser.feed(html)
    for text in parser.texts:
        text = " ".join(unescape(text).split())
        if text:
            yield text


@pytest.fixture
def pages(personas: dict[str, Any], review_round: Round) -> list[tuple[str, str]]:
    """(persona, url) of a representative page of every kind: Kenya's answers returned to its
    focal point, Sweden's waiting for review, a self-assessment round for the maturity pages."""
    returned = in_state(review_round, "KE", Submission.Status.RETURNED)
    submitted = in_state(review_round, "SE", Submission.Status.SUBMITTED)
    assessment = self_assessment_round(
        "sa-i18n", {"KE": {"": {"C01": 2, "C03": 1}}, "SE": {"": {"C01": 3}}}
    )
    code = review_round.code
    return [
        ("anonymous", reverse("home")),
        ("anonymous", reverse("login")),
        ("anonymous", reverse("library")),
        ("anonymous", reverse("framework", args=["mnr-2016"])),
        ("anonymous", reverse("capability", args=["mnr-2016", "C01"])),
        ("anonymous", "/no-such-page/"),
        ("focal_point", reverse("home")),
        ("focal_point", reverse("submissions")),
        ("focal_point", reverse("submission", args=[returned.pk])),
        ("focal_point", reverse("submission", args=[returned.pk]) + "?domain=D1"),
        ("focal_point", reverse("submission-submit", args=[returned.pk])),
        ("focal_point", reverse("submission-history", args=[returned.pk])),
        ("reviewer", reverse("home")),
        ("reviewer", reverse("submissions")),
        ("reviewer", reverse("submission-review", args=[submitted.pk])),
        ("analyst", reverse("home")),
        ("analyst", reverse("round", args=[code])),
        ("analyst", reverse("round-findings", args=[code])),
        ("analyst", reverse("round-report-edit", args=[code])),
        ("analyst", reverse("library")),
        ("analyst", reverse("capability", args=["mnr-2016", "C01"])),
        ("analyst", reverse("maturity-round", args=[assessment.code])),
        ("analyst", reverse("maturity-profile", args=[assessment.code, "KE"])),
        ("analyst", reverse("maturity-plan", args=[assessment.code, "KE"])),
        ("analyst", reverse("maturity-phases", args=[assessment.code, "KE"])),
        ("administrator", reverse("home")),
        ("administrator", reverse("manage")),
        ("administrator", reverse("manage-users")),
        ("administrator", reverse("manage-user", args=[personas["focal_point"].pk])),
        ("administrator", reverse("manage-rounds")),
        ("administrator", reverse("manage-round", args=[code])),
        ("administrator", reverse("manage-phases")),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_english_ui_text_on_the_pages(
    personas: dict[str, Any], pages: list[tuple[str, str]], lang: str
) -> None:
    english = english_ui_texts(lang)
    leaks: dict[str, list[str]] = {}
    for persona, url in pages:
        client = Client(HTTP_ACCEPT_LANGUAGE=lang)
        if persona != "anonymous":
            client.force_login(personas[persona])
        response = client.get(url)
        assert response.status_code in (200, 404), (persona, url, response.status_code)
        html = response.content.decode()
        assert f'<html lang="{lang}"' in html, (persona, url)
        found = sorted({text for text in visible_texts(html) if text in english})
        if found:
            leaks[f"{persona} {url}"] = found
    assert leaks == {}
