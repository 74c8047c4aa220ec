from __future__ import annotations

from typing import Any

import pytest

from mnr.audit.models import AuditEvent
from mnr.errors import MnrError
from mnr.surveys.actions import add_participants, create_round

pytestmark = pytest.mark.django_db


def test_round_keeps_channels_in_the_priority_order_given() -> None:
    round_ = create_round(
        "r1", instrument="mnr-review-2021", channels=["unicef_country_office", "government"]
    )
    assert round_.channels == ["unicef_country_office", "government"]
    assert round_.income_fiscal_year == 2021
    assert AuditEvent.objects.filter(verb="round.create", object_id=str(round_.pk)).exists()


def test_round_defaults_to_the_instruments_channels() -> None:
    assert create_round("r2", instrument="mnr-review-2021").channels == [
        "government",
        "unicef_country_office",
    ]


def test_unknown_instrument_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(
        MnrError, match=r"unknown instrument 'nope'; valid values: .*mnr-review-2021"
    ):
        create_round("r3", instrument="nope")


def test_unknown_channel_is_refused_with_the_valid_ones() -> None:
    with pytest.raises(MnrError, match=r"unknown channel 'email'; valid values: .*government"):
        create_round("r4", instrument="mnr-review-2021", channels=["email"])


def test_unknown_income_year_is_refused_with_the_loaded_ones() -> None:
    with pytest.raises(
        MnrError, match=r"unknown income classification year 1990; valid values: .*2021"
    ):
        create_round("r5", instrument="mnr-review-2021", income_fiscal_year=1990)


def test_unknown_jurisdiction_is_refused_and_nobody_is_added(review_round: Any) -> None:
    with pytest.raises(MnrError, match=r"unknown jurisdiction code\(s\): XX"):
        add_participants(review_round, ["BR", "XX"])
    assert not review_round.participations.filter(jurisdiction__code="BR").exists()


def test_adding_participants_twice_adds_them_once(review_round: Any) -> None:
    assert add_participants(review_round, ["KE", "BR"])[0].jurisdiction.code == "BR"
    assert review_round.participations.count() == 4


def test_publishing_a_round_is_for_analysts_and_recorded(review_round: Any, make_user: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from mnr.surveys.actions import set_round_status

    with pytest.raises(PermissionDenied):
        set_round_status(
            review_round, "published", acting_user=make_user("fp", "focal_point", "KE")
        )
    with pytest.raises(MnrError, match="unknown round status 'done'"):
        set_round_status(review_round, "done")
    set_round_status(review_round, "published", acting_user=make_user("an", "analyst"))
    review_round.refresh_from_db()
    assert review_round.status == "published"
    event = AuditEvent.objects.get(verb="round.status")
    assert event.detail == {"old": "draft", "new": "published"}
