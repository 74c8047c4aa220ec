"""The interface's translation catalogues, read for the tests: which English texts must not be
seen once French or Spanish is chosen."""

from __future__ import annotations

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "src" / "mnr" / "locale"
DOMAINS = ("django", "djangojs")


def catalogue(lang: str, domain: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"))


def entries(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


def english_ui_texts(lang: str) -> set[str]:
    """The English msgids (those without placeholders, whitespace collapsed) whose translation
    in ``lang`` differs from them: seeing one of them on a page in ``lang`` is an untranslated
    UI text."""
    english = set()
    for domain in DOMAINS:
        for entry in entries(catalogue(lang, domain)):
            texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
            if "%(" in entry.msgid or entry.msgid in texts:
                continue
            english.add(" ".join(entry.msgid.split()))
    return english
