"""Fuzzing the answer importer's reading (mnr.core.interchange.parse_answers): valid
interchange files (CSV, XLSX, JSON) and KoboToolbox/ODK exports, spoiled by tests/mutations.py,
are read or refused; never an exception, and every problem names the file and, where it
concerns a row or a column, which one.

tests/core/test_interchange.py has the hand-written hostile files (zip bombs, NUL, lone
surrogates, deep JSON, oversized files, wrong formats); this file throws generated ones at the
same reader. tests/fuzz/test_import_fuzz.py imports spoiled files into a database."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from tests.mutations import (
    FUZZ,
    encoded_csv,
    json_values,
    mutated_document,
    mutated_table,
    nested,
    spoiled_archive,
    spoiled_bytes,
    typed_cells,
    xlsx_bytes,
)

from mnr.core import codes
from mnr.core.interchange import (
    EXPORT_HEADER,
    FORMATS,
    ImportTarget,
    QuestionInfo,
    Reading,
    parse_answers,
)

STATUS = ("yes", "partial", "no", "dont_know", "not_applicable")
VERSION = "r-2021.mnr-review-2021.v1.government"
TARGET = ImportTarget(
    round="r-2021",
    instrument="mnr-review-2021",
    instrument_version=1,
    channels=("government", "unicef_country_office"),
    questions=(
        QuestionInfo("C01.status", STATUS),
        QuestionInfo("C01.phase", ("1", "2", "3", "4"), phase=True),
        QuestionInfo("C01.good_practice"),
        QuestionInfo("C03.laws_adequate", STATUS, ("unicef_country_office",)),
    ),
    jurisdictions=frozenset({"KE", "SE", "GB-EAW"}),
    jurisdiction_aliases=codes.aliases([("KE", "KEN", "404"), ("SE", "SWE", "752")]),
)

ANSWERS = [
    list(EXPORT_HEADER),
    [
        "r-2021",
        "KE",
        "government",
        "C01.status",
        "yes",
        "a note",
        "https://example.org/law",
        "true",
        "",
        "",
    ],
    ["r-2021", "SE", "government", "C01.phase", "3", "", "", "false", "police", "high"],
    ["r-2021", "KEN", "unicef_country_office", "C03.laws_adequate", "no", "", "", "", "", ""],
    ["r-2021", "GB-EAW", "government", "C01.good_practice", "=a policy", "", "", "", "", ""],
]
KOBO = [
    [
        "start",
        "jurisdiction",
        "round",
        "channel",
        "mnr_version",
        "D1/C01_status",
        "D1/C01_good_practice",
        "meta/instanceID",
        "_id",
        "__version__",
    ],
    ["2021-01-01", "KE", "r-2021", "government", VERSION, "yes", "text", "uuid:1", "1", "vX"],
    ["2021-01-02", "SE", "r-2021", "government", VERSION, "partial", "", "uuid:2", "2", "vX"],
]
FILE_FORMATS = st.sampled_from([None, *FORMATS])


def assert_read_or_refused_clearly(reading: Reading, name: str) -> None:
    """What every reading must be: rows and no problem, or problems that each name the file,
    and say something after it."""
    assert isinstance(reading, Reading)
    for problem, message in zip(reading.problems, reading.messages(), strict=True):
        assert message.startswith(f"{name}: "), message
        assert len(message) > len(name) + 10, message
        if problem.row is not None:
            assert f"row {problem.row}" in message
    if not reading.problems:
        assert reading.rows


def test_the_valid_files_read_without_a_problem() -> None:
    # The fuzz tests below start from these; they must be valid for the mutations to matter.
    from tests.mutations import csv_bytes

    for name, content in (
        ("answers.csv", csv_bytes(ANSWERS).encode()),
        ("answers.xlsx", xlsx_bytes(ANSWERS)),
        ("kobo.csv", csv_bytes(KOBO).encode()),
    ):
        reading = parse_answers(name, content, TARGET)
        assert not reading.problems, reading.messages()
        assert reading.rows


@FUZZ
@given(data=st.data(), fmt=FILE_FORMATS, kobo=st.booleans())
def test_any_spoiled_csv_is_read_or_refused_naming_file_and_row(
    data: st.DataObject, fmt: str | None, kobo: bool
) -> None:
    table = data.draw(mutated_table(KOBO if kobo else ANSWERS), label="table")
    content = data.draw(encoded_csv(table), label="csv")
    content = data.draw(spoiled_bytes(content), label="bytes")
    assert_read_or_refused_clearly(
        parse_answers("answers.csv", content, TARGET, fmt), "answers.csv"
    )


@FUZZ
@given(data=st.data(), fmt=st.sampled_from([None, "xlsx", "kobo", "odk"]), kobo=st.booleans())
def test_any_spoiled_workbook_is_read_or_refused_naming_file_and_row(
    data: st.DataObject, fmt: str | None, kobo: bool
) -> None:
    table = data.draw(mutated_table(KOBO if kobo else ANSWERS), label="table")
    content = xlsx_bytes(data.draw(typed_cells(table), label="cells"))
    if data.draw(st.booleans(), label="spoil the bytes"):
        content = data.draw(spoiled_bytes(content), label="bytes")
    reading = parse_answers("answers.xlsx", content, TARGET, fmt)
    assert_read_or_refused_clearly(reading, "answers.xlsx")


@FUZZ
@given(data=st.data(), fmt=st.sampled_from([None, "xlsx", "kobo"]), kobo=st.booleans())
def test_a_valid_workbook_with_a_broken_part_is_refused_clearly(
    data: st.DataObject, fmt: str | None, kobo: bool
) -> None:
    # Found by this test: a truncated sheet raised ParseError out of the reader, since the
    # sheet's XML is parsed only while its rows are read.
    content = data.draw(spoiled_archive(xlsx_bytes(KOBO if kobo else ANSWERS)), label="parts")
    reading = parse_answers("answers.xlsx", content, TARGET, fmt)
    assert_read_or_refused_clearly(reading, "answers.xlsx")


@FUZZ
@given(data=st.data(), fmt=st.sampled_from([None, "json"]))
def test_any_spoiled_json_is_read_or_refused_naming_file_and_row(
    data: st.DataObject, fmt: str | None
) -> None:
    header, *rows = ANSWERS
    records = [dict(zip(header, row, strict=True)) for row in rows]
    document = data.draw(
        st.one_of(mutated_document(records), json_values, st.lists(json_values, max_size=4)),
        label="document",
    )
    content = json.dumps(document, ensure_ascii=data.draw(st.booleans())).encode(
        "utf-8", "surrogatepass"
    )
    content = data.draw(spoiled_bytes(content), label="bytes")
    reading = parse_answers("answers.json", content, TARGET, fmt)
    assert_read_or_refused_clearly(reading, "answers.json")


@FUZZ
@given(
    depth=st.integers(min_value=1, max_value=200_000),
    opening=st.sampled_from(["[", "{"]),
    name=st.sampled_from(["answers.json", "answers.csv", "kobo.csv"]),
)
def test_nesting_of_any_depth_is_refused_clearly(depth: int, opening: str, name: str) -> None:
    content = nested(depth, opening).encode()
    reading = parse_answers(name, content, TARGET)
    assert reading.problems
    assert_read_or_refused_clearly(reading, name)


@FUZZ
@given(
    header=st.lists(st.sampled_from([*EXPORT_HEADER, "_id", "meta/instanceID", "x"]), max_size=14),
    width=st.integers(min_value=0, max_value=14),
)
def test_any_header_of_known_and_repeated_names_is_read_or_refused(
    header: list[str], width: int
) -> None:
    from tests.mutations import csv_bytes

    table = [header, ["KE"] * width, ["yes"] * width]
    content = csv_bytes(table).encode()
    assert_read_or_refused_clearly(parse_answers("h.csv", content, TARGET), "h.csv")
