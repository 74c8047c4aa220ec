"""Reading publications: what public pages, ``--public`` output and published reports show."""

from __future__ import annotations

from mnr.errors import MnrError
from mnr.publications.models import Publication
from mnr.surveys.models import Round


def latest_publication(round_: Round) -> Publication | None:
    return Publication.objects.filter(round=round_).order_by("-number").first()


def latest_publication_identity(round_: Round) -> Publication | None:
    """The latest publication with its number only: what serving its stored report needs.
    Its answers and findings are large JSON, parsed for nothing on every request otherwise."""
    return (
        Publication.objects.filter(round=round_)
        .only("pk", "number", "round_id")
        .order_by("-number")
        .first()
    )


def require_publication(round_: Round) -> Publication:
    publication = latest_publication(round_)
    if publication is None:
        raise MnrError(
            f"round {round_.code} has not been published: nothing of it is public yet. An analyst "
            f"publishes it with 'mnr publish --round {round_.code}' once submissions are validated"
        )
    return publication
