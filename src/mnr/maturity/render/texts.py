"""Fixed wording of the maturity profile and the action plan, in ``texts.yaml`` beside this
module, read as the report's wording is (``mnr.reports.texts``): English where a text is not
translated. Capability, domain and phase names come from the edition."""

from __future__ import annotations

from pathlib import Path

from mnr.reports import texts as report_texts

LANGUAGES = report_texts.LANGUAGES
TEXTS_FILE = Path(__file__).resolve().parent / "texts.yaml"


def texts(lang: str) -> dict[str, str]:
    return report_texts.texts(lang, TEXTS_FILE)
