"""The findings explorer's chart: one bar per row of the explorer's table, in its order;
withheld rows not drawn but named, with their reason, in the text alternative."""

from __future__ import annotations

from typing import Any

import pytest
import vl_convert
from tests.core.test_charts import small_group_round

from mnr.core.charts import VEGA_LITE_VERSION, ExplorerRow, explorer_chart, texts
from mnr.core.disclosure import protect
from mnr.core.findings import Finding


def income_rows() -> list[ExplorerRow]:
    """C07.icse by income group of a round with a group of two (withheld) and one of three."""
    findings = protect(small_group_round(), k=3, any_participant=False).findings["income"]
    words = texts("en")
    return [ExplorerRow(f, words[f"group.{f.group}"]) for f in findings]


def values(spec: dict[str, Any], layer: int) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = spec["layer"][layer]["data"]["values"]
    return data


def test_the_spec_is_valid_vega_lite_and_follows_its_container() -> None:
    chart = explorer_chart(income_rows())
    vega = vl_convert.vegalite_to_vega(chart.spec, vl_version=VEGA_LITE_VERSION)
    assert vega["marks"]
    assert chart.spec["width"] == "container"
    assert chart.spec["autosize"] == {"type": "fit-x", "contains": "padding"}


def test_one_row_per_table_row_in_order_and_withheld_rows_are_not_drawn() -> None:
    rows = income_rows()
    chart = explorer_chart(rows)
    names = chart.spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert names == [row.name for row in rows]
    assert names[0] == "C07.icse\nHigh income"
    withheld = {row.name for row in rows if row.finding.suppressed}
    assert withheld, "a group of two is withheld"
    drawn = {segment["row"] for segment in values(chart.spec, 0)}
    assert drawn == set(names) - withheld
    assert {note["row"] for note in values(chart.spec, 2)} == withheld
    assert {note["note"] for note in values(chart.spec, 2)} == {"withheld"}


def test_each_drawn_row_adds_up_to_its_jurisdictions_and_to_100_per_cent() -> None:
    rows = income_rows()
    segments = values(explorer_chart(rows).spec, 0)
    for row in rows:
        if row.finding.suppressed:
            continue
        own = [s for s in segments if s["row"] == row.name]
        assert sum(s["count"] for s in own) == row.finding.size
        assert own[0]["start"] == 0 and own[-1]["end"] == pytest.approx(100)


def test_the_text_alternative_gives_numbers_and_names_withheld_rows_with_their_reason() -> None:
    rows = income_rows()
    alt = explorer_chart(rows).alt_text
    for row in rows:
        if row.finding.suppressed:
            reason = row.finding.suppression_reason
            assert f"{row.spoken}: withheld, not drawn ({reason})." in alt
        else:
            assert f"{row.spoken}: " in alt
    assert "C07.icse, High income: 6 yes, 4 no; 6 of 10 in place (60 per cent)." in alt


def test_a_synthetic_round_says_so_in_the_title_and_the_text_alternative() -> None:
    chart = explorer_chart(income_rows(), synthetic=True)
    assert chart.spec["title"]["text"] == ["Answers per question", "SYNTHETIC DATA"]
    assert "Synthetic data: pseudonymous jurisdictions" in chart.alt_text
    french = explorer_chart(income_rows(), "fr", synthetic=True)
    assert french.spec["title"]["text"] == ["Réponses par question", "DONNÉES SYNTHÉTIQUES"]
    assert "SYNTHETIC" not in str(explorer_chart(income_rows()).spec["title"])


def test_totals_are_named_by_their_question_alone() -> None:
    total = Finding("C11.status", None, {"yes": 2, "no": 1}, ("yes",), 2, 3, 67)
    chart = explorer_chart([ExplorerRow(total)])
    assert chart.spec["layer"][0]["encoding"]["y"]["scale"]["domain"] == ["C11.status"]


def test_no_rows_or_twice_the_same_row_is_refused() -> None:
    with pytest.raises(ValueError, match="no rows"):
        explorer_chart([])
    row = income_rows()[0]
    with pytest.raises(ValueError, match="same question and group"):
        explorer_chart([row, row])
