"""The template-built chart specs are the specs Vega-Altair built before (same drawing).

``data/charts_altair_specs.json`` holds the specs, text alternatives and titles that the
Altair version of ``mnr.core.charts`` produced for the cases below (written once, with
Altair 6.3, before the templates replaced it). Altair moved inline data into named datasets;
both sides are normalised to inline data before comparing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.core.test_charts import (
    LEADERSHIP,
    capability_labels,
    finding,
    realistic_snapshot,
    row,
    small_group_round,
)

from mnr.core.charts import CapabilityLabel, Chart, breakdown_chart, snapshot_chart
from mnr.core.disclosure import protect

ALTAIR_SPECS = Path(__file__).parent / "data" / "charts_altair_specs.json"

LONG = CapabilityLabel(
    "C02",
    "A capability whose name is far too long to fit on one line of the chart",
    "D1",
    "Policy and Governance",
)


def _snapshot(lang: str) -> Chart:
    # The specs were stored when the framework was in English only: its names, the chart's words
    # in ``lang`` (tests/core/test_charts.py draws the translated names).
    return snapshot_chart(realistic_snapshot(), capability_labels("en"), lang)


def _wrapped() -> Chart:
    rows = [row("C01", yes=3, no=1, blank=1), row("C02", partial=2, not_applicable=3)]
    return snapshot_chart(rows, [LEADERSHIP, LONG])


def _withheld() -> Chart:
    findings = protect(small_group_round(), k=3, any_participant=False).findings["income"]
    return breakdown_chart(findings, {"C07.icse": "Linked to the ICSE database"}, "fr")


def _two_questions() -> Chart:
    findings = [
        finding("C11.status", "HIC", 16, 17),
        finding("C11.status", "LMIC", 20, 25),
        finding("C12.status", "HIC", 3, 17),
        finding("C12.status", "LMIC", 0, 25),
    ]
    return breakdown_chart(findings, {"C11.status": "National child helpline"})


CASES: dict[str, Callable[[], Chart]] = {
    "snapshot-en": lambda: _snapshot("en"),
    "snapshot-fr": lambda: _snapshot("fr"),
    "snapshot-es": lambda: _snapshot("es"),
    "snapshot-wrapped": _wrapped,
    "breakdown-withheld-fr": _withheld,
    "breakdown-two-questions": _two_questions,
}


def _inline(node: Any, datasets: dict[str, Any]) -> Any:
    """The spec with every named dataset replaced by its values, through JSON (6 == 6.0)."""
    if isinstance(node, dict):
        if set(node) == {"name"} and node["name"] in datasets:
            return {"values": _inline(datasets[node["name"]], datasets)}
        return {key: _inline(value, datasets) for key, value in node.items() if key != "datasets"}
    if isinstance(node, list):
        return [_inline(value, datasets) for value in node]
    return node


def normalised(spec: dict[str, Any]) -> Any:
    plain = json.loads(json.dumps(spec))
    return _inline(plain, plain.get("datasets", {}))


@pytest.mark.parametrize("case", sorted(CASES))
def test_template_spec_equals_what_altair_built(case: str) -> None:
    before = json.loads(ALTAIR_SPECS.read_text(encoding="utf-8"))[case]
    chart = CASES[case]()
    assert normalised(chart.spec) == normalised(before["spec"])
    assert chart.alt_text == before["alt_text"]
    assert chart.title == before["title"]


def test_normalising_keeps_differences_visible() -> None:
    before = json.loads(ALTAIR_SPECS.read_text(encoding="utf-8"))["snapshot-wrapped"]["spec"]
    changed = json.loads(json.dumps(_wrapped().spec))
    changed["vconcat"][0]["layer"][0]["data"]["values"][0]["count"] += 1
    assert normalised(changed) != normalised(before)
