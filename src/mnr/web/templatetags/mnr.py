from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import get_language

from django import template
from mnr.core.framework import text
from mnr.core.limits import LIMITS

register = template.Library()


@register.filter
def label(value: Mapping[str, str] | None) -> str:
    """A stored label in the current language, falling back to English."""
    return text(value or {}, (get_language() or "en").split("-")[0])


@register.simple_tag
def limit(field: str) -> int:
    """The longest text a field of an answer takes (``mnr.core.limits``), for ``maxlength``."""
    return LIMITS[field]


@register.filter
def item(mapping: Mapping[str, object] | None, key: str) -> object:
    """``mapping[key]``, or None: for dictionaries keyed by codes with dots in them."""
    return (mapping or {}).get(key)
