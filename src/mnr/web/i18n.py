"""The language the interface is shown in, as the short code the data files use."""

from __future__ import annotations

from django.utils.translation import get_language


def ui_language() -> str:
    """The active language's base code (``fr`` for ``fr-ca``), English when none is active: the
    key under which labels, questions and report texts are stored."""
    return (get_language() or "en").split("-")[0]
