"""`mnr robustness`: a round's figures and domain scores recomputed under other coding choices,
as a table or JSON; bad specifications are one-line errors that write nothing; `--public` is
exactly the publication's stored public run; domain rows never go by score."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.maturity import Phases, self_assessment_round
from tests.publishing import validate_and_publish

from mnr.audit.models import AuditEvent
from mnr.core import robustness as core
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications import robustness as service
from mnr.publications.models import PublicationRobustness
from mnr.reports.actions import HeadlineSpec, set_headlines
from mnr.surveys.actions import (
    AnswerInput,
    open_submission,
    reopen,
    save_answers,
    set_round_status,
    update_round,
)
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db

SMALL = ("--replications", "600")


def mnr(*args: str) -> str:
    out = StringIO()
    call_command("robustness", *args, stdout=out)
    return out.getvalue()


def as_json(*args: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(mnr(*args, "--format", "json"))
    return loaded


def _answer(round_: Round, code: str, channel: str, values: dict[str, str]) -> None:
    submission = open_submission(round_, Jurisdiction.objects.get(code=code), channel)
    save_answers(submission, {q: AnswerInput(value=v) for q, v in values.items()}, source="test")


@pytest.fixture
def headlined_round(review_round: Round) -> Round:
    """Kenya, Sweden and England and Wales answer C11 (yes, partial, don't know); Kenya also
    through the UNICEF office, differently; one headline counts C11 in place; published with
    a disclosure threshold of one jurisdiction, so that the figure is public."""
    update_round(review_round, disclosure_threshold=1, source="test")
    _answer(review_round, "KE", "government", {"C11.status": "yes"})
    _answer(review_round, "SE", "government", {"C11.status": "partial"})
    _answer(review_round, "GB-EAW", "government", {"C11.status": "dont_know"})
    _answer(review_round, "KE", "unicef_country_office", {"C11.status": "no"})
    set_headlines(
        review_round,
        [HeadlineSpec("H1", "C11.status", ("yes", "partial"), {"en": "have a helpline"})],
        source="test",
    )
    validate_and_publish(review_round)
    return review_round


# Domain D1 scores SE 1, GB-EAW 2.33, KE 3.33: an order by score is not the order by code.
PHASES: Phases = {
    "SE": {"": {"C01": 1, "C02": 1, "C03": 2}, "police": {"C01": 2, "C02": 1, "C03": 1}},
    "KE": {"": {"C01": 4, "C02": 4, "C03": 3}, "police": {"C01": 3, "C02": 4, "C03": None}},
    "GB-EAW": {"": {"C01": 2, "C02": 3, "C03": 2}},
}


@pytest.fixture
def maturity_round(db: Any) -> Round:
    return self_assessment_round("sa-robust", PHASES)


def test_table_names_the_round_and_shows_each_headline_with_its_range(
    headlined_round: Round,
) -> None:
    out = mnr("--round", "test-2021", *SMALL, "--seed", "7")
    header = out.splitlines()[0]
    assert header.startswith("robustness of round test-2021 (live round): 600 replications")
    assert "seed 7" in header and "partial, dont_know, blank, channel" in header
    assert "SYNTHETIC" not in out
    row = next(line for line in out.splitlines() if line.startswith("H1 "))
    assert "67% (2 of 3)" in row
    assert "How a " in row or "Which channel" in row  # the choice that matters most, in words


def test_json_is_the_result_with_the_synthetic_flag(headlined_round: Round) -> None:
    shown = as_json("--round", "test-2021", *SMALL)
    assert shown["synthetic"] is False
    assert shown["factors"] == ["partial", "dont_know", "blank", "channel"]
    assert shown["replications"] == 600 and shown["seed"] == service.PUBLICATION_SEED
    (figure,) = shown["figures"]
    assert (figure["id"], figure["numerator"], figure["denominator"], figure["percent"]) == (
        "H1",
        2,
        3,
        67,
    )
    assert figure["low"] <= 66.7 <= figure["high"] and figure["low"] < figure["high"]
    assert {s["assumption"] for s in figure["sensitivity"]} == set(shown["factors"])
    result = core.Result.from_json({k: v for k, v in shown.items() if k != "synthetic"})
    assert result.figures[0].id == "H1"


def test_every_assumption_fixed_gives_the_published_figure_with_no_range(
    headlined_round: Round,
) -> None:
    fixed = [
        arg for name in ("partial", "dont_know", "blank", "channel") for arg in ("--fix", name)
    ]
    shown = as_json("--round", "test-2021", *SMALL, *fixed)
    (figure,) = shown["figures"]
    assert shown["factors"] == []
    assert figure["low"] == figure["high"] == pytest.approx(200 / 3)


def test_assume_limits_the_options_tried(headlined_round: Round) -> None:
    shown = as_json(
        "--round", "test-2021", *SMALL, "--assume", "partial=as-counted,not-in-place",
        "--fix", "dont_know", "--fix", "blank", "--fix", "channel",
    )  # fmt: skip
    assert shown["spec"]["options"] == {"partial": ["as-counted", "not-in-place"]}
    (figure,) = shown["figures"]
    # Sweden's partial counted as not in place: 1 of 3.
    assert figure["low"] == pytest.approx(100 / 3) and figure["high"] == pytest.approx(200 / 3)


def test_one_option_holds_an_assumption_at_it_and_the_table_says_so(
    headlined_round: Round,
) -> None:
    args = ("--round", "test-2021", *SMALL, "--assume", "partial=not-in-place")
    fixed = ("--fix", "dont_know", "--fix", "blank", "--fix", "channel")
    (figure,) = as_json(*args, *fixed)["figures"]
    assert figure["percent"] == 67  # the published figure stays the nominal one
    assert figure["low"] == figure["high"] == pytest.approx(100 / 3)
    table = mnr(*args, *fixed)
    assert "partial: How a " in table and "(held at not-in-place in every replication)" in table
    assert "assumptions varied: none" in table.splitlines()[0]


def test_same_seed_same_output_and_chunk_size_changes_nothing(headlined_round: Round) -> None:
    first = as_json("--round", "test-2021", *SMALL, "--seed", "11")
    again = as_json("--round", "test-2021", *SMALL, "--seed", "11", "--chunk-size", "7")
    assert first == again


BAD = [
    (("--round", "nope"), "unknown round 'nope'"),
    (("--round", "test-2021", "--assume", "speed=fast"), "unknown assumption 'speed'"),
    (("--round", "test-2021", "--fix", "speed"), "unknown assumption 'speed'"),
    (
        ("--round", "test-2021", "--assume", "respondent=lead,median"),
        "assumption 'respondent' does not apply to round test-2021: the round has no maturity",
    ),
    (("--round", "test-2021", "--assume", "partial=halfway"), "'halfway' is not an option"),
    (("--round", "test-2021", "--assume", "partial"), "write NAME=option,option"),
    (
        ("--round", "test-2021", "--assume", "partial=half", "--fix", "partial"),
        "give one of them",
    ),
    (("--round", "test-2021", "--replications", "50"), "50 replications are too few"),
    (("--round", "test-2021", "--chunk-size", "0"), "chunk size 0: give at least 1"),
    (("--round", "test-2021", "--floor", "low"), "--floor 'low': give a positive number"),
    (("--round", "test-2021", "--publication", "9"), "has no publication 9; its publications: 1"),
    (("--round", "test-2021", "--public", "--seed", "3"), "leave out --seed 3"),
    (
        ("--round", "test-2021", "--public", "--assume", "partial=half"),
        "leave out --assume",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_a_bad_specification_is_a_one_line_error_that_writes_nothing(
    headlined_round: Round, args: tuple[str, ...], message: str
) -> None:
    events, rows = AuditEvent.objects.count(), PublicationRobustness.objects.count()
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("robustness", *args, stdout=out)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert out.getvalue() == ""
    assert (AuditEvent.objects.count(), PublicationRobustness.objects.count()) == (events, rows)


def test_a_round_with_nothing_to_recompute_is_refused(review_round: Round) -> None:
    with pytest.raises(CommandError, match="no headline figures and no maturity phases"):
        mnr("--round", "test-2021")


def test_public_without_a_publication_is_refused(review_round: Round) -> None:
    with pytest.raises(CommandError, match="has no publication yet"):
        mnr("--round", "test-2021", "--public")


def test_public_is_the_publications_public_run(headlined_round: Round) -> None:
    publication = headlined_round.publications.get()
    PublicationRobustness.objects.filter(publication=publication).delete()
    shown = as_json("--round", "test-2021", "--publication", "1", "--public")
    expected = service.public_result(publication).to_json()
    assert shown == {**expected, "synthetic": False}
    assert "channel" not in shown["factors"]  # held at the round's order in public
    assert [f["id"] for f in shown["figures"]] == ["H1"]
    assert not PublicationRobustness.objects.filter(publication=publication).exists()


def test_public_prints_the_stored_result_when_it_is_ready(headlined_round: Round) -> None:
    publication = headlined_round.publications.get()
    stored = service.ensure_result(publication).to_json()
    assert [f["id"] for f in stored["figures"]] == ["H1"]
    # Marked, so that only a read of the stored row can print it.
    stored["figures"] = [{**f, "low": 12.5} for f in stored["figures"]]
    PublicationRobustness.objects.filter(publication=publication).update(result=stored)
    shown = as_json("--round", "test-2021", "--public")
    assert shown == {**stored, "synthetic": False}
    table = mnr("--round", "test-2021", "--public")
    assert "(publication 1, as the public sees it)" in table.splitlines()[0]
    assert "12-" in next(line for line in table.splitlines() if line.startswith("H1 "))


def test_a_publications_frozen_answers_are_used_not_the_live_ones(headlined_round: Round) -> None:
    set_round_status(headlined_round, Round.Status.OPEN, source="test")
    submission = Submission.objects.get(
        round=headlined_round, jurisdiction__code="GB-EAW", channel="government"
    )
    reopen(submission, "a late answer", source="test")
    _answer(headlined_round, "GB-EAW", "government", {"C11.status": "yes"})
    live = as_json("--round", "test-2021", *SMALL)
    frozen = as_json("--round", "test-2021", *SMALL, "--publication", "1")
    assert live["figures"][0]["numerator"] == 3
    assert [f["numerator"] for f in frozen["figures"]] == [2]


def test_maturity_round_shows_domain_scores_by_code_never_by_score(
    maturity_round: Round,
) -> None:
    shown = as_json("--round", "sa-robust", "--replications", "1000")
    assert shown["synthetic"] is True
    assert shown["factors"] == ["respondent", "weights", "aggregation"]
    rows = [(d["jurisdiction"], d["domain"]) for d in shown["domains"]]
    domains = [f"D{n}" for n in range(1, 7)]
    assert rows == [(j, d) for j in ("GB-EAW", "KE", "SE") for d in domains]
    first = [d for d in shown["domains"] if d["domain"] == "D1"]
    by_score = [d["jurisdiction"] for d in sorted(first, key=lambda d: d["nominal"])]
    assert by_score == ["SE", "GB-EAW", "KE"]  # the data would rank otherwise
    ke = first[1]
    # Lower median of the two respondents per capability: 3, 4 and 3 (one phase left blank).
    assert ke["nominal"] == pytest.approx(10 / 3) and ke["low"] <= ke["nominal"] <= ke["high"]
    assert ke["low"] < ke["high"]
    table = mnr("--round", "sa-robust", "--replications", "1000")
    lines = table.splitlines()
    assert lines[0].startswith("Synthetic demonstration data")
    assert "[SYNTHETIC DATA]" in lines[1]
    domain_rows = [line.split()[:2] for line in lines if line.startswith(("GB-EAW", "KE ", "SE "))]
    assert domain_rows == [[j, d] for j in ("GB-EAW", "KE", "SE") for d in domains]
    assert "3.33" in next(line for line in lines if line.startswith("KE "))


def test_geometric_mean_without_floor_over_a_missing_phase_is_refused(
    maturity_round: Round,
) -> None:
    with pytest.raises(CommandError, match="give a floor"):
        mnr(
            "--round",
            "sa-robust",
            "--assume",
            "aggregation=arithmetic,geometric",
            "--floor",
            "none",
        )
    shown = as_json(
        "--round", "sa-robust", "--replications", "1000",
        "--assume", "aggregation=arithmetic,geometric", "--floor", "0.25",
    )  # fmt: skip
    assert shown["spec"]["floor"] == 0.25


def test_weights_and_concentration_reach_the_specification(maturity_round: Round) -> None:
    shown = as_json(
        "--round", "sa-robust", "--replications", "1000", "--fix", "respondent",
        "--fix", "aggregation", "--concentration", "5", "--weight-sets", "50",
    )  # fmt: skip
    assert shown["factors"] == ["weights"]
    assert (shown["spec"]["concentration"], shown["spec"]["weight_sets"]) == (5.0, 50)
    with pytest.raises(CommandError, match=r"Dirichlet concentration -1\.0"):
        mnr("--round", "sa-robust", "--concentration", "-1")
