from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pyreadstat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnr.core.dataset import (
    DTA_NOT_APPLICABLE,
    MAX_NAME,
    RESERVED_NAMES,
    SAV_NOT_APPLICABLE,
    SUBMISSION_COLUMNS,
    DatasetQuestion,
    SubmissionRow,
    build_dataset,
    document_lines,
    to_csv,
    to_dta,
    to_sav,
    truncate,
    variable_names,
)

VALID_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")

# Codes that lean on what the mapping must deal with: dots, dashes, digits first, accents,
# case, reserved words and lengths around 32.
code_text = st.one_of(
    st.text(alphabet=st.sampled_from("Cc0123.-_éÅ ab"), max_size=40),
    st.sampled_from(["if", "IN", "with", "str12", "strL", "region", "_x", "9", ""]),
    st.text(max_size=45),
)
code_lists = st.lists(code_text, unique=True, max_size=30)


@given(code_lists)
def test_every_name_is_valid_for_spss_and_stata(codes: list[str]) -> None:
    for name in variable_names(codes).values():
        assert VALID_NAME.fullmatch(name), name
        assert len(name) <= MAX_NAME
        assert not reserved(name)


@given(code_lists)
def test_names_are_distinct_and_never_a_submission_column(codes: list[str]) -> None:
    names = list(variable_names(codes).values())
    folded = [name.casefold() for name in names]
    assert len(set(folded)) == len(codes)
    assert not set(folded) & set(SUBMISSION_COLUMNS)


@given(code_lists)
def test_the_mapping_reads_both_ways_and_does_not_change(codes: list[str]) -> None:
    names = variable_names(codes)
    back = {name: code for code, name in names.items()}
    assert [back[names[code]] for code in codes] == codes
    assert variable_names(codes) == names


def reserved(name: str) -> bool:
    return name.casefold() in RESERVED_NAMES or bool(re.fullmatch(r"str[0-9]+", name, re.I))


@given(code_lists)
def test_a_valid_name_is_kept_unless_an_earlier_code_has_it(codes: list[str]) -> None:
    names = variable_names(codes)
    taken = {column.casefold() for column in SUBMISSION_COLUMNS}
    for code in codes:
        if VALID_NAME.fullmatch(code) and not reserved(code) and code.casefold() not in taken:
            assert names[code] == code
        taken.add(names[code].casefold())


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("C01.status", "C01_status"),
        ("C16-17.status", "C16_17_status"),
        ("C03.criminalises_possession", "C03_criminalises_possession"),
        ("MNR.used_as_reference", "MNR_used_as_reference"),
        ("1st.question", "q1st_question"),
        ("_private", "q_private"),
        ("if", "if_"),
        ("strL", "strL_"),
        ("C05.réponse", "C05_reponse"),
        ("C01.a_question_code_well_beyond_the_limit", "C01_a_question_code_well_beyond_"),
    ],
)
def test_question_codes_become_names(code: str, name: str) -> None:
    assert variable_names([code]) == {code: name}


def test_codes_that_come_out_alike_are_numbered_in_order() -> None:
    long = "C01." + "x" * 40
    assert variable_names(["A.b", "A-b", "a_B", long, long + "y", "region"]) == {
        "A.b": "A_b",
        "A-b": "A_b_2",
        "a_B": "a_B_3",
        long: "C01_" + "x" * 28,
        long + "y": "C01_" + "x" * 26 + "_2",
        "region": "region_2",
    }


def test_repeated_codes_are_refused() -> None:
    with pytest.raises(ValueError, match=r"repeated: C01\.status"):
        variable_names(["C01.status", "C02.status", "C01.status"])


@given(st.text(max_size=200), st.integers(min_value=4, max_value=120))
def test_truncated_labels_fit_and_say_they_were_cut(text: str, limit: int) -> None:
    cut = truncate(text, chars=limit, utf8_bytes=limit)
    assert len(cut) <= limit and len(cut.encode("utf-8")) <= limit
    if cut != text:
        assert cut.endswith("…") and text.startswith(cut[:-1].rstrip())


@given(st.lists(st.text(max_size=300), max_size=5))
def test_document_lines_fit_spss_and_keep_every_word(notes: list[str]) -> None:
    lines = document_lines(notes)
    assert all(len(line.encode("utf-8")) <= 80 for line in lines)
    assert "".join("".join(lines).split()) == "".join("".join(notes).split())


# --- the dataset ----------------------------------------------------------------------------

STATUS = (
    ("yes", "Yes"),
    ("partial", "Partly"),
    ("no", "No"),
    ("dont_know", "Don't know"),
    ("not_applicable", "Not applicable"),
)
YES_NO = (("yes", "Yes"), ("no", "No"), ("dont_know", "Don't know"))
PHASES = (("1", "Building"), ("2", "Developing"), ("3", "Established"), ("4", "Maturity"))
LONG_LABEL = "Is there a national body that leads and oversees the response to online abuse " * 2
LONG_TEXT = "Évaluation des résultats: " + "x" * 5000

QUESTIONS = (
    DatasetQuestion("C01.status", "select_one", LONG_LABEL, STATUS),
    DatasetQuestion("C01.phase", "phase", "Phase of leadership", PHASES),
    DatasetQuestion("C16-17.strategy", "select_one", "Strategy?", YES_NO),
    DatasetQuestion("C01.good_practice", "text", "Good practice"),
)
ROWS = (
    SubmissionRow(
        "KE",
        "Kenya",
        "government",
        "LMC",
        "Africa",
        "validated",
        {"C01.status": "partial", "C01.phase": "2", "C01.good_practice": "=HYPERLINK(1)"},
    ),
    SubmissionRow(
        "GB-EAW",
        "England and Wales",
        "unicef_country_office",
        None,
        None,
        "draft",
        {"C01.status": "not_applicable", "C16-17.strategy": "dont_know"},
    ),
    SubmissionRow(
        "SE",
        "Sverige",
        "government",
        "HIC",
        "Europe",
        "submitted",
        {"C01.status": "", "C16-17.strategy": "no", "C01.good_practice": LONG_TEXT},
    ),
)


def dataset(**overrides: Any) -> Any:
    return build_dataset(
        overrides.get("questions", QUESTIONS),
        overrides.get("rows", ROWS),
        file_label=overrides.get("file_label", "SYNTHETIC DATA (invented answers): test"),
        income_year=2021,
        notes=("A note about the round.",),
    )


def numbers(values: Any) -> list[float | str | None]:
    return [None if isinstance(v, float) and math.isnan(v) else v for v in values]


def test_answers_become_the_same_numbers_in_every_question() -> None:
    built = dataset()
    status = built.variable("C01_status")
    strategy = built.variable("C16_17_strategy")
    assert status.codes == {"yes": 1, "partial": 2, "no": 3, "dont_know": 4}
    assert strategy.codes == {"yes": 1, "no": 3, "dont_know": 4}
    assert built.variable("C01_phase").codes == {"1": 1, "2": 2, "3": 3, "4": 4}
    assert built.question_codes()["C16_17_strategy"] == "C16-17.strategy"


def test_an_answer_outside_the_choices_is_refused_with_where_it_is() -> None:
    rows = (
        ROWS[0],
        SubmissionRow(
            "SE", "Sweden", "government", "HIC", "Europe", "draft", {"C16-17.strategy": "partial"}
        ),
    )
    with pytest.raises(
        ValueError,
        match=r"SE through government: the answer 'partial' to "
        r"C16-17.strategy is not one of its choices \(yes, no, dont_know\)",
    ):
        dataset(rows=rows)


def test_other_choice_lists_are_numbered_in_order_without_9() -> None:
    choices = tuple((f"c{n}", f"Choice {n}") for n in range(1, 11))
    built = dataset(questions=(DatasetQuestion("X.kind", "select_one", "Kind", choices),), rows=())
    assert list(built.variable("X_kind").codes.values()) == [1, 2, 3, 4, 5, 6, 7, 8, 10, 11]


def write(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_spss_file_reads_back_with_labels_and_missing_values(tmp_path: Path) -> None:
    path = write(tmp_path, "answers.sav", to_sav(dataset()))
    frame, meta = pyreadstat.read_sav(path, user_missing=True)
    assert list(frame.columns) == [*SUBMISSION_COLUMNS, *dataset().names[len(SUBMISSION_COLUMNS) :]]
    assert list(frame["jurisdiction"]) == ["KE", "GB-EAW", "SE"]
    assert list(frame["income_group"]) == ["LMC", "", "HIC"]
    assert numbers(frame["C01_status"]) == [2.0, float(SAV_NOT_APPLICABLE), None]
    assert numbers(frame["C01_phase"]) == [2.0, None, None]
    assert numbers(frame["C16_17_strategy"]) == [None, 4.0, 3.0]
    assert list(frame["C01_good_practice"]) == ["=HYPERLINK(1)", "", LONG_TEXT]
    assert meta.variable_value_labels["C01_status"] == {
        1: "Yes",
        2: "Partly",
        3: "No",
        4: "Don't know",
        9: "Not applicable",
    }
    assert meta.variable_value_labels["C01_phase"][4] == "Maturity"
    assert meta.missing_ranges == {"C01_status": [{"lo": 9.0, "hi": 9.0}]}
    labels = meta.column_names_to_labels
    assert labels["C01_phase"] == "Phase of leadership"
    assert len(labels["C01_status"]) == 80 and labels["C01_status"].endswith("…")
    assert LONG_LABEL.startswith(labels["C01_status"][:-1])
    assert meta.file_label == "SYNTHETIC DATA (invented answers): test"
    assert "C16_17_strategy = C16-17.strategy" in meta.notes
    # Without user-missing values, SPSS leaves not applicable out as it leaves out blanks.
    plain, _meta = pyreadstat.read_sav(path)
    assert numbers(plain["C01_status"]) == [2.0, None, None]


def test_stata_file_reads_back_with_labels_and_extended_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "answers.dta", to_dta(dataset()))
    frame, meta = pyreadstat.read_dta(path, user_missing=True)
    assert numbers(frame["C01_status"]) == [2.0, DTA_NOT_APPLICABLE, None]
    assert numbers(frame["C16_17_strategy"]) == [None, 4.0, 3.0]
    assert list(frame["C01_good_practice"]) == ["=HYPERLINK(1)", "", LONG_TEXT]
    assert list(frame["jurisdiction_name"]) == ["Kenya", "England and Wales", "Sverige"]
    assert meta.variable_value_labels["C01_status"] == {
        1: "Yes",
        2: "Partly",
        3: "No",
        4: "Don't know",
        "a": "Not applicable",
    }
    assert meta.missing_user_values == {"C01_status": ["a"]}
    assert meta.column_names_to_labels["C01_phase"] == "Phase of leadership"
    assert meta.file_label == "SYNTHETIC DATA (invented answers): test"


def test_stata_file_is_read_alike_by_pandas(tmp_path: Path) -> None:
    """A second reader: pandas parses the format itself, without ReadStat."""
    import pandas as pd

    content = to_dta(dataset())
    # Format 118: what Stata 14 and later read.
    assert content.startswith(b"<stata_dta><header><release>118</release>")
    path = write(tmp_path, "answers.dta", content)
    with pd.io.stata.StataReader(path) as reader:
        frame = reader.read(convert_categoricals=False)
        assert reader.variable_labels()["C01_phase"] == "Phase of leadership"
    assert numbers(frame["C01_status"]) == [2.0, None, None]
    assert list(frame["C01_good_practice"]) == ["=HYPERLINK(1)", "", LONG_TEXT]


def test_file_labels_fit_each_format(tmp_path: Path) -> None:
    label = "SYNTHETIC DATA (invented answers): mnr round " + "r" * 60
    built = dataset(file_label=label)
    _frame, sav = pyreadstat.read_sav(write(tmp_path, "a.sav", to_sav(built)))
    _frame, dta = pyreadstat.read_dta(write(tmp_path, "a.dta", to_dta(built)))
    assert len(sav.file_label.encode("utf-8")) <= 64 and len(dta.file_label) <= 80
    assert sav.file_label.startswith("SYNTHETIC DATA") and dta.file_label.endswith("…")


def test_csv_holds_answer_codes_with_formulas_neutralised() -> None:
    text = to_csv(dataset()).decode("utf-8")
    lines = text.splitlines()
    assert lines[0].split(",")[len(SUBMISSION_COLUMNS) :] == [
        "C01_status",
        "C01_phase",
        "C16_17_strategy",
        "C01_good_practice",
    ]
    assert lines[1] == "KE,Kenya,government,,LMC,Africa,validated,partial,2,,'=HYPERLINK(1)"
    assert (
        lines[2]
        == "GB-EAW,England and Wales,unicef_country_office,,,,draft,not_applicable,,dont_know,"
    )


def test_a_dataset_without_submissions_still_writes(tmp_path: Path) -> None:
    built = dataset(rows=())
    frame, meta = pyreadstat.read_sav(write(tmp_path, "a.sav", to_sav(built)))
    assert frame.empty and meta.variable_value_labels["C01_status"][1] == "Yes"
    frame, meta = pyreadstat.read_dta(write(tmp_path, "a.dta", to_dta(built)))
    assert frame.empty and meta.column_names_to_labels["C01_phase"] == "Phase of leadership"
