"""Publishing a round: freeze what it makes public as a new, numbered publication."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils.translation import gettext

from mnr.accounts.permissions import require
from mnr.audit.record import record_event
from mnr.core.disclosure import FigureRequest, Protection, attribution, protect
from mnr.core.findings import ANSWER_COLUMNS, Finding, Participant, RoundData
from mnr.core.respondents import LEAD
from mnr.errors import MnrError
from mnr.findings.data import RoundQuestions, round_questions
from mnr.frameworks.models import InstrumentQuestion
from mnr.publications.models import Publication
from mnr.reports.actions import DEFAULT_SNAPSHOT_EXCLUDE
from mnr.reports.models import Headline, NarrativeBlock, ReportSettings
from mnr.surveys.access import can_manage_round
from mnr.surveys.actions import set_round_status
from mnr.surveys.models import Answer, Round, Submission
from mnr.surveys.summary import round_summary

QUOTED_KINDS = ("good_practice", "challenges")


@dataclass(frozen=True)
class Content:
    """What a publication of the round holds: taken from the live round by
    :func:`current_content` (what publishing now would freeze, also the analysts' preview), or
    read back from a stored publication."""

    round: Round
    settings: dict[str, Any]
    submissions: list[dict[str, Any]]
    left_out: list[dict[str, Any]]
    answers: list[dict[str, Any]]
    report: dict[str, Any]
    quotes: list[dict[str, Any]]
    questions: RoundQuestions
    data: RoundData
    protection: Protection
    publication: Publication | None = None

    @classmethod
    def of(cls, publication: Publication, questions: RoundQuestions | None = None) -> Content:
        questions = questions or round_questions(publication.round)
        return cls(
            round=publication.round,
            settings=publication.round_settings,
            submissions=publication.submissions,
            left_out=publication.left_out,
            answers=publication.answers,
            report=publication.report,
            quotes=publication.quotes,
            questions=questions,
            data=frozen_round_data(publication.round_settings, publication.answers, questions),
            protection=Protection.from_json(publication.protection),
            publication=publication,
        )


def current_content(round_: Round) -> Content:
    """The round's validated answers with their disclosure-controlled findings, the report's
    texts and its quotes, as publishing now would freeze them."""
    submissions = list(
        Submission.objects.filter(round=round_)
        .select_related("jurisdiction")
        .order_by("jurisdiction__code", "channel", "respondent")
    )
    validated = [s for s in submissions if s.status == Submission.Status.VALIDATED]
    left_out = [
        {
            "jurisdiction": s.jurisdiction.code,
            "channel": s.channel,
            "respondent": s.respondent,
            "status": s.status,
        }
        for s in submissions
        if s.status != Submission.Status.VALIDATED
    ]
    answers = _frozen_answers(validated)
    settings = _round_settings(round_)
    report = _report_texts(round_)
    questions = round_questions(round_)
    data = frozen_round_data(settings, answers, questions)
    protection = protect(
        data,
        k=round_.disclosure_threshold,
        figures=[
            FigureRequest(h["key"], h["question"], tuple(h["counts_as"]), h["population"])
            for h in report["headlines"]
        ],
    )
    return Content(
        round=round_,
        settings=settings,
        submissions=_submission_rows(validated, answers),
        left_out=left_out,
        answers=answers,
        report=report,
        quotes=_quotes(round_, answers, data.participants),
        questions=questions,
        data=data,
        protection=protection,
    )


@transaction.atomic
def publish(
    round_: Round, *, note: str = "", acting_user: Any = None, source: str = "web"
) -> Publication:
    """Freeze :func:`current_content` as the round's next publication and mark the round
    published. Submissions that are not validated are left out and listed in the publication's
    note (:attr:`Publication.full_note`)."""
    require(
        acting_user,
        can_manage_round(acting_user, round_),
        gettext("Only analysts of this round publish it."),
    )
    round_ = Round.objects.select_for_update().select_related("instrument").get(pk=round_.pk)
    content = current_content(round_)
    if not content.submissions:
        raise MnrError(
            f"round {round_.code} has no validated submission; validate submissions "
            f"(mnr review validate --round {round_.code} …) before publishing"
        )
    previous = Publication.objects.filter(round=round_).order_by("-number").first()
    publication = Publication.objects.create(
        round=round_,
        number=(previous.number + 1) if previous else 1,
        note=note.strip(),
        created_by=acting_user
        if acting_user is not None and acting_user.is_authenticated
        else None,
        round_settings=content.settings,
        submissions=content.submissions,
        left_out=content.left_out,
        answers=content.answers,
        protection=content.protection.to_json(),
        report=content.report,
        quotes=content.quotes,
        changes=changes_between(Protection.from_json(previous.protection), content.protection)
        if previous
        else [],
    )
    set_round_status(round_, Round.Status.PUBLISHED, acting_user=acting_user, source=source)
    # Imported here: the robustness module reads publications through this one.
    from mnr.publications.robustness import queue_robustness

    queue_robustness(publication)
    record_event(
        "round.publish",
        publication,
        actor=acting_user,
        source=source,
        round=round_.code,
        number=publication.number,
        submissions=len(content.submissions),
        left_out=len(content.left_out),
        changes=len(publication.changes),
    )
    return publication


def frozen_round_data(
    settings: dict[str, Any], answers: list[dict[str, Any]], questions: RoundQuestions
) -> RoundData:
    """The counted part of a publication as the counting rules take it: the lead respondents'
    answers (publications from before respondents hold no other)."""
    codes = {spec.id for spec in questions.specs}
    rows = [
        (a["jurisdiction"], a["channel"], a["question"], a["value"])
        for a in answers
        if a["question"] in codes and a.get("respondent", LEAD) == LEAD
    ]
    return RoundData(
        questions=questions.specs,
        participants=tuple(
            Participant(p["jurisdiction"], p["income_group"], p["region"])
            for p in settings["participants"]
        ),
        channels=tuple(settings["channels"]),
        answers=pd.DataFrame.from_records(rows, columns=list(ANSWER_COLUMNS)),
    )


def _frozen_answers(validated: list[Submission]) -> list[dict[str, Any]]:
    rows = (
        Answer.objects.filter(submission__in=validated)
        .select_related("submission__jurisdiction", "question")
        .order_by(
            "submission__jurisdiction__code",
            "submission__channel",
            "submission__respondent",
            "question__position",
        )
    )
    return [
        {
            "jurisdiction": a.submission.jurisdiction.code,
            "channel": a.submission.channel,
            "respondent": a.submission.respondent,
            "question": a.question.code,
            "value": a.value,
            "publishable": a.publishable,
            "version": a.version,
        }
        for a in rows
    ]


def _submission_rows(
    validated: list[Submission], answers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str, str], int] = {}
    for answer in answers:
        key = (answer["jurisdiction"], answer["channel"], answer["respondent"])
        counts[key] = counts.get(key, 0) + 1
    rows = []
    for submission in validated:
        last = submission.transitions.order_by("-at", "-id").first()
        key = (submission.jurisdiction.code, submission.channel, submission.respondent)
        rows.append(
            {
                "submission": submission.pk,
                "jurisdiction": submission.jurisdiction.code,
                "channel": submission.channel,
                "respondent": submission.respondent,
                "answers": counts.get(key, 0),
                "validated_at": last.at.isoformat() if last else None,
            }
        )
    return rows


def _round_settings(round_: Round) -> dict[str, Any]:
    summary = round_summary(round_)
    return {
        "title": round_.title,
        "channels": list(round_.channels),
        "income_fiscal_year": round_.income_fiscal_year,
        "disclosure_threshold": round_.disclosure_threshold,
        "opens_on": summary["opens_on"],
        "closes_on": summary["closes_on"],
        "participants": summary["participants"],
    }


def _report_texts(round_: Round) -> dict[str, Any]:
    settings_row = ReportSettings.objects.filter(round=round_).first()
    return {
        "headlines": [
            {
                "key": h.key,
                "domain": h.domain,
                "question": h.question,
                "counts_as": list(h.counts_as),
                "population": h.population,
                "subject": h.subject,
                "statement": h.statement,
                "callout": h.callout,
                "phrase": h.phrase,
            }
            for h in Headline.objects.filter(round=round_).order_by("position")
        ],
        "narrative": {
            block.key: block.text for block in NarrativeBlock.objects.filter(round=round_)
        },
        "snapshot_exclude": list(
            settings_row.snapshot_exclude if settings_row else DEFAULT_SNAPSHOT_EXCLUDE
        ),
    }


def _quotes(
    round_: Round, answers: list[dict[str, Any]], participants: tuple[Participant, ...]
) -> list[dict[str, Any]]:
    """Quotable texts (good practice, challenges) with the most specific attribution that at
    least k participants share (disclosure control decides it)."""
    questions = {
        q.code: q
        for q in InstrumentQuestion.objects.filter(instrument_id=round_.instrument_id, type="text")
    }
    by_code = {p.jurisdiction: p for p in participants}
    quotes = []
    for answer in answers:
        question = questions.get(answer["question"])
        kind = answer["question"].partition(".")[2]
        if question is None or kind not in QUOTED_KINDS or not answer["publishable"]:
            continue
        if not answer["value"].strip() or answer["jurisdiction"] not in by_code:
            continue
        income, region = attribution(
            by_code[answer["jurisdiction"]], participants, round_.disclosure_threshold
        )
        quotes.append(
            {
                "question": answer["question"],
                "domain": question.domain,
                "kind": kind,
                "text": answer["value"],
                "income_group": income,
                "region": region,
            }
        )
    return quotes


def changes_between(previous: Protection, current: Protection) -> list[dict[str, Any]]:
    """Every figure whose shown value differs between two publications, by breakdown cell and
    headline key: what it was and what it is ("withheld" when it is not shown)."""

    def shown(finding: Finding | None) -> dict[str, Any] | str | None:
        if finding is None:
            return None
        if finding.suppressed:
            return "withheld"
        return {
            "numerator": finding.numerator,
            "denominator": finding.denominator,
            "percent": finding.percent,
        }

    changes = []
    for by in dict.fromkeys([*previous.findings, *current.findings]):
        before = {(f.question, f.group): f for f in previous.findings.get(by, [])}
        after = {(f.question, f.group): f for f in current.findings.get(by, [])}
        for question, group in dict.fromkeys([*before, *after]):
            old, new = shown(before.get((question, group))), shown(after.get((question, group)))
            if old != new:
                changes.append(
                    {"question": question, "by": by, "group": group, "before": old, "after": new}
                )
    for key in dict.fromkeys([*previous.figures, *current.figures]):
        old, new = shown(previous.figures.get(key)), shown(current.figures.get(key))
        if old != new:
            changes.append({"figure": key, "before": old, "after": new})
    return changes
