"""``mnr import FILE --round CODE``: answers from an interchange file or a Kobo/ODK export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.core.interchange import FORMATS, MAX_BYTES, MAX_ROWS
from mnr.surveys.imports import import_answers
from mnr.surveys.lookups import round_by_code


class Command(MnrCommand):
    help = (
        "Import answers into a round from CSV, XLSX or JSON in the interchange format "
        "(docs/interchange.md) or from a KoboToolbox/ODK submission export. The whole file is "
        "checked first; any problem refuses it and nothing is written. "
        f"Limits: {MAX_BYTES // 1024 // 1024} MiB, {MAX_ROWS} rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            dest="file_format",
            help="default: from the file's extension and header",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would change; write nothing"
        )

    def run(self, *args: Any, **options: Any) -> None:
        result = import_answers(
            round_by_code(options["round_code"]),
            options["file"],
            fmt=options["file_format"],
            dry_run=options["dry_run"],
        )
        if result.dry_run:
            for change in result.changes:
                self.stdout.write(change.describe())
        self.stdout.write(result.summary())
