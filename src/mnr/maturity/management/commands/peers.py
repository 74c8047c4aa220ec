"""``mnr peers``: consenting jurisdictions at a higher phase of a capability."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.maturity.service import peers
from mnr.surveys.lookups import participant, round_by_code


class Command(MnrCommand):
    help = (
        "Jurisdictions of the round that consented to peer exchange and are at a higher "
        "consolidated phase of the capability than the given one, by code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", dest="round_code", required=True)
        parser.add_argument("--jurisdiction", required=True)
        parser.add_argument("--capability", required=True)
        parser.add_argument(
            "--format", dest="output_format", choices=["json", "table"], default="json"
        )

    def run(self, *args: Any, **options: Any) -> None:
        round_ = round_by_code(options["round_code"])
        jurisdiction = participant(round_, options["jurisdiction"])
        found = peers(round_, jurisdiction, options["capability"])
        if options["output_format"] == "json":
            self.write_json(found)
            return
        for peer in found:
            self.stdout.write(f"{peer['jurisdiction']:<14} phase {peer['phase']}  {peer['name']}")
