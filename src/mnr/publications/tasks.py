"""Background tasks of publications (django-tasks; ``mnr worker`` runs them)."""

from __future__ import annotations

from django_tasks import task

from mnr.publications.models import PublicationRobustness
from mnr.publications.robustness import compute


@task()
def compute_robustness(row_id: int) -> None:
    """Compute and store one publication's public robustness (``mnr.publications.robustness``)."""
    row = PublicationRobustness.objects.select_related("publication__round").get(pk=row_id)
    if row.status != PublicationRobustness.Status.READY:
        compute(row)
