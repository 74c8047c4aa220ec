"""A round's answers as plain data for ``mnr.core.findings``, read in a fixed number of queries
whatever the number of jurisdictions and answers."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from mnr.core.findings import ANSWER_COLUMNS, Participant, QuestionSpec, RoundData
from mnr.core.respondents import LEAD
from mnr.frameworks.models import InstrumentQuestion
from mnr.jurisdictions.classification import income_groups, region_of
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.models import Answer, Round


@dataclass(frozen=True)
class RoundQuestions:
    """The counted questions of a round's instrument, with what findings say about them."""

    specs: tuple[QuestionSpec, ...]
    labels: dict[str, dict[str, str]]
    findings: dict[str, dict[str, str]]
    capabilities: dict[str, tuple[str, ...]]


def round_questions(round_: Round) -> RoundQuestions:
    """Choice questions only: phase levels and free text are not shares of jurisdictions."""
    questions = list(
        InstrumentQuestion.objects.filter(instrument_id=round_.instrument_id, type="select_one")
        .prefetch_related("capabilities")
        .order_by("position")
    )
    return RoundQuestions(
        specs=tuple(
            QuestionSpec(q.code, tuple(q.choice_codes), channels=tuple(q.channels) or None)
            for q in questions
        ),
        labels={q.code: q.label for q in questions},
        findings={q.code: q.finding for q in questions},
        capabilities={q.code: tuple(c.code for c in q.capabilities.all()) for q in questions},
    )


def participants(round_: Round) -> tuple[Participant, ...]:
    jurisdictions = list(
        Jurisdiction.objects.filter(participations__round=round_)
        .select_related("parent")
        .order_by("code")
    )
    groups = income_groups(jurisdictions, round_.income_fiscal_year)
    return tuple(Participant(j.code, groups[j.code], region_of(j)) for j in jurisdictions)


def answers_frame(
    round_: Round, question_codes: set[str], statuses: Collection[str] | None = None
) -> pd.DataFrame:
    """The recorded answers of the lead respondents (one answer per jurisdiction and channel;
    ``docs/counting-rules.md``), optionally only of submissions in ``statuses``."""
    answers = Answer.objects.filter(
        submission__round=round_, submission__respondent=LEAD, question__code__in=question_codes
    )
    if statuses is not None:
        answers = answers.filter(submission__status__in=list(statuses))
    rows = answers.values_list(
        "submission__jurisdiction__code", "submission__channel", "question__code", "value"
    )
    # An empty value is a blank answer to the counting rules, as None is.
    return pd.DataFrame.from_records(list(rows), columns=list(ANSWER_COLUMNS))


def round_data(
    round_: Round,
    questions: RoundQuestions | None = None,
    statuses: Collection[str] | None = None,
) -> RoundData:
    """The live round: every recorded answer, or those of submissions in ``statuses``."""
    questions = questions or round_questions(round_)
    return RoundData(
        questions=questions.specs,
        participants=participants(round_),
        channels=tuple(round_.channels),
        answers=answers_frame(round_, {spec.id for spec in questions.specs}, statuses),
    )
