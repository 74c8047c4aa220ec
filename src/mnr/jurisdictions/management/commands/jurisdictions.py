from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.errors import unknown
from mnr.jurisdictions import actions
from mnr.jurisdictions.classification import income_groups
from mnr.jurisdictions.models import IncomeClassification, Jurisdiction


class Command(MnrCommand):
    help = "List jurisdictions; load the shipped reference data; import World Bank income groups."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="jurisdictions with region and income group")
        listing.add_argument("--fy", type=int, default=2021, help="income classification year")
        listing.add_argument("--region", help="only this M49 region (e.g. Africa)")
        sub.add_parser("load", help="load or refresh the shipped reference data")
        income = sub.add_parser("import-income", help="read a World Bank classification workbook")
        income.add_argument("file", type=Path)
        income.add_argument("--fy", type=int, required=True, help="fiscal year, e.g. 2021")
        income.add_argument(
            "--skip-unknown",
            action="store_true",
            dest="skip_unknown",
            help="import the other rows when some name economies the reference data does not "
            "know (historical ones such as SCG Serbia and Montenegro); they are listed",
        )

    def run(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            created, classified = actions.load_reference()
            self.stdout.write(
                f"{created} jurisdictions and {classified} income classifications added"
            )
        elif options["action"] == "import-income":
            result = actions.import_income_workbook(
                options["file"], options["fy"], skip_unknown=options["skip_unknown"]
            )
            if result.skipped:
                self.stdout.write(
                    f"skipped {len(result.skipped)} economies the reference data does not know: "
                    + ", ".join(economy.describe() for economy in result.skipped)
                )
            self.stdout.write(
                f"FY{options['fy']}: {result.changed} income classifications added or changed"
            )
        else:
            self._list(options["fy"], options["region"])

    def _list(self, fiscal_year: int, region: str | None) -> None:
        years = set(IncomeClassification.objects.values_list("fiscal_year", flat=True))
        if fiscal_year not in years:
            raise unknown("income classification year", fiscal_year, years)
        jurisdictions = Jurisdiction.objects.exclude(
            kind=Jurisdiction.Kind.SYNTHETIC
        ).select_related("parent")
        if region:
            regions = set(jurisdictions.values_list("region", flat=True)) - {""}
            if region not in regions:
                raise unknown("region", region, regions)
            jurisdictions = jurisdictions.filter(region=region)
        listed = list(jurisdictions)
        groups = income_groups(listed, fiscal_year)
        for j in listed:
            self.stdout.write(
                f"{j.code:<7} {groups[j.code] or '-':<4} {j.region or '-':<9} "
                f"{j.subregion or '-':<32} {j.name()}"
            )
