"""``mnr export answers`` and ``mnr import``: lossless round trips, and refusals that write
nothing."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from openpyxl import Workbook
from tests.hostile import zip_bomb

from mnr.core import interchange
from mnr.core.interchange import HEADER, AnswerRow
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.imports import ImportRefused, import_answers
from mnr.surveys.models import Answer, AnswerChange, Participation, Round, Submission

pytestmark = pytest.mark.django_db

HEADER_LINE = ",".join(HEADER)
GOVERNMENT = "test-2021.mnr-review-2021.v1.government"
COUNTRY_OFFICE = "test-2021.mnr-review-2021.v1.unicef_country_office"


def mnr(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def export(tmp_path: Path, fmt: str, name: str = "answers") -> Path:
    path = tmp_path / f"{name}.{fmt}"
    mnr("export", "answers", "--round", "test-2021", "--format", fmt, "-o", str(path))
    return path


def import_file(path: Path, *args: str) -> str:
    return mnr("import", str(path), "--round", "test-2021", *args)


def refused(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as error:
        import_file(path, *args)
    return str(error.value)


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def csv_rows(*rows: str) -> str:
    return "\n".join([HEADER_LINE, *rows]) + "\n"


def exported_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


def snapshot(round_code: str = "test-2021") -> list[tuple[Any, ...]]:
    return sorted(
        Answer.objects.filter(submission__round__code=round_code).values_list(
            "submission__jurisdiction__code",
            "submission__channel",
            "question__code",
            "value",
            "comment",
            "evidence_url",
            "publishable",
        )
    )


def state() -> tuple[Any, ...]:
    """Everything an import could write."""
    return (
        snapshot(),
        AnswerChange.objects.count(),
        Submission.objects.count(),
        sorted(Participation.objects.values_list("round__code", "jurisdiction__code")),
    )


def place(code: str) -> Jurisdiction:
    return Jurisdiction.objects.get(code=code)


@pytest.fixture
def answered(review_round: Round) -> Round:
    """Answers with every kind of awkward text an export has to carry."""
    kenya = actions.open_submission(review_round, place("KE"), "government", source="test")
    actions.save_answers(
        kenya,
        {
            "C01.status": AnswerInput("yes", "adopted in 2019", "https://example.org/strategy"),
            "C01.good_practice": AnswerInput(
                '=HYPERLINK("http://evil.example")', "- first\r\n- second", "", True
            ),
            "C02.status": AnswerInput("", "no answer, only a remark"),
            "C16-17.status": AnswerInput("partial", "+ quoted 'twice'"),
        },
        source="test",
    )
    office = actions.open_submission(
        review_round, place("KE"), "unicef_country_office", source="test"
    )
    actions.save_answers(
        office,
        {
            "C03.laws_adequate": AnswerInput("no", "@mention\ttab"),
            "C01.challenges": AnswerInput("  leading spaces, «unicode», 中文\n"),
        },
        source="test",
    )
    england = actions.open_submission(review_round, place("GB-EAW"), "government", source="test")
    actions.save_answers(
        england,
        {"C01.status": AnswerInput("dont_know"), "MNR.used_as_reference": AnswerInput("yes")},
        source="test",
    )
    return review_round


def empty(round_: Round) -> None:
    """The round as it was before anyone took part or answered."""
    Submission.objects.filter(round=round_).delete()
    Participation.objects.filter(round=round_).delete()


# --- Export -----------------------------------------------------------------------------------


def test_csv_export_has_the_interchange_header_and_one_row_per_answer(
    answered: Round, tmp_path: Path
) -> None:
    lines = export(tmp_path, "csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER_LINE + ",publishable,respondent,confidence"
    rows = exported_rows(export(tmp_path, "csv"))
    assert len(rows) - 1 == Answer.objects.count() == 8
    assert rows[1][:5] == ["test-2021", "GB-EAW", "government", "C01.status", "dont_know"]


def test_csv_export_neutralises_text_a_spreadsheet_would_run(
    answered: Round, tmp_path: Path
) -> None:
    rows = exported_rows(export(tmp_path, "csv"))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example")' in cells
    assert "'- first\r\n- second" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_json_export_is_a_list_of_objects_with_the_header_keys(
    answered: Round, tmp_path: Path
) -> None:
    records = json.loads(export(tmp_path, "json").read_text(encoding="utf-8"))
    assert len(records) == 8
    assert all(set(HEADER) <= set(record) for record in records)
    assert records[0]["jurisdiction"] == "GB-EAW"


def test_export_for_a_user_holds_only_what_the_user_may_see(
    answered: Round, personas: dict[str, Any]
) -> None:
    from mnr.exporters.base import get_exporter

    exporter = get_exporter("answers")(answered, format="json", user=personas["focal_point"])
    _name, _mime, content = exporter.render()
    assert {record["jurisdiction"] for record in json.loads(content)} == {"KE"}


# --- Lossless round trip, idempotence, dry run, history, participants -------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_then_import_into_an_empty_round_is_lossless(
    answered: Round, tmp_path: Path, fmt: str
) -> None:
    before = snapshot()
    exported = export(tmp_path, fmt)
    empty(answered)
    assert snapshot() == []

    output = import_file(exported)

    assert snapshot() == before
    assert f"made {AnswerChange.objects.filter(source='import').count()} changes" in output
    assert "2 participants added (GB-EAW, KE)" in output
    assert file_content(export(tmp_path, fmt, "again")) == file_content(exported)


def file_content(path: Path) -> Any:
    """What a file says (an XLSX workbook also records when it was written)."""
    if path.suffix != ".xlsx":
        return path.read_bytes()
    from openpyxl import load_workbook

    return list(load_workbook(path).active.iter_rows(values_only=True))


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    answered: Round, tmp_path: Path
) -> None:
    exported = export(tmp_path, "csv")
    empty(answered)
    import_file(exported)
    written = state()

    output = import_file(exported)

    assert "made 0 changes" in output
    assert state() == written


def test_importing_an_unchanged_export_changes_nothing(answered: Round, tmp_path: Path) -> None:
    exported = export(tmp_path, "xlsx")
    before = state()
    assert "0 changes" in import_file(exported)
    assert state() == before


def test_dry_run_lists_each_change_and_writes_nothing(answered: Round, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "answers.csv",
        csv_rows(
            "test-2021,KE,government,C01.status,partial,adopted in 2019,"
            "https://example.org/strategy",
            "test-2021,NG,unicef_country_office,C03.laws_adequate,yes,,",
        ),
    )
    before = state()

    output = import_file(path, "--dry-run")

    assert state() == before
    lines = output.splitlines()
    assert lines[:2] == [
        "row 2: KE government C01.status answer: 'yes' → 'partial'",
        "row 3: NG unicef_country_office C03.laws_adequate answer: '' → 'yes'",
    ]
    assert "would make 2 changes; 1 participant would be added (NG)" in lines[-1]
    assert "dry run: nothing was written" in lines[-1]


def test_a_changed_answer_is_recorded_in_the_history_like_a_web_edit(
    answered: Round, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "answers.csv",
        csv_rows("test-2021,GB-EAW,government,C01.status,yes,strategy now adopted,"),
    )

    assert "made 2 changes" in import_file(path)

    changes = list(
        AnswerChange.objects.filter(
            answer__submission__jurisdiction__code="GB-EAW", source="import"
        ).values_list("field", "old", "new")
    )
    assert changes == [("value", "dont_know", "yes"), ("comment", "", "strategy now adopted")]


def test_a_focal_point_importing_is_recorded_as_the_one_who_changed(
    answered: Round, personas: dict[str, Any]
) -> None:
    focal_point = personas["focal_point"]
    # A user's import submits what it changes, under the web form's rules: answer the rest first.
    kenya = Submission.objects.get(round=answered, jurisdiction__code="KE", channel="government")
    actions.save_answers(
        kenya,
        {
            question.code: AnswerInput(value="yes")
            for question in answered.instrument.questions.filter(required=True)
            if question.asked_of("government") and question.code != "C02.status"
        },
        source="test",
    )
    row = AnswerRow(2, "test-2021", "KE", "government", "C02.status", "partial")
    import_answers(answered, [row], acting_user=focal_point)
    change = AnswerChange.objects.get(source="import")
    assert (change.field, change.new, change.changed_by) == ("value", "partial", focal_point)


def test_a_focal_point_cannot_import_for_another_jurisdiction(
    answered: Round, personas: dict[str, Any]
) -> None:
    from django.core.exceptions import PermissionDenied

    row = AnswerRow(2, "test-2021", "SE", "government", "C02.status", "partial")
    before = state()
    with pytest.raises(PermissionDenied):
        import_answers(answered, [row], acting_user=personas["focal_point"])
    assert state() == before


def test_a_blank_cell_clears_the_answer_with_history(answered: Round, tmp_path: Path) -> None:
    path = write(tmp_path, "answers.csv", csv_rows("test-2021,GB-EAW,government,C01.status,,,"))
    import_file(path)
    answer = Answer.objects.get(
        submission__jurisdiction__code="GB-EAW", question__code="C01.status"
    )
    assert answer.value == ""
    assert answer.changes.filter(source="import").values_list("old", "new").get() == (
        "dont_know",
        "",
    )


def test_jurisdictions_in_the_file_become_participants(review_round: Round, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "answers.csv",
        csv_rows(
            "test-2021,NG,unicef_country_office,C01.status,no,,",
            "test-2021,FR,government,C01.status,yes,,",
            "test-2021,KE,government,C01.status,yes,,",
        ),
    )

    output = import_file(path)

    assert "2 participants added (NG, FR)" in output
    assert set(review_round.participations.values_list("jurisdiction__code", flat=True)) == {
        "KE",
        "SE",
        "GB-EAW",
        "NG",
        "FR",
    }


def test_rows_read_elsewhere_import_through_the_same_action(review_round: Round) -> None:
    row = AnswerRow(2, "test-2021", "SE", "government", "C02.status", "no", comment="by API")
    result = import_answers(review_round, [row])
    assert result.changed == 2
    assert snapshot() == [("SE", "government", "C02.status", "no", "by API", "", False)]


def test_refused_rows_read_elsewhere_name_their_row(review_round: Round) -> None:
    row = AnswerRow(5, "test-2021", "SE", "government", "C02.status", "maybe")
    with pytest.raises(ImportRefused, match=r"\(rows\): row 5, column answer: answer 'maybe'"):
        import_answers(review_round, [row])


# --- Bad input: every problem named, nothing written ------------------------------------------


def assert_refused_and_nothing_written(
    tmp_path: Path, name: str, content: str | bytes, expected: Sequence[str], *args: str
) -> str:
    before = state()
    message = refused(write(tmp_path, name, content), *args)
    for part in expected:
        assert part in message
    assert "nothing was imported" in message
    assert state() == before
    return message


GOOD_ROW = "test-2021,SE,government,C01.status,yes,,"


def test_a_row_for_another_round_is_refused(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(GOOD_ROW, "review-2019,SE,government,C02.status,yes,,"),
        [
            "answers.csv: row 3, column round: this row is for round 'review-2019', but the "
            "file is being imported into round 'test-2021'"
        ],
    )


def test_an_unknown_jurisdiction_is_refused(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(GOOD_ROW, "test-2021,XK-NOPE,government,C01.status,yes,,"),
        ["answers.csv: row 3, column jurisdiction: unknown jurisdiction 'XK-NOPE'"],
    )


def test_an_unknown_question_is_refused(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(
            GOOD_ROW,
            "test-2021,SE,government,C99.status,yes,,",
        ),
        ["answers.csv: row 3, column question: unknown question 'C99.status'"],
    )


def test_a_question_not_asked_of_the_channel_is_refused(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(GOOD_ROW, "test-2021,SE,government,C03.laws_adequate,no,,"),
        [
            "answers.csv: row 3, column question: question C03.laws_adequate is not asked "
            "through channel government"
        ],
    )


def test_an_answer_not_among_the_choices_is_refused(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(GOOD_ROW, "test-2021,SE,government,C02.status,maybe,,"),
        [
            "answers.csv: row 3, column answer: answer 'maybe' is not among the choices of "
            "C02.status"
        ],
    )


def test_two_answers_for_the_same_question_are_refused(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(GOOD_ROW, "test-2021,SE,government,C01.status,no,,"),
        [
            "answers.csv: row 3, column question: a second answer for SE, government, "
            "C01.status (the first is in row 2)"
        ],
    )


def test_an_unknown_channel_is_refused(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(GOOD_ROW, "test-2021,SE,civil_society,C01.status,yes,,"),
        ["answers.csv: row 3, column channel: unknown channel 'civil_society' for round test-2021"],
    )


def test_an_evidence_url_the_database_would_refuse_is_refused(
    answered: Round, tmp_path: Path
) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(GOOD_ROW, "test-2021,SE,government,C02.status,yes,,https://intranet"),
        [
            "answers.csv: row 3, column evidence_url: 'https://intranet' is not a valid "
            "http(s) address"
        ],
    )


def test_a_wrong_header_is_refused(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        "round,country,channel,question,answer,comment,evidence_url\n" + GOOD_ROW + "\n",
        ["answers.csv: row 1, column B: expected 'jurisdiction', found 'country'"],
    )


def test_an_empty_file_is_refused(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path, "answers.csv", "", ["answers.csv: is empty: there is nothing to import"]
    )


def test_an_oversized_file_is_refused(answered: Round, tmp_path: Path) -> None:
    content = csv_rows(GOOD_ROW) + "x" * interchange.MAX_BYTES
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        content,
        [
            f"answers.csv: is {len(content):,} bytes; files over 20 MiB (20,971,520 bytes) are "
            "refused: split it by jurisdiction or channel"
        ],
    )


def test_an_xlsx_that_is_really_csv_text_is_refused(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.xlsx",
        csv_rows(GOOD_ROW),
        ["answers.xlsx: is not an XLSX workbook as its name says: it holds CSV text"],
    )


def test_binary_junk_named_csv_is_refused(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        bytes(range(256)) * 64,
        ["answers.csv: is not CSV text (UTF-8) as its name says: it holds binary data"],
    )


def test_every_problem_of_the_file_is_reported_at_once(answered: Round, tmp_path: Path) -> None:
    message = assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(
            GOOD_ROW,
            "test-2021,SE,government,C99.status,yes,,",
            "test-2021,ZZ,government,C01.status,yes,,",
            "test-2021,SE,government,C02.status,maybe,,",
        ),
        ["row 3, column question", "row 4, column jurisdiction", "row 5, column answer"],
    )
    assert message.splitlines()[-1] == "answers.csv: 3 problems; nothing was imported"


def test_the_mnr_command_reports_problems_on_stderr_and_exits_with_1(
    answered: Round, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "answers.csv", csv_rows("test-2021,SE,government,C99.status,yes,,"))
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["mnr", "import", str(path), "--round", "test-2021"]).execute()
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert "answers.csv: row 2, column question: unknown question 'C99.status'" in captured.err
    assert captured.out == ""


def test_an_unknown_round_lists_the_rounds(answered: Round, tmp_path: Path) -> None:
    path = write(tmp_path, "answers.csv", csv_rows(GOOD_ROW))
    with pytest.raises(CommandError, match="unknown round 'nope'; valid values: test-2021"):
        mnr("import", str(path), "--round", "nope")


# --- KoboToolbox and ODK Central exports ------------------------------------------------------


KOBO_HEADER = (
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
    "general/MNR_used_as_reference",
    "meta/instanceID",
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
)


def kobo_row(jurisdiction: str, version: str = GOVERNMENT, **answers: str) -> list[str]:
    values = {
        "start": "2021-02-15T10:00:00.000+03:00",
        "jurisdiction": jurisdiction,
        "round": "test-2021",
        "channel": version.rsplit(".", 1)[-1],
        "mnr_version": version,
        "meta/instanceID": f"uuid:{jurisdiction}",
        "_id": "101",
        "_uuid": jurisdiction,
        "_submission_time": "2021-02-15T07:00:00",
        "__version__": "vGqkRhbBbyNqKvcwDpZzuN",
        "_index": "1",
        **answers,
    }
    return [values.get(column, "") for column in KOBO_HEADER]


def kobo_csv(
    rows: Sequence[Sequence[str]], header: Sequence[str] = KOBO_HEADER, delimiter: str = ";"
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def kobo_xlsx(rows: Sequence[Sequence[str]], header: Sequence[str] = KOBO_HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "MNR review 2021"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


KENYA = kobo_row(
    "KE",
    **{
        "D1/C01_status": "partial",
        "D1/C01_good_practice": "A national task force",
        "D5/C16_17_status": "yes",
        "general/MNR_used_as_reference": "yes",
    },
)
NIGERIA = kobo_row(
    "NG",
    COUNTRY_OFFICE,
    **{"D1/C01_status": "no", "D1/C03_laws_adequate": "yes"},
)
EXPECTED = [
    ("KE", "government", "C01.good_practice", "A national task force", "", "", False),
    ("KE", "government", "C01.status", "partial", "", "", False),
    ("KE", "government", "C16-17.status", "yes", "", "", False),
    ("KE", "government", "MNR.used_as_reference", "yes", "", "", False),
    ("NG", "unicef_country_office", "C01.status", "no", "", "", False),
    ("NG", "unicef_country_office", "C03.laws_adequate", "yes", "", "", False),
]


def test_kobo_csv_with_group_slash_headers_and_metadata_imports(
    review_round: Round, tmp_path: Path
) -> None:
    path = write(tmp_path, "kobo.csv", kobo_csv([KENYA, NIGERIA]))

    output = import_file(path, "--format", "kobo")

    assert snapshot() == EXPECTED
    assert "(kobo)" in output
    assert "NG" in set(review_round.participations.values_list("jurisdiction__code", flat=True))
    assert AnswerChange.objects.filter(source="import").count() == 6


def test_kobo_xlsx_export_imports(review_round: Round, tmp_path: Path) -> None:
    path = write(tmp_path, "kobo.xlsx", kobo_xlsx([KENYA, NIGERIA]))
    import_file(path, "--format", "kobo")
    assert snapshot() == EXPECTED


def test_submission_export_is_recognised_without_format(
    review_round: Round, tmp_path: Path
) -> None:
    path = write(tmp_path, "export.xlsx", kobo_xlsx([KENYA, NIGERIA]))
    import_file(path)
    assert snapshot() == EXPECTED


@pytest.mark.parametrize("container", ["csv", "xlsx"])
def test_odk_export_with_group_dash_headers_imports(
    review_round: Round, tmp_path: Path, container: str
) -> None:
    header = [
        "SubmissionDate",
        "start",
        "jurisdiction",
        "round",
        "channel",
        "mnr_version",
        *(name.replace("/", "-") for name in KOBO_HEADER[6:11]),
        "meta-instanceID",
        "KEY",
        "SubmitterID",
        "SubmitterName",
        "AttachmentsPresent",
        "AttachmentsExpected",
        "Status",
        "ReviewState",
        "DeviceID",
        "Edits",
        "FormVersion",
    ]
    rows = [
        [
            "2021-02-15T07:00:00.000Z",
            "2021-02-15T10:00:00.000+03:00",
            *row[2:11],
            "uuid:x",
            "uuid:x",
            "5",
            "focal",
            "0",
            "0",
            "",
            "approved",
            "",
            "0",
            row[5],
        ]
        for row in (KENYA, NIGERIA)
    ]
    content: str | bytes = (
        kobo_csv(rows, header, ",") if container == "csv" else kobo_xlsx(rows, header)
    )
    import_file(write(tmp_path, f"odk.{container}", content), "--format", "odk")
    assert snapshot() == EXPECTED


def test_kobo_blank_cell_is_no_answer(answered: Round, tmp_path: Path) -> None:
    blank = kobo_row("KE", **{"D1/C01_status": "", "D5/C16_17_status": "partial"})
    import_file(write(tmp_path, "kobo.csv", kobo_csv([blank])), "--format", "kobo")
    answers = dict(
        Answer.objects.filter(
            submission__jurisdiction__code="KE", submission__channel="government"
        ).values_list("question__code", "value")
    )
    assert answers["C01.status"] == ""
    # A Kobo export carries no comments: the ones given before stay.
    assert (
        Answer.objects.get(
            submission__jurisdiction__code="KE", question__code="C16-17.status"
        ).comment
        == "+ quoted 'twice'"
    )


def test_kobo_import_twice_changes_nothing(review_round: Round, tmp_path: Path) -> None:
    path = write(tmp_path, "kobo.csv", kobo_csv([KENYA, NIGERIA]))
    import_file(path, "--format", "kobo")
    assert "made 0 changes" in import_file(path, "--format", "kobo")


def test_kobo_export_of_another_form_version_is_refused(
    review_round: Round, tmp_path: Path
) -> None:
    old = "test-2021.mnr-review-2021.v0.government"
    assert_refused_and_nothing_written(
        tmp_path,
        "kobo.csv",
        kobo_csv([KENYA, kobo_row("SE", old, **{"D1/C01_status": "yes"})]),
        [
            f"kobo.csv: row 3, column mnr_version: form version {old!r} is not a form of round "
            f"test-2021; its forms are {GOVERNMENT}, {COUNTRY_OFFICE}"
        ],
        "--format",
        "kobo",
    )


def test_odk_form_version_of_another_round_is_refused(review_round: Round, tmp_path: Path) -> None:
    header = ["SubmissionDate", "jurisdiction", "D1-C01_status", "KEY", "FormVersion"]
    other = "review-2019.mnr-review-2021.v1.government"
    assert_refused_and_nothing_written(
        tmp_path,
        "odk.csv",
        kobo_csv([["2021-01-01", "KE", "yes", "uuid:1", other]], header, ","),
        [f"odk.csv: row 2, column FormVersion: form version {other!r} is not a form of round"],
        "--format",
        "odk",
    )


def test_an_export_of_the_rounds_own_xlsform_imports(review_round: Round, tmp_path: Path) -> None:
    """The reader follows the form mnr builds: every field of it maps back (no drift)."""
    from openpyxl import load_workbook

    form = tmp_path / "form.xlsx"
    mnr(
        "export",
        "xlsform",
        "--round",
        "test-2021",
        "--format",
        "xlsx",
        "--channel",
        "government",
        "-o",
        str(form),
    )
    survey = load_workbook(form)["survey"]
    columns = [str(cell.value) for cell in survey[1]]
    groups: list[str] = []
    header: list[str] = []
    row: list[str] = []
    for values in survey.iter_rows(min_row=2, values_only=True):
        cells = dict(zip(columns, values, strict=False))
        kind, name = str(cells["type"]), str(cells["name"])
        if kind == "begin_group":
            groups.append(name)
        elif kind == "end_group":
            groups.pop()
        elif kind != "note":
            header.append("/".join([*groups, name]))
            if kind == "calculate":
                row.append(str(cells["calculation"]).strip("'"))
            elif kind == "select_one jurisdictions":
                row.append("SE")
            elif name == "respondent":
                row.append("police")
            else:
                row.append("dont_know" if kind.startswith("select_one") else "answered in Kobo")
    header += ["meta/instanceID", "_id", "_uuid", "__version__"]
    row += ["uuid:1", "1", "1", "vKoboOwnId"]
    for content in (kobo_csv([row], header), kobo_xlsx([row], header)):
        name = "kobo.csv" if isinstance(content, str) else "kobo.xlsx"
        Answer.objects.all().delete()
        import_file(write(tmp_path, name, content), "--format", "kobo")
        answers = Answer.objects.filter(
            submission__jurisdiction__code="SE",
            submission__channel="government",
            submission__respondent="police",
        )
        asked = review_round.instrument.questions.exclude(channels=["unicef_country_office"])
        assert answers.count() == asked.count() > 60


# --- Jurisdiction codes as users have them ----------------------------------------------------


def test_alpha3_and_numeric_codes_import_under_the_stored_code(
    review_round: Round, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "answers.csv",
        csv_rows(
            "test-2021,NGA,unicef_country_office,C01.status,no,,",
            "test-2021,250,government,C01.status,yes,,",
            "test-2021,8,government,C01.status,partial,,",
            "test-2021,KEN,government,C01.status,yes,,",
            "test-2021,XKX,government,C01.status,no,,",
        ),
    )
    output = import_file(path)
    assert "4 participants added (NG, FR, AL, XK)" in output
    assert [row[:4] for row in snapshot()] == [
        ("AL", "government", "C01.status", "partial"),
        ("FR", "government", "C01.status", "yes"),
        ("KE", "government", "C01.status", "yes"),
        ("NG", "unicef_country_office", "C01.status", "no"),
        ("XK", "government", "C01.status", "no"),
    ]


def test_a_kobo_export_with_alpha3_codes_imports_under_the_stored_code(
    review_round: Round, tmp_path: Path
) -> None:
    kenya = kobo_row("KEN", **{"D1/C01_status": "partial"})
    nigeria = kobo_row("566", COUNTRY_OFFICE, **{"D1/C01_status": "no"})
    import_file(write(tmp_path, "kobo.csv", kobo_csv([kenya, nigeria])))
    assert [row[:4] for row in snapshot()] == [
        ("KE", "government", "C01.status", "partial"),
        ("NG", "unicef_country_office", "C01.status", "no"),
    ]


def test_an_unknown_code_is_refused_naming_the_code_row_and_column(
    answered: Round, tmp_path: Path
) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(GOOD_ROW, "test-2021,SCG,government,C01.status,yes,,"),
        [
            "answers.csv: row 3, column jurisdiction: unknown jurisdiction 'SCG'; use an ISO "
            "3166-1 alpha-2, alpha-3 or numeric code, or a listed non-country code"
        ],
    )


# --- Input limits and hostile files -----------------------------------------------------------


def test_an_answer_over_the_limit_is_refused_and_nothing_written(
    answered: Round, tmp_path: Path
) -> None:
    long = "a" * 10_001
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(GOOD_ROW, f"test-2021,SE,government,C01.good_practice,{long},,"),
        [
            "answers.csv: row 3, column answer: answer is 10001 characters long; at most 10000 "
            "are allowed"
        ],
    )


def test_a_comment_over_the_limit_is_refused_and_nothing_written(
    answered: Round, tmp_path: Path
) -> None:
    long = "c" * 5_001
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(GOOD_ROW, f"test-2021,SE,government,C02.status,yes,{long},"),
        ["answers.csv: row 3, column comment: comment is 5001 characters long; at most 5000"],
    )


def test_an_evidence_url_over_500_characters_is_refused_and_nothing_written(
    answered: Round, tmp_path: Path
) -> None:
    url = "https://example.org/" + "u" * 481
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.csv",
        csv_rows(GOOD_ROW, f"test-2021,SE,government,C02.status,yes,,{url}"),
        ["answers.csv: row 3, column evidence_url: evidence_url is 501 characters long"],
    )


def test_an_evidence_url_of_500_characters_is_stored(answered: Round, tmp_path: Path) -> None:
    url = "https://example.org/" + "u" * 480
    import_file(write(tmp_path, "answers.csv", csv_rows(GOOD_ROW + url)))
    stored = Answer.objects.get(submission__jurisdiction__code="SE", question__code="C01.status")
    assert stored.evidence_url == url


@pytest.mark.parametrize(
    ("escaped", "problem"),
    [("\\u0000", "contains a NUL character"), ("\\ud83d", "contains a lone surrogate")],
)
def test_nul_and_lone_surrogates_in_a_json_file_are_refused_and_nothing_written(
    answered: Round, tmp_path: Path, escaped: str, problem: str
) -> None:
    record = {key: "" for key in HEADER} | {
        "round": "test-2021",
        "jurisdiction": "SE",
        "channel": "government",
        "question": "C01.good_practice",
        "answer": "MARK",
    }
    content = json.dumps([record]).replace("MARK", f"text {escaped}")
    assert_refused_and_nothing_written(
        tmp_path, "answers.json", content, [f"answers.json: row 1, column answer: answer {problem}"]
    )


def test_deeply_nested_json_is_refused_and_nothing_written(
    answered: Round, tmp_path: Path
) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.json",
        "[" * 500_000 + "]" * 500_000,
        ["answers.json: is nested too deeply to be a list of answers"],
    )


def test_a_zip_bomb_named_xlsx_is_refused_and_nothing_written(
    answered: Round, tmp_path: Path
) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.xlsx",
        zip_bomb(50),
        ["answers.xlsx: part 'xl/worksheets/sheet1.xml' would inflate", "zip bomb"],
    )


def test_a_kobo_zip_bomb_is_refused_and_nothing_written(answered: Round, tmp_path: Path) -> None:
    assert_refused_and_nothing_written(
        tmp_path, "kobo.xlsx", zip_bomb(250), ["kobo.xlsx: would uncompress to"], "--format", "kobo"
    )


def test_a_file_that_is_not_a_zip_named_xlsx_is_refused_and_nothing_written(
    answered: Round, tmp_path: Path
) -> None:
    assert_refused_and_nothing_written(
        tmp_path,
        "answers.xlsx",
        b"PK\x03\x04" + bytes(range(256)) * 4,
        ["answers.xlsx: is not a readable XLSX workbook: it is not a ZIP archive"],
    )


# --- mnr export: the format from the file name ------------------------------------------------


EXPORTS = [
    ("answers", "csv", ()),
    ("answers", "xlsx", ()),
    ("answers", "json", ()),
    ("findings", "csv", ()),
    ("findings", "xlsx", ()),
    ("findings", "json", ()),
    ("dataset", "sav", ()),
    ("dataset", "dta", ()),
    ("dataset", "csv", ()),
    ("xlsform", "xlsx", ("--channel", "government")),
]


def format_of(content: bytes) -> str:
    """What a file holds, told from its content alone."""
    import zipfile

    if content.startswith(b"PK\x03\x04"):
        assert "xl/workbook.xml" in zipfile.ZipFile(io.BytesIO(content)).namelist()
        return "xlsx"
    if content.startswith(b"$FL2"):
        return "sav"
    if content.startswith(b"<stata_dta>"):
        return "dta"
    text = content.decode("utf-8")
    if text.startswith("["):
        json.loads(text)
        return "json"
    assert len(next(csv.reader(io.StringIO(text)))) > 3
    return "csv"


@pytest.mark.parametrize(("what", "fmt", "extra"), EXPORTS)
def test_every_export_takes_its_format_from_the_output_name(
    answered: Round, tmp_path: Path, what: str, fmt: str, extra: tuple[str, ...]
) -> None:
    named = tmp_path / f"out.{fmt.upper() if fmt == 'csv' else fmt}"
    given = tmp_path / f"given.{fmt}"
    mnr("export", what, "--round", "test-2021", *extra, "-o", str(named))
    mnr("export", what, "--round", "test-2021", *extra, "--format", fmt, "-o", str(given))
    assert format_of(named.read_bytes()) == format_of(given.read_bytes()) == fmt


@pytest.mark.parametrize(("what", "fmt", "extra"), EXPORTS)
def test_every_export_refuses_an_extension_it_cannot_write(
    answered: Round, tmp_path: Path, what: str, fmt: str, extra: tuple[str, ...]
) -> None:
    output = tmp_path / "out.txt"
    with pytest.raises(CommandError) as raised:
        mnr("export", what, "--round", "test-2021", *extra, "-o", str(output))
    message = str(raised.value)
    assert f"cannot tell the format of the {what} export from the file name 'out.txt'" in message
    assert f".{fmt}" in message and "--format" in message
    assert not output.exists()


def test_an_export_named_for_another_format_than_given_is_refused(
    answered: Round, tmp_path: Path
) -> None:
    output = tmp_path / "answers.xlsx"
    with pytest.raises(CommandError, match=r"answers\.xlsx is named \.xlsx but --format is csv"):
        mnr("export", "answers", "--round", "test-2021", "--format", "csv", "-o", str(output))
    assert not output.exists()


def test_an_export_to_stdout_without_format_says_to_choose_one(answered: Round) -> None:
    with pytest.raises(CommandError, match=r"--format csv\|xlsx\|json"):
        mnr("export", "answers", "--round", "test-2021")


def test_the_readme_xlsform_command_works_as_written(answered: Round, tmp_path: Path) -> None:
    output = tmp_path / "form.xlsx"
    mnr("export", "xlsform", "--round", "test-2021", "--channel", "government", "-o", str(output))
    from openpyxl import load_workbook

    assert {"survey", "choices", "settings"} <= set(load_workbook(output).sheetnames)
