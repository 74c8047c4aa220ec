"""A publication's robustness through the API: the stored public run, the same one the report
annex and the findings explorer show, for whoever may read the publication."""

from __future__ import annotations

from typing import Any

import pytest
from tests.django.test_robustness_store import answered_round, publish_committed

from mnr.publications.models import PublicationRobustness

pytestmark = pytest.mark.django_db


def test_anyone_reads_the_stored_public_run_of_the_latest_publication(
    api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    publication = publish_committed(answered_round(), django_capture_on_commit_callbacks)
    row = PublicationRobustness.objects.get(publication=publication)
    assert row.status == PublicationRobustness.Status.READY
    for persona in ("anonymous", "other_focal_point", "analyst"):
        response = api.get(f"/publications/{publication.pk}/robustness", as_=persona)
        assert response.status_code == 200, persona
        body = response.json()
        assert body["status"] == "ready"
        assert body["figures"] == row.result["figures"]
        assert (body["replications"], body["seed"], body["factors"]) == (
            row.result["replications"],
            row.result["seed"],
            row.result["factors"],
        )
    # The headline over UNICEF's answers is withheld: no robustness either.
    assert [f["id"] for f in body["figures"]] == ["H1", "H2"]
    assert "domains" not in body


def test_a_run_being_computed_says_so_with_no_figures(
    api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    publication = publish_committed(answered_round(), django_capture_on_commit_callbacks)
    PublicationRobustness.objects.filter(publication=publication).update(
        status=PublicationRobustness.Status.PENDING, result=None
    )
    body = api.get(f"/publications/{publication.pk}/robustness").json()
    assert (body["status"], body["figures"], body["replications"]) == ("pending", [], None)
