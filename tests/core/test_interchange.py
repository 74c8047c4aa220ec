from __future__ import annotations

import io
import json
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from tests.hostile import zip_bomb

from mnr.core import codes, interchange
from mnr.core.interchange import (
    HEADER,
    AnswerRecord,
    ImportTarget,
    QuestionInfo,
    Reading,
    parse_answers,
    render_csv,
    render_json,
    render_xlsx,
)
from mnr.core.limits import MAX_ANSWER_LENGTH, MAX_COMMENT_LENGTH, MAX_URL_LENGTH

STATUS = ("yes", "partial", "no", "dont_know", "not_applicable")
VERSION = "r-2021.mnr-review-2021.v1.government"
CO_VERSION = "r-2021.mnr-review-2021.v1.unicef_country_office"

TARGET = ImportTarget(
    round="r-2021",
    instrument="mnr-review-2021",
    instrument_version=1,
    channels=("government", "unicef_country_office"),
    questions=(
        QuestionInfo("C01.status", STATUS),
        QuestionInfo("C01.phase", ("1", "2", "3", "4")),
        QuestionInfo("C01.good_practice"),
        QuestionInfo("C03.laws_adequate", STATUS, ("unicef_country_office",)),
        QuestionInfo("C16-17.status", STATUS),
    ),
    jurisdictions=frozenset({"KE", "SE", "GB-EAW", "AL"}),
    jurisdiction_aliases=codes.aliases(
        [("KE", "KEN", "404"), ("SE", "SWE", "752"), ("GB-EAW", "", ""), ("AL", "ALB", "008")]
    ),
)
HEADER_LINE = ",".join(HEADER)


def read(name: str, content: bytes | str, fmt: str | None = None) -> Reading:
    data = content.encode() if isinstance(content, str) else content
    return parse_answers(name, data, TARGET, fmt)


def csv_file(*lines: str) -> str:
    return "\n".join([HEADER_LINE, *lines]) + "\n"


def xlsx_file(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def only_message(reading: Reading) -> str:
    assert len(reading.problems) == 1, reading.messages()
    return reading.messages()[0]


# --- The interchange format -------------------------------------------------------------------


def test_a_good_csv_gives_typed_rows_and_no_problem() -> None:
    reading = read(
        "answers.csv",
        csv_file(
            "r-2021,KE,government,C01.status,yes,adopted 2019,https://example.org/strategy",
            "r-2021,KE,government,C01.phase,3,,",
        ),
    )
    assert reading.problems == ()
    assert reading.format == "csv"
    first, second = reading.rows
    assert (first.row, first.jurisdiction, first.channel, first.question, first.answer) == (
        2,
        "KE",
        "government",
        "C01.status",
        "yes",
    )
    assert (first.comment, first.evidence_url, first.publishable) == (
        "adopted 2019",
        "https://example.org/strategy",
        None,
    )
    assert (second.row, second.answer) == (3, "3")


# Any text but the control characters no one types (a CSV holding many reads as binary data).
typed_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cc"], include_characters="\t\r\n")
)
records = st.builds(
    AnswerRecord,
    round=st.just("r-2021"),
    jurisdiction=st.sampled_from(sorted(TARGET.jurisdictions)),
    channel=st.just("government"),
    question=st.just("C01.good_practice"),
    answer=typed_text,
    comment=typed_text,
    evidence_url=st.sampled_from(["", "https://example.org/a?b=c", "http://gov.example/x"]),
    publishable=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(record=records, fmt=st.sampled_from(["csv", "xlsx", "json"]))
def test_what_is_written_reads_back_unchanged(record: AnswerRecord, fmt: str) -> None:
    render = {"csv": render_csv, "xlsx": render_xlsx, "json": render_json}[fmt]
    reading = parse_answers(f"answers.{fmt}", render([record]), TARGET)
    assert reading.problems == ()
    (row,) = reading.rows
    assert (row.jurisdiction, row.answer, row.comment, row.evidence_url, row.publishable) == (
        record.jurisdiction,
        record.answer,
        record.comment,
        record.evidence_url,
        record.publishable,
    )


def test_csv_export_neutralises_formulas_and_import_restores_them() -> None:
    record = AnswerRecord(
        "r-2021", "KE", "government", "C01.good_practice", "=1+1", "-list", "", False
    )
    content = render_csv([record]).decode()
    assert "'=1+1" in content and "'-list" in content
    (row,) = read("answers.csv", content).rows
    assert (row.answer, row.comment) == ("=1+1", "-list")


def test_xlsx_export_stores_no_formula() -> None:
    from openpyxl import load_workbook

    record = AnswerRecord("r-2021", "KE", "government", "C01.good_practice", "=1+1", "", "", True)
    sheet = load_workbook(io.BytesIO(render_xlsx([record]))).active
    assert sheet["E2"].data_type == "s"
    assert sheet["E2"].value == "'=1+1"


def test_csv_with_semicolons_and_a_byte_order_mark_reads() -> None:
    content = "\ufeff" + HEADER_LINE.replace(",", ";") + "\nr-2021;SE;government;C01.status;no;;\n"
    reading = read("answers.csv", content)
    assert reading.problems == ()
    assert reading.rows[0].answer == "no"


def test_xlsx_numbers_are_read_as_the_text_they_show() -> None:
    content = xlsx_file([HEADER, ("r-2021", "KE", "government", "C01.phase", 3.0, None, None)])
    reading = read("answers.xlsx", content)
    assert reading.problems == ()
    assert reading.rows[0].answer == "3"


def test_choice_codes_lose_surrounding_spaces_text_keeps_them() -> None:
    reading = read(
        "answers.csv",
        csv_file(
            "r-2021,KE,government,C01.status, yes ,,",
            "r-2021,KE,government,C01.good_practice, a ,,",
        ),
    )
    assert [row.answer for row in reading.rows] == ["yes", " a "]


def test_publishable_column_is_optional_and_read_as_true_or_false() -> None:
    content = (
        HEADER_LINE
        + ",publishable\n"
        + "r-2021,KE,government,C01.status,yes,,,true\n"
        + "r-2021,SE,government,C01.status,no,,,\n"
        + "r-2021,GB-EAW,government,C01.status,no,,,perhaps\n"
    )
    reading = read("answers.csv", content)
    assert [row.publishable for row in reading.rows] == [True, None, None]
    assert only_message(reading) == (
        "answers.csv: row 4, column publishable: 'perhaps' is not true or false"
    )


def test_blank_rows_are_skipped() -> None:
    reading = read("answers.csv", csv_file("r-2021,KE,government,C01.status,yes,,", ",,,,,,", ""))
    assert reading.problems == ()
    assert len(reading.rows) == 1


# --- Every problem, with row and column -------------------------------------------------------


def test_every_bad_row_is_reported_with_row_and_column() -> None:
    reading = read(
        "answers.csv",
        csv_file(
            "r-2021,KE,government,C01.status,yes,,",  # row 2: fine
            "r-2020,KE,government,C01.phase,2,,",  # row 3: another round
            "r-2021,XX,government,C01.status,no,,",  # row 4: unknown jurisdiction
            "r-2021,KE,government,C99.status,no,,",  # row 5: unknown question
            "r-2021,KE,government,C03.laws_adequate,no,,",  # row 6: not asked of government
            "r-2021,SE,government,C01.status,maybe,,",  # row 7: not a choice
            "r-2021,KE,government,C01.status,no,,",  # row 8: second answer
            "r-2021,KE,civil_society,C01.status,no,,",  # row 9: unknown channel
            "r-2021,SE,government,C01.phase,2,,ftp://x",  # row 10: not an http(s) address
        ),
    )
    assert reading.messages() == [
        "answers.csv: row 3, column round: this row is for round 'r-2020', but the file is "
        "being imported into round 'r-2021'",
        "answers.csv: row 4, column jurisdiction: unknown jurisdiction 'XX'; use an ISO 3166-1 "
        "alpha-2, alpha-3 or numeric code, or a listed non-country code",
        "answers.csv: row 5, column question: unknown question 'C99.status' (not in instrument "
        "mnr-review-2021)",
        "answers.csv: row 6, column question: question C03.laws_adequate is not asked through "
        "channel government (only unicef_country_office)",
        "answers.csv: row 7, column answer: answer 'maybe' is not among the choices of "
        "C01.status: yes, partial, no, dont_know, not_applicable",
        "answers.csv: row 8, column question: a second answer for KE, government, C01.status "
        "(the first is in row 2); keep one of them",
        "answers.csv: row 9, column channel: unknown channel 'civil_society' for round r-2021; "
        "its channels are government, unicef_country_office",
        "answers.csv: row 10, column evidence_url: 'ftp://x' is not an http(s) address",
    ]


def test_lower_case_jurisdiction_gets_a_hint() -> None:
    reading = read("answers.csv", csv_file("r-2021,ke,government,C01.status,yes,,"))
    assert "unknown jurisdiction 'ke' (did you mean 'KE'?)" in only_message(reading)


def test_a_wrong_header_names_the_column() -> None:
    content = "round,jurisdiction,chanel,question,answer,comment,evidence_url\n"
    reading = read("answers.csv", content + "r-2021,KE,government,C01.status,yes,,\n")
    messages = reading.messages()
    assert messages[0] == "answers.csv: row 1, column C: expected 'channel', found 'chanel'"
    assert "the header must be round,jurisdiction,channel,question,answer,comment" in messages[1]
    assert reading.rows == ()


def test_a_header_missing_columns_says_which() -> None:
    reading = read("answers.csv", "round,jurisdiction,channel,question,answer\nr-2021,KE,x,y,z\n")
    assert "missing columns: comment, evidence_url" in " ".join(reading.messages())


def test_a_row_with_more_cells_than_the_header_is_refused() -> None:
    reading = read("answers.csv", csv_file("r-2021,KE,government,C01.status,yes,,,extra"))
    assert only_message(reading) == ("answers.csv: row 2: has 8 cells but the header has 7 columns")


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(content: bytes) -> None:
    assert "is empty" in only_message(read("answers.csv", content))


def test_a_file_with_only_the_header_is_refused() -> None:
    assert only_message(read("answers.csv", csv_file())) == (
        "answers.csv: holds no answers: there is nothing to import"
    )


def test_an_oversized_file_is_refused_before_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interchange, "MAX_BYTES", 100)
    content = csv_file(*["r-2021,KE,government,C01.status,yes,,"] * 5)
    assert "bytes; files over 0 MiB (100 bytes) are refused" in only_message(
        read("answers.csv", content)
    )


def test_too_many_rows_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(interchange, "MAX_ROWS", 3)
    rows = [f"r-2021,{code},government,C01.status,yes,," for code in ("KE", "SE", "GB-EAW")]
    assert read("answers.csv", csv_file(*rows)).problems == ()
    message = only_message(read("answers.csv", csv_file(*rows, rows[0])))
    assert message == (
        "answers.csv: row 5: has more than 3 rows; split it by jurisdiction or channel"
    )


def test_an_xlsx_that_is_csv_text_is_refused() -> None:
    message = only_message(read("answers.xlsx", csv_file("r-2021,KE,government,C01.status,yes,,")))
    assert message == (
        "answers.xlsx: is not an XLSX workbook as its name says: it holds CSV text; "
        "rename it to .csv or give --format csv"
    )


def test_binary_junk_named_csv_is_refused() -> None:
    junk = bytes(range(256)) * 40
    assert only_message(read("answers.csv", junk)) == (
        "answers.csv: is not CSV text (UTF-8) as its name says: it holds binary data"
    )


def test_a_workbook_named_csv_is_refused_with_advice() -> None:
    content = xlsx_file([HEADER])
    assert "rename it to .xlsx or give --format xlsx" in only_message(read("a.csv", content))


def test_an_old_xls_workbook_is_refused_with_advice() -> None:
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)
    assert only_message(read("answers.xls", content, fmt="xlsx")) == (
        "answers.xls: is not an XLSX workbook as --format xlsx says: it holds an old-style "
        "Excel .xls workbook; open it in a spreadsheet program and save it as .xlsx"
    )


def test_a_broken_zip_named_xlsx_is_refused() -> None:
    assert "is not a readable XLSX workbook" in only_message(read("a.xlsx", b"PK\x03\x04junk"))


def test_csv_that_is_not_utf8_is_refused_with_advice() -> None:
    content = csv_file("r-2021,KE,government,C01.good_practice,café,,").encode("latin-1")
    assert "is not UTF-8 text; save it as 'CSV UTF-8'" in only_message(read("a.csv", content))


def test_given_format_must_match_the_content() -> None:
    message = only_message(read("answers.dat", csv_file("x"), fmt="xlsx"))
    assert "is not an XLSX workbook as --format xlsx says: it holds CSV text" in message


# --- JSON -------------------------------------------------------------------------------------


def test_json_rows_are_numbered_from_one_and_checked_by_key() -> None:
    payload = [
        {key: "" for key in HEADER}
        | {"round": "r-2021", "jurisdiction": "KE", "channel": "government"}
        | {"question": "C01.phase", "answer": 2},
        {"round": "r-2021", "jurisdiction": "KE", "colour": "red"},
        "not an object",
    ]
    reading = read("answers.json", json.dumps(payload))
    assert reading.rows[0].answer == "2"
    messages = reading.messages()
    assert "answers.json: row 2, column channel: missing: every answer has this key" in messages
    assert any(m.startswith("answers.json: row 2, column colour: unknown key") for m in messages)
    assert "answers.json: row 3: is not an object with the keys of an answer" in messages


def test_json_syntax_errors_give_line_and_column() -> None:
    assert only_message(read("answers.json", '[{"round": }]')) == (
        "answers.json: is not valid JSON: Expecting value at line 1, column 12"
    )


def test_json_must_be_a_list() -> None:
    assert "must hold a JSON list" in only_message(read("answers.json", '{"round": "r"}'))


# --- KoboToolbox and ODK Central submission exports -------------------------------------------


KOBO_HEADER = [
    "start",
    "end",
    "jurisdiction",
    "round",
    "channel",
    "mnr_version",
    "D1/C01_status",
    "D1/C01_good_practice",
    "D1/C03_laws_adequate",
    "D5/C16_17_status",
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "__version__",
    "_index",
]


def kobo_row(jurisdiction: str, status: str, version: str = VERSION, **extra: str) -> list[str]:
    channel = version.rsplit(".", 1)[-1]
    values = {
        "jurisdiction": jurisdiction,
        "round": "r-2021",
        "channel": channel,
        "mnr_version": version,
        "D1/C01_status": status,
        "D1/C01_good_practice": "=a policy",
        "D5/C16_17_status": "partial",
        "meta/instanceID": "uuid:1234",
        "_id": "17",
        "__version__": "vGqkRhbBbyNqKvcwDpZzuN",
        **extra,
    }
    return [values.get(column, "") for column in KOBO_HEADER]


def kobo_csv(rows: Sequence[Sequence[str]], header: Sequence[str] = KOBO_HEADER) -> str:
    out = io.StringIO()
    import csv

    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def test_kobo_csv_maps_group_columns_back_to_questions() -> None:
    reading = read("kobo.csv", kobo_csv([kobo_row("KE", "yes"), kobo_row("SE", "")]))
    assert reading.problems == ()
    assert reading.format == "kobo"
    answers = {(row.jurisdiction, row.question): row.answer for row in reading.rows}
    assert answers == {
        ("KE", "C01.status"): "yes",
        ("KE", "C01.good_practice"): "=a policy",
        ("KE", "C16-17.status"): "partial",
        ("SE", "C01.status"): "",
        ("SE", "C01.good_practice"): "=a policy",
        ("SE", "C16-17.status"): "partial",
    }
    row = reading.rows[0]
    assert (row.row, row.channel, row.comment, row.evidence_url) == (2, "government", None, None)
    assert row.column("answer") == "D1/C01_status"


def test_odk_central_dash_headers_and_form_version_column_read() -> None:
    header = [
        "SubmissionDate",
        "jurisdiction",
        "D1-C01_status",
        "D5-C16_17_status",
        "meta-instanceID",
        "KEY",
        "SubmitterName",
        "ReviewState",
        "FormVersion",
    ]
    row = ["2021-03-01", "GB-EAW", "no", "dont_know", "uuid:1", "uuid:1", "x", "", VERSION]
    reading = read("odk.csv", kobo_csv([row], header), fmt="odk")
    assert reading.problems == ()
    assert {(r.question, r.answer, r.channel) for r in reading.rows} == {
        ("C01.status", "no", "government"),
        ("C16-17.status", "dont_know", "government"),
    }


def test_kobo_xlsx_export_reads_like_csv() -> None:
    content = xlsx_file([KOBO_HEADER, kobo_row("KE", "yes")])
    reading = read("kobo.xlsx", content, fmt="kobo")
    assert reading.problems == ()
    assert len(reading.rows) == 3


def test_a_question_not_asked_of_the_channel_is_skipped_when_blank_refused_when_answered() -> None:
    reading = read(
        "kobo.csv",
        kobo_csv([kobo_row("KE", "yes"), kobo_row("SE", "no", **{"D1/C03_laws_adequate": "no"})]),
    )
    assert only_message(reading) == (
        "kobo.csv: row 3, column D1/C03_laws_adequate: question C03.laws_adequate is not asked "
        "through channel government (only unicef_country_office)"
    )


def test_kobo_rows_of_another_form_version_are_refused() -> None:
    other = "r-2020.mnr-review-2021.v1.government"
    reading = read("kobo.csv", kobo_csv([kobo_row("KE", "yes", version=other)]))
    message = only_message(reading)
    assert message.startswith(
        f"kobo.csv: row 2, column mnr_version: form version {other!r} is not a form of round "
        f"r-2021; its forms are {VERSION}, {CO_VERSION}"
    )


def test_kobo_channel_must_agree_with_the_form_version() -> None:
    reading = read("kobo.csv", kobo_csv([kobo_row("KE", "yes", channel="unicef_country_office")]))
    assert "says channel 'unicef_country_office' but form version" in only_message(reading)


def test_two_kobo_submissions_for_one_jurisdiction_and_channel_are_refused() -> None:
    reading = read("kobo.csv", kobo_csv([kobo_row("KE", "yes"), kobo_row("KE", "no")]))
    assert only_message(reading) == (
        "kobo.csv: row 3, column jurisdiction: a second submission for KE through government "
        "(the first is row 2); delete one of them"
    )


def test_kobo_answers_are_checked_like_any_row() -> None:
    reading = read("kobo.csv", kobo_csv([kobo_row("XX", "maybe")]))
    assert reading.messages() == [
        "kobo.csv: row 2, column jurisdiction: unknown jurisdiction 'XX'; use an ISO 3166-1 "
        "alpha-2, alpha-3 or numeric code, or a listed non-country code",
        "kobo.csv: row 2, column D1/C01_status: answer 'maybe' is not among the choices of "
        "C01.status: yes, partial, no, dont_know, not_applicable",
    ]


def test_kobo_export_of_another_instrument_names_the_unknown_column() -> None:
    header = [*KOBO_HEADER, "D9/C77_status"]
    reading = read("kobo.csv", kobo_csv([kobo_row("KE", "yes")], header))
    assert only_message(reading) == (
        "kobo.csv: row 1, column D9/C77_status: names no question of instrument "
        "mnr-review-2021 (is this export from another form?)"
    )


def test_kobo_export_without_a_version_is_refused() -> None:
    header = ["jurisdiction", "D1/C01_status", "_uuid"]
    reading = read("kobo.csv", kobo_csv([["KE", "yes", "u"]], header))
    assert "no form version column" in only_message(reading)


def test_kobo_export_labelled_with_question_text_is_refused() -> None:
    header = ["Jurisdiction", "Is there leadership?", "_uuid"]
    reading = read("kobo.csv", kobo_csv([["Kenya", "Yes", "u"]], header))
    assert any("no jurisdiction column" in m for m in reading.messages())


def test_a_kobo_export_given_as_csv_says_to_use_format_kobo() -> None:
    reading = read("kobo.csv", kobo_csv([kobo_row("KE", "yes")]), fmt="csv")
    assert "import it with --format kobo" in only_message(reading)


def test_an_interchange_file_given_as_kobo_says_so() -> None:
    reading = read("a.csv", csv_file("r-2021,KE,government,C01.status,yes,,"), fmt="kobo")
    assert "import it without --format kobo" in only_message(reading)


# --- Jurisdiction codes as users have them ----------------------------------------------------


def test_alpha3_and_numeric_codes_are_read_as_the_stored_code() -> None:
    reading = read(
        "answers.csv",
        csv_file(
            "r-2021,KEN,government,C01.status,yes,,",
            "r-2021,752,government,C01.status,no,,",
            "r-2021,8,government,C01.status,no,,",
            "r-2021,008,unicef_country_office,C01.status,no,,",
            "r-2021,GB-EAW,government,C01.status,partial,,",
        ),
    )
    assert reading.problems == ()
    assert [row.jurisdiction for row in reading.rows] == ["KE", "SE", "AL", "AL", "GB-EAW"]


def test_a_numeric_code_in_a_number_cell_of_a_workbook_is_read() -> None:
    row = ["r-2021", 8, "government", "C01.status", "yes", "", ""]
    reading = read("answers.xlsx", xlsx_file([HEADER, row]))
    assert reading.problems == ()
    assert reading.rows[0].jurisdiction == "AL"


def test_two_spellings_of_one_jurisdiction_are_one_jurisdiction() -> None:
    reading = read(
        "answers.csv",
        csv_file("r-2021,KE,government,C01.status,yes,,", "r-2021,404,government,C01.status,no,,"),
    )
    assert only_message(reading) == (
        "answers.csv: row 3, column question: a second answer for KE, government, C01.status "
        "(the first is in row 2); keep one of them"
    )


def test_kobo_exports_with_alpha3_codes_read_as_the_stored_code() -> None:
    reading = read("kobo.csv", kobo_csv([kobo_row("KEN", "yes"), kobo_row("SWE", "no")]))
    assert reading.problems == ()
    assert {row.jurisdiction for row in reading.rows} == {"KE", "SE"}


def test_kobo_submissions_for_one_jurisdiction_under_two_codes_are_refused() -> None:
    reading = read("kobo.csv", kobo_csv([kobo_row("KE", "yes"), kobo_row("KEN", "no")]))
    assert only_message(reading).startswith(
        "kobo.csv: row 3, column jurisdiction: a second submission for KE through government"
    )


@pytest.mark.parametrize("code", ["KEX", "999", "0404", "K E"])
def test_an_unknown_code_is_named_with_its_row_and_column(code: str) -> None:
    reading = read("answers.csv", csv_file(f"r-2021,{code},government,C01.status,yes,,"))
    assert only_message(reading) == (
        f"answers.csv: row 2, column jurisdiction: unknown jurisdiction {code!r}; use an ISO "
        "3166-1 alpha-2, alpha-3 or numeric code, or a listed non-country code"
    )


def test_a_lower_case_alpha3_code_gets_a_hint() -> None:
    reading = read("answers.csv", csv_file("r-2021,ken,government,C01.status,yes,,"))
    assert "unknown jurisdiction 'ken' (did you mean 'KEN'?)" in only_message(reading)


# --- Input limits and hostile content ---------------------------------------------------------


def json_answers(**fields: object) -> str:
    record: dict[str, object] = {key: "" for key in HEADER}
    record.update(round="r-2021", jurisdiction="KE", channel="government")
    record.update(question="C01.good_practice")
    record.update(fields)
    return json.dumps([record])


def test_an_answer_over_the_limit_is_refused_with_row_and_column() -> None:
    long = "a" * (MAX_ANSWER_LENGTH + 1)
    reading = read("answers.csv", csv_file(f"r-2021,KE,government,C01.good_practice,{long},,"))
    assert only_message(reading) == (
        f"answers.csv: row 2, column answer: answer is {MAX_ANSWER_LENGTH + 1} characters long; "
        f"at most {MAX_ANSWER_LENGTH} are allowed"
    )


def test_an_answer_at_the_limit_is_read() -> None:
    text = "a" * MAX_ANSWER_LENGTH
    reading = read("answers.csv", csv_file(f"r-2021,KE,government,C01.good_practice,{text},,"))
    assert reading.problems == ()
    assert reading.rows[0].answer == text


def test_a_comment_over_the_limit_is_refused_with_row_and_column() -> None:
    long = "c" * (MAX_COMMENT_LENGTH + 1)
    reading = read("answers.json", json_answers(comment=long))
    assert only_message(reading) == (
        f"answers.json: row 1, column comment: comment is {MAX_COMMENT_LENGTH + 1} characters "
        f"long; at most {MAX_COMMENT_LENGTH} are allowed"
    )


def test_an_evidence_url_over_500_characters_is_refused_once() -> None:
    url = "https://example.org/" + "x" * (MAX_URL_LENGTH - 19)
    assert len(url) == MAX_URL_LENGTH + 1 == 501
    reading = read("answers.csv", csv_file(f"r-2021,KE,government,C01.status,yes,,{url}"))
    assert only_message(reading) == (
        "answers.csv: row 2, column evidence_url: evidence_url is 501 characters long; at most "
        "500 are allowed"
    )


def test_an_evidence_url_of_500_characters_is_read() -> None:
    url = "https://example.org/" + "x" * (MAX_URL_LENGTH - 20)
    reading = read("answers.csv", csv_file(f"r-2021,KE,government,C01.status,yes,,{url}"))
    assert reading.problems == ()
    assert reading.rows[0].evidence_url == url


def test_a_kobo_answer_over_the_limit_names_the_kobo_column() -> None:
    long = "g" * (MAX_ANSWER_LENGTH + 1)
    row = kobo_row("KE", "yes", **{"D1/C01_good_practice": long})
    reading = read("kobo.csv", kobo_csv([row]))
    assert only_message(reading).startswith(
        "kobo.csv: row 2, column D1/C01_good_practice: answer is 10001 characters long"
    )


@pytest.mark.parametrize(
    ("escaped", "problem"),
    [
        ("\\u0000", "contains a NUL character"),
        ("\\ud800", "contains a lone surrogate (not valid Unicode text)"),
        ("\\udfff and more", "contains a lone surrogate (not valid Unicode text)"),
    ],
)
@pytest.mark.parametrize("field", ["answer", "comment", "evidence_url"])
def test_nul_and_lone_surrogates_in_json_are_refused(
    field: str, escaped: str, problem: str
) -> None:
    # The JSON text is plain ASCII; its escapes decode to text no database can store.
    content = json_answers(**{field: "MARK"}).replace("MARK", f"note {escaped}")
    message = only_message(read("answers.json", content))
    assert message == f"answers.json: row 1, column {field}: {field} {problem}" + (
        "; remove it" if "NUL" in problem else "; correct the encoding"
    )
    message.encode("utf-8")


def test_a_lone_surrogate_in_a_json_key_is_shown_escaped() -> None:
    content = json_answers(MARK="x").replace("MARK", "col\\ud800")
    messages = read("answers.json", content).messages()
    assert any("column col\\ud800: unknown key" in message for message in messages), messages
    assert all(message.encode("utf-8") for message in messages)


def test_a_nul_far_into_a_csv_file_is_refused_with_its_row() -> None:
    # NUL in the first 64 KiB makes the file binary junk; further in, it is a cell's problem.
    padding = [
        f"r-2021,{code},{channel},C01.good_practice,{'p' * 9000},,"
        for code in ("SE", "AL", "GB-EAW", "KE")
        for channel in ("government", "unicef_country_office")
    ]
    content = csv_file(*padding, "r-2021,KE,government,C01.status,bad\x00text,,")
    assert content.index("\x00") > 65536
    assert only_message(read("answers.csv", content)) == (
        "answers.csv: row 10, column answer: answer contains a NUL character; remove it"
    )


def test_a_nul_in_a_workbook_cell_is_refused_with_its_row() -> None:
    row = ["r-2021", "KE", "government", "C01.good_practice", "bad_x0000_text", "", ""]
    assert only_message(read("answers.xlsx", xlsx_file([HEADER, row]))) == (
        "answers.xlsx: row 2, column answer: answer contains a NUL character; remove it"
    )


@pytest.mark.parametrize("opening", ["[", '{"a":', '[{"a":'])
def test_deeply_nested_json_is_refused(opening: str) -> None:
    content = opening * 200_000
    assert only_message(read("answers.json", content)) == (
        "answers.json: is nested too deeply to be a list of answers (a list of flat objects)"
    )


def test_json_given_as_a_kobo_export_is_refused_without_parsing() -> None:
    message = only_message(read("kobo.json", "[" * 200_000, fmt="kobo"))
    assert "is not a CSV or XLSX export as --format kobo says: it holds JSON text" in message


def test_a_long_refused_value_is_quoted_short() -> None:
    long = "x" * 5000
    message = only_message(read("answers.csv", csv_file(f"r-2021,KE,government,{long},yes,,")))
    assert "unknown question 'xxxxxxxx" in message
    assert "… (5000 characters)" in message
    assert len(message) < 300


def test_a_zip_bomb_named_xlsx_is_refused_before_it_is_read() -> None:
    bomb = zip_bomb(20)
    assert len(bomb) < 200_000
    message = only_message(read("answers.xlsx", bomb))
    assert message.startswith("answers.xlsx: part 'xl/worksheets/sheet1.xml' would inflate ")
    assert message.endswith("so it is refused as a zip bomb")


def test_a_workbook_too_large_once_uncompressed_is_refused() -> None:
    message = only_message(read("answers.xlsx", zip_bomb(250)))
    assert message.startswith("answers.xlsx: would uncompress to 262,")
    assert "workbooks over 200 MiB uncompressed are refused" in message


def test_a_kobo_zip_bomb_is_refused_too() -> None:
    message = only_message(read("kobo.xlsx", zip_bomb(20), fmt="kobo"))
    assert "refused as a zip bomb" in message


def test_text_named_xlsx_is_refused() -> None:
    assert only_message(read("answers.xlsx", "just some text\n")) == (
        "answers.xlsx: is not an XLSX workbook as its name says: it holds CSV text; rename it "
        "to .csv or give --format csv"
    )
