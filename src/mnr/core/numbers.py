"""Numbers as a reader of each report language expects to see them.

One place decides how a percentage is written, so that the report's call-outs, its tables and
its charts agree: English writes ``76%``; French and Spanish put a no-break space (U+00A0)
between the number and the sign, ``76 %``, which also keeps the two on one line."""

from __future__ import annotations

PERCENT_FORMATS: dict[str, str] = {
    "en": "{value}%",
    "fr": "{value}\u00a0%",
    "es": "{value}\u00a0%",
}


def percent_text(value: int | float, lang: str = "en") -> str:
    """``value`` (already a percentage, e.g. 76) with the per cent sign of ``lang``; a language
    without its own format is written as English."""
    return PERCENT_FORMATS.get(lang, PERCENT_FORMATS["en"]).format(value=value)
