"""Submissions, respondents and answers: read as the web app shows them, written through the
same actions (``open_submission``, ``save_answers``, ``submit``) under the same permissions.

Every answer carries its version as ``ETag: "N"`` (0: not saved yet). A write to an answer
that exists must send the version it read as ``If-Match`` (428 without it); a write against
an older version is refused with 412 and the answer as stored now, and saves nothing. The
bulk write (``POST /submissions/{id}/answers:bulk``) checks every answer as ``mnr import``
checks a file and saves all of them or none."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from mnr.api import versions
from mnr.api.auth import signed_in
from mnr.api.errors import COMMON_ERRORS, VERSIONED_WRITE_ERRORS, ApiError, ErrorDetail
from mnr.api.pagination import Page, Paging, paginate
from mnr.core.interchange import AnswerRow, Problem, check_rows
from mnr.core.respondents import LEAD, MAX_RESPONDENT_LENGTH, MAX_RESPONDENT_NAME_LENGTH
from mnr.frameworks.models import InstrumentQuestion
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.access import can_edit_answers, get_round_for_user, get_submission_for_user
from mnr.surveys.conflicts import AnswerState, current_states
from mnr.surveys.imports import import_target, url_problems
from mnr.surveys.models import Answer, AnswerChange, Round, Submission
from mnr.web.questionnaire import progress_json

router = Router(tags=["submissions"])

SOURCE = "api"
# More answers than any instrument has questions (the 2021 review has under 200).
MAX_BULK_ANSWERS = 1000


# --- Schemas ----------------------------------------------------------------------------------


class SubmissionOut(Schema):
    id: int
    round: str
    jurisdiction: str
    channel: str
    respondent: str = Field(description='the respondent\'s code; "" is the lead respondent')
    respondent_name: str
    status: str
    changed_since_submitted_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SubmissionTransitionOut(Schema):
    from_status: str
    to_status: str
    comment: str
    by: str | None
    at: datetime


class SubmissionProgressOut(Schema):
    answered: int
    required: int


class SubmissionDetail(SubmissionOut):
    may_answer: bool = Field(description="whether the caller may change its answers")
    editable: bool = Field(description="whether its answers can change now (draft or returned)")
    progress: SubmissionProgressOut = Field(description="required applicable questions answered")
    transitions: list[SubmissionTransitionOut] = Field(
        description="its status history, oldest first"
    )


class SubmissionIn(Schema):
    jurisdiction: str = Field(max_length=20)
    channel: str = Field(max_length=60)
    respondent: str = Field(
        LEAD,
        max_length=MAX_RESPONDENT_LENGTH,
        description='a respondent within the jurisdiction (police, justice…); "" is the lead',
    )
    respondent_name: str = Field("", max_length=MAX_RESPONDENT_NAME_LENGTH)


class SubmissionFilters(Schema):
    jurisdiction: str | None = None
    channel: str | None = None
    respondent: str | None = Field(None, description='"" for the lead respondent')
    status: Submission.Status | None = None


class RespondentSubmission(Schema):
    id: int
    channel: str
    status: str


class RespondentOut(Schema):
    respondent: str
    respondent_name: str
    label: str
    submissions: list[RespondentSubmission]


class AnswerOut(Schema):
    question: str
    value: str
    comment: str
    evidence_url: str
    publishable: bool
    confidence: str
    version: int = Field(description="0 for an answer not saved yet; served as the ETag")
    updated_by: str | None
    updated_at: datetime | None


class AnswerIn(Schema):
    """The fields to set; a field left out stays as it is."""

    value: str | None = None
    comment: str | None = None
    evidence_url: str | None = None
    publishable: bool | None = None
    confidence: str | None = None


class BulkAnswerIn(AnswerIn):
    question: str
    version: int | None = Field(
        None,
        ge=0,
        description="the version of this answer you read (its ETag); required for an answer "
        "that exists, 0 or left out for one not saved yet",
    )


class BulkIn(Schema):
    answers: list[BulkAnswerIn] = Field(min_length=1, max_length=MAX_BULK_ANSWERS)


class BulkOut(Schema):
    changed: int = Field(description="how many fields changed")
    answers: list[AnswerOut]
    progress: SubmissionProgressOut


class AnswerChangeOut(Schema):
    id: int
    question: str
    field: str
    old: str
    new: str
    by: str | None
    at: datetime
    source: str


# --- Serializing ------------------------------------------------------------------------------


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _submission(row: Submission) -> dict[str, Any]:
    return {
        "id": row.pk,
        "round": row.round.code,
        "jurisdiction": row.jurisdiction.code,
        "channel": row.channel,
        "respondent": row.respondent,
        "respondent_name": row.respondent_name,
        "status": row.status,
        "changed_since_submitted_at": row.changed_since_submitted_at,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _detail(user: Any, row: Submission) -> dict[str, Any]:
    transitions = row.transitions.select_related("by").order_by("at", "pk")
    return {
        **_submission(row),
        "may_answer": can_edit_answers(user, row),
        "editable": row.editable,
        "progress": progress_json(row)["overall"],
        "transitions": [
            {
                "from_status": t.from_status,
                "to_status": t.to_status,
                "comment": t.comment,
                "by": _username(t.by),
                "at": t.at,
            }
            for t in transitions
        ],
    }


def _answer(state: AnswerState) -> dict[str, Any]:
    return {
        "question": state.question,
        "value": state.value,
        "comment": state.comment,
        "evidence_url": state.evidence_url,
        "publishable": state.publishable,
        "confidence": state.confidence,
        "version": state.version,
        "updated_by": state.updated_by,
        "updated_at": state.updated_at,
    }


def _asked(submission: Submission) -> list[InstrumentQuestion]:
    """The questions of the submission's instrument asked through its channel, in order."""
    questions = InstrumentQuestion.objects.filter(
        instrument_id=submission.round.instrument_id
    ).order_by("position")
    return [q for q in questions if q.asked_of(submission.channel)]


def _question_or_404(submission: Submission, code: str) -> InstrumentQuestion:
    question = InstrumentQuestion.objects.filter(
        instrument_id=submission.round.instrument_id, code=code
    ).first()
    if question is None or not question.asked_of(submission.channel):
        raise Http404(
            f"No question {code!r} is asked of submission {submission} (channel "
            f"{submission.channel}); GET /submissions/{submission.pk}/answers lists them."
        )
    return question


# --- Checking and writing answers -------------------------------------------------------------

# The import's name for a field → the API's.
_API_FIELDS = {"answer": "value"}


def _problems(
    submission: Submission, round_: Round, items: Sequence[tuple[str, AnswerIn]]
) -> list[ErrorDetail]:
    """Every problem of ``items`` (question code, input) as answers of the submission, found by
    the checks ``mnr import`` makes of a file (unknown question, not asked through the channel,
    choice not allowed, text limits, evidence address, confidence, a question twice), each
    named by its question code."""
    rows = [
        AnswerRow(
            row=number,
            round=round_.code,
            jurisdiction=submission.jurisdiction.code,
            channel=submission.channel,
            question=code,
            # Blank passes every check: a value left out is not changed.
            answer=given.value if given.value is not None else "",
            comment=given.comment,
            evidence_url=given.evidence_url,
            publishable=given.publishable,
            respondent=submission.respondent,
            confidence=given.confidence,
        )
        for number, (code, given) in enumerate(items, start=1)
    ]
    found: list[Problem] = [*check_rows(rows, import_target(round_))]
    if not found:
        found = url_problems(rows)
    codes = {number: code for number, (code, _) in enumerate(items, start=1)}
    return [
        ErrorDetail(
            field=codes.get(problem.row or 0),
            message=(
                f"{_API_FIELDS.get(problem.column, problem.column)}: {problem.message}"
                if problem.column
                else problem.message
            ),
        )
        for problem in found
    ]


def _refuse(details: list[ErrorDetail]) -> None:
    if details:
        raise ApiError(
            400,
            "rejected",
            f"{len(details)} problem(s) with the answers; nothing was saved.",
            details,
        )


def _input(given: AnswerIn, expected_version: int) -> actions.AnswerInput:
    return actions.AnswerInput(
        value=given.value,
        comment=given.comment,
        evidence_url=given.evidence_url,
        publishable=given.publishable,
        confidence=given.confidence,
        expected_version=expected_version,
    )


def _stored_versions(submission: Submission, codes: Sequence[str]) -> dict[str, int]:
    """The stored versions of the answers, read under the submission's row lock, the one
    ``save_answers`` takes first: called in the transaction that then calls it, nobody saves
    these answers between this read and the action's own comparison."""
    Submission.objects.select_for_update(of=("self",)).filter(pk=submission.pk).first()
    return dict(
        Answer.objects.filter(submission=submission, question__code__in=list(codes)).values_list(
            "question__code", "version"
        )
    )


def _writable(user: Any, submission_id: int) -> Submission:
    return get_submission_for_user(user, submission_id, write=True)


# --- Endpoints --------------------------------------------------------------------------------


@router.get("/rounds/{code}/submissions", response={200: Page[SubmissionOut], **COMMON_ERRORS})
def list_submissions(
    request: HttpRequest, code: str, filters: Query[SubmissionFilters], paging: Query[Paging]
) -> Any:
    """The round's submissions the caller may see, optionally filtered, oldest first."""
    user = signed_in(request)
    round_ = get_round_for_user(user, code)
    rows = Submission.objects.visible_to(user).filter(round=round_)
    if filters.jurisdiction is not None:
        rows = rows.filter(jurisdiction__code=filters.jurisdiction)
    if filters.channel is not None:
        rows = rows.filter(channel=filters.channel)
    if filters.respondent is not None:
        rows = rows.filter(respondent=filters.respondent)
    if filters.status is not None:
        rows = rows.filter(status=filters.status)
    return paginate(rows.select_related("round", "jurisdiction"), paging, _submission)


@router.post(
    "/rounds/{code}/submissions",
    response={200: SubmissionDetail, 201: SubmissionDetail, **COMMON_ERRORS},
)
def open_submission(request: HttpRequest, code: str, payload: SubmissionIn) -> Any:
    """Open the submission of a jurisdiction, channel and respondent (201; 200 when it was
    open already): a focal point for their own, and a lead's focal point for another
    respondent of their jurisdiction, named by its code and respondent_name."""
    user = signed_in(request)
    round_ = get_round_for_user(user, code)
    jurisdiction = Jurisdiction.objects.filter(code=payload.jurisdiction).first()
    if jurisdiction is None:
        raise ApiError(
            400,
            "rejected",
            f"Unknown jurisdiction {payload.jurisdiction!r}: GET /jurisdictions lists them.",
            [ErrorDetail(field="body.jurisdiction", message="unknown jurisdiction")],
        )
    respondent = payload.respondent.strip()
    existed = Submission.objects.filter(
        round=round_, jurisdiction=jurisdiction, channel=payload.channel, respondent=respondent
    ).exists()
    submission = actions.open_submission(
        round_,
        jurisdiction,
        payload.channel,
        respondent=respondent,
        respondent_name=payload.respondent_name,
        acting_user=user,
        source=SOURCE,
    )
    submission = get_submission_for_user(user, submission.pk)
    return Status(200 if existed else 201, _detail(user, submission))


@router.get("/rounds/{code}/respondents", response={200: Page[RespondentOut], **COMMON_ERRORS})
def list_respondents(
    request: HttpRequest,
    code: str,
    paging: Query[Paging],
    jurisdiction: str,
) -> Any:
    """The respondents of a jurisdiction in the round whose submissions the caller may see
    (the lead first), with their submissions. A lead's focal point adds one with POST
    /rounds/{code}/submissions (respondent and respondent_name)."""
    user = signed_in(request)
    round_ = get_round_for_user(user, code)
    if not Jurisdiction.objects.filter(code=jurisdiction).exists():
        raise Http404(f"No jurisdiction {jurisdiction!r}")
    rows = (
        Submission.objects.visible_to(user)
        .filter(round=round_, jurisdiction__code=jurisdiction)
        .select_related("round", "jurisdiction")
        .order_by("respondent", "channel", "pk")
    )
    grouped: dict[str, list[Submission]] = {}
    for row in rows:
        grouped.setdefault(row.respondent, []).append(row)
    respondents = [
        {
            "respondent": respondent,
            "respondent_name": next((s.respondent_name for s in found if s.respondent_name), ""),
            "label": next(
                (s.respondent_label for s in found if s.respondent_name), found[0].respondent_label
            ),
            "submissions": [{"id": s.pk, "channel": s.channel, "status": s.status} for s in found],
        }
        for respondent, found in grouped.items()
    ]
    return paginate(respondents, paging, lambda item: item)


@router.get("/submissions/{submission_id}", response={200: SubmissionDetail, **COMMON_ERRORS})
def get_submission(request: HttpRequest, submission_id: int) -> Any:
    """One submission with its progress and status history."""
    user = signed_in(request)
    return _detail(user, get_submission_for_user(user, submission_id))


@router.get(
    "/submissions/{submission_id}/answers", response={200: Page[AnswerOut], **COMMON_ERRORS}
)
def list_answers(request: HttpRequest, submission_id: int, paging: Query[Paging]) -> Any:
    """Every question asked of the submission in questionnaire order, with its answer and
    version (blank at version 0 where none is saved yet)."""
    user = signed_in(request)
    submission = get_submission_for_user(user, submission_id)
    codes = [q.code for q in _asked(submission)]
    page = paginate(codes, paging, lambda code: code)
    states = current_states(submission, page["items"])
    return {
        "items": [_answer(states[code]) for code in page["items"]],
        "next_cursor": page["next_cursor"],
    }


@router.get(
    "/submissions/{submission_id}/answers/{question}",
    response={200: AnswerOut, **COMMON_ERRORS},
)
def get_answer(
    request: HttpRequest, response: HttpResponse, submission_id: int, question: str
) -> Any:
    """One answer with its version as the ETag (version 0, blank, when none is saved yet)."""
    user = signed_in(request)
    submission = get_submission_for_user(user, submission_id)
    _question_or_404(submission, question)
    state = current_states(submission, [question])[question]
    versions.set_etag(response, state.version)
    return _answer(state)


@router.put(
    "/submissions/{submission_id}/answers/{question}",
    response={200: AnswerOut, **VERSIONED_WRITE_ERRORS},
)
def update_answer(
    request: HttpRequest,
    response: HttpResponse,
    submission_id: int,
    question: str,
    payload: AnswerIn,
) -> Any:
    """Write one answer (fields left out stay as they are); If-Match: the version read."""
    user = signed_in(request)
    submission = _writable(user, submission_id)
    _question_or_404(submission, question)
    _refuse(_problems(submission, submission.round, [(question, payload)]))
    with transaction.atomic():
        stored = _stored_versions(submission, [question]).get(question, 0)
        expected = versions.expected_version(request, stored=stored)
        actions.save_answers(
            submission,
            {question: _input(payload, expected)},
            acting_user=user,
            source=SOURCE,
        )
    state = current_states(submission, [question])[question]
    versions.set_etag(response, state.version)
    return _answer(state)


@router.post(
    "/submissions/{submission_id}/answers:bulk",
    response={200: BulkOut, **VERSIONED_WRITE_ERRORS},
)
def bulk_update_answers(request: HttpRequest, submission_id: int, payload: BulkIn) -> Any:
    """Write many answers at once, all or none, checked as `mnr import` checks a file; each
    existing answer needs the version read ("version", its If-Match)."""
    user = signed_in(request)
    submission = _writable(user, submission_id)
    items = [(item.question, item) for item in payload.answers]
    _refuse(_problems(submission, submission.round, items))
    with transaction.atomic():
        stored = _stored_versions(submission, [code for code, _ in items])
        unversioned = [code for code, item in items if item.version is None and stored.get(code, 0)]
        if unversioned:
            states = current_states(submission, unversioned)
            raise ApiError(
                428,
                "version_required",
                f"{len(unversioned)} answer(s) exist: send the version you read of each as "
                'its "version"; nothing was saved.',
                [
                    ErrorDetail(
                        field=code,
                        message=f"exists at version {stored[code]}: send its version",
                        current=states[code].as_json(),
                    )
                    for code in unversioned
                ],
            )
        changed = actions.save_answers(
            submission,
            {code: _input(item, item.version or 0) for code, item in items},
            acting_user=user,
            source=SOURCE,
        )
    states = current_states(submission, [code for code, _ in items])
    return {
        "changed": changed,
        "answers": [_answer(state) for state in states.values()],
        "progress": progress_json(submission)["overall"],
    }


@router.post(
    "/submissions/{submission_id}/submit", response={200: SubmissionDetail, **COMMON_ERRORS}
)
def submit_submission(request: HttpRequest, submission_id: int) -> Any:
    """Hand the answers to the reviewers (every required applicable question answered)."""
    user = signed_in(request)
    submission = get_submission_for_user(user, submission_id)
    actions.submit(submission, acting_user=user, source=SOURCE)
    return _detail(user, get_submission_for_user(user, submission_id))


@router.get(
    "/submissions/{submission_id}/history", response={200: Page[AnswerChangeOut], **COMMON_ERRORS}
)
def list_answer_history(request: HttpRequest, submission_id: int, paging: Query[Paging]) -> Any:
    """Every change of the submission's answers (field, old → new, who, when, from where),
    oldest first."""
    user = signed_in(request)
    submission = get_submission_for_user(user, submission_id)
    rows = AnswerChange.objects.filter(answer__submission=submission).select_related(
        "answer__question", "changed_by"
    )
    return paginate(rows, paging, _change)


def _change(row: AnswerChange) -> dict[str, Any]:
    return {
        "id": row.pk,
        "question": row.answer.question.code,
        "field": row.field,
        "old": row.old,
        "new": row.new,
        "by": _username(row.changed_by),
        "at": row.changed_at,
        "source": row.source,
    }
