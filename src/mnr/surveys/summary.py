"""A round as the review publishes it anyway: its settings and its participants with their
income group and region (``mnr round show CODE --format json``)."""

from __future__ import annotations

from typing import Any

from mnr.findings.data import participants
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.models import Round


def round_settings(round_: Round) -> dict[str, Any]:
    """The round's settings as JSON: what ``mnr round show`` and the API's rounds print."""
    return {
        "code": round_.code,
        "title": round_.title,
        "status": round_.status,
        "instrument": {"code": round_.instrument.code, "version": round_.instrument.version},
        "channels": list(round_.channels),
        "opens_on": round_.opens_on.isoformat() if round_.opens_on else None,
        "closes_on": round_.closes_on.isoformat() if round_.closes_on else None,
        "income_fiscal_year": round_.income_fiscal_year,
        "disclosure_threshold": round_.disclosure_threshold,
        "synthetic": round_.synthetic,
    }


def round_summary(round_: Round) -> dict[str, Any]:
    """The round's settings, and its participants in code order with the income group of the
    round's income classification year and the M49 region, as the findings count them."""
    names = {
        j.code: j.name()
        for j in Jurisdiction.objects.filter(participations__round=round_).only("code", "names")
    }
    return {
        **round_settings(round_),
        "participants": [
            {
                "jurisdiction": participant.jurisdiction,
                "name": names[participant.jurisdiction],
                "income_group": participant.income_group,
                "region": participant.region,
            }
            for participant in participants(round_)
        ],
    }
