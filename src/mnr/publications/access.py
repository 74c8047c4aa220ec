"""The one way to read a publication for a user (the API's, the SDMX download's).

Everyone who may see a round sees its latest publication, which is all the public sees of it;
earlier ones, replaced since, are for those who see the round's jurisdiction-level data anyway
(administrators, its analysts and reviewers): served side by side, two publications could be
subtracted from each other. What one may not see is not found (404)."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext

from mnr.publications.models import Publication
from mnr.surveys.access import can_see_jurisdiction_data
from mnr.surveys.models import Round


def visible_publications(user: Any, round_: Round) -> QuerySet[Publication]:
    """``round_``'s publications the user may read (``round_`` itself is one they may see)."""
    publications = Publication.objects.filter(round=round_)
    if can_see_jurisdiction_data(user, round_):
        return publications
    return publications.filter(number=publications.aggregate(Max("number"))["number__max"])


def latest_publications(user: Any) -> QuerySet[Publication]:
    """The latest publication of every round the user may see."""
    newest = (
        Publication.objects.filter(round=OuterRef("round")).order_by("-number").values("number")[:1]
    )
    return Publication.objects.filter(
        round__in=Round.objects.visible_to(user), number=Subquery(newest)
    )


def get_publication_for_user(user: Any, pk: int) -> Publication:
    publication = (
        Publication.objects.select_related("round")
        .filter(pk=pk, round__in=Round.objects.visible_to(user))
        .first()
    )
    if (
        publication is None
        or not visible_publications(user, publication.round).filter(pk=pk).exists()
    ):
        raise Http404(gettext("No publication %(pk)s") % {"pk": pk})
    return publication
