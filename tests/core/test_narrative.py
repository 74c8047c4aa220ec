"""Proportion phrases and finding sentences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnr.core.findings import Finding
from mnr.core.narrative import (
    LEAD_INS,
    PHRASE_RULES,
    describe,
    finding_sentence,
    phrase_lead_in,
    proportion_phrase,
)
from mnr.core.synthetic import load_figures

# Every figure of the 2021 review: our phrase, and the review's own wording where it differs.
PUBLISHED = {
    "F01": ("over three-quarters", None),
    "F02": ("almost two-thirds", None),
    "F03": ("most", "over three-quarters"),
    "F04": ("all", None),
    "F05": ("all", None),
    "F06": ("over half", "only 8"),
    "F07": ("most", None),
    "F08": ("all", None),
    "F09": ("most", "almost all"),
    "F10": ("almost three-quarters", None),
    "F11": ("all", None),
    "F12": ("over two-thirds", "two-thirds"),
    "F13": ("most", "92 per cent"),
    "F14": ("a third", None),
    "F15": ("over two-thirds", None),
    "F16": ("most", None),
    "F17": ("most", None),
    "F18": ("almost all", None),
    "F19": ("most", None),
    "F20": ("over three-quarters", None),
    "F21": ("almost three-quarters", "over two-thirds"),
    "F22": ("over half", None),
    "F23": ("all", None),
    "F24": ("almost three-quarters", "over two-thirds"),
    "F25": ("over half", None),
    "F26": ("most", "almost all"),
}


@pytest.mark.parametrize("figure", load_figures(), ids=lambda f: f.figure_id)
def test_phrase_for_each_published_figure(figure) -> None:
    expected, _ = PUBLISHED[figure.figure_id]
    assert proportion_phrase(figure.numerator, figure.denominator) == expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "phrase"),
    [
        (42, 42, "all"),
        (19, 20, "almost all"),
        (37, 39, "most"),
        (94, 100, "most"),
        (4, 5, "most"),
        (79, 100, "over three-quarters"),
        (3, 4, "three-quarters"),
        (7, 10, "almost three-quarters"),
        (69, 100, "over two-thirds"),
        (2, 3, "two-thirds"),
        (37, 60, "almost two-thirds"),
        (61, 100, "over half"),
        (1, 2, "half"),
        (9, 20, "almost half"),
        (44, 100, "over a third"),
        (1, 3, "a third"),
        (3, 10, "under a third"),
        (1, 4, "a quarter"),
        (1, 10, "under a quarter"),
        (1, 11, "few"),
        (0, 42, "none"),
    ],
)
def test_phrase_rule_table_boundaries(numerator: int, denominator: int, phrase: str) -> None:
    assert proportion_phrase(numerator, denominator) == phrase


@given(st.integers(1, 500).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d))))
def test_every_share_has_a_phrase_with_a_sentence_form(pair: tuple[int, int]) -> None:
    phrase = proportion_phrase(*pair)
    assert phrase in LEAD_INS["en"]


def test_phrases_only_grow_with_the_share() -> None:
    order = [phrase for phrase, _ in PHRASE_RULES][::-1]
    ranks = [order.index(proportion_phrase(n, 600)) for n in range(601)]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize(("numerator", "denominator"), [(1, 0), (-1, 4), (5, 4)])
def test_no_phrase_without_a_proper_share(numerator: int, denominator: int) -> None:
    with pytest.raises(ValueError, match="no proportion phrase"):
        proportion_phrase(numerator, denominator)


def test_sentence_in_english() -> None:
    sentence = finding_sentence(
        "over three-quarters",
        "participating jurisdictions",
        "have a national multi-stakeholder governance mechanism",
        32,
        42,
        76,
    )
    assert sentence == (
        "Over three-quarters of participating jurisdictions (76 per cent, 32 of 42) "
        "have a national multi-stakeholder governance mechanism."
    )


def test_sentence_for_all_has_no_of() -> None:
    sentence = finding_sentence("all", "participating jurisdictions", "have a unit.", 42, 42, 100)
    assert sentence == "All participating jurisdictions (100 per cent, 42 of 42) have a unit."


def test_sentence_in_french_and_spanish() -> None:
    fr = finding_sentence(
        "almost two-thirds",
        "juridictions participantes",
        "ont une stratégie nationale",
        27,
        42,
        64,
        lang="fr",
    )
    es = finding_sentence(
        "almost two-thirds",
        "jurisdicciones participantes",
        "tienen una estrategia nacional",
        27,
        42,
        64,
        lang="es",
    )
    assert fr == (
        "Près des deux tiers des juridictions participantes (64 pour cent, 27 sur 42) "
        "ont une stratégie nationale."
    )
    assert es == (
        "Casi dos tercios de las jurisdicciones participantes (64 por ciento, 27 de 42) "
        "tienen una estrategia nacional."
    )


def test_every_phrase_is_translated_into_french_and_spanish() -> None:
    for lang in ("fr", "es"):
        assert set(LEAD_INS[lang]) == set(LEAD_INS["en"])


def test_untranslated_language_falls_back_to_english() -> None:
    assert phrase_lead_in("most", "ar") == "Most {subject}"


def test_unknown_phrase_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown proportion phrase"):
        phrase_lead_in("loads")


def finding(numerator: int | None, denominator: int | None, share: int | None) -> Finding:
    return Finding("C11.status", None, {}, ("yes", "partial"), numerator, denominator, share)


def test_describe_fills_the_sentence_with_the_default_subject() -> None:
    described = describe(finding(40, 42, 95), "have a national child helpline")
    assert described.sentence == (
        "Almost all participating jurisdictions (95 per cent, 40 of 42) "
        "have a national child helpline."
    )


def test_describe_leaves_a_finding_without_share_alone() -> None:
    empty = finding(0, 0, None)
    assert describe(empty, "have a helpline") is empty
