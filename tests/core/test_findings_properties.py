"""Properties of the counting rules on random rounds, checked against a plain-Python oracle."""

from __future__ import annotations

import random
from fractions import Fraction
from math import floor

from hypothesis import given, settings
from hypothesis import strategies as st

from mnr.core.findings import (
    BREAKDOWNS,
    AnswerRecord,
    Participant,
    QuestionSpec,
    RoundData,
    compute_breakdowns,
    compute_figure,
    compute_findings,
    percent,
    resolve_answers,
)

STATUS = ("yes", "partial", "no", "dont_know", "not_applicable")
YES_NO = ("yes", "no", "dont_know", "not_applicable")
QUESTIONS = (QuestionSpec("Q1.status", STATUS), QuestionSpec("Q2.yes_no", YES_NO))
ALL_CHANNELS = ("c1", "c2", "c3", "outside")  # "outside" is never a round channel
JURISDICTIONS = tuple(f"J{i}" for i in range(8))
VALUES = (*STATUS, None, "")

Key = tuple[str, str, str]


@st.composite
def rounds(draw: st.DrawFn) -> RoundData:
    channels = tuple(draw(st.permutations(ALL_CHANNELS[:3]))[: draw(st.integers(1, 3))])
    taking_part = draw(st.lists(st.sampled_from(JURISDICTIONS), unique=True, max_size=7))
    participants = tuple(
        Participant(
            j,
            draw(st.sampled_from((None, "HIC", "UMC", "LMC", "LIC"))),
            draw(st.sampled_from((None, "Africa", "Asia", "Europe"))),
        )
        for j in taking_part
    )
    keys = st.tuples(
        st.sampled_from(JURISDICTIONS),
        st.sampled_from(ALL_CHANNELS),
        st.sampled_from([q.id for q in QUESTIONS]),
    )
    answers: dict[Key, str | None] = draw(
        st.dictionaries(keys, st.sampled_from(VALUES), max_size=60)
    )
    records = [
        AnswerRecord(j, c, q, "yes" if q == "Q2.yes_no" and v == "partial" else v)
        for (j, c, q), v in answers.items()
    ]
    return RoundData.from_records(QUESTIONS, participants, channels, records)


def records_of(round_data: RoundData) -> list[AnswerRecord]:
    return [
        AnswerRecord(r.jurisdiction, r.channel, r.question, r.value)
        for r in round_data.answers.itertuples(index=False)
    ]


def oracle(round_data: RoundData) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """The rule as written: the first channel in round order with a non-blank answer."""
    resolved = {}
    records = records_of(round_data)
    for participant in round_data.participants:
        for question in round_data.questions:
            choice: tuple[str | None, str | None] = (None, None)
            for channel in round_data.channels:
                given_here = [
                    r.value
                    for r in records
                    if (r.jurisdiction, r.channel, r.question)
                    == (participant.jurisdiction, channel, question.id)
                    and r.value not in (None, "")
                ]
                if given_here:
                    choice = (given_here[0], channel)
                    break
            resolved[(participant.jurisdiction, question.id)] = choice
    return resolved


def resolved_map(round_data: RoundData) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    frame = resolve_answers(round_data)
    return {
        (row.jurisdiction, row.question): (row.value, row.channel)
        for row in frame.itertuples(index=False)
    }


def shuffled(round_data: RoundData, seed: int) -> RoundData:
    rng = random.Random(seed)
    participants = list(round_data.participants)
    rng.shuffle(participants)
    records = records_of(round_data)
    rng.shuffle(records)
    return RoundData.from_records(round_data.questions, participants, round_data.channels, records)


@given(rounds())
def test_resolution_follows_channel_priority_like_the_oracle(round_data: RoundData) -> None:
    assert resolved_map(round_data) == oracle(round_data)


@given(rounds(), st.sampled_from(VALUES[:5]), st.data())
def test_a_higher_priority_answer_always_wins(
    round_data: RoundData, value: str, data: st.DataObject
) -> None:
    if not round_data.participants:
        return
    participant = data.draw(st.sampled_from(round_data.participants)).jurisdiction
    top = round_data.channels[0]
    records = [
        r
        for r in records_of(round_data)
        if (r.jurisdiction, r.channel, r.question) != (participant, top, "Q1.status")
    ]
    records.append(AnswerRecord(participant, top, "Q1.status", value))
    changed = RoundData.from_records(
        round_data.questions, round_data.participants, round_data.channels, records
    )
    assert resolved_map(changed)[(participant, "Q1.status")] == (value, top)


@given(rounds(), st.sampled_from((None, "")), st.data())
def test_a_blank_higher_priority_answer_falls_back(
    round_data: RoundData, blank: str | None, data: st.DataObject
) -> None:
    if not round_data.participants:
        return
    participant = data.draw(st.sampled_from(round_data.participants)).jurisdiction
    top = round_data.channels[0]
    others = [
        r
        for r in records_of(round_data)
        if (r.jurisdiction, r.channel, r.question) != (participant, top, "Q1.status")
    ]
    without_top = RoundData.from_records(
        round_data.questions, round_data.participants, round_data.channels, others
    )
    with_blank_top = RoundData.from_records(
        round_data.questions,
        round_data.participants,
        round_data.channels,
        [*others, AnswerRecord(participant, top, "Q1.status", blank)],
    )
    key = (participant, "Q1.status")
    assert resolved_map(with_blank_top)[key] == resolved_map(without_top)[key]


@given(rounds())
def test_numerator_never_exceeds_denominator(round_data: RoundData) -> None:
    for findings in compute_breakdowns(round_data).values():
        for finding in findings:
            assert finding.numerator is not None and finding.denominator is not None
            assert 0 <= finding.numerator <= finding.denominator <= finding.size
            assert (finding.percent is None) == (finding.denominator == 0)


@given(rounds())
def test_group_counts_add_up_to_the_total(round_data: RoundData) -> None:
    found = compute_breakdowns(round_data)
    for total in found[None]:
        assert total.size == len(round_data.participants)
        for by in BREAKDOWNS:
            cells = [f for f in found[by] if f.question == total.question]
            for key, count in total.counts.items():
                assert sum(cell.counts[key] for cell in cells) == count


@given(rounds(), st.integers(0, 2**32))
def test_results_do_not_depend_on_the_order_of_jurisdictions_or_answers(
    round_data: RoundData, seed: int
) -> None:
    other = shuffled(round_data, seed)
    for by in (None, *BREAKDOWNS):
        assert compute_findings(other, by) == compute_findings(round_data, by)
    assert resolved_map(other) == resolved_map(round_data)


@given(rounds())
def test_counts_match_the_oracle(round_data: RoundData) -> None:
    expected = oracle(round_data)
    for finding in compute_findings(round_data):
        values = [v for (_, q), (v, _) in expected.items() if q == finding.question]
        for code, count in finding.counts.items():
            wanted = None if code == "blank" else code
            assert count == sum(1 for v in values if v == wanted)


@settings(max_examples=300)
@given(st.integers(1, 10_000).flatmap(lambda d: st.tuples(st.integers(0, d), st.just(d))))
def test_percent_is_the_exact_share_rounded_half_up(pair: tuple[int, int]) -> None:
    numerator, denominator = pair
    assert percent(numerator, denominator) == floor(
        Fraction(100 * numerator, denominator) + Fraction(1, 2)
    )


@given(rounds(), st.sampled_from(("income!=HIC", "income=HIC", "region=Africa")))
def test_conditional_share_is_taken_among_those_counted(round_data: RoundData, then: str) -> None:
    base = compute_figure(round_data, "Q1.status", ("no",), "all")
    conditional = compute_figure(round_data, "Q1.status", ("no",), f"all;then {then}")
    within = compute_figure(round_data, "Q1.status", ("no",), then)
    assert conditional.denominator == base.numerator
    assert conditional.numerator == within.numerator
