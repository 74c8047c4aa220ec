from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.reports.builder import build_report
from mnr.reports.render import render_html, render_pdf
from mnr.reports.texts import LANGUAGES
from mnr.surveys.lookups import round_by_code


class Command(MnrCommand):
    help = (
        "The review report of a round's latest publication, as one self-contained HTML file or "
        "a PDF; --preview: of what publishing now would freeze."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument("--format", choices=["html", "pdf"], default="html", dest="file_format")
        parser.add_argument("--lang", choices=LANGUAGES, default="en")
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
        parser.add_argument(
            "--preview",
            action="store_true",
            help="the report publishing now would give (validated submissions only), unpublished",
        )

    def run(self, *args: Any, **options: Any) -> None:
        report = build_report(
            round_by_code(options["round_code"]), options["lang"], preview=options["preview"]
        )
        if options["file_format"] == "pdf":
            content = render_pdf(report)
        else:
            content = render_html(report).encode("utf-8")
        output: Path | None = options["output"]
        if output is None:
            sys.stdout.buffer.write(content)
            return
        output.write_bytes(content)
        self.stderr.write(f"wrote {output} ({len(content)} bytes)")
