"""Figure and table numbers of the generated report, counted in document order as the template
renders, so that the HTML and the PDF print the same "Figure 3." and screen readers read it."""

from __future__ import annotations

from collections import Counter

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def number(context: template.Context, kind: str) -> str:
    """The next number of ``kind`` ("figure" or "table") in the report's words ("Figure 3.",
    "Tableau 2."); ``render_html`` starts each rendering's count at zero."""
    counts: Counter[str] = context["numbering"]
    counts[kind] += 1
    wording: str = context["report"].t[f"{kind}_number"]
    return wording.format(n=counts[kind])


@register.simple_tag
def formatted(wording: str, **values: object) -> str:
    """A text of the report with its ``{placeholders}`` filled ("{domain}: capabilities in
    place, by income group"); the result is escaped like any variable."""
    return wording.format(**values)
