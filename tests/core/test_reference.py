from __future__ import annotations

import csv
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from tests.hostile import zip_bomb
from tests.world_bank import CLASS_2006, class_workbook_as_published

from mnr.core.reference import (
    CLASS_SHEET,
    DATA_DIR,
    HISTORY_SHEET,
    INCOME_GROUPS,
    JurisdictionRecord,
    ReferenceDataError,
    UnknownEconomy,
    WorkbookReading,
    read_income_groups,
    read_jurisdictions,
    read_world_bank_workbook,
)

JURISDICTIONS = {record.code: record for record in read_jurisdictions()}
INCOME_2021 = {r.code: r.income_group for r in read_income_groups() if r.fiscal_year == 2021}


# --- shipped files -----------------------------------------------------------------------


def test_every_iso_3166_country_is_shipped_once() -> None:
    iso = [r for r in JURISDICTIONS.values() if r.kind == "country" and r.numeric]
    assert len(iso) >= 249
    assert all(len(r.code) == 2 and len(r.alpha3) == 3 and len(r.numeric) == 3 for r in iso)
    assert len({r.alpha3 for r in iso}) == len(iso)


def test_england_and_wales_is_a_non_country_jurisdiction_of_the_united_kingdom() -> None:
    england_and_wales = JURISDICTIONS["GB-EAW"]
    assert england_and_wales.kind == "non_country"
    assert england_and_wales.parent_code == "GB"
    assert england_and_wales.name_en == "England and Wales"
    assert {JURISDICTIONS[code].parent_code for code in ("GB-SCT", "GB-NIR")} == {"GB"}


def test_non_country_jurisdictions_leave_region_and_income_to_their_parent() -> None:
    non_countries = [r for r in JURISDICTIONS.values() if r.kind == "non_country"]
    assert non_countries
    assert all(not r.region and not r.subregion for r in non_countries)
    assert not {r.code for r in non_countries} & set(INCOME_2021)
    assert INCOME_2021["GB"] == "HIC"


def test_hand_maintained_non_country_list_is_merged_as_written() -> None:
    with (DATA_DIR / "non_country_jurisdictions.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["code"] for row in rows} >= {"GB-EAW", "GB-SCT", "GB-NIR"}
    for row in rows:
        record = JURISDICTIONS[row["code"]]
        assert (record.parent_code, record.name_en, record.name_fr, record.name_zh) == (
            row["parent_code"], row["name_en"], row["name_fr"], row["name_zh"],
        )


def test_kosovo_is_shipped_as_a_country_outside_iso_3166() -> None:
    kosovo = JURISDICTIONS["XK"]
    assert (kosovo.kind, kosovo.alpha3, kosovo.numeric) == ("country", "XKX", "")
    assert INCOME_2021["XK"] == "UMC"


@pytest.mark.parametrize(
    ("code", "region", "subregion"),
    [
        ("KE", "Africa", "Sub-Saharan Africa"),
        ("SE", "Europe", "Northern Europe"),
        ("VN", "Asia", "South-eastern Asia"),
        ("BR", "Americas", "Latin America and the Caribbean"),
        ("FJ", "Oceania", "Melanesia"),
    ],
)
def test_usual_countries_have_their_m49_region(code: str, region: str, subregion: str) -> None:
    assert (JURISDICTIONS[code].region, JURISDICTIONS[code].subregion) == (region, subregion)


def test_every_country_but_antarctica_has_an_m49_region_with_a_three_digit_code() -> None:
    countries = [r for r in JURISDICTIONS.values() if r.kind == "country"]
    without = [r.code for r in countries if not (r.region and r.subregion)]
    assert without == ["AQ"]
    regions = {(r.region_code, r.region) for r in countries if r.region}
    assert regions == {
        ("002", "Africa"), ("019", "Americas"), ("142", "Asia"), ("150", "Europe"),
        ("009", "Oceania"),
    }
    assert all(len(r.subregion_code) == 3 for r in countries if r.subregion)


@pytest.mark.parametrize(
    ("code", "names"),
    [
        ("VN", ("Viet Nam", "Viet Nam", "Viet Nam", "فييت نام", "Вьетнам", "越南")),
        ("SE", ("Sweden", "Suède", "Suecia", "السويد", "Швеция", "瑞典")),
        ("KE", ("Kenya", "Kenya", "Kenya", "كينيا", "Кения", "肯尼亚")),
        ("GB-EAW", ("England and Wales", "Angleterre et pays de Galles", "Inglaterra y Gales",
                    "إنجلترا وويلز", "Англия и Уэльс", "英格兰和威尔士")),
    ],
)
def test_names_are_shipped_in_six_languages(code: str, names: tuple[str, ...]) -> None:
    record = JURISDICTIONS[code]
    shipped = (record.name_en, record.name_fr, record.name_es, record.name_ar, record.name_ru,
               record.name_zh)
    assert shipped == names


def test_every_iso_country_has_a_name_in_six_languages() -> None:
    iso = [r for r in JURISDICTIONS.values() if r.kind == "country" and r.numeric]
    missing = [
        r.code for r in iso
        if not all((r.name_en, r.name_fr, r.name_es, r.name_ar, r.name_ru, r.name_zh))
    ]
    assert missing == []


def test_fy2021_income_groups_match_the_world_bank_counts() -> None:
    # The World Bank's FY2021 list has 83 high-income economies; its "Channel Islands" entry
    # is shipped as both Guernsey and Jersey, hence 84 rows.
    counts = Counter(INCOME_2021.values())
    assert counts == {"HIC": 84, "UMC": 56, "LMC": 50, "LIC": 29}
    assert INCOME_2021["GG"] == INCOME_2021["JE"] == "HIC"


@pytest.mark.parametrize(
    ("code", "income_group"),
    # Romania and Nauru became high income, and Benin and Nepal lower middle, in July 2020.
    [("SE", "HIC"), ("KE", "LMC"), ("VN", "LMC"), ("BR", "UMC"), ("NP", "LMC"), ("BJ", "LMC"),
     ("RO", "HIC"), ("NR", "HIC"), ("AF", "LIC"), ("CD", "LIC"), ("PS", "LMC"), ("MO", "HIC")],
)
def test_fy2021_income_group_of_known_economies(code: str, income_group: str) -> None:
    assert INCOME_2021[code] == income_group


def test_every_income_row_refers_to_a_known_jurisdiction_and_group() -> None:
    records = read_income_groups()
    assert {r.code for r in records} <= set(JURISDICTIONS)
    assert {r.income_group for r in records} <= set(INCOME_GROUPS)
    assert all(r.source for r in records)


def test_reading_a_jurisdiction_file_with_an_orphan_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "jurisdictions.csv"
    shipped = (DATA_DIR / "jurisdictions.csv").read_text(encoding="utf-8").splitlines()
    orphan = "XX-ABC,,,non_country,ZZ,Nowhere,,,,,,,,,,hand"
    path.write_text("\n".join([*shipped[:3], orphan]) + "\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"row 4: non-country jurisdiction 'XX-ABC'"):
        read_jurisdictions(path)


def test_reading_an_income_file_lists_every_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "income_groups.csv"
    path.write_text(
        "code,fiscal_year,income_group,source\nGH,2021,LMIC,x\nSE,FY21,HIC,x\nKE,2021,LMC,x\n"
        "KE,2021,LMC,x\n",
        encoding="utf-8",
    )
    with pytest.raises(ReferenceDataError) as raised:
        read_income_groups(path)
    message = str(raised.value)
    assert str(path) in message
    assert "row 2: income_group 'LMIC'" in message
    assert "row 3: fiscal_year 'FY21'" in message
    assert "row 5: KE FY2021 repeats row 4" in message


# --- World Bank workbooks ------------------------------------------------------------------


def write_workbook(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    workbook.save(path)
    return path


CLASS_HEADER = ("Economy", "Code", "Region", "Income group", "Lending category")


def class_workbook(path: Path, *rows: Sequence[object], title_rows: int = 0) -> Path:
    top = [("World Bank list of economies",)] + [()] * (title_rows - 1) if title_rows else []
    return write_workbook(path / "CLASS.xlsx", {CLASS_SHEET: [*top, CLASS_HEADER, *rows]})


def history_workbook(path: Path, *rows: Sequence[object]) -> Path:
    top = [
        ("World Bank Analytical Classifications",),
        ("GNI per capita in US$ (Atlas methodology)",),
        (),
        (),
        (None, "Bank's fiscal year:", "FY20", "FY21", "FY22"),
        (None, "Data for calendar year :", 2018, 2019, 2020),
        (None, "Low income (L)", "<= 1,025", "<= 1,035", "<= 1,045"),
    ]
    return write_workbook(path / "OGHIST.xlsx", {"Thresholds": [("x",)], HISTORY_SHEET: [
        *top, *rows, (None, "Note: .. means not available"),
    ]})


def classified(reading: WorkbookReading) -> dict[str, str]:
    return {r.code: r.income_group for r in reading.records}


def test_class_workbook_gives_income_groups_by_our_codes(tmp_path: Path) -> None:
    path = class_workbook(
        tmp_path,
        ("Kenya", "KEN", "Sub-Saharan Africa", "Lower middle income", "IDA"),
        ("Sweden", "SWE", "Europe & Central Asia", "High income", None),
        ("Channel Islands", "CHI", "Europe & Central Asia", "High income", None),
        ("Kosovo", "XKX", "Europe & Central Asia", "Upper middle income", "IDA"),
        ("Burundi", "BDI", "Sub-Saharan Africa", "Low income", "IDA"),
        ("Venezuela, RB", "VEN", "Latin America & Caribbean", None, None),
        ("World", "WLD", None, None, None),
        ("High income", "HIC", None, None, None),
        title_rows=3,
    )
    reading = read_world_bank_workbook(path, 2025)
    assert classified(reading) == {
        "KE": "LMC", "SE": "HIC", "GG": "HIC", "JE": "HIC", "XK": "UMC", "BI": "LIC",
    }
    assert {r.fiscal_year for r in reading.records} == {2025}
    assert all("CLASS.xlsx" in r.source and "FY2025" in r.source for r in reading.records)
    assert reading.skipped == ()


def test_historical_workbook_gives_the_chosen_fiscal_year(tmp_path: Path) -> None:
    path = history_workbook(
        tmp_path,
        ("AFG", "Afghanistan", "L", "L", "L"),
        ("KEN", "Kenya", "LM", "LM", "LM"),
        ("SWE", "Sweden", "H", "H", "H"),
        ("VEN", "Venezuela, RB", "UM", "UM", ".."),
        ("YEM", "Yemen, Rep.", "L", "LM*", "L"),
        ("YUG", "Yugoslavia", "..", "..", ".."),
        ("CHI", "Channel Islands", "H", "H", "H"),
    )
    fy2021 = read_world_bank_workbook(path, 2021)
    assert classified(fy2021) == {
        "AF": "LIC", "KE": "LMC", "SE": "HIC", "VE": "UMC", "YE": "LMC", "GG": "HIC", "JE": "HIC",
    }
    assert {r.fiscal_year for r in fy2021.records} == {2021}
    assert "VE" not in classified(read_world_bank_workbook(path, 2022))


def test_workbook_codes_are_matched_against_the_jurisdictions_given(tmp_path: Path) -> None:
    path = class_workbook(tmp_path, ("Kenya", "KEN", "Sub-Saharan Africa", "Low income", "IDA"))
    kenya = JurisdictionRecord(
        "KE", "KEN", "404", "country", "", "Kenya", "", "", "", "", "", "", "", "", "", "test"
    )
    assert classified(read_world_bank_workbook(path, 2021, jurisdictions=[kenya])) == {"KE": "LIC"}


@settings(max_examples=20, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(sorted(r.alpha3 for r in JURISDICTIONS.values() if r.numeric)),
        st.sampled_from(["High income", "Upper middle income", "Lower middle income",
                         "Low income"]),
        max_size=12,
    )
)
def test_class_workbook_round_trips_any_classification(labels: dict[str, str]) -> None:
    codes = {r.alpha3: r.code for r in JURISDICTIONS.values() if r.numeric}
    short = {"High income": "HIC", "Upper middle income": "UMC", "Lower middle income": "LMC",
             "Low income": "LIC"}
    with tempfile.TemporaryDirectory() as folder:
        rows = [("x", alpha3, "r", label) for alpha3, label in labels.items()]
        path = class_workbook(Path(folder), *rows)
        reading = read_world_bank_workbook(path, 2021)
    assert classified(reading) == {codes[a3]: short[label] for a3, label in labels.items()}


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "CLASS.xlsx"
    path.write_text("Economy,Code\nKenya,KEN\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"is not a readable XLSX workbook") as raised:
        read_world_bank_workbook(path, 2021)
    assert str(path) in str(raised.value)


def test_a_workbook_without_either_sheet_is_refused(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "mine.xlsx", {"Sheet1": [CLASS_HEADER]})
    with pytest.raises(ReferenceDataError) as raised:
        read_world_bank_workbook(path, 2021)
    message = str(raised.value)
    assert str(path) in message and "missing sheet" in message
    assert repr(CLASS_SHEET) in message and repr(HISTORY_SHEET) in message
    assert "sheets found: 'Sheet1'" in message


def test_a_class_workbook_without_the_income_column_is_refused(tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "CLASS.xlsx", {CLASS_SHEET: [("Economy", "Code", "Region"), ("Kenya", "KEN")]}
    )
    with pytest.raises(ReferenceDataError) as raised:
        read_world_bank_workbook(path, 2021)
    message = str(raised.value)
    assert f"{path}, sheet {CLASS_SHEET!r}" in message
    assert "missing column(s) 'Income group' in header row 1" in message


def test_a_historical_workbook_without_fiscal_year_columns_is_refused(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "OGHIST.xlsx", {HISTORY_SHEET: [("code", "economy")]})
    with pytest.raises(ReferenceDataError) as raised:
        read_world_bank_workbook(path, 2021)
    assert f"sheet {HISTORY_SHEET!r}: missing column(s)" in str(raised.value)


def test_unknown_income_labels_are_all_named_with_their_cells(tmp_path: Path) -> None:
    path = class_workbook(
        tmp_path,
        ("Kenya", "KEN", "Sub-Saharan Africa", "Middle income", "IDA"),
        ("Sweden", "SWE", "Europe & Central Asia", "High income", None),
        ("Chile", "CHL", "Latin America & Caribbean", "HIC", None),
    )
    with pytest.raises(ReferenceDataError) as raised:
        read_world_bank_workbook(path, 2021)
    message = str(raised.value)
    assert f"sheet {CLASS_SHEET!r}: 2 problems" in message
    assert "row 2, column D 'Income group': unknown income label 'Middle income'" in message
    assert "row 4, column D 'Income group': unknown income label 'HIC'" in message


def test_unknown_historical_label_names_row_and_fiscal_year_column(tmp_path: Path) -> None:
    path = history_workbook(tmp_path, ("KEN", "Kenya", "LM", "M", "LM"))
    with pytest.raises(ReferenceDataError) as raised:
        read_world_bank_workbook(path, 2021)
    assert "row 8, column D 'FY21': unknown income label 'M'" in str(raised.value)


@pytest.mark.parametrize(("fiscal_year", "column"), [(2030, "FY30"), (1921, "FY21")])
def test_a_fiscal_year_missing_from_the_historical_file_is_refused(
    tmp_path: Path, fiscal_year: int, column: str
) -> None:
    path = history_workbook(tmp_path, ("KEN", "Kenya", "LM", "LM", "LM"))
    with pytest.raises(ReferenceDataError) as raised:
        read_world_bank_workbook(path, fiscal_year)
    message = str(raised.value)
    assert str(path) in message and f"sheet {HISTORY_SHEET!r}" in message
    assert f"fiscal year {fiscal_year} (column {column!r}) is not in the historical" in message
    assert "header row 5 has FY20 to FY22" in message


def test_unknown_alpha3_codes_are_all_listed(tmp_path: Path) -> None:
    path = class_workbook(
        tmp_path,
        ("Kenya", "KEN", "Sub-Saharan Africa", "Lower middle income", "IDA"),
        ("Atlantis", "ATL", "Europe & Central Asia", "High income", None),
        ("Lemuria", "LEM", "South Asia", "Low income", None),
    )
    with pytest.raises(ReferenceDataError) as raised:
        read_world_bank_workbook(path, 2021)
    message = str(raised.value)
    assert f"{path}, sheet {CLASS_SHEET!r}" in message
    assert "column B 'Code': 2 economies the jurisdiction list does not know" in message
    assert "ATL Atlantis (row 3), LEM Lemuria (row 4)" in message
    assert "--skip-unknown" in message


def test_an_economy_given_twice_is_refused(tmp_path: Path) -> None:
    path = history_workbook(
        tmp_path, ("KEN", "Kenya", "LM", "LM", "LM"), ("KEN", "Kenya", "L", "L", "L")
    )
    with pytest.raises(ReferenceDataError, match=r"row 9: KEN gives KE a second income group"):
        read_world_bank_workbook(path, 2021)


# --- World Bank workbooks as published: historical economies, other code spellings ---------


def test_a_class_workbook_with_historical_economies_lists_each_of_them(tmp_path: Path) -> None:
    path = class_workbook_as_published(tmp_path, *CLASS_2006)
    with pytest.raises(ReferenceDataError) as raised:
        read_world_bank_workbook(path, 2007)
    message = str(raised.value)
    assert f"{path}, sheet {CLASS_SHEET!r}: column B 'Code': 2 economies" in message
    assert "SCG Serbia and Montenegro (row 7), ANT Netherlands Antilles (row 9)" in message
    assert "--skip-unknown" in message


def test_skip_unknown_reads_the_other_economies_and_names_the_skipped(tmp_path: Path) -> None:
    path = class_workbook_as_published(tmp_path, *CLASS_2006)
    reading = read_world_bank_workbook(path, 2007, skip_unknown=True)
    assert classified(reading) == {"KE": "LIC", "SE": "HIC"}
    assert reading.skipped == (
        UnknownEconomy(7, "SCG", "Serbia and Montenegro"),
        UnknownEconomy(9, "ANT", "Netherlands Antilles"),
    )


def test_skip_unknown_still_refuses_other_problems(tmp_path: Path) -> None:
    path = class_workbook_as_published(
        tmp_path, *CLASS_2006, ("Chile", "CHL", "Latin America & Caribbean", "Rich", None, None)
    )
    with pytest.raises(ReferenceDataError, match=r"row 10, column D 'Income group': unknown"):
        read_world_bank_workbook(path, 2007, skip_unknown=True)


@pytest.mark.parametrize("fiscal_year", [1992, 2005])
def test_historical_economies_of_the_history_file_are_listed_or_skipped(
    tmp_path: Path, fiscal_year: int
) -> None:
    top = [
        ("World Bank Analytical Classifications",),
        (None, "Bank's fiscal year:", "FY92", "FY05"),
        (None, "Data for calendar year :", 1990, 2003),
    ]
    rows = [
        ("KEN", "Kenya", "L", "L"),
        ("YUG", "Yugoslavia, Fed. Rep.", "UM", ".."),
        ("CSK", "Czechoslovakia", "UM", ".."),
        ("SUN", "USSR", "UM", ".."),
        ("ZAR", "Zaire", "L", ".."),
        ("TMP", "East Timor", "..", "L"),
        ("SCG", "Serbia and Montenegro", "..", "LM"),
        ("ANT", "Netherlands Antilles", "H", "H"),
    ]
    path = write_workbook(tmp_path / "OGHIST.xlsx", {HISTORY_SHEET: [*top, *rows]})
    expected = {1992: ["YUG", "CSK", "SUN", "ZAR", "ANT"], 2005: ["TMP", "SCG", "ANT"]}
    with pytest.raises(ReferenceDataError) as raised:
        read_world_bank_workbook(path, fiscal_year)
    for code in expected[fiscal_year]:
        assert f"{code} " in str(raised.value)
    reading = read_world_bank_workbook(path, fiscal_year, skip_unknown=True)
    assert classified(reading) == {"KE": "LIC"}
    assert [economy.code for economy in reading.skipped] == expected[fiscal_year]


def test_workbook_codes_may_be_alpha2_or_numeric(tmp_path: Path) -> None:
    path = class_workbook(
        tmp_path,
        ("Kenya", "KE", "Sub-Saharan Africa", "Lower middle income", "IDA"),
        ("Albania", 8, "Europe & Central Asia", "Upper middle income", "IBRD"),
        ("Sweden", "752", "Europe & Central Asia", "High income", None),
    )
    assert classified(read_world_bank_workbook(path, 2021)) == {
        "KE": "LMC", "AL": "UMC", "SE": "HIC",
    }


@pytest.mark.parametrize(
    ("inflated_mib", "refusal"),
    [(20, "refused as a zip bomb"), (250, "workbooks over 200 MiB uncompressed are refused")],
)
def test_a_zip_bomb_named_like_a_world_bank_workbook_is_refused_before_it_is_read(
    tmp_path: Path, inflated_mib: int, refusal: str
) -> None:
    path = tmp_path / "CLASS.xlsx"
    path.write_bytes(zip_bomb(inflated_mib))
    assert path.stat().st_size < inflated_mib * 1024 * 1024 / 100
    with pytest.raises(ReferenceDataError) as raised:
        read_world_bank_workbook(path, 2021)
    assert str(raised.value).startswith(f"{path}: ")
    assert refusal in str(raised.value)
