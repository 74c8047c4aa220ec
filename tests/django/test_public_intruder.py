"""The intruder against the demo's public output, read the way anyone can read it.

It takes the participant list from ``mnr round show --format json``, every breakdown from
``mnr findings --public --by … --format json``, and the report's headline figures from the
publication, then solves for what was withheld (tests/intruder.py, independent of
mnr.core.disclosure). The demo must give nothing away, also to a reader who is one of the
participants and knows their own answers, and must still show all 26 published figures."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from tests.intruder import attack, view_of

from mnr.core.findings import BREAKDOWNS
from mnr.demo import load_demo
from mnr.publications.actions import Content
from mnr.publications.reading import require_publication
from mnr.reports.builder import build_report

pytestmark = pytest.mark.django_db


def command_json(*args: str) -> Any:
    out = StringIO()
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def public_view(django_db_setup: Any, django_db_blocker: Any) -> dict[str, Any]:
    """What anyone can read of the demo's published round, and the intruder's input."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        round_ = load_demo().round
        shown = [
            row
            for by in (None, *BREAKDOWNS)
            for row in command_json(
                "findings",
                "--round",
                round_.code,
                "--public",
                "--format",
                "json",
                *(["--by", by] if by else []),
            )
        ]
        publication = require_publication(round_)
        figures = [f.to_json() for f in publication.protection_of().figures.values()]
        listed = command_json("round", "show", round_.code, "--format", "json")
        content = Content.of(publication)
        report = build_report(round_)
        result = {
            "k": round_.disclosure_threshold,
            "participants": listed["participants"],
            "data": content.data,
            "findings": shown + figures,
            "annex": [(row.key, row.numerator, row.denominator) for row in report.annex_figures],
        }
        transaction.set_rollback(True)
    return result


def intruder_input(view: dict[str, Any], known: tuple[str, ...] = ()) -> dict[str, Any]:
    given = view_of(view["data"], view["findings"], known=known)
    public_list = [
        {key: p[key] for key in ("jurisdiction", "income_group", "region")}
        for p in view["participants"]
    ]
    # The intruder works from the list the round publishes; it is the one counting used.
    assert given["participants"] == public_list
    return given


def test_an_outsider_works_out_nothing_from_the_public_output(public_view: dict[str, Any]) -> None:
    withheld = [f for f in public_view["findings"] if f["suppressed"]]
    assert withheld, "the demo's public output withholds small cells"
    assert attack(**intruder_input(public_view), k=public_view["k"]) == []


@pytest.mark.parametrize("reader", ["J01", "J17", "J30", "J42"])
def test_a_participant_who_knows_its_own_answers_works_out_nothing_more(
    public_view: dict[str, Any], reader: str
) -> None:
    assert attack(**intruder_input(public_view, (reader,)), k=public_view["k"]) == []


def test_every_published_figure_is_in_the_public_report(public_view: dict[str, Any]) -> None:
    import csv
    from pathlib import Path

    published = Path(__file__).resolve().parents[3] / "shared" / "published-figures.csv"
    with published.open(encoding="utf-8") as handle:
        expected = {
            (row["figure_id"], int(row["numerator"]), int(row["denominator"]))
            for row in csv.DictReader(handle)
        }
    assert expected <= set(public_view["annex"])
