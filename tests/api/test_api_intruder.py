"""The intruder against the API: every table an anonymous caller (and a focal point) can read of
a round with withheld cells, solved for the withheld values (tests/intruder.py, independent of
mnr.core.disclosure), gives nothing away; and the API's public findings are cell for cell
those of the public findings page and of ``mnr findings --public`` (one rule, one place)."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from tests.django.test_findings_explorer import shown_table
from tests.django.test_findings_views import publish, synthetic_round
from tests.intruder import attack, view_of

from mnr.core.findings import BREAKDOWNS, COUNT_KEYS
from mnr.findings.data import round_data
from mnr.publications.actions import Content
from mnr.publications.reading import require_publication
from mnr.surveys.models import Round
from mnr.web import labels

pytestmark = pytest.mark.django_db

EVERY_BREAKDOWN = (None, *BREAKDOWNS)


def _all_pages(api: Any, path: str, as_: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        separator = "&" if "?" in path else "?"
        page_path = path + separator + "limit=7" + (f"&cursor={cursor}" if cursor else "")
        response = api.get(page_path, as_=as_)
        assert response.status_code == 200, (page_path, response.content[:300])
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


def _export_findings(api: Any, round_: Round, as_: str) -> list[dict[str, Any]]:
    """The findings export (every breakdown at once) read back as findings."""
    response = api.get(f"/rounds/{round_.code}/exports/findings?format=json", as_=as_)
    assert response.status_code == 200, response.content[:300]
    return [
        {
            "question": row["question"],
            "by": None if row["breakdown"] == "total" else row["breakdown"],
            "group": None if row["breakdown"] == "total" else row["group"],
            "population": "all",
            "counts": {key: row[key] for key in COUNT_KEYS},
            "counts_as": row["counts_as"],
            "numerator": row["numerator"],
            "denominator": row["denominator"],
            "suppressed": row["suppressed"],
        }
        for row in json.loads(response.content)
    ]


def everything_readable(api: Any, round_: Round, as_: str) -> list[dict[str, Any]]:
    """Every findings table the caller can get of the round from the API: the round's findings
    and its latest publication's by every breakdown, and the findings export."""
    tables: list[dict[str, Any]] = []
    for by in EVERY_BREAKDOWN:
        query = f"?by={by}" if by else ""
        tables += _all_pages(api, f"/rounds/{round_.code}/findings{query}", as_)
    publications = api.get(f"/rounds/{round_.code}/publications", as_=as_).json()["items"]
    for publication in publications:
        for by in EVERY_BREAKDOWN:
            query = f"?by={by}" if by else ""
            tables += _all_pages(api, f"/publications/{publication['id']}/findings{query}", as_)
    return tables + _export_findings(api, round_, as_)


@pytest.fixture
def published_round(db: Any) -> Round:
    """Twelve synthetic jurisdictions, two of them low-income: their cells are withheld."""
    return publish(synthetic_round("apiint", 12, low_income=2))


def _report_figures(round_: Round) -> list[dict[str, Any]]:
    """The published report's headline figures, which the public also reads."""
    publication = require_publication(round_)
    return [f.to_json() for f in publication.protection_of().figures.values()]


@pytest.mark.parametrize("reader", ["anonymous", "other_focal_point"])
def test_an_outsider_works_out_nothing_from_everything_the_api_serves(
    api: Any, published_round: Round, reader: str
) -> None:
    shown = everything_readable(api, published_round, reader)
    withheld = [f for f in shown if f["suppressed"]]
    assert withheld, "the round's low-income cells are withheld"
    assert all(set(f["counts"].values()) == {None} for f in withheld)
    assert all(f["numerator"] is None and f["denominator"] is None for f in withheld)
    data = Content.of(require_publication(published_round)).data
    view = view_of(data, shown + _report_figures(published_round))
    assert attack(**view, k=published_round.disclosure_threshold) == []


def test_a_participants_focal_point_works_out_nothing_more(
    api: Any, published_round: Round, make_user: Any, api_tokens: dict[str, str]
) -> None:
    from mnr.api.tokens import create_token

    focal = make_user("focal-zapi", "focal_point", "ZAPI000")
    api.tokens["participant"] = create_token(focal, "t", acting_user=focal)[1]
    shown = everything_readable(api, published_round, "participant")
    assert any(f["suppressed"] for f in shown)
    data = Content.of(require_publication(published_round)).data
    view = view_of(data, shown + _report_figures(published_round), known=("ZAPI000",))
    assert attack(**view, k=published_round.disclosure_threshold) == []


def test_a_focal_point_reading_an_open_round_works_out_nothing_of_the_others(
    api: Any, make_user: Any
) -> None:
    """Before any publication a participant's focal point reads the live round through
    disclosure control that knows their own answers."""
    round_ = synthetic_round("apiopen", 6, low_income=2)
    focal = make_user("focal-zapo", "focal_point", "ZAPI000")
    from mnr.api.tokens import create_token

    api.tokens["participant"] = create_token(focal, "t", acting_user=focal)[1]
    shown = everything_readable(api, round_, "participant")
    assert any(f["suppressed"] for f in shown)
    view = view_of(round_data(round_), shown, known=("ZAPI000",))
    assert attack(**view, k=round_.disclosure_threshold) == []
    assert api.get(f"/rounds/{round_.code}/findings").status_code == 404


def _cli_public(round_: Round, by: str | None) -> list[dict[str, Any]]:
    out = StringIO()
    arguments = ["findings", "--round", round_.code, "--public", "--format", "json"]
    call_command(*arguments, *(["--by", by] if by else []), stdout=out)
    result: list[dict[str, Any]] = json.loads(out.getvalue())
    return result


def _as_web_row(item: dict[str, Any]) -> list[str]:
    """An API finding in the columns :func:`shown_table` reads off the public page (the
    group's name aside)."""
    if item["suppressed"]:
        numbers = [""] * 9
        reason = labels.suppression_reason(item["suppression_reason"]) or "withheld"
    else:
        counts = [str(item["counts"][key]) for key in COUNT_KEYS]
        percent = "" if item["percent"] is None else str(item["percent"])
        numbers = [*counts, percent, str(item["numerator"]), str(item["denominator"])]
        reason = ""
    return [item["question"], item["question_label"], *numbers, reason, item["sentence"] or ""]


@pytest.mark.parametrize("by", EVERY_BREAKDOWN)
def test_public_findings_are_the_public_page_and_the_command_cell_for_cell(
    api: Any, published_round: Round, by: str | None
) -> None:
    query = f"?by={by}" if by else ""
    publication = require_publication(published_round)
    served = _all_pages(api, f"/publications/{publication.pk}/findings{query}", "anonymous")
    in_round = _all_pages(api, f"/rounds/{published_round.code}/findings{query}", "anonymous")
    assert served == in_round
    assert [{k: v for k, v in i.items() if k != "question_label"} for i in served] == (
        _cli_public(published_round, by)
    )
    if by is None or by in BREAKDOWNS[:-1] or len(published_round.channels) > 1:
        page = Client().get(
            reverse("round-findings", args=[published_round.code]), {"by": by} if by else {}
        )
        assert page.status_code == 200
        table = [[row[0], row[1], *row[3:]] for row in shown_table(page.content.decode())]
        assert table == [_as_web_row(item) for item in served]
    if by == "income-group":
        assert any(item["suppressed"] for item in served)
