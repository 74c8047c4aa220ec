from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.publishing import validate_and_publish

from mnr.jurisdictions.actions import create_synthetic_jurisdictions
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db


def synthetic_round(code: str, size: int, *, low_income: int = 2) -> Round:
    """A round of ``size`` synthetic jurisdictions, the last ``low_income`` of them LIC, each
    answering two questions through the government channel."""
    round_ = actions.create_round(code, instrument="mnr-review-2021", synthetic=True)
    places = create_synthetic_jurisdictions(
        (
            (
                f"Z{code[:3].upper()}{n:03d}",
                f"Place {n}",
                "Europe",
                "LIC" if n >= size - low_income else "HIC",
            )
            for n in range(size)
        ),
        2021,
    )
    actions.add_participants(round_, [p.code for p in places])
    for n, place in enumerate(places):
        submission = actions.open_submission(round_, place, "government")
        answers = {
            "C11.status": AnswerInput(value="yes" if n % 3 else "no"),
            "C01.governance_mechanism": AnswerInput(value="yes"),
        }
        actions.save_answers(submission, answers, source="test")
    return round_


def publish(round_: Round) -> Round:
    validate_and_publish(round_)
    return round_


def page_queries(client: Client, round_: Round, by: str = "income") -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("round-findings", args=[round_.code]), {"by": by})
    assert response.status_code == 200
    return len(queries)


def test_findings_page_queries_do_not_grow_with_jurisdictions(personas: dict[str, Any]) -> None:
    client = Client()
    client.force_login(personas["analyst"])
    small, large = synthetic_round("small", 4), synthetic_round("large", 40)
    assert page_queries(client, small) == page_queries(client, large)


def test_anonymous_visitor_sees_small_groups_suppressed() -> None:
    round_ = publish(synthetic_round("pub", 12, low_income=2))
    response = Client().get(reverse("round-findings", args=[round_.code]), {"by": "income"})
    html = response.content.decode()
    assert "Suppressed: fewer than 3 jurisdictions answered" in html
    assert "Place 1" not in html and "ZPUB" not in html


def test_analyst_sees_every_cell(personas: dict[str, Any]) -> None:
    round_ = synthetic_round("pub", 12, low_income=2)
    client = Client()
    client.force_login(personas["analyst"])
    html = client.get(reverse("round-findings", args=[round_.code]), {"by": "income"}).content
    assert b"Suppressed" not in html
    assert b"Low and middle income" in html  # the group's name, not its code


def test_the_default_page_lists_each_total_once(personas: dict[str, Any]) -> None:
    round_ = synthetic_round("once", 6)
    client = Client()
    client.force_login(personas["analyst"])
    html = client.get(reverse("round-findings", args=[round_.code])).content.decode()
    assert html.count('<span class="code">C11.status</span>') == 1


def test_anonymous_visitor_cannot_open_an_unpublished_rounds_findings() -> None:
    round_ = synthetic_round("draft", 5)
    assert Client().get(reverse("round-findings", args=[round_.code])).status_code == 404


def test_focal_point_of_another_jurisdiction_gets_suppressed_breakdowns(make_user: Any) -> None:
    round_ = synthetic_round("fp", 12, low_income=2)
    place = round_.participations.first().jurisdiction
    focal_point = make_user("fp-one", "focal_point", place.code)
    client = Client()
    client.force_login(focal_point)
    html = client.get(reverse("round-findings", args=[round_.code]), {"by": "income"}).content
    assert b"Suppressed: fewer than 3 jurisdictions other than yours answered" in html


def test_focal_point_of_a_round_of_two_cannot_learn_the_other_answer(make_user: Any) -> None:
    round_ = synthetic_round("two", 2, low_income=0)
    place = round_.participations.first().jurisdiction
    focal_point = make_user("fp-two", "focal_point", place.code)
    client = Client()
    client.force_login(focal_point)
    html = client.get(reverse("round-findings", args=[round_.code])).content.decode()
    assert "of 2)" not in html and "of 1)" not in html
    assert "other than yours answered" in html


def test_public_output_of_an_unpublished_round_says_how_to_publish() -> None:
    round_ = synthetic_round("unpub", 12)
    with pytest.raises(Exception, match=r"has not been published.*mnr publish --round unpub"):
        call_command("findings", "--round", round_.code, "--public")


def test_cli_public_flag_suppresses_small_cells() -> None:
    round_ = publish(synthetic_round("cli", 12, low_income=2))
    out = StringIO()
    call_command(
        "findings",
        "--round",
        round_.code,
        "--by",
        "income",
        "--format",
        "json",
        "--public",
        stdout=out,
    )
    low = {row["question"]: row for row in json.loads(out.getvalue()) if row["group"] == "LMIC"}
    assert low["C11.status"]["suppressed"] and low["C11.status"]["numerator"] is None
    out = StringIO()
    call_command(
        "findings", "--round", round_.code, "--by", "income", "--format", "json", stdout=out
    )
    low = {row["question"]: row for row in json.loads(out.getvalue()) if row["group"] == "LMIC"}
    assert low["C11.status"]["denominator"] == 2 and not low["C11.status"]["suppressed"]


def test_cli_rejects_an_unknown_round_with_the_valid_ones() -> None:
    synthetic_round("known", 3)
    with pytest.raises(Exception, match="unknown round 'nope'; valid values: known"):
        call_command("findings", "--round", "nope")


def test_cli_csv_has_one_row_per_question(personas: dict[str, Any]) -> None:
    round_ = synthetic_round("csv", 6)
    out = StringIO()
    call_command("findings", "--round", round_.code, "--format", "csv", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("question,group,yes,partial,no,dont_know,not_applicable,blank,")
    c11 = next(line for line in lines if line.startswith("C11.status,"))
    assert ",4,0,2,0,0,0,yes|partial,4,6,67," in c11


def test_exported_files_of_a_synthetic_round_say_so_in_their_name() -> None:
    from mnr.exporters.base import get_exporter

    round_ = synthetic_round("named", 3)
    filename, _mimetype, _content = get_exporter("findings")(round_, format="csv").render()
    assert filename == "named-findings-synthetic.csv"
