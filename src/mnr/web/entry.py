"""Answer entry and review pages.

Focal points answer a submission one domain page at a time (saved as they go through the JSON
endpoint, or with the plain form), then submit it; reviewers return or validate it; analysts
reopen a validated one. Each view reads through the access helper, calls one action, renders.

Both ways of saving send the version of each answer the page was loaded with. When someone else
saved an answer meanwhile, nothing is saved: the JSON endpoint answers 409 with the stored
answers, and the form comes back (409) with the user's text still in it, what was saved
meanwhile beside it, and a choice between the two for each such answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mnr.accounts.models import Role
from mnr.accounts.permissions import focal_point_respondents, scope_filter
from mnr.core.respondents import LEAD, respondent_label
from mnr.errors import MnrError
from mnr.frameworks.models import Channel
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.access import (
    can_edit_answers,
    can_manage_round,
    can_review,
    get_round_for_user,
    get_submission_for_user,
    may_answer,
)
from mnr.surveys.actions import AnswerInput
from mnr.surveys.conflicts import AnswerState, StaleAnswer, current_states
from mnr.surveys.models import (
    Answer,
    Participation,
    QuestionComment,
    Round,
    Submission,
    SubmissionTransition,
)
from mnr.web import submission_list
from mnr.web.action_messages import shown
from mnr.web.questionnaire import (
    GENERAL,
    HistoryRow,
    Questionnaire,
    Section,
    answer_history,
    build_questionnaire,
    posted_digest,
    progress_json,
)

ChannelLabels = dict[str, Mapping[str, str]]
_FIELDS = ("value", "comment", "evidence_url", "publishable", "confidence", "expected_version")
# What a form shown with a conflict says about an answer: save the user's own text (as the form
# holds it, edited or not), or take the one saved meanwhile.
MINE, THEIRS = "mine", "theirs"
RECENT_CHANGES = 10
SESSION_ENDED = gettext_lazy(
    "Your session has ended. Sign in again: your changes are kept in this browser and will be "
    "saved when you come back to this page."
)


# --- My submissions --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionRow:
    submission: Submission
    channel_label: Mapping[str, str]
    may_answer: bool
    may_review: bool
    completion: submission_list.Completion


@dataclass(frozen=True)
class Startable:
    round: Round
    jurisdiction: Jurisdiction
    channel: str
    channel_label: Mapping[str, str]
    respondent: str = LEAD

    @property
    def respondent_label(self) -> str:
        return (
            _("Lead respondent") if self.respondent == LEAD else respondent_label(self.respondent)
        )


def _answerable_participations(user: Any) -> list[Participation]:
    """Participations of rounds still taking answers where the user is a focal point.

    Administrators, who are focal points everywhere, get none: they are not offered every
    jurisdiction."""
    scope = scope_filter(user, (Role.FOCAL_POINT,))
    if scope is None:
        return []
    return list(
        Participation.objects.filter(scope)
        .filter(round__in=Round.objects.visible_to(user))
        .exclude(round__status__in=[Round.Status.CLOSED, Round.Status.PUBLISHED])
        .select_related("round", "jurisdiction")
    )


def startable(user: Any, listed: list[Submission], channels: ChannelLabels) -> list[Startable]:
    """Channels of rounds still taking answers where the user is a focal point of a taking part
    jurisdiction and nothing was started yet, for the respondent their role names (the lead's
    focal point: the lead).

    Administrators, who are focal points everywhere, are not offered every jurisdiction."""
    participations = _answerable_participations(user)
    started = {(s.round_id, s.jurisdiction_id, s.channel, s.respondent) for s in listed}
    return [
        Startable(
            p.round, p.jurisdiction, channel, channels.get(channel, {"en": channel}), respondent
        )
        for p in participations
        for respondent in focal_point_respondents(
            user, jurisdiction_id=p.jurisdiction_id, round_id=p.round_id
        )
        for channel in p.round.channels
        if (p.round_id, p.jurisdiction_id, channel, respondent) not in started
        and may_answer(
            user,
            round_id=p.round_id,
            jurisdiction_id=p.jurisdiction_id,
            channel=channel,
            respondent=respondent,
        )
    ]


def _lead_places(user: Any, channels: ChannelLabels) -> list[Startable]:
    """Round, jurisdiction and channel where the user is the lead's focal point in a round still
    taking answers: there they may start another respondent's submission (police, justice…)."""
    participations = _answerable_participations(user)
    return [
        Startable(p.round, p.jurisdiction, channel, channels.get(channel, {"en": channel}))
        for p in participations
        if LEAD
        in focal_point_respondents(user, jurisdiction_id=p.jurisdiction_id, round_id=p.round_id)
        for channel in p.round.channels
        if may_answer(
            user,
            round_id=p.round_id,
            jurisdiction_id=p.jurisdiction_id,
            channel=channel,
            respondent=LEAD,
        )
    ]


@login_required
@require_http_methods(["GET", "POST"])
def submissions(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _start_submission(request)
    listed = list(
        Submission.objects.visible_to(request.user).select_related("round", "jurisdiction")
    )
    channels = channel_labels()
    filters = submission_list.Filters.from_query(request.GET)
    shown = [s for s in listed if filters.matches(s)]
    completion = submission_list.completion(shown)
    shown.sort(
        key=lambda s: submission_list.sort_key(filters.sort, s, completion[s.pk]),
        reverse=filters.descending,
    )
    rows = [
        SubmissionRow(
            submission,
            channels.get(submission.channel, {"en": submission.channel}),
            may_answer=can_edit_answers(request.user, submission),
            may_review=can_review(request.user, submission)
            or can_manage_round(request.user, submission.round),
            completion=completion[submission.pk],
        )
        for submission in shown
    ]
    return render(
        request,
        "web/entry/submissions.html",
        {
            "rows": rows,
            "listed": len(listed),
            "filters": filters,
            "status_counts": submission_list.status_counts(
                (s for s in listed if filters.matches(s, ignore_status=True)), filters
            ),
            "choices": _filter_choices(listed, channels),
            "sorts": [
                (column, title, filters.sort_link(column))
                for column, title in submission_list.SORTS.items()
            ],
            "startable": startable(request.user, listed, channels),
            "lead_places": _lead_places(request.user, channels),
        },
    )


def _filter_choices(listed: list[Submission], channels: ChannelLabels) -> dict[str, Any]:
    """What the filters of the submissions list offer: the rounds, channels and jurisdictions
    of the submissions the user can see, by name."""
    rounds = {s.round.code: s.round.title for s in listed}
    jurisdictions = {
        s.jurisdiction.code: submission_list.shown_name(s.jurisdiction) for s in listed
    }
    return {
        "rounds": sorted(rounds.items(), key=lambda item: submission_list.folded(item[1])),
        "channels": [
            (code, channels.get(code, {"en": code})) for code in sorted({s.channel for s in listed})
        ],
        "jurisdictions": sorted(
            jurisdictions.items(), key=lambda item: submission_list.folded(item[1])
        ),
    }


def _start_submission(request: HttpRequest) -> HttpResponse:
    round_ = get_round_for_user(request.user, request.POST.get("round", ""))
    jurisdiction = Jurisdiction.objects.filter(code=request.POST.get("jurisdiction", "")).first()
    if jurisdiction is None:
        raise Http404(_("No such jurisdiction"))
    try:
        submission = actions.open_submission(
            round_,
            jurisdiction,
            request.POST.get("channel", ""),
            respondent=request.POST.get("respondent", LEAD).strip(),
            respondent_name=request.POST.get("respondent_name", "").strip(),
            acting_user=request.user,
            source="web",
        )
    except MnrError as error:
        messages.error(request, str(error))
        return redirect("submissions")
    return redirect("submission", submission.pk)


def channel_labels() -> ChannelLabels:
    return dict(Channel.objects.values_list("code", "label"))


# --- Answer pages ----------------------------------------------------------------------------


def _section_url(submission: Submission, section: Section | str) -> str:
    code = section if isinstance(section, str) else section.code
    url = reverse("submission", args=[submission.pk])
    return url if code == GENERAL else f"{url}?domain={code}"


def _transitions(submission: Submission) -> list[SubmissionTransition]:
    return list(submission.transitions.select_related("by"))


def _question_comments(submission: Submission) -> dict[str, list[QuestionComment]]:
    """The reviewers' comments on each question of ``submission``, oldest first."""
    comments: dict[str, list[QuestionComment]] = {}
    for comment in QuestionComment.objects.filter(submission=submission).select_related(
        "question", "by"
    ):
        comments.setdefault(comment.question.code, []).append(comment)
    return comments


def _submission_context(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    """What every page about one submission shows: its state and the reviewers' comments, on
    the submission and on each question."""
    transitions = _transitions(submission)
    returned = [t for t in transitions if t.to_status == Submission.Status.RETURNED]
    return {
        "question_comments": _question_comments(submission),
        "submission": submission,
        "channel_label": channel_labels().get(submission.channel, {"en": submission.channel}),
        "transitions": transitions,
        "latest_return": returned[-1]
        if returned and submission.status == Submission.Status.RETURNED
        else None,
        "may_answer": can_edit_answers(request.user, submission),
        "may_review": can_review(request.user, submission),
        "may_manage": can_manage_round(request.user, submission.round),
    }


def _answer_page(
    request: HttpRequest,
    submission: Submission,
    questionnaire: Questionnaire,
    section: Section,
    *,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = _submission_context(request, submission)
    position = questionnaire.sections.index(section)
    neighbours = questionnaire.sections
    context.update(
        questionnaire=questionnaire,
        section=section,
        editing=context["may_answer"] and submission.editable,
        previous=neighbours[position - 1] if position > 0 else None,
        next=neighbours[position + 1] if position + 1 < len(neighbours) else None,
        history=answer_history(submission, RECENT_CHANGES),
        recent_changes=RECENT_CHANGES,
        missing=questionnaire.missing,
        commented=[e for e in questionnaire.entries if e.code in context["question_comments"]],
        MINE=MINE,
        THEIRS=THEIRS,
        **extra,
    )
    return render(request, "web/entry/submission.html", context, status=status)


def _text(given: str | None) -> str | None:
    # Browsers send textarea line breaks as CRLF; JSON and stored text use LF.
    return None if given is None else given.replace("\r\n", "\n")


def _stripped(given: str | None) -> str | None:
    return None if given is None else given.strip()


def _version(given: str | None) -> int | None:
    """A version from a hidden input, or None when it holds none."""
    return int(given) if given is not None and given.isascii() and given.isdecimal() else None


@dataclass(frozen=True)
class PostedPage:
    """What the plain form of a page asks to save.

    ``changed``: answers the user changed (or chose to keep after a conflict), each with the
    version the page was loaded with; questions left as loaded are not saved again, so another
    person's change to them meanwhile is no conflict. ``unchosen``: answers shown in conflict
    for which the user chose neither text, and answers whose version the form garbled (they
    are shown in conflict with what is stored). ``loaded``: the digest each answer was loaded
    with. A form without versions (a page from before them) saves over what is stored."""

    changed: dict[str, AnswerInput]
    unchosen: dict[str, AnswerInput]
    loaded: dict[str, str]


def _answers_from_form(post: QueryDict) -> PostedPage:
    """The answers of the questions the page showed (an unticked box sends nothing)."""
    changed, unchosen, loaded = {}, {}, {}
    for code in post.getlist("question"):
        version = post.get(f"{code}:version")
        answer = AnswerInput(
            value=_text(post.get(f"{code}:value")),
            comment=_text(post.get(f"{code}:comment")),
            evidence_url=_stripped(post.get(f"{code}:evidence_url")),
            publishable=f"{code}:publishable" in post,
            confidence=_stripped(post.get(f"{code}:confidence")),
            expected_version=_version(version),
        )
        loaded[code] = post.get(f"{code}:loaded", "")
        garbled = version is not None and answer.expected_version is None
        if post.get(f"{code}:conflict") or garbled:
            choice = post.get(f"{code}:choice")
            if choice == MINE:
                changed[code] = answer
            elif choice != THEIRS:
                unchosen[code] = answer
        elif posted_digest(answer) != loaded[code]:
            changed[code] = answer
    return PostedPage(changed, unchosen, loaded)


def _conflict_message(count: int) -> str:
    return ngettext(
        "Nothing was saved: an answer on this page was saved by someone else while you were "
        "editing. Your text is still in the form; what was saved meanwhile is shown beside it. "
        "Choose which to keep for each marked answer, then save again.",
        "Nothing was saved: %(count)s answers on this page were saved by someone else while you "
        "were editing. Your text is still in the form; what was saved meanwhile is shown beside "
        "it. Choose which to keep for each marked answer, then save again.",
        count,
    ) % {"count": count}


def _save_form(request: HttpRequest, submission: Submission, code: str) -> HttpResponse:
    """Save the plain form of a page; on a conflict or an error, show the page again with
    everything the user entered."""
    posted = _answers_from_form(request.POST)
    conflicts: dict[str, AnswerState] = {}
    error = ""
    if posted.unchosen:
        conflicts = current_states(submission, list(posted.unchosen))
        error = _(
            "Nothing was saved: choose which text to keep for each answer marked below "
            "(yours, as the form holds it, or the one saved meanwhile), then save again."
        )
    else:
        try:
            changed = actions.save_answers(
                submission, posted.changed, acting_user=request.user, source="web"
            )
        except StaleAnswer as stale:
            conflicts = stale.current
            error = _conflict_message(len(conflicts))
        except MnrError as refused:
            error = str(refused)
        else:
            messages.success(
                request,
                ngettext("Saved (%(count)s change).", "Saved (%(count)s changes).", changed)
                % {"count": changed},
            )
            return redirect(_section_url(submission, code))
    questionnaire = build_questionnaire(submission)
    questionnaire.overlay({**posted.changed, **posted.unchosen}, posted.loaded)
    questionnaire.show_conflicts(conflicts)
    return _answer_page(
        request,
        submission,
        questionnaire,
        _section_or_404(questionnaire, code),
        status=409 if conflicts else 400,
        error=error,
    )


@login_required
@require_http_methods(["GET", "POST"])
def submission_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One page of the questionnaire: the overview and general questions, or a domain."""
    code = request.GET.get("domain") or GENERAL
    if request.method == "POST":
        return _save_form(request, get_submission_for_user(request.user, pk, write=True), code)
    submission = get_submission_for_user(request.user, pk)
    questionnaire = build_questionnaire(submission)
    return _answer_page(request, submission, questionnaire, _section_or_404(questionnaire, code))


def _section_or_404(questionnaire: Questionnaire, code: str) -> Section:
    section = questionnaire.section(code)
    if section is None:
        raise Http404(_("No section %(code)r in this questionnaire") % {"code": code})
    return section


def _answers_from_json(body: bytes) -> dict[str, AnswerInput]:
    """The answers of a save request; MnrError (a 400) for anything else, named by its path.

    JSON can spell text that is not Unicode (``"\\ud800"``) or holds NUL (``"\\u0000"``); such
    text is refused here, before it reaches the database."""
    # Imported here: only this function of the module reads the limits.
    from mnr.core.limits import MAX_SAVE_BYTES, text_problem

    shape = (
        'send {"answers": {"<question code>": {"value": "...", "comment": "...", '
        '"expected_version": <the version you read>}}}'
    )
    if len(body) > MAX_SAVE_BYTES:
        raise MnrError(
            f"the request body is {len(body):,} bytes; at most {MAX_SAVE_BYTES:,} are accepted "
            "at once: save fewer answers per request"
        )
    try:
        data = json.loads(body)
    except ValueError as error:
        raise MnrError(f"the request body is not JSON ({error}); {shape}") from error
    except RecursionError as error:
        raise MnrError(f"the request body is nested too deeply; {shape}") from error
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        raise MnrError(f"no answers in the request; {shape}")
    given = {}
    for code, fields in answers.items():
        if problem := text_problem("question", code):
            raise MnrError(f"answers: a question code is refused: {problem}")
        if not isinstance(fields, dict):
            raise MnrError(f"answers.{code} must be an object; {shape}")
        if unknown := sorted(set(fields) - set(_FIELDS)):
            raise MnrError(
                f"answers.{code}: unknown field(s) {', '.join(unknown)}; "
                f"fields are {', '.join(_FIELDS)}"
            )
        for name in ("value", "comment", "evidence_url", "confidence"):
            if name in fields and not isinstance(fields[name], str):
                raise MnrError(f"answers.{code}.{name} must be text")
            if name in fields and (problem := text_problem(name, fields[name])):
                raise MnrError(f"answers.{code}.{name}: {problem}")
        if "publishable" in fields and not isinstance(fields["publishable"], bool):
            raise MnrError(f"answers.{code}.publishable must be true or false")
        version = fields.get("expected_version")
        if "expected_version" in fields and (
            isinstance(version, bool) or not isinstance(version, int) or version < 0
        ):
            raise MnrError(
                f"answers.{code}.expected_version must be a whole number, 0 or more: the "
                "version of the answer you read (0 when it had none); leave it out to save "
                "over whatever is stored"
            )
        given[code] = AnswerInput(**fields)
    return given


@require_POST
def submission_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save-as-you-go: ``{"answers": {code: {field: value, "expected_version": n}}}`` → how
    many fields changed, the answers' versions now, and the progress after saving.

    Answers in JSON: 401 when the session has ended (the page keeps the changes and re-sends
    them after signing in), 400 for invalid answers, 409 when the submission is locked, and
    409 with ``conflicts`` (the stored answers) when someone saved one of them after the
    version the request read; nothing of such a request is saved."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": str(SESSION_ENDED)}, status=401)
    try:
        submission = get_submission_for_user(request.user, pk, write=True)
    except Http404:
        return JsonResponse({"error": _("No submission %(pk)s") % {"pk": pk}}, status=404)
    except PermissionDenied as error:
        return JsonResponse({"error": str(error)}, status=403)
    try:
        given = _answers_from_json(request.body)
        changed = actions.save_answers(submission, given, acting_user=request.user, source="web")
    except StaleAnswer as stale:
        return JsonResponse({**stale.as_json(), "editable": submission.editable}, status=409)
    except MnrError as error:
        return JsonResponse(
            {"error": str(error), "editable": submission.editable},
            status=400 if submission.editable else 409,
        )
    stored = dict(
        Answer.objects.filter(submission=submission, question__code__in=list(given)).values_list(
            "question__code", "version"
        )
    )
    return JsonResponse(
        {
            "changed": changed,
            "versions": {code: stored.get(code, 0) for code in given},
            "progress": progress_json(submission),
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def submission_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET, or a POST without ``confirmed``: the confirmation page (what is answered, what
    happens next); a POST with ``confirmed``: submit."""
    submission = get_submission_for_user(request.user, pk, write=True)
    if request.method == "GET" or request.POST.get("confirmed") != "yes":
        return _confirm_submit_page(request, submission)
    try:
        actions.submit(submission, acting_user=request.user, source="web")
    except MnrError as error:
        questionnaire = build_questionnaire(submission)
        entries = {e.code: e for e in questionnaire.entries}
        missing = [entries[q.code] for q in actions.missing_required(submission)]
        return _answer_page(
            request,
            submission,
            questionnaire,
            questionnaire.sections[0],
            status=400,
            error=str(error),
            submit_missing=missing,
        )
    messages.success(request, _("Submitted for review. You will see the reviewer's comments here."))
    return redirect("submission", submission.pk)


def _confirm_submit_page(request: HttpRequest, submission: Submission) -> HttpResponse:
    context = _submission_context(request, submission)
    questionnaire = build_questionnaire(submission)
    context.update(questionnaire=questionnaire, missing=questionnaire.missing)
    return render(request, "web/entry/confirm_submit.html", context)


# --- Review ----------------------------------------------------------------------------------


def _changed_since_returned(
    transitions: list[SubmissionTransition], history: list[HistoryRow]
) -> tuple[SubmissionTransition | None, list[HistoryRow]]:
    """The last return to the focal point and the changes to the answers made after it (the
    reviewer looks at these first), newest first."""
    returns = [t for t in transitions if t.to_status == Submission.Status.RETURNED]
    if not returns:
        return None, []
    last = returns[-1]
    return last, [row for row in history if row.change.changed_at > last.at]


def _review_page(
    request: HttpRequest, submission: Submission, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = _submission_context(request, submission)
    if not (context["may_review"] or context["may_manage"]):
        raise PermissionDenied(_("Only reviewers and analysts of this round review submissions."))
    history = answer_history(submission)
    last_return, since_return = _changed_since_returned(context["transitions"], history)
    context.update(
        questionnaire=build_questionnaire(submission),
        history=history,
        last_return=last_return,
        since_return=since_return,
        commenting=submission.status in (Submission.Status.SUBMITTED, Submission.Status.RETURNED),
        **extra,
    )
    return render(request, "web/entry/review.html", context, status=status)


@login_required
@require_GET
def submission_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, get_submission_for_user(request.user, pk))


def _review_step(
    request: HttpRequest,
    pk: int,
    step: Callable[[Submission, str], object],
    done: str,
    form: str,
) -> HttpResponse:
    submission = get_submission_for_user(request.user, pk)
    comment = _text(request.POST.get("comment", "")) or ""
    try:
        step(submission, comment)
    except MnrError as error:
        return _review_page(
            request, submission, status=400, error=shown(error), failed_form=form, comment=comment
        )
    messages.success(request, done)
    return redirect("submission-review", submission.pk)


@login_required
@require_POST
def submission_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        lambda submission, comment: actions.return_for_changes(
            submission, comment, acting_user=request.user, source="web"
        ),
        _("Returned to the focal point with your comment."),
        "return",
    )


@login_required
@require_POST
def submission_validate(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        lambda submission, comment: actions.validate(
            submission, comment=comment, acting_user=request.user, source="web"
        ),
        _("Validated. The submission is now locked."),
        "validate",
    )


@login_required
@require_POST
def submission_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer's comment on one question; back to that question on the review page."""
    submission = get_submission_for_user(request.user, pk)
    code = request.POST.get("question", "")
    body = _text(request.POST.get("body", "")) or ""
    try:
        actions.comment_on_question(submission, code, body, acting_user=request.user, source="web")
    except MnrError as error:
        return _review_page(
            request,
            submission,
            status=400,
            error=_("Comment not saved: %(error)s") % {"error": error},
            failed_question=code,
            comment=body,
        )
    messages.success(
        request,
        _("Comment on %(question)s saved; the focal point sees it beside it.") % {"question": code},
    )
    anchor = "q-" + code.replace(".", "_")
    return redirect(reverse("submission-review", args=[submission.pk]) + f"#{anchor}")


@login_required
@require_POST
def submission_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_step(
        request,
        pk,
        lambda submission, comment: actions.reopen(
            submission, comment, acting_user=request.user, source="web"
        ),
        _("Reopened. The focal point can change the answers again."),
        "reopen",
    )


@login_required
@require_GET
def submission_history(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request.user, pk)
    context = _submission_context(request, submission)
    context["history"] = answer_history(submission)
    return render(request, "web/entry/history.html", context)
