"""The registered exports through the API: the registry, files with their media types and
names, and what each caller may export (the public: the latest publication's findings only;
answers only within the caller's own scope)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from mnr.exporters.base import exporters
from mnr.surveys.actions import AnswerInput, reopen, save_answers, set_round_status
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    return error


def _rows(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content[:300]
    rows: list[dict[str, Any]] = json.loads(response.content)
    return rows


def _total(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return next(r for r in rows if r["question"] == "C11.status" and r["breakdown"] == "total")


def test_the_registry_lists_every_exporter_with_its_formats(api: Any) -> None:
    response = api.get("/exports")
    assert response.status_code == 200
    assert response.json()["next_cursor"] is None
    listed = {row["id"]: row for row in response.json()["items"]}
    assert set(listed) == set(exporters()) >= {"answers", "findings", "dataset", "xlsform"}
    for exporter_id, exporter in exporters().items():
        assert listed[exporter_id]["formats"] == list(exporter.formats)
        assert listed[exporter_id]["label"] == exporter.label
        assert listed[exporter_id]["jurisdiction_level"] == exporter.jurisdiction_level
    first = api.get("/exports?limit=1").json()
    assert len(first["items"]) == 1 and first["next_cursor"] is not None


def test_the_public_findings_export_reads_the_publication(
    api: Any, published_review_round: Any
) -> None:
    round_ = published_review_round
    set_round_status(round_, Round.Status.OPEN, source="test")
    submission = Submission.objects.get(round=round_, jurisdiction__code="SE")
    reopen(submission, "correction", source="test")
    save_answers(submission, {"C11.status": AnswerInput(value="yes")}, source="test")

    path = f"/rounds/{round_.code}/exports/findings?format=json"
    public = _rows(api.get(path))
    # Three participants: the public total is withheld, whatever the live round says now.
    assert _total(public)["suppressed"] is True and _total(public)["yes"] is None
    live = _total(_rows(api.get(path, as_="analyst")))
    assert live["suppressed"] is False and live["yes"] == 2


def test_an_export_is_a_download_with_its_media_type_and_name(
    api: Any, published_review_round: Any
) -> None:
    round_ = published_review_round
    response = api.get(f"/rounds/{round_.code}/exports/findings?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{round_.code}-findings.csv"'
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert header[:4] == ["question", "question_label", "breakdown", "group"]

    workbook = api.get(f"/rounds/{round_.code}/exports/findings?format=xlsx", as_="analyst")
    assert workbook.status_code == 200
    assert "no-store" in workbook["Cache-Control"]
    sheets = load_workbook(io.BytesIO(workbook.content), read_only=True).sheetnames
    assert sheets[0] == "total" and sheets[-1] == "notes"


def test_answers_are_not_exported_to_the_public(api: Any, published_review_round: Any) -> None:
    response = api.get(f"/rounds/{published_review_round.code}/exports/answers?format=json")
    assert response.status_code == 401
    assert _error(response)["code"] == "authentication_required"
    dataset = api.get(f"/rounds/{published_review_round.code}/exports/dataset?format=csv")
    assert dataset.status_code == 401


@pytest.mark.parametrize(
    ("persona", "jurisdictions"),
    [
        ("analyst", {"KE", "SE", "GB-EAW"}),
        ("focal_point", {"KE"}),
        ("other_focal_point", {"SE"}),
    ],
)
def test_answers_export_holds_the_callers_own_scope(
    api: Any, published_review_round: Any, persona: str, jurisdictions: set[str]
) -> None:
    path = f"/rounds/{published_review_round.code}/exports/answers?format=json"
    rows = _rows(api.get(path, as_=persona))
    assert {row["jurisdiction"] for row in rows} == jurisdictions


def test_an_unknown_exporter_is_not_found_with_the_valid_ones(
    api: Any, published_review_round: Any
) -> None:
    response = api.get(f"/rounds/{published_review_round.code}/exports/everything")
    assert response.status_code == 404
    message = _error(response)["message"]
    assert all(exporter_id in message for exporter_id in exporters())


@pytest.mark.parametrize("query", ["?format=pdf", ""])
def test_a_format_the_exporter_lacks_names_the_valid_ones(
    api: Any, published_review_round: Any, query: str
) -> None:
    response = api.get(f"/rounds/{published_review_round.code}/exports/findings{query}")
    assert response.status_code == 400
    error = _error(response)
    assert error["details"][0]["field"] == "query.format"
    assert "csv, xlsx, json" in error["message"]


def test_an_exporters_refusal_is_a_clear_error(api: Any, published_review_round: Any) -> None:
    response = api.get(f"/rounds/{published_review_round.code}/exports/xlsform", as_="analyst")
    assert response.status_code == 400
    assert "channel" in _error(response)["message"]
    form = api.get(
        f"/rounds/{published_review_round.code}/exports/xlsform?channel=government&lang=en,fr",
        as_="analyst",
    )
    assert form.status_code == 200
    assert form["Content-Disposition"].endswith('-xlsform-government.xlsx"')


def test_an_unknown_language_names_the_field(api: Any, published_review_round: Any) -> None:
    response = api.get(
        f"/rounds/{published_review_round.code}/exports/findings?format=json&lang=en,xx"
    )
    assert response.status_code == 422
    assert _error(response)["details"][0]["field"] == "query.lang"


def test_openapi_documents_exports_as_binary_files_of_their_media_types(api: Any) -> None:
    schema = api.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/rounds/{code}/exports/{exporter}"]["get"]
    content = operation["responses"]["200"]["content"]
    for media_type in (
        "text/csv; charset=utf-8",
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/x-spss-sav",
        "application/x-stata-dta",
    ):
        assert content[media_type]["schema"] == {"type": "string", "format": "binary"}
