"""Every figure the 2021 review published comes out of the synthetic demo round exactly, read
from `mnr findings --format json` as a user of the command line would read it."""

from __future__ import annotations

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

import mnr.core
from mnr.core.findings import compute_figure, percent
from mnr.core.synthetic import FIGURES_FILE, FigureSpec, load_figures
from mnr.demo import load_demo
from mnr.findings.data import round_data

pytestmark = pytest.mark.django_db

SHARED_FIGURES = Path(__file__).resolve().parents[3] / "shared" / "published-figures.csv"
SHIPPED_FIGURES = Path(mnr.core.__file__).parent / "data" / FIGURES_FILE
FIGURES = load_figures()
COLUMNS = ("figure_id", "indicator", "counts_as", "population", "numerator", "denominator")
CONTRACT = {"question", "group", "counts", "counts_as", "numerator", "denominator", "percent"}
Results = dict[str | None, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def findings_json(django_db_setup: Any, django_db_blocker: Any) -> Results:
    """The demo's findings in total, by income and by channel, as the CLI prints them."""
    results: Results = {}
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        for by in (None, "income", "channel"):
            out = StringIO()
            breakdown = ["--by", by] if by else []
            call_command(
                "findings", "--round", "review-2021", "--format", "json", *breakdown, stdout=out
            )
            results[by] = json.loads(out.getvalue())
        transaction.set_rollback(True)
    return results


def _cell(rows: list[dict[str, Any]], question: str, group: str | None) -> dict[str, Any]:
    return next(r for r in rows if r["question"] == question and r["group"] == group)


def _in(row: dict[str, Any], counts_as: tuple[str, ...]) -> int:
    return sum(row["counts"][code] for code in counts_as)


def figure_from_cli(figure: FigureSpec, results: Results) -> tuple[int, int]:
    """(numerator, denominator) of a figure, from the CLI's JSON alone."""
    question, counts_as = figure.indicator, figure.counts_as
    if figure.population == "all":
        row = _cell(results[None], question, None)
        return _in(row, counts_as), row["denominator"]
    if figure.population == "income=HIC":
        row = _cell(results["income"], question, "HIC")
        return _in(row, counts_as), row["denominator"]
    if figure.population.startswith("channel="):
        row = _cell(results["channel"], question, figure.population.removeprefix("channel="))
        return _in(row, counts_as), row["denominator"]
    assert figure.population == "all;then income!=HIC", figure.population
    among = _in(_cell(results[None], question, None), counts_as)
    return _in(_cell(results["income"], question, "LMIC"), counts_as), among


@pytest.mark.parametrize("figure", FIGURES, ids=[f.figure_id for f in FIGURES])
def test_published_figure_comes_out_of_the_cli(figure: FigureSpec, findings_json: Results) -> None:
    numerator, denominator = figure_from_cli(figure, findings_json)
    expected = (figure.numerator, figure.denominator, figure.percent)
    assert (numerator, denominator, percent(numerator, denominator)) == expected


def test_the_figure_rule_agrees_with_the_cli(findings_json: Results) -> None:
    data = round_data(load_demo().round)
    for figure in FIGURES:
        computed = compute_figure(data, figure.indicator, figure.counts_as, figure.population)
        assert (computed.numerator, computed.denominator) == figure_from_cli(figure, findings_json)


def test_all_26_published_rows_are_specified() -> None:
    assert len(FIGURES) == 26


@pytest.mark.skipif(not SHARED_FIGURES.exists(), reason="no shared/ beside the clone")
def test_the_demo_specification_carries_the_published_numbers() -> None:
    def numbers(path: Path) -> list[tuple[str, ...]]:
        with path.open(newline="") as handle:
            return [tuple(row[c] for c in (*COLUMNS, "percent")) for row in csv.DictReader(handle)]

    assert numbers(SHIPPED_FIGURES) == numbers(SHARED_FIGURES)


def test_findings_json_has_the_contract_keys(findings_json: Results) -> None:
    row = _cell(findings_json[None], "C01.governance_mechanism", None)
    assert set(row) >= {*CONTRACT, "sentence"}
    assert set(row["counts"]) == {"yes", "partial", "no", "dont_know", "not_applicable", "blank"}
    assert row["counts_as"] == ["yes"]
    assert row["sentence"].startswith("Over three-quarters of participating jurisdictions")
    assert "(76 per cent, 32 of 42) have a national governance mechanism" in row["sentence"]
    assert _cell(findings_json[None], "C11.status", None)["counts_as"] == ["yes", "partial"]
