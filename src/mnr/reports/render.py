"""The report as one self-contained HTML file, and as PDF through WeasyPrint."""

from __future__ import annotations

import re
from collections import Counter

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from mnr.reports.builder import ReportContext


def render_html(report: ReportContext) -> str:
    """One file: styles and charts (SVG) inline, no external resource."""
    return render_to_string(
        "reports/report.html",
        {"report": report, "numbering": Counter(), "page_css": page_css(report)},
    )


def render_pdf(report: ReportContext) -> bytes:
    return pdf_of_html(render_html(report))


def pdf_of_html(html: str) -> bytes:
    """The PDF of a report's HTML file (as :func:`render_html` writes it), tagged PDF/UA-1: its
    language and title come from ``<html lang>`` and ``<title>``, its bookmarks from h1 to h3, and
    each chart's text alternative from the ``<title>`` inside its SVG."""
    # Imported here: WeasyPrint loads Pango at import, which only PDF output needs.
    from weasyprint import HTML

    document: bytes = HTML(string=html, base_url=None).write_pdf(pdf_variant="pdf/ua-1")
    return document


def css_string(value: str) -> str:
    """``value`` as a CSS string literal; anything but letters, digits and spaces is escaped,
    so that no text can end the string or the ``<style>`` element."""
    escaped = "".join(
        char if char.isalnum() or char == " " else f"\\{ord(char):x} " for char in value
    )
    return f'"{escaped}"'


def page_css(report: ReportContext) -> SafeString:
    """The running header and footer of the printed report, in its language: the report's
    title, "page X of Y", and for a synthetic round its mark on every page, the cover and the
    annex's landscape pages included (report.css styles the boxes and leaves the cover's
    title and number out)."""
    t = report.t
    number = " ".join(
        f"counter({part[1:-1]})" if part in ("{page}", "{pages}") else css_string(part)
        for part in re.split(r"(\{page\}|\{pages\})", t["page_of"])
        if part
    )
    title = css_string(f"{t['report']} · {report.title}")
    rules = [
        f"@top-left {{ content: {title}; }}",
        f"@bottom-right {{ content: {number}; }}",
    ]
    if report.round.synthetic:
        mark = css_string(t["synthetic_mark"])
        rules += [f"@top-right {{ content: {mark}; }}", f"@bottom-left {{ content: {mark}; }}"]
    return mark_safe("@page { " + " ".join(rules) + " }")
