"""The benchmark's synthetic robustness problem: its shape, that every assumption applies to it,
and that a seed fixes it."""

from __future__ import annotations

from collections import Counter

import pytest

from mnr.core import robustness as core
from mnr.core.findings import compute_figure
from mnr.core.framework import load_shipped
from mnr.core.maturity import LEAD
from mnr.core.robustness_bench import (
    BENCH_CHANNELS,
    EDITION_DOMAIN_SIZES,
    split_domains,
    synthetic_problem,
)


def test_the_default_problem_is_250_jurisdictions_by_21_capabilities() -> None:
    problem = synthetic_problem()
    data = problem.round_data
    assert data is not None and problem.maturity is not None
    assert len(data.participants) == 250
    assert [q.id for q in data.questions] == [f"C{n:02d}.status" for n in range(1, 22)]
    assert data.channels == BENCH_CHANNELS
    assert "synthetic" in problem.round
    assert all(p.jurisdiction.startswith("SYN-") for p in data.participants)
    # 21 shares over everyone, 21 in high-income, 21 in low- and middle-income, 1 conditional.
    populations = Counter(f.population for f in problem.figures)
    assert populations == {
        "all": 21,
        "income=HIC": 21,
        "income=LMIC": 21,
        "all;then income!=HIC": 1,
    }
    assert {len(caps) for caps in problem.maturity.domains.values()} <= set(EDITION_DOMAIN_SIZES)
    assert sum(len(caps) for caps in problem.maturity.domains.values()) == 21


def test_the_answers_and_phases_have_what_every_assumption_needs() -> None:
    problem = synthetic_problem(jurisdictions=60, seed=3)
    data, maturity = problem.round_data, problem.maturity
    assert data is not None and maturity is not None
    given = data.answers["value"]
    assert set(given.dropna()) == {"yes", "partial", "no", "dont_know"}
    assert given.isna().any()  # blanks of a second channel
    channels = data.answers.groupby("jurisdiction")["channel"].nunique()
    assert 0 < (channels > 1).sum() < len(channels)
    respondents: dict[str, set[str]] = {}
    for phase in maturity.phases:
        respondents.setdefault(phase.jurisdiction, set()).add(phase.respondent)
    assert {len(r) for r in respondents.values()} == {1, 2, 3}
    assert all(LEAD in r for r in respondents.values())
    assert any(p.phase is None for p in maturity.phases)
    assert {p.phase for p in maturity.phases} - {None} == {1, 2, 3, 4}
    assert {g.income_group for g in data.participants} == {"HIC", "UMC", "LMC", "LIC"}
    assert list(core.default_spec(problem).options) == list(core.ASSUMPTIONS)


def test_the_same_seed_gives_the_same_problem_and_another_seed_another() -> None:
    first, again = synthetic_problem(30, 6, seed=5), synthetic_problem(30, 6, seed=5)
    other = synthetic_problem(30, 6, seed=6)
    assert first.round_data is not None and again.round_data is not None
    assert other.round_data is not None
    assert first.round_data.answers.equals(again.round_data.answers)
    assert first.maturity == again.maturity and first.figures == again.figures
    assert first.round_data.participants == again.round_data.participants
    assert not first.round_data.answers.equals(other.round_data.answers)
    assert first.maturity != other.maturity


def test_a_small_problem_runs_and_its_figures_are_the_counted_ones() -> None:
    problem = synthetic_problem(12, 4, seed=1)
    result = core.run(problem, core.Spec(), replications=200, seed=1)
    data = problem.round_data
    assert data is not None
    for figure in result.figures:
        counted = compute_figure(data, figure.question, figure.counts_as, figure.population)
        assert (figure.numerator, figure.denominator) == (counted.numerator, counted.denominator)
        assert figure.low == figure.high


def test_the_default_domains_are_the_editions() -> None:
    edition = load_shipped()[0]["mnr-2016"]
    assert tuple(len(d.capabilities) for d in edition.domains) == EDITION_DOMAIN_SIZES
    assert synthetic_problem(3, 21).maturity.domains == {  # type: ignore[union-attr]
        d.id: tuple(c.id for c in d.capabilities) for d in edition.domains
    }


def test_other_sizes_spread_capabilities_evenly_over_at_most_six_domains() -> None:
    assert split_domains(["C01", "C02", "C03", "C04", "C05", "C06", "C07"]) == {
        "D1": ("C01", "C02"),
        "D2": ("C03",),
        "D3": ("C04",),
        "D4": ("C05",),
        "D5": ("C06",),
        "D6": ("C07",),
    }
    assert split_domains(["C01", "C02"]) == {"D1": ("C01",), "D2": ("C02",)}


@pytest.mark.parametrize(("jurisdictions", "capabilities"), [(1, 21), (250, 0)])
def test_a_problem_too_small_is_refused(jurisdictions: int, capabilities: int) -> None:
    with pytest.raises(ValueError, match="give at least 2 jurisdictions and 1 capability"):
        synthetic_problem(jurisdictions, capabilities)
