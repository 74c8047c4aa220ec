"""Every answer of a round in the interchange format (``docs/interchange.md``), which
``mnr import`` reads back without loss."""

from __future__ import annotations

from mnr.core.interchange import AnswerRecord, render_csv, render_json, render_xlsx
from mnr.exporters.base import Exporter, register
from mnr.surveys.models import Answer


@register
class AnswersExporter(Exporter):
    id = "answers"
    label = "Answers, one row per answer (the interchange format mnr import reads)"
    formats = ("csv", "xlsx", "json")

    def render(self) -> tuple[str, str, bytes]:
        records = self.records()
        if self.format == "csv":
            return self.filename(), "text/csv; charset=utf-8", render_csv(records)
        if self.format == "json":
            return self.filename(), "application/json", render_json(records)
        return (
            self.filename(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            render_xlsx(records),
        )

    def records(self) -> list[AnswerRecord]:
        """Jurisdiction by jurisdiction, channels in the round's priority order, the lead
        respondent first and the others by code, questions in questionnaire order."""
        priority = {channel: index for index, channel in enumerate(self.round.channels)}
        answers = Answer.objects.filter(submission__in=self.submissions()).select_related(
            "submission__jurisdiction", "question"
        )
        ordered = sorted(
            answers,
            key=lambda answer: (
                answer.submission.jurisdiction.code,
                priority.get(answer.submission.channel, len(priority)),
                answer.submission.channel,
                answer.submission.respondent,
                answer.question.position,
            ),
        )
        return [
            AnswerRecord(
                round=self.round.code,
                jurisdiction=answer.submission.jurisdiction.code,
                channel=answer.submission.channel,
                question=answer.question.code,
                answer=answer.value,
                comment=answer.comment,
                evidence_url=answer.evidence_url,
                publishable=answer.publishable,
                respondent=answer.submission.respondent,
                confidence=answer.confidence,
            )
            for answer in ordered
        ]
