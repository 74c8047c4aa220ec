"""Background tasks of the reports (django-tasks; ``mnr worker`` runs them)."""

from __future__ import annotations

from django_tasks import task

from mnr.publications.models import RenderedReport
from mnr.reports.cache import build


@task()
def build_rendered_report(render_id: int) -> None:
    """Build one stored rendering of a published report (see ``mnr.reports.cache``)."""
    render = RenderedReport.objects.select_related("publication__round").get(pk=render_id)
    if render.status != RenderedReport.Status.READY:
        build(render)
