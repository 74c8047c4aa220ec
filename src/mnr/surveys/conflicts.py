"""No lost updates: a writer who read an older version of an answer is told what is stored now.

Every answer carries a ``version`` (1 when first saved, +1 on every saved change; an answer not
saved yet is version 0). A caller of ``save_answers`` that read the answer first passes the
version it read as ``AnswerInput.expected_version``; when someone else saved that answer in the
meantime, the call raises :class:`StaleAnswer` and writes nothing, so the caller can show both
texts and let the user choose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mnr.errors import MnrError
from mnr.surveys.models import Answer, Submission


@dataclass(frozen=True)
class AnswerState:
    """An answer as it is stored now (a blank one at version 0 when none is saved yet)."""

    question: str
    value: str
    comment: str
    evidence_url: str
    publishable: bool
    version: int
    # The username of whoever saved it last; None for the operator (``mnr …``) or nobody.
    updated_by: str | None
    updated_at: datetime | None
    confidence: str = ""

    @classmethod
    def of(cls, question: str, answer: Answer | None) -> AnswerState:
        if answer is None or answer.pk is None:
            return cls(question, "", "", "", False, 0, None, None)
        return cls(
            question=question,
            value=answer.value,
            comment=answer.comment,
            evidence_url=answer.evidence_url,
            publishable=answer.publishable,
            version=answer.version,
            updated_by=answer.updated_by.get_username() if answer.updated_by else None,
            updated_at=answer.updated_at,
            confidence=answer.confidence,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "comment": self.comment,
            "evidence_url": self.evidence_url,
            "publishable": self.publishable,
            "confidence": self.confidence,
            "version": self.version,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


class StaleAnswer(MnrError):
    """Answers changed since the caller read them; nothing of the call was saved.

    ``current`` holds, per conflicting question code, the answer as stored now;
    ``expected`` the version the caller read. Answers of the same call that did not conflict
    were not saved either: the caller re-sends them with the user's choice."""

    def __init__(
        self, submission: str, current: Mapping[str, AnswerState], expected: Mapping[str, int]
    ) -> None:
        self.submission = submission
        self.current = dict(current)
        self.expected = dict(expected)
        described = "; ".join(
            f"{code} (you read version {self.expected[code]}, it is now version {state.version}"
            f"{_by(state)})"
            for code, state in self.current.items()
        )
        super().__init__(
            f"{submission}: answers changed since you read them: {described}; nothing was "
            "saved: look at the current answers and save your choice again"
        )

    def as_json(self) -> dict[str, Any]:
        """The conflicts as a JSON body: ``{"error", "conflicts": {code: {… current,
        "expected_version"}}}``."""
        return {
            "error": str(self),
            "conflicts": {
                code: {**state.as_json(), "expected_version": self.expected[code]}
                for code, state in self.current.items()
            },
        }


def _by(state: AnswerState) -> str:
    who = f" by {state.updated_by}" if state.updated_by else ""
    when = f" at {state.updated_at:%Y-%m-%d %H:%M:%S} UTC" if state.updated_at else ""
    return f", saved{who}{when}" if who or when else ""


def current_states(submission: Submission, codes: Iterable[str]) -> dict[str, AnswerState]:
    """The answers to ``codes`` as stored now (blank at version 0 where none is): what a
    writer whose version was stale is shown."""
    wanted = list(codes)
    stored = {
        answer.question.code: answer
        for answer in Answer.objects.filter(
            submission=submission, question__code__in=wanted
        ).select_related("question", "updated_by")
    }
    return {code: AnswerState.of(code, stored.get(code)) for code in wanted}
