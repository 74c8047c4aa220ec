"""Proportion phrases (the table in mnr/core/data/phrases.yaml) and finding sentences."""

from __future__ import annotations

import csv
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from mnr.core.findings import Finding
from mnr.core.narrative import (
    PHRASES_FILE,
    ShareRange,
    chosen_phrase,
    describe,
    finding_sentence,
    parse_phrase_table,
    phrase_keys,
    phrase_label,
    phrase_lead_in,
    phrase_misfit,
    phrase_table,
    proportion_phrase,
    sentence_parts,
)
from mnr.core.synthetic import load_figures

LANGUAGES = ("en", "fr", "es")
CORE_DATA = Path(__file__).resolve().parents[2] / "src" / "mnr" / "core" / "data"
DEMO_HEADLINES = (
    Path(__file__).resolve().parents[2] / "src" / "mnr" / "reports" / "data"
) / "review-2021-headlines.csv"

# Every figure of the 2021 review: the default phrase, and the review's own wording as a phrase
# key (the review_phrase column of the published figures: "Over three-quarters", "all 15",
# "The 12 ... are", "only 8", "Of the 13 ..., 92 per cent (12)", "one-third" …).
PUBLISHED = {
    "F01": ("over three-quarters", "over three-quarters"),
    "F02": ("almost two-thirds", "almost two-thirds"),
    "F03": ("most", "over three-quarters"),
    "F04": ("all", "all N"),
    "F05": ("all", "all N"),
    "F06": ("over half", "only N"),
    "F07": ("almost all", "most"),
    "F08": ("all", "all N"),
    "F09": ("almost all", "almost all"),
    "F10": ("almost three-quarters", "almost three-quarters"),
    "F11": ("all", "the N"),
    "F12": ("over two-thirds", "two-thirds"),
    "F13": ("almost all", "of the N"),
    "F14": ("one-third", "one-third"),
    "F15": ("over two-thirds", "over two-thirds"),
    "F16": ("most", "most"),
    "F17": ("most", "most"),
    "F18": ("almost all", "almost all"),
    "F19": ("almost all", "most"),
    "F20": ("over three-quarters", "over three-quarters"),
    "F21": ("over two-thirds", "over two-thirds"),
    "F22": ("over half", "over half"),
    "F23": ("all", "the N"),
    "F24": ("almost three-quarters", "over two-thirds"),
    "F25": ("over half", "over half"),
    "F26": ("almost all", "almost all"),
}
# The review's wordings that name a count say "all" (all 15, the 12 … are); the others ("only
# 8", "Of the 13 …, 92 per cent") are no quantifier a default could match.
AS_QUANTIFIER = {"all N": "all", "the N": "all"}


def default_ranks() -> dict[str, int]:
    """Phrases with a default, weakest first."""
    ordered = [p.key for p in phrase_table().phrases if p.default is not None][::-1]
    return {key: rank for rank, key in enumerate(ordered)}


@pytest.mark.parametrize("figure", load_figures(), ids=lambda f: f.figure_id)
def test_default_phrase_for_each_published_figure(figure) -> None:
    expected, _review = PUBLISHED[figure.figure_id]
    assert proportion_phrase(figure.numerator, figure.denominator) == expected


@pytest.mark.parametrize("figure", load_figures(), ids=lambda f: f.figure_id)
def test_the_reviews_phrase_is_tolerated_for_its_figure(figure) -> None:
    _default, review = PUBLISHED[figure.figure_id]
    assert phrase_misfit(review, figure.numerator, figure.denominator) is None


def test_demo_headlines_carry_the_reviews_phrases() -> None:
    with DEMO_HEADLINES.open(encoding="utf-8", newline="") as handle:
        stored = {row["key"]: row["phrase"] for row in csv.DictReader(handle)}
    assert stored == {key: review for key, (_default, review) in PUBLISHED.items()}


def _fewest_disagreements(points: list[tuple[Fraction, int]], ranks: int) -> int:
    """The fewest review wordings any consistent table must contradict: the cheapest
    non-decreasing choice of phrase rank over the distinct shares (equal shares share one)."""
    by_share: dict[Fraction, list[int]] = {}
    for share, rank in points:
        by_share.setdefault(share, []).append(rank)
    best = [0] * ranks  # best[r]: cheapest so far with the last share given rank r
    for share in sorted(by_share):
        cost = [sum(1 for r in by_share[share] if r != rank) for rank in range(ranks)]
        running = float("inf")
        for rank in range(ranks):
            running = min(running, best[rank])
            best[rank] = int(running) + cost[rank]
    return min(best)


def test_default_disagrees_with_the_review_as_little_as_a_consistent_table_can() -> None:
    ranks = default_ranks()
    points = []
    ours = 0
    for figure in load_figures():
        default, review = PUBLISHED[figure.figure_id]
        quantifier = AS_QUANTIFIER.get(review, review)
        if quantifier not in ranks:
            continue
        points.append((Fraction(figure.numerator, figure.denominator), ranks[quantifier]))
        ours += default != quantifier
    assert ours == _fewest_disagreements(points, len(ranks))
    assert ours == 5  # F03, F07, F12, F19, F24 (docs/counting-rules.md)


@pytest.mark.parametrize(
    ("numerator", "denominator", "phrase"),
    [
        (42, 42, "all"),
        (41, 42, "almost all"),
        (7, 8, "almost all"),
        (36, 41, "almost all"),
        (6, 7, "most"),
        (4, 5, "most"),
        (79, 100, "over three-quarters"),
        (3, 4, "three-quarters"),
        (71, 100, "almost three-quarters"),
        (29, 41, "over two-thirds"),
        (2, 3, "two-thirds"),
        (47, 75, "almost two-thirds"),
        (46, 75, "over half"),
        (1, 2, "half"),
        (23, 50, "almost half"),
        (11, 25, "over a third"),
        (1, 3, "one-third"),
        (3, 10, "under a third"),
        (1, 4, "a quarter"),
        (1, 10, "under a quarter"),
        (1, 11, "few"),
        (0, 42, "none"),
    ],
)
def test_phrase_table_boundaries(numerator: int, denominator: int, phrase: str) -> None:
    assert proportion_phrase(numerator, denominator) == phrase


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_larger_share_never_gets_a_weaker_phrase(lang: str) -> None:
    """Every share n/d with d up to 60, in every language: sorted by share, the default
    phrases never step down, and each has an opening of its own in the language."""
    ranks = default_ranks()
    shares = sorted({Fraction(n, d) for d in range(1, 61) for n in range(d + 1)})
    phrases = [proportion_phrase(s.numerator, s.denominator) for s in shares]
    steps = [ranks[p] for p in phrases]
    assert steps == sorted(steps)
    assert set(phrases) == set(ranks)  # every default phrase is reached
    openings = {p: phrase_lead_in(p, lang) for p in ranks}
    assert len(set(openings.values())) == len(openings)
    if lang != "en":
        assert all(o != phrase_lead_in(p, "en") for p, o in openings.items())


@given(st.integers(1, 500).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d))))
def test_every_share_has_a_default_inside_its_tolerated_range(pair: tuple[int, int]) -> None:
    phrase = proportion_phrase(*pair)
    assert phrase_misfit(phrase, *pair) is None
    assert chosen_phrase("", *pair) == phrase


@pytest.mark.parametrize(("numerator", "denominator"), [(1, 0), (-1, 4), (5, 4)])
def test_no_phrase_without_a_proper_share(numerator: int, denominator: int) -> None:
    with pytest.raises(ValueError, match="no proportion phrase"):
        proportion_phrase(numerator, denominator)


@pytest.mark.parametrize(
    ("phrase", "numerator", "denominator"),
    [("all", 21, 42), ("all", 41, 42), ("almost all", 3, 4), ("none", 1, 42), ("only N", 9, 10)],
)
def test_a_choice_that_contradicts_the_share_is_refused(
    phrase: str, numerator: int, denominator: int
) -> None:
    misfit = phrase_misfit(phrase, numerator, denominator)
    assert misfit is not None
    assert misfit.startswith(f"the phrase '{phrase}' does not fit {numerator} of {denominator}")
    assert repr(proportion_phrase(numerator, denominator)) in misfit
    # A report never prints it: the default stands in.
    assert chosen_phrase(phrase, numerator, denominator) == proportion_phrase(
        numerator, denominator
    )


def test_a_choice_within_its_range_is_kept() -> None:
    assert chosen_phrase("two-thirds", 29, 42) == "two-thirds"
    assert chosen_phrase("most", 38, 42) == "most"
    assert chosen_phrase("", 29, 42) == "over two-thirds"


def test_unknown_phrase_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown proportion phrase 'loads'"):
        phrase_misfit("loads", 1, 2)
    with pytest.raises(ValueError, match="unknown proportion phrase"):
        phrase_lead_in("loads")
    assert chosen_phrase("loads", 1, 2) == "half"


def test_every_phrase_is_translated_into_french_and_spanish() -> None:
    for phrase in phrase_table().phrases:
        assert {"en", "fr", "es"} <= set(phrase.lead_in), phrase.key
        if phrase.figures:
            assert {"en", "fr", "es"} <= set(phrase.figures), phrase.key


def test_untranslated_language_falls_back_to_english() -> None:
    assert phrase_lead_in("most", "ar") == "Most {subject}"


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


def test_phrases_that_name_counts() -> None:
    subject = "high-income participating jurisdictions"
    assert finding_sentence("all N", subject, "criminalise it", 15, 15, 100).startswith(
        "All 15 high-income participating jurisdictions (100 per cent, 15 of 15) criminalise"
    )
    assert finding_sentence("only N", subject, "require it", 8, 15, 53).startswith(
        "Only 8 high-income"
    )
    assert sentence_parts("of the N", "jurisdictions not connected", "are LMIC", 12, 13, 92) == (
        "Of the 13 jurisdictions not connected,",
        "92 per cent (12)",
        "are LMIC.",
    )
    assert finding_sentence("of the N", "juridictions", "sont", 12, 13, 92, "fr") == (
        "Sur les 13 juridictions, 92 pour cent (12) sont."
    )


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


def test_phrase_labels_for_choice_lists() -> None:
    assert phrase_label("over three-quarters") == "Over three-quarters of …"
    assert phrase_label("most", "fr") == "La plupart des …"
    assert phrase_label("of the N") == "Of the N …, P per cent (n)"
    assert len({phrase_label(key, "es") for key in phrase_keys()}) == len(phrase_keys())


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


# --- the table file is checked when read ------------------------------------------------------


def shipped() -> dict:
    return yaml.safe_load((CORE_DATA / PHRASES_FILE).read_text(encoding="utf-8"))


def with_default(key: str, default: str | None) -> dict:
    loaded = shipped()
    for row in loaded["phrases"]:
        if row["key"] == key:
            row["default"] = default
    return loaded


def test_the_shipped_table_reads() -> None:
    table = parse_phrase_table(shipped(), "phrases.yaml")
    assert [p.key for p in table.phrases] == list(phrase_keys())


@pytest.mark.parametrize(
    ("key", "default", "problem"),
    [
        ("most", "[4/5, 6/7)", "does not start where"),  # a gap below almost all
        ("most", "[4/5, 7/8]", "does not start where"),  # 7/8 twice
        ("most", None, "does not start where"),  # nothing between 4/5 and 7/8
        ("none", None, "do not reach a share of 0"),
        ("most", "[4/5, 9/10)", "does not start where"),  # overlaps almost all
    ],
)
def test_a_table_whose_defaults_do_not_tile_is_refused(
    key: str, default: str | None, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_phrase_table(with_default(key, default), "phrases.yaml")


def test_a_default_outside_the_tolerated_range_is_refused() -> None:
    loaded = shipped()
    next(row for row in loaded["phrases"] if row["key"] == "few")["tolerated"] = "(0, 1/20)"
    with pytest.raises(ValueError, match="not within its tolerated range"):
        parse_phrase_table(loaded, "phrases.yaml")


@pytest.mark.parametrize("text", ["4/5, 7/8", "[4/5; 1)", "[1/2, 1/3]", "(1/2, 1/2]", "[0, 3/2]"])
def test_a_malformed_range_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="phrase 3"):
        parse_phrase_table(with_default("most", text), "phrases.yaml")


def test_share_range_in_words() -> None:
    assert str(ShareRange.parse("[4/5, 7/8)", "x")) == "at least 80 and under 87.5 per cent"
    assert str(ShareRange.parse("[1, 1]", "x")) == "exactly 100 per cent"
    assert Fraction(7, 8) not in ShareRange.parse("[4/5, 7/8)", "x")
    assert Fraction(4, 5) in ShareRange.parse("[4/5, 7/8)", "x")
