"""The counting rules, one behaviour at a time (see docs/counting-rules.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from mnr.core.findings import (
    AnswerRecord,
    Participant,
    QuestionSpec,
    RoundData,
    compute_breakdowns,
    compute_figure,
    compute_findings,
    percent,
    resolve_answers,
    snapshot,
)

STATUS = ("yes", "partial", "no", "dont_know", "not_applicable")
YES_NO = ("yes", "no", "dont_know", "not_applicable")
CHANNELS = ("government", "unicef_country_office")
GOV, UNICEF = CHANNELS


def make_round(
    answers: list[tuple[str, str, str, str | None]],
    participants: list[Participant] | None = None,
    questions: list[QuestionSpec] | None = None,
    channels: tuple[str, ...] = CHANNELS,
) -> RoundData:
    if participants is None:
        participants = [Participant(j) for j in sorted({a[0] for a in answers})]
    if questions is None:
        questions = [QuestionSpec("C04.status", STATUS), QuestionSpec("C07.icse", YES_NO)]
    return RoundData.from_records(
        questions, participants, channels, [AnswerRecord(*a) for a in answers]
    )


def total(round_data: RoundData, question: str = "C04.status") -> dict[str, object]:
    finding = next(f for f in compute_findings(round_data) if f.question == question)
    return finding.to_json()


# --- percent --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (1, 8, 13),
        (3, 8, 38),
        (1, 3, 33),
        (2, 3, 67),
        (0, 5, 0),
        (5, 5, 100),
        (32, 42, 76),
        (29, 41, 71),
        (35, 39, 90),
        (1, 200, 1),
        (1, 201, 0),
    ],
)
def test_percent_is_rounded_half_up(numerator: int, denominator: int, expected: int) -> None:
    assert percent(numerator, denominator) == expected


def test_percent_of_nobody_is_none() -> None:
    assert percent(0, 0) is None


# --- what counts ----------------------------------------------------------------------------


def test_in_place_means_yes_or_partial_for_status_questions() -> None:
    round_data = make_round(
        [
            ("A", GOV, "C04.status", "yes"),
            ("B", GOV, "C04.status", "partial"),
            ("C", GOV, "C04.status", "no"),
        ]
    )
    result = total(round_data)
    assert result["counts_as"] == ["yes", "partial"]
    assert (result["numerator"], result["denominator"], result["percent"]) == (2, 3, 67)


def test_yes_no_questions_count_yes_only() -> None:
    round_data = make_round([("A", GOV, "C07.icse", "yes"), ("B", GOV, "C07.icse", "no")])
    assert total(round_data, "C07.icse")["counts_as"] == ["yes"]


def test_question_can_declare_its_own_counts_as() -> None:
    spec = QuestionSpec("C03.laws_adequate", YES_NO, counts_as=("no",))
    round_data = make_round([("A", GOV, "C03.laws_adequate", "no")], questions=[spec])
    assert compute_findings(round_data)[0].numerator == 1


def test_counts_as_can_be_overridden_per_call() -> None:
    round_data = make_round(
        [
            ("A", GOV, "C04.status", "no"),
            ("B", GOV, "C04.status", "yes"),
            ("C", GOV, "C04.status", "no"),
        ]
    )
    finding = compute_findings(round_data, questions=["C04.status"], counts_as=("no",))[0]
    assert (finding.numerator, finding.denominator) == (2, 3)


def test_denominator_leaves_out_blank_and_not_applicable_but_keeps_dont_know() -> None:
    round_data = make_round(
        [
            ("A", GOV, "C04.status", "yes"),
            ("B", GOV, "C04.status", "dont_know"),
            ("C", GOV, "C04.status", "not_applicable"),
            ("D", GOV, "C04.status", None),
            ("E", GOV, "C04.status", ""),
        ]
    )
    result = total(round_data)
    assert result["counts"] == {
        "yes": 1,
        "partial": 0,
        "no": 0,
        "dont_know": 1,
        "not_applicable": 1,
        "blank": 2,
    }
    assert (result["numerator"], result["denominator"], result["percent"]) == (1, 2, 50)


def test_participant_without_any_answer_row_counts_as_blank() -> None:
    round_data = make_round(
        [("A", GOV, "C04.status", "yes")], participants=[Participant("A"), Participant("Z")]
    )
    result = total(round_data)
    assert result["counts"]["blank"] == 1
    assert result["denominator"] == 1


def test_answers_of_non_participants_and_unknown_channels_are_ignored() -> None:
    round_data = make_round(
        [
            ("A", GOV, "C04.status", "yes"),
            ("X", GOV, "C04.status", "no"),
            ("A", "ngo_survey", "C04.status", "no"),
            ("B", "ngo_survey", "C04.status", "no"),
        ],
        participants=[Participant("A"), Participant("B")],
    )
    result = total(round_data)
    assert result["counts"]["yes"] == 1 and result["counts"]["no"] == 0
    assert result["counts"]["blank"] == 1


def test_nobody_answering_gives_no_percent() -> None:
    round_data = make_round([("A", GOV, "C04.status", "not_applicable")])
    result = total(round_data)
    assert (result["denominator"], result["percent"]) == (0, None)


def test_free_text_and_phase_questions_are_not_counted() -> None:
    questions = [
        QuestionSpec("C04.status", STATUS),
        QuestionSpec("C04.phase", ("1", "2")),
        QuestionSpec("C04.lessons", ()),
    ]
    round_data = make_round(
        [("A", GOV, "C04.phase", "2"), ("A", GOV, "C04.lessons", "free text")],
        questions=questions,
    )
    assert [f.question for f in compute_findings(round_data)] == ["C04.status"]
    with pytest.raises(ValueError, match="not a choice question"):
        compute_findings(round_data, questions=["C04.phase"])


def test_answer_outside_the_choices_is_refused_with_its_value() -> None:
    round_data = make_round([("A", GOV, "C07.icse", "partial"), ("B", GOV, "C07.icse", "maybe")])
    with pytest.raises(ValueError, match=r"'C07.icse'.*'maybe', 'partial'"):
        compute_findings(round_data)


def test_two_different_answers_through_one_channel_are_refused() -> None:
    round_data = make_round([("A", GOV, "C04.status", "yes"), ("A", GOV, "C04.status", "no")])
    with pytest.raises(ValueError, match="two different answers"):
        compute_findings(round_data)


def test_a_repeated_identical_answer_is_counted_once() -> None:
    round_data = make_round([("A", GOV, "C04.status", "yes"), ("A", GOV, "C04.status", "yes")])
    assert total(round_data)["numerator"] == 1


def test_findings_follow_the_round_question_order() -> None:
    round_data = make_round([("A", GOV, "C04.status", "yes")])
    found = compute_findings(round_data, questions=["C07.icse", "C04.status"])
    assert [f.question for f in found] == ["C04.status", "C07.icse"]


# --- channel priority -----------------------------------------------------------------------


def test_highest_priority_channel_answer_is_used() -> None:
    round_data = make_round([("A", UNICEF, "C04.status", "no"), ("A", GOV, "C04.status", "yes")])
    resolved = resolve_answers(round_data)
    row = resolved[resolved["question"] == "C04.status"].iloc[0]
    assert (row["value"], row["channel"]) == ("yes", GOV)


def test_blank_higher_priority_answer_falls_back_to_the_next_channel() -> None:
    round_data = make_round(
        [
            ("A", GOV, "C04.status", ""),
            ("A", UNICEF, "C04.status", "partial"),
            ("B", GOV, "C04.status", None),
            ("B", UNICEF, "C04.status", "no"),
        ]
    )
    resolved = resolve_answers(round_data).set_index(["jurisdiction", "question"])
    assert resolved.loc[("A", "C04.status"), "value"] == "partial"
    assert resolved.loc[("B", "C04.status"), "channel"] == UNICEF


def test_channel_order_of_the_round_decides_not_the_name() -> None:
    round_data = make_round(
        [("A", UNICEF, "C04.status", "no"), ("A", GOV, "C04.status", "yes")],
        channels=(UNICEF, GOV),
    )
    assert total(round_data)["counts"]["no"] == 1


def test_resolved_answers_have_one_row_per_participant_and_question() -> None:
    round_data = make_round(
        [("A", GOV, "C04.status", "yes")], participants=[Participant("A"), Participant("B")]
    )
    resolved = resolve_answers(round_data)
    assert list(resolved.columns) == ["jurisdiction", "question", "value", "channel"]
    assert len(resolved) == 4
    blank = resolved[(resolved["jurisdiction"] == "B")]
    assert blank["value"].tolist() == [None, None]
    assert blank["channel"].tolist() == [None, None]


# --- breakdowns -----------------------------------------------------------------------------

PEOPLE = [
    Participant("H1", "HIC", "Europe"),
    Participant("H2", "HIC", "Oceania"),
    Participant("U1", "UMC", "Americas"),
    Participant("L1", "LMC", "Africa"),
    Participant("L2", "LIC", "Africa"),
    Participant("Q1", None, None),
]


def breakdown_round() -> RoundData:
    return make_round(
        [
            ("H1", GOV, "C04.status", "yes"),
            ("H2", GOV, "C04.status", "no"),
            ("H2", GOV, "C07.icse", "yes"),
            ("U1", GOV, "C04.status", "partial"),
            ("L1", UNICEF, "C04.status", "yes"),
            ("L2", UNICEF, "C04.status", None),
            ("L2", UNICEF, "C07.icse", "no"),
        ],
        participants=PEOPLE,
    )


def groups(by: str) -> dict[str | None, dict[str, int]]:
    found = compute_findings(breakdown_round(), by=by, questions=["C04.status"])
    return {f.group: dict(f.counts) for f in found}


def test_income_breakdown_groups_low_and_middle_income_together() -> None:
    result = groups("income")
    assert list(result) == ["HIC", "LMIC", "unknown"]
    assert result["LMIC"]["yes"] + result["LMIC"]["partial"] == 2
    assert result["unknown"]["blank"] == 1


def test_income_group_breakdown_keeps_the_four_groups_in_order() -> None:
    assert list(groups("income-group")) == ["HIC", "UMC", "LMC", "LIC", "unknown"]


def test_region_breakdown_is_alphabetical_with_unknown_last() -> None:
    assert list(groups("region")) == ["Africa", "Americas", "Europe", "Oceania", "unknown"]


def test_channel_breakdown_uses_the_answering_channel_and_files_blanks_by_own_channel() -> None:
    result = groups("channel")
    assert list(result) == [GOV, UNICEF, "none"]
    assert result[GOV] == {
        "yes": 1,
        "partial": 1,
        "no": 1,
        "dont_know": 0,
        "not_applicable": 0,
        "blank": 0,
    }
    assert result[UNICEF]["yes"] == 1 and result[UNICEF]["blank"] == 1  # L2's blank
    assert result["none"]["blank"] == 1  # Q1 never answered through any channel


def test_every_breakdown_adds_up_to_the_total() -> None:
    found = compute_breakdowns(breakdown_round())
    totals = {f.question: dict(f.counts) for f in found[None]}
    for by in ("income", "income-group", "region", "channel"):
        for question, expected in totals.items():
            cells = [f.counts for f in found[by] if f.question == question]
            assert {k: sum(c[k] for c in cells) for k in expected} == expected


def test_breakdown_findings_name_their_breakdown() -> None:
    found = compute_findings(breakdown_round(), by="region")
    assert {f.by for f in found} == {"region"}
    assert found[0].to_json()["by"] == "region"


def test_unknown_breakdown_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown breakdown 'continent'"):
        compute_findings(breakdown_round(), by="continent")


def test_unknown_income_group_is_refused() -> None:
    with pytest.raises(ValueError, match="income group 'high'"):
        Participant("X", "high")


# --- figures --------------------------------------------------------------------------------


def figure(population: str, counts_as: tuple[str, ...] = ("yes", "partial")) -> tuple:
    found = compute_figure(breakdown_round(), "C04.status", counts_as, population)
    return found.numerator, found.denominator, found.percent


def test_figure_for_everyone_equals_the_total() -> None:
    assert figure("all") == (3, 4, 75)


def test_figure_for_high_income_jurisdictions() -> None:
    assert figure("income=HIC") == (1, 2, 50)


def test_figure_for_not_high_income_leaves_out_unknown_income() -> None:
    assert figure("income!=HIC") == (2, 2, 100)


def test_figure_for_an_income_group_and_a_region() -> None:
    assert figure("income-group=UMC") == (1, 1, 100)
    assert figure("region=Africa") == (1, 1, 100)


def test_figure_for_a_channel_counts_answers_given_through_it() -> None:
    assert figure(f"channel={UNICEF}") == (1, 1, 100)


def test_conditional_share_counts_among_those_in_counts_as() -> None:
    # in place: H1, U1, L1 -> 2 of the 3 are not high-income
    assert figure("all;then income!=HIC") == (2, 3, 67)
    assert figure("all;then income!=HIC", ("no",)) == (0, 1, 0)


def test_conditional_share_keeps_the_base_population_counts() -> None:
    found = compute_figure(breakdown_round(), "C04.status", ("no",), "all;then income=HIC")
    assert found.counts["no"] == found.denominator == 1
    assert found.population == "all;then income=HIC"


@pytest.mark.parametrize(
    ("population", "message"),
    [
        ("everyone", "is not 'all'"),
        ("income=XYZ", "not a income group"),
        ("channel=post", "not a channel group"),
        ("income-group=", "not a income-group group"),
    ],
)
def test_unreadable_population_is_refused(population: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        figure(population)


@pytest.mark.parametrize("counts_as", [("not_applicable",), ("partial",), ("maybe",), ()])
def test_counts_as_must_be_countable_codes_of_the_question(counts_as: tuple[str, ...]) -> None:
    round_data = make_round([("A", GOV, "C07.icse", "yes")])
    with pytest.raises(ValueError, match="counts_as"):
        compute_figure(round_data, "C07.icse", counts_as, "all")


def test_in_place_on_a_yes_no_question_counts_the_yes_answers() -> None:
    round_data = make_round([("A", GOV, "C07.icse", "yes"), ("B", GOV, "C07.icse", "no")])
    found = compute_figure(round_data, "C07.icse", ("yes", "partial"), "all")
    assert (found.numerator, found.denominator) == (1, 2)


def test_figure_for_an_unknown_question_is_refused() -> None:
    with pytest.raises(ValueError, match=r"'C99\.status' is not asked"):
        compute_figure(breakdown_round(), "C99.status", ("yes",), "all")


# --- snapshot -------------------------------------------------------------------------------


def test_snapshot_counts_each_capability_and_shares_merged_questions() -> None:
    questions = [QuestionSpec("C03.status", STATUS), QuestionSpec("C16-17.status", STATUS)]
    round_data = make_round(
        [
            ("A", GOV, "C16-17.status", "yes"),
            ("B", GOV, "C16-17.status", "not_applicable"),
            ("C", GOV, "C16-17.status", "dont_know"),
            ("A", GOV, "C03.status", "no"),
        ],
        participants=[Participant(j) for j in "ABCD"],
        questions=questions,
    )
    rows = snapshot(
        round_data,
        [("C03", "C03.status"), ("C16", "C16-17.status"), ("C17", "C16-17.status")],
        exclude=("C03",),
    )
    assert [(r.capability, r.question) for r in rows] == [
        ("C16", "C16-17.status"),
        ("C17", "C16-17.status"),
    ]
    row = rows[0]
    assert row.counts == {
        "yes": 1,
        "partial": 0,
        "no": 0,
        "dont_know": 1,
        "not_applicable": 1,
        "blank": 1,
    }
    assert (row.in_place, row.denominator, row.percent_in_place) == (1, 2, 50)
    assert row.to_json()["counts"]["not_applicable"] == 1


# --- data shapes ----------------------------------------------------------------------------


def test_finding_json_has_every_count_key() -> None:
    data = compute_findings(breakdown_round())[0].to_json()
    assert set(data) >= {
        "question",
        "group",
        "counts",
        "counts_as",
        "numerator",
        "denominator",
        "percent",
        "sentence",
    }
    assert set(data["counts"]) == {"yes", "partial", "no", "dont_know", "not_applicable", "blank"}


def test_round_refuses_a_question_listed_twice() -> None:
    spec = QuestionSpec("C04.status", STATUS)
    with pytest.raises(ValueError, match="listed twice"):
        RoundData.from_records([spec, spec], [], CHANNELS, [])


def test_round_refuses_answers_without_the_value_column() -> None:
    with pytest.raises(ValueError, match="value"):
        RoundData((), (), CHANNELS, pd.DataFrame(columns=["jurisdiction", "channel", "question"]))


def test_round_without_choice_questions_has_no_findings() -> None:
    round_data = make_round([], participants=[Participant("A")], questions=[])
    assert compute_findings(round_data, by="income") == []
