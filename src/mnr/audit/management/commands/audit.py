from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from mnr.audit import log
from mnr.commands import MnrCommand
from mnr.errors import MnrError


class Command(MnrCommand):
    help = "The audit log: export it as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the audit events as CSV, oldest first")
        export.add_argument("-o", "--output", required=True, help="the CSV file to write")
        export.add_argument(
            "--since", help="only events from this day (YYYY-MM-DD) or moment (ISO 8601) on"
        )
        export.add_argument("--verb", help="only events with this verb, such as access.read")

    def run(self, *args: Any, **options: Any) -> None:
        start = log.since(options["since"]) if options["since"] else None
        events = log.selected(since_=start, verb=options["verb"])
        content = log.as_csv(events)
        output = Path(options["output"])
        try:
            output.write_bytes(content)
        except OSError as error:
            raise MnrError(f"{output}: cannot write the audit log ({error.strerror})") from error
        self.stdout.write(f"{events.count()} audit events written to {output}")
