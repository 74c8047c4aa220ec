"""The findings explorer: filters by domain, capability and breakdown; a chart of exactly the
table's rows; downloads (CSV, XLSX) of exactly the table, as the page's reader may see it;
unknown filter values answered with a message, never a server error."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from tests.django.test_findings_views import publish, synthetic_round
from tests.intruder import attack, view_of

from mnr.core.charts import texts
from mnr.findings.data import round_data
from mnr.frameworks.models import Channel, InstrumentQuestion
from mnr.jurisdictions.actions import create_synthetic_jurisdictions
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput, set_round_status
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

COUNTS = ("yes", "partial", "no", "dont_know", "not_applicable", "blank")
HEADER = [
    "Question",
    "Question text",
    "Group",
    "Yes",
    "Partly",
    "No",
    "Don’t know",  # noqa: RUF001 (the table's heading)
    "N/A",
    "No answer",
    "Share (%)",
    "In place",
    "Answered",
    "Withheld because",
    "Finding",
]


class _TableReader(HTMLParser):
    """The findings table's body as the reader sees it: one list of cell texts per row, a
    sentence row's text appended to the row above it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_body = False
        self.rows: list[list[str]] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.sentence = False
        self.spans: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.row, self.sentence = [], attributes.get("class") == "sentence"
        elif self.in_body and tag in ("td", "th"):
            self.cell = []
            self.spans.append(int(attributes.get("colspan") or 1))

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self.in_body = False
        elif (
            self.in_body and tag in ("td", "th") and self.row is not None and self.cell is not None
        ):
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif self.in_body and tag == "tr" and self.row is not None:
            if self.sentence:
                self.rows[-1].append(self.row[0])
            else:
                self.rows.append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


SHARE = re.compile(r"^(\d+)% \((\d+) of (\d+)\)$")


def shown_table(html: str) -> list[list[str]]:
    """The page's table in the downloads' columns: code and text of the question apart, the
    share as per cent, in place and answered; a withheld row's numbers empty, its reason given;
    the sentence under a row as its last cell."""
    reader = _TableReader()
    reader.feed(html)
    table = []
    for cells in reader.rows:
        question, group, *rest = cells
        code, _space, label = question.partition(" ")
        if rest[0].startswith("Suppressed: "):
            numbers, reason = [""] * 9, rest[0].removeprefix("Suppressed: ")
            sentence = rest[1] if len(rest) > 1 else ""
        else:
            counts, share = rest[:6], rest[6]
            sentence = rest[7] if len(rest) > 7 else ""
            matched = SHARE.match(share)
            if matched:
                numbers = [*counts, *matched.groups()]
            else:
                assert share == "no answers", share
                numbers = [*counts, "", "0", "0"]
            reason = ""
        table.append([code, label, group, *numbers, reason, sentence])
    return table


def csv_download(response: Any) -> tuple[str, list[str], list[list[str]]]:
    """The title line, the column names and the rows of a CSV download."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    title, header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert len(title) == 1
    return title[0], header, rows


def xlsx_download(response: Any) -> tuple[str, list[str], list[list[str]]]:
    """The same from an XLSX download; numbers must be numbers, empty cells empty."""
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    title, header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    as_text = []
    for row in rows:
        for column in (3, 4, 5, 6, 7, 8, 9, 10, 11):
            assert row[column] is None or isinstance(row[column], int), row
        as_text.append(["" if cell is None else str(cell) for cell in row])
    return str(title[0]), [str(cell) for cell in header], as_text


def get(client: Client, round_: Round, name: str = "round-findings", **query: str) -> Any:
    args = [round_.code] if name == "round-findings" else [round_.code, name]
    url = reverse(
        "round-findings" if name == "round-findings" else "round-findings-download", args=args
    )
    return client.get(url, query)


def analyst(personas: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(personas["analyst"])
    return client


def questions_of(round_: Round, **crosswalk: str) -> set[str]:
    """The round's counted questions that speak to a capability matching ``crosswalk``."""
    return set(
        InstrumentQuestion.objects.filter(
            instrument=round_.instrument,
            type="select_one",
            **{f"capabilities__{key}": value for key, value in crosswalk.items()},
        ).values_list("code", flat=True)
    )


def select_options(html: str, select_id: str) -> list[str]:
    select = html[html.index(f'id="{select_id}"') :]
    select = select[: select.index("</select>")]
    return re.findall(r'<option value="([^"]*)"', select)


# --- filters --------------------------------------------------------------------------------


def test_a_domain_keeps_its_questions_and_its_capabilities(personas: dict[str, Any]) -> None:
    round_ = synthetic_round("dom", 6)
    html = get(analyst(personas), round_, domain="D3").content.decode()
    shown = {row[0] for row in shown_table(html)}
    assert shown == questions_of(round_, domain__code="D3")
    assert "C01.governance_mechanism" not in shown and "C11.status" in shown
    offered = select_options(html, "explorer-capability")
    assert offered[0] == "" and "C11" in offered and "C01" not in offered
    assert "D3 Victim" in html  # domains by name


def test_a_capability_keeps_its_own_questions(personas: dict[str, Any]) -> None:
    round_ = synthetic_round("cap", 6)
    html = get(analyst(personas), round_, domain="D1", capability="C01").content.decode()
    assert {row[0] for row in shown_table(html)} == questions_of(round_, code="C01") != set()


def test_a_capability_outside_the_domain_just_chosen_is_dropped_with_a_notice(
    personas: dict[str, Any],
) -> None:
    round_ = synthetic_round("move", 6)
    response = get(analyst(personas), round_, domain="D1", capability="C11")
    html = response.content.decode()
    assert response.status_code == 200
    assert "C11 Child Helpline is not in D1 Policy and Governance" in html
    assert {row[0] for row in shown_table(html)} == questions_of(round_, domain__code="D1")


def test_a_breakdown_shows_its_groups_by_name(personas: dict[str, Any]) -> None:
    round_ = synthetic_round("brk", 6)
    html = get(analyst(personas), round_, capability="C11", by="income").content.decode()
    rows = shown_table(html)
    assert [(row[0], row[2]) for row in rows] == [
        ("C11.status", "High income"),
        ("C11.status", "Low and middle income"),
    ]
    assert rows[0][3:12] == ["2", "0", "2", "0", "0", "0", "50", "2", "4"]


def test_the_analysts_status_filter_still_counts_one_status(personas: dict[str, Any]) -> None:
    round_ = synthetic_round("st", 6)
    client = analyst(personas)
    assert shown_table(get(client, round_, capability="C11").content.decode())[0][3] == "4"
    validated = get(client, round_, capability="C11", status="validated").content.decode()
    assert shown_table(validated)[0][3:9] == ["0"] * 5 + ["6"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"domain": "D9"}, "This round has no domain “D9”. Choose one of: D1 Policy and"),
        ({"capability": "C99"}, "This round has no capability “C99”."),
        ({"by": "colour"}, "This round has no breakdown “colour”."),
    ],
)
@pytest.mark.parametrize("name", ["round-findings", "csv", "xlsx"])
def test_an_unknown_filter_value_gets_a_message_not_an_error(
    personas: dict[str, Any], query: dict[str, str], message: str, name: str
) -> None:
    round_ = publish(synthetic_round("bad", 4))
    for client in (analyst(personas), Client()):
        response = get(client, round_, name, **query)
        assert response.status_code == 400
        assert message in unescape(response.content.decode())


def test_a_download_in_an_unknown_format_is_not_found(personas: dict[str, Any]) -> None:
    round_ = synthetic_round("fmt", 4)
    assert get(analyst(personas), round_, "pdf").status_code == 404


# --- downloads: exactly the table -----------------------------------------------------------


@pytest.mark.parametrize("persona", ["analyst", "anonymous"])
@pytest.mark.parametrize(
    "query",
    [{}, {"domain": "D3"}, {"domain": "D1", "capability": "C01", "by": "income"}, {"by": "region"}],
    ids=str,
)
def test_each_download_holds_exactly_the_table_shown(
    personas: dict[str, Any], persona: str, query: dict[str, str]
) -> None:
    round_ = publish(synthetic_round("same", 12, low_income=2))
    client = analyst(personas) if persona == "analyst" else Client()
    page = get(client, round_, **query).content.decode()
    shown = shown_table(page)
    assert shown
    for file_format, reader in (("csv", csv_download), ("xlsx", xlsx_download)):
        _title, header, rows = reader(get(client, round_, file_format, **query))
        assert header == HEADER
        assert rows == shown
    # The page's download links carry the same filters.
    for file_format in ("csv", "xlsx"):
        link = reverse("round-findings-download", args=[round_.code, file_format])
        for key, value in query.items():
            assert re.search(rf'href="{re.escape(link)}\?[^"]*{key}={re.escape(value)}', page)


def test_the_title_line_names_round_source_filters_and_synthetic_data(
    personas: dict[str, Any],
) -> None:
    round_ = publish(synthetic_round("ttl", 12))
    query = {"domain": "D3", "capability": "C11", "by": "income"}
    title, _header, _rows = csv_download(get(Client(), round_, "csv", **query))
    assert title.startswith(f"Findings of {round_.title} (ttl) · publication 1 · ")
    assert "domain: D3 Victim · capability: C11 Child Helpline" in title
    assert "breakdown: income (high, low and middle)" in title
    assert title.endswith("Synthetic data")
    xlsx_title, _header, _rows = xlsx_download(get(Client(), round_, "xlsx", **query))
    assert xlsx_title == title
    live, _header, _rows = csv_download(get(analyst(personas), round_, "csv", status="validated"))
    assert " · live · " in live and "submissions counted: Validated" in live
    response = get(Client(), round_, "csv", **query)
    assert response["Content-Disposition"] == (
        'attachment; filename="ttl-findings-D3-C11-by-income-publication-1-synthetic.csv"'
    )


def test_an_anonymous_download_reads_the_latest_publication(personas: dict[str, Any]) -> None:
    round_ = publish(synthetic_round("late", 12))
    # After publication a thirteenth jurisdiction answers: only the live round counts it.
    set_round_status(round_, Round.Status.OPEN)
    (late,) = create_synthetic_jurisdictions([("ZLATE99", "Late", "Europe", "HIC")], 2021)
    actions.add_participants(round_, [late.code])
    submission = actions.open_submission(round_, late, "government")
    actions.save_answers(submission, {"C11.status": AnswerInput(value="yes")}, source="test")

    def c11(client: Client) -> list[str]:
        _title, _header, rows = csv_download(get(client, round_, "csv", capability="C11"))
        return rows[0]

    public, live = c11(Client()), c11(analyst(personas))
    assert sum(int(public[3 + n]) for n in range(6)) == 12
    assert sum(int(live[3 + n]) for n in range(6)) == 13
    assert public[3] == "8" and live[3] == "9"


def test_an_anonymous_visitor_cannot_download_an_unpublished_round() -> None:
    round_ = synthetic_round("hid", 5)
    client = Client()
    assert get(client, round_).status_code == 404
    for file_format in ("csv", "xlsx"):
        assert get(client, round_, file_format).status_code == 404
        assert get(client, round_, file_format, by="income").status_code == 404


def test_a_focal_point_downloads_what_their_page_shows(make_user: Any) -> None:
    round_ = synthetic_round("fpd", 12, low_income=2)
    place = round_.participations.first().jurisdiction
    client = Client()
    client.force_login(make_user("fp-d", "focal_point", place.code))
    page = get(client, round_, by="income").content.decode()
    _title, _header, rows = csv_download(get(client, round_, "csv", by="income"))
    assert rows == shown_table(page)
    assert any(row[12] for row in rows), "small groups are withheld from a focal point"


# --- disclosure control in the downloads ----------------------------------------------------


def _finding(row: list[str], by: str | None, codes: dict[str, str]) -> dict[str, Any]:
    """A downloaded row as the intruder reads a finding (the group's name back to its code)."""
    withheld = bool(row[12])
    return {
        "question": row[0],
        "by": by,
        "group": None if by is None else codes.get(row[2], row[2]),
        "population": "all",
        "counts": {key: None if withheld else int(row[3 + n]) for n, key in enumerate(COUNTS)},
        "counts_as": [],
        "numerator": None if withheld else int(row[10]),
        "denominator": None if withheld else int(row[11]),
        "suppressed": withheld,
    }


def test_no_withheld_count_can_be_worked_out_from_the_public_downloads() -> None:
    """An intruder with every public download (totals and every breakdown, CSV and XLSX)
    solves for the withheld cells and finds none forced."""
    round_ = publish(synthetic_round("intr", 12, low_income=2))
    codes = {name: key.removeprefix("group.") for key, name in texts("en").items()}
    codes.update(
        {
            label.get("en", code): code
            for code, label in Channel.objects.values_list("code", "label")
        }
    )
    findings = []
    withheld = 0
    for by in (None, "income", "income-group", "region", "channel"):
        query = {"by": by} if by else {}
        csv_rows = csv_download(get(Client(), round_, "csv", **query))[2]
        assert xlsx_download(get(Client(), round_, "xlsx", **query))[2] == csv_rows
        for row in csv_rows:
            if row[12]:
                withheld += 1
                assert row[3:12] == [""] * 9, row
        findings += [_finding(row, by, codes) for row in csv_rows]
    assert withheld, "the round has small groups, so some cells are withheld"
    view = view_of(round_data(round_), findings)
    assert attack(**view, k=round_.disclosure_threshold) == []


# --- the chart follows the table ------------------------------------------------------------


def chart_spec(html: str) -> dict[str, Any]:
    script = re.search(
        r'<script id="findings-spec" type="application/json">(.*?)</script>', html, re.S
    )
    assert script is not None
    return json.loads(script.group(1))


def test_the_chart_draws_exactly_the_rows_of_the_table() -> None:
    round_ = publish(synthetic_round("cht", 12, low_income=2))
    html = (
        Client()
        .get(reverse("round-findings", args=[round_.code]), {"by": "income"})
        .content.decode()
    )
    spec = chart_spec(html)
    rows = shown_table(html)
    names = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert [(name.split("\n")[0], " ".join(name.split("\n")[1:])) for name in names] == [
        (row[0], row[2]) for row in rows
    ]
    drawn = {segment["row"] for segment in spec["layer"][0]["data"]["values"]}
    withheld = [name for name, row in zip(names, rows, strict=True) if row[12]]
    assert withheld and not drawn & set(withheld)
    assert spec["description"].count("withheld, not drawn") == len(withheld)
    assert spec["width"] == "container"
    assert spec["title"]["text"] == ["Answers per question", "SYNTHETIC DATA"]
