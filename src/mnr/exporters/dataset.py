"""The answers of a round as a wide dataset for SPSS, Stata or any package that reads CSV: one
row per submission, one variable per question (``docs/exports.md``)."""

from __future__ import annotations

from typing import cast

from django.db.models import QuerySet

from mnr.core.dataset import (
    Dataset,
    DatasetQuestion,
    QuestionType,
    SubmissionRow,
    build_dataset,
    to_csv,
    to_dta,
    to_sav,
)
from mnr.core.framework import text
from mnr.errors import MnrError
from mnr.exporters.base import Exporter, register
from mnr.frameworks.models import InstrumentQuestion, Phase
from mnr.jurisdictions.classification import income_groups, region_of
from mnr.surveys.models import Answer, Submission

MIMETYPES = {
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
    "csv": "text/csv; charset=utf-8",
}
SYNTHETIC_LABEL = "SYNTHETIC DATA (invented answers)"
SYNTHETIC_NOTICE = (
    "SYNTHETIC DATA: pseudonymous jurisdictions and invented answers, not the answers of any "
    "real review."
)


@register
class DatasetExporter(Exporter):
    id = "dataset"
    label = "Answers as a wide dataset, one row per submission (SPSS .sav, Stata .dta, CSV)"
    formats = ("sav", "dta", "csv")

    def render(self) -> tuple[str, str, bytes]:
        dataset = self.dataset()
        if self.format == "sav":
            content = to_sav(dataset)
        elif self.format == "dta":
            content = to_dta(dataset)
        else:
            content = to_csv(dataset)
        return self.filename(), MIMETYPES[self.format], content

    @property
    def lang(self) -> str:
        return self.languages[0] if self.languages else "en"

    def dataset(self) -> Dataset:
        round_, instrument = self.round, self.round.instrument
        notes = [
            f"Round {round_.code}" + (f": {round_.title}" if round_.title else "") + "; "
            f"instrument {instrument.code} v{instrument.version}; exported by mnr",
        ]
        if round_.synthetic:
            notes.insert(0, SYNTHETIC_NOTICE)
        try:
            return build_dataset(
                self.questions(),
                self.rows(),
                file_label=self.file_label(),
                income_year=round_.income_fiscal_year,
                notes=notes,
            )
        except ValueError as error:
            raise MnrError(f"cannot export the answers of round {round_.code}: {error}") from error

    def file_label(self) -> str:
        """The synthetic notice comes first so that it survives SPSS's 64-byte limit."""
        if self.round.synthetic:
            return f"{SYNTHETIC_LABEL}: mnr round {self.round.code}"
        return f"mnr answers, round {self.round.code}"

    def questions(self) -> list[DatasetQuestion]:
        instrument = self.round.instrument
        # Phase names as administrators last set them, not as the framework file had them.
        phase_names = {
            str(phase.level): text(phase.name, self.lang)
            for phase in Phase.objects.filter(edition_id=instrument.edition_id)
        }
        questions = InstrumentQuestion.objects.filter(instrument=instrument).order_by("position")
        return [
            DatasetQuestion(
                code=question.code,
                # The framework loader admits only the types core.dataset knows.
                type=cast(QuestionType, question.type),
                label=text(question.label, self.lang),
                choices=tuple(
                    (
                        choice["code"],
                        (question.type == "phase" and phase_names.get(choice["code"]))
                        or text(choice["label"], self.lang),
                    )
                    for choice in question.choices
                ),
            )
            for question in questions
        ]

    def submissions(self) -> QuerySet[Submission]:
        return super().submissions().select_related("jurisdiction__parent")

    def rows(self) -> list[SubmissionRow]:
        """Jurisdiction by jurisdiction, channels in the round's priority order, the lead
        respondent first."""
        submissions = list(self.submissions())
        answers: dict[int, dict[str, str]] = {submission.pk: {} for submission in submissions}
        for submission_id, question, value in Answer.objects.filter(
            submission__in=self.submissions().values("pk")
        ).values_list("submission_id", "question__code", "value"):
            answers[submission_id][question] = value
        jurisdictions = {s.jurisdiction.pk: s.jurisdiction for s in submissions}
        groups = income_groups(jurisdictions.values(), self.round.income_fiscal_year)
        priority = {channel: index for index, channel in enumerate(self.round.channels)}
        submissions.sort(
            key=lambda s: (
                s.jurisdiction.code,
                priority.get(s.channel, len(priority)),
                s.channel,
                s.respondent,
            )
        )
        return [
            SubmissionRow(
                jurisdiction=submission.jurisdiction.code,
                jurisdiction_name=submission.jurisdiction.name(self.lang),
                channel=submission.channel,
                respondent=submission.respondent,
                income_group=groups.get(submission.jurisdiction.code),
                region=region_of(submission.jurisdiction),
                status=submission.status,
                answers=answers[submission.pk],
            )
            for submission in submissions
        ]
