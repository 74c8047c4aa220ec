"""``mnr progress``: one jurisdiction's consolidated phases across rounds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.core.maturity import Progress
from mnr.errors import MnrError
from mnr.jurisdictions import codes
from mnr.maturity.service import progress_for
from mnr.surveys.lookups import round_by_code


def as_table(progress: Progress) -> str:
    widths = [max(len(code), 5) for code in progress.rounds]
    header = (
        f"{'capability':<10} "
        + " ".join(f"{code:>{width}}" for code, width in zip(progress.rounds, widths, strict=True))
        + "  change"
    )
    lines = [header, "-" * len(header)]
    for row in progress.capabilities:
        cells = " ".join(
            f"{'-' if row.phases[code] is None else row.phases[code]:>{width}}"
            for code, width in zip(progress.rounds, widths, strict=True)
        )
        change = "-" if row.change is None else f"{row.change:+d}"
        lines.append(f"{row.capability:<10} {cells}  {change}")
    return "\n".join(lines)


class Command(MnrCommand):
    help = (
        "A jurisdiction's consolidated phase per capability in each round, and the change from "
        "the first round to the last (rounds of other editions through the crosswalk)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--jurisdiction", required=True)
        parser.add_argument(
            "--rounds", required=True, help="round codes in order, comma-separated: R1,R2[,…]"
        )
        parser.add_argument(
            "--format", dest="output_format", choices=["json", "table"], default="table"
        )

    def run(self, *args: Any, **options: Any) -> None:
        jurisdiction = codes.get(options["jurisdiction"], where="--jurisdiction")
        given = [code.strip() for code in options["rounds"].split(",") if code.strip()]
        if len(given) < 2:
            raise MnrError("--rounds needs at least two round codes, separated by commas")
        result = progress_for(jurisdiction, [round_by_code(code) for code in given])
        if options["output_format"] == "json":
            self.write_json(result.to_json())
        else:
            self.stdout.write(as_table(result))
