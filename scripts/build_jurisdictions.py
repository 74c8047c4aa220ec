"""Rebuild the shipped jurisdiction reference files from well-kept packages.

Run from the repository root, with the ``refdata`` extra installed (pycountry, hdx-python-country,
worldcountrygroups; the project's .venv has them):

    .venv/bin/python scripts/build_jurisdictions.py

Reads   src/mnr/jurisdictions/data/non_country_jurisdictions.csv (hand-maintained)
Writes  src/mnr/jurisdictions/data/jurisdictions.csv
        src/mnr/jurisdictions/data/income_groups.csv

and prints the number of economies per income group. The same package versions give
byte-identical files, and nothing is downloaded: hdx-python-country is told to use the taxonomy
bundled with it, not its live feed. When a rebuild changes the files, update the versions and
date in src/mnr/jurisdictions/data/README.md.

What each package provides:

- pycountry: the ISO 3166-1 list (alpha-2, alpha-3, numeric), and ISO names with their
  iso-codes translations for the one country UN M49 does not list (Taiwan).
- hdx-python-country: OCHA's countries and territories taxonomy: UN M49 names in six
  languages, M49 region and sub-region, and Kosovo (XK/XKX, a code the ISO leaves to users).
- worldcountrygroups: the World Bank's FY2021 income lists (groups hics, umcs, lmc, lics; their
  descriptions say "for the 2021 fiscal year", which this script checks).
"""

from __future__ import annotations

import csv
import gettext
import sys
from collections import Counter
from dataclasses import astuple
from importlib.metadata import version
from pathlib import Path
from typing import Any, NoReturn

import pycountry
import worldcountrygroups
from hdx.location.country import Country

from mnr.core.reference import (
    INCOME_COLUMNS,
    INCOME_GROUPS,
    INCOME_GROUPS_CSV,
    JURISDICTION_COLUMNS,
    JURISDICTIONS_CSV,
    WORLD_BANK_GROUPED_ECONOMIES,
    IncomeRecord,
    JurisdictionRecord,
    read_income_groups,
    read_jurisdictions,
)

NON_COUNTRY_CSV = JURISDICTIONS_CSV.parent / "non_country_jurisdictions.csv"
NON_COUNTRY_COLUMNS = (
    "code", "parent_code", "name_en", "name_fr", "name_es", "name_ar", "name_ru", "name_zh",
    "notes",
)
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
M49_NAME_COLUMNS = dict(zip(LANGUAGES, ("M49 English", "M49 French", "M49 Spanish",
                                        "M49 Arabic", "M49 Russian", "M49 Chinese"), strict=True))
SHORT_NAME_COLUMNS = dict(zip(LANGUAGES, ("English Short", "French Short", "Spanish Short",
                                          "Arabic Short", "Russian Short", "Chinese Short"),
                              strict=True))
# Locales of pycountry's iso-codes translations; UN Chinese is simplified.
ISO_NAME_LOCALES = {"fr": "fr", "es": "es", "ar": "ar", "ru": "ru", "zh": "zh_CN"}

FISCAL_YEAR = 2021
INCOME_GROUP_IDS = {"hics": "HIC", "umcs": "UMC", "lmc": "LMC", "lics": "LIC"}
# worldcountrygroups leaves the codes of these economies blank; their World Bank codes.
UNCODED_ECONOMIES = {
    "Channel Islands": "CHI",
    "Congo, Dem. Rep.": "COD",
    "Macao SAR, China": "MAC",
    "Virgin Islands (U.S.)": "VIR",
    "West Bank and Gaza": "PSE",
}

PYCOUNTRY = f"pycountry {version('pycountry')}"
HDX = f"hdx-python-country {version('hdx-python-country')}"
WCG = f"worldcountrygroups {version('worldcountrygroups')}"


def fail(message: str) -> NoReturn:
    sys.exit(f"build_jurisdictions: {message}")


def m49_code(value: str) -> str:
    return f"{int(value):03d}" if value else ""


def iso_names(country: Any) -> dict[str, str]:
    names = {"en": country.name}
    for language, locale in ISO_NAME_LOCALES.items():
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        translated = translation.gettext(country.name)
        names[language] = translated if translated != country.name else ""
    return names


def taxonomy_record(
    code: str, alpha3: str, numeric: str, row: dict[str, str], iso_country: Any
) -> JurisdictionRecord:
    """A country from its taxonomy row; M49 names where M49 lists it, else ISO or OCHA names."""
    in_m49 = bool(row["M49 English"])
    if in_m49:
        names = {language: row[column] for language, column in M49_NAME_COLUMNS.items()}
        source = f"ISO 3166-1: {PYCOUNTRY}; M49 names and regions: {HDX}"
    elif iso_country is not None:
        names = iso_names(iso_country)
        source = f"ISO 3166-1 and ISO names: {PYCOUNTRY} (not listed in M49); region: {HDX} (OCHA)"
    else:
        names = {language: row[column] for language, column in SHORT_NAME_COLUMNS.items()}
        source = f"{HDX} (OCHA taxonomy; user-assigned code, not ISO 3166-1; not listed in M49)"
    if not row["Region Name"]:
        source += "; no M49 region"
    return JurisdictionRecord(
        code=code,
        alpha3=alpha3,
        numeric=numeric,
        kind="country",
        parent_code="",
        **{f"name_{language}": names[language] for language in LANGUAGES},
        region_code=m49_code(row["Region Code"]),
        region=row["Region Name"],
        subregion_code=m49_code(row["Sub-region Code"]),
        subregion=row["Sub-region Name"],
        source=source,
    )


def country_records() -> list[JurisdictionRecord]:
    taxonomy = Country.countriesdata(include_unofficial=True, use_live=False)["countries"]
    by_alpha2 = {row["ISO 3166-1 Alpha 2-Codes"]: row for row in taxonomy.values()
                 if row["ISO 3166-1 Alpha 2-Codes"]}
    records = []
    for country in pycountry.countries:
        row = by_alpha2.get(country.alpha_2)
        if row is None:
            fail(f"{HDX} has no row for ISO 3166-1 {country.alpha_2}")
        m49 = row["m49 numerical code"]
        if row["ISO 3166-1 Alpha 3-Codes"] != country.alpha_3 or (
            m49 and int(m49) != int(country.numeric)
        ):
            fail(f"{country.alpha_2}: {PYCOUNTRY} and {HDX} disagree on alpha-3 or numeric code")
        records.append(
            taxonomy_record(country.alpha_2, country.alpha_3, country.numeric, row, country)
        )
    # Codes outside ISO 3166-1 that the taxonomy still uses (Kosovo); deprecated ones are left.
    for row in taxonomy.values():
        unofficial = row["x Alpha2 codes"] and not row["ISO 3166-1 Alpha 2-Codes"]
        if unofficial and row["Deprecated"] != "Y":
            records.append(
                taxonomy_record(row["x Alpha2 codes"], row["x Alpha3 codes"], "", row, None)
            )
    return records


def non_country_records(countries: list[JurisdictionRecord]) -> list[JurisdictionRecord]:
    """The hand-maintained list; regions and income groups are left to inheritance."""
    known = {record.code for record in countries}
    with NON_COUNTRY_CSV.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != NON_COUNTRY_COLUMNS:
            fail(f"{NON_COUNTRY_CSV}: header must be {','.join(NON_COUNTRY_COLUMNS)}")
        rows = list(reader)
    records = []
    for line, row in enumerate(rows, start=2):
        code, parent = row["code"].strip(), row["parent_code"].strip()
        if code in known or parent not in known or not row["name_en"].strip():
            fail(f"{NON_COUNTRY_CSV}, row {line}: code must be new, parent_code a country, "
                 "name_en filled")
        records.append(
            JurisdictionRecord(
                code=code, alpha3="", numeric="", kind="non_country", parent_code=parent,
                **{f"name_{language}": row[f"name_{language}"].strip() for language in LANGUAGES},
                region_code="", region="", subregion_code="", subregion="",
                source=f"non_country_jurisdictions.csv; region and income inherited from {parent}",
            )
        )
        known.add(code)
    return records


def income_records(
    jurisdictions: list[JurisdictionRecord],
) -> tuple[list[IncomeRecord], Counter[str]]:
    """FY2021 income groups, and the number of economies the source puts in each group."""
    by_alpha3: dict[str, tuple[str, ...]] = {
        r.alpha3: (r.code,) for r in jurisdictions if r.kind == "country" and r.alpha3
    }
    by_alpha3.update(WORLD_BANK_GROUPED_ECONOMIES)
    records: list[IncomeRecord] = []
    economies: Counter[str] = Counter()
    for group_id, income_group in INCOME_GROUP_IDS.items():
        group = worldcountrygroups.get_group(group_id)
        if group is None or f"{FISCAL_YEAR} fiscal year" not in group.description:
            fail(f"{WCG}: group {group_id!r} is missing or not the FY{FISCAL_YEAR} list")
        for economy in group.countries:
            world_bank_code = economy.iso3 or UNCODED_ECONOMIES.get(economy.name, "")
            codes = by_alpha3.get(world_bank_code)
            if codes is None or (economy.iso2 and codes != (economy.iso2,)):
                fail(f"{WCG} {group_id}: cannot place {economy.name!r} "
                     f"({economy.iso2 or '-'}/{economy.iso3 or '-'})")
            source = f"World Bank FY{FISCAL_YEAR} list via {WCG} ({group_id}.json)"
            if not economy.iso3:
                source += f"; code matched by name {economy.name!r}"
            if len(codes) > 1:
                source += f" ({world_bank_code}), applied to {' and '.join(codes)}"
            records.extend(IncomeRecord(code, FISCAL_YEAR, income_group, source) for code in codes)
            economies[income_group] += 1
    placed = Counter(record.code for record in records)
    if doubled := sorted(code for code, count in placed.items() if count > 1):
        fail(f"{WCG}: in more than one income group: {', '.join(doubled)}")
    return records, economies


def write_csv(path: Path, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def main() -> None:
    countries = country_records()
    jurisdictions = sorted(countries + non_country_records(countries), key=lambda r: r.code)
    incomes, economies = income_records(jurisdictions)
    incomes.sort(key=lambda record: (record.fiscal_year, record.code))
    write_csv(JURISDICTIONS_CSV, JURISDICTION_COLUMNS, [astuple(r) for r in jurisdictions])
    write_csv(INCOME_GROUPS_CSV, INCOME_COLUMNS, [astuple(r) for r in incomes])

    # Read back through the application's reader, which checks what it will rely on.
    shipped = read_jurisdictions()
    known = {record.code for record in shipped}
    if unknown := sorted({r.code for r in read_income_groups()} - known):
        fail(f"income groups for unknown jurisdictions: {', '.join(unknown)}")
    kinds = Counter(record.kind for record in shipped)
    print(f"{JURISDICTIONS_CSV}: {len(shipped)} jurisdictions "
          f"({kinds['country']} countries, of them {len(pycountry.countries)} ISO 3166-1; "
          f"{kinds['non_country']} non-country)")
    rows = Counter(record.income_group for record in incomes)
    print(f"{INCOME_GROUPS_CSV}: FY{FISCAL_YEAR}, economies in the source / rows shipped")
    for income_group in INCOME_GROUPS:
        print(f"  {income_group}: {economies[income_group]:3d} / {rows[income_group]:3d}")
    print(f"  all: {economies.total():3d} / {rows.total():3d}")
    unclassified = sorted(r.code for r in shipped
                          if r.kind == "country" and r.code not in {i.code for i in incomes})
    print(f"countries the source does not classify ({len(unclassified)}): {' '.join(unclassified)}")


if __name__ == "__main__":
    main()
