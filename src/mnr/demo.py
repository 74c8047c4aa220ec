"""The demo: a synthetic copy of the 2021 review round and one user per role.

Every jurisdiction in it is pseudonymous ("Jurisdiction 01 (synthetic)") and every answer is
invented; the answers are solved from the figure specification so that every figure the review
published comes out exactly (``mnr.core.synthetic``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction

from mnr.accounts.actions import assign_role, create_user, revoke_role
from mnr.accounts.models import Role, RoleAssignment
from mnr.core import synthetic
from mnr.frameworks.models import InstrumentQuestion
from mnr.jurisdictions.actions import create_synthetic_jurisdictions
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity.demo import load_maturity_demo
from mnr.publications.actions import publish
from mnr.publications.models import Publication
from mnr.reports.actions import read_headlines_csv, save_narrative, set_headlines
from mnr.reports.models import Headline
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Answer, Round

DEMO_ROUND = "review-2021"
DEMO_INSTRUMENT = "mnr-review-2021"
# A second, open round where the demo's focal points answer, so that trying the questionnaire
# never moves the published round's figures.
OPEN_ROUND = "review-2023-open"
OPEN_ROUND_PARTICIPANTS = 6
# Printed by `mnr demo`; demo databases are for trying mnr out, never for real answers.
DEMO_PASSWORD = "mnr-demo"
DEMO_SEED = 2021
DEMO_OPENS_ON = date(2021, 2, 1)
DEMO_CLOSES_ON = date(2021, 3, 31)
REPORT_DATA = Path(__file__).resolve().parent / "reports" / "data"


@dataclass(frozen=True)
class Demo:
    round: Round
    maturity_rounds: list[Round]
    answers: int
    logins: list[tuple[str, str]]


def demo_questions(round_: Round) -> list[synthetic.InstrumentQuestion]:
    return [
        synthetic.InstrumentQuestion(
            id=q.code,
            type=q.type,
            choices=tuple(q.choice_codes) if q.type == "select_one" else (),
            channels=tuple(q.channels) or None,
        )
        for q in InstrumentQuestion.objects.filter(instrument_id=round_.instrument_id)
    ]


@transaction.atomic
def load_demo() -> Demo:
    """Create the demo round, its jurisdictions, answers and users; idempotent."""
    round_ = Round.objects.filter(code=DEMO_ROUND).first()
    if round_ is None:
        round_ = actions.create_round(
            DEMO_ROUND,
            instrument=DEMO_INSTRUMENT,
            title="MNR review 2021 (synthetic demo)",
            channels=list(synthetic.DEMO_CHANNELS),
            income_fiscal_year=2021,
            synthetic=True,
            source="demo",
        )
    if round_.opens_on is None and not Publication.objects.filter(round=round_).exists():
        # The government survey of the 2021 review ran in February and March 2021.
        actions.update_round(
            round_, opens_on=DEMO_OPENS_ON, closes_on=DEMO_CLOSES_ON, source="demo"
        )
    if not Answer.objects.filter(submission__round=round_).exists():
        _load_answers(round_, synthetic.review_2021_demo(demo_questions(round_), seed=DEMO_SEED))
    if not Headline.objects.filter(round=round_).exists():
        _load_report_spec(round_)
    if not Publication.objects.filter(round=round_).exists():
        # A past review whose aggregates are public, as the 2021 review's are.
        publish(
            round_,
            note="Synthetic demonstration data: pseudonymous jurisdictions, invented answers.",
            source="demo",
        )
    open_round = _open_round(round_)
    maturity_rounds = load_maturity_demo(
        list(
            Jurisdiction.objects.filter(participations__round=round_).values_list("code", flat=True)
        ),
        round_.income_fiscal_year,
    )
    first, second = Jurisdiction.objects.filter(participations__round=open_round).order_by("code")[
        :2
    ]
    logins = []
    for username, role, jurisdiction, channel, description in (
        ("demo-admin", Role.ADMINISTRATOR, None, "", "administrator"),
        ("demo-analyst", Role.ANALYST, None, "", "analyst, every round"),
        ("demo-reviewer", Role.REVIEWER, None, "", "reviewer, every jurisdiction"),
        (
            "demo-focal",
            Role.FOCAL_POINT,
            first,
            "government",
            f"focal point for {first.name()}, government channel",
        ),
        ("demo-focal-2", Role.FOCAL_POINT, second, "", f"focal point for {second.name()}"),
    ):
        granted = assign_role(
            _user(username), role, jurisdiction=jurisdiction, channel=channel, source="demo"
        )
        _drop_other_channels(granted)
        logins.append((username, description))
    assign_role(
        _user("demo-focal-police"),
        Role.FOCAL_POINT,
        jurisdiction=first,
        respondent="police",
        source="demo",
    )
    logins.append(
        ("demo-focal-police", f"focal point for the police of {first.name()} (one respondent)")
    )
    return Demo(
        round=round_,
        maturity_rounds=maturity_rounds,
        answers=Answer.objects.filter(submission__round=round_).exclude(value="").count(),
        logins=logins,
    )


def _drop_other_channels(granted: RoleAssignment) -> None:
    """A demo loaded before focal points named their channel gave demo-focal every channel;
    loading it again leaves the channel it names now."""
    if not granted.channel:
        return
    every_channel = RoleAssignment.objects.filter(
        user=granted.user,
        role=granted.role,
        jurisdiction=granted.jurisdiction,
        round=granted.round,
        respondent=granted.respondent,
        channel="",
    )
    for other in every_channel:
        revoke_role(other, source="demo")


def _user(username: str) -> Any:
    existing = get_user_model().objects.filter(username=username).first()
    return existing or create_user(username, DEMO_PASSWORD, source="demo")


def _load_answers(round_: Round, demo: synthetic.DemoRound) -> None:
    jurisdictions = {
        j.code: j
        for j in create_synthetic_jurisdictions(
            ((j.code, j.names, j.region, j.income_group) for j in demo.jurisdictions),
            round_.income_fiscal_year,
        )
    }
    actions.add_participants(round_, list(jurisdictions), source="demo")
    given: dict[tuple[str, str], dict[str, AnswerInput]] = defaultdict(dict)
    for answer in demo.answers:
        # A blank row only says that the channel gave no answer: no need to store it.
        if answer.value is not None:
            given[answer.jurisdiction, answer.channel][answer.question] = AnswerInput(
                value=answer.value
            )
    for text_answer in demo.texts:
        given[text_answer.jurisdiction, text_answer.channel][text_answer.question] = AnswerInput(
            value=text_answer.text, publishable=text_answer.publishable
        )
    for (code, channel), answers in sorted(given.items()):
        submission = actions.open_submission(round_, jurisdictions[code], channel, source="demo")
        actions.save_answers(submission, answers, source="demo")
        actions.submit(submission, source="demo", allow_missing=True)
        actions.validate(submission, source="demo")


def _open_round(published: Round) -> Round:
    """The open round the demo's focal points answer: the first few of the same (synthetic)
    jurisdictions, nothing answered yet."""
    round_ = Round.objects.filter(code=OPEN_ROUND).first()
    if round_ is not None:
        return round_
    round_ = actions.create_round(
        OPEN_ROUND,
        instrument=DEMO_INSTRUMENT,
        title="MNR review 2023, open for answers (synthetic demo)",
        channels=list(synthetic.DEMO_CHANNELS),
        income_fiscal_year=published.income_fiscal_year,
        synthetic=True,
        source="demo",
    )
    codes = list(
        Jurisdiction.objects.filter(participations__round=published)
        .order_by("code")
        .values_list("code", flat=True)[:OPEN_ROUND_PARTICIPANTS]
    )
    actions.add_participants(round_, codes, source="demo")
    actions.set_round_status(round_, Round.Status.OPEN, source="demo")
    return round_


def _load_report_spec(round_: Round) -> None:
    """The demo report headlines the published figures, in the orientation the review used."""
    set_headlines(
        round_, read_headlines_csv(REPORT_DATA / "review-2021-headlines.csv"), source="demo"
    )
    blocks = yaml.safe_load(
        (REPORT_DATA / "review-2021-narrative.yaml").read_text(encoding="utf-8")
    )
    for key, languages in blocks.items():
        for lang, body in languages.items():
            save_narrative(round_, key, body.strip(), lang=lang, source="demo")
