"""``mnr export findings --format sdmx-csv|sdmx-ml``: the latest publication as SDMX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sdmx
from django.core.management import CommandError, call_command
from tests.publishing import validate_and_publish
from tests.sdmx_reading import attribute, check_against, expected_cells, read_cells

from mnr.exporters.sdmx import build_structure
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.models import Publication
from mnr.surveys.actions import AnswerInput, open_submission, save_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered_round(review_round: Any) -> Any:
    review_round.disclosure_threshold = 1
    review_round.save(update_fields=["disclosure_threshold"])
    for code, value in (("KE", "yes"), ("SE", "yes"), ("GB-EAW", "partial")):
        submission = open_submission(
            review_round, Jurisdiction.objects.get(code=code), "government"
        )
        save_answers(submission, {"C11.status": AnswerInput(value=value)}, source="test")
    return review_round


@pytest.mark.parametrize(
    ("file_format", "name", "reader_format"),
    [("sdmx-csv", "findings.csv", "CSV"), ("sdmx-ml", "findings.xml", "XML")],
)
def test_export_writes_the_latest_publication(
    answered_round: Any, tmp_path: Path, file_format: str, name: str, reader_format: str
) -> None:
    validate_and_publish(answered_round)
    validate_and_publish(answered_round, note="second")
    latest = Publication.objects.get(round=answered_round, number=2)
    output = tmp_path / name
    call_command(
        "export", "findings", "--round", answered_round.code, "--format", file_format, "-o", output
    )
    dsd = build_structure(answered_round).dsd
    message = sdmx.read_sdmx(output, format=reader_format, structure=dsd)
    cells: dict[tuple[str, ...], Any] = {}
    for dataset in message.data:
        cells.update(read_cells(dataset))
    expected = expected_cells(latest)
    assert any(not cell["suppressed"] and cell["value"] for cell in expected.values())
    check_against(cells, expected, dsd)
    assert {attribute(obs, "PUBLICATION") for obs in cells.values()} == {"2"}


def test_export_of_an_unpublished_round_says_so(answered_round: Any, tmp_path: Path) -> None:
    output = tmp_path / "findings.csv"
    with pytest.raises(CommandError, match="has not been published"):
        call_command(
            "export",
            "findings",
            "--round",
            answered_round.code,
            "--format",
            "sdmx-csv",
            "-o",
            output,
        )
    assert not output.exists()


def test_unknown_format_names_the_sdmx_ones(answered_round: Any) -> None:
    with pytest.raises(CommandError, match="sdmx-csv"):
        call_command("export", "findings", "--round", answered_round.code, "--format", "sdmx")
