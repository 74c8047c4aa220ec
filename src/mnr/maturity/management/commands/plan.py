"""``mnr plan``: one jurisdiction's action plan as JSON, an XLSX workbook or a PDF."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.maturity.render.output import choose_format
from mnr.maturity.render.plan import plan_document, plan_pdf, plan_xlsx
from mnr.maturity.render.texts import LANGUAGES
from mnr.surveys.lookups import participant, round_by_code

FORMATS = ("json", "xlsx", "pdf")


class Command(MnrCommand):
    help = (
        "A jurisdiction's action plan in a round: for every capability below phase 4 the next "
        "phase's descriptor and the steps to it, enablers first (the stored plan once edited)."
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
        parser.add_argument("-o", "--output", type=Path, help="file to write (json: stdout)")
        parser.add_argument("--lang", choices=LANGUAGES, default="en")

    def run(self, *args: Any, **options: Any) -> None:
        output: Path | None = options["output"]
        chosen = choose_format(options["file_format"], output, FORMATS)
        round_ = round_by_code(options["round_code"])
        jurisdiction = participant(round_, options["jurisdiction"])
        document = plan_document(round_, jurisdiction, lang=options["lang"])
        if chosen == "json":
            text = json.dumps(document.plan, ensure_ascii=False, indent=2) + "\n"
            if output is None:
                self.stdout.write(text, ending="")
                return
            content = text.encode("utf-8")
        else:
            content = plan_xlsx(document) if chosen == "xlsx" else plan_pdf(document)
        assert output is not None  # choose_format refuses xlsx and pdf without -o
        output.write_bytes(content)
        self.stderr.write(f"wrote {output} ({len(content)} bytes)")
