"""The names pages give breakdown groups, in the page's language: income groups by the chart
texts (``HIC`` → High income), regions by the M49 region names of the reference file
(``Europe``). Stored data, URLs and filters keep the codes and English names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from mnr.core.charts import texts
from mnr.web.i18n import ui_language

INCOME_BREAKDOWNS = ("income", "income-group")

# The regions of mnr/jurisdictions/data/jurisdictions.csv (M49), as stored.
REGION_NAMES: Mapping[str, Any] = {
    "Africa": gettext_lazy("Africa"),
    "Americas": gettext_lazy("Americas"),
    "Asia": gettext_lazy("Asia"),
    "Europe": gettext_lazy("Europe"),
    "Oceania": gettext_lazy("Oceania"),
}


def region_name(region: str | None) -> str:
    """A region's name on screen (a name not listed is shown as stored)."""
    return str(REGION_NAMES.get(region or "", region or ""))


def income_group_name(group: str) -> str:
    """An income group's name on screen (``HIC`` → High income)."""
    return texts(ui_language()).get(f"group.{group}", group)


def group_name(group: str, by: str | None) -> str:
    """A group of breakdown ``by`` on screen: income groups and regions by name; other groups
    (channels, which have their own labels) as given."""
    if by in INCOME_BREAKDOWNS:
        return income_group_name(group)
    if by == "region":
        return region_name(group)
    return group
