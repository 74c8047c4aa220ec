"""Review: return a submission to its focal point, validate it, reopen it, and comment on its
questions (the review page's steps, through the same actions).

Nothing here is public. A submission the caller may not see is not found (404); a step the
caller may not take is refused (403); a step the submission's state or the four-eyes rule
does not allow is rejected (400) with the reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from mnr.api.auth import signed_in
from mnr.api.errors import COMMON_ERRORS
from mnr.api.pagination import Page, Paging, paginate
from mnr.surveys import actions
from mnr.surveys.access import get_submission_for_user
from mnr.surveys.models import QuestionComment, Submission, SubmissionTransition

router = Router(tags=["reviews"])


class TransitionOut(Schema):
    from_status: str
    to_status: str
    comment: str
    by: str | None = Field(description="username; null for the operator at the command line")
    at: datetime


class ReviewOut(Schema):
    submission_id: int
    status: str = Field(description="the submission's status after the step")
    transition: TransitionOut


class CommentOut(Schema):
    id: int
    question: str
    text: str
    by: str | None
    at: datetime


class CommentAdded(Schema):
    submission_id: int
    status: str
    comment: CommentOut


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class StepIn(_Strict):
    comment: str = ""


class CommentIn(_Strict):
    question: str = Field(min_length=1, description="question code, such as C11.status")
    text: str


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _transition(transition: SubmissionTransition) -> dict[str, Any]:
    return {
        "from_status": transition.from_status,
        "to_status": transition.to_status,
        "comment": transition.comment,
        "by": _username(transition.by),
        "at": transition.at,
    }


def _review(submission: Submission) -> dict[str, Any]:
    latest = submission.transitions.select_related("by").order_by("-at", "-id").first()
    assert latest is not None  # every step made one
    return {
        "submission_id": submission.pk,
        "status": submission.status,
        "transition": _transition(latest),
    }


def _comment(comment: QuestionComment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "question": comment.question.code,
        "text": comment.body,
        "by": _username(comment.by),
        "at": comment.at,
    }


@router.post("/submissions/{submission_id}/return", response={200: ReviewOut, **COMMON_ERRORS})
def return_submission(request: HttpRequest, submission_id: int, payload: StepIn) -> Any:
    """Return a submitted submission to its focal point, saying what needs changing."""
    user = signed_in(request)
    submission = get_submission_for_user(user, submission_id)
    submission = actions.return_for_changes(
        submission, payload.comment, acting_user=user, source="api"
    )
    return _review(submission)


@router.post("/submissions/{submission_id}/validate", response={200: ReviewOut, **COMMON_ERRORS})
def validate_submission(request: HttpRequest, submission_id: int, payload: StepIn) -> Any:
    """Validate a submitted submission (four eyes: not one the caller changed or submitted)."""
    user = signed_in(request)
    submission = get_submission_for_user(user, submission_id)
    submission = actions.validate(
        submission, comment=payload.comment, acting_user=user, source="api"
    )
    return _review(submission)


@router.post("/submissions/{submission_id}/reopen", response={200: ReviewOut, **COMMON_ERRORS})
def reopen_submission(request: HttpRequest, submission_id: int, payload: StepIn) -> Any:
    """Reopen a validated submission (analysts of the round); it goes back as returned."""
    user = signed_in(request)
    submission = get_submission_for_user(user, submission_id)
    submission = actions.reopen(submission, payload.comment, acting_user=user, source="api")
    return _review(submission)


@router.get(
    "/submissions/{submission_id}/comments",
    response={200: Page[CommentOut], **COMMON_ERRORS},
)
def list_submission_comments(
    request: HttpRequest, submission_id: int, paging: Query[Paging]
) -> Any:
    """The reviewers' comments on the submission's questions, oldest first."""
    user = signed_in(request)
    submission = get_submission_for_user(user, submission_id)
    rows = QuestionComment.objects.filter(submission=submission).select_related("question", "by")
    return paginate(rows, paging, _comment)


@router.post("/submissions/{submission_id}/comments", response={201: CommentAdded, **COMMON_ERRORS})
def comment_on_question(request: HttpRequest, submission_id: int, payload: CommentIn) -> Any:
    """Comment on one question of a submitted or returned submission (its reviewers and the
    round's analysts); the focal point sees it beside the question."""
    user = signed_in(request)
    submission = get_submission_for_user(user, submission_id)
    comment = actions.comment_on_question(
        submission, payload.question, payload.text, acting_user=user, source="api"
    )
    return Status(
        201,
        {
            "submission_id": comment.submission.pk,
            "status": comment.submission.status,
            "comment": _comment(comment),
        },
    )
