"""``mnr profile``: one jurisdiction's maturity profile as JSON, one HTML file or a PDF."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.maturity.render.output import choose_format
from mnr.maturity.render.profile import profile_html, profile_pdf
from mnr.maturity.render.texts import LANGUAGES
from mnr.maturity.service import GROUP_BREAKDOWNS, profile
from mnr.surveys.lookups import participant, round_by_code

FORMATS = ("json", "html", "pdf")


class Command(MnrCommand):
    help = (
        "A jurisdiction's maturity profile in a round: the phase of every capability by domain "
        "(a chart and tables), respondents' spread, strengths and gaps, the previous round; "
        "optionally its income group's or region's phases through disclosure control."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument("--jurisdiction", required=True)
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=FORMATS,
            help="default: from the output file's extension, else json",
        )
        parser.add_argument("-o", "--output", type=Path, help="file to write (json, html: stdout)")
        parser.add_argument("--lang", choices=LANGUAGES, default="en")
        parser.add_argument(
            "--group", choices=GROUP_BREAKDOWNS, help="add the phases of its income group or region"
        )

    def run(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        chosen = choose_format(options["file_format"], output, FORMATS)
        round_ = round_by_code(options["round_code"])
        jurisdiction = participant(round_, options["jurisdiction"])
        found = profile(round_, jurisdiction, lang=options["lang"], group=options["group"])
        if chosen == "pdf":
            content = profile_pdf(found)
        else:
            text = (
                profile_html(found)
                if chosen == "html"
                else json.dumps(found, ensure_ascii=False, indent=2) + "\n"
            )
            if output is None:
                self.stdout.write(text, ending="")
                return
            content = text.encode("utf-8")
        assert output is not None  # choose_format refuses a PDF without -o
        output.write_bytes(content)
        self.stderr.write(f"wrote {output} ({len(content)} bytes)")
