"""The demo: a synthetic copy of the 2021 review round and one user per role.

Every jurisdiction in it is pseudonymous ("Jurisdiction 01 (synthetic)") and every answer is
invented; the answers are built so that the published figures of the review come out exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from mnr.accounts.actions import assign_role, create_user
from mnr.accounts.models import Role
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.models import Round

DEMO_ROUND = "review-2021"
DEMO_INSTRUMENT = "mnr-review-2021"
# Printed by `mnr demo`; demo databases are for trying mnr out, never for real answers.
DEMO_PASSWORD = "mnr-demo"


@dataclass(frozen=True)
class Demo:
    round: Round
    answers: int
    logins: list[tuple[str, str]]


def _user(username: str) -> object:
    existing = get_user_model().objects.filter(username=username).first()
    return existing or create_user(username, DEMO_PASSWORD, source="demo")


@transaction.atomic
def load_demo() -> Demo:
    """Create the demo round, its jurisdictions, answers and users; idempotent."""
    round_ = Round.objects.filter(code=DEMO_ROUND).first()
    if round_ is None:
        round_ = actions.create_round(
            DEMO_ROUND,
            instrument=DEMO_INSTRUMENT,
            title="MNR review 2021 (synthetic demo)",
            channels=["government", "unicef_country_office"],
            income_fiscal_year=2021,
            synthetic=True,
            source="demo",
        )
    answers = 0
    first, second = _demo_jurisdictions(round_)
    logins = []
    for username, role, jurisdiction, description in (
        ("demo-admin", Role.ADMINISTRATOR, None, "administrator"),
        ("demo-analyst", Role.ANALYST, None, "analyst, every round"),
        ("demo-reviewer", Role.REVIEWER, None, "reviewer, every jurisdiction"),
        ("demo-focal", Role.FOCAL_POINT, first, f"focal point for {first.name()}"),
        ("demo-focal-2", Role.FOCAL_POINT, second, f"focal point for {second.name()}"),
    ):
        assign_role(_user(username), role, jurisdiction=jurisdiction, source="demo")
        logins.append((username, description))
    return Demo(round=round_, answers=answers, logins=logins)


def _demo_jurisdictions(round_: Round) -> tuple[Jurisdiction, Jurisdiction]:
    participants = list(
        Jurisdiction.objects.filter(participations__round=round_).order_by("code")[:2]
    )
    if len(participants) < 2:
        raise RuntimeError("the demo round has no synthetic jurisdictions")
    return participants[0], participants[1]
