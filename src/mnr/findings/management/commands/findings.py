from __future__ import annotations

import csv
import io
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.core.findings import BREAKDOWNS, COUNT_KEYS, Finding
from mnr.core.spreadsheet import neutralise
from mnr.errors import MnrError
from mnr.findings.service import round_findings
from mnr.surveys.lookups import round_by_code
from mnr.surveys.models import Submission

CSV_COLUMNS = (
    "question",
    "group",
    *COUNT_KEYS,
    "counts_as",
    "numerator",
    "denominator",
    "percent",
    "suppressed",
    "sentence",
)


def _row(finding: Finding) -> dict[str, Any]:
    row = finding.to_json()
    return {
        "question": row["question"],
        "group": row["group"] or "",
        **{key: "" if value is None else value for key, value in row["counts"].items()},
        "counts_as": "|".join(row["counts_as"]),
        "numerator": "" if row["numerator"] is None else row["numerator"],
        "denominator": "" if row["denominator"] is None else row["denominator"],
        "percent": "" if row["percent"] is None else row["percent"],
        "suppressed": "yes" if finding.suppressed else "",
        "sentence": row["sentence"] or "",
    }


def as_csv(findings: list[Finding]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for finding in findings:
        writer.writerow({key: neutralise(str(value)) for key, value in _row(finding).items()})
    return out.getvalue()


def as_table(findings: list[Finding]) -> str:
    header = (
        f"{'question':<28} {'group':<24} {'yes':>4} {'part':>4} {'no':>4} {'dk':>4} "
        f"{'n/a':>4} {'blank':>5}  share"
    )
    lines = [header, "-" * len(header)]
    for finding in findings:
        if finding.suppressed:
            share = f"suppressed ({finding.suppression_reason})"
            counts = " ".join(f"{'-':>4}" for _ in range(5)) + f" {'-':>5}"
        else:
            c = finding.counts
            counts = (
                f"{c['yes']:>4} {c['partial']:>4} {c['no']:>4} {c['dont_know']:>4} "
                f"{c['not_applicable']:>4} {c['blank']:>5}"
            )
            share = (
                f"{finding.percent}% ({finding.numerator} of {finding.denominator})"
                if finding.percent is not None
                else "no answers"
            )
        lines.append(f"{finding.question:<28} {finding.group or 'all':<24} {counts}  {share}")
        if finding.sentence:
            lines.append(f"    {finding.sentence}")
    return "\n".join(lines)


class Command(MnrCommand):
    help = "Findings of a round: counts, shares with their denominators, and sentences."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument("--by", choices=BREAKDOWNS, help="break down by this dimension")
        parser.add_argument(
            "--format", choices=["table", "json", "csv"], default="table", dest="output_format"
        )
        parser.add_argument("--lang", default="en", help="language of the sentences (en, fr, es)")
        parser.add_argument(
            "--public",
            action="store_true",
            help="the round's latest publication, disclosure-controlled, as the public sees it",
        )
        parser.add_argument(
            "--status",
            action="append",
            choices=Submission.Status.values,
            help="count only submissions in this status (repeat for several); live round only",
        )

    def run(self, *args: Any, **options: Any) -> None:
        round_ = round_by_code(options["round_code"])
        if options["status"] and options["public"]:
            raise MnrError("--status is for the live round; --public reads the publication")
        findings = round_findings(
            round_,
            by=options["by"],
            public=options["public"],
            lang=options["lang"],
            statuses=options["status"],
        )
        output = options["output_format"]
        if output == "json":
            self.write_json([finding.to_json() for finding in findings])
        elif output == "csv":
            self.stdout.write(as_csv(findings), ending="")
        else:
            if round_.synthetic:
                self.stdout.write(
                    "Synthetic demonstration data: pseudonymous jurisdictions, invented answers."
                )
            self.stdout.write(as_table(findings))
