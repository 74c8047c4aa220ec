"""``mnr review validate|return|reopen``: the review pages' steps for the operator.

The same actions as the web pages (``mnr.surveys.actions``). The operator is not a person, so
the four-eyes rule does not apply to it; the transitions record no user and their audit events
the source ``cli``: whoever runs the command answers for it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.db.models import QuerySet

from mnr.commands import MnrCommand
from mnr.errors import MnrError, unknown
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.lookups import participant, round_by_code
from mnr.surveys.models import Round, Submission

SOURCE = "cli"
_RESPONDENT_HELP = "a respondent of the jurisdiction, such as police (default: the lead)"


def _label(submission: Submission) -> str:
    respondent = f" {submission.respondent}" if submission.respondent else ""
    return f"{submission.jurisdiction.code} {submission.channel}{respondent}"


class Command(MnrCommand):
    help = (
        "Validate, return or reopen submissions of a round, as the review pages do. "
        "The operator is recorded as the reviewer (no user; source cli)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="step", required=True)
        validate = sub.add_parser(
            "validate", help="accept submitted submissions; they are locked until reopened"
        )
        validate.add_argument("--round", required=True, dest="round_code")
        which = validate.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--all", action="store_true", help="every submitted submission of the round"
        )
        which.add_argument("--jurisdiction", help="one jurisdiction (alpha-2, alpha-3, numeric)")
        validate.add_argument(
            "--channel", help="one channel (default: every submitted channel of the jurisdiction)"
        )
        validate.add_argument("--respondent", default="", help=_RESPONDENT_HELP)
        validate.add_argument("--comment", default="", help="kept with the transition")
        for step, text in (
            ("return", "send a submitted submission back to its focal point"),
            ("reopen", "unlock a validated submission; it goes back as returned"),
        ):
            parser_ = sub.add_parser(step, help=text)
            parser_.add_argument("--round", required=True, dest="round_code")
            parser_.add_argument("--jurisdiction", required=True)
            parser_.add_argument("--channel", required=True)
            parser_.add_argument("--respondent", default="", help=_RESPONDENT_HELP)
            parser_.add_argument("--comment", required=True, help="what needs changing, or why")

    def run(self, *args: Any, **options: Any) -> None:
        round_ = round_by_code(options["round_code"])
        step = options["step"]
        if step == "validate":
            self._validate(round_, options)
            return
        submission = _submission(
            round_, options["jurisdiction"], options["channel"], options["respondent"]
        )
        if step == "return":
            actions.return_for_changes(submission, options["comment"], source=SOURCE)
        else:
            actions.reopen(submission, options["comment"], source=SOURCE)
        self.stdout.write(f"{round_.code} {_label(submission)} is now returned")

    def _validate(self, round_: Round, options: dict[str, Any]) -> None:
        comment = options["comment"]
        if options["channel"] and options["all"]:
            raise MnrError("--channel goes with --jurisdiction, not with --all")
        if options["respondent"] and not options["channel"]:
            raise MnrError("--respondent goes with --jurisdiction and --channel")
        if options["channel"]:
            submission = _submission(
                round_, options["jurisdiction"], options["channel"], options["respondent"]
            )
            actions.validate(submission, comment=comment, source=SOURCE)
            self.stdout.write(f"{round_.code} {_label(submission)} is now validated")
            return
        chosen = _submissions(round_)
        if not options["all"]:
            chosen = chosen.filter(jurisdiction=_jurisdiction(round_, options["jurisdiction"]))
        if not any(s.status == Submission.Status.SUBMITTED for s in chosen):
            whose = "round" if options["all"] else f"{options['jurisdiction']} in round"
            states = ", ".join(f"{_label(s)}: {s.status}" for s in chosen) or "nothing entered"
            raise MnrError(f"{whose} {round_.code} has no submitted submission ({states})")
        validated, refused = [], []
        for submission in chosen:
            if submission.status != Submission.Status.SUBMITTED:
                refused.append(f"{_label(submission)}: {submission.status}, not submitted")
                continue
            try:
                actions.validate(submission, comment=comment, source=SOURCE)
            except MnrError as error:
                refused.append(f"{_label(submission)}: {error}")
            else:
                validated.append(_label(submission))
        count = f"{len(validated)} submission{'s' if len(validated) != 1 else ''}"
        self.stdout.write(
            f"validated {count} of round {round_.code} ({', '.join(validated) or 'none'})"
        )
        if refused:
            self.stdout.write(f"not validated ({len(refused)}):")
            for line in refused:
                self.stdout.write(f"  {line}")


def _submissions(round_: Round) -> QuerySet[Submission]:
    return round_.submissions.select_related("jurisdiction", "round").order_by(
        "jurisdiction__code", "channel", "respondent"
    )


def _jurisdiction(round_: Round, given: str) -> Jurisdiction:
    return participant(round_, given)


def _submission(
    round_: Round, jurisdiction_code: str, channel: str, respondent: str
) -> Submission:
    jurisdiction = _jurisdiction(round_, jurisdiction_code)
    if channel not in round_.channels:
        raise unknown(f"channel of round {round_.code}", channel, round_.channels)
    submission = (
        _submissions(round_)
        .filter(jurisdiction=jurisdiction, channel=channel, respondent=respondent)
        .first()
    )
    if submission is None:
        by = f" by respondent {respondent!r}" if respondent else ""
        raise MnrError(
            f"{jurisdiction.code} has no submission through {channel}{by} in round "
            f"{round_.code}: nothing was entered there"
        )
    return submission
