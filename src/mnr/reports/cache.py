"""Published reports rendered once per language and format, built in the background.

The first request for a publication's report (HTML or PDF, in one language) creates a
pending :class:`RenderedReport` and enqueues its build (``mnr.reports.tasks``); later requests
serve the stored content, or say that it is being prepared. A publication never changes, so a
stored rendering never goes stale. Previews (``?preview=1``) read live answers and are never
stored.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from mnr.publications.models import Publication, RenderedReport
from mnr.reports.builder import build_report
from mnr.reports.render import pdf_of_html, render_html

# A build pending longer than this is taken as lost (its worker stopped during it), and queued
# again; a build of the demo's report takes seconds.
STALE_BUILD = timedelta(minutes=10)


def rendered_report(publication: Publication, lang: str, format: str) -> RenderedReport:
    """The stored rendering, ready or pending; its build is enqueued by whoever creates it,
    and again by the first request after it has been pending for :data:`STALE_BUILD`."""
    existing = RenderedReport.objects.filter(
        publication=publication, lang=lang, format=format
    ).first()
    if existing is not None:
        if existing.status == RenderedReport.Status.PENDING and _claim_stale(existing):
            return _enqueued(existing)
        return existing
    try:
        with transaction.atomic():
            created = RenderedReport.objects.create(
                publication=publication, lang=lang, format=format
            )
    except IntegrityError:
        # Another request created it a moment ago and enqueued its build.
        return RenderedReport.objects.get(publication=publication, lang=lang, format=format)
    return _enqueued(created)


def _claim_stale(render: RenderedReport) -> bool:
    """Whether this request is the one to queue a lost build again (one request only)."""
    now = timezone.now()
    return bool(
        RenderedReport.objects.filter(
            pk=render.pk,
            status=RenderedReport.Status.PENDING,
            queued_at__lt=now - STALE_BUILD,
        ).update(queued_at=now)
    )


def _enqueued(render: RenderedReport) -> RenderedReport:
    # Imported here: the task module imports this one.
    from mnr.reports.tasks import build_rendered_report

    build_rendered_report.enqueue(render.pk)
    render.refresh_from_db()  # the immediate backend (tests) has built it already
    return render


def build(render: RenderedReport) -> None:
    """Render the report and store it; a failure is stored too, with its reason."""
    publication = render.publication
    try:
        html = _html(publication, render.lang)
        content = (
            html.encode() if render.format == RenderedReport.Format.HTML else pdf_of_html(html)
        )
    except Exception as error:
        render.status = RenderedReport.Status.FAILED
        render.error = f"{type(error).__name__}: {error}"
        render.save(update_fields=["status", "error"])
        raise
    render.content = content
    render.status = RenderedReport.Status.READY
    render.error = ""
    render.built_at = timezone.now()
    render.save(update_fields=["content", "status", "error", "built_at"])


def _html(publication: Publication, lang: str) -> str:
    """The HTML, from the stored one when it is ready (a PDF is printed from the same file)."""
    stored = RenderedReport.objects.filter(
        publication=publication,
        lang=lang,
        format=RenderedReport.Format.HTML,
        status=RenderedReport.Status.READY,
    ).first()
    if stored is not None:
        return bytes(stored.content).decode()
    return render_html(build_report(publication.round, lang, publication=publication))
