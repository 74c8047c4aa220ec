"""The public robustness output against an intruder who reads every public table.

The public sees every findings table of a publication (withheld cells emptied), its headline
figures and the stored public robustness run. The promise: nothing withheld can be worked out.
The strong form tested here is indistinguishability: two rounds whose public tables are equal
give an equal public robustness result, so the result can tell nobody anything the tables do
not. Each case also shows that a run which is *not* public does tell the rounds apart, so the
tests can fail. A linear-algebra attack checks, for the counts the public run reads, that each
one is a sum and difference of published counts (and of what the intruder knows a priori).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mnr.core import robustness as core
from mnr.core.disclosure import (
    FigureRequest,
    Protection,
    protect,
    public_robustness,
)
from mnr.core.findings import (
    ANSWER_CODES,
    AnswerRecord,
    Participant,
    QuestionSpec,
    RoundData,
    question_cells,
)

STATUS = ("yes", "partial", "no", "dont_know", "not_applicable")
GOV, UNICEF = "government", "unicef_country_office"
CHANNELS = (GOV, UNICEF)
GROUPS = ("HIC", "UMC", "LMC", "LIC")
K = 3
# Enough for the sensitivity design of the three assumptions a public run may vary.
REPLICATIONS = 640
SEED = 2022

FIGURES = (
    core.FigureSpec("all", "Q1", ("yes", "partial")),
    core.FigureSpec("conditional", "Q2", ("yes",), "all;then income!=HIC"),
    core.FigureSpec("unicef", "Q1", ("yes", "partial"), "channel=unicef_country_office"),
    core.FigureSpec("high-income", "Q2", ("yes", "partial"), "income=HIC"),
)
# The same figures over one question: disclosure control's programs are per question, and the
# generated rounds run them twice each.
ONE_QUESTION = tuple(dataclasses.replace(f, question="Q1") for f in FIGURES)

Answers = dict[tuple[str, str, str], str | None]  # (jurisdiction, channel, question) -> value


def requests(figures: Sequence[core.FigureSpec]) -> list[FigureRequest]:
    return [FigureRequest(f.id, f.question, f.counts_as, f.population) for f in figures]


def build(
    participants: Sequence[Participant],
    answers: Answers,
    questions: Sequence[str] = ("Q1", "Q2"),
    asked_by: Mapping[str, tuple[str, ...]] | None = None,
) -> RoundData:
    """A round of ``questions`` (``asked_by``: the channels asking a question, else all)."""
    return RoundData.from_records(
        [QuestionSpec(q, STATUS, channels=(asked_by or {}).get(q)) for q in questions],
        participants,
        CHANNELS,
        [AnswerRecord(j, c, q, v) for (j, c, q), v in sorted(answers.items())],
    )


def published(data: RoundData, figures: Sequence[core.FigureSpec] = FIGURES) -> Protection:
    return protect(data, k=K, figures=requests(figures))


def public_tables(protection: Protection) -> dict[str, Any]:
    """What anyone reads: every table and headline figure (not the audit's bookkeeping)."""
    shown = protection.to_json()
    return {"findings": shown["findings"], "figures": shown["figures"]}


def public_problem(
    data: RoundData, protection: Protection, figures: Sequence[core.FigureSpec] = FIGURES
) -> core.Problem:
    """The problem a public run solves, as mnr.publications.robustness builds it."""
    allowed = public_robustness(protection, requests(figures))
    return core.Problem(
        round="synthetic",
        round_data=data,
        figures=tuple(f for f in figures if f.id in allowed.figures),
        rate_groups=allowed.rate_groups,
    )


def public_spec(problem: core.Problem) -> core.Spec:
    spec = core.default_spec(problem)
    return core.Spec(options={k: v for k, v in spec.options.items() if k not in core.PUBLIC_FIXED})


def outcome(problem: core.Problem, spec: core.Spec) -> Any:
    """The run's result, or its error: a failed run is public too (its page says so)."""
    try:
        return core.run(problem, spec, replications=REPLICATIONS, seed=SEED).to_json()
    except core.RobustnessError as error:
        return f"failed: {error}"


def public_outcome(data: RoundData, figures: Sequence[core.FigureSpec] = FIGURES) -> Any:
    problem = public_problem(data, published(data, figures), figures)
    return outcome(problem, public_spec(problem))


def private_outcome(data: RoundData, figures: Sequence[core.FigureSpec] = FIGURES) -> Any:
    """What an analyst's run shows: every shown figure, every assumption, every group's rate."""
    shown = published(data, figures).figures
    problem = core.Problem(
        round="synthetic",
        round_data=data,
        figures=tuple(f for f in figures if not shown[f.id].suppressed),
    )
    return outcome(problem, core.default_spec(problem))


def test_the_public_run_holds_fixed_what_disclosure_control_says() -> None:
    # Two spellings of one rule: the engine's and disclosure control's must not drift apart.
    data = build([Participant("J00", "HIC", "north")], {("J00", GOV, "Q1"): "yes"})
    assert public_robustness(published(data), []).fixed == core.PUBLIC_FIXED
    assert "channel" in core.PUBLIC_FIXED


# --- (a) a lower-priority channel's answers are in no public table --------------------------------


def two_channel_round(
    seed: int,
    size: int = 16,
    groups: Sequence[str] = GROUPS,
    questions: Sequence[str] = ("Q1", "Q2"),
) -> tuple[list[Participant], Answers]:
    """Participants take the income groups in turn; some answer through both channels."""
    rng = random.Random(seed)
    participants = [
        Participant(f"J{j:02d}", groups[j % len(groups)], ("north", "south")[j % 3 == 0])
        for j in range(size)
    ]
    answers: Answers = {}
    for p in participants:
        for channel in rng.choice([(GOV,), (UNICEF,), (GOV, UNICEF), (GOV, UNICEF)]):
            for q in questions:
                answers[p.jurisdiction, channel, q] = rng.choice([*STATUS, None])
    return participants, answers


def shadowed(answers: Answers, *, new: bool = False) -> list[tuple[str, str, str]]:
    """Answers of the second channel to questions the first channel answered: the counting
    rules never use them. ``new``: also where the second channel gave none (yet)."""
    return [
        (j, UNICEF, q)
        for (j, channel, q), value in answers.items()
        if channel == GOV and value not in (None, "") and (new or (j, UNICEF, q) in answers)
    ]


def test_another_answer_through_a_lower_priority_channel_changes_no_public_output() -> None:
    participants = [
        Participant(f"J{j:02d}", GROUPS[j % 4], ("north", "south")[j % 2]) for j in range(16)
    ]
    answers: Answers = {}
    for j, p in enumerate(participants):
        for q in ("Q1", "Q2"):
            answers[p.jurisdiction, GOV, q] = ("yes", "partial", "no", "dont_know")[j % 4]
            if j % 2 == 0:  # half of them answered through UNICEF too, as the government did
                answers[p.jurisdiction, UNICEF, q] = answers[p.jurisdiction, GOV, q]
    changed = dict(answers)
    for key in shadowed(answers):
        changed[key] = "no" if answers[key] in ("yes", "partial") else "yes"
    before, after = build(participants, answers), build(participants, changed)
    assert public_tables(published(before)) == public_tables(published(after))
    assert public_outcome(before) == public_outcome(after)
    # An analyst's run tries the other channel order, and so tells the two rounds apart.
    assert private_outcome(before) != private_outcome(after)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    size=st.integers(12, 20),
    values=st.lists(st.sampled_from([*STATUS, None]), min_size=20, max_size=20),
)
def test_lower_priority_answers_never_show_through_the_public_run(
    seed: int, size: int, values: list[str | None]
) -> None:
    participants, answers = two_channel_round(seed, size, questions=("Q1",))
    # Changed, blanked or given for the first time: a second channel's answers where the
    # first one answered.
    hidden = shadowed(answers, new=True)
    assume(hidden)
    changed = dict(answers)
    for key, value in zip(hidden, values, strict=False):
        changed[key] = value
    before = build(participants, answers, ("Q1",))
    after = build(participants, changed, ("Q1",))
    assert public_tables(published(before, ONE_QUESTION)) == public_tables(
        published(after, ONE_QUESTION)
    )
    assert public_outcome(before, ONE_QUESTION) == public_outcome(after, ONE_QUESTION)


# --- (b) answers moved between withheld cells -----------------------------------------------------

# Eight high-income and eight upper-middle-income jurisdictions, two lower-middle and two
# low-income: the two small groups are withheld (a public cell needs k + 1 answers).
SMALL_GROUPS = [
    Participant(
        f"J{j:02d}",
        "HIC" if j < 8 else "UMC" if j < 16 else "LMC" if j < 18 else "LIC",
        ("north", "south")[j % 2],
    )
    for j in range(20)
]


def small_group_answers() -> Answers:
    cycle = ("yes", "partial", "no", "dont_know", "yes", "no", "not_applicable", None)
    answers: Answers = {}
    for j, p in enumerate(SMALL_GROUPS[:16]):
        for q, shift in (("Q1", 0), ("Q2", 3)):
            answers[p.jurisdiction, GOV, q] = cycle[(j + shift) % len(cycle)]
    # J16 and J18 (north) and J17 and J19 (south): lower-middle and low income.
    for jurisdiction, q1 in (("J16", "yes"), ("J17", "dont_know"), ("J18", "no"), ("J19", "yes")):
        answers[jurisdiction, GOV, "Q1"] = q1
        answers[jurisdiction, GOV, "Q2"] = "partial"
    return answers


def swapped(answers: Answers, first: str, second: str, question: str) -> Answers:
    moved = dict(answers)
    moved[first, GOV, question] = answers[second, GOV, question]
    moved[second, GOV, question] = answers[first, GOV, question]
    return moved


def test_answers_moved_between_withheld_cells_change_no_public_output() -> None:
    answers = small_group_answers()
    # J16 (lower-middle) and J18 (low income) share region and channel: only the withheld
    # income-group cells see the move.
    before = build(SMALL_GROUPS, answers)
    after = build(SMALL_GROUPS, swapped(answers, "J16", "J18", "Q1"))
    imputed = (*FIGURES, core.FigureSpec("imputed", "Q1", ("yes", "partial")))
    protection = published(before, imputed)
    withheld = {
        f.group for f in protection.findings["income-group"] if f.question == "Q1" and f.suppressed
    }
    assert {"LMC", "LIC"} <= withheld
    assert public_tables(protection) == public_tables(published(after, imputed))
    allowed = public_robustness(protection, requests(imputed))
    assert "imputed" in allowed.figures
    # Imputation uses the shown groups' own rates, the round's for the withheld groups.
    assert allowed.rate_groups["imputed"] == {"HIC", "UMC"}
    assert public_outcome(before, imputed) == public_outcome(after, imputed)
    # Imputing from every income group's own rate, as an analyst's run does, tells them apart.
    assert private_outcome(before, imputed) != private_outcome(after, imputed)


# Two small regions among twenty jurisdictions of two income groups: the regions' cells are
# withheld.
SMALL_REGIONS = [
    Participant(
        f"J{j:02d}",
        ("HIC", "UMC")[j % 2],
        "north" if j < 9 else "south" if j < 16 else "east" if j < 18 else "west",
    )
    for j in range(20)
]


def labels(participant: Participant) -> dict[str, str | None]:
    income = participant.income_group
    return {
        "income": None if income is None else "HIC" if income == "HIC" else "LMIC",
        "income-group": income,
        "region": participant.region,
    }


def alike_where_shown(
    protection: Protection, question: str, a: Participant, b: Participant
) -> bool:
    """Whether every shown cell holds both or neither (they answered through one channel)."""
    withheld = {
        (by, f.group)
        for by, findings in protection.findings.items()
        for f in findings
        if f.question == question and f.suppressed
    }
    first, second = labels(a), labels(b)
    return all(
        first[by] == second[by] or {(by, first[by]), (by, second[by])} <= withheld for by in first
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    layout=st.sampled_from([SMALL_GROUPS, SMALL_REGIONS]),
    values=st.lists(st.sampled_from([*STATUS, None]), min_size=20, max_size=20),
    pick=st.integers(0, 1_000),
)
def test_no_move_inside_withheld_cells_shows_through_the_public_run(
    layout: list[Participant], values: list[str | None], pick: int
) -> None:
    question = "Q1"
    answers: Answers = {
        (p.jurisdiction, GOV, question): v for p, v in zip(layout, values, strict=True)
    }
    figures = (
        *ONE_QUESTION,
        core.FigureSpec("imputed", question, ("yes",)),
        core.FigureSpec("lmic", question, ("yes", "partial"), "income!=HIC"),
        core.FigureSpec("north", question, ("yes", "partial"), "region=north"),
    )
    before = build(layout, answers, (question,))
    protection = published(before, figures)
    # Pairs in different withheld cells that every shown table treats alike, with different
    # answers to swap.
    pairs = [
        (a.jurisdiction, b.jurisdiction)
        for a in layout
        for b in layout
        if a.jurisdiction < b.jurisdiction
        and labels(a) != labels(b)
        and answers[a.jurisdiction, GOV, question] != answers[b.jurisdiction, GOV, question]
        and alike_where_shown(protection, question, a, b)
    ]
    assume(pairs)
    first, second = pairs[pick % len(pairs)]
    after = build(layout, swapped(answers, first, second, question), (question,))
    # Disclosure control may decide otherwise for the other answers; then the tables differ
    # and nothing is claimed.
    assume(public_tables(protection) == public_tables(published(after, figures)))
    assert public_outcome(before, figures) == public_outcome(after, figures)


# --- (c) which figures a public run recomputes ----------------------------------------------------


def mixed_round() -> RoundData:
    participants = [
        Participant(f"J{j:02d}", GROUPS[j % 2 * 2], ("north", "south")[j % 3 == 0])
        for j in range(24)
    ]
    answers: Answers = {}
    codes = ("yes", "partial", "no", "dont_know", "yes", None)
    for j, p in enumerate(participants):
        channel = UNICEF if j % 4 == 0 else GOV
        for q, shift in (("Q1", 0), ("Q2", 1)):
            answers[p.jurisdiction, channel, q] = codes[(j + shift) % len(codes)]
    return build(participants, answers)


def test_conditional_and_channel_figures_are_recomputed_a_negated_region_is_not() -> None:
    data = mixed_round()
    figures = (
        core.FigureSpec("conditional", "Q1", ("yes", "partial"), "all;then income!=HIC"),
        core.FigureSpec("unicef", "Q2", ("yes", "partial"), "channel=unicef_country_office"),
        core.FigureSpec("outside-north", "Q1", ("yes", "partial"), "region!=north"),
        core.FigureSpec("outside-government", "Q2", ("yes",), "channel!=government"),
    )
    protection = published(data, figures)
    # Every figure is published, so only the rule keeps the last two out.
    assert not any(f.suppressed for f in protection.figures.values())
    allowed = public_robustness(protection, requests(figures))
    assert allowed.figures == {"conditional", "unicef"}
    # Neither population is everyone: imputation uses the round's rate, never a group's.
    assert allowed.rate_groups == {"conditional": frozenset(), "unicef": frozenset()}
    problem = public_problem(data, protection, figures)
    result = core.run(problem, public_spec(problem), replications=REPLICATIONS, seed=SEED)
    assert [f.id for f in result.figures] == ["conditional", "unicef"]
    assert set(result.factors) <= {"partial", "dont_know", "blank"}
    for figure in result.figures:
        shown = protection.figures[figure.id]
        assert (figure.numerator, figure.denominator) == (shown.numerator, shown.denominator)
        assert figure.low < figure.high  # the run does recode something
    # The two left out are recomputed by an analyst's run.
    assert [f["id"] for f in private_outcome(data, figures)["figures"]] == [f.id for f in figures]


# --- (d) a withheld headline figure ---------------------------------------------------------------


def test_a_withheld_headline_figure_gets_no_public_robustness() -> None:
    data = build(SMALL_GROUPS, small_group_answers())
    figures = (
        core.FigureSpec("everyone", "Q1", ("yes", "partial")),
        core.FigureSpec("low-income", "Q1", ("yes", "partial"), "income-group=LIC"),
        core.FigureSpec("lower-middle", "Q1", ("yes",), "all;then income-group=LMC"),
    )
    protection = published(data, figures)
    assert protection.figures["low-income"].suppressed
    assert protection.figures["lower-middle"].suppressed
    allowed = public_robustness(protection, requests(figures))
    assert allowed.figures == {"everyone"}
    result = public_outcome(data, figures)
    assert [f["id"] for f in result["figures"]] == ["everyone"]
    assert "low-income" not in str(result) and "lower-middle" not in str(result)


def test_a_figure_over_a_withheld_cell_gets_none_even_if_the_figure_is_shown() -> None:
    # A shown figure whose population's cell is withheld (a hand-made release, as disclosure
    # control would not make it): recoding would recombine the withheld cell's counts.
    data = build(SMALL_GROUPS, small_group_answers())
    figures = (core.FigureSpec("north", "Q1", ("yes", "partial"), "region=north"),)
    protection = published(data, figures)
    emptied = {
        by: [
            dataclasses.replace(f, suppressed=True, counts={})
            if by == "region" and f.group == "north"
            else f
            for f in findings
        ]
        for by, findings in protection.findings.items()
    }
    hand_made = dataclasses.replace(protection, findings=emptied)
    assert not hand_made.figures["north"].suppressed
    assert public_robustness(protection, requests(figures)).figures == {"north"}
    assert public_robustness(hand_made, requests(figures)).figures == frozenset()


# --- the linear-algebra attack --------------------------------------------------------------------

_CODES = (*ANSWER_CODES, "blank")


def _rows(mask: npt.NDArray[np.bool_], code: int) -> npt.NDArray[np.float64]:
    """The count of ``code`` among ``mask`` as a row over the unknowns x[jurisdiction, code]."""
    row = np.zeros((len(mask), len(_CODES)))
    row[mask, code] = 1.0
    return row.reshape(-1)


def _intruder_rows(data: RoundData, protection: Protection, question: str) -> npt.NDArray[Any]:
    """Every count the intruder reads for ``question``, and what it knows a priori: each
    jurisdiction gave one answer, and those not asked gave none."""
    (cell,) = question_cells(data, [question])
    n = len(cell.jurisdictions)
    rows = []
    for j in range(n):
        one = np.zeros(n, dtype=bool)
        one[j] = True
        rows.append(sum(_rows(one, c) for c in range(len(_CODES))))
        if not cell.asked[j]:
            rows.append(_rows(one, len(ANSWER_CODES)))
    for findings in protection.findings.values():
        for finding in findings:
            if finding.question == question and not finding.suppressed:
                members = cell.members(finding.by, finding.group)
                rows += [_rows(members, c) for c in range(len(_CODES))]
    return np.array(rows)


def _engine_rows(
    problem: core.Problem, question: str
) -> tuple[list[npt.NDArray[np.float64]], npt.NDArray[np.float64]]:
    """Every count of ``question`` the engine reads (tallies by rate group and code of each
    figure's population, its conditional part, and the rates), as rows over the unknowns, and
    the engine's own values of those counts."""
    assert problem.round_data is not None
    (cell,) = question_cells(problem.round_data, [question])
    counts = core._figure_counts(problem, [core.CHANNEL_NOMINAL])
    rows, values = [], []
    everyone = np.ones(len(cell.jurisdictions), dtype=bool)
    # The engine counts the blanks of jurisdictions whose channel never asks the question
    # apart (a code after blank), if it has that code.
    never_asked = ~cell.asked & (cell.labels["channel"] != "none")
    blank = len(ANSWER_CODES)
    engine_codes = counts.base.shape[-1]
    for f, figure in enumerate(problem.figures):
        if figure.question != question:
            continue
        group = core._rate_group(cell, problem, figure.id)
        base, then = cell.population(figure.population, problem.round_data)
        parts = [(base, counts.base), (everyone, counts.rates)]
        if then is not None:
            parts.append((then, counts.then))
        for g in range(len(GROUPS) + 1):
            for mask, tallies in parts:
                # The rates' last group is the whole round (imputation's fallback).
                members = (
                    mask if tallies is counts.rates and g == len(GROUPS) else mask & (group == g)
                )
                for c in range(engine_codes):
                    if c < blank:
                        rows.append(_rows(members, c))
                    elif c == blank:
                        asked = members & ~never_asked if engine_codes > blank + 1 else members
                        rows.append(_rows(asked, blank))
                    else:
                        rows.append(_rows(members & never_asked, blank))
                    values.append(tallies[0, f, g, c])
    return rows, np.array(values)


def _in_span(rows: npt.NDArray[Any], targets: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Whether each of ``targets`` (rows) is a linear combination of ``rows``."""
    coefficients, *_ = np.linalg.lstsq(rows.T, targets.T, rcond=None)
    residual = np.abs(rows.T @ coefficients - targets.T).max(axis=0)
    return np.asarray(residual < 1e-8, dtype=bool)


def undetermined_reads(problem: core.Problem, protection: Protection) -> list[str]:
    """Counts the run reads that are no sum or difference of what the intruder reads."""
    assert problem.round_data is not None
    truth: dict[str, npt.NDArray[np.float64]] = {}
    for cell in question_cells(problem.round_data):
        onehot = np.zeros((len(cell.codes), len(_CODES)))
        onehot[np.arange(len(cell.codes)), cell.codes] = 1.0
        truth[cell.question.id] = onehot.reshape(-1)
    found = []
    for question in sorted({f.question for f in problem.figures}):
        known = _intruder_rows(problem.round_data, protection, question)
        rows, values = _engine_rows(problem, question)
        # The rows are the engine's reads: with the true answers they give its counts.
        assert np.array_equal(np.array(rows) @ truth[question], values)
        spanned = _in_span(known, np.array(rows))
        found += [f"{question} read {i}" for i in np.flatnonzero(~spanned)]
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_count_the_public_run_reads_is_worked_out_from_published_counts(seed: int) -> None:
    # Few lower-middle and low-income participants: their income-group cells are withheld.
    groups = ("HIC", "UMC", "HIC", "UMC", "LMC", "HIC", "UMC", "LIC")
    participants, answers = two_channel_round(seed, 20, groups)
    # Q2 is asked by governments only: UNICEF offices answering alone leave it blank, as anyone
    # who knows the instrument knows.
    answers = {key: v for key, v in answers.items() if key[1:] != (UNICEF, "Q2")}
    data = build(participants, answers, asked_by={"Q2": (GOV,)})
    assert not all(cell.asked.all() for cell in question_cells(data))
    protection = published(data)
    assert any(f.suppressed for fs in protection.findings.values() for f in fs)
    problem = public_problem(data, protection)
    assert problem.figures
    assert undetermined_reads(problem, protection) == []


def test_the_attack_finds_what_imputing_from_a_withheld_group_would_read() -> None:
    data = build(SMALL_GROUPS, small_group_answers())
    protection = published(data)
    problem = public_problem(data, protection)
    assert undetermined_reads(problem, protection) == []
    every_group = dataclasses.replace(problem, rate_groups=None)
    assert undetermined_reads(every_group, protection) != []
