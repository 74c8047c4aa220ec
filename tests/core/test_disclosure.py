"""Disclosure control (mnr.core.disclosure): primary and secondary suppression, the audit's
choices, viewers who know their own answers, quotes, and storage.

The independent intruder that solves for withheld cells lives in tests/intruder.py and
tests/core/test_intruder.py; these tests pin the behaviour a reader of the output sees."""

from __future__ import annotations

import pytest

from mnr.core.disclosure import (
    PRIMARY,
    PRIMARY_PUBLIC,
    PRIMARY_VIEWER,
    SECONDARY,
    FigureRequest,
    Protection,
    attribution,
    protect,
)
from mnr.core.findings import AnswerRecord, Finding, Participant, QuestionSpec, RoundData

STATUS = ("yes", "partial", "no", "dont_know", "not_applicable")


def make_round(
    people: list[tuple[str, str | None, str | None]], answer: str | None = None
) -> RoundData:
    """Everyone answers 'yes' except every third, who answers 'no' (or all ``answer``)."""
    return RoundData.from_records(
        [QuestionSpec("C11.status", STATUS)],
        [Participant(j, income, region) for j, income, region in people],
        ("government",),
        [
            AnswerRecord(j, "government", "C11.status", answer or ("no" if i % 3 == 2 else "yes"))
            for i, (j, _, _) in enumerate(people)
        ],
    )


# 5 high-income in Europe, 4 upper-middle in Asia, 1 low-income in Africa.
PEOPLE = (
    [(f"H{i}", "HIC", "Europe") for i in range(5)]
    + [(f"U{i}", "UMC", "Asia") for i in range(4)]
    + [("L0", "LIC", "Africa")]
)


def cells(protection: Protection, by: str | None) -> dict[str | None, Finding]:
    return {f.group: f for f in protection.findings[by]}


def test_small_cell_is_withheld_with_its_reason_and_no_numbers() -> None:
    low = cells(protect(make_round(PEOPLE), k=3, any_participant=False), "income-group")["LIC"]
    assert low.suppressed
    assert low.suppression_reason == PRIMARY.format(k=3)
    assert (low.numerator, low.denominator, low.percent) == (None, None, None)
    assert low.to_json()["counts"] == dict.fromkeys(
        ("yes", "partial", "no", "dont_know", "not_applicable", "blank")
    )


def test_one_small_cell_is_not_left_alone_to_be_subtracted_from_the_total() -> None:
    groups = cells(protect(make_round(PEOPLE), k=3, any_participant=False), "income-group")
    withheld = {group for group, f in groups.items() if f.suppressed}
    assert "LIC" in withheld and len(withheld) >= 2
    assert any(groups[g].suppression_reason == SECONDARY for g in withheld - {"LIC"})


def test_public_output_counts_a_reader_who_may_be_a_participant() -> None:
    # 3 answers: enough for k=3 when the reader is nobody in particular, not when the reader
    # may be one of the three and knows their own answer.
    people = [(f"J{i}", "HIC", "Europe") for i in range(3)]
    anonymous = protect(make_round(people), k=3, any_participant=False)
    public = protect(make_round(people), k=3)
    assert not anonymous.findings[None][0].suppressed
    total = public.findings[None][0]
    assert total.suppressed and total.suppression_reason == PRIMARY_PUBLIC.format(k=3)


def test_viewer_sees_nothing_about_the_other_of_two() -> None:
    people = [("J1", "HIC", "Europe"), ("J2", "UMC", "Asia")]
    seen = protect(make_round(people), k=3, known={"J1"}, any_participant=False)
    assert all(f.suppressed for by in seen.findings for f in seen.findings[by])
    assert seen.findings[None][0].suppression_reason == PRIMARY_VIEWER.format(k=3)


def test_large_balanced_round_loses_no_large_cell() -> None:
    people = [
        (f"J{i:02d}", income, region)
        for i, (income, region) in enumerate(
            [(inc, reg) for inc in ("HIC", "UMC") for reg in ("Europe", "Asia")] * 8
        )
    ]
    protection = protect(make_round(people), k=3)
    assert not any(f.suppressed for by in protection.findings for f in protection.findings[by])


def test_requested_figures_stay_when_small_cells_can_be_withheld_instead() -> None:
    figure = FigureRequest("F1", "C11.status", ("yes",), "income=HIC")
    protection = protect(make_round(PEOPLE), k=3, figures=[figure], any_participant=False)
    assert not protection.figures["F1"].suppressed
    assert protection.figures["F1"].denominator == 5
    assert not cells(protection, "income")["HIC"].suppressed


def test_figure_on_a_small_population_is_withheld() -> None:
    figure = FigureRequest("F1", "C11.status", ("yes",), "income-group=LIC")
    protection = protect(make_round(PEOPLE), k=3, figures=[figure])
    assert protection.figures["F1"].suppressed


def test_whole_round_answering_alike_shows_the_totals_but_no_forced_cell() -> None:
    protection = protect(make_round(PEOPLE, answer="yes"), k=3, any_participant=False)
    groups = cells(protection, "income-group")
    # The total tells that everyone said yes; any withheld group would be forced by it, so
    # disclosure control withholds the totals that force them.
    if not protection.findings[None][0].suppressed:
        assert not any(f.suppressed for f in groups.values())
    else:
        assert protection.findings[None][0].suppression_reason == SECONDARY


def test_protection_survives_storage() -> None:
    figure = FigureRequest("F1", "C11.status", ("yes",), "all")
    protection = protect(make_round(PEOPLE), k=3, figures=[figure])
    again = Protection.from_json(protection.to_json())
    assert again == protection


def test_k_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        protect(make_round(PEOPLE), k=0)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (Participant("H0", "HIC", "Europe"), ("HIC", "Europe")),
        (Participant("U0", "UMC", "Asia"), ("UMC", "Asia")),
        (Participant("L0", "LIC", "Africa"), (None, None)),
    ],
)
def test_quotes_are_attributed_only_to_groups_of_at_least_k(
    who: Participant, expected: tuple[str | None, str | None]
) -> None:
    everyone = [Participant(j, income, region) for j, income, region in PEOPLE]
    assert attribution(who, everyone, 3) == expected


def test_quote_falls_back_to_the_income_group_when_region_and_group_together_are_few() -> None:
    everyone = [Participant(f"H{i}", "HIC", "Europe") for i in range(3)] + [
        Participant("H9", "HIC", "Oceania")
    ]
    assert attribution(everyone[-1], everyone, 3) == ("HIC", None)
