"""Template filters of the report: numbers written as the report's language writes them."""

from __future__ import annotations

from django import template
from mnr.core.numbers import percent_text

register = template.Library()


@register.filter
def percent(value: int | float | None, lang: str) -> str:
    """``{{ figure.percent|percent:report.lang }}``: "76%" in English, "76 %" in French and
    Spanish; nothing for a missing value."""
    return "" if value is None else percent_text(value, lang)
