"""Percentages as each report language writes them."""

from __future__ import annotations

import pytest

from mnr.core.numbers import percent_text


@pytest.mark.parametrize(
    ("lang", "written"), [("en", "76%"), ("fr", "76\u00a0%"), ("es", "76\u00a0%")]
)
def test_percent_is_written_as_the_language_writes_it(lang: str, written: str) -> None:
    assert percent_text(76, lang) == written


def test_a_language_without_its_own_format_writes_english() -> None:
    assert percent_text(100, "de") == "100%"


def test_french_keeps_the_number_and_its_sign_on_one_line() -> None:
    # An ordinary space could break the line between the number and the sign.
    assert " " not in percent_text(5, "fr") and percent_text(5, "fr").endswith("\u00a0%")
