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


# Thousands separators: a comma in English; in French and Spanish a no-break space (French
# typography takes the narrow one, U+202F), so that a count never breaks across lines.
THOUSANDS_SEPARATORS: dict[str, str] = {"en": ",", "fr": "\u202f", "es": "\u00a0"}


def count_text(value: int, lang: str = "en") -> str:
    """A whole number with the thousands separator of ``lang``: "10,000", "10 000"; a
    language without its own separator is written as English."""
    separator = THOUSANDS_SEPARATORS.get(lang, THOUSANDS_SEPARATORS["en"])
    return f"{value:,}".replace(",", separator)
