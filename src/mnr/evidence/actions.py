"""Attaching evidence files to an answer and removing them: the only writers of ``Evidence``.

Whoever may change a submission's answers may attach and remove its files, under the same
lifecycle rules as ``save_answers`` (the round takes answers, the submission is a draft or
returned). The file is checked (``mnr.core.evidence``) before anything is written; a refused
file writes nothing, neither a row nor a byte on disk. Each step records an audit event on
the submission and a history row on the answer (field ``evidence_file``); attaching a file
leaves the answer's version alone (its text fields are not changed), and an answer created
only to carry files is at version 0, as if none were saved.

Removing a file keeps its row for the history and deletes its bytes once the removal is
committed: a file attached by mistake (the wrong document, personal data) is gone."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mnr.accounts.permissions import require
from mnr.audit.record import record_event
from mnr.core.evidence import EvidenceRefused, check_evidence
from mnr.core.limits import MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES
from mnr.errors import MnrError
from mnr.evidence import storage
from mnr.evidence.models import Evidence
from mnr.frameworks.models import InstrumentQuestion
from mnr.surveys.access import can_edit_answers
from mnr.surveys.actions import require_accepts_answers
from mnr.surveys.models import Answer, AnswerChange, Submission

EVIDENCE_FIELD = "evidence_file"


def _editable(submission: Submission, acting_user: Any, doing: str) -> Submission:
    """The submission locked, after the checks ``save_answers`` makes."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("round", "round__instrument", "jurisdiction")
        .get(pk=submission.pk)
    )
    require(
        acting_user,
        can_edit_answers(acting_user, submission),
        gettext("You may not change the evidence of this submission's answers."),
    )
    require_accepts_answers(submission.round, f"{doing} are")
    if not submission.editable:
        raise MnrError(
            f"submission {submission} is {submission.status}: {doing} are refused; it can be "
            "changed again only after a reviewer returns it or an analyst reopens it"
        )
    return submission


def _question(submission: Submission, code: str) -> InstrumentQuestion:
    # A NUL is in no question code, and PostgreSQL refuses one even in a query.
    question = (
        None
        if "\x00" in code
        else InstrumentQuestion.objects.filter(
            instrument_id=submission.round.instrument_id, code=code
        ).first()
    )
    if question is None or not question.asked_of(submission.channel):
        raise MnrError(
            f"submission {submission}: no question {code!r} is asked of the "
            f"{submission.channel} channel; attach the file to a question of its pages"
        )
    return question


def _content(question: str, uploaded_file: UploadedFile) -> bytes:
    """The file's bytes, read only when its declared size is within the limit."""
    name = uploaded_file.name or ""
    if uploaded_file.size is not None and uploaded_file.size > MAX_EVIDENCE_BYTES:
        raise MnrError(
            f"{question}: {name!r} is {uploaded_file.size:,} bytes; evidence files may be at "
            f"most {MAX_EVIDENCE_BYTES // 1024 // 1024} MiB: compress it or attach the "
            "relevant part"
        )
    uploaded_file.seek(0)
    content: bytes = uploaded_file.read(MAX_EVIDENCE_BYTES + 1)
    return content


@transaction.atomic
def attach_evidence(
    submission: Submission,
    question_code: str,
    uploaded_file: UploadedFile,
    *,
    acting_user: Any = None,
    source: str = "web",
) -> Evidence:
    """Attach ``uploaded_file`` to the answer to ``question_code`` (created blank if there is
    none yet); MnrError naming the question and the file when it is refused."""
    submission = _editable(submission, acting_user, "evidence files")
    question = _question(submission, question_code)
    content = _content(question.code, uploaded_file)
    try:
        checked = check_evidence(uploaded_file.name or "", content)
    except EvidenceRefused as refused:
        raise MnrError(f"{question.code}: {refused}") from refused
    answer, _ = Answer.objects.select_for_update(of=("self",)).get_or_create(
        submission=submission, question=question, defaults={"version": 0}
    )
    attached = Evidence.objects.filter(answer=answer).attached().count()
    if attached >= MAX_EVIDENCE_FILES:
        raise MnrError(
            f"{question.code}: {attached} files are attached already, the most an answer may "
            "have; remove one first"
        )
    key = storage.new_key(checked.sha256)
    storage.write(key, content)
    try:
        evidence = Evidence.objects.create(
            answer=answer,
            stored_as=key,
            original_name=checked.name,
            content_type=checked.file_type.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=acting_user,
            source=source,
        )
        AnswerChange.objects.create(
            answer=answer,
            field=EVIDENCE_FIELD,
            old="",
            new=evidence.described,
            changed_by=acting_user,
            source=source,
        )
        record_event(
            "evidence.attach",
            submission,
            actor=acting_user,
            source=source,
            question=question.code,
            evidence=evidence.pk,
            name=checked.name,
            size=checked.size,
            sha256=checked.sha256,
        )
    except BaseException:
        storage.delete(key)
        raise
    return evidence


@transaction.atomic
def remove_evidence(
    submission: Submission,
    evidence_id: int,
    *,
    acting_user: Any = None,
    source: str = "web",
) -> Evidence:
    """Remove a file attached to an answer of ``submission``: its row and its bytes stay,
    marked removed; the answer's pages no longer list or serve it."""
    submission = _editable(submission, acting_user, "removals of evidence files")
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("answer__question")
        .filter(pk=evidence_id, answer__submission=submission)
        .first()
    )
    if evidence is None:
        raise MnrError(f"submission {submission} has no evidence file {evidence_id}")
    if evidence.removed:
        raise MnrError(
            f"{evidence.answer.question.code}: {evidence.original_name!r} was removed already"
        )
    evidence.removed_at = timezone.now()
    evidence.removed_by = acting_user
    evidence.save(update_fields=["removed_at", "removed_by"])
    AnswerChange.objects.create(
        answer=evidence.answer,
        field=EVIDENCE_FIELD,
        old=evidence.described,
        new="",
        changed_by=acting_user,
        source=source,
    )
    record_event(
        "evidence.remove",
        submission,
        actor=acting_user,
        source=source,
        question=evidence.answer.question.code,
        evidence=evidence.pk,
        name=evidence.original_name,
    )
    # The bytes stay: nothing a user entered is lost, and the history can still be followed to
    # the file. A removed file is no longer listed or served on the answer's pages.
    return evidence
