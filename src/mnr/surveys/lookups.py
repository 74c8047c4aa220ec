"""Finding rounds by code for the operator at the command line (no user scoping: the operator
has the database). Web and API code uses ``surveys.access`` instead."""

from __future__ import annotations

from mnr.errors import unknown
from mnr.surveys.models import Round


def round_by_code(code: str) -> Round:
    round_ = Round.objects.select_related("instrument").filter(code=code).first()
    if round_ is None:
        raise unknown("round", code, Round.objects.values_list("code", flat=True))
    return round_
