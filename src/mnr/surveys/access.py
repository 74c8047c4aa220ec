"""The one way to read a protected round or submission for a user.

Objects the user may not see raise ``Http404`` (their existence is not disclosed); objects
they may see but not change raise ``PermissionDenied`` when ``write`` (or ``manage``) is asked.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext

from mnr.accounts.models import Role
from mnr.accounts.permissions import has_role
from mnr.audit.record import record_read
from mnr.surveys.models import Round, Submission


def get_round_for_user(user: Any, code: str, *, manage: bool = False) -> Round:
    round_ = Round.objects.visible_to(user).filter(code=code).first()
    if round_ is None:
        raise Http404(gettext("No round %(code)r") % {"code": code})
    if manage and not can_manage_round(user, round_):
        raise PermissionDenied(
            gettext("Only administrators and analysts of this round may manage it.")
        )
    return round_


def can_manage_round(user: Any, round_: Round) -> bool:
    return has_role(user, (Role.ANALYST,), round_id=round_.pk)


def get_submission_for_user(user: Any, pk: int, *, write: bool = False) -> Submission:
    """The submission, for reading (recorded in the audit log when the user is outside its
    jurisdiction: ``mnr.audit.record.record_read``) or, with ``write``, for changing (which the
    action records)."""
    submission = (
        Submission.objects.visible_to(user)
        .select_related("round", "round__instrument", "jurisdiction")
        .filter(pk=pk)
        .first()
    )
    if submission is None:
        raise Http404(gettext("No submission %(pk)s") % {"pk": pk})
    if write and not can_edit_answers(user, submission):
        raise PermissionDenied(gettext("You may not change the answers of this submission."))
    if not write:
        record_read(user, submission.jurisdiction, "submission", target=submission)
    return submission


def can_edit_answers(user: Any, submission: Submission) -> bool:
    """Focal points of the submission's jurisdiction (and administrators) answer: the lead's
    focal point for every respondent, a respondent's focal point for that respondent only; a
    focal point of one channel for that channel only."""
    return may_answer(
        user,
        round_id=submission.round_id,
        jurisdiction_id=submission.jurisdiction_id,
        channel=submission.channel,
        respondent=submission.respondent,
    )


def may_answer(
    user: Any, *, round_id: int, jurisdiction_id: int, channel: str, respondent: str
) -> bool:
    """:func:`can_edit_answers` for a submission that may not exist yet (what a focal point is
    offered to start)."""
    return has_role(
        user,
        (Role.FOCAL_POINT,),
        jurisdiction_id=jurisdiction_id,
        round_id=round_id,
        respondent=respondent,
        channel=channel,
    )


def can_review(user: Any, submission: Submission) -> bool:
    return has_role(
        user,
        (Role.REVIEWER,),
        jurisdiction_id=submission.jurisdiction_id,
        round_id=submission.round_id,
        respondent=submission.respondent,
    )


def can_see_jurisdiction_data(user: Any, round_: Round) -> bool:
    """Whether the user may see jurisdiction-level answers of the whole round (not only of their
    own jurisdiction): administrators, and analysts and reviewers without a jurisdiction limit."""
    return has_role(user, (Role.ANALYST, Role.REVIEWER), round_id=round_.pk)
