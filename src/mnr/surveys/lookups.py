"""Finding rounds by code for the operator at the command line (no user scoping: the operator
has the database). Web and API code uses ``surveys.access`` instead."""

from __future__ import annotations

from mnr.errors import MnrError, unknown
from mnr.jurisdictions import codes
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.models import Round


def round_by_code(code: str) -> Round:
    round_ = Round.objects.select_related("instrument").filter(code=code).first()
    if round_ is None:
        raise unknown("round", code, Round.objects.values_list("code", flat=True))
    return round_


def require_participant(round_: Round, jurisdiction: Jurisdiction) -> None:
    """MnrError unless the jurisdiction takes part in the round (every path checks it so)."""
    if not round_.participations.filter(jurisdiction=jurisdiction).exists():
        raise MnrError(
            f"{jurisdiction.code} does not take part in round {round_.code}; "
            f"mnr round show {round_.code} lists its participants"
        )


def participant(round_: Round, given: str, *, where: str = "--jurisdiction") -> Jurisdiction:
    """The participating jurisdiction ``given`` names (any accepted spelling of its code)."""
    jurisdiction = codes.get(given, where=where)
    require_participant(round_, jurisdiction)
    return jurisdiction
