"""Helpers for tests of the submission lifecycle: submissions in a given state, audit events."""

from __future__ import annotations

from typing import Any

from mnr.audit.models import AuditEvent
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round, Submission


def required_answers(submission: Submission, value: str = "yes") -> dict[str, AnswerInput]:
    """An answer to every required question asked of the submission's channel."""
    return {
        question.code: AnswerInput(value=value)
        for question in submission.round.instrument.questions.filter(required=True)
        if question.asked_of(submission.channel)
    }


def opened(round_: Round, code: str, channel: str = "government") -> Submission:
    return actions.open_submission(
        round_, Jurisdiction.objects.get(code=code), channel, source="test"
    )


def in_state(
    round_: Round, code: str, status: str, channel: str = "government", *, by: Any = None
) -> Submission:
    """The submission of ``code`` through ``channel``, answered and taken to ``status`` by the
    operator (``by``: the user who answers and submits instead)."""
    submission = opened(round_, code, channel)
    actions.save_answers(submission, required_answers(submission), acting_user=by, source="test")
    if status == Submission.Status.DRAFT:
        return submission
    actions.submit(submission, acting_user=by, source="test")
    if status == Submission.Status.RETURNED:
        actions.return_for_changes(submission, "please look again", source="test")
    elif status == Submission.Status.VALIDATED:
        actions.validate(submission, source="test")
    submission.refresh_from_db()
    assert submission.status == status
    return submission


def events(verb: str, target: Any) -> list[AuditEvent]:
    """The audit events ``verb`` recorded on ``target``, oldest first."""
    return list(
        AuditEvent.objects.filter(
            verb=verb, object_type=target._meta.label_lower, object_id=str(target.pk)
        ).order_by("at", "id")
    )


def last_event(verb: str, target: Any) -> AuditEvent:
    recorded = events(verb, target)
    assert recorded, f"no {verb} event recorded on {target}"
    return recorded[-1]
