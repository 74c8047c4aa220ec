"""A round's maturity phases as plain data for ``mnr.core.maturity``, read in a fixed number of
queries whatever the number of jurisdictions and respondents.

A phase is the answer to a ``phase`` question of the round's instrument (``C01.phase``); the
capability it places is the question's id before ``.phase`` (an instrument may merge
capabilities, ``C16-17``), and the question's crosswalk says which capabilities of the edition
that id stands for. Every submission of a jurisdiction is one respondent; its key is the
submission's respondent code (the lead: blank), prefixed with the channel when the channel is
not the round's first (``unicef_country_office/``). Every status counts: a focal point sees
the profile of a self-assessment while it is being written, and reviewers see what they are
about to validate; ``docs/maturity.md`` says so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from mnr.core import maturity as core
from mnr.frameworks.models import InstrumentQuestion
from mnr.maturity.models import PhaseOverride
from mnr.surveys.models import Answer, Round


@dataclass(frozen=True)
class PhaseQuestion:
    code: str
    capability: str
    # Edition capability ids the instrument's capability stands for.
    crosswalk: tuple[str, ...]


@dataclass(frozen=True)
class PhaseAnswer:
    """One respondent's phase for one capability, with what they gave for it."""

    jurisdiction: str
    capability: str
    respondent: str
    respondent_label: str
    channel: str
    phase: int | None
    confidence: str
    evidence: str
    evidence_url: str
    status: str


def capability_of(question_code: str) -> str:
    return question_code.rsplit(".", 1)[0]


def phase_questions(round_: Round) -> tuple[PhaseQuestion, ...]:
    """The instrument's phase questions in questionnaire order."""
    questions = (
        InstrumentQuestion.objects.filter(instrument_id=round_.instrument_id, type="phase")
        .prefetch_related("capabilities")
        .order_by("position")
    )
    return tuple(
        PhaseQuestion(
            q.code, capability_of(q.code), tuple(sorted(c.code for c in q.capabilities.all()))
        )
        for q in questions
    )


def respondent_key(round_: Round, channel: str, respondent: str) -> str:
    first = round_.channels[0] if round_.channels else channel
    return respondent if channel == first else f"{channel}/{respondent}"


def participant_codes(round_: Round) -> list[str]:
    return list(
        round_.participations.order_by("jurisdiction__code").values_list(
            "jurisdiction__code", flat=True
        )
    )


def phase_answers(round_: Round, jurisdictions: Collection[str] | None = None) -> list[PhaseAnswer]:
    """Every stored answer to a phase question (blank ones included), by jurisdiction."""
    by_code = {q.code: q for q in phase_questions(round_)}
    answers = Answer.objects.filter(
        submission__round=round_, question__code__in=set(by_code)
    ).select_related("submission", "submission__jurisdiction", "question")
    if jurisdictions is not None:
        answers = answers.filter(submission__jurisdiction__code__in=set(jurisdictions))
    found = []
    for answer in answers.order_by("submission__jurisdiction__code", "question__position"):
        submission = answer.submission
        found.append(
            PhaseAnswer(
                jurisdiction=submission.jurisdiction.code,
                capability=by_code[answer.question.code].capability,
                respondent=respondent_key(round_, submission.channel, submission.respondent),
                respondent_label=submission.respondent_label,
                channel=submission.channel,
                phase=int(answer.value) if answer.value else None,
                confidence=answer.confidence,
                evidence=answer.comment,
                evidence_url=answer.evidence_url,
                status=submission.status,
            )
        )
    return found


def respondent_phases(
    round_: Round, answers: list[PhaseAnswer], jurisdictions: Collection[str]
) -> list[core.RespondentPhase]:
    """The answers as the core takes them, with a blank record for every capability of every
    given jurisdiction that nobody placed, so that each lists all its capabilities."""
    records = [
        core.RespondentPhase(a.jurisdiction, a.capability, a.respondent, a.phase) for a in answers
    ]
    seen = {(a.jurisdiction, a.capability) for a in answers}
    for jurisdiction in jurisdictions:
        for question in phase_questions(round_):
            if (jurisdiction, question.capability) not in seen:
                records.append(
                    core.RespondentPhase(jurisdiction, question.capability, core.LEAD, None)
                )
    return records


def current_overrides(
    round_: Round, jurisdictions: Collection[str] | None = None
) -> list[core.Override]:
    """The override in force per jurisdiction x capability: the latest record, unless it
    withdrew the one before."""
    rows = PhaseOverride.objects.filter(round=round_).select_related("jurisdiction")
    if jurisdictions is not None:
        rows = rows.filter(jurisdiction__code__in=set(jurisdictions))
    latest: dict[tuple[str, str], PhaseOverride] = {}
    for row in rows.order_by("at", "id"):
        latest[(row.jurisdiction.code, row.capability)] = row
    return [
        core.Override(code, capability, row.phase, row.reason, row.by_name, row.at)
        for (code, capability), row in sorted(latest.items())
        if row.phase is not None
    ]


def round_maturity(
    round_: Round, jurisdictions: Collection[str] | None = None
) -> core.RoundMaturity:
    """The round's consolidated phases (of ``jurisdictions`` only, when given; agreement is
    then over those only) with the overrides in force."""
    codes = participant_codes(round_)
    if jurisdictions is not None:
        codes = [code for code in codes if code in set(jurisdictions)]
    answers = phase_answers(round_, codes)
    return core.round_maturity(
        round_.code, respondent_phases(round_, answers, codes), current_overrides(round_, codes)
    )


def answers_by_unit(answers: list[PhaseAnswer]) -> dict[tuple[str, str], list[PhaseAnswer]]:
    grouped: dict[tuple[str, str], list[PhaseAnswer]] = defaultdict(list)
    for answer in answers:
        grouped[(answer.jurisdiction, answer.capability)].append(answer)
    return grouped
