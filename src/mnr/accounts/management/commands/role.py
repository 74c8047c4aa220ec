from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser

from mnr.accounts.actions import assign_role
from mnr.accounts.models import Role, RoleAssignment
from mnr.commands import MnrCommand
from mnr.errors import unknown
from mnr.jurisdictions import codes
from mnr.surveys.lookups import round_by_code


class Command(MnrCommand):
    help = "Grant roles (administrator, analyst, reviewer, focal_point) and list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        grant = sub.add_parser("grant", help="give a user a role")
        grant.add_argument("username")
        grant.add_argument("role", choices=Role.values)
        grant.add_argument(
            "--jurisdiction", help="limit to one jurisdiction (required for focal_point)"
        )
        grant.add_argument("--round", help="limit to one round")
        grant.add_argument(
            "--respondent",
            default="",
            help="a focal point for one respondent of the jurisdiction, such as police "
            "(default: every respondent, the lead's focal point)",
        )
        grant.add_argument(
            "--channel",
            default="",
            help="a focal point for one channel, such as government (default: every channel "
            "of the round); grant again for a second channel",
        )
        sub.add_parser("list", help="every role assignment")

    def run(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for a in RoleAssignment.objects.select_related("user", "jurisdiction", "round"):
                place = a.jurisdiction.code if a.jurisdiction else "*"
                round_code = a.round.code if a.round else "*"
                respondent = f" {a.respondent}" if a.respondent else ""
                channel = f" channel={a.channel}" if a.channel else ""
                self.stdout.write(
                    f"{a.user.get_username():<20} {a.role:<14} {place:<8} {round_code}"
                    f"{respondent}{channel}"
                )
            return
        users = get_user_model()
        user = users.objects.filter(username=options["username"]).first()
        if user is None:
            raise unknown(
                "user", options["username"], users.objects.values_list("username", flat=True)
            )
        jurisdiction = None
        if options["jurisdiction"]:
            jurisdiction = codes.get(options["jurisdiction"], where="--jurisdiction")
        round_ = round_by_code(options["round"]) if options["round"] else None
        assign_role(
            user,
            options["role"],
            jurisdiction=jurisdiction,
            round_=round_,
            respondent=options["respondent"],
            channel=options["channel"],
        )
        respondent = f" for respondent {options['respondent']}" if options["respondent"] else ""
        channel = f" for channel {options['channel']}" if options["channel"] else ""
        self.stdout.write(f"{user.get_username()} is {options['role']}{respondent}{channel}")
