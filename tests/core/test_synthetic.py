"""The synthetic 2021 review and the benchmark round."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from mnr.core.findings import QuestionSpec, compute_figure, compute_findings, resolve_answers
from mnr.core.synthetic import (
    STATUS_CHOICES,
    YES_NO_CHOICES,
    DemoRound,
    FigureSpec,
    InfeasibleFigures,
    InstrumentQuestion,
    benchmark_round,
    demo_jurisdictions,
    load_figures,
    review_2021_demo,
    run_findings_benchmark,
    solve_answers,
)

GOV, UNICEF = "government", "unicef_country_office"
CAPABILITIES = [f"C{i:02d}" for i in range(1, 16)] + ["C16-17", "C18-19", "C20", "C21"]
YES_NO_QUESTIONS = {
    "C01": ["governance_mechanism", "national_strategy"],
    "C03": ["criminalises_ocsea", "criminalises_possession", "isp_reporting_duty", "laws_adequate"],
    "C07": ["icse_connected", "national_database"],
}


def instrument() -> list[InstrumentQuestion]:
    """The questions of mnr-review-2021 as the framework loader would pass them."""
    questions = []
    for capability in CAPABILITIES:
        questions.append(InstrumentQuestion(f"{capability}.status", "select_one", STATUS_CHOICES))
        for name in YES_NO_QUESTIONS.get(capability, []):
            channels = (UNICEF,) if name == "laws_adequate" else None
            questions.append(
                InstrumentQuestion(f"{capability}.{name}", "select_one", YES_NO_CHOICES, channels)
            )
        for kind in ("good_practice", "challenges", "lessons_learned"):
            questions.append(InstrumentQuestion(f"{capability}.{kind}", "text"))
    questions.append(InstrumentQuestion("MNR.used_as_reference", "select_one", YES_NO_CHOICES))
    return questions


@pytest.fixture(scope="module")
def demo() -> DemoRound:
    return review_2021_demo(instrument())


def test_the_figure_file_has_the_26_published_figures() -> None:
    figures = load_figures()
    assert [f.figure_id for f in figures] == [f"F{i:02d}" for i in range(1, 27)]


@pytest.mark.parametrize("figure", load_figures(), ids=lambda f: f.figure_id)
def test_every_published_figure_comes_out_exactly(demo: DemoRound, figure: FigureSpec) -> None:
    found = compute_figure(demo.round_data(), figure.indicator, figure.counts_as, figure.population)
    assert (found.numerator, found.denominator, found.percent) == (
        figure.numerator,
        figure.denominator,
        figure.percent,
    )


def test_income_mix_is_that_of_the_review(demo: DemoRound) -> None:
    assert Counter(j.income_group for j in demo.jurisdictions) == {
        "HIC": 15,
        "UMC": 16,
        "LMC": 10,
        "LIC": 1,
    }


def test_channel_mix_is_that_of_the_review(demo: DemoRound) -> None:
    by_channel = Counter(j.channel for j in demo.jurisdictions)
    assert by_channel == {GOV: 17, UNICEF: 25}
    assert all(j.channel == GOV for j in demo.jurisdictions if j.income_group == "HIC")
    assert demo.channels == (GOV, UNICEF)


def test_jurisdictions_are_pseudonymous_and_spread_over_regions(demo: DemoRound) -> None:
    codes = [j.code for j in demo.jurisdictions]
    assert codes == [f"J{i:02d}" for i in range(1, 43)]
    assert demo.jurisdictions[0].name == "Jurisdiction 01 (synthetic)"
    assert {j.region for j in demo.jurisdictions} == {
        "Africa",
        "Americas",
        "Asia",
        "Europe",
        "Oceania",
    }


def test_same_seed_gives_the_same_round() -> None:
    assert review_2021_demo(instrument(), seed=7) == review_2021_demo(instrument(), seed=7)


def test_another_seed_gives_other_answers(demo: DemoRound) -> None:
    other = review_2021_demo(instrument(), seed=2022)
    assert other.answers != demo.answers


def test_missing_answers_are_real_blanks_where_fewer_than_all_answered(demo: DemoRound) -> None:
    round_data = demo.round_data()
    short = {f.indicator for f in demo.figures if f.population == "all" and f.denominator < 42}
    assert short == {
        "C05.status",
        "C09.status",
        "C14.status",
        "C15.status",
        "C16-17.status",
        "C18-19.status",
        "MNR.used_as_reference",
    }
    for finding in compute_findings(round_data, questions=sorted(short)):
        assert finding.counts["blank"] >= 1, finding.question


def test_laws_adequate_is_asked_only_through_unicef_country_offices(demo: DemoRound) -> None:
    by_code = {j.code: j for j in demo.jurisdictions}
    answered = {a.jurisdiction for a in demo.answers if a.question == "C03.laws_adequate"}
    assert len(answered) == 25
    assert all(by_code[code].channel == UNICEF for code in answered)


def test_second_channel_rows_exercise_priority_without_deciding(demo: DemoRound) -> None:
    by_code = {j.code: j for j in demo.jurisdictions}
    resolved = resolve_answers(demo.round_data()).set_index(["jurisdiction", "question"])
    losing = [a for a in demo.answers if a.channel != by_code[a.jurisdiction].channel]
    assert {by_code[a.jurisdiction].channel for a in losing} == {GOV, UNICEF}
    assert len({a.jurisdiction for a in losing}) == 42
    overruled = 0
    for answer in losing:
        used = resolved.loc[(answer.jurisdiction, answer.question)]
        assert used["channel"] == by_code[answer.jurisdiction].channel
        overruled += used["value"] != answer.value and answer.value is not None
    assert overruled > 0  # some lower-priority answers differ and must lose


def test_text_answers_are_marked_synthetic_and_some_are_publishable(demo: DemoRound) -> None:
    assert demo.texts
    assert all(t.text.startswith("[Synthetic] ") for t in demo.texts)
    publishable = [t for t in demo.texts if t.publishable]
    assert publishable and all(t.question.endswith(".good_practice") for t in publishable)
    assert len({t.text for t in demo.texts}) > 100
    by_capability = {t.question.split(".")[0] for t in demo.texts}
    assert by_capability == set(CAPABILITIES)


def test_figure_for_a_question_missing_from_the_instrument_is_refused() -> None:
    figure = FigureSpec("X1", "C99.status", ("yes",), "all", 1, 2, 50)
    with pytest.raises(InfeasibleFigures, match=r"X1: 'C99\.status'"):
        review_2021_demo(instrument(), figures=[figure])


def solve(figures: list[FigureSpec], question: InstrumentQuestion | None = None) -> None:
    question = question or InstrumentQuestion("C06.status", "select_one", STATUS_CHOICES)
    solve_answers(question, figures, demo_jurisdictions(), (GOV, UNICEF), random.Random(1))


def test_figure_asking_more_than_the_population_is_infeasible() -> None:
    figure = FigureSpec("X2", "C06.status", ("yes",), "income=HIC", 3, 16, 19)
    with pytest.raises(InfeasibleFigures, match=r"X2 .*denominator 16 is impossible.*0 and 15"):
        solve([figure])


def test_contradicting_figures_are_infeasible() -> None:
    in_place = FigureSpec("X3", "C06.status", ("yes", "partial"), "all", 30, 42, 71)
    without = FigureSpec("X4", "C06.status", ("no",), "all;then income!=HIC", 13, 13, 100)
    with pytest.raises(InfeasibleFigures, match="X3, X4 cannot all hold"):
        solve([in_place, without])


def test_figure_on_a_channel_that_is_not_asked_is_infeasible() -> None:
    question = InstrumentQuestion("C03.laws_adequate", "select_one", YES_NO_CHOICES, (UNICEF,))
    figure = FigureSpec("X5", "C03.laws_adequate", ("no",), f"channel={GOV}", 1, 2, 50)
    with pytest.raises(InfeasibleFigures, match="X5"):
        solve([figure], question)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("F1,C01.status,yes,all,5,4,125", "numerator <= denominator"),
        ("F1,C01.status,yes,all,1,8,12", "percent 12 does not match 1/8"),
        ("F1,C01.status,yes,all,one,8,", "whole numbers"),
    ],
)
def test_bad_figure_rows_are_refused_with_file_and_row(row: str, message: str) -> None:
    text = "figure_id,indicator,counts_as,population,numerator,denominator,percent\n" + row
    with pytest.raises(ValueError, match=f"figures.csv: row 2: .*{message}"):
        load_figures(text, source="figures.csv")


def test_benchmark_round_has_the_requested_shape() -> None:
    round_data = benchmark_round(n_jurisdictions=30, channels=2, questions=12, seed=3)
    assert len(round_data.participants) == 30
    assert len(round_data.questions) == 12
    assert round_data.channels == ("channel_1", "channel_2")
    assert set(round_data.answers["channel"]) <= set(round_data.channels)
    assert len(round_data.answers) > 30 * 12  # some jurisdictions answer through two channels
    assert len(compute_findings(round_data, by="channel")) >= 12


def test_benchmark_round_can_use_given_questions() -> None:
    questions = [QuestionSpec("C07.icse_connected", YES_NO_CHOICES), QuestionSpec("X.ok", ("yes",))]
    round_data = benchmark_round(n_jurisdictions=40, channels=1, questions=questions)
    assert round_data.questions == tuple(questions)
    values = round_data.answers.groupby("question")["value"].agg(lambda v: set(v.dropna()))
    assert values["X.ok"] == {"yes"}
    assert values["C07.icse_connected"] <= set(YES_NO_CHOICES)
    assert len(compute_findings(round_data)) == 2


def test_benchmark_reports_timings_per_size() -> None:
    results = run_findings_benchmark(sizes=(20, 40), questions=6, repeat=1)
    assert [r["n_jurisdictions"] for r in results] == [20, 40]
    for result in results:
        assert result["resolve_seconds"] > 0 and result["findings_seconds"] > 0
        assert result["findings"] > 6
