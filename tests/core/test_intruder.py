"""The intruder of tests/intruder.py, and disclosure control (mnr.core.disclosure) against it.

The first part checks the intruder itself on releases built by hand: the counts come from the
counting rules, and the cells to withhold are chosen here, without mnr's disclosure code. The
second part runs the intruder on what ``mnr.core.disclosure.protect`` releases.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Collection, Iterable, Sequence
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests import intruder
from tests.intruder import DIFFERENCE, FORCED, SMALL, Disclosure, attack, thin_shown_cells, view_of

from mnr.core.findings import (
    AnswerRecord,
    Finding,
    Participant,
    QuestionSpec,
    RoundData,
    compute_breakdowns,
    compute_figure,
)

YES_NO = ("yes", "no", "dont_know", "not_applicable")
STATUS = ("yes", "partial", "no", "dont_know", "not_applicable")
GOV, UNICEF = "government", "unicef_country_office"
CHANNELS = (GOV, UNICEF)

# A participant: jurisdiction, income group, region, channel, answer to Q1 (None: blank).
Person = tuple[str, str | None, str | None, str, str | None]


def make_round(
    people: Sequence[Person],
    choices: tuple[str, ...] = YES_NO,
    asked_by: tuple[str, ...] | None = None,
) -> RoundData:
    """A round of one question, Q1, that every participant answers through its channel.

    When Q1 is asked through some channels only, the participants not asked it answer Q0 (of
    the instrument of their channel) instead, so that they still answer through their channel.
    A participant asked Q1 whose answer is blank has answered nothing.
    """
    questions = [QuestionSpec("Q1", choices, channels=asked_by)]
    if asked_by is not None:
        questions.insert(0, QuestionSpec("Q0", choices))
    answers = []
    for jurisdiction, _, _, channel, answer in people:
        if asked_by is None or channel in asked_by:
            answers.append(AnswerRecord(jurisdiction, channel, "Q1", answer))
        else:
            answers.append(AnswerRecord(jurisdiction, channel, "Q0", "yes"))
    return RoundData.from_records(
        questions,
        [Participant(j, income, region) for j, income, region, _, _ in people],
        CHANNELS,
        answers,
    )


def name(finding: Finding) -> str:
    return f"{finding.by}={finding.group}" if finding.by else finding.population


def withheld(finding: Finding) -> Finding:
    return dataclasses.replace(
        finding, suppressed=True, counts={}, numerator=None, denominator=None, percent=None
    )


def release(
    round_data: RoundData,
    breakdowns: Sequence[str | None],
    withhold: Collection[str] = (),
    figures: Sequence[tuple[tuple[str, ...], str]] = (),
    question: str = "Q1",
) -> list[Finding]:
    """The findings of ``question`` under ``breakdowns`` and the figures (counts_as,
    population), with the cells named in ``withhold`` ("region=B", "all", a population)
    emptied as disclosure control would."""
    computed = compute_breakdowns(round_data, breakdowns, questions=[question])
    findings = [f for by in breakdowns for f in computed[by]]
    findings += [compute_figure(round_data, question, c, p) for c, p in figures]
    names = {name(f) for f in findings}
    assert set(withhold) <= names, f"no cell {set(withhold) - names} to withhold"
    return [withheld(f) if name(f) in withhold else f for f in findings]


def intrude(
    round_data: RoundData,
    findings: Iterable[Finding],
    known: Collection[str] = (),
    k: int = 3,
) -> list[Disclosure]:
    return attack(**view_of(round_data, findings, known), k=k)


def summary(found: list[Disclosure]) -> set[tuple[str, str, str | None]]:
    return {(d.kind, d.cell, d.minus) for d in found}


# --- part 1: the intruder on releases built by hand -----------------------------------------


def test_a_region_left_over_from_the_total_is_forced() -> None:
    people: list[Person] = [
        ("A1", None, "A", GOV, "yes"),
        ("A2", None, "A", GOV, "no"),
        ("A3", None, "A", GOV, "yes"),
        ("B1", None, "B", GOV, "yes"),
        ("B2", None, "B", GOV, "dont_know"),
    ]
    round_data = make_round(people)
    findings = release(round_data, (None, "region"), withhold={"region=B"})

    found = intrude(round_data, findings, k=2)

    assert summary(found) == {(FORCED, "region=B", None)}
    (forced,) = found
    assert forced.value == {
        "yes": 1,
        "no": 0,
        "dont_know": 1,
        "not_applicable": 0,
        "blank": 0,
    }
    assert forced.members == ("B1", "B2")
    # With k = 3 the two jurisdictions of B are also a small difference of shown cells.
    assert summary(intrude(round_data, findings, k=3)) == {
        (FORCED, "region=B", None),
        (DIFFERENCE, "all", "region=A"),
    }


def test_nothing_is_forced_while_two_withheld_regions_share_the_remainder_freely() -> None:
    people: list[Person] = [
        ("A1", None, "A", GOV, "yes"),
        ("A2", None, "A", GOV, "no"),
        ("A3", None, "A", GOV, "yes"),
        ("B1", None, "B", GOV, "yes"),
        ("B2", None, "B", GOV, "no"),
        ("C1", None, "C", GOV, "no"),
        ("C2", None, "C", GOV, "yes"),
    ]
    round_data = make_round(people)
    findings = release(round_data, (None, "region"), withhold={"region=B", "region=C"})

    assert intrude(round_data, findings, k=3) == []


def issue_regions(africa: tuple[str, str]) -> list[Person]:
    """The issue's MNR.used_as_reference in miniature: Oceania's two answer "yes"."""
    answers = {
        "Americas": ("yes", "no", "yes"),
        "Asia": ("no", "yes", "dont_know"),
        "Europe": ("yes", "yes", "no"),
        "Africa": africa,
        "Oceania": ("yes", "yes"),
    }
    return [
        (f"{region[:2].upper()}{i}", None, region, GOV, answer)
        for region, values in answers.items()
        for i, answer in enumerate(values)
    ]


def test_the_issues_example_total_minus_three_regions_forces_africa_and_oceania() -> None:
    round_data = make_round(issue_regions(africa=("yes", "yes")))
    findings = release(round_data, (None, "region"), withhold={"region=Africa", "region=Oceania"})

    found = intrude(round_data, findings, k=3)

    assert summary(found) == {(FORCED, "region=Africa", None), (FORCED, "region=Oceania", None)}
    assert all(d.value["yes"] == 2 and sum(d.value.values()) == 2 for d in found)


def test_the_issues_example_is_safe_when_the_remainder_could_be_split_two_ways() -> None:
    round_data = make_round(issue_regions(africa=("yes", "no")))
    findings = release(round_data, (None, "region"), withhold={"region=Africa", "region=Oceania"})

    assert intrude(round_data, findings, k=3) == []


def test_a_withheld_cell_inside_a_shown_cell_answering_alike_is_forced_by_bounds() -> None:
    # Every high-income jurisdiction answers yes, so Europe (two of them) must be all yes; no
    # subtraction of shown cells isolates Europe: it is withheld along with Africa and Oceania,
    # whose four answers (two yes, two no) can be split between them in three ways.
    people: list[Person] = [
        ("E1", "HIC", "Europe", GOV, "yes"),
        ("E2", "HIC", "Europe", GOV, "yes"),
        ("S1", "HIC", "Asia", GOV, "yes"),
        ("S2", "UMC", "Asia", GOV, "no"),
        ("S3", "UMC", "Asia", GOV, "no"),
        ("F1", "UMC", "Africa", GOV, "yes"),
        ("F2", "UMC", "Africa", GOV, "no"),
        ("O1", "UMC", "Oceania", GOV, "no"),
        ("O2", "UMC", "Oceania", GOV, "yes"),
    ]
    round_data = make_round(people)
    findings = release(
        round_data,
        (None, "income", "region"),
        withhold={"region=Europe", "region=Africa", "region=Oceania"},
    )

    found = intrude(round_data, findings, k=3)

    assert summary(found) == {(FORCED, "region=Europe", None)}
    assert found[0].value["yes"] == 2


def test_government_minus_high_income_leaves_two_jurisdictions() -> None:
    people: list[Person] = [
        *[(f"H{i}", "HIC", "Europe", GOV, "yes" if i % 2 else "no") for i in range(4)],
        ("U1", "UMC", "Asia", GOV, "yes"),
        ("U2", "UMC", "Asia", GOV, "dont_know"),
        ("U3", "UMC", "Asia", UNICEF, "no"),
        ("U4", "UMC", "Africa", UNICEF, "yes"),
        ("U5", "UMC", "Africa", UNICEF, "no"),
        *[(f"L{i}", "LMC", "Africa", UNICEF, "no") for i in range(3)],
    ]
    round_data = make_round(people)
    findings = release(round_data, (None, "income-group", "channel"))

    found = intrude(round_data, findings, k=3)

    assert summary(found) == {(DIFFERENCE, f"channel={GOV}", "income-group=HIC")}
    assert found[0].members == ("U1", "U2")
    assert found[0].value == {
        "yes": 1,
        "no": 0,
        "dont_know": 1,
        "not_applicable": 0,
        "blank": 0,
    }
    # The same difference through a population figure (numerator and denominator only).
    figure = release(round_data, (None, "channel"), figures=[(("yes",), "income=HIC")])
    differences = [d for d in intrude(round_data, figure, k=3) if d.kind == DIFFERENCE]
    assert [(d.cell, d.minus) for d in differences] == [(f"channel={GOV}", "income=HIC")]
    assert differences[0].value == {"yes": 1, "yes+no+dont_know": 2}


def test_a_withheld_cell_of_jurisdictions_that_were_not_asked_is_no_disclosure() -> None:
    people: list[Person] = [
        *[(f"G{i}", None, "Europe", GOV, ("yes", "no")[i % 2]) for i in range(4)],
        ("N1", None, "Asia", UNICEF, None),
        ("N2", None, "Asia", UNICEF, None),
    ]
    round_data = make_round(people, asked_by=(GOV,))
    findings = release(
        round_data, (None, "region", "channel"), withhold={"region=Asia", f"channel={UNICEF}"}
    )

    assert intrude(round_data, findings, k=3) == []
    # Had the question been asked through UNICEF too, Asia's two blanks would be forced.
    people[-2:] = [("N1", None, "Asia", UNICEF, "yes"), ("N2", None, "Asia", UNICEF, "no")]
    asked = make_round(people)
    found = intrude(asked, release(asked, (None, "region"), withhold={"region=Asia"}), k=2)
    assert summary(found) == {(FORCED, "region=Asia", None)}


def test_one_of_two_tells_a_focal_point_the_other_answer() -> None:
    people: list[Person] = [("J01", None, None, GOV, "yes"), ("J02", None, None, GOV, "no")]
    round_data = make_round(people)
    findings = release(round_data, (None,))

    found = intrude(round_data, findings, known={"J01"}, k=2)

    assert summary(found) == {(SMALL, "all", None)}
    assert found[0].members == ("J02",)
    assert found[0].value["no"] == 1
    assert intrude(round_data, findings, k=2) == []  # an outsider sees two answers


def test_a_viewers_own_answer_completes_a_withheld_pair() -> None:
    people: list[Person] = [
        ("J01", None, "North", GOV, "yes"),
        ("J02", None, "North", GOV, "no"),
        *[(f"S{i}", None, "South", GOV, ("yes", "no")[i % 2]) for i in range(4)],
    ]
    round_data = make_round(people)
    # Without the viewer, North's two answers (one yes, one no) are unknown.
    findings = release(round_data, (None, "region"), withhold={"region=North"})
    forced = [d for d in intrude(round_data, findings, k=2) if d.kind == FORCED]
    assert forced and forced[0].members == ("J01", "J02")
    # A withheld figure over North, with North's cell shown: forced too.
    figures = release(
        round_data,
        (None, "region"),
        withhold={"region=North", "region=North;then region=North", "all;then region=North"},
        figures=[(("yes",), "region=North;then region=North"), (("yes",), "all;then region=North")],
    )
    found = intrude(round_data, figures, known={"J01"}, k=2)
    assert {d.cell for d in found if d.kind == FORCED} == {
        "region=North",
        "region=North;then region=North",
        "all;then region=North",
    }
    by_cell = {d.cell: d for d in found}
    assert by_cell["all;then region=North"].value == {"numerator": 1, "denominator": 3}


def test_withheld_population_figures_are_forced_by_the_cells_they_sum() -> None:
    people: list[Person] = [
        *[(f"H{i}", "HIC", "Europe", GOV, ("yes", "no", "yes")[i % 3]) for i in range(5)],
        *[(f"L{i}", "LIC", "Africa", UNICEF, ("no", "yes")[i % 2]) for i in range(4)],
    ]
    round_data = make_round(people)
    figures = [
        (("yes",), "income=HIC"),
        (("yes",), "income!=HIC"),
        (("yes",), "all;then income=HIC"),
    ]
    populations = {population for _, population in figures}
    findings = release(round_data, (None, "income"), withhold=populations, figures=figures)

    found = intrude(round_data, findings, k=2)

    assert {d.cell for d in found} == populations
    expected = compute_figure(round_data, "Q1", ("yes",), "all;then income=HIC")
    assert {d.cell: d.value for d in found}["all;then income=HIC"] == {
        "numerator": expected.numerator,
        "denominator": expected.denominator,
    }
    # Without the income cells, high- and low-income yes answers could trade places.
    hidden = release(
        round_data,
        (None, "income"),
        withhold={*populations, "income=HIC", "income=LMIC"},
        figures=figures,
    )
    assert intrude(round_data, hidden, k=2) == []


@pytest.mark.parametrize("shortcuts", [True, False])
def test_withheld_figures_that_can_go_either_way_are_not_forced(shortcuts: bool) -> None:
    # B1 and C1 share one yes and one no: a figure over B counting yes and one counting no
    # can each be 0 or 1, whichever answer set the solver finds first.
    people: list[Person] = [
        ("A1", None, "A", GOV, "yes"),
        ("A2", None, "A", GOV, "no"),
        ("A3", None, "A", GOV, "yes"),
        ("B1", None, "B", GOV, "yes"),
        ("C1", None, "C", GOV, "no"),
    ]
    round_data = make_round(people)
    figures = [(("yes",), "region=B"), (("no",), "region=B")]
    findings = release(
        round_data,
        (None, "region"),
        withhold={"region=B", "region=C"},  # (the figures' name too)
        figures=figures,
    )
    # The figures first: the answer sets found for the cells would settle them otherwise.
    findings.sort(key=lambda f: f.population == "all")

    with mock.patch.object(intruder, "SHORTCUTS", shortcuts):
        assert intrude(round_data, findings, k=2) == []


def test_a_release_that_contradicts_the_participant_list_is_refused() -> None:
    people: list[Person] = [(f"J{i}", None, "A", GOV, "yes") for i in range(4)]
    round_data = make_round(people)
    view = view_of(round_data, release(round_data, (None, "region")))
    view["participants"][0]["region"] = "B"  # the intruder's list says otherwise
    with pytest.raises(ValueError, match="give every number shown"):
        attack(**view, k=3)


# The intruder against brute force: on tiny rounds, enumerate every answer set.

CODES = ("yes", "no", "blank")


@st.composite
def tiny_releases(draw: st.DrawFn) -> tuple[RoundData, list[Finding], frozenset[str]]:
    size = draw(st.integers(2, 6))
    people: list[Person] = [
        (
            f"J{i}",
            draw(st.sampled_from(["HIC", "UMC", None])),
            draw(st.sampled_from(["A", "B", None])),
            draw(st.sampled_from(CHANNELS)),
            draw(st.sampled_from(["yes", "no", None])),
        )
        for i in range(size)
    ]
    asked_by = draw(st.sampled_from([None, (GOV,)]))
    round_data = make_round(people, choices=("yes", "no"), asked_by=asked_by)
    figures = [(("yes",), "income=HIC"), (("yes",), "region!=A"), (("yes",), "all;then income=HIC")]
    findings = release(
        round_data, (None, "income", "income-group", "region", "channel"), figures=figures
    )
    hide = draw(st.lists(st.booleans(), min_size=len(findings), max_size=len(findings)))
    findings = [withheld(f) if h else f for f, h in zip(findings, hide, strict=True)]
    known = frozenset(draw(st.sets(st.sampled_from([p[0] for p in people]), max_size=2)))
    return round_data, findings, known


def brute_force_forced(
    round_data: RoundData, findings: list[Finding], known: frozenset[str]
) -> set[tuple[str | None, str | None, str]]:
    """The withheld cells with one value in every answer set consistent with the shown ones,
    as (by, group, population)."""
    people = round_data.participants
    spec = round_data.question("Q1")
    records = list(round_data.answers.itertuples())
    # The channel group: the channel of a participant's answers, "none" if all are blank.
    channel = {p.jurisdiction: "none" for p in people}
    channel.update({a.jurisdiction: a.channel for a in records if a.value})
    truth = {a.jurisdiction: a.value or "blank" for a in records if a.question == "Q1"}
    asked = [
        channel[p.jurisdiction] != "none"
        and (spec.channels is None or channel[p.jurisdiction] in spec.channels)
        for p in people
    ]
    choices = [
        [truth.get(p.jurisdiction, "blank")] if (p.jurisdiction in known or not ok) else CODES
        for p, ok in zip(people, asked, strict=True)
    ]
    candidates = np.array(
        list(itertools.product(*[[CODES.index(c) for c in cs] for cs in choices]))
    )
    a_priori = np.array([len(cs) == 1 for cs in choices])

    def label(p: Participant, by: str) -> str:
        if by == "income":
            return (
                "unknown"
                if p.income_group is None
                else ("HIC" if p.income_group == "HIC" else "LMIC")
            )
        if by == "income-group":
            return p.income_group or "unknown"
        if by == "region":
            return p.region or "unknown"
        return channel[p.jurisdiction]

    def members(text: str) -> np.ndarray:
        if text == "all":
            return np.ones(len(people), dtype=bool)
        negated = "!=" in text
        by, _, value = text.partition("!=" if negated else "=")
        labels = [label(p, by) for p in people]
        if negated:
            return np.array([v not in (value, "unknown") for v in labels])
        return np.array([v == value for v in labels])

    def numbers(finding: Finding) -> tuple[np.ndarray, np.ndarray]:
        """(what each candidate would show, the group it is about)."""
        yes = candidates == CODES.index("yes")
        answered = candidates != CODES.index("blank")
        if finding.by is not None or finding.population == "all":
            group = members(f"{finding.by}={finding.group}") if finding.by else members("all")
            shown = np.stack([(candidates == c)[:, group].sum(axis=1) for c in range(3)], axis=1)
            return shown, group
        base, conditional, then = finding.population.partition(";then ")
        group = members(base)
        if conditional:
            inside = group & members(then)
            shown = np.stack([yes[:, inside].sum(axis=1), yes[:, group].sum(axis=1)], axis=1)
        else:
            shown = np.stack([yes[:, group].sum(axis=1), answered[:, group].sum(axis=1)], axis=1)
        return shown, group

    consistent = np.ones(len(candidates), dtype=bool)
    for finding in findings:
        if not finding.suppressed:
            shown, _ = numbers(finding)
            if finding.by is not None or finding.population == "all":
                printed = [finding.counts[c] for c in CODES]
            else:
                printed = [finding.numerator, finding.denominator]
            consistent &= (shown == np.array(printed)).all(axis=1)
    assert consistent.any(), "the true answers must be consistent with the release"
    forced = set()
    for finding in findings:
        if finding.suppressed:
            shown, group = numbers(finding)
            values = shown[consistent]
            if not a_priori[group].all() and (values == values[0]).all():
                forced.add((finding.by, finding.group, finding.population))
    return forced


@settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(tiny_releases())
def test_the_intruder_finds_exactly_the_cells_brute_force_finds(
    case: tuple[RoundData, list[Finding], frozenset[str]],
) -> None:
    round_data, findings, known = case
    expected = brute_force_forced(round_data, findings, known)
    found = intrude(round_data, findings, known=known, k=2)
    assert {(d.by, d.group, d.population) for d in found if d.kind == FORCED} == expected
    # The same verdicts from the integer programs alone, without the intruder's shortcuts.
    with mock.patch.object(intruder, "SHORTCUTS", False):
        found = intrude(round_data, findings, known=known, k=2)
    assert {(d.by, d.group, d.population) for d in found if d.kind == FORCED} == expected


# --- part 2: mnr.core.disclosure.protect against the intruder -------------------------------


def protect(
    round_data: RoundData,
    k: int,
    known: Collection[str] = frozenset(),
    figures: Sequence[tuple[str, str, tuple[str, ...], str]] = (),
) -> tuple[Any, list[Finding]]:
    """protect()'s output for a viewer who knows ``known``, and every finding it releases.

    ``figures``: (key, question, counts_as, population)."""
    from mnr.core.disclosure import FigureRequest
    from mnr.core.disclosure import protect as protect_round

    protection = protect_round(
        round_data,
        k=k,
        figures=[
            FigureRequest(key=f[0], question=f[1], counts_as=f[2], population=f[3]) for f in figures
        ],
        known=frozenset(known),
    )
    released = [f for by in protection.findings.values() for f in by]
    released += list(protection.figures.values())
    return protection, released


def assert_safe(
    round_data: RoundData, released: list[Finding], known: Collection[str], k: int
) -> None:
    found = intrude(round_data, released, known=known, k=k)
    assert not found, "the intruder works out:\n" + "\n".join(map(str, found))
    thin = thin_shown_cells(round_data, released, known, k=k)
    assert not thin, "shown with fewer than k answers:\n" + "\n".join(thin)


def cell(protection: Any, by: str | None, group: str | None, question: str = "Q1") -> Finding:
    return next(f for f in protection.findings[by] if f.question == question and f.group == group)


def test_protect_hides_a_region_of_one_and_an_income_group_of_two() -> None:
    people: list[Person] = [
        *[(f"E{i}", "HIC", "Europe", GOV, ("yes", "no", "partial")[i % 3]) for i in range(4)],
        *[(f"S{i}", "LMC", "Asia", UNICEF, ("no", "yes")[i % 2]) for i in range(3)],
        ("U1", "UMC", "Asia", GOV, "yes"),
        ("U2", "UMC", "Africa", UNICEF, "dont_know"),
    ]
    round_data = make_round(people, choices=STATUS)
    protection, released = protect(
        round_data, k=3, figures=[("F1", "Q1", ("yes",), "income-group=UMC")]
    )

    assert cell(protection, "region", "Africa").suppressed
    assert cell(protection, "income-group", "UMC").suppressed
    assert protection.figures["F1"].suppressed
    assert_safe(round_data, released, (), k=3)


@pytest.mark.parametrize("africa", [("yes", "yes"), ("yes", "no")])
def test_protect_the_issues_example(africa: tuple[str, str]) -> None:
    round_data = make_round(issue_regions(africa))
    protection, released = protect(round_data, k=3)

    assert cell(protection, "region", "Oceania").suppressed
    assert_safe(round_data, released, (), k=3)


def test_protect_a_region_whose_members_all_answer_alike() -> None:
    people: list[Person] = [
        *[(f"E{i}", ("HIC", "UMC")[i % 2], "Europe", GOV, "yes") for i in range(5)],
        ("E5", "LIC", "Europe", UNICEF, "yes"),
        *[(f"A{i}", ("UMC", "LMC")[i % 2], "Asia", UNICEF, ("no", "yes")[i % 2]) for i in range(5)],
    ]
    round_data = make_round(people)
    protection, released = protect(round_data, k=3)

    assert cell(protection, "income-group", "LIC").suppressed
    assert_safe(round_data, released, (), k=3)


def test_protect_a_round_in_which_everyone_answers_alike() -> None:
    people: list[Person] = [
        *[(f"E{i}", "HIC", "Europe", GOV, "yes") for i in range(6)],
        ("F1", "LIC", "Africa", UNICEF, "yes"),
        ("S1", "UMC", "Asia", GOV, "yes"),
        ("S2", "UMC", "Asia", UNICEF, "yes"),
    ]
    round_data = make_round(people)
    _, released = protect(round_data, k=3)

    assert_safe(round_data, released, (), k=3)


@pytest.mark.parametrize("size", [2, 3, 4])
def test_protect_for_a_focal_point_who_knows_their_own_answer(size: int) -> None:
    answers = ("yes", "no", "yes", "partial")
    people: list[Person] = [(f"J0{i + 1}", "UMC", "Asia", GOV, answers[i]) for i in range(size)]
    round_data = make_round(people, choices=STATUS)
    protection, released = protect(round_data, k=3, known={"J01"})

    # "1 of 2" (or "2 of 3") would tell the focal point what the others answered.
    assert cell(protection, None, None).suppressed == (size - 1 < 3)
    assert_safe(round_data, released, {"J01"}, k=3)
    # With k = 2 the round of three may show its total: two answers besides J01's.
    if size > 2:
        protection, released = protect(round_data, k=2, known={"J01"})
        assert not cell(protection, None, None).suppressed
        assert_safe(round_data, released, {"J01"}, k=2)


@st.composite
def small_rounds(
    draw: st.DrawFn,
) -> tuple[RoundData, int, frozenset[str], list[tuple[str, str, tuple[str, ...], str]]]:
    size = draw(st.integers(1, 12))
    answer = st.sampled_from(["yes", "partial", "no", "dont_know", "not_applicable", None])
    people = [
        (
            f"J{i:02}",
            draw(st.sampled_from([*("HIC", "UMC", "LMC", "LIC"), None])),
            draw(st.sampled_from(["Africa", "Asia", "Europe", None])),
            draw(st.sampled_from(CHANNELS)),
        )
        for i in range(size)
    ]
    questions = [
        QuestionSpec("Q1", STATUS),
        QuestionSpec("Q2", YES_NO),
        QuestionSpec("Q3", STATUS, channels=(GOV,)),
    ]
    records = []
    for jurisdiction, _, _, channel in people:
        for spec in questions:
            if spec.channels is None or channel in spec.channels:
                value = draw(answer)
                if value in spec.choices or value is None:
                    records.append(AnswerRecord(jurisdiction, channel, spec.id, value))
    round_data = RoundData.from_records(
        questions, [Participant(j, i, r) for j, i, r, _ in people], CHANNELS, records
    )
    k = draw(st.integers(2, 4))
    known = frozenset(draw(st.sets(st.sampled_from([p[0] for p in people]), max_size=1)))
    populations = [
        "income=HIC",
        "income!=HIC",
        "region=Europe",
        f"channel={GOV}",
        "all;then income=HIC",
    ]
    figures = [
        (f"F{i}", draw(st.sampled_from(["Q1", "Q2"])), ("yes",), population)
        for i, population in enumerate(
            draw(st.lists(st.sampled_from(populations), max_size=2, unique=True))
        )
    ]
    return round_data, k, known, figures


@settings(
    max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(small_rounds())
def test_protect_leaves_the_intruder_nothing_on_small_random_rounds(
    case: tuple[RoundData, int, frozenset[str], list[tuple[str, str, tuple[str, ...], str]]],
) -> None:
    round_data, k, known, figures = case
    _, released = protect(round_data, k=k, known=known, figures=figures)
    assert_safe(round_data, released, known, k=k)


def test_protect_withholds_no_large_cell_of_a_big_balanced_round() -> None:
    # 40 jurisdictions: 4 income groups x 4 regions x 2 channels, crossed so that no group is
    # inside another, with varied answers: every cell has 10 or more members.
    incomes, regions = ("HIC", "UMC", "LMC", "LIC"), ("Africa", "Asia", "Europe", "Americas")
    people: list[Person] = [
        (
            f"J{i:02}",
            incomes[i % 4],
            regions[(i // 4 + i) % 4],
            CHANNELS[(i // 2) % 2],
            STATUS[(i * 7 // 3) % 5],
        )
        for i in range(40)
    ]
    round_data = make_round(people, choices=STATUS)
    protection, released = protect(
        round_data, k=3, figures=[("F1", "Q1", ("yes", "partial"), "income=HIC")]
    )

    large_withheld = [
        f"{f.question} {name(f)}"
        for by, findings in compute_breakdowns(round_data).items()
        for f, shown in zip(findings, protection.findings[by], strict=True)
        if f.size >= 10 and shown.suppressed
    ]
    assert large_withheld == []
    assert not protection.figures["F1"].suppressed
    assert_safe(round_data, released, (), k=3)
