"""The maturity part of the demo: two synthetic self-assessment rounds of ten of the demo's
pseudonymous jurisdictions, some answered by several bodies, with a reviewer's override, an
edited action plan and some consents to peer exchange.

Everything is invented and labelled synthetic. Phases agree with the status answers they come
with: a capability in place ("yes") is at phase 2 to 4, one partly in place at 1 or 2, one not
in place (or not known) has no phase, as the questionnaire asks the phase only when the
capability is at least partly in place. The second round moves most capabilities up by a phase
or none and a few down, as countries do not move in a straight line.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import actions
from mnr.surveys import actions as survey_actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Answer, Round

INSTRUMENT = "mnr-2016-self-assessment"
FIRST_ROUND = "self-assessment-2022"
SECOND_ROUND = "self-assessment-2024"
PARTICIPANTS = 10
SEED = 2022
CAPABILITIES = tuple(f"C{number:02d}" for number in range(1, 22))
CONFIDENCE = ("low", "medium", "high")

# Bodies besides the lead, by position of the jurisdiction among the participants.
OTHER_RESPONDENTS: dict[int, tuple[tuple[str, str], ...]] = {
    0: (
        ("police", "National police (synthetic)"),
        ("justice", "Ministry of Justice (synthetic)"),
        ("civil_society", "Child rights coalition (synthetic)"),
    ),
    1: (("police", "Police cybercrime unit (synthetic)"),),
    2: (("child_protection", "Child protection service (synthetic)"),),
}
CONSENTING = (1, 2, 4)  # positions that agree to peer exchange in the second round
DECLINING = (3,)


@dataclass(frozen=True)
class DemoAnswer:
    jurisdiction: str
    respondent: str
    capability: str
    status: str
    phase: int | None
    confidence: str
    evidence: str


def _status(rng: random.Random, phase: int | None) -> str:
    if phase is None:
        return rng.choice(("no", "no", "dont_know"))
    return "partial" if phase == 1 or (phase == 2 and rng.random() < 0.3) else "yes"


def lead_phases(rng: random.Random, strength: float) -> dict[str, int | None]:
    """One jurisdiction's lead phases; ``strength`` (0 to 1) shifts them up."""
    phases: dict[str, int | None] = {}
    for capability in CAPABILITIES:
        draw = rng.random() * 0.7 + strength * 0.5
        phases[capability] = (
            None
            if draw < 0.2
            else 1
            if draw < 0.4
            else 2
            if draw < 0.65
            else 3
            if draw < 0.9
            else 4
        )
    # Leadership comes first in most countries: rarely behind the others.
    if phases["C01"] is None:
        phases["C01"] = 1
    return phases


def next_phases(rng: random.Random, before: dict[str, int | None]) -> dict[str, int | None]:
    after: dict[str, int | None] = {}
    for capability, phase in before.items():
        step = rng.choices((-1, 0, 1), weights=(1, 5, 4))[0]
        if phase is None:
            after[capability] = 1 if step > 0 else None
        else:
            moved = phase + step
            after[capability] = None if moved < 1 else min(moved, 4)
    return after


def respondent_answers(
    rng: random.Random,
    code: str,
    position: int,
    lead: dict[str, int | None],
) -> list[DemoAnswer]:
    """The lead's answers and the other bodies': each sees a phase near the lead's."""
    found = []
    bodies = [("", ""), *OTHER_RESPONDENTS.get(position, ())]
    for respondent, _ in bodies:
        for capability in CAPABILITIES:
            phase = lead[capability]
            if respondent and phase is not None:
                if rng.random() < 0.15:
                    continue  # this body does not see this capability
                phase = min(4, max(1, phase + rng.choices((-1, 0, 1), weights=(2, 5, 2))[0]))
            found.append(
                DemoAnswer(
                    jurisdiction=code,
                    respondent=respondent,
                    capability=capability,
                    status=_status(rng, phase),
                    phase=phase,
                    confidence=rng.choice(CONFIDENCE) if phase is not None else "",
                    evidence=(
                        f"Synthetic evidence for {capability}: an invented document for the demo."
                        if phase is not None and rng.random() < 0.3
                        else ""
                    ),
                )
            )
    return found


def _round(code: str, title: str, codes: Sequence[str], fiscal_year: int) -> tuple[Round, bool]:
    existing = Round.objects.filter(code=code).first()
    if existing is not None:
        return existing, False
    round_ = survey_actions.create_round(
        code,
        instrument=INSTRUMENT,
        title=title,
        income_fiscal_year=fiscal_year,
        synthetic=True,
        source="demo",
    )
    survey_actions.add_participants(round_, list(codes), source="demo")
    return round_, True


def _save(round_: Round, answers: list[DemoAnswer], *, validate: bool) -> None:
    places = {j.code: j for j in Jurisdiction.objects.filter(participations__round=round_)}
    grouped: dict[tuple[str, str], dict[str, AnswerInput]] = {}
    for answer in answers:
        given = grouped.setdefault((answer.jurisdiction, answer.respondent), {})
        given[f"{answer.capability}.status"] = AnswerInput(value=answer.status)
        if answer.phase is not None:
            given[f"{answer.capability}.phase"] = AnswerInput(
                value=str(answer.phase),
                confidence=answer.confidence,
                comment=answer.evidence or None,
            )
    names = {
        (position, slug): name
        for position, bodies in OTHER_RESPONDENTS.items()
        for slug, name in bodies
    }
    order = sorted(places)
    for (code, respondent), given in sorted(grouped.items()):
        submission = survey_actions.open_submission(
            round_,
            places[code],
            "government",
            respondent=respondent,
            respondent_name=names.get((order.index(code), respondent), ""),
            source="demo",
        )
        survey_actions.save_answers(submission, given, source="demo")
        survey_actions.submit(submission, source="demo", allow_missing=True)
        if validate:
            survey_actions.validate(submission, source="demo")


def load_maturity_demo(jurisdiction_codes: Sequence[str], fiscal_year: int) -> list[Round]:
    """Create both self-assessment rounds with their records; idempotent."""
    codes = sorted(jurisdiction_codes)[:PARTICIPANTS]
    rng = random.Random(SEED)
    strengths = {code: rng.random() for code in codes}
    first_leads = {code: lead_phases(rng, strengths[code]) for code in codes}
    second_leads = {code: next_phases(rng, first_leads[code]) for code in codes}

    first, made = _round(
        FIRST_ROUND, "MNR self-assessment 2022 (synthetic demo)", codes, fiscal_year
    )
    if made or not Answer.objects.filter(submission__round=first).exists():
        _save(
            first,
            [
                a
                for position, code in enumerate(codes)
                for a in respondent_answers(rng, code, position, first_leads[code])
            ],
            validate=True,
        )
        survey_actions.set_round_status(first, Round.Status.CLOSED, source="demo")
    second, made = _round(
        SECOND_ROUND, "MNR self-assessment 2024 (synthetic demo)", codes, fiscal_year
    )
    if made or not Answer.objects.filter(submission__round=second).exists():
        _save(
            second,
            [
                a
                for position, code in enumerate(codes)
                for a in respondent_answers(rng, code, position, second_leads[code])
            ],
            validate=False,
        )
        survey_actions.set_round_status(second, Round.Status.OPEN, source="demo")
        _records(second, codes)
    return [first, second]


def _records(round_: Round, codes: Sequence[str]) -> None:
    """A reviewer's override, the first jurisdiction's edited plan and some consents."""
    places = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
    first, second = places[codes[0]], places[codes[1]]
    actions.override_phase(
        round_,
        second,
        "C04",
        3,
        "Synthetic demo: the unit's 2023 annual report, seen by the reviewer, shows a trained "
        "team with national reach; the respondents' lower median understates it.",
        source="demo",
    )
    plan = _plan_capabilities(round_, first)
    edits: list[tuple[str, dict[str, Any]]] = [
        (
            plan[0],
            {
                "owner": "Ministry of Interior (synthetic)",
                "due": "2025-06-30",
                "status": "in_progress",
                "notes": "Synthetic demo note: budget line agreed.",
            },
        ),
        (plan[1], {"owner": "National police (synthetic)", "due": "2025-12-31"}),
        (plan[2], {"status": "done", "notes": "Synthetic demo note: completed early."}),
    ]
    for capability, changes in edits:
        actions.update_plan_item(round_, first, capability, changes, source="demo")
    actions.drop_plan_item(round_, first, plan[-1], source="demo")
    for position in CONSENTING:
        actions.set_consent(round_, places[codes[position]], True, source="demo")
    for position in DECLINING:
        actions.set_consent(round_, places[codes[position]], False, source="demo")


def _plan_capabilities(round_: Round, jurisdiction: Jurisdiction) -> list[str]:
    from mnr.maturity.service import plan_for

    return [item.capability for item in plan_for(round_, jurisdiction).items]
