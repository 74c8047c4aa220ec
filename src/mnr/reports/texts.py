"""Fixed wording of the generated report, in the languages reports are written in.

The texts live in ``data/report-texts.yaml``; framework content (domain names, statements)
comes from the framework and headline data in their own languages, falling back to English."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

LANGUAGES = ("en", "fr", "es")
TEXTS_FILE = Path(__file__).resolve().parent / "data" / "report-texts.yaml"


@functools.cache
def _all_texts(path: Path) -> dict[str, dict[str, str]]:
    loaded: dict[str, dict[str, str]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def texts(lang: str, path: Path = TEXTS_FILE) -> dict[str, str]:
    """The report's wording in ``lang``, English where a text is not translated; ``path``: another
    file of the same layout (the maturity profile's and plan's wording)."""
    every = _all_texts(path)
    return {**every["en"], **every.get(lang, {})}
