"""Publishing a test round as an analyst would: every submission validated, then published."""

from __future__ import annotations

from typing import Any

from mnr.publications.actions import publish
from mnr.publications.models import Publication
from mnr.surveys import actions
from mnr.surveys.models import Round, Submission


def validate_all(round_: Round) -> None:
    """Hand in and validate every submission of the round (the operator at the command line)."""
    for submission in Submission.objects.filter(round=round_).exclude(
        status=Submission.Status.VALIDATED
    ):
        if submission.editable:
            actions.submit(submission, source="test", allow_missing=True)
        actions.validate(submission, source="test")


def validate_and_publish(round_: Round, note: str = "", **options: Any) -> Publication:
    validate_all(round_)
    return publish(round_, note=note, source="test", **options)
