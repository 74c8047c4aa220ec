from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser

from mnr.accounts import two_factor
from mnr.commands import MnrCommand
from mnr.errors import unknown


class Command(MnrCommand):
    help = (
        "Two-factor sign-in: 'reset USER' removes a user's authenticator app and recovery codes "
        "(they lost their phone), 'status' lists who has it on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reset = sub.add_parser("reset", help="remove a user's two-factor (they set it up again)")
        reset.add_argument("username")
        sub.add_parser("status", help="every active user and whether two-factor is on")

    def run(self, *args: Any, **options: Any) -> None:
        users = get_user_model()
        if options["action"] == "status":
            for person in users.objects.filter(is_active=True).order_by("username"):
                state = "on" if two_factor.is_enabled(person) else "off"
                self.stdout.write(f"{person.get_username():<20} {state}")
            return
        user: Any = users.objects.filter(username=options["username"]).first()
        if user is None:
            raise unknown(
                "user", options["username"], users.objects.values_list("username", flat=True)
            )
        if two_factor.reset_two_factor(user, source="cli"):
            self.stdout.write(
                f"two-factor of {user.get_username()} removed: they sign in with their password "
                "and set it up again"
            )
        else:
            self.stdout.write(f"{user.get_username()} had no two-factor; nothing changed")
