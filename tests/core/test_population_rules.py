"""Population rules read into structure and written back: the one parser the editor uses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnr.core.findings import (
    BREAKDOWNS,
    Population,
    PopulationFilter,
    parse_population,
)

values = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters="_-"),
    min_size=1,
    max_size=20,
)
filters = st.one_of(
    st.just(PopulationFilter(None)),
    st.builds(PopulationFilter, st.sampled_from(BREAKDOWNS), values, st.booleans()),
)
populations = st.builds(Population, filters, st.one_of(st.none(), filters))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("all", Population()),
        ("income=HIC", Population(PopulationFilter("income", "HIC"))),
        ("channel!=government", Population(PopulationFilter("channel", "government", True))),
        (
            "all;then income!=HIC",
            Population(PopulationFilter(None), PopulationFilter("income", "HIC", True)),
        ),
    ],
)
def test_rules_of_the_counting_rules_read_as_structure(rule: str, expected: Population) -> None:
    assert parse_population(rule) == expected
    assert str(expected) == rule


@given(populations)
def test_a_structured_population_written_out_reads_back_the_same(population: Population) -> None:
    assert parse_population(str(population)) == population


def test_extra_spaces_read_the_same_but_are_written_without_them() -> None:
    assert str(parse_population("income = HIC")) == "income=HIC"


@pytest.mark.parametrize("rule", ["everyone", "income=", "all;then ", "size=big"])
def test_a_rule_that_is_not_one_is_refused(rule: str) -> None:
    with pytest.raises(ValueError, match="population"):
        parse_population(rule)
