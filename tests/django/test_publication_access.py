"""Who reads which publication: the latest for whoever sees the round, earlier ones only for
those who see its jurisdiction-level data."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from tests.publishing import validate_and_publish

from mnr.publications.access import (
    get_publication_for_user,
    latest_publications,
    visible_publications,
)

pytestmark = pytest.mark.django_db

EVERY_PUBLICATION = {"administrator", "analyst", "reviewer"}


@pytest.mark.parametrize(
    "persona", ["administrator", "analyst", "reviewer", "focal_point", "anonymous"]
)
def test_earlier_publications_only_for_who_sees_jurisdiction_data(
    personas: dict[str, Any], published_review_round: Any, persona: str
) -> None:
    first = published_review_round.publications.get()
    validate_and_publish(published_review_round)
    second = published_review_round.publications.get(number=2)
    user = personas[persona]
    assert get_publication_for_user(user, second.pk) == second
    assert list(latest_publications(user)) == [second]
    shown = {p.number for p in visible_publications(user, published_review_round)}
    if persona in EVERY_PUBLICATION:
        assert get_publication_for_user(user, first.pk) == first
        assert shown == {1, 2}
    else:
        with pytest.raises(Http404):
            get_publication_for_user(user, first.pk)
        assert shown == {2}


def test_unpublished_round_has_nothing_public(personas: dict[str, Any], review_round: Any) -> None:
    assert not latest_publications(personas["anonymous"]).exists()
    with pytest.raises(Http404):
        get_publication_for_user(personas["anonymous"], 1)
