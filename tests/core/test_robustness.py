"""The robustness engine: nominal runs reproduce the published figures, runs are reproducible
and chunk-free, every assumption does what docs/robustness.md says, bad specifications fail up
front, and the Sobol' estimates recover a model with a known answer."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mnr.core import robustness as core
from mnr.core.findings import (
    AnswerRecord,
    Participant,
    QuestionSpec,
    RoundData,
    compute_figure,
)
from mnr.core.maturity import LEAD, Override, RespondentPhase, round_maturity

STATUS = ("yes", "partial", "no", "dont_know", "not_applicable")
CHANNELS = ("government", "unicef_country_office")
GOV, UNICEF = CHANNELS
GROUPS = ("HIC", "UMC", "LMC", "LIC")


def synthetic_round(seed: int, jurisdictions: int = 30) -> RoundData:
    """A small invented round: two channels, some jurisdictions answering through both."""
    rng = random.Random(seed)
    participants = [
        Participant(f"J{j:02d}", GROUPS[j % 4], ("north", "south")[j % 2])
        for j in range(jurisdictions)
    ]
    questions = [QuestionSpec(f"C{q:02d}.status", STATUS) for q in (1, 2, 3)]
    answers = []
    values = [*STATUS, None]
    for p in participants:
        channels = rng.choice([(GOV,), (UNICEF,), (GOV, UNICEF)])
        for channel in channels:
            for q in questions:
                answers.append(AnswerRecord(p.jurisdiction, channel, q.id, rng.choice(values)))
    return RoundData.from_records(questions, participants, CHANNELS, answers)


FIGURES = (
    core.FigureSpec("F1", "C01.status", ("yes", "partial")),
    core.FigureSpec("F2", "C02.status", ("yes",), "income=HIC"),
    core.FigureSpec("F3", "C03.status", ("no",), "all;then income!=HIC"),
    core.FigureSpec("F4", "C01.status", ("yes", "partial"), "channel=unicef_country_office"),
    core.FigureSpec("F5", "C02.status", ("yes", "partial"), "region=north"),
)


def phases(seed: int, jurisdictions: int = 6) -> core.MaturityInput:
    rng = random.Random(seed)
    records = []
    for j in range(jurisdictions):
        for c in range(1, 8):
            for respondent in (LEAD, "police", "justice")[: 1 + j % 3]:
                phase = rng.choice([None, 1, 2, 3, 4])
                records.append(RespondentPhase(f"J{j:02d}", f"C{c:02d}", respondent, phase))
    domains = {"D1": ("C01", "C02", "C03"), "D2": ("C04", "C05"), "D3": ("C06", "C07")}
    return core.MaturityInput(tuple(records), domains)


def problem(seed: int = 1, *, maturity: bool = True) -> core.Problem:
    return core.Problem(
        round="test-round",
        round_data=synthetic_round(seed),
        figures=FIGURES,
        maturity=phases(seed) if maturity else None,
    )


NOMINAL = core.Spec(options={})


# --- nominal ------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_with_every_assumption_nominal_each_figure_is_the_published_one(seed: int) -> None:
    prob = problem(seed)
    result = core.run(prob, NOMINAL, replications=256, seed=seed)
    assert result.factors == ()
    assert prob.round_data is not None
    for figure in result.figures:
        spec = next(f for f in FIGURES if f.id == figure.id)
        published = compute_figure(prob.round_data, spec.question, spec.counts_as, spec.population)
        assert (figure.numerator, figure.denominator, figure.percent) == (
            published.numerator,
            published.denominator,
            published.percent,
        )
        share = 100 * figure.numerator / figure.denominator
        assert figure.low == pytest.approx(share, abs=1e-9)
        assert figure.high == pytest.approx(share, abs=1e-9)
        assert figure.phrase_stable == 1.0
        assert figure.sensitivity == ()


def test_with_every_assumption_nominal_each_domain_score_is_the_mean_of_its_phases() -> None:
    prob = problem(4)
    assert prob.maturity is not None
    result = core.run(prob, NOMINAL, replications=256, seed=4)
    consolidated = round_maturity("test-round", prob.maturity.phases)
    for row in result.domains:
        caps = prob.maturity.domains[row.domain]
        phases_ = consolidated.jurisdiction_phases(row.jurisdiction)
        expected = sum(phases_.get(c) or 0 for c in caps) / len(caps)
        assert row.nominal == pytest.approx(expected)
        assert row.low == pytest.approx(expected) and row.high == pytest.approx(expected)


def test_an_override_stands_whatever_the_respondent_rule() -> None:
    records = (
        RespondentPhase("J01", "C01", LEAD, 1),
        RespondentPhase("J01", "C01", "police", 4),
        RespondentPhase("J01", "C02", LEAD, 2),
        RespondentPhase("J01", "C02", "police", 4),
    )
    from datetime import UTC, datetime

    override = Override("J01", "C01", 3, "seen the evidence", "reviewer", datetime.now(UTC))
    maturity = core.MaturityInput(records, {"D1": ("C01", "C02")}, (override,))
    prob = core.Problem("r", maturity=maturity)
    for rule, c02 in (("lower-median", 2), ("median", 3), ("minimum", 2), ("lead", 2)):
        spec = core.Spec(options={"respondent": (rule,)})
        (row,) = core.run(prob, spec, replications=256, seed=1).domains
        assert row.low == pytest.approx((3 + c02) / 2), rule


# --- reproducible, whatever the chunks ----------------------------------------------------------


def test_the_same_seed_gives_the_same_result_and_another_seed_another() -> None:
    prob = problem(5)
    spec = core.default_spec(prob)
    first = core.run(prob, spec, replications=2000, seed=11).to_json()
    again = core.run(prob, spec, replications=2000, seed=11).to_json()
    other = core.run(prob, spec, replications=2000, seed=12).to_json()
    assert first == again
    assert first != other


@pytest.mark.parametrize("chunk_size", [1, 7, 100, 5000])
def test_the_chunk_size_does_not_change_the_result(chunk_size: int) -> None:
    prob = problem(6)
    spec = core.default_spec(prob)
    reference = core.run(prob, spec, replications=1500, seed=3).to_json()
    assert core.run(prob, spec, replications=1500, seed=3, chunk_size=chunk_size).to_json() == (
        reference
    )


def test_memory_blocks_of_jurisdictions_do_not_change_the_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prob = problem(7)
    spec = core.default_spec(prob)
    reference = core.run(prob, spec, replications=1000, seed=3).to_json()
    # One jurisdiction per block.
    monkeypatch.setattr(core, "BLOCK_BYTES", 1)
    assert core.run(prob, spec, replications=1000, seed=3).to_json() == reference


def test_a_result_reads_back_from_its_json() -> None:
    prob = problem(8)
    result = core.run(prob, core.default_spec(prob), replications=1000, seed=1)
    assert core.Result.from_json(result.to_json()) == result


# --- what each assumption does ------------------------------------------------------------------


def one_question(values: list[str | None], groups: list[str] | None = None) -> RoundData:
    participants = [
        Participant(f"J{i:02d}", groups[i] if groups else None) for i in range(len(values))
    ]
    answers = [
        AnswerRecord(p.jurisdiction, GOV, "C01.status", v)
        for p, v in zip(participants, values, strict=True)
    ]
    return RoundData.from_records(
        [QuestionSpec("C01.status", STATUS)], participants, (GOV,), answers
    )


def spread(options: dict[str, tuple[str, ...]], data: RoundData, counts_as=("yes", "partial")):
    figure = core.FigureSpec("F", "C01.status", counts_as)
    prob = core.Problem("r", round_data=data, figures=(figure,))
    (result,) = core.run(prob, core.Spec(options=options), replications=4000, seed=2).figures
    return result


def test_partial_coding_moves_the_share_between_its_codings() -> None:
    data = one_question(["yes", "partial", "no", "dont_know"])
    # In place: 2 of 4; not in place: 1 of 4; half: 1.5 of 4.
    result = spread({"partial": ("as-counted", "not-in-place", "half")}, data)
    assert (result.low, result.high) == (25.0, 50.0)
    assert result.numerator == 2 and result.denominator == 4
    # 50, 25 and 37.5 per cent a third of the time each: the phrase for a half fits only 50.
    assert result.phrase_stable == pytest.approx(1 / 3, abs=0.05)
    # A single option other than the nominal one is a "what if" run.
    only_half = spread({"partial": ("half",)}, data)
    assert only_half.low == only_half.high == 37.5


def test_dont_know_and_blank_options() -> None:
    data = one_question(["yes", "yes", "no", "dont_know", None])
    assert spread({"dont_know": ("exclude",)}, data).low == pytest.approx(200 / 3)
    assert spread({"dont_know": ("count-as-no",)}, data).low == 50.0
    # Imputed from the round's rate among yes/partial/no: 2 of 3.
    assert spread({"dont_know": ("impute",)}, data).low == pytest.approx(100 * (2 + 2 / 3) / 4)
    assert spread({"blank": ("count-as-no",)}, data).low == 40.0
    assert spread({"blank": ("impute",)}, data).low == pytest.approx(100 * (2 + 2 / 3) / 5)


def test_imputation_uses_the_income_group_rate() -> None:
    groups = ["HIC", "HIC", "HIC", "LIC", "LIC", "LIC"]
    data = one_question(["yes", "yes", "dont_know", "no", "no", "dont_know"], groups)
    # HIC rate 1 (2 of 2), LIC rate 0: the dont_knows add 1 to the numerator.
    assert spread({"dont_know": ("impute",)}, data).low == pytest.approx(100 * 3 / 6)
    # Without the groups' own rates (a public run whose group cells are withheld): 2 of 4.
    figure = core.FigureSpec("F", "C01.status", ("yes", "partial"))
    prob = core.Problem("r", round_data=data, figures=(figure,), rate_groups={"F": frozenset()})
    spec = core.Spec(options={"dont_know": ("impute",)})
    (result,) = core.run(prob, spec, replications=256, seed=1).figures
    assert result.low == pytest.approx(100 * (2 + 2 * 0.5) / 6)


def test_channel_priority_uses_the_other_channel_where_both_answered() -> None:
    participants = [Participant("J01"), Participant("J02")]
    answers = [
        AnswerRecord("J01", GOV, "C01.status", "yes"),
        AnswerRecord("J01", UNICEF, "C01.status", "no"),
        AnswerRecord("J02", GOV, "C01.status", "yes"),
    ]
    data = RoundData.from_records(
        [QuestionSpec("C01.status", STATUS)], participants, CHANNELS, answers
    )
    result = spread({"channel": ("unicef_country_office>government",)}, data)
    assert result.low == 50.0 and result.numerator == 2


def test_aggregations_of_a_domain() -> None:
    records = tuple(
        RespondentPhase("J01", c, LEAD, p)
        for c, p in (("C01", None), ("C02", 1), ("C03", 2), ("C04", 4))
    )
    prob = core.Problem(
        "r", maturity=core.MaturityInput(records, {"D1": ("C01", "C02", "C03", "C04")})
    )

    def score(aggregation: str, floor: float | None = 0.5) -> float:
        spec = core.Spec(options={"aggregation": (aggregation,)}, floor=floor)
        (row,) = core.run(prob, spec, replications=256, seed=1).domains
        return row.low

    assert score("arithmetic") == pytest.approx(7 / 4)
    assert score("median") == 1.0  # the lower median of 0, 1, 2, 4
    assert score("geometric") == pytest.approx(
        math.exp((math.log(0.5) + 0 + math.log(2) + math.log(4)) / 4)
    )


def test_dirichlet_weights_stay_near_the_nominal_ones_with_a_high_concentration() -> None:
    prob = problem(9)
    tight = core.run(
        prob,
        core.Spec(options={"weights": ("dirichlet",)}, concentration=1e6),
        replications=512,
        seed=1,
    )
    loose = core.run(
        prob,
        core.Spec(options={"weights": ("dirichlet",)}, concentration=0.5),
        replications=512,
        seed=1,
    )
    assert max(r.high - r.low for r in tight.domains) < 0.02
    assert max(r.high - r.low for r in loose.domains) > 0.5


def test_the_sensitivity_indices_name_the_only_assumption_that_moves_a_figure() -> None:
    data = one_question(["yes", "partial", "partial", "no", "no", None])
    figure = core.FigureSpec("F", "C01.status", ("yes", "partial"))
    prob = core.Problem("r", round_data=data, figures=(figure,))
    spec = core.Spec(
        options={"partial": core.OPTIONS["partial"], "blank": ("as-counted", "count-as-no")}
    )
    (result,) = core.run(prob, spec, replications=8192, seed=1).figures
    by_name = {s.assumption: s for s in result.sensitivity}
    assert by_name["partial"].total > 0.5
    assert by_name["partial"].total > by_name["blank"].total


def test_domain_scores_are_listed_by_jurisdiction_and_domain_never_by_score() -> None:
    prob = problem(10)
    result = core.run(prob, core.default_spec(prob), replications=1000, seed=1)
    keys = [(d.jurisdiction, list(prob.maturity.domains).index(d.domain)) for d in result.domains]  # type: ignore[union-attr]
    assert keys == sorted(keys)
    assert result.for_public().domains == ()


# --- bad specifications -------------------------------------------------------------------------


def single_channel_problem() -> core.Problem:
    data = one_question(["yes", "no", "partial", "dont_know"])
    return core.Problem(
        "r", round_data=data, figures=(core.FigureSpec("F", "C01.status", ("yes", "partial")),)
    )


@pytest.mark.parametrize(
    ("make", "spec", "replications", "message"),
    [
        (
            single_channel_problem,
            core.Spec(options={"channel": ("as-set", "x")}),
            1000,
            "not an option",
        ),
        (
            single_channel_problem,
            core.Spec(options={"respondent": core.OPTIONS["respondent"]}),
            1000,
            "does not apply",
        ),
        (
            single_channel_problem,
            core.Spec(options={"colour": ("red",)}),
            1000,
            "unknown assumption",
        ),
        (
            single_channel_problem,
            core.Spec(options={"partial": ("as-counted", "most")}),
            1000,
            "'most' is not an option",
        ),
        (
            single_channel_problem,
            core.Spec(options={"partial": core.OPTIONS["partial"]}),
            100,
            "too few for the sensitivity design",
        ),
        (
            lambda: problem(1),
            core.Spec(capability_weights={"C01": 0, "C02": 0, "C03": 0}),
            1000,
            "every capability weight is zero",
        ),
        (
            lambda: problem(1),
            core.Spec(options={"aggregation": ("arithmetic", "geometric")}, floor=None),
            1000,
            "give a floor",
        ),
        (
            lambda: problem(1),
            core.Spec(options={"weights": ("dirichlet",)}, concentration=0),
            1000,
            "concentration",
        ),
        (
            lambda: problem(1),
            core.Spec(capability_weights={"C01": -1}),
            1000,
            "is not zero or more",
        ),
    ],
)
def test_a_bad_specification_fails_up_front(make, spec, replications, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(core.RobustnessError, match=message):
        core.run(make(), spec, replications=replications, seed=1)


def test_the_channel_assumption_does_not_apply_with_one_channel_answering() -> None:
    prob = single_channel_problem()
    assert core.applicability(prob, "channel") is not None
    assert "channel" not in core.default_spec(prob).options
    with pytest.raises(core.RobustnessError, match="does not apply"):
        core.check(prob, core.Spec(options={"weights": ("dirichlet",)}), 1000)


def test_a_failing_replication_is_an_error_naming_it() -> None:
    # Everyone in the figure's population answered "don't know": leaving them out empties it.
    data = one_question(["dont_know", "dont_know", "yes"], ["HIC", "HIC", "LIC"])
    figure = core.FigureSpec("F", "C01.status", ("yes",), "income=HIC")
    prob = core.Problem("r", round_data=data, figures=(figure,))
    spec = core.Spec(options={"dont_know": ("as-counted", "exclude")})
    with pytest.raises(
        core.RobustnessError, match=r"replication \d+ failed: figure F .*dont_know=exclude"
    ):
        core.run(prob, spec, replications=1000, seed=1)


# --- the Sobol' estimates -----------------------------------------------------------------------


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_the_sobol_indices_of_the_ishigami_function_are_within_salibs_tolerance() -> None:
    # Analytic values (a = 7, b = 0.1); SALib's own test of its Sobol' analysis allows
    # atol 0.05 and rtol 0.1 at this design size.
    sample = core.design(3, 1024, seed=101)
    outputs = ishigami(-math.pi + 2 * math.pi * sample)[None, :]
    first, total = core.indices(core.by_design(outputs, 3), 3)
    np.testing.assert_allclose(first[:, 0], [0.3139, 0.4424, 0.0], atol=5e-2, rtol=1e-1)
    np.testing.assert_allclose(total[:, 0], [0.5576, 0.4424, 0.2437], atol=5e-2, rtol=1e-1)


def test_the_design_is_salibs_saltelli_design() -> None:
    sample = core.design(4, 64, seed=1)
    assert sample.shape == (64 * 6, 4)
    a, b = sample[0::6], sample[5::6]
    # Row i + 1 of each block is A with column i taken from B.
    np.testing.assert_array_equal(sample[1::6][:, 1:], a[:, 1:])
    np.testing.assert_array_equal(sample[1::6][:, 0], b[:, 0])


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=0, max_value=10_000))
def test_every_range_is_an_interval_of_possible_values(seed: int) -> None:
    prob = problem(seed)
    try:
        result = core.run(prob, core.default_spec(prob), replications=600, seed=seed)
    except core.RobustnessError as error:
        # Some random rounds have a population that an option empties: that is refused (see
        # test_a_failing_replication_is_an_error_naming_it), not a range.
        assert "failed: figure" in str(error)
        assume(False)
    for figure in result.figures:
        assert 0.0 <= figure.low <= figure.high <= 100.0
        assert 0.0 <= figure.phrase_stable <= 1.0
    for row in result.domains:
        assert 0.0 <= row.low <= row.high <= 4.0
        assert 0.0 <= row.nominal <= 4.0


def test_the_estimators_are_salibs() -> None:
    from SALib.analyze.sobol import first_order, total_order

    rng = np.random.default_rng(5)
    factors, base = 3, 200
    outputs = rng.normal(size=(base * (factors + 2), 4))
    outputs[:, 3] = 1.0  # an output that never varies
    first, total = core.indices(core.by_design(np.ascontiguousarray(outputs.T), factors), factors)
    rows = outputs.reshape(base, factors + 2, 4)
    a, b = rows[:, 0, :3], rows[:, -1, :3]
    for i in range(factors):
        ab = rows[:, i + 1, :3]
        np.testing.assert_allclose(first[i, :3], first_order(a, ab, b), rtol=1e-12)
        np.testing.assert_allclose(total[i, :3], total_order(a, ab, b), rtol=1e-12)
    assert (first[:, 3] == 0).all() and (total[:, 3] == 0).all()


def test_a_jurisdiction_never_asked_a_question_is_never_recoded() -> None:
    # Q is asked through channel b only; AA answers through a, so it was never asked Q.
    questions = [QuestionSpec("Q", STATUS, channels=("b",)), QuestionSpec("R", STATUS)]
    participants = [Participant("AA"), Participant("BB"), Participant("CC"), Participant("DD")]
    answers = [
        AnswerRecord("AA", "a", "R", "yes"),
        AnswerRecord("BB", "b", "Q", "yes"),
        AnswerRecord("CC", "b", "Q", "no"),
        AnswerRecord("DD", "b", "Q", None),
    ]
    data = RoundData.from_records(questions, participants, ("a", "b"), answers)
    figure = core.FigureSpec("F", "Q", ("yes", "partial"))
    prob = core.Problem("r", round_data=data, figures=(figure,))
    for option, expected in (("count-as-no", 100 / 3), ("impute", 100 * 1.5 / 3)):
        spec = core.Spec(options={"blank": (option,)})
        (result,) = core.run(prob, spec, replications=256, seed=1).figures
        assert (result.numerator, result.denominator) == (1, 2)
        # DD, asked and blank, is recoded; AA, never asked, is not.
        assert result.low == pytest.approx(expected), option


def test_an_override_is_a_phase_for_the_geometric_mean() -> None:
    from datetime import UTC, datetime

    records = (RespondentPhase("AA", "C1", LEAD, 2), RespondentPhase("AA", "C2", LEAD, None))
    override = Override("AA", "C2", 3, "evidence", "reviewer", datetime.now(UTC))
    maturity = core.MaturityInput(records, {"D1": ("C1", "C2")}, (override,))
    prob = core.Problem("r", maturity=maturity)
    spec = core.Spec(options={"aggregation": ("arithmetic", "geometric")}, floor=None)
    (row,) = core.run(prob, spec, replications=1000, seed=1).domains
    assert row.low == pytest.approx(math.sqrt(6)) and row.high == pytest.approx(2.5)


def test_a_domain_without_any_phase_scores_zero_under_every_aggregation() -> None:
    records = (RespondentPhase("AA", "C1", LEAD, None), RespondentPhase("AA", "C2", LEAD, None))
    prob = core.Problem("r", maturity=core.MaturityInput(records, {"D1": ("C1", "C2")}))
    spec = core.Spec(options={"aggregation": core.OPTIONS["aggregation"]})
    (row,) = core.run(prob, spec, replications=1000, seed=1).domains
    assert (row.nominal, row.low, row.high) == (0.0, 0.0, 0.0)
