from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from django import template
from mnr.core.framework import text
from mnr.core.limits import LIMITS
from mnr.web import labels as group_labels
from mnr.web.i18n import ui_language

register = template.Library()


@register.filter
def label(value: Mapping[str, str] | None) -> str:
    """A stored label in the current language, falling back to English."""
    return text(value or {}, ui_language())


@register.simple_tag
def limit(field: str) -> int:
    """The longest text a field of an answer takes (``mnr.core.limits``), for ``maxlength``."""
    return LIMITS[field]


@register.filter
def item(mapping: Mapping[str, object] | None, key: str) -> object:
    """``mapping[key]``, or None: for dictionaries keyed by codes with dots in them."""
    return (mapping or {}).get(key)


# Lazy: each page names them in its own language.
BREAKDOWN_NAMES: Mapping[str, Any] = {
    "income": _("income (high, low and middle)"),
    "income-group": _("World Bank income group"),
    "region": _("region"),
    "channel": _("channel"),
}


@register.filter
def breakdown_label(by: str | None) -> str:
    """What a breakdown is called on screen (``income-group`` → World Bank income group)."""
    return str(BREAKDOWN_NAMES.get(by or "", by or ""))


@register.simple_tag(takes_context=True)
def channel_name(context: template.Context, code: str) -> str:
    """A channel's label in the current language (its code if it has none); the labels are
    read once per page."""
    labels = context.render_context.get("mnr_channel_labels")
    if labels is None:
        from mnr.frameworks.models import Channel

        labels = dict(Channel.objects.values_list("code", "label"))
        context.render_context["mnr_channel_labels"] = labels
    return label(labels.get(code)) or code


@register.simple_tag(takes_context=True)
def group_name(context: template.Context, group: str | None, by: str | None) -> str:
    """A breakdown group's label: income groups by name (``HIC`` → High income), regions by
    their name in the page's language, channels by their label (``mnr.web.labels``)."""
    if not group:
        return str(_("all"))
    if by == "channel":
        return channel_name(context, group)
    return group_labels.group_name(group, by)


@register.filter
def region_name(region: str | None) -> str:
    """A region's name in the page's language (``Europe``); the stored name stays the value of
    filters and links."""
    return group_labels.region_name(region)


@register.filter
def suppression_reason(reason: str | None) -> str:
    """Why a cell is withheld, in the page's language."""
    return group_labels.suppression_reason(reason)
