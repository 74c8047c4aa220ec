from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from mnr.audit.record import EXPORT, record_access
from mnr.commands import MnrCommand
from mnr.exporters.base import choose_format, exporters, get_exporter
from mnr.surveys.lookups import round_by_code


def _languages(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Command(MnrCommand):
    help = "Export a round: " + ", ".join(exporters())

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", help="what to export: " + ", ".join(exporters()))
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument(
            "--format",
            dest="file_format",
            help="default: from the output file's extension (-o answers.csv)",
        )
        parser.add_argument("--channel", help="channel (for questionnaire exports)")
        parser.add_argument(
            "--lang",
            type=_languages,
            default=None,
            help="languages, the first the default, e.g. en,fr (default: en; for xlsform en,fr,es)",
        )
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    def run(self, *args: Any, **options: Any) -> None:
        exporter_class = get_exporter(options["what"])
        exporter = exporter_class(
            round_by_code(options["round_code"]),
            format=choose_format(exporter_class, options["file_format"], options["output"]),
            channel=options["channel"],
            languages=options["lang"],
        )
        filename, _mimetype, content = exporter.render()
        record_access(
            EXPORT,
            exporter.round,
            actor=None,
            exporter=exporter_class.id,
            format=exporter.format,
            filename=filename,
            output=str(options["output"] or "-"),
        )
        output: Path | None = options["output"]
        if output is None:
            sys.stdout.buffer.write(content)
            return
        output.write_bytes(content)
        self.stderr.write(f"wrote {output} ({len(content)} bytes; suggested name {filename})")
