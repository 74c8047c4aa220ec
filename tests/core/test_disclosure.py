"""Small-cell suppression."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnr.core.disclosure import COMPLEMENT, suppress
from mnr.core.findings import (
    BREAKDOWNS,
    AnswerRecord,
    Finding,
    Participant,
    QuestionSpec,
    RoundData,
    compute_breakdowns,
    compute_figure,
    compute_findings,
)

STATUS = ("yes", "partial", "no", "dont_know", "not_applicable")


def make_round(people: list[tuple[str, str | None, str | None]]) -> RoundData:
    """Everyone answers 'yes' except every third, who answers 'no'."""
    return RoundData.from_records(
        [QuestionSpec("C11.status", STATUS)],
        [Participant(j, income, region) for j, income, region in people],
        ("government",),
        [
            AnswerRecord(j, "government", "C11.status", "no" if i % 3 == 2 else "yes")
            for i, (j, _, _) in enumerate(people)
        ],
    )


# 5 high-income in Europe, 4 upper-middle in Asia, 1 low-income in Africa.
PEOPLE = (
    [(f"H{i}", "HIC", "Europe") for i in range(5)]
    + [(f"U{i}", "UMC", "Asia") for i in range(4)]
    + [("L0", "LIC", "Africa")]
)


def by_group(findings: list[Finding]) -> dict[str | None, Finding]:
    return {f.group: f for f in findings}


def test_cell_under_k_jurisdictions_is_withheld_with_its_reason() -> None:
    cells = by_group(suppress(compute_findings(make_round(PEOPLE), by="income-group")))
    low = cells["LIC"]
    assert low.suppressed
    assert low.suppression_reason == "fewer than 3 jurisdictions"
    assert (low.numerator, low.denominator, low.percent) == (None, None, None)
    assert low.to_json()["counts"] == dict.fromkeys(
        ("yes", "partial", "no", "dont_know", "not_applicable", "blank")
    )


def test_a_single_small_cell_takes_the_next_smallest_with_it() -> None:
    cells = by_group(suppress(compute_findings(make_round(PEOPLE), by="income-group")))
    assert cells["UMC"].suppressed and cells["UMC"].suppression_reason == COMPLEMENT
    assert not cells["HIC"].suppressed
    assert cells["HIC"].numerator == 4


def test_large_cells_are_shown() -> None:
    people = [*PEOPLE, ("L1", "LIC", "Africa"), ("L2", "LMC", "Africa")]
    cells = by_group(suppress(compute_findings(make_round(people), by="income")))
    assert not any(cell.suppressed for cell in cells.values())


def test_cell_with_a_small_denominator_is_withheld() -> None:
    round_data = RoundData.from_records(
        [QuestionSpec("C11.status", STATUS)],
        [Participant(f"J{i}", "HIC" if i < 4 else "UMC") for i in range(8)],
        ("government",),
        [
            AnswerRecord(
                f"J{i}",
                "government",
                "C11.status",
                "yes" if i in (0, 4, 5, 6) else "not_applicable",
            )
            for i in range(8)
        ],
    )
    cells = by_group(suppress(compute_findings(round_data, by="income")))
    assert cells["HIC"].suppressed  # 4 jurisdictions, but only 1 answered
    assert cells["LMIC"].suppressed  # withheld with it: the total would reveal HIC


def test_whole_round_totals_are_never_withheld() -> None:
    total = compute_findings(make_round(PEOPLE[:3]))
    assert suppress(total) == total


def test_a_round_smaller_than_k_withholds_everything() -> None:
    round_data = make_round(PEOPLE[:2])
    withheld = suppress([*compute_findings(round_data), *compute_findings(round_data, "region")])
    assert all(f.suppressed for f in withheld)


def test_figure_for_a_small_population_is_withheld() -> None:
    small = compute_figure(make_round(PEOPLE), "C11.status", ("yes",), "income-group=LIC")
    conditional = compute_figure(make_round(PEOPLE), "C11.status", ("no",), "all;then income!=HIC")
    assert suppress([small])[0].suppressed
    assert conditional.denominator == 3
    assert not suppress([conditional])[0].suppressed


def test_order_and_unaffected_findings_are_kept() -> None:
    findings = compute_findings(make_round(PEOPLE), by="region")
    withheld = suppress(findings)
    assert [(f.question, f.group) for f in withheld] == [(f.question, f.group) for f in findings]
    assert any(f.suppressed for f in withheld)
    assert all(w == o for o, w in zip(findings, withheld, strict=True) if not w.suppressed)


def test_k_must_be_positive() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        suppress([], k=0)


def test_already_withheld_cells_keep_their_reason() -> None:
    once = suppress(compute_findings(make_round(PEOPLE), by="income-group"))
    assert suppress(once) == once


@st.composite
def rounds(draw: st.DrawFn) -> RoundData:
    size = draw(st.integers(0, 14))
    people = [
        (
            f"J{i}",
            draw(st.sampled_from(("HIC", "UMC", "LMC", "LIC", None))),
            draw(st.sampled_from(("Africa", "Asia", "Europe", None))),
        )
        for i in range(size)
    ]
    values = draw(st.lists(st.sampled_from((*STATUS, None)), min_size=size, max_size=size))
    return RoundData.from_records(
        [QuestionSpec("C11.status", STATUS)],
        [Participant(*p) for p in people],
        ("government",),
        [
            AnswerRecord(p[0], "government", "C11.status", v)
            for p, v in zip(people, values, strict=True)
        ],
    )


@given(rounds(), st.integers(1, 5))
def test_no_small_cell_is_shown_or_derivable_from_the_total(round_data: RoundData, k: int) -> None:
    found = compute_breakdowns(round_data)
    for by in BREAKDOWNS:
        original = found[by]
        cells = suppress(original, k=k)
        hidden = [o for o, c in zip(original, cells, strict=True) if c.suppressed]
        for cell in cells:
            if not cell.suppressed:
                assert cell.size >= k and (cell.denominator or 0) >= k
        if hidden and len(hidden) < len(cells):
            assert len(hidden) >= 2
            assert sum(o.size for o in hidden) >= k
            assert sum(o.denominator or 0 for o in hidden) >= k
