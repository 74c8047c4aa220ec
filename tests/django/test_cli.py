from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.hostile import zip_bomb
from tests.world_bank import CLASS_2006, class_workbook_as_published

from mnr.core.framework import shipped_edition_paths, shipped_instrument_paths
from mnr.frameworks.models import Edition, Phase
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db


def mnr(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_framework_show_json_lists_6_domains_21_capabilities_and_4_phases() -> None:
    shown = json.loads(mnr("framework", "show", "mnr-2016", "--format", "json"))
    assert shown["edition"] == "mnr-2016"
    assert [d["id"] for d in shown["domains"]] == ["D1", "D2", "D3", "D4", "D5", "D6"]
    capabilities = [c for d in shown["domains"] for c in d["capabilities"]]
    assert [c["id"] for c in capabilities] == [f"C{n:02d}" for n in range(1, 22)]
    assert [(p["level"], p["provisional"]) for p in shown["phases"]] == [
        (1, False),
        (2, True),
        (3, True),
        (4, False),
    ]
    leadership = capabilities[0]
    status = next(q for q in leadership["questions"] if q["id"] == "C01.status")
    assert status == {
        "id": "C01.status",
        "type": "select_one",
        "choices": ["yes", "partial", "no", "dont_know", "not_applicable"],
    }


def test_framework_show_reflects_a_renamed_provisional_phase() -> None:
    from mnr.frameworks.actions import rename_phase

    phase = Phase.objects.get(edition__code="mnr-2016", level=2)
    rename_phase(phase, "Emerging", provisional=False, source="test")
    shown = json.loads(mnr("framework", "show", "mnr-2016", "--format", "json"))
    assert shown["phases"][1] == {"level": 2, "name": "Emerging", "provisional": False}


def test_framework_show_unknown_edition_lists_the_loaded_ones() -> None:
    with pytest.raises(CommandError, match=r"unknown edition 'mnr-1999'; valid values: mnr-2016"):
        mnr("framework", "show", "mnr-1999")


def test_shipped_files_validate() -> None:
    for path in (*shipped_edition_paths(), *shipped_instrument_paths()):
        assert "valid" in mnr("framework", "validate", str(path))


def test_loading_a_shipped_file_again_changes_nothing() -> None:
    before = Edition.objects.count()
    assert "loaded" in mnr("framework", "load", str(shipped_edition_paths()[0]))
    assert Edition.objects.count() == before


def test_loading_changed_content_under_the_same_version_is_refused(tmp_path: Path) -> None:
    document = yaml.safe_load(shipped_edition_paths()[0].read_text())
    document["domains"][0]["name"]["en"] = "Governance"
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(document, allow_unicode=True))
    with pytest.raises(CommandError, match="loaded already with other content; raise 'version'"):
        mnr("framework", "load", str(changed))
    document["version"] += 1
    changed.write_text(yaml.safe_dump(document, allow_unicode=True))
    mnr("framework", "load", str(changed))
    shown = json.loads(mnr("framework", "show", "mnr-2016", "--format", "json"))
    assert shown["version"] == document["version"]
    assert shown["domains"][0]["name"] == "Governance"


def test_broken_file_is_refused_and_nothing_is_loaded(tmp_path: Path) -> None:
    document = yaml.safe_load(shipped_edition_paths()[0].read_text())
    document["id"] = "national-adaptation"
    document["domains"][1]["capabilities"][0]["id"] = "C01"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(document, allow_unicode=True))
    with pytest.raises(CommandError, match=r"broken\.yaml: domains\[1\]\.capabilities\[0\]\.id"):
        mnr("framework", "load", str(broken))
    assert not Edition.objects.filter(code="national-adaptation").exists()


def test_round_create_from_the_command_line() -> None:
    out = mnr(
        "round",
        "create",
        "pilot",
        "--instrument",
        "mnr-review-2021",
        "--channels",
        "unicef_country_office,government",
        "--title",
        "Pilot",
    )
    assert "channels in priority order: unicef_country_office, government" in out
    assert Round.objects.get(code="pilot").channels == ["unicef_country_office", "government"]
    mnr("round", "add-participants", "pilot", "KE", "GB-EAW")
    assert "participants GB-EAW KE" in mnr("round", "show", "pilot")


def test_round_create_with_unknown_channel_names_the_valid_ones() -> None:
    with pytest.raises(CommandError, match="unknown channel 'fax'; valid values: "):
        mnr("round", "create", "pilot", "--instrument", "mnr-review-2021", "--channels", "fax")
    assert not Round.objects.filter(code="pilot").exists()


def test_jurisdictions_list_shows_income_group_and_region() -> None:
    lines = mnr("jurisdictions", "list", "--region", "Africa").splitlines()
    kenya = next(line for line in lines if line.startswith("KE "))
    assert kenya.split()[1:3] == ["LMC", "Africa"]


def test_mnr_command_honours_database_url(tmp_path: Path) -> None:
    database = tmp_path / "elsewhere.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "MNR_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    run: dict[str, Any] = {"env": env, "capture_output": True, "text": True, "check": True}
    subprocess.run([sys.executable, "-m", "mnr", "migrate", "-v", "0"], **run)
    shown = subprocess.run(
        [sys.executable, "-m", "mnr", "framework", "show", "mnr-2016", "--format", "json"], **run
    )
    assert len(json.loads(shown.stdout)["domains"]) == 6
    assert database.stat().st_size > 0
    # WAL, set by the settings on every connection, is kept in the database file.
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    secret = tmp_path / "secret_key"
    assert len(secret.read_text().strip()) >= 50 and secret.stat().st_mode & 0o777 == 0o600
    failed = subprocess.run(
        [sys.executable, "-m", "mnr", "round", "create", "x", "--instrument", "nope"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1
    assert "unknown instrument 'nope'" in failed.stderr


def test_findings_benchmark_prints_its_table_and_verdict() -> None:
    out = mnr("bench", "findings", "--sizes", "20", "--repeat", "1", "--channels", "2")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["jurisdictions", "channels", "questions"]
    assert [line.split()[0] for line in lines[1:3]] == ["20", "250"]
    assert lines[-1].startswith("target: findings and all breakdowns for 250 jurisdictions")


def test_disclosure_benchmark_reports_the_demo_publications_audit() -> None:
    out = mnr("bench", "disclosure", "--repeat", "1")
    assert out.startswith("disclosure: median ")
    cells = int(out.split(" cells, ")[0].rsplit(" ", 1)[1])
    assert cells > 0 and "withheld as small" in out and "integer programs" in out


def test_round_status_from_the_command_line() -> None:
    mnr("round", "create", "pub", "--instrument", "mnr-review-2021")
    assert mnr("round", "status", "pub", "closed").strip() == "round pub is closed"
    assert Round.objects.get(code="pub").status == "closed"


def test_round_dates_and_disclosure_threshold_from_the_command_line() -> None:
    mnr("round", "create", "dated", "--instrument", "mnr-review-2021")
    out = mnr(
        "round",
        "set",
        "dated",
        "--opens",
        "2021-02-01",
        "--closes",
        "2021-03-31",
        "--disclosure-k",
        "5",
    )
    assert "dates        2021-02-01 to 2021-03-31" in out
    assert "groups under 5 jurisdictions suppressed" in out
    with pytest.raises(CommandError, match=r"cannot close \(2021-01-01\) before it opens"):
        mnr("round", "set", "dated", "--closes", "2021-01-01")
    assert str(Round.objects.get(code="dated").closes_on) == "2021-03-31"


def test_administrator_names_a_provisional_phase_from_the_command_line() -> None:
    out = mnr("framework", "rename-phase", "mnr-2016", "3", "Consolidating", "--final")
    assert out.strip() == "phase 3 of mnr-2016 is now 'Consolidating' (final)"
    shown = json.loads(mnr("framework", "show", "mnr-2016", "--format", "json"))
    assert shown["phases"][2] == {"level": 3, "name": "Consolidating", "provisional": False}


# --- Jurisdiction codes as users have them ----------------------------------------------------


def test_add_participants_takes_alpha3_numeric_and_non_country_codes() -> None:
    mnr("round", "create", "codes", "--instrument", "mnr-review-2021")
    out = mnr("round", "add-participants", "codes", "KEN", "752", "8", "GB-EAW", "XKX", "KE")
    assert out.strip() == "5 participants added"
    assert "participants AL GB-EAW KE SE XK" in mnr("round", "show", "codes")


def test_add_participants_names_every_unknown_code_and_adds_none() -> None:
    mnr("round", "create", "codes", "--instrument", "mnr-review-2021")
    with pytest.raises(CommandError) as raised:
        mnr("round", "add-participants", "codes", "KE", "SCG", "0404", "YUG")
    assert str(raised.value).startswith(
        "round add-participants: unknown jurisdictions 'SCG', '0404', 'YUG'; use an ISO 3166-1 "
        "alpha-2, alpha-3 or numeric code"
    )
    assert not Round.objects.get(code="codes").participations.exists()


def test_add_participants_suggests_the_upper_case_code() -> None:
    mnr("round", "create", "codes", "--instrument", "mnr-review-2021")
    with pytest.raises(CommandError, match=r"unknown jurisdiction 'ken' \(did you mean 'KEN'\?\)"):
        mnr("round", "add-participants", "codes", "ken")


def test_role_grant_takes_an_alpha3_jurisdiction() -> None:
    from django.contrib.auth import get_user_model

    from mnr.accounts.models import RoleAssignment

    get_user_model().objects.create_user("focal")
    mnr("role", "grant", "focal", "focal_point", "--jurisdiction", "KEN")
    assert RoleAssignment.objects.get(user__username="focal").jurisdiction.code == "KE"
    with pytest.raises(CommandError, match=r"^--jurisdiction: unknown jurisdiction 'SUN'"):
        mnr("role", "grant", "focal", "focal_point", "--jurisdiction", "SUN")


# --- World Bank workbooks as published --------------------------------------------------------


def test_import_income_refuses_a_workbook_with_historical_economies_listing_them(
    tmp_path: Path,
) -> None:
    from mnr.jurisdictions.models import IncomeClassification

    path = class_workbook_as_published(tmp_path, *CLASS_2006)
    with pytest.raises(CommandError) as raised:
        mnr("jurisdictions", "import-income", str(path), "--fy", "2007")
    message = str(raised.value)
    assert "SCG Serbia and Montenegro (row 7), ANT Netherlands Antilles (row 9)" in message
    assert "--skip-unknown" in message
    assert not IncomeClassification.objects.filter(fiscal_year=2007).exists()


def test_import_income_skip_unknown_imports_the_rest_and_lists_the_skipped(
    tmp_path: Path,
) -> None:
    from mnr.audit.models import AuditEvent
    from mnr.jurisdictions.models import IncomeClassification

    path = class_workbook_as_published(tmp_path, *CLASS_2006)
    out = mnr("jurisdictions", "import-income", str(path), "--fy", "2007", "--skip-unknown")
    assert out.splitlines() == [
        "skipped 2 economies the reference data does not know: SCG Serbia and Montenegro "
        "(row 7), ANT Netherlands Antilles (row 9)",
        "FY2007: 2 income classifications added or changed",
    ]
    stored = IncomeClassification.objects.filter(fiscal_year=2007)
    assert sorted(stored.values_list("jurisdiction__code", "income_group")) == [
        ("KE", "LIC"),
        ("SE", "HIC"),
    ]
    event = AuditEvent.objects.filter(verb="income.import").latest("pk")
    assert event.detail["skipped"] == ["SCG", "ANT"]


def test_import_income_refuses_a_zip_bomb_before_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "CLASS.xlsx"
    path.write_bytes(zip_bomb(20))
    with pytest.raises(CommandError, match=r"CLASS\.xlsx: part .* refused as a zip bomb"):
        mnr("jurisdictions", "import-income", str(path), "--fy", "2007")


# --- Output pipes ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def migrated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of an ``mnr`` process on a migrated SQLite database of its own."""
    folder = tmp_path_factory.mktemp("mnr-data")
    env = {**os.environ, "MNR_DATA_DIR": str(folder)}
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    subprocess.run([str(MNR), "migrate", "-v", "0"], env=env, check=True, capture_output=True)
    return env


MNR = Path(sys.executable).parent / "mnr"


@pytest.mark.parametrize(
    "command",
    ["jurisdictions list", "framework show mnr-2016 --format json", "jurisdictions list --fy 2021"],
)
def test_a_closed_output_pipe_ends_the_command_quietly(
    migrated_data_dir: dict[str, str], tmp_path: Path, command: str
) -> None:
    errors = tmp_path / "stderr"
    pipeline = f"'{MNR}' {command} 2>'{errors}' | head -1; echo ${{PIPESTATUS[0]}}"
    run = subprocess.run(
        ["bash", "-c", pipeline], env=migrated_data_dir, capture_output=True, text=True, check=True
    )
    first_line, status = run.stdout.splitlines()
    assert first_line.strip()
    assert "Traceback" not in errors.read_text()
    assert "BrokenPipeError" not in errors.read_text()
    assert errors.read_text() == ""
    assert status in ("0", "141")
