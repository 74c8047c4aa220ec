"""Reading a jurisdiction's classifications, with the parent inheritance rule."""

from __future__ import annotations

from collections.abc import Iterable

from mnr.jurisdictions.models import IncomeClassification, Jurisdiction


def income_groups(jurisdictions: Iterable[Jurisdiction], fiscal_year: int) -> dict[str, str | None]:
    """Income group per jurisdiction code for one fiscal year, in one query.

    A non-country jurisdiction without its own classification takes its parent's (England and
    Wales is classified as the United Kingdom is)."""
    jurisdictions = list(jurisdictions)
    ids = {j.pk for j in jurisdictions} | {j.parent_id for j in jurisdictions if j.parent_id}
    groups = dict(
        IncomeClassification.objects.filter(
            jurisdiction_id__in=ids, fiscal_year=fiscal_year
        ).values_list("jurisdiction_id", "income_group")
    )
    return {
        j.code: groups.get(j.pk) or (groups.get(j.parent_id) if j.parent_id else None)
        for j in jurisdictions
    }


def region_of(jurisdiction: Jurisdiction) -> str | None:
    """The M49 region, taken from the parent when the jurisdiction has none of its own."""
    if jurisdiction.region:
        return jurisdiction.region
    if jurisdiction.parent is not None:
        return jurisdiction.parent.region or None
    return None
