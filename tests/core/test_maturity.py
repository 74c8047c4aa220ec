"""Consolidated phases, agreement, overrides and progress of the maturity self-assessment."""

from __future__ import annotations

import json
import math
import random
import warnings
from datetime import UTC, datetime

import krippendorff
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnr.core.maturity import (
    LEAD,
    Agreement,
    ConsolidatedPhase,
    Override,
    RespondentPhase,
    RoundPhases,
    agreement,
    apply_overrides,
    consolidate,
    lower_median,
    ordinal_alpha,
    progress,
    reliability_data,
    round_maturity,
)

JURISDICTIONS = ("AL", "BR", "FR", "GB-EAW", "KE")
CAPABILITIES = ("C01", "C02", "C03")
RESPONDENTS = (LEAD, "civil_society", "justice", "police")
AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

phase_lists = st.lists(st.integers(1, 4), min_size=1, max_size=9)


@st.composite
def round_phases(draw: st.DrawFn) -> list[RespondentPhase]:
    """Each jurisdiction x capability x respondent at most once, phase 1-4 or blank."""
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(JURISDICTIONS),
                st.sampled_from(CAPABILITIES),
                st.sampled_from(RESPONDENTS),
            ),
            unique=True,
            max_size=40,
        )
    )
    return [
        RespondentPhase(j, c, r, draw(st.one_of(st.none(), st.integers(1, 4)))) for j, c, r in keys
    ]


def phases_of(records: list[RespondentPhase], unit: tuple[str, str]) -> list[int]:
    return [
        record.phase
        for record in records
        if (record.jurisdiction, record.capability) == unit and record.phase is not None
    ]


def package_alpha(records: list[RespondentPhase], capability: str | None = None) -> float | None:
    """The package on the other layout: every respondent of every jurisdiction its own coder."""
    chosen = [r for r in records if r.phase is not None and capability in (None, r.capability)]
    coders = sorted({(r.jurisdiction, r.respondent) for r in chosen})
    units = sorted({(r.jurisdiction, r.capability) for r in chosen})
    matrix = np.full((len(coders), len(units)), np.nan)
    for r in chosen:
        coder = coders.index((r.jurisdiction, r.respondent))
        matrix[coder, units.index((r.jurisdiction, r.capability))] = r.phase
    try:
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = krippendorff.alpha(
                reliability_data=matrix, value_domain=[1, 2, 3, 4], level_of_measurement="ordinal"
            )
    except ValueError:  # no unit with two values
        return None
    return None if math.isnan(value) else float(value)  # nan: no variation


# --- the lower median -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([3], 3),
        ([2, 3], 2),  # even count: the lower of the two middle values
        ([3, 2], 2),
        ([1, 4, 4, 4], 4),  # sorted 1 4 4 4: the middle two are 4 and 4
        ([1, 2, 3, 4], 2),  # the middle two are 2 and 3
        ([4, 1, 3], 3),
        ([1, 1, 4, 4], 1),
    ],
)
def test_lower_median_of_hand_cases(values: list[int], expected: int) -> None:
    assert lower_median(values) == expected


def test_lower_median_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        lower_median([])


@given(phase_lists)
def test_lower_median_is_a_given_value_at_most_the_upper_median(values: list[int]) -> None:
    median = lower_median(values)
    upper = sorted(values)[len(values) // 2]
    assert median in values
    assert median <= upper
    # At least half the values are at or below it, and more than half at or above it.
    assert 2 * sum(v <= median for v in values) >= len(values)
    assert 2 * sum(v >= median for v in values) > len(values)


@given(phase_lists, st.randoms())
def test_lower_median_does_not_depend_on_order(values: list[int], rng: random.Random) -> None:
    shuffled = list(values)
    rng.shuffle(shuffled)
    assert lower_median(shuffled) == lower_median(values)


# --- consolidation ----------------------------------------------------------------------------


def test_consolidate_counts_respondents_and_range_without_blanks() -> None:
    results = consolidate(
        [
            RespondentPhase("KE", "C02", LEAD, 3),
            RespondentPhase("KE", "C02", "police", 1),
            RespondentPhase("KE", "C02", "justice", None),
            RespondentPhase("KE", "C02", "civil_society", 4),
            RespondentPhase("AL", "C02", LEAD, None),
            RespondentPhase("AL", "C01", LEAD, 2),
        ]
    )
    assert results == (
        ConsolidatedPhase("AL", "C01", computed_phase=2, respondents=1, range=0),
        ConsolidatedPhase("AL", "C02", computed_phase=None, respondents=0, range=None),
        ConsolidatedPhase("KE", "C02", computed_phase=3, respondents=3, range=3),
    )
    assert [result.phase for result in results] == [2, None, 3]


@pytest.mark.parametrize("phase", [0, 5, -1, 2.0, "3", True])
def test_a_phase_outside_one_to_four_names_where(phase: object) -> None:
    records = [
        RespondentPhase("FR", "C07", LEAD, 2),
        RespondentPhase("FR", "C07", "police", phase),  # type: ignore[arg-type]
    ]
    with pytest.raises(ValueError, match=r"'FR'.*'C07'.*respondent 'police'.*phase") as refused:
        consolidate(records)
    assert repr(phase) in str(refused.value)
    with pytest.raises(ValueError, match="'police'"):
        agreement(records)


def test_a_bad_phase_of_the_lead_says_lead() -> None:
    with pytest.raises(ValueError, match="the lead respondent"):
        consolidate([RespondentPhase("FR", "C07", LEAD, 9)])


def test_two_phases_of_one_respondent_are_refused() -> None:
    with pytest.raises(ValueError, match=r"'BR'.*'C01'.*'police'.*more than one"):
        consolidate(
            [RespondentPhase("BR", "C01", "police", 2), RespondentPhase("BR", "C01", "police", 3)]
        )


@given(round_phases())
def test_consolidated_phase_is_the_lower_median_of_given_phases(
    records: list[RespondentPhase],
) -> None:
    results = consolidate(records)
    assert [(r.jurisdiction, r.capability) for r in results] == sorted(
        {(r.jurisdiction, r.capability) for r in records}
    )
    for result in results:
        values = phases_of(records, (result.jurisdiction, result.capability))
        assert result.respondents == len(values)
        assert result.override is None
        if not values:
            assert (result.phase, result.computed_phase, result.range) == (None, None, None)
            continue
        assert result.phase == result.computed_phase
        assert result.phase in values
        assert result.phase <= sorted(values)[len(values) // 2]
        assert result.range is not None
        assert result.range >= 0
        assert result.range == max(values) - min(values)


@given(round_phases(), st.randoms())
def test_consolidation_and_agreement_do_not_depend_on_record_order(
    records: list[RespondentPhase], rng: random.Random
) -> None:
    shuffled = list(records)
    rng.shuffle(shuffled)
    assert consolidate(shuffled) == consolidate(records)
    assert agreement(shuffled) == agreement(records)


# --- agreement --------------------------------------------------------------------------------


def test_ordinal_alpha_of_a_hand_computed_example() -> None:
    # Units (1, 1), (2, 3), (3, 3). Coincidences: o11 = 2, o23 = o32 = 1, o33 = 2, so the
    # value totals are n1 = 2, n2 = 1, n3 = 3, n = 6. Ordinal distances
    # d(c, k) = (n_c + ... + n_k - (n_c + n_k) / 2) ** 2: d12 = 2.25, d13 = 12.25, d23 = 4.
    # Observed: o23 d23 + o32 d23 = 8. Expected: 2 (n1 n2 d12 + n1 n3 d13 + n2 n3 d23) / (n - 1)
    # = 2 (4.5 + 73.5 + 12) / 5 = 36. Alpha = 1 - 8 / 36 = 7 / 9.
    assert ordinal_alpha([[1, 1], [2, 3], [3, 3]]) == pytest.approx(7 / 9)


def test_ordinal_alpha_of_krippendorffs_own_example() -> None:
    # Krippendorff, "Computing Krippendorff's Alpha-Reliability" (Annenberg School for
    # Communication, 2011), the example of 4 observers, 12 units, values 1-5 with missing
    # data: ordinal alpha = 0.815. The krippendorff package checks the same figure in its
    # tests/test_krippendorff.py (test_ordinal_metric) and in the docstring of alpha().
    observers: list[list[int | None]] = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    units = [[v for row in observers if (v := row[j]) is not None] for j in range(12)]
    alpha = ordinal_alpha(units, levels=(1, 2, 3, 4, 5))
    assert alpha is not None
    assert round(alpha, 3) == 0.815


def test_reliability_data_has_a_column_per_unit_and_a_row_per_position() -> None:
    matrix = reliability_data([[2, 3, 3], [], [4]])
    assert matrix.shape == (3, 3)
    np.testing.assert_array_equal(matrix[:, 0], [2, 3, 3])
    assert np.isnan(matrix[:, 1]).all()
    assert matrix[0, 2] == 4
    assert np.isnan(matrix[1:, 2]).all()


@given(round_phases())
def test_agreement_equals_the_package_with_a_coder_per_respondent(
    records: list[RespondentPhase],
) -> None:
    measured = agreement(records)
    assert measured.overall == pytest.approx(package_alpha(records))
    assert sorted(measured.capabilities) == sorted({r.capability for r in records})
    for capability, alpha in measured.capabilities.items():
        assert alpha == pytest.approx(package_alpha(records, capability))


def test_agreement_equals_the_package_on_seeded_random_rounds() -> None:
    rng = random.Random(20260301)
    for _ in range(30):
        records = [
            RespondentPhase(j, c, r, rng.choice((None, 1, 2, 3, 4)))
            for j in JURISDICTIONS
            for c in CAPABILITIES
            for r in rng.sample(RESPONDENTS, rng.randint(1, len(RESPONDENTS)))
        ]
        expected = package_alpha(records)
        assert expected is not None
        assert agreement(records).overall == pytest.approx(expected)


def test_agreement_is_none_where_no_unit_has_two_phases() -> None:
    records = [
        RespondentPhase("AL", "C01", LEAD, 1),
        RespondentPhase("BR", "C01", LEAD, 4),
        RespondentPhase("BR", "C01", "police", None),
        RespondentPhase("FR", "C02", LEAD, 2),
    ]
    assert agreement(records) == Agreement(overall=None, capabilities={"C01": None, "C02": None})
    assert ordinal_alpha([]) is None


def test_agreement_is_none_where_every_pairable_phase_is_the_same() -> None:
    # No variation: the expected disagreement is 0 and alpha 0/0; a lone 4 pairs with nothing.
    assert ordinal_alpha([[2, 2], [2, 2, 2], [4]]) is None
    records = [
        RespondentPhase("AL", "C01", LEAD, 3),
        RespondentPhase("AL", "C01", "police", 3),
        RespondentPhase("BR", "C01", LEAD, 3),
        RespondentPhase("BR", "C01", "justice", 3),
        RespondentPhase("BR", "C02", LEAD, 1),
        RespondentPhase("BR", "C02", "justice", 2),
    ]
    measured = agreement(records)
    assert measured.capabilities == {"C01": None, "C02": pytest.approx(0.0)}
    assert measured.overall is not None


def test_the_package_edge_cases_that_ordinal_alpha_guards() -> None:
    # Why ordinal_alpha decides None itself: the package answers nan with a warning, or raises.
    with pytest.warns(RuntimeWarning, match="invalid value"):
        single = krippendorff.alpha(
            reliability_data=[[2, 2], [2, 2]],
            value_domain=[1, 2, 3, 4],
            level_of_measurement="ordinal",
        )
    assert math.isnan(single)
    with pytest.raises(ValueError, match="more than one value"):
        krippendorff.alpha(reliability_data=[[2, 2], [2, 2]], level_of_measurement="ordinal")
    with pytest.raises(ValueError, match="at least two coders"):
        krippendorff.alpha(
            reliability_data=[[1, np.nan], [np.nan, 2]],
            value_domain=[1, 2, 3, 4],
            level_of_measurement="ordinal",
        )


def test_perfect_agreement_with_variation_is_one() -> None:
    assert ordinal_alpha([[1, 1], [3, 3, 3], [4, 4]]) == pytest.approx(1.0)


def test_ordinal_alpha_refuses_values_off_the_scale() -> None:
    with pytest.raises(ValueError, match=r"\[5\]"):
        ordinal_alpha([[1, 5]])


def test_ordinal_alpha_is_ordinal_not_nominal() -> None:
    # Disagreeing by one phase costs less than by three: nominal alpha would treat them alike.
    near = ordinal_alpha([[1, 1], [4, 4], [2, 1], [3, 4]])
    far = ordinal_alpha([[1, 1], [4, 4], [4, 1], [1, 4]])
    assert near is not None
    assert far is not None
    assert near > far


# --- overrides --------------------------------------------------------------------------------


def consolidated_round() -> tuple[ConsolidatedPhase, ...]:
    return consolidate(
        [
            RespondentPhase("KE", "C03", LEAD, 2),
            RespondentPhase("KE", "C03", "police", 3),
            RespondentPhase("AL", "C03", LEAD, 1),
        ]
    )


def override(**changes: object) -> Override:
    fields: dict[str, object] = {
        "jurisdiction": "KE",
        "capability": "C03",
        "phase": 3,
        "reason": "The police evidence shows a national protocol in force.",
        "by": "reviewer",
        "at": AT,
    }
    fields.update(changes)
    return Override(**fields)  # type: ignore[arg-type]


def test_an_override_shows_beside_the_computed_phase() -> None:
    results = apply_overrides(consolidated_round(), [override()])
    albania, kenya = results
    assert (kenya.computed_phase, kenya.phase, kenya.override) == (2, 3, override())
    assert (albania.computed_phase, albania.phase, albania.override) == (1, 1, None)


def test_no_overrides_change_nothing() -> None:
    assert apply_overrides(consolidated_round(), []) == consolidated_round()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "   \n"}, "reason"),
        ({"phase": 0}, "phase 0"),
        ({"phase": 5}, "phase 5"),
        ({"phase": None}, "phase None"),
        ({"by": ""}, "who"),
        ({"at": datetime(2026, 3, 1, 9, 30)}, "time zone"),
        ({"jurisdiction": "FR"}, "not among the consolidated phases"),
        ({"capability": "C04"}, "not among the consolidated phases"),
    ],
)
def test_a_bad_override_is_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        apply_overrides(consolidated_round(), [override(**changes)])
    assert "override of jurisdiction" in str(refused.value)


def test_two_overrides_of_one_phase_are_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        apply_overrides(consolidated_round(), [override(), override(phase=4)])


def test_an_override_leaves_agreement_alone() -> None:
    records = [
        RespondentPhase("KE", "C03", LEAD, 2),
        RespondentPhase("KE", "C03", "police", 3),
        RespondentPhase("AL", "C03", LEAD, 1),
        RespondentPhase("AL", "C03", "justice", 1),
    ]
    plain = round_maturity("SA-2026", records)
    overridden = round_maturity("SA-2026", records, [override(phase=1)])
    assert overridden.agreement == plain.agreement
    assert overridden.jurisdiction_phases("KE") == {"C03": 1}
    assert plain.jurisdiction_phases("KE") == {"C03": 2}


# --- the JSON of a round ----------------------------------------------------------------------


def test_round_json_has_exactly_the_documented_shape() -> None:
    records = [
        # Kenya is listed first and is more mature: the output still goes by code.
        RespondentPhase("KE", "C02", LEAD, 4),
        RespondentPhase("KE", "C01", LEAD, 4),
        RespondentPhase("KE", "C01", "police", 3),
        RespondentPhase("AL", "C02", LEAD, 1),
        RespondentPhase("AL", "C02", "police", 2),
        RespondentPhase("AL", "C01", "police", None),
    ]
    report = round_maturity("SA-2026", records, [override(jurisdiction="AL", capability="C02")])
    alpha_c01 = ordinal_alpha([[4, 3]])
    alpha_c02 = ordinal_alpha([[1, 2]])
    overall = ordinal_alpha([[4, 3], [1, 2]])
    assert overall is not None
    expected = {
        "round": "SA-2026",
        "jurisdictions": [
            {
                "jurisdiction": "AL",
                "capabilities": [
                    {
                        "capability": "C01",
                        "phase": None,
                        "computed_phase": None,
                        "respondents": 0,
                        "range": None,
                        "override": None,
                    },
                    {
                        "capability": "C02",
                        "phase": 3,
                        "computed_phase": 1,
                        "respondents": 2,
                        "range": 1,
                        "override": {
                            "phase": 3,
                            "reason": "The police evidence shows a national protocol in force.",
                            "by": "reviewer",
                            "at": "2026-03-01T09:30:00+00:00",
                        },
                    },
                ],
            },
            {
                "jurisdiction": "KE",
                "capabilities": [
                    {
                        "capability": "C01",
                        "phase": 3,
                        "computed_phase": 3,
                        "respondents": 2,
                        "range": 1,
                        "override": None,
                    },
                    {
                        "capability": "C02",
                        "phase": 4,
                        "computed_phase": 4,
                        "respondents": 1,
                        "range": 0,
                        "override": None,
                    },
                ],
            },
        ],
        "agreement": {"overall": overall, "capabilities": {"C01": alpha_c01, "C02": alpha_c02}},
    }
    produced = report.to_json()
    assert produced == expected
    assert list(produced) == ["round", "jurisdictions", "agreement"]
    assert list(produced["jurisdictions"][0]["capabilities"][1]) == [
        "capability",
        "phase",
        "computed_phase",
        "respondents",
        "range",
        "override",
    ]
    assert json.loads(json.dumps(produced)) == expected


@given(round_phases())
def test_round_json_lists_jurisdictions_by_code_never_by_maturity(
    records: list[RespondentPhase],
) -> None:
    produced = round_maturity("R", records).to_json()
    codes = [entry["jurisdiction"] for entry in produced["jurisdictions"]]
    assert codes == sorted({r.jurisdiction for r in records})
    for entry in produced["jurisdictions"]:
        ids = [capability["capability"] for capability in entry["capabilities"]]
        assert ids == sorted(ids)


# --- progress across rounds -------------------------------------------------------------------


def test_progress_through_a_crosswalk_with_a_missing_round() -> None:
    rounds = [
        RoundPhases(
            "R2021",
            {"C01": 1, "C16-17": 2, "C18-19": None},
            crosswalk={"C16-17": ("C16", "C17"), "C18-19": ("C18", "C19")},
        ),
        RoundPhases("R2024", {"C01": 2, "C16": 2}),
        RoundPhases("R2026", {"C01": 3, "C16": 4, "C17": 1, "C18": 2, "C20": 3}),
    ]
    codes = ["R2021", "R2024", "R2026"]

    def row(
        capability: str, phases: tuple[int | None, ...], change: int | None
    ) -> dict[str, object]:
        return {
            "capability": capability,
            "phases": dict(zip(codes, phases, strict=True)),
            "change": change,
        }

    assert progress("KE", rounds).to_json() == {
        "jurisdiction": "KE",
        "rounds": codes,
        "capabilities": [
            row("C01", (1, 2, 3), 2),
            row("C16", (2, 2, 4), 2),  # the merged C16-17 stands for C16 and for C17
            row("C17", (2, None, 1), -1),  # missing in the middle round: last minus first
            row("C18", (None, None, 2), None),  # blank in the first round
            row("C19", (None, None, None), None),
            row("C20", (None, None, 3), None),  # not asked in the first round
        ],
    }


def test_progress_change_is_last_minus_first_in_the_order_given() -> None:
    earlier, later = RoundPhases("R1", {"C05": 1}), RoundPhases("R2", {"C05": 3})
    assert progress("FR", [earlier, later]).capabilities[0].change == 2
    assert progress("FR", [later, earlier]).capabilities[0].change == -2
    missing_last = progress("FR", [earlier, RoundPhases("R3", {})])
    assert missing_last.capabilities[0].phases == {"R1": 1, "R3": None}
    assert missing_last.capabilities[0].change is None


def test_progress_drops_ids_the_crosswalk_maps_to_nothing() -> None:
    result = progress(
        "FR", [RoundPhases("R1", {"C01": 2, "X9": 4}, {"X9": ()}), RoundPhases("R2", {"C01": 2})]
    )
    assert [capability.capability for capability in result.capabilities] == ["C01"]
    assert result.capabilities[0].change == 0


@pytest.mark.parametrize(
    ("rounds", "message"),
    [
        ([RoundPhases("R1", {"C01": 2})], "at least two rounds"),
        ([RoundPhases("R1", {}), RoundPhases("R1", {})], "'R1' given more than once"),
        (
            [RoundPhases("R1", {"C16": 2, "C16-17": 3}, {"C16-17": ("C16", "C17")}),
             RoundPhases("R2", {})],
            r"'C16-17' and 'C16' both stand for 'C16'",
        ),
        ([RoundPhases("R1", {}), RoundPhases("R2", {"C04": 7})], r"'R2'.*'KE'.*'C04'.*phase 7"),
    ],
)  # fmt: skip
def test_bad_progress_input_is_refused(rounds: list[RoundPhases], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        progress("KE", rounds)


def test_progress_from_round_results_uses_the_overridden_phase() -> None:
    first = round_maturity("R1", [RespondentPhase("KE", "C03", LEAD, 2)])
    second = round_maturity(
        "R2",
        [RespondentPhase("KE", "C03", LEAD, 2), RespondentPhase("KE", "C03", "police", 3)],
        [override()],
    )
    result = progress(
        "KE", [RoundPhases(r.round, r.jurisdiction_phases("KE")) for r in (first, second)]
    )
    assert result.capabilities[0].phases == {"R1": 2, "R2": 3}
    assert result.capabilities[0].change == 1


# --- distributions ----------------------------------------------------------------------------


@given(
    st.lists(
        st.tuples(st.sampled_from(["C01", "C02"]), st.one_of(st.none(), st.integers(1, 4))),
        min_size=1,
        max_size=30,
    )
)
def test_distribution_data_counts_each_jurisdictions_phase_once_per_capability(
    drawn: list[tuple[str, int | None]],
) -> None:
    from mnr.core.findings import Participant, compute_breakdowns
    from mnr.core.maturity import PHASE_CODES, ConsolidatedPhase, distribution_round_data

    results = {}
    for index, (capability, phase) in enumerate(drawn):
        jurisdiction = f"J{index % 7:02d}"
        results[(jurisdiction, capability)] = ConsolidatedPhase(
            jurisdiction, capability, phase, 1 if phase else 0, 0 if phase else None
        )
    people = [Participant(f"J{i:02d}", "HIC" if i % 2 else "LIC", "Europe") for i in range(7)]

    totals = {
        f.question: f
        for f in compute_breakdowns(distribution_round_data(results.values(), people), [None])[None]
    }

    for capability in {c for _, c in results}:
        expected = {level: 0 for level in PHASE_CODES}
        for (_, c), result in results.items():
            if c == capability and result.phase is not None:
                expected[result.phase] += 1
        counts = totals[capability].counts
        assert {level: counts[code] for level, code in PHASE_CODES.items()} == expected
        assert counts["blank"] == len(people) - sum(expected.values())
