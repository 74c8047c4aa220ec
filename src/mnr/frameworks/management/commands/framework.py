from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.core import framework as core
from mnr.frameworks import actions
from mnr.frameworks.models import Edition, Instrument
from mnr.frameworks.presentation import edition_by_code, edition_outline, show_edition


def _languages(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Command(MnrCommand):
    help = "Validate, load, list and show MNR framework editions and instruments."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="check a framework file; load nothing")
        validate.add_argument("file", type=Path)
        validate.add_argument(
            "--require-languages",
            type=_languages,
            default=[],
            metavar="fr,es",
            help="also refuse a label without a text in each of these languages",
        )
        load = sub.add_parser("load", help="validate and load an edition or instrument file")
        load.add_argument("file", type=Path)
        sub.add_parser("list", help="list loaded editions and instruments")
        rename = sub.add_parser("rename-phase", help="name a maturity phase (administrators)")
        rename.add_argument("edition")
        rename.add_argument("level", type=int, choices=[1, 2, 3, 4])
        rename.add_argument("name")
        rename.add_argument("--lang", default="en")
        rename.add_argument(
            "--final", action="store_true", help="the name is no longer provisional"
        )
        show = sub.add_parser("show", help="print a loaded edition")
        show.add_argument("edition")
        show.add_argument("--format", choices=["json", "text"], default="text")
        show.add_argument("--lang", default="en")

    def run(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "validate":
            parsed = actions.validate_file(options["file"])
            kind = "edition" if isinstance(parsed, core.Edition) else "instrument"
            languages = options["require_languages"]
            if languages:
                document = core.read_document(options["file"])
                missing = core.missing_languages(document, languages, source=str(options["file"]))
                if missing:
                    raise core.FrameworkError(missing)
            in_languages = f" in {', '.join(['en', *languages])}" if languages else ""
            self.stdout.write(
                f"{options['file']}: valid {kind} {parsed.id} version {parsed.version}"
                f"{in_languages}"
            )
        elif action == "load":
            row = actions.load_file(options["file"])
            self.stdout.write(f"loaded {row._meta.verbose_name} {row}")
        elif action == "rename-phase":
            phase = edition_by_code(options["edition"]).phases.get(level=options["level"])
            actions.rename_phase(
                phase,
                options["name"],
                lang=options["lang"],
                provisional=False if options["final"] else None,
                source="cli",
            )
            state = "provisional" if phase.provisional else "final"
            self.stdout.write(
                f"phase {phase.level} of {options['edition']} is now {options['name']!r} ({state})"
            )
        elif action == "list":
            for edition in Edition.objects.all():
                self.stdout.write(f"edition     {edition.code} v{edition.version}")
            for instrument in Instrument.objects.select_related("edition"):
                self.stdout.write(
                    f"instrument  {instrument.code} v{instrument.version} "
                    f"(edition {instrument.edition.code}; "
                    f"channels {', '.join(instrument.channels)})"
                )
        else:
            shown = show_edition(edition_by_code(options["edition"]), options["lang"])
            if options["format"] == "json":
                self.write_json(shown)
            else:
                self.stdout.write(edition_outline(shown))
