"""Building self-assessment rounds with phases from several respondents, for maturity tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.actions import (
    AnswerInput,
    add_participants,
    create_round,
    open_submission,
    save_answers,
)
from mnr.surveys.models import Round

INSTRUMENT = "mnr-2016-self-assessment"

# jurisdiction -> respondent ("" the lead) -> capability -> phase (None: left blank)
Phases = Mapping[str, Mapping[str, Mapping[str, int | None]]]


def self_assessment_round(
    code: str,
    phases: Phases,
    *,
    participants: list[str] | None = None,
    confidence: str = "",
    evidence: str = "",
) -> Round:
    """A round on the self-assessment instrument; each respondent's phases saved as answers
    (the status answered "yes" so the phase question applies)."""
    round_ = create_round(code, instrument=INSTRUMENT, title=f"Test {code}", synthetic=True)
    add_participants(round_, participants or list(phases))
    for jurisdiction_code, respondents in phases.items():
        place = Jurisdiction.objects.get(code=jurisdiction_code)
        for respondent, by_capability in respondents.items():
            submission = open_submission(
                round_,
                place,
                "government",
                respondent=respondent,
                respondent_name=respondent.replace("_", " ").title() if respondent else "",
                source="test",
            )
            answers: dict[str, Any] = {}
            for capability, phase in by_capability.items():
                answers[f"{capability}.status"] = AnswerInput(value="yes")
                answers[f"{capability}.phase"] = AnswerInput(
                    value="" if phase is None else str(phase),
                    confidence=confidence if phase is not None else None,
                    comment=evidence or None,
                )
            save_answers(submission, answers, source="test")
    return round_
