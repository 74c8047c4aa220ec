"""The names pages give breakdown groups, in the page's language: income groups by the chart
texts (``HIC`` → High income), regions by the M49 region names of the reference file
(``Europe``). Stored data, URLs and filters keep the codes and English names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from mnr.core import disclosure
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


# Why a cell is withheld, as mnr.core.disclosure words it (with its threshold k) → on screen.
_SUPPRESSION_REASONS: tuple[tuple[str, Any], ...] = (
    (disclosure.PRIMARY, gettext_lazy("fewer than %(k)s jurisdictions answered")),
    (
        disclosure.PRIMARY_PUBLIC,
        gettext_lazy("fewer than %(k)s jurisdictions answered besides any one reader's own"),
    ),
    (
        disclosure.PRIMARY_VIEWER,
        gettext_lazy("fewer than %(k)s jurisdictions other than yours answered"),
    ),
    (
        disclosure.SECONDARY,
        gettext_lazy("withheld so that no withheld figure can be worked out from the ones shown"),
    ),
)


def suppression_reason(reason: str | None) -> str:
    """A withheld cell's reason in the page's language (a reason not listed is shown as
    stored: publications keep the words of their time)."""
    for template, translated in _SUPPRESSION_REASONS:
        pattern = re.escape(template).replace(re.escape("{k}"), r"(?P<k>[0-9]+)")
        match = re.fullmatch(pattern, reason or "")
        if match:
            return str(translated) % {"k": match.groupdict().get("k", "")}
    return reason or ""
