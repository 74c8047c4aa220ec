"""``mnr consent set``: a jurisdiction's consent to peer exchange for a round."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.jurisdictions import codes
from mnr.maturity import actions
from mnr.surveys.lookups import round_by_code

ANSWERS = {"yes": True, "no": False}


class Command(MnrCommand):
    help = (
        "Record whether a jurisdiction consents, for one round, to peers seeing its phases "
        "for knowledge exchange (kept with who and when; the latest record is in force)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="step", required=True)
        set_ = sub.add_parser("set", help="record consent: yes or no")
        set_.add_argument("--round", dest="round_code", required=True)
        set_.add_argument("--jurisdiction", required=True)
        set_.add_argument("--peer-exchange", dest="peer_exchange", required=True, choices=ANSWERS)
        show = sub.add_parser("show", help="the consent in force of every participant")
        show.add_argument("--round", dest="round_code", required=True)

    def run(self, *args: Any, **options: Any) -> None:
        round_ = round_by_code(options["round_code"])
        if options["step"] == "show":
            self._show(round_)
            return
        jurisdiction = codes.get(options["jurisdiction"], where="--jurisdiction")
        actions.set_consent(round_, jurisdiction, ANSWERS[options["peer_exchange"]], source="cli")
        self.stdout.write(
            f"{round_.code} {jurisdiction.code}: peer exchange {options['peer_exchange']}"
        )

    def _show(self, round_: Any) -> None:
        for participation in round_.participations.select_related("jurisdiction"):
            consent = actions.current_consent(round_, participation.jurisdiction)
            said = (
                "not asked"
                if consent is None
                else f"{'yes' if consent.peer_exchange else 'no'} "
                f"({consent.by_name}, {consent.at:%Y-%m-%d %H:%M})"
            )
            self.stdout.write(f"{participation.jurisdiction.code:<14} {said}")
