"""Two focal points edit a plan nobody has stored yet, at the same time: both changes land.

Real concurrent transactions in threads on PostgreSQL, as in ``test_concurrency.py``."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from tests.django.test_concurrency import in_threads
from tests.maturity import self_assessment_round

from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import actions
from mnr.maturity.models import PlanItem, PlanItemChange

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL; run with DATABASE_URL=postgres:///mnr_<name>",
    ),
]

RACES = 5


def test_two_first_edits_of_one_plan_both_land() -> None:
    round_ = self_assessment_round("sa-race", {"KE": {"": {"C01": 2, "C03": 1}}})

    for race in range(RACES):
        PlanItem.objects.filter(round=round_).delete()

        def edit(capability: str, owner: str) -> Any:
            return actions.update_plan_item(
                round_, Jurisdiction.objects.get(code="KE"), capability, {"owner": owner}
            )

        outcomes = in_threads(
            lambda race=race: edit("C01", f"A{race}"), lambda race=race: edit("C03", f"B{race}")
        )

        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        owners = dict(PlanItem.objects.filter(round=round_).values_list("capability", "owner"))
        assert (owners["C01"], owners["C03"]) == (f"A{race}", f"B{race}")
        assert PlanItemChange.objects.filter(field="owner").count() == 2
