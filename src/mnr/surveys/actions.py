"""Every change to rounds, submissions and answers goes through these functions.

Each checks permission, runs in one transaction, and records history and an audit event.
``acting_user=None`` is the operator at the command line (``mnr …``), who has direct access to
the database anyway; the ``source`` then says which command made the change.

The lifecycle rules hold for everyone, the operator included, whatever the source:

- a round takes answers, submissions, new submissions and participants while it is a draft
  or open (``Round.accepts_answers``); once closed or published, all of them are refused until
  an analyst opens it again;
- answers change only in a draft or returned submission; a submitted one takes changes only
  from an import (its respondent sent a corrected form), which flags it for its reviewer
  (``Submission.changed_since_submitted_at``); a validated one only after an analyst reopens it;
- nobody validates a submission they changed or submitted (four eyes), administrators
  included; the operator is not a person and is exempt, and is recorded as the validator;
- a writer that read an answer passes the version it read; a save against a newer version is
  refused with :class:`~mnr.surveys.conflicts.StaleAnswer` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mnr.accounts.models import Role
from mnr.accounts.permissions import has_role, require
from mnr.audit.record import record_event
from mnr.core.limits import text_problem
from mnr.core.respondents import (
    LEAD,
    MAX_RESPONDENT_NAME_LENGTH,
    confidence_problem,
    respondent_problem,
)
from mnr.errors import MnrError, unknown
from mnr.frameworks.models import Channel, Instrument, InstrumentQuestion
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.access import can_edit_answers, can_manage_round, can_review
from mnr.surveys.conflicts import AnswerState, StaleAnswer
from mnr.surveys.lookups import require_participant
from mnr.surveys.models import (
    Answer,
    AnswerChange,
    Participation,
    QuestionComment,
    Round,
    Submission,
    SubmissionTransition,
)

_url = URLValidator(schemes=["http", "https"])


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_accepts_answers(round_: Round, refused: str) -> None:
    """Refuse ``refused`` (what the caller was doing) when the round is closed or published."""
    if not round_.accepts_answers:
        raise MnrError(
            f"round {round_.code} is {round_.status}: {refused} refused; a round takes "
            "answers only while it is a draft or open (an analyst can open it again: "
            f"mnr round status {round_.code} open)"
        )


def locked_round(round_: Round) -> Round:
    """The round read again under a row lock: an import holds it while it writes, so a round
    closes before or after an import, never during one."""
    return Round.objects.select_for_update().select_related("instrument").get(pk=round_.pk)


def instrument_by_code(code: str) -> Instrument:
    instrument = Instrument.objects.filter(code=code).order_by("-version").first()
    if instrument is None:
        raise unknown(
            "instrument", code, Instrument.objects.values_list("code", flat=True).distinct()
        )
    return instrument


@transaction.atomic
def create_round(
    code: str,
    *,
    instrument: str,
    title: str = "",
    channels: Sequence[str] | None = None,
    income_fiscal_year: int = 2021,
    synthetic: bool = False,
    acting_user: Any = None,
    source: str = "cli",
) -> Round:
    """A new round on the newest loaded version of ``instrument``.

    ``channels`` are in priority order and default to the instrument's own order."""
    require(
        acting_user, has_role(acting_user, (Role.ANALYST,)), gettext("Only analysts create rounds.")
    )
    if Round.objects.filter(code=code).exists():
        raise MnrError(f"a round {code!r} exists already; choose another code")
    instrument_row = instrument_by_code(instrument)
    channels = list(channels) if channels else list(instrument_row.channels)
    known = set(Channel.objects.values_list("code", flat=True))
    for channel in channels:
        if channel not in known:
            raise unknown("channel", channel, known)
        if channel not in instrument_row.channels:
            raise unknown(
                f"channel for instrument {instrument_row.code}", channel, instrument_row.channels
            )
    if len(set(channels)) != len(channels):
        raise MnrError(f"channels list a channel twice: {','.join(channels)}")
    from mnr.jurisdictions.models import IncomeClassification

    years = set(IncomeClassification.objects.values_list("fiscal_year", flat=True).distinct())
    if income_fiscal_year not in years:
        raise unknown("income classification year", income_fiscal_year, years)
    round_ = Round.objects.create(
        code=code,
        title=title or code,
        instrument=instrument_row,
        channels=channels,
        income_fiscal_year=income_fiscal_year,
        synthetic=synthetic,
    )
    record_event("round.create", round_, actor=acting_user, source=source, channels=channels)
    return round_


@transaction.atomic
def add_participants(
    round_: Round, codes: Iterable[str], *, acting_user: Any = None, source: str = "cli"
) -> list[Participation]:
    """Make jurisdictions participants of the round; already participating ones are kept.

    Refused once the round is closed or published: its list of participants is part of what
    it published."""
    require(
        acting_user,
        can_manage_round(acting_user, round_),
        gettext("Only analysts manage participants."),
    )
    require_accepts_answers(round_, "new participants are")
    codes = list(dict.fromkeys(codes))
    found = {j.code: j for j in Jurisdiction.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise MnrError(
            f"unknown jurisdiction code(s): {', '.join(missing)}; "
            "use ISO 3166-1 alpha-2 codes or a listed non-country code (mnr jurisdictions list)"
        )
    existing = set(round_.participations.values_list("jurisdiction__code", flat=True))
    added = [
        Participation.objects.create(round=round_, jurisdiction=found[c])
        for c in codes
        if c not in existing
    ]
    if added:
        record_event(
            "round.add_participants",
            round_,
            actor=acting_user,
            source=source,
            jurisdictions=[p.jurisdiction.code for p in added],
        )
    return added


@transaction.atomic
def open_submission(
    round_: Round,
    jurisdiction: Jurisdiction,
    channel: str,
    *,
    respondent: str = LEAD,
    respondent_name: str = "",
    acting_user: Any = None,
    source: str = "cli",
) -> Submission:
    """The submission of a participating jurisdiction through a channel by a respondent (blank:
    the lead), created if needed, for those who may answer it or manage the round.

    ``respondent_name`` names the respondent; given for an existing submission with another
    name, it renames it (event ``submission.rename``). Refused once the round is closed or
    published (nothing can be entered there any more)."""
    require_accepts_answers(round_, "answers are")
    if channel not in round_.channels:
        raise unknown(f"channel of round {round_.code}", channel, round_.channels)
    if problem := respondent_problem(respondent):
        raise MnrError(problem)
    respondent_name = respondent_name.strip()
    if len(respondent_name) > MAX_RESPONDENT_NAME_LENGTH or text_problem("name", respondent_name):
        raise MnrError(
            f"the name of respondent {respondent or '(lead)'} must be text of at most "
            f"{MAX_RESPONDENT_NAME_LENGTH} characters"
        )
    require_participant(round_, jurisdiction)
    place = Submission(
        round=round_, jurisdiction=jurisdiction, channel=channel, respondent=respondent
    )
    require(
        acting_user,
        can_edit_answers(acting_user, place) or can_manage_round(acting_user, round_),
        gettext("You may not open a submission for this jurisdiction and respondent."),
    )
    submission, created = Submission.objects.get_or_create(
        round=round_,
        jurisdiction=jurisdiction,
        channel=channel,
        respondent=respondent,
        defaults={"respondent_name": respondent_name},
    )
    if created:
        record_event("submission.create", submission, actor=acting_user, source=source)
    elif respondent_name and respondent_name != submission.respondent_name:
        old = submission.respondent_name
        submission.respondent_name = respondent_name
        submission.save(update_fields=["respondent_name", "updated_at"])
        record_event(
            "submission.rename",
            submission,
            actor=acting_user,
            source=source,
            old=old,
            new=respondent_name,
        )
    return submission


@dataclass(frozen=True)
class AnswerInput:
    """What a user gives for one question; ``None`` leaves that field as it is.

    ``expected_version`` is the answer's version the writer read (0: it read no answer);
    ``None`` means the writer did not read it first, and its input overwrites what is stored."""

    value: str | None = None
    comment: str | None = None
    evidence_url: str | None = None
    publishable: bool | None = None
    # low, medium or high (mnr.core.respondents.CONFIDENCE_LEVELS); phase questions only.
    confidence: str | None = None
    expected_version: int | None = None


def check_value(question: InstrumentQuestion, value: str) -> str | None:
    """Why ``value`` is not a valid answer to ``question``, or None when it is."""
    if value == "" or question.type == "text":
        return None
    codes = question.choice_codes
    if codes and value not in codes:
        return f"answer {value!r} is not among the choices of {question.code}: {', '.join(codes)}"
    return None


def check_confidence(question: InstrumentQuestion, confidence: str) -> str | None:
    """Why ``confidence`` cannot be stored with an answer to ``question``, or None: a level of
    ``CONFIDENCE_LEVELS``, given for phase questions only (blank is fine anywhere)."""
    if problem := confidence_problem(confidence):
        return f"{question.code}: {problem}"
    if confidence and question.type != "phase":
        return (
            f"{question.code}: a confidence level is given for phase questions only; "
            f"{question.code} is a {question.type} question"
        )
    return None


_FIELDS = ("value", "comment", "evidence_url", "publishable", "confidence")


@transaction.atomic
def save_answers(
    submission: Submission,
    answers: Mapping[str, AnswerInput],
    *,
    acting_user: Any = None,
    source: str = "web",
    amend_submitted: bool = False,
) -> int:
    """Save answers keyed by question code; returns how many fields changed.

    The same rules for every caller, the operator included: the round must take answers (a
    draft or open round) and the submission must be a draft or returned. ``amend_submitted``
    (imports: the respondent sent a corrected form) also lets a submitted submission change;
    the change is flagged for its reviewer (``changed_since_submitted_at``). A validated
    submission changes only after an analyst reopens it.

    Every changed field gets a history row (who, when, old → new) and the answer's version goes
    up by one; unchanged input writes nothing. An input whose ``expected_version`` is not the
    stored version (0 for an answer not saved yet) and that would change the answer raises
    :class:`StaleAnswer` with the stored answers, and nothing of the call is written. The
    submission and answer rows stay locked until the transaction ends, so two writers of one
    submission take turns."""
    submission = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("round", "round__instrument")
        .get(pk=submission.pk)
    )
    require(
        acting_user,
        can_edit_answers(acting_user, submission),
        gettext("You may not answer for this jurisdiction."),
    )
    require_accepts_answers(submission.round, "changes to its answers are")
    amending = amend_submitted and submission.status == Submission.Status.SUBMITTED
    if not (submission.editable or amending):
        raise MnrError(
            f"submission {submission} is {submission.status}; it can be changed again only "
            "after a reviewer returns it or an analyst reopens it"
        )
    # Only the questions answered: a save-as-you-go sends one or two at a time.
    questions = {
        q.code: q
        for q in InstrumentQuestion.objects.filter(
            instrument_id=submission.round.instrument_id, code__in=list(answers)
        )
    }
    problems = []
    for code, given in answers.items():
        question = questions.get(code)
        if question is None:
            problems.append(
                f"unknown question {code!r} for instrument {submission.round.instrument.code}"
            )
            continue
        if not question.asked_of(submission.channel):
            problems.append(f"question {code} is not asked through channel {submission.channel}")
        texts = {"value": given.value, "comment": given.comment, "evidence_url": given.evidence_url}
        limited = [
            f"{code}: {problem}"
            for field, value in texts.items()
            if value is not None and (problem := text_problem(field, value))
        ]
        if limited:
            problems.extend(limited)
            continue
        if given.value is not None and (problem := check_value(question, given.value)):
            problems.append(problem)
        if given.confidence is not None and (
            problem := check_confidence(question, given.confidence)
        ):
            problems.append(problem)
        if given.evidence_url:
            try:
                _url(given.evidence_url)
            except ValidationError:
                problems.append(
                    f"evidence URL for {code} is not an http(s) address: {given.evidence_url!r}"
                )
    if problems:
        raise MnrError("; ".join(problems))

    existing = {
        answer.question.code: answer
        for answer in Answer.objects.select_for_update(of=("self",))
        .filter(submission=submission, question__code__in=list(answers))
        .select_related("question", "updated_by")
        .order_by("pk")
    }
    planned = {}
    stale: dict[str, AnswerState] = {}
    for code, given in answers.items():
        answer = existing.get(code) or Answer(submission=submission, question=questions[code])
        updates = _updates(given, answer)
        if not updates:
            continue
        stored = answer.version if answer.pk else 0
        if given.expected_version is not None and given.expected_version != stored:
            stale[code] = AnswerState.of(code, answer)
        planned[code] = (answer, updates)
    if stale:
        raise StaleAnswer(
            str(submission),
            stale,
            {code: answers[code].expected_version or 0 for code in stale},
        )

    changed = 0
    history = []
    for answer, updates in planned.values():
        old = {field: getattr(answer, field) for field in updates}
        for field, new in updates.items():
            setattr(answer, field, new)
        answer.updated_by = acting_user
        if answer.pk:
            answer.version += 1
        answer.save()
        for field, new in updates.items():
            history.append(
                AnswerChange(
                    answer=answer,
                    field=field,
                    old=_as_text(old[field]),
                    new=_as_text(new),
                    changed_by=acting_user,
                    source=source,
                )
            )
        changed += len(updates)
    AnswerChange.objects.bulk_create(history)
    if changed:
        detail: dict[str, Any] = {
            "fields": changed,
            "versions": {code: answer.version for code, (answer, _) in planned.items()},
        }
        if amending:
            submission.changed_since_submitted_at = timezone.now()
            submission.save(update_fields=["changed_since_submitted_at", "updated_at"])
            detail["changed_since_submitted"] = True
        record_event("answers.save", submission, actor=acting_user, source=source, **detail)
    return changed


def _updates(given: AnswerInput, answer: Answer) -> dict[str, Any]:
    """The fields ``given`` sets to something other than what ``answer`` holds."""
    return {
        field: getattr(given, field)
        for field in _FIELDS
        if getattr(given, field) is not None and getattr(given, field) != getattr(answer, field)
    }


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def missing_required(submission: Submission) -> list[InstrumentQuestion]:
    """Required questions asked of this channel, applicable given the answers, and unanswered."""
    values = dict(submission.answers.values_list("question__code", "value"))
    missing = []
    for question in InstrumentQuestion.objects.filter(instrument_id=submission.round.instrument_id):
        if not question.required or not question.asked_of(submission.channel):
            continue
        if question.applies(values) and not values.get(question.code):
            missing.append(question)
    return missing


def _transition(
    submission: Submission, to_status: str, *, acting_user: Any, comment: str = "", source: str
) -> Submission:
    transition = SubmissionTransition.objects.create(
        submission=submission,
        from_status=submission.status,
        to_status=to_status,
        comment=comment,
        by=acting_user,
    )
    detail: dict[str, Any] = {"from_status": transition.from_status, "comment": comment}
    submission.status = to_status
    fields = ["status", "updated_at"]
    if submission.changed_since_submitted_at is not None and to_status in (
        Submission.Status.RETURNED,
        Submission.Status.VALIDATED,
    ):
        # The reviewer has seen the changes an import made after the submission.
        detail["changed_since_submitted_at"] = submission.changed_since_submitted_at.isoformat()
        submission.changed_since_submitted_at = None
        fields.append("changed_since_submitted_at")
    submission.save(update_fields=fields)
    record_event(f"submission.{to_status}", submission, actor=acting_user, source=source, **detail)
    return submission


def _locked(submission: Submission) -> Submission:
    """The submission read again under a row lock, so that two steps on it take turns."""
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("round", "jurisdiction")
        .get(pk=submission.pk)
    )


def _own_work(submission: Submission, user: Any) -> str | None:
    """How ``user`` took part in the submission's answers ("changed answers of",
    "submitted"), or None."""
    if AnswerChange.objects.filter(answer__submission=submission, changed_by=user).exists():
        return "changed answers of"
    if submission.transitions.filter(to_status=Submission.Status.SUBMITTED, by=user).exists():
        return "submitted"
    return None


def _expect(submission: Submission, *statuses: str) -> None:
    if submission.status not in statuses:
        raise MnrError(
            f"submission {submission} is {submission.status}; this step needs it to be "
            + " or ".join(statuses)
        )


@transaction.atomic
def submit(
    submission: Submission,
    *,
    acting_user: Any = None,
    source: str = "web",
    allow_missing: bool = False,
) -> Submission:
    """Hand the answers to the reviewers; every required applicable question must be answered.

    ``allow_missing`` is for the operator recording a past round as it was answered (the 2021
    review had questions some jurisdictions left blank); the gaps are listed in the history.
    Refused once the round is closed or published."""
    submission = _locked(submission)
    require(
        acting_user,
        can_edit_answers(acting_user, submission),
        gettext("Only the focal point submits."),
    )
    if allow_missing and acting_user is not None:
        raise PermissionDenied("Only the operator may record a submission with missing answers.")
    require_accepts_answers(submission.round, "submissions are")
    _expect(submission, Submission.Status.DRAFT, Submission.Status.RETURNED)
    missing = [q.code for q in missing_required(submission)]
    if missing and not allow_missing:
        raise MnrError("required questions are unanswered: " + ", ".join(missing))
    comment = (
        f"recorded with unanswered required questions: {', '.join(missing)}" if missing else ""
    )
    return _transition(
        submission,
        Submission.Status.SUBMITTED,
        acting_user=acting_user,
        comment=comment,
        source=source,
    )


@transaction.atomic
def return_for_changes(
    submission: Submission, comment: str, *, acting_user: Any = None, source: str = "web"
) -> Submission:
    """A reviewer sends a submitted submission back to its focal point with a comment.

    Reviewers may return what they changed themselves (that hands it back; it approves
    nothing). Review steps stay possible in a closed or published round, but a returned
    submission there can be answered again only once an analyst opens the round."""
    submission = _locked(submission)
    require(
        acting_user,
        can_review(acting_user, submission),
        gettext("Only reviewers return submissions."),
    )
    _expect(submission, Submission.Status.SUBMITTED)
    if not comment.strip():
        raise MnrError("say what needs changing: returning a submission needs a comment")
    return _transition(
        submission,
        Submission.Status.RETURNED,
        acting_user=acting_user,
        comment=comment,
        source=source,
    )


@transaction.atomic
def validate(
    submission: Submission, *, acting_user: Any = None, comment: str = "", source: str = "web"
) -> Submission:
    """A reviewer accepts a submitted submission; it is locked until an analyst reopens it.

    Four eyes: nobody validates a submission whose answers they changed or that they
    submitted, administrators included. The operator at the command line (``mnr review
    validate``, ``acting_user=None``) is not a person and is exempt; the transition then
    records no user, and the audit event says which command validated it."""
    submission = _locked(submission)
    require(
        acting_user,
        can_review(acting_user, submission),
        gettext("Only reviewers validate submissions."),
    )
    _expect(submission, Submission.Status.SUBMITTED)
    if acting_user is not None and (own := _own_work(submission, acting_user)):
        raise MnrError(
            f"you {own} submission {submission}: another reviewer must validate it "
            "(four eyes: nobody validates their own answers)"
        )
    return _transition(
        submission,
        Submission.Status.VALIDATED,
        acting_user=acting_user,
        comment=comment,
        source=source,
    )


@transaction.atomic
def reopen(
    submission: Submission, comment: str, *, acting_user: Any = None, source: str = "web"
) -> Submission:
    """An analyst unlocks a validated submission; it goes back to the focal point as returned."""
    submission = _locked(submission)
    require(
        acting_user,
        can_manage_round(acting_user, submission.round),
        gettext("Only analysts reopen submissions."),
    )
    _expect(submission, Submission.Status.VALIDATED)
    if not comment.strip():
        raise MnrError("say why: reopening a validated submission needs a comment")
    return _transition(
        submission,
        Submission.Status.RETURNED,
        acting_user=acting_user,
        comment=comment,
        source=source,
    )


@transaction.atomic
def comment_on_question(
    submission: Submission,
    question_code: str,
    body: str,
    *,
    acting_user: Any = None,
    source: str = "web",
) -> QuestionComment:
    """A reviewer (or an analyst of the round) comments on one question of a submitted or
    returned submission; the focal point sees the comment beside the question."""
    submission = _locked(submission)
    require(
        acting_user,
        can_review(acting_user, submission) or can_manage_round(acting_user, submission.round),
        gettext("Only reviewers and analysts of this round comment on answers."),
    )
    _expect(submission, Submission.Status.SUBMITTED, Submission.Status.RETURNED)
    question = InstrumentQuestion.objects.filter(
        instrument_id=submission.round.instrument_id, code=question_code
    ).first()
    if question is None or not question.asked_of(submission.channel):
        raise MnrError(
            f"submission {submission}: no question {question_code!r} is asked of the "
            f"{submission.channel} channel; comment on a question of the review page"
        )
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise MnrError(f"question {question.code}: the comment is empty; say what to look at")
    if problem := text_problem("comment", body):
        raise MnrError(f"question {question.code}: {problem}")
    comment = QuestionComment.objects.create(
        submission=submission, question=question, body=body, by=acting_user
    )
    record_event(
        "submission.question_commented",
        submission,
        actor=acting_user,
        source=source,
        question=question.code,
        comment=comment.pk,
    )
    return comment


@transaction.atomic
def set_round_status(
    round_: Round, status: str, *, acting_user: Any = None, source: str = "web"
) -> Round:
    """Open, close or publish a round. Publishing makes its aggregates (never its
    jurisdiction-level answers) visible to everyone."""
    require(
        acting_user,
        can_manage_round(acting_user, round_),
        gettext("Only analysts change a round's status."),
    )
    if status not in Round.Status.values:
        raise unknown("round status", status, Round.Status.values)
    old = locked_round(round_).status
    if status != old:
        round_.status = status
        round_.save(update_fields=["status"])
        record_event("round.status", round_, actor=acting_user, source=source, old=old, new=status)
    return round_


@transaction.atomic
def update_round(
    round_: Round,
    *,
    title: str | None = None,
    opens_on: date | None = None,
    closes_on: date | None = None,
    disclosure_threshold: int | None = None,
    acting_user: Any = None,
    source: str = "web",
) -> Round:
    """Change a round's title, dates or disclosure threshold; ``None`` leaves a field as it is."""
    require(
        acting_user, can_manage_round(acting_user, round_), gettext("Only analysts edit a round.")
    )
    if title is not None and not title.strip():
        raise MnrError("a round needs a title")
    if disclosure_threshold is not None and disclosure_threshold < 1:
        raise MnrError("the disclosure threshold is a number of jurisdictions, 1 or more")
    opens = opens_on or round_.opens_on
    closes = closes_on or round_.closes_on
    if opens and closes and closes < opens:
        raise MnrError(f"the round cannot close ({closes}) before it opens ({opens})")
    wanted: dict[str, object] = {
        "title": title,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "disclosure_threshold": disclosure_threshold,
    }
    changes = {
        name: value
        for name, value in wanted.items()
        if value is not None and value != getattr(round_, name)
    }
    if changes:
        old = {name: str(getattr(round_, name)) for name in changes}
        for name, value in changes.items():
            setattr(round_, name, value)
        round_.save(update_fields=list(changes))
        record_event(
            "round.update",
            round_,
            actor=acting_user,
            source=source,
            old=old,
            new={name: str(value) for name, value in changes.items()},
        )
    return round_
