"""``mnr maturity``: a round's consolidated phases and agreement; ``mnr maturity override``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.core.maturity import RoundMaturity
from mnr.errors import MnrError
from mnr.jurisdictions import codes
from mnr.maturity import actions, data
from mnr.maturity.service import require_phases
from mnr.surveys.lookups import round_by_code

SOURCE = "cli"


def _shown(value: object) -> str:
    return "-" if value is None else str(value)


def as_table(maturity: RoundMaturity) -> str:
    """One line per jurisdiction x capability, by code: never ordered by maturity."""
    header = (
        f"{'jurisdiction':<14} {'capability':<10} {'phase':>5} {'computed':>8} "
        f"{'respondents':>11} {'range':>5}  override"
    )
    lines = [header, "-" * len(header)]
    for jurisdiction in maturity.to_json()["jurisdictions"]:
        for row in jurisdiction["capabilities"]:
            override = row["override"]
            lines.append(
                f"{jurisdiction['jurisdiction']:<14} {row['capability']:<10} "
                f"{_shown(row['phase']):>5} {_shown(row['computed_phase']):>8} "
                f"{row['respondents']:>11} {_shown(row['range']):>5}  "
                + (
                    f"{override['phase']} by {override['by']}: {override['reason']}"
                    if override
                    else ""
                )
            )
    agreement = maturity.agreement.to_json()
    lines += [
        "",
        f"agreement (Krippendorff's alpha, ordinal): overall {_alpha(agreement['overall'])}",
    ]
    lines += [
        f"  {capability:<10} {_alpha(alpha)}"
        for capability, alpha in sorted(agreement["capabilities"].items())
    ]
    return "\n".join(lines)


def _alpha(value: float | None) -> str:
    return "null (no jurisdiction has two phases to compare)" if value is None else f"{value:.2f}"


class Command(MnrCommand):
    help = (
        "Consolidated maturity phases of a round (lower median of the respondents' phases) "
        "with agreement (Krippendorff's alpha, ordinal); `override` records a reviewer's phase."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", dest="round_code", help="round code")
        parser.add_argument(
            "--format", dest="output_format", choices=["json", "table"], default="table"
        )
        sub = parser.add_subparsers(dest="step")
        override = sub.add_parser(
            "override",
            help="override a consolidated phase with a reason (the computed one stays beside it)",
        )
        override.add_argument("--round", dest="round_code", required=True)
        override.add_argument("--jurisdiction", required=True)
        override.add_argument("--capability", required=True)
        which = override.add_mutually_exclusive_group(required=True)
        which.add_argument("--phase", type=int, help="1 to 4")
        which.add_argument("--withdraw", action="store_true", help="withdraw the override in force")
        override.add_argument("--reason", required=True, help="why; kept with the override")

    def run(self, *args: Any, **options: Any) -> None:
        if not options["round_code"]:
            raise MnrError("--round is required: the round whose phases to show")
        round_ = round_by_code(options["round_code"])
        require_phases(round_)
        if options["step"] == "override":
            jurisdiction = codes.get(options["jurisdiction"], where="--jurisdiction")
            phase = None if options["withdraw"] else options["phase"]
            actions.override_phase(
                round_,
                jurisdiction,
                options["capability"],
                phase,
                options["reason"],
                source=SOURCE,
            )
            done = f"phase {phase}" if phase is not None else "override withdrawn"
            self.stdout.write(f"{round_.code} {jurisdiction.code} {options['capability']}: {done}")
            return
        maturity = data.round_maturity(round_)
        if options["output_format"] == "json":
            self.write_json(maturity.to_json())
        else:
            self.stdout.write(as_table(maturity))
