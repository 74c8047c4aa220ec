"""Why a cell is withheld, on screen: every reason mnr.core.disclosure gives is one the pages
translate (a new wording in core without its translation fails here)."""

from __future__ import annotations

import pytest
from django.utils import translation

from mnr.core import disclosure
from mnr.web import labels

REASONS = [
    disclosure.PRIMARY.format(k=3),
    disclosure.PRIMARY_PUBLIC.format(k=5),
    disclosure.PRIMARY_VIEWER.format(k=2),
    disclosure.SECONDARY,
]


def test_every_reason_core_gives_is_known_to_the_pages() -> None:
    listed = {template for template, _ in labels._SUPPRESSION_REASONS}
    assert {
        disclosure.PRIMARY,
        disclosure.PRIMARY_PUBLIC,
        disclosure.PRIMARY_VIEWER,
        disclosure.SECONDARY,
    } <= listed


@pytest.mark.parametrize("reason", REASONS)
def test_a_reason_reads_as_core_wrote_it_in_english(reason: str) -> None:
    with translation.override("en"):
        assert labels.suppression_reason(reason) == reason


@pytest.mark.parametrize("lang", ["fr", "es"])
@pytest.mark.parametrize("reason", REASONS)
def test_a_reason_is_translated_with_its_threshold(reason: str, lang: str) -> None:
    with translation.override(lang):
        shown = labels.suppression_reason(reason)
    assert shown and shown != reason
    for digit in "0123456789":
        assert shown.count(digit) == reason.count(digit)


def test_a_reason_not_listed_is_shown_as_stored() -> None:
    with translation.override("fr"):
        assert labels.suppression_reason("withheld by hand") == "withheld by hand"
        assert labels.suppression_reason(None) == ""
