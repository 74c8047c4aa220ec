from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnr.core.spreadsheet import (
    FORMULA_STARTS,
    escape_xlsx,
    neutralise,
    restore,
    unescape_xlsx,
)

# Text that leans on the characters the functions care about, mixed with any other.
cell_text = st.text(
    alphabet=st.one_of(st.sampled_from("=+-@\t\r'_x0D5F"), st.characters(codec="utf-8"))
)


@given(cell_text)
def test_restore_gives_back_what_was_neutralised(text: str) -> None:
    assert restore(neutralise(text)) == text


@given(cell_text)
def test_neutralised_text_never_starts_like_a_formula(text: str) -> None:
    assert not neutralise(text).startswith(FORMULA_STARTS)


@given(cell_text)
def test_text_that_cannot_be_a_formula_is_left_alone(text: str) -> None:
    if not text.lstrip("'").startswith(FORMULA_STARTS):
        assert neutralise(text) == text


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("'=already quoted", "''=already quoted"),
        ("plain 'quoted' text", "plain 'quoted' text"),
        ("", ""),
    ],
)
def test_formula_starts_get_one_quote(text: str, safe: str) -> None:
    assert neutralise(text) == safe


def test_a_quote_the_author_wrote_survives() -> None:
    assert restore("'not a formula") == "'not a formula"


@given(cell_text)
def test_xlsx_escape_round_trips(text: str) -> None:
    assert unescape_xlsx(escape_xlsx(text)) == text


@given(cell_text)
def test_xlsx_escaped_text_holds_no_character_xml_would_lose(text: str) -> None:
    escaped = escape_xlsx(text)
    assert not any(ord(c) < 32 and c not in "\t\n" for c in escaped)


def test_xlsx_escape_spells_carriage_return_and_literal_escapes_as_excel_does() -> None:
    assert escape_xlsx("a\r\nb") == "a_x000D_\nb"
    assert escape_xlsx("_x0041_") == "_x005F_x0041_"
    assert unescape_xlsx("_x0041_") == "A"
