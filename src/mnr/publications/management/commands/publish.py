from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.publications.actions import publish
from mnr.surveys.lookups import round_by_code


class Command(MnrCommand):
    help = (
        "Publish a round: freeze its validated answers, disclosure-controlled findings and report "
        "texts as its next numbered publication, which public pages and reports then show."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument("--note", default="", help="what this publication is, for readers")

    def run(self, *args: Any, **options: Any) -> None:
        publication = publish(
            round_by_code(options["round_code"]), note=options["note"], source="cli"
        )
        audit = publication.protection["audit"]
        self.stdout.write(
            f"published {publication.round.code} as publication {publication.number}: "
            f"{len(publication.submissions)} validated submissions, "
            f"{len(publication.left_out)} left out; {audit['primary']} cells withheld as too "
            f"small and {audit['secondary']} more so that none can be worked out"
        )
        for change in publication.changes:
            where = change.get("figure") or (
                f"{change['question']} {change['by'] or 'total'} {change['group'] or ''}".strip()
            )
            self.stdout.write(f"  changed: {where}: {change['before']} → {change['after']}")
        if publication.left_out:
            self.stdout.write(publication.full_note.splitlines()[-1])
