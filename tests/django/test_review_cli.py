"""``mnr review validate|return|reopen`` and ``mnr round show --format json``."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.submissions import in_state, last_event

from mnr.surveys import actions
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db


def mnr(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        mnr(*args)
    return str(error.value)


def status(submission: Submission) -> str:
    submission.refresh_from_db()
    return submission.status


@pytest.fixture
def reviewed(review_round: Round) -> dict[str, Submission]:
    """Kenya submitted through two channels, Sweden submitted, England and Wales a draft."""
    return {
        "KE government": in_state(review_round, "KE", Submission.Status.SUBMITTED),
        "KE unicef_country_office": in_state(
            review_round, "KE", Submission.Status.SUBMITTED, "unicef_country_office"
        ),
        "SE government": in_state(review_round, "SE", Submission.Status.SUBMITTED),
        "GB-EAW government": in_state(review_round, "GB-EAW", Submission.Status.DRAFT),
    }


# --- validate ---------------------------------------------------------------------------------


def test_validate_all_validates_every_submitted_submission_and_lists_the_rest(
    reviewed: dict[str, Submission],
) -> None:
    output = mnr("review", "validate", "--round", "test-2021", "--all", "--comment", "checked")

    assert output.splitlines() == [
        "validated 3 submissions of round test-2021 "
        "(KE government, KE unicef_country_office, SE government)",
        "not validated (1):",
        "  GB-EAW government: draft, not submitted",
    ]
    for label, submission in reviewed.items():
        expected = "draft" if label.startswith("GB-EAW") else "validated"
        assert status(submission) == expected, label
    kenya = reviewed["KE government"]
    transition = kenya.transitions.get(to_status="validated")
    assert (transition.by, transition.comment) == (None, "checked")
    event = last_event("submission.validated", kenya)
    assert (event.verb, event.actor, event.source, event.object_id) == (
        "submission.validated",
        None,
        "cli",
        str(kenya.pk),
    )


def test_validate_a_jurisdiction_validates_each_of_its_submitted_channels(
    reviewed: dict[str, Submission],
) -> None:
    output = mnr("review", "validate", "--round", "test-2021", "--jurisdiction", "KE")
    assert output.strip() == (
        "validated 2 submissions of round test-2021 (KE government, KE unicef_country_office)"
    )
    assert status(reviewed["KE unicef_country_office"]) == "validated"
    assert status(reviewed["SE government"]) == "submitted"


def test_validate_one_channel(reviewed: dict[str, Submission]) -> None:
    output = mnr(
        "review",
        "validate",
        "--round",
        "test-2021",
        "--jurisdiction",
        "KE",
        "--channel",
        "government",
    )
    assert output.strip() == "test-2021 KE government is now validated"
    assert status(reviewed["KE government"]) == "validated"
    assert status(reviewed["KE unicef_country_office"]) == "submitted"


def test_validate_takes_alpha_3_codes(reviewed: dict[str, Submission]) -> None:
    mnr("review", "validate", "--round", "test-2021", "--jurisdiction", "SWE")
    assert status(reviewed["SE government"]) == "validated"


def test_validating_a_draft_is_refused_with_its_state(reviewed: dict[str, Submission]) -> None:
    message = refused("review", "validate", "--round", "test-2021", "--jurisdiction", "GB-EAW")
    assert message == (
        "GB-EAW in round test-2021 has no submitted submission (GB-EAW government: draft)"
    )
    message = refused(
        "review",
        "validate",
        "--round",
        "test-2021",
        "--jurisdiction",
        "GB-EAW",
        "--channel",
        "government",
    )
    assert "is draft; this step needs it to be submitted" in message


def test_validate_all_with_nothing_submitted_says_so(review_round: Round) -> None:
    in_state(review_round, "KE", Submission.Status.DRAFT)
    message = refused("review", "validate", "--round", "test-2021", "--all")
    assert message == "round test-2021 has no submitted submission (KE government: draft)"


def test_validate_needs_all_or_a_jurisdiction(review_round: Round) -> None:
    with pytest.raises(CommandError, match="one of the arguments --all --jurisdiction"):
        mnr("review", "validate", "--round", "test-2021")
    message = refused(
        "review", "validate", "--round", "test-2021", "--all", "--channel", "government"
    )
    assert message == "--channel goes with --jurisdiction, not with --all"


# --- return and reopen ------------------------------------------------------------------------


def test_return_sends_a_submitted_submission_back_with_the_comment(
    reviewed: dict[str, Submission],
) -> None:
    kenya = reviewed["KE government"]
    output = mnr(
        "review",
        "return",
        "--round",
        "test-2021",
        "--jurisdiction",
        "KE",
        "--channel",
        "government",
        "--comment",
        "C11: which helpline?",
    )
    assert output.strip() == "test-2021 KE government is now returned"
    assert status(kenya) == "returned"
    event = last_event("submission.returned", kenya)
    assert (event.actor, event.source, event.detail["comment"]) == (
        None,
        "cli",
        "C11: which helpline?",
    )


def test_return_needs_a_comment(reviewed: dict[str, Submission]) -> None:
    where = ["--round", "test-2021", "--jurisdiction", "KE", "--channel", "government"]
    with pytest.raises(CommandError, match="--comment"):
        mnr("review", "return", *where)
    assert "needs a comment" in refused("review", "return", *where, "--comment", " ")
    assert status(reviewed["KE government"]) == "submitted"


def test_reopen_unlocks_a_validated_submission(reviewed: dict[str, Submission]) -> None:
    kenya = reviewed["KE government"]
    where = ["--round", "test-2021", "--jurisdiction", "KE", "--channel", "government"]
    assert "is submitted; this step needs it to be validated" in refused(
        "review", "reopen", *where, "--comment", "typo"
    )
    actions.validate(kenya, source="test")

    mnr("review", "reopen", *where, "--comment", "a figure was mistyped")

    assert status(kenya) == "returned"
    event = last_event("submission.returned", kenya)
    assert (event.actor, event.source, event.detail["from_status"]) == (None, "cli", "validated")


# --- unknown names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--round", "nope", "--all"], "unknown round 'nope'; valid values: test-2021"),
        (["--round", "test-2021", "--jurisdiction", "XX"], "--jurisdiction: unknown jurisdiction"),
        (["--round", "test-2021", "--jurisdiction", "NG"], "NG does not take part in round"),
        (
            ["--round", "test-2021", "--jurisdiction", "KE", "--channel", "fax"],
            "unknown channel of round test-2021 'fax'; valid values: government",
        ),
        (
            ["--round", "test-2021", "--jurisdiction", "GB-EAW", "--channel", "government"],
            "GB-EAW has no submission through government in round test-2021",
        ),
    ],
)
def test_unknown_round_jurisdiction_or_channel_is_named(
    review_round: Round, args: list[str], message: str
) -> None:
    assert message in refused("review", "validate", *args)


# --- round show --format json -----------------------------------------------------------------


def test_round_show_json_gives_the_settings_and_the_participants_with_their_groups(
    review_round: Round,
) -> None:
    actions.update_round(review_round, disclosure_threshold=5, source="test")

    shown = json.loads(mnr("round", "show", "test-2021", "--format", "json"))

    assert shown == {
        "code": "test-2021",
        "title": "Test round",
        "status": "draft",
        "instrument": {"code": "mnr-review-2021", "version": review_round.instrument.version},
        "channels": review_round.channels,
        "opens_on": None,
        "closes_on": None,
        "income_fiscal_year": 2021,
        "disclosure_threshold": 5,
        "synthetic": False,
        "participants": [
            {
                "jurisdiction": "GB-EAW",
                "name": "England and Wales",
                "income_group": "HIC",
                "region": "Europe",
            },
            {"jurisdiction": "KE", "name": "Kenya", "income_group": "LMC", "region": "Africa"},
            {"jurisdiction": "SE", "name": "Sweden", "income_group": "HIC", "region": "Europe"},
        ],
    }


def test_round_show_keeps_its_text_by_default(review_round: Round) -> None:
    text = mnr("round", "show", "test-2021")
    assert "participants GB-EAW KE SE" in text
    assert not text.lstrip().startswith("{")


def test_round_show_json_of_an_unknown_round_lists_the_rounds(review_round: Any) -> None:
    message = refused("round", "show", "nope", "--format", "json")
    assert message == "unknown round 'nope'; valid values: test-2021"
