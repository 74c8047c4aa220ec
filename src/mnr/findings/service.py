"""Findings of a round as a given user may see them, with their sentences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mnr.core.disclosure import suppress
from mnr.core.findings import BREAKDOWNS, Finding, RoundData, compute_breakdowns
from mnr.core.framework import text
from mnr.core.narrative import describe
from mnr.errors import unknown
from mnr.findings.data import RoundQuestions, round_data, round_questions
from mnr.surveys.access import can_see_jurisdiction_data
from mnr.surveys.models import Round


def check_breakdown(by: str | None) -> None:
    if by is not None and by not in BREAKDOWNS:
        raise unknown("breakdown", by, BREAKDOWNS)


def with_sentences(
    findings: Sequence[Finding], questions: RoundQuestions, lang: str = "en"
) -> list[Finding]:
    """Each finding with its sentence, for questions whose finding statement is known.

    Sentences describe totals; a breakdown cell is read from its table, not from prose."""
    described = []
    for finding in findings:
        statement = text(questions.findings.get(finding.question) or {}, lang)
        if statement and finding.group is None and not finding.suppressed:
            finding = describe(finding, statement, lang=lang)
        described.append(finding)
    return described


def round_findings(
    round_: Round,
    *,
    by: str | None = None,
    breakdowns: Sequence[str | None] | None = None,
    user: Any = None,
    public: bool = False,
    lang: str = "en",
    questions: RoundQuestions | None = None,
    data: RoundData | None = None,
) -> list[Finding]:
    """Findings for ``by`` (or several ``breakdowns`` at once) in question order.

    Disclosure control applies to anonymous visitors, to users without jurisdiction-level
    access to the round, and whenever ``public`` is asked; ``user=None`` without ``public`` is
    the operator at the command line, who sees every cell. A caller that also needs the
    round's questions or answers for something else passes them, so they are read once."""
    wanted = list(breakdowns) if breakdowns is not None else [by]
    for breakdown in wanted:
        check_breakdown(breakdown)
    questions = questions or round_questions(round_)
    results = compute_breakdowns(data or round_data(round_, questions), wanted)
    findings = [finding for breakdown in wanted for finding in results[breakdown]]
    restricted = public or (user is not None and not can_see_jurisdiction_data(user, round_))
    if restricted:
        findings = suppress(findings, k=round_.disclosure_threshold)
    return with_sentences(findings, questions, lang)


def finding_label(finding: Finding, questions: RoundQuestions, lang: str = "en") -> str:
    return text(questions.labels.get(finding.question) or {}, lang) or finding.question
