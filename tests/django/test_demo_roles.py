"""The demo's focal point of Jurisdiction 01 answers for the government channel only, also in a
demo database loaded before roles named channels."""

from __future__ import annotations

import pytest

from mnr.accounts.models import RoleAssignment
from mnr.demo import OPEN_ROUND, load_demo
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.access import may_answer
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db


def test_demo_focal_answers_for_the_government_only_even_after_an_older_demo() -> None:
    load_demo()
    focal = RoleAssignment.objects.get(user__username="demo-focal")
    assert focal.channel == "government"
    # As an older demo left it: every channel.
    RoleAssignment.objects.filter(pk=focal.pk).update(channel="")
    load_demo()
    assert list(
        RoleAssignment.objects.filter(user__username="demo-focal").values_list("channel", flat=True)
    ) == ["government"]
    user = focal.user
    open_round = Round.objects.get(code=OPEN_ROUND)
    place = Jurisdiction.objects.get(code=focal.jurisdiction.code)
    common = {"round_id": open_round.pk, "jurisdiction_id": place.pk, "respondent": ""}
    assert may_answer(user, channel="government", **common)
    assert not may_answer(user, channel="unicef_country_office", **common)


def test_demo_jurisdictions_are_named_and_labelled_synthetic_in_each_interface_language() -> None:
    load_demo()
    place = Jurisdiction.objects.get(code="J01")
    assert place.kind == Jurisdiction.Kind.SYNTHETIC
    assert place.name("en") == "Jurisdiction 01 (synthetic)"
    assert place.name("fr") == "Juridiction 01 (synthétique)"
    assert place.name("es") == "Jurisdicción 01 (sintética)"
