from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.demo import DEMO_PASSWORD, OPEN_ROUND, load_demo


class Command(MnrCommand):
    help = "Migrate, load the synthetic demo round and its users, then serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="only migrate and load")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def run(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        demo = load_demo()
        self.stdout.write(
            f"Demo round {demo.round.code}: {demo.round.participations.count()} synthetic "
            f"jurisdictions, {demo.answers} answers, published (what the public sees)."
        )
        self.stdout.write(
            f"Open round {OPEN_ROUND}: where the demo focal points answer and submit."
        )
        for round_ in demo.maturity_rounds:
            self.stdout.write(
                f"Self-assessment round {round_.code} ({round_.get_status_display().lower()}): "
                f"{round_.participations.count()} synthetic jurisdictions, several respondents "
                "in some; maturity profiles, action plans and progress."
            )
        self.stdout.write(f"Demo logins (password for each: {DEMO_PASSWORD}):")
        for username, description in demo.logins:
            self.stdout.write(f"  {username:<16} {description}")
        if not options["no_serve"]:
            call_command("serve", host=options["host"], port=options["port"])
