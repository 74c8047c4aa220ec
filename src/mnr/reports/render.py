"""The report as one self-contained HTML file, and as PDF through WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string

from mnr.reports.builder import ReportContext


def render_html(report: ReportContext) -> str:
    """One file: styles and charts (SVG) inline, no external resource."""
    return render_to_string("reports/report.html", {"report": report})


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
