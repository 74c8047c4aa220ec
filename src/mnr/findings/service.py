"""Findings of a round as a given user may see them, with their sentences.

Who sees what:

- the operator at the command line (``user=None`` without ``public``) and users with
  jurisdiction-level access to the round (analysts, reviewers, administrators) see the live
  round, every cell;
- ``public`` output and anonymous visitors see the round's latest publication only;
- other signed-in users (focal points) see the latest publication when there is one, and
  otherwise the live round through disclosure control that knows their own jurisdictions'
  answers (so that "1 of 2" cannot tell them the other jurisdiction's).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from mnr.accounts.permissions import assignments, covers_channel, covers_respondent
from mnr.core.disclosure import protect
from mnr.core.findings import BREAKDOWNS, Finding, RoundData, compute_breakdowns
from mnr.core.framework import text
from mnr.core.narrative import describe
from mnr.core.respondents import LEAD
from mnr.errors import unknown
from mnr.findings.data import RoundQuestions, round_data, round_questions
from mnr.publications.models import Publication
from mnr.publications.reading import latest_publication_identity, require_publication
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


def reads_live(user: Any, round_: Round, public: bool) -> bool:
    """Whether the user sees the live round, every cell (see the module docstring)."""
    if public:
        return False
    return user is None or can_see_jurisdiction_data(user, round_)


def own_jurisdictions(user: Any, round_: Round) -> frozenset[str]:
    """The jurisdictions whose counted answers the user sees anyway: their assignments that
    cover the lead respondent, whose answers findings count (a focal point for the police of a
    jurisdiction does not see the lead's), in every channel of the round, any of which may be
    the one counted (a government focal point does not see the UNICEF country office's answer,
    and a table showing their jurisdiction alone would tell them)."""
    return frozenset(
        a.jurisdiction.code
        for a in assignments(user)
        if a.jurisdiction is not None
        and a.round_id in (None, round_.pk)
        and covers_respondent(a, LEAD)
        and all(covers_channel(a, channel) for channel in round_.channels)
    )


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
    statuses: Collection[str] | None = None,
    publication: Publication | None = None,
) -> list[Finding]:
    """Findings for ``by`` (or several ``breakdowns`` at once) in question order, as the user
    may see them; who reads publications reads ``publication`` (the latest, looked up when not
    given: a page that names the publication it shows passes the one it named). ``public``
    output of a round that was never published is an MnrError.
    ``statuses`` limits the live round to submissions in those statuses (who reads the
    publication reads its validated submissions anyway).

    A caller that also needs the round's questions or live answers passes them, so they are
    read once."""
    wanted = list(dict.fromkeys(breakdowns if breakdowns is not None else [by]))
    for breakdown in wanted:
        check_breakdown(breakdown)
    questions = questions or round_questions(round_)
    if reads_live(user, round_, public):
        results = compute_breakdowns(data or round_data(round_, questions, statuses), wanted)
    else:
        anonymous = public or not user.is_authenticated
        # The number only: the stored findings are read once per process (protection_of).
        publication = publication or latest_publication_identity(round_)
        if publication is None and anonymous:
            require_publication(round_)
        if publication is not None:
            stored = publication.protection_of()
            results = {b: stored.findings[b] for b in wanted}
        else:
            results = protect(
                data or round_data(round_, questions),
                k=round_.disclosure_threshold,
                known=own_jurisdictions(user, round_),
                any_participant=False,
            ).findings
    findings = [finding for breakdown in wanted for finding in results[breakdown]]
    return with_sentences(findings, questions, lang)


def finding_label(finding: Finding, questions: RoundQuestions, lang: str = "en") -> str:
    return text(questions.labels.get(finding.question) or {}, lang) or finding.question
