"""The maturity profile (JSON, HTML, PDF) and the action plan (JSON, XLSX, PDF) from the command
line: every PDF page renders and carries the synthetic label, the workbook's rows are the
plan's items, and bad input is refused with a clear message."""

from __future__ import annotations

import datetime
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from openpyxl import load_workbook
from tests.maturity import self_assessment_round

from mnr.core.spreadsheet import restore, unescape_xlsx
from mnr.demo import load_demo
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import actions, service
from mnr.maturity.demo import FIRST_ROUND, SECOND_ROUND
from mnr.maturity.models import PlanItem
from mnr.maturity.render.plan import COLUMNS, PlanDocument, plan_pdf
from mnr.maturity.render.profile import profile_html, profile_pdf
from mnr.maturity.render.texts import texts
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

CAPABILITIES = [f"C{n:02d}" for n in range(1, 22)]
# The lead places every capability but C05 (phases 1 to 4 in turn); police and civil society
# a few, so that some capabilities have a spread; nobody places C05.
LEAD: dict[str, int | None] = {c: n % 4 + 1 for n, c in enumerate(CAPABILITIES)}
LEAD["C05"] = None
POLICE = {"C01": 4, "C02": 1, "C03": 3, "C04": 2}
CIVIL_SOCIETY = {"C11": 1, "C12": 2}
EARLIER = {"KE": {"": dict.fromkeys(CAPABILITIES, 1)}}
NOW = {
    "KE": {"": LEAD, "police": POLICE, "civil_society": CIVIL_SOCIETY},
    "SE": {"": {"C01": 3}},
    "NO": {"": {"C01": 2}},
}
OVERRIDE_REASON = "The statute book shows the 2024 amendments in force"
FORMULA_OWNER = '=HYPERLINK("http://example.org")'


def mnr(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        mnr(*args)
    return str(error.value)


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]


def page_text(path: Path, page: int) -> str:
    text = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return " ".join(text.stdout.split())


def pdf_text(path: Path) -> str:
    return " ".join(page_text(path, page) for page in range(1, pdf_pages(path) + 1))


def assert_every_page_renders(path: Path, workdir: Path) -> int:
    pages = pdf_pages(path)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(workdir / "page")], check=True)
    images = sorted(workdir.glob("page-*.png"))
    assert len(images) == pages
    assert all(image.stat().st_size > 1000 for image in images)
    return pages


def build_rounds() -> None:
    """An earlier round and the current one of KE, with an override and an edited plan."""
    self_assessment_round("sa-earlier", EARLIER)
    now = self_assessment_round("sa-now", NOW, confidence="medium", evidence="the 2019 act")
    kenya = Jurisdiction.objects.get(code="KE")
    actions.override_phase(now, kenya, "C03", 4, OVERRIDE_REASON)
    first = service.plan_for(now, kenya).items[0].capability
    actions.update_plan_item(
        now,
        kenya,
        first,
        {
            "owner": FORMULA_OWNER,
            "due": datetime.date(2027, 3, 31),
            "status": "in_progress",
            "notes": "Budget agreed\nwith the ministry",
        },
        source="cli",
    )
    actions.drop_plan_item(now, kenya, "C21", source="cli")


@dataclass(frozen=True)
class Outputs:
    folder: Path
    profile: dict[str, Any]  # as the service gives it
    plan: dict[str, Any]  # Plan.to_json()
    notes: dict[str, str]

    def file(self, name: str) -> Path:
        return self.folder / name


@pytest.fixture(scope="module")
def outputs(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[Outputs]:
    folder = tmp_path_factory.mktemp("maturity")
    with django_db_blocker.unblock(), transaction.atomic():
        build_rounds()
        common = ("--round", "sa-now", "--jurisdiction", "KE")
        for name in ("profile.json", "profile.html", "profile.pdf"):
            mnr("profile", *common, "-o", str(folder / name))
        mnr("profile", *common, "--group", "income-group", "-o", str(folder / "group.html"))
        mnr("profile", *common, "--lang", "fr", "-o", str(folder / "profile-fr.html"))
        for name in ("plan.json", "plan.xlsx", "plan.pdf"):
            mnr("plan", *common, "-o", str(folder / name))
        (folder / "stdout.json").write_text(mnr("profile", *common), encoding="utf-8")
        (folder / "plan-stdout.json").write_text(mnr("plan", *common), encoding="utf-8")
        round_ = Round.objects.get(code="sa-now")
        kenya = Jurisdiction.objects.get(code="KE")
        found = Outputs(
            folder,
            service.profile(round_, kenya),
            service.plan_for(round_, kenya).to_json(),
            {c: row.notes for c, row in service.stored_items(round_, kenya).items() if row.notes},
        )
        transaction.set_rollback(True)
    yield found


def capability_names(profile: dict[str, Any]) -> dict[str, str]:
    return {
        row["capability"]: row["name"]
        for domain in profile["domains"]
        for row in domain["capabilities"]
    }


# --- the profile -------------------------------------------------------------------------------


def test_profile_json_is_the_service_profile(outputs: Outputs) -> None:
    written = json.loads(outputs.file("profile.json").read_text(encoding="utf-8"))
    printed = json.loads(outputs.file("stdout.json").read_text(encoding="utf-8"))
    assert written == printed == json.loads(json.dumps(outputs.profile, default=str))
    assert written["previous_round"] == "sa-earlier"
    assert list(capability_names(written)) == CAPABILITIES


def test_every_page_of_the_profile_pdf_renders(outputs: Outputs, tmp_path: Path) -> None:
    pages = assert_every_page_renders(outputs.file("profile.pdf"), tmp_path)
    assert 2 <= pages <= 8


def test_profile_pdf_names_every_capability(outputs: Outputs) -> None:
    text = pdf_text(outputs.file("profile.pdf"))
    for capability, name in capability_names(outputs.profile).items():
        assert f"{capability} {name}" in text


def test_every_page_of_a_synthetic_profile_says_so(outputs: Outputs) -> None:
    path = outputs.file("profile.pdf")
    for page in range(1, pdf_pages(path) + 1):
        text = page_text(path, page)
        assert "SYNTHETIC DATA" in text, page
        assert f"Page {page} of {pdf_pages(path)}" in text


def test_a_profile_of_recorded_answers_carries_no_synthetic_label(
    outputs: Outputs, tmp_path: Path
) -> None:
    path = tmp_path / "real.pdf"
    path.write_bytes(profile_pdf({**outputs.profile, "synthetic": False}))
    assert "SYNTHETIC" not in pdf_text(path)
    assert "Page 1 of" in pdf_text(path)


def test_profile_pdf_is_tagged(outputs: Outputs) -> None:
    info = subprocess.run(
        ["pdfinfo", str(outputs.file("profile.pdf"))], capture_output=True, text=True, check=True
    )
    assert re.search(r"Tagged:\s+yes", info.stdout)


def test_profile_html_is_one_file_with_the_chart_named_by_its_text_alternative(
    outputs: Outputs,
) -> None:
    page = outputs.file("profile.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<link" not in page
    assert not re.search(r'src="(https?:)?//', page)  # nothing is fetched from elsewhere
    svg = re.search(r'<svg id="profile-chart" role="img" aria-labelledby="([^"]+)"', page)
    assert svg is not None
    title = re.search(rf'<title id="{svg.group(1)}">([^<]+)</title>', page)
    assert title is not None and "C05 Judiciary and Prosecutors no phase" in title.group(1)
    assert "SYNTHETIC DATA" in page


def test_profile_html_shows_the_override_beside_the_computed_phase(outputs: Outputs) -> None:
    page = outputs.file("profile.html").read_text(encoding="utf-8")
    row = re.search(r'<tr id="capability-C03">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = " ".join(re.sub(r"<[^>]+>", " ", row.group(1)).split())
    # The lead gave 3, police 3: computed 3, overridden to 4.
    assert "4 Maturity*" in cells
    assert "computed: 3 Established" in cells
    assert OVERRIDE_REASON in cells


def test_profile_html_shows_each_respondents_phase_and_the_previous_round(
    outputs: Outputs,
) -> None:
    page = outputs.file("profile.html").read_text(encoding="utf-8")
    row = re.search(r'<tr id="capability-C01">(.*?)</tr>', page, re.S)
    assert row is not None
    cells = " ".join(re.sub(r"<[^>]+>", " ", row.group(1)).split())
    # Lead 1, police 4: the lower median 1, range 3; the earlier round had 1, change 0.
    assert "Lead respondent: 1 (medium confidence) the 2019 act" in cells
    assert "Police: 4 (medium confidence) the 2019 act" in cells
    assert re.search(r"1 Building .*\b3\b .*1 Building 0", cells), cells
    # The lead left C05 blank and nobody else placed it: no phase, no change.
    blank = re.search(r'<tr id="capability-C05">(.*?)</tr>', page, re.S)
    assert blank is not None
    cells = " ".join(re.sub(r"<[^>]+>", " ", blank.group(1)).split())
    assert "no phase Lead respondent: blank" in cells and cells.endswith("1 Building \N{EN DASH}")


def test_evidence_links_are_web_addresses_only(outputs: Outputs) -> None:
    found = json.loads(json.dumps(outputs.profile, default=str))
    answers = found["domains"][0]["capabilities"][0]["answers"]
    answers[0]["evidence_url"] = "https://example.org/act-2019"
    answers[1]["evidence_url"] = "javascript:alert(1)"
    page = profile_html(found)
    assert '<a href="https://example.org/act-2019" rel="noopener noreferrer">' in page
    assert "javascript:alert(1)" in page and 'href="javascript' not in page


def test_profile_html_states_strengths_and_gaps_in_words(outputs: Outputs) -> None:
    page = outputs.file("profile.html").read_text(encoding="utf-8")
    for sentence in outputs.profile["summary"]:
        assert sentence in page.replace("&#x27;", "'")


def test_group_distribution_withholds_small_groups(outputs: Outputs) -> None:
    page = outputs.file("group.html").read_text(encoding="utf-8")
    # KE is the round's only lower-middle-income participant: every count is withheld.
    assert "Phases in the income group: Lower middle income" in page
    row = re.search(r"<tr><th scope=\"row\"><span class=\"code\">C01</span>(.*?)</tr>", page)
    assert row is not None and row.group(1).count("withheld") == 4
    assert "withheld" not in outputs.file("profile.html").read_text(encoding="utf-8")


def test_profile_in_french(outputs: Outputs) -> None:
    page = outputs.file("profile-fr.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page
    assert "Profil de maturité" in page and "DONNÉES SYNTHÉTIQUES" in page


# --- the plan ----------------------------------------------------------------------------------


def test_plan_json_is_the_plan(outputs: Outputs) -> None:
    written = json.loads(outputs.file("plan.json").read_text(encoding="utf-8"))
    printed = json.loads(outputs.file("plan-stdout.json").read_text(encoding="utf-8"))
    assert written == printed == outputs.plan
    assert "C21" not in [item["capability"] for item in written["items"]]


def cell_text(value: Any) -> Any:
    return restore(unescape_xlsx(value)) if isinstance(value, str) else value


STATUS_WORDS = {"open": "Open", "in_progress": "In progress", "done": "Done"}


def workbook_rows(path: Path) -> list[dict[str, Any]]:
    """The Plan sheet's rows by column, text as it was before it was neutralised."""
    sheet = load_workbook(path)["Plan"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [texts("en")[f"col.{column}"] for column in COLUMNS]
    found = []
    for row in rows[1:]:
        cells = dict(zip(COLUMNS, (cell_text(value) for value in row), strict=True))
        if isinstance(cells["due"], datetime.datetime):
            cells["due"] = cells["due"].date().isoformat()
        found.append(cells)
    return found


def expected_row(
    item: dict[str, Any], names: dict[str, str], notes: dict[str, str]
) -> dict[str, Any]:
    """What the workbook's row says of a plan item (empty cells read back as None)."""
    current = item["current_phase"]
    return {
        "capability": item["capability"],
        "name": names[item["capability"]],
        "current_phase": "no phase" if current is None else current,
        "target_phase": item["target_phase"],
        "target": item["target"],
        "steps": "\n".join(item["steps"]),
        "depends_on": ", ".join(item["depends_on"]) or None,
        "owner": item["owner"] or None,
        "due": item["due"],
        "status": STATUS_WORDS[item["status"]],
        "notes": notes.get(item["capability"]) or None,
    }


def test_plan_workbook_rows_are_the_plan_items_in_order(outputs: Outputs) -> None:
    names = capability_names(outputs.profile)
    rows = workbook_rows(outputs.file("plan.xlsx"))
    assert len(outputs.plan["items"]) > 10
    assert rows == [expected_row(item, names, outputs.notes) for item in outputs.plan["items"]]
    assert rows[0]["owner"] == FORMULA_OWNER and rows[0]["status"] == "In progress"
    assert rows[0]["notes"] == "Budget agreed\nwith the ministry"
    sheet = load_workbook(outputs.file("plan.xlsx"))["Plan"]
    assert sheet.cell(2, COLUMNS.index("owner") + 1).value == "'" + FORMULA_OWNER  # not a formula
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(2, COLUMNS.index("steps") + 1).alignment.wrap_text


def test_plan_workbook_says_what_it_is_about(outputs: Outputs) -> None:
    about = dict(load_workbook(outputs.file("plan.xlsx"))["About"].iter_rows(values_only=True))
    assert about["Round"] == "sa-now" and about["Jurisdiction"] == "KE Kenya"
    assert str(about["Data"]).startswith("SYNTHETIC DATA")
    assert datetime.datetime.fromisoformat(str(about["Generated"])).tzinfo is not None


def test_every_page_of_the_plan_pdf_renders_with_every_item(
    outputs: Outputs, tmp_path: Path
) -> None:
    path = outputs.file("plan.pdf")
    assert_every_page_renders(path, tmp_path)
    text = pdf_text(path)
    names = capability_names(outputs.profile)
    for item in outputs.plan["items"]:
        # Long names wrap in their cell, and pdftotext reads the cells of a row in turns.
        first_word = names[item["capability"]].split()[0]
        assert f"{item['capability']} {first_word}" in text
    for page in range(1, pdf_pages(path) + 1):
        assert "SYNTHETIC DATA" in page_text(path, page)


def test_an_empty_plan_says_so(tmp_path: Path) -> None:
    document = PlanDocument(
        plan={"jurisdiction": "KE", "round": "r", "items": []},
        round_title="",
        name="Kenya",
        synthetic=False,
        lang="en",
        capability_names={},
        phase_names={},
    )
    path = tmp_path / "empty.pdf"
    path.write_bytes(plan_pdf(document))
    assert "The plan has no item" in pdf_text(path)


# --- bad input ---------------------------------------------------------------------------------


@pytest.fixture
def small_round(db: Any) -> Any:
    return self_assessment_round("sa-small", {"KE": {"": {"C01": 2}}, "SE": {"": {"C01": 3}}})


@pytest.mark.parametrize("command", ["profile", "plan"])
def test_unknown_round_jurisdiction_or_non_participant_is_refused(
    small_round: Any, command: str
) -> None:
    assert "unknown round 'nope'" in refused(command, "--round", "nope", "--jurisdiction", "KE")
    message = refused(command, "--round", "sa-small", "--jurisdiction", "XX")
    assert "--jurisdiction: unknown jurisdiction 'XX'" in message
    message = refused(command, "--round", "sa-small", "--jurisdiction", "FR")
    assert "FR does not take part in round sa-small" in message


@pytest.mark.parametrize("command", ["profile", "plan"])
def test_round_without_phase_questions_is_refused(review_round: Any, command: str) -> None:
    message = refused(command, "--round", review_round.code, "--jurisdiction", "KE")
    assert "asks no maturity phase" in message


@pytest.mark.parametrize(("command", "file_format"), [("profile", "pdf"), ("plan", "xlsx")])
def test_a_binary_format_needs_an_output_file(
    small_round: Any, command: str, file_format: str
) -> None:
    message = refused(
        command, "--round", "sa-small", "--jurisdiction", "KE", "--format", file_format
    )
    assert f"give it with -o FILE.{file_format}" in message


def test_the_format_follows_the_file_name_and_must_agree_with_it(
    small_round: Any, tmp_path: Path
) -> None:
    out = tmp_path / "plan.xlsx"
    mnr("plan", "--round", "sa-small", "--jurisdiction", "KE", "-o", str(out))
    assert out.read_bytes()[:2] == b"PK"
    message = refused(
        "profile", "--round", "sa-small", "--jurisdiction", "KE", "--format", "html",
        "-o", str(tmp_path / "profile.pdf"),
    )  # fmt: skip
    assert "named .pdf but --format is html" in message
    message = refused(
        "profile", "--round", "sa-small", "--jurisdiction", "KE", "-o", str(tmp_path / "p.txt")
    )
    assert "cannot tell the format" in message and not (tmp_path / "p.txt").exists()


# --- the demo ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOutputs:
    folder: Path
    jurisdiction: str
    profile: dict[str, Any]
    plan: dict[str, Any]
    notes: dict[str, str]


@pytest.fixture(scope="module")
def demo_outputs(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[DemoOutputs]:
    """The profile PDF and the plan workbook of the demo jurisdiction whose plan was edited,
    in the demo's second self-assessment round, from the command line."""
    folder = tmp_path_factory.mktemp("demo-maturity")
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        round_ = Round.objects.get(code=SECOND_ROUND)
        stored = PlanItem.objects.filter(round=round_).select_related("jurisdiction")
        place = stored.order_by("jurisdiction__code").first()
        assert place is not None, "the demo has no edited plan"
        jurisdiction = place.jurisdiction
        common = ("--round", SECOND_ROUND, "--jurisdiction", jurisdiction.code)
        mnr("profile", *common, "-o", str(folder / "profile.pdf"))
        mnr("plan", *common, "-o", str(folder / "plan.xlsx"))
        found = DemoOutputs(
            folder,
            jurisdiction.code,
            service.profile(round_, jurisdiction),
            service.plan_for(round_, jurisdiction).to_json(),
            {
                c: row.notes
                for c, row in service.stored_items(round_, jurisdiction).items()
                if row.notes
            },
        )
        transaction.set_rollback(True)
    yield found


def test_demo_profile_pdf_renders_every_page_labelled_synthetic(
    demo_outputs: DemoOutputs, tmp_path: Path
) -> None:
    path = demo_outputs.folder / "profile.pdf"
    pages = assert_every_page_renders(path, tmp_path)
    assert pages >= 2
    for page in range(1, pages + 1):
        assert "SYNTHETIC DATA" in page_text(path, page)
    text = pdf_text(path)
    assert demo_outputs.profile["previous_round"] == FIRST_ROUND
    assert f"Compared with round {FIRST_ROUND}" in text
    for capability, name in capability_names(demo_outputs.profile).items():
        assert f"{capability} {name}" in text


def test_demo_plan_workbook_rows_are_its_plan_items(demo_outputs: DemoOutputs) -> None:
    rows = workbook_rows(demo_outputs.folder / "plan.xlsx")
    names = capability_names(demo_outputs.profile)
    items = demo_outputs.plan["items"]
    assert items and rows == [expected_row(item, names, demo_outputs.notes) for item in items]
    assert any(row["owner"] or row["notes"] for row in rows)  # the demo's edits are in it
