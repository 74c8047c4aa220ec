"""The home page as a dashboard: what needs the user's action in each of their roles, the
response status of each round by channel, and the deadlines.

The response status is counts of submissions per status only; it names no jurisdiction, so
anonymous visitors see it for the rounds they may see (published ones). What needs action is
read through the scoped querysets and the access predicates, with a fixed number of queries
whatever the number of submissions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from mnr.accounts.models import Role
from mnr.accounts.permissions import assignments, is_administrator
from mnr.frameworks.models import Channel
from mnr.publications.models import Publication
from mnr.surveys.access import can_edit_answers, can_manage_round, can_review
from mnr.surveys.models import Round, Submission, SubmissionTransition

STATUSES: Sequence[tuple[str, Any]] = Submission.Status.choices
# Column headings of the response status tables: one word each, so that four fit a phone.
# Lazy labels: each page shows them in its own language.
SHORT_STATUSES: Sequence[tuple[str, Any]] = [
    (status, gettext_lazy("Returned") if status == Submission.Status.RETURNED else label)
    for status, label in STATUSES
]


@dataclass(frozen=True)
class ChannelStatus:
    channel: str
    label: Mapping[str, str]
    counts: list[int]  # per status, in the order of STATUSES

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class RoundStatus:
    round: Round
    participants: int
    channels: list[ChannelStatus]

    @property
    def days_left(self) -> int | None:
        closes = self.round.closes_on
        return None if closes is None else (closes - timezone.localdate()).days

    @property
    def by_status(self) -> list[tuple[str, Any, list[int]]]:
        """Rows of the table: each status (its short name) with its count per channel; the
        channels are the columns, as there are few of them."""
        return [
            (status, label, [channel.counts[position] for channel in self.channels])
            for position, (status, label) in enumerate(SHORT_STATUSES)
        ]


def response_status(rounds: Sequence[Round]) -> list[RoundStatus]:
    """Per round and channel (the round's channels, in priority order), how many submissions
    are in each status: two queries for all rounds."""
    labels = dict(Channel.objects.values_list("code", "label"))
    counted: Counter[tuple[int, str, str]] = Counter()
    for row in (
        Submission.objects.filter(round__in=[r.pk for r in rounds])
        .values("round_id", "channel", "status")
        .annotate(n=Count("id"))
    ):
        counted[(row["round_id"], row["channel"], row["status"])] = row["n"]
    result = []
    for round_ in rounds:
        channels = list(round_.channels) + sorted(
            {c for (r, c, _) in counted if r == round_.pk} - set(round_.channels)
        )
        result.append(
            RoundStatus(
                round_,
                getattr(round_, "participant_count", 0),
                [
                    ChannelStatus(
                        channel,
                        labels.get(channel, {"en": channel}),
                        [counted[(round_.pk, channel, status)] for status, _ in STATUSES],
                    )
                    for channel in channels
                ],
            )
        )
    return result


@dataclass(frozen=True)
class Task:
    """One submission that waits for the user."""

    submission: Submission
    note: str = ""

    @property
    def deadline(self) -> date | None:
        return self.submission.round.closes_on

    @property
    def days_left(self) -> int | None:
        closes = self.deadline
        return None if closes is None else (closes - timezone.localdate()).days


@dataclass(frozen=True)
class RoundTask:
    """A round an analyst looks after."""

    round: Round
    participants: int
    validated: int
    submitted: int
    latest: Publication | None
    ready: bool


@dataclass
class Dashboard:
    roles: set[str] = field(default_factory=set)
    to_answer: list[Task] = field(default_factory=list)
    to_fix: list[Task] = field(default_factory=list)
    to_start: int = 0
    to_review: list[Task] = field(default_factory=list)
    rounds_to_publish: list[RoundTask] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def nothing_to_do(self) -> bool:
        return not (
            self.to_answer
            or self.to_fix
            or self.to_start
            or self.to_review
            or any(r.ready for r in self.rounds_to_publish)
        )


def _by_deadline(task: Task) -> tuple[date, str]:
    return (task.deadline or date.max, task.submission.jurisdiction.code)


def dashboard(user: Any, rounds: Sequence[Round], *, startable: int = 0) -> Dashboard:
    """What needs ``user``'s action; ``startable``: submissions they may start (as the
    submissions page offers them)."""
    board = Dashboard()
    if not user.is_authenticated:
        return board
    if is_administrator(user):
        board.roles.add(Role.ADMINISTRATOR)
        board.summary = _summary(rounds)
    board.roles |= {a.role for a in assignments(user)}
    roles = board.roles - {Role.ADMINISTRATOR}
    if not roles:
        return board
    submissions = list(
        Submission.objects.visible_to(user)
        .filter(round__in=[r.pk for r in rounds])
        .exclude(status=Submission.Status.VALIDATED)
        .select_related("round", "jurisdiction")
    )
    if Role.FOCAL_POINT in roles:
        board.to_start = startable
        for submission in submissions:
            if not (submission.editable and can_edit_answers(user, submission)):
                continue
            if submission.status == Submission.Status.RETURNED:
                board.to_fix.append(Task(submission))
            else:
                board.to_answer.append(Task(submission))
        board.to_fix.sort(key=_by_deadline)
        board.to_answer.sort(key=_by_deadline)
    if Role.REVIEWER in roles:
        waiting = [
            s
            for s in submissions
            if s.status == Submission.Status.SUBMITTED and can_review(user, s)
        ]
        returned_before = set(
            SubmissionTransition.objects.filter(
                submission__in=[s.pk for s in waiting], to_status=Submission.Status.RETURNED
            ).values_list("submission_id", flat=True)
        )
        board.to_review = sorted(
            (Task(s, _review_note(s, returned_before)) for s in waiting), key=_by_deadline
        )
    if Role.ANALYST in roles:
        board.rounds_to_publish = _rounds_to_publish(
            [r for r in rounds if can_manage_round(user, r)]
        )
    return board


def _review_note(submission: Submission, returned_before: set[int]) -> str:
    if submission.changed_since_submitted:
        return gettext("changed since submitted (an import)")
    if submission.pk in returned_before:
        return gettext("submitted again after a return: see what changed")
    return ""


def _rounds_to_publish(rounds: Sequence[Round]) -> list[RoundTask]:
    """The rounds with their validated and waiting counts; ready to publish when something was
    validated after the latest publication (or there is none yet)."""
    ids = [r.pk for r in rounds]
    counts: Counter[tuple[int, str]] = Counter()
    for row in (
        Submission.objects.filter(round__in=ids)
        .values("round_id", "status")
        .annotate(n=Count("id"))
    ):
        counts[(row["round_id"], row["status"])] = row["n"]
    last_validated: dict[int, datetime] = {
        row["submission__round_id"]: row["last"]
        for row in SubmissionTransition.objects.filter(
            submission__round__in=ids, to_status=Submission.Status.VALIDATED
        )
        .values("submission__round_id")
        .annotate(last=Max("at"))
    }
    latest: dict[int, Publication] = {}
    for stored in Publication.objects.filter(round__in=ids).only(
        "round_id", "number", "created_at"
    ):
        if stored.round_id not in latest:  # ordered newest first within a round
            latest[stored.round_id] = stored
    result = []
    for round_ in rounds:
        validated = counts[(round_.pk, Submission.Status.VALIDATED)]
        publication = latest.get(round_.pk)
        changed = last_validated.get(round_.pk)
        ready = bool(validated) and (
            publication is None or (changed is not None and changed > publication.created_at)
        )
        result.append(
            RoundTask(
                round_,
                getattr(round_, "participant_count", 0),
                validated,
                counts[(round_.pk, Submission.Status.SUBMITTED)],
                publication,
                ready,
            )
        )
    return result


def _summary(rounds: Sequence[Round]) -> dict[str, Any]:
    users = get_user_model().objects.aggregate(
        total=Count("id"), active=Count("id", filter=Q(is_active=True))
    )
    by_status = Counter(
        dict(Submission.objects.values_list("status").annotate(n=Count("id")).order_by())
    )
    rounds_by_status = Counter(r.status for r in rounds)
    return {
        "users": users["total"],
        "active_users": users["active"],
        "rounds": [
            (label, rounds_by_status.get(status, 0)) for status, label in Round.Status.choices
        ],
        "submissions": [(label, by_status.get(status, 0)) for status, label in STATUSES],
    }
