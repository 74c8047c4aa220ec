"""A publication's findings as SDMX: GET /publications/{id}/sdmx, read back with sdmx1."""

from __future__ import annotations

import io
from typing import Any

import pytest
import sdmx
from tests.sdmx_reading import attribute, check_against, expected_cells, read_cells

from mnr.exporters import sdmx as mnr_sdmx
from mnr.publications.models import Publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_review_round(review_round: Any) -> Any:
    """The test round published with threshold 1: totals shown, the smallest groups withheld
    (a cell needs 2 answers besides a reader's own), so both kinds are in the file."""
    from tests.publishing import validate_and_publish

    from mnr.jurisdictions.models import Jurisdiction
    from mnr.surveys.actions import AnswerInput, open_submission, save_answers

    review_round.disclosure_threshold = 1
    review_round.save(update_fields=["disclosure_threshold"])
    for code, value in (("KE", "yes"), ("SE", "yes"), ("GB-EAW", "no")):
        place = Jurisdiction.objects.get(code=code)
        submission = open_submission(review_round, place, "government")
        save_answers(
            submission,
            {"C11.status": AnswerInput(value=value), "C01.status": AnswerInput(value="yes")},
            source="test",
        )
    validate_and_publish(review_round)
    review_round.refresh_from_db()
    return review_round


def _structure(api: Any, publication: Publication) -> Any:
    response = api.get(f"/publications/{publication.pk}/sdmx?structure=1")
    assert response.status_code == 200
    assert response["Content-Type"] == mnr_sdmx.STRUCTURE_MEDIA_TYPE
    return sdmx.read_sdmx(io.BytesIO(response.content), format="XML")


def test_sdmx_ml_reads_back_cell_for_cell(api: Any, published_review_round: Any) -> None:
    publication = Publication.objects.get(round=published_review_round)
    expected = expected_cells(publication)
    shown = [cell for cell in expected.values() if not cell["suppressed"] and cell["value"]]
    assert shown, "the fixture's publication shows counts"
    structure = _structure(api, publication)
    dsd = structure.structure["MNR_FINDINGS"]
    assert dsd.maintainer.id == "MNR"
    response = api.get(f"/publications/{publication.pk}/sdmx?format=ml")
    assert response.status_code == 200
    assert response["Content-Type"] == mnr_sdmx.ML_MEDIA_TYPE
    message = sdmx.read_sdmx(io.BytesIO(response.content), format="XML", structure=dsd)
    (dataset,) = message.data
    cells = read_cells(dataset)
    check_against(cells, expected_cells(publication), dsd)
    assert {attribute(obs, "PUBLICATION") for obs in cells.values()} == {"1"}


def test_sdmx_csv_reads_back_cell_for_cell(api: Any, published_review_round: Any) -> None:
    publication = Publication.objects.get(round=published_review_round)
    dsd = _structure(api, publication).structure["MNR_FINDINGS"]
    response = api.get(f"/publications/{publication.pk}/sdmx?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == mnr_sdmx.CSV_MEDIA_TYPE
    assert response.content.startswith(b"STRUCTURE,STRUCTURE_ID,ACTION,ROUND,QUESTION")
    message = sdmx.read_sdmx(io.BytesIO(response.content), format="CSV", structure=dsd)
    cells = {}
    for dataset in message.data:
        cells.update(read_cells(dataset))
    check_against(cells, expected_cells(publication), dsd)


def test_withheld_cells_are_confidential_with_no_number(
    api: Any, published_review_round: Any
) -> None:
    """Three participants, threshold above that: the publication withholds cells; the SDMX
    file marks exactly those C and carries none of their numbers."""
    publication = Publication.objects.get(round=published_review_round)
    expected = expected_cells(publication)
    withheld = {key for key, cell in expected.items() if cell["suppressed"]}
    assert withheld, "the fixture's publication withholds cells"
    dsd = _structure(api, publication).structure["MNR_FINDINGS"]
    response = api.get(f"/publications/{publication.pk}/sdmx?format=ml")
    message = sdmx.read_sdmx(io.BytesIO(response.content), format="XML", structure=dsd)
    cells = read_cells(message.data[0])
    confidential = {key for key, obs in cells.items() if attribute(obs, "OBS_STATUS") == "C"}
    assert confidential == withheld
    text = response.content.decode()
    for key in withheld:
        assert 'QUESTION="{}" BREAKDOWN="{}" GROUP="{}" RESPONSE="{}"'.format(*key[1:]) in text
    for line in text.splitlines():
        if 'OBS_STATUS="C"' in line:
            assert "OBS_VALUE" not in line and "DENOMINATOR" not in line
    csv_lines = api.get(f"/publications/{publication.pk}/sdmx?format=csv").content.decode()
    header = csv_lines.splitlines()[0].split(",")
    for line in csv_lines.splitlines()[1:]:
        row = dict(zip(header, line.split(","), strict=True))
        if row["OBS_STATUS"] == "C":
            assert row["OBS_VALUE"] == "" and row["DENOMINATOR"] == ""


def test_anonymous_gets_no_earlier_publication(api: Any, published_review_round: Any) -> None:
    from tests.publishing import validate_and_publish

    first = Publication.objects.get(round=published_review_round)
    validate_and_publish(published_review_round, note="again")
    second = Publication.objects.get(round=published_review_round, number=2)
    assert api.get(f"/publications/{first.pk}/sdmx?format=csv").status_code == 404
    assert api.get(f"/publications/{first.pk}/sdmx?structure=1").status_code == 404
    latest = api.get(f"/publications/{second.pk}/sdmx?format=csv")
    assert latest.status_code == 200
    assert b",2," in latest.content
    assert api.get(f"/publications/{first.pk}/sdmx?format=csv", as_="analyst").status_code == 200


def test_bad_format_is_a_clear_error(api: Any, published_review_round: Any) -> None:
    publication = Publication.objects.get(round=published_review_round)
    response = api.get(f"/publications/{publication.pk}/sdmx?format=json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "csv" in error["message"] and "ml" in error["message"]
    assert error["details"][0]["field"] == "query.format"
    missing = api.get(f"/publications/{publication.pk}/sdmx")
    assert missing.status_code == 400


def test_synthetic_round_is_flagged(api: Any, published_review_round: Any) -> None:
    published_review_round.synthetic = True
    published_review_round.save(update_fields=["synthetic"])
    publication = Publication.objects.get(round=published_review_round)
    response = api.get(f"/publications/{publication.pk}/sdmx?format=csv")
    header, *rows = response.content.decode().splitlines()
    column = header.split(",").index("SYNTHETIC")
    assert rows and all(row.split(",")[column] == "Y" for row in rows)
    assert "synthetic" in response["Content-Disposition"]


def test_control_characters_in_a_stored_title_do_not_break_the_structure(
    api: Any, published_review_round: Any
) -> None:
    # Found by the schema fuzz test: a title with an escape character, accepted by the round's
    # settings, made the SDMX-ML structure unwritable (500).
    # (No NUL: PostgreSQL stores none.)
    published_review_round.title = "Review\x1b round\x07 2021"
    published_review_round.save(update_fields=["title"])
    publication = Publication.objects.get(round=published_review_round)
    structure = _structure(api, publication)
    names = [str(code.name) for code in structure.codelist["CL_ROUND"]]
    assert names == ["Review round 2021"]
