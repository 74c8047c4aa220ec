from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.jurisdictions import codes
from mnr.surveys import actions
from mnr.surveys.lookups import round_by_code
from mnr.surveys.models import Round
from mnr.surveys.summary import round_summary


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Command(MnrCommand):
    help = "Create and inspect review rounds."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a round on an instrument")
        create.add_argument("code")
        create.add_argument("--instrument", required=True)
        create.add_argument("--title", default="")
        create.add_argument(
            "--channels",
            type=_codes,
            default=None,
            help="comma-separated, in priority order (default: the instrument's channels)",
        )
        create.add_argument("--income-fy", type=int, default=2021, dest="income_fy")
        add = sub.add_parser("add-participants", help="make jurisdictions participants")
        add.add_argument("code")
        add.add_argument(
            "jurisdictions",
            nargs="+",
            help="jurisdiction codes: ISO 3166-1 alpha-2, alpha-3 or numeric, or a non-country "
            "code (e.g. KE SWE 826 GB-EAW)",
        )
        status = sub.add_parser("status", help="open, close or publish a round")
        status.add_argument("code")
        status.add_argument("status", choices=Round.Status.values)
        settings = sub.add_parser("set", help="title, dates and disclosure threshold")
        settings.add_argument("code")
        settings.add_argument("--title")
        settings.add_argument("--opens", type=date.fromisoformat, help="YYYY-MM-DD")
        settings.add_argument("--closes", type=date.fromisoformat, help="YYYY-MM-DD")
        settings.add_argument(
            "--disclosure-k",
            type=int,
            dest="disclosure_k",
            help="smallest group shown to users without jurisdiction-level access",
        )
        sub.add_parser("list", help="list rounds")
        show = sub.add_parser("show", help="a round's settings and participants")
        show.add_argument("code")
        show.add_argument(
            "--format",
            choices=("text", "json"),
            default="text",
            dest="output_format",
            help="json: the settings, and participants with income group and region",
        )

    def run(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            round_ = actions.create_round(
                options["code"],
                instrument=options["instrument"],
                title=options["title"],
                channels=options["channels"],
                income_fiscal_year=options["income_fy"],
            )
            self.stdout.write(
                f"created round {round_.code} on {round_.instrument} "
                f"(channels in priority order: {', '.join(round_.channels)}; "
                f"income FY{round_.income_fiscal_year})"
            )
        elif action == "add-participants":
            added = actions.add_participants(
                round_by_code(options["code"]),
                codes.resolve_all(options["jurisdictions"], where="round add-participants"),
            )
            self.stdout.write(f"{len(added)} participants added")
        elif action == "status":
            round_ = actions.set_round_status(
                round_by_code(options["code"]), options["status"], source="cli"
            )
            self.stdout.write(f"round {round_.code} is {round_.status}")
        elif action == "set":
            actions.update_round(
                round_by_code(options["code"]),
                title=options["title"],
                opens_on=options["opens"],
                closes_on=options["closes"],
                disclosure_threshold=options["disclosure_k"],
                source="cli",
            )
            self._show(round_by_code(options["code"]))
        elif action == "list":
            for round_ in Round.objects.select_related("instrument").annotate_counts():
                count = round_.participant_count  # type: ignore[attr-defined]  # annotation
                self.stdout.write(
                    f"{round_.code:<20} {round_.status:<10} {round_.instrument.code:<24} "
                    f"{count:>4} jurisdictions  {round_.title}"
                )
        elif options["output_format"] == "json":
            self.write_json(round_summary(round_by_code(options["code"])))
        else:
            self._show(round_by_code(options["code"]))

    def _show(self, round_: Round) -> None:
        lines = [
            f"round        {round_.code}{'  [synthetic data]' if round_.synthetic else ''}",
            f"title        {round_.title}",
            f"instrument   {round_.instrument}",
            f"channels     {', '.join(round_.channels)} (priority order)",
            f"income year  FY{round_.income_fiscal_year}",
            f"status       {round_.status}",
            f"dates        {round_.opens_on or '-'} to {round_.closes_on or '-'}",
            f"disclosure   groups under {round_.disclosure_threshold} jurisdictions suppressed",
            "participants "
            + " ".join(
                round_.participations.order_by("jurisdiction__code").values_list(
                    "jurisdiction__code", flat=True
                )
            ),
        ]
        self.stdout.write("\n".join(lines))
