"""Respondent codes and confidence levels, and how answer files and Kobo/ODK exports carry
them (pure: no database)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mnr.core import codes
from mnr.core.interchange import (
    EXPORT_HEADER,
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
from mnr.core.respondents import (
    RESPONDENT_PATTERN,
    confidence_problem,
    respondent_label,
    respondent_problem,
)

STATUS = ("yes", "partial", "no", "dont_know", "not_applicable")
PHASES = ("1", "2", "3", "4")
VERSION = "a-2024.mnr-2016-self-assessment.v1.government"
TARGET = ImportTarget(
    round="a-2024",
    instrument="mnr-2016-self-assessment",
    instrument_version=1,
    channels=("government",),
    questions=(
        QuestionInfo("C01.status", STATUS),
        QuestionInfo("C01.phase", PHASES, phase=True),
        QuestionInfo("C01.good_practice"),
    ),
    jurisdictions=frozenset({"KE", "SE"}),
    jurisdiction_aliases=codes.aliases([("KE", "KEN", "404"), ("SE", "SWE", "752")]),
)


def read(name: str, content: str | bytes, fmt: str | None = None) -> Reading:
    data = content.encode() if isinstance(content, str) else content
    return parse_answers(name, data, TARGET, fmt)


def csv_text(header: Sequence[str], *rows: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def answer(question: str, value: str, *extra: str) -> list[str]:
    return ["a-2024", "KE", "government", question, value, "", "", *extra]


# --- Codes and levels -------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["", "police", "civil_society", "ministry-of-justice", "9b"])
def test_respondent_codes_and_the_blank_lead_are_accepted(code: str) -> None:
    assert respondent_problem(code) is None


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("Police", "(did you mean 'police'?)"),
        ("civil society", "(did you mean 'civil_society'?)"),
        ("-police", "starting with a letter or digit"),
        ("polícia", "use lower-case letters"),
        ("x" * 61, "it is 61 characters long; at most 60 are allowed"),
        (" police", "(did you mean 'police'?)"),
    ],
)
def test_a_code_that_is_not_a_respondents_is_refused_saying_why(code: str, said: str) -> None:
    problem = respondent_problem(code)
    assert problem is not None
    assert problem.startswith("respondent ")
    assert said in problem


@settings(max_examples=200)
@given(st.text(max_size=70))
def test_a_code_is_accepted_exactly_when_it_is_a_lower_case_slug(code: str) -> None:
    slug = code == "" or (
        len(code) <= 60
        and code[0] in "abcdefghijklmnopqrstuvwxyz0123456789"
        and all(c in "abcdefghijklmnopqrstuvwxyz0123456789_-" for c in code)
    )
    assert (respondent_problem(code) is None) == slug
    assert bool(re.fullmatch(RESPONDENT_PATTERN, code)) == (slug and code != "")


def test_confidence_levels_are_low_medium_high_or_blank() -> None:
    assert [confidence_problem(level) for level in ("", "low", "medium", "high")] == [None] * 4
    assert confidence_problem("High") == (
        "confidence 'High' is not one of low, medium, high (or empty)"
    )


def test_a_respondent_is_shown_by_name_then_code_and_the_lead_as_lead() -> None:
    assert respondent_label("") == "Lead respondent"
    assert respondent_label("police") == "police"
    assert respondent_label("police", "National Police") == "National Police"


# --- The interchange format -------------------------------------------------------------------


def test_a_file_without_the_optional_columns_is_the_leads_and_leaves_confidence() -> None:
    reading = read("answers.csv", csv_text(HEADER, answer("C01.phase", "2")))
    assert reading.problems == ()
    (row,) = reading.rows
    assert (row.respondent, row.confidence, row.publishable) == ("", None, None)


def test_optional_columns_are_read_by_name_in_any_order() -> None:
    header = [*HEADER, "confidence", "respondent"]
    reading = read(
        "answers.csv",
        csv_text(
            header,
            answer("C01.phase", "2", "medium", "police"),
            answer("C01.phase", "3", "", ""),
            answer("C01.status", "yes"),
        ),
    )
    assert reading.problems == ()
    assert [(r.respondent, r.answer, r.confidence) for r in reading.rows] == [
        ("police", "2", "medium"),
        ("", "3", ""),
        # A row that ends early has empty cells: the confidence is cleared, not left.
        ("", "yes", ""),
    ]


def test_an_unknown_or_repeated_optional_column_is_refused() -> None:
    reading = read(
        "answers.csv",
        csv_text([*HEADER, "respondant", "confidence", "confidence"], answer("C01.status", "no")),
    )
    messages = reading.messages()
    assert "answers.csv: row 1: unexpected columns: 'respondant'" in messages
    assert "answers.csv: row 1: column confidence appears twice" in messages
    assert messages[-1] == (
        "answers.csv: row 1: the header must be round,jurisdiction,channel,question,answer,"
        "comment,evidence_url, optionally followed by any of publishable, respondent, confidence"
    )
    assert reading.rows == ()


def test_bad_respondents_and_confidence_levels_are_named_by_row_and_column() -> None:
    header = [*HEADER, "respondent", "confidence"]
    reading = read(
        "answers.csv",
        csv_text(
            header,
            answer("C01.phase", "2", "Police", ""),
            answer("C01.phase", "2", "justice", "very"),
            answer("C01.status", "yes", "justice", "high"),
        ),
    )
    assert reading.messages() == [
        "answers.csv: row 2, column respondent: respondent 'Police' is not a respondent code: "
        "use lower-case letters, digits, '_' and '-', starting with a letter or digit (such as "
        "police or civil_society); leave it empty for the lead respondent (did you mean "
        "'police'?)",
        "answers.csv: row 3, column confidence: confidence 'very' is not one of low, medium, "
        "high (or empty)",
        "answers.csv: row 4, column confidence: a confidence level is given for phase questions "
        "only, and C01.status is not one; leave the cell empty",
    ]


def test_each_respondent_answers_a_question_once() -> None:
    header = [*HEADER, "respondent"]
    reading = read(
        "answers.csv",
        csv_text(
            header,
            answer("C01.status", "yes", ""),
            answer("C01.status", "no", "police"),
            answer("C01.status", "partial", "police"),
        ),
    )
    assert reading.messages() == [
        "answers.csv: row 4, column question: a second answer for KE, government, respondent "
        "police, C01.status (the first is in row 3); keep one of them"
    ]


def test_json_carries_respondent_and_confidence_as_optional_keys() -> None:
    base = dict(zip(HEADER, answer("C01.phase", "2"), strict=True))
    records = [
        {**base, "respondent": "police", "confidence": "low"},
        {**base, "respondent": None, "confidence": None},
        {**base, "confidence": 3},
    ]
    reading = read("answers.json", json.dumps(records))
    assert reading.messages() == ["answers.json: row 3, column confidence: must be text, not 3"]
    reading = read("answers.json", json.dumps(records[:2]))
    assert [(r.respondent, r.confidence) for r in reading.rows] == [("police", "low"), ("", None)]


records = st.builds(
    AnswerRecord,
    round=st.just("a-2024"),
    jurisdiction=st.sampled_from(["KE", "SE"]),
    channel=st.just("government"),
    question=st.just("C01.phase"),
    answer=st.sampled_from(["", *PHASES]),
    comment=st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), max_size=20),
    evidence_url=st.sampled_from(["", "https://example.org/evidence"]),
    publishable=st.booleans(),
    respondent=st.sampled_from(["", "police", "civil_society"]),
    confidence=st.sampled_from(["", "low", "medium", "high"]),
)


@settings(max_examples=40, deadline=None)
@given(record=records, fmt=st.sampled_from(["csv", "xlsx", "json"]))
def test_respondent_and_confidence_read_back_as_written(record: AnswerRecord, fmt: str) -> None:
    render = {"csv": render_csv, "xlsx": render_xlsx, "json": render_json}[fmt]
    content = render([record])
    reading = parse_answers(f"answers.{fmt}", content, TARGET)
    assert reading.problems == ()
    (row,) = reading.rows
    assert (row.respondent, row.confidence) == (record.respondent, record.confidence)


def test_exports_write_every_optional_column() -> None:
    record = AnswerRecord("a-2024", "KE", "government", "C01.phase", "2", "", "", False)
    assert render_csv([record]).decode().splitlines()[0] == ",".join(EXPORT_HEADER)
    assert EXPORT_HEADER[len(HEADER) :] == ("publishable", "respondent", "confidence")


# --- KoboToolbox and ODK Central --------------------------------------------------------------

KOBO_HEADER = [
    "jurisdiction",
    "respondent",
    "round",
    "channel",
    "mnr_version",
    "D1/C01_status",
    "D1/C01_phase",
    "D1/confidence_C01_phase",
    "_uuid",
]


def kobo(*rows: Sequence[str], header: Sequence[str] = KOBO_HEADER) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def kobo_row(respondent: str, phase: str, confidence: str) -> list[str]:
    return ["KE", respondent, "a-2024", "government", VERSION, "yes", phase, confidence, "u"]


def test_kobo_exports_give_the_respondent_and_the_confidence_of_each_phase() -> None:
    reading = read(
        "kobo.csv", kobo(kobo_row("", "2", "high"), kobo_row("police", "3", "")), fmt="kobo"
    )
    assert reading.problems == ()
    found = {(r.respondent, r.question): (r.answer, r.confidence) for r in reading.rows}
    assert found == {
        ("", "C01.status"): ("yes", None),
        ("", "C01.phase"): ("2", "high"),
        ("police", "C01.status"): ("yes", None),
        ("police", "C01.phase"): ("3", ""),
    }


def test_kobo_problems_name_the_exports_own_columns() -> None:
    reading = read(
        "kobo.csv", kobo(kobo_row("Police", "2", "sure"), kobo_row("", "2", "")), fmt="kobo"
    )
    assert reading.messages() == [
        "kobo.csv: row 2, column respondent: respondent 'Police' is not a respondent code: use "
        "lower-case letters, digits, '_' and '-', starting with a letter or digit (such as "
        "police or civil_society); leave it empty for the lead respondent (did you mean "
        "'police'?)",
        "kobo.csv: row 2, column D1/confidence_C01_phase: confidence 'sure' is not one of low, "
        "medium, high (or empty)",
    ]


def test_two_kobo_submissions_by_one_respondent_are_refused() -> None:
    reading = read(
        "kobo.csv", kobo(kobo_row("police", "2", ""), kobo_row("police", "3", "")), fmt="kobo"
    )
    assert reading.messages() == [
        "kobo.csv: row 3, column jurisdiction: a second submission for KE through government by "
        "respondent police (the first is row 2); delete one of them"
    ]


def test_a_kobo_export_of_a_form_without_a_respondent_field_is_the_leads() -> None:
    header = [c for c in KOBO_HEADER if c not in ("respondent", "D1/confidence_C01_phase")]
    row = ["KE", "a-2024", "government", VERSION, "yes", "2", "u"]
    reading = read("kobo.csv", kobo(row, header=header), fmt="kobo")
    assert reading.problems == ()
    assert {(r.respondent, r.confidence) for r in reading.rows} == {("", None)}
