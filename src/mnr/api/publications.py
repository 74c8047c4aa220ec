"""Publications, their findings, publishing, and the registered exports.

What a caller may read is decided where the web app decides it: publications through
``mnr.publications.access`` (anonymous callers: the latest publication of each published round
only), findings through ``mnr.findings.service.round_findings`` (a publication's stored,
disclosure-controlled findings; the live round for those who see its jurisdiction-level data),
exports through the exporters themselves (``user=`` the caller, as ``docs/exports.md`` says).
This module only turns them into JSON and files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Field, Query, Router, Schema, Status

from mnr.api.auth import signed_in
from mnr.api.errors import COMMON_ERRORS, ApiError, ErrorDetail
from mnr.api.pagination import Page, Paging, paginate
from mnr.audit.record import record_export
from mnr.core.findings import BREAKDOWNS, COUNT_KEYS, Finding
from mnr.core.tables import XLSX_MIMETYPE
from mnr.errors import MnrError
from mnr.exporters.base import Exporter, exporters, get_exporter
from mnr.exporters.dataset import MIMETYPES as DATASET_MIMETYPES
from mnr.exporters.sdmx import MEDIA_TYPES as SDMX_MEDIA_TYPES
from mnr.findings.data import RoundQuestions, round_questions
from mnr.findings.service import check_breakdown, finding_label, reads_live, round_findings
from mnr.publications.access import (
    get_publication_for_user,
    latest_publications,
    visible_publications,
)
from mnr.publications.actions import publish
from mnr.publications.models import Publication, PublicationRobustness
from mnr.publications.reading import latest_publication_identity
from mnr.publications.robustness import stored_robustness
from mnr.surveys.access import can_see_jurisdiction_data, get_round_for_user
from mnr.surveys.models import Round, Submission

router = Router(tags=["publications"])

LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)
# The media type of each export format, for the OpenAPI description (a file is served with the
# type its exporter gives it); a format not listed here is described as plain bytes.
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": XLSX_MIMETYPE,
    **DATASET_MIMETYPES,
    **SDMX_MEDIA_TYPES,
}
BYTES = "application/octet-stream"
# A publication's large frozen content, which a list of publications does not show.
FROZEN_CONTENT = ("answers", "protection", "report", "quotes")


class ChangeOut(Schema):
    """A figure that moved since the previous publication: a breakdown cell (``question``,
    ``by``, ``group``) or a headline ``figure``; ``before``/``after`` its shown numbers,
    ``"withheld"``, or null where it was absent."""

    question: str | None = None
    by: str | None = None
    group: str | None = None
    figure: str | None = None
    before: dict[str, Any] | str | None
    after: dict[str, Any] | str | None


class LeftOutOut(Schema):
    jurisdiction: str
    channel: str
    respondent: str = ""
    status: str


class PublicationOut(Schema):
    """A publication as the caller may see it. ``submissions``, ``left_out`` and ``changes``
    are for those who see the round's jurisdiction-level data (and every publication of it):
    null for everyone else, as on the round's public page."""

    id: int
    number: int
    round: str
    created_at: datetime
    note: str
    participants: int = Field(description="jurisdictions taking part, as the report counts them")
    submissions: int | None = Field(None, description="validated submissions that went in")
    left_out: list[LeftOutOut] | None = Field(
        None, description="submissions left out, not validated"
    )
    changes: list[ChangeOut] | None = Field(
        None, description="figures that moved against the previous publication"
    )


class PublishIn(Schema):
    note: str = Field("", max_length=5000, description="what changed, for the readers")


class FindingOut(Schema):
    """One count as ``mnr findings --format json`` prints it, with its question's text. A
    withheld cell (``suppressed``) has no numbers; ``suppression_reason`` says why."""

    question: str
    question_label: str
    by: str | None
    group: str | None
    population: str
    counts: dict[str, int | None] = Field(description="per answer code: " + ", ".join(COUNT_KEYS))
    counts_as: list[str]
    numerator: int | None
    denominator: int | None
    percent: int | None
    sentence: str | None
    suppressed: bool
    suppression_reason: str | None


class FindingsPage(Page[FindingOut]):
    round: str
    live: bool = Field(description="true: the live round, every cell; false: a publication")
    publication: int | None = Field(description="the number of the publication read, if any")


class FindingsQuery(Schema):
    by: str | None = Field(
        None,
        description="the breakdown; none for the whole-round totals",
        json_schema_extra={"enum": list(BREAKDOWNS)},
    )
    lang: str = Field(
        "en", description="language of the sentences", json_schema_extra={"enum": list(LANGUAGES)}
    )


class RoundFindingsQuery(FindingsQuery):
    status: str | None = Field(
        None,
        description="live round only: count only submissions in this status",
        json_schema_extra={"enum": list(Submission.Status.values)},
    )


class ExportQuery(Schema):
    format: str | None = Field(
        None, description="the file's format, one of the exporter's (GET /exports)"
    )
    channel: str | None = Field(None, description="the channel, for a questionnaire export")
    lang: str = Field(
        "", description="languages, the first the default, comma-separated (e.g. en,fr)"
    )


class ExporterOut(Schema):
    id: str
    label: str
    formats: list[str]
    jurisdiction_level: bool = Field(
        description="holds jurisdiction-level answers: only a signed-in caller's own scope"
    )


def _publication(user: Any, publication: Publication) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": publication.pk,
        "number": publication.number,
        "round": publication.round.code,
        "created_at": publication.created_at,
        "note": publication.note,
        "participants": len(publication.round_settings["participants"]),
    }
    # Who may read every publication of the round may read what tells them apart.
    if can_see_jurisdiction_data(user, publication.round):
        out["submissions"] = len(publication.submissions)
        out["left_out"] = publication.left_out
        out["changes"] = publication.changes
    return out


def _exporter(exporter: type[Exporter]) -> dict[str, Any]:
    return {
        "id": exporter.id,
        "label": exporter.label,
        "formats": list(exporter.formats),
        "jurisdiction_level": exporter.jurisdiction_level,
    }


def _breakdown(by: str | None) -> str | None:
    try:
        check_breakdown(by or None)
    except MnrError as error:
        raise ApiError(
            422, "invalid", str(error), [ErrorDetail(field="query.by", message=str(error))]
        ) from error
    return by or None


def _language(lang: str, field: str = "query.lang") -> str:
    if lang not in LANGUAGES:
        message = f"unknown language {lang!r}; valid values: {', '.join(LANGUAGES)}"
        raise ApiError(422, "invalid", message, [ErrorDetail(field=field, message=message)])
    return lang


def _finding(questions: RoundQuestions, lang: str) -> Any:
    def serialize(finding: Finding) -> dict[str, Any]:
        return {**finding.to_json(), "question_label": finding_label(finding, questions, lang)}

    return serialize


def _findings_page(
    round_: Round,
    findings: list[Finding],
    paging: Paging,
    *,
    questions: RoundQuestions,
    lang: str,
    live: bool,
    publication: int | None,
) -> dict[str, Any]:
    page = paginate(findings, paging, _finding(questions, lang))
    return {**page, "round": round_.code, "live": live, "publication": publication}


@router.get("/publications", response={200: Page[PublicationOut], **COMMON_ERRORS})
def list_publications(request: HttpRequest, paging: Query[Paging]) -> Any:
    """The latest publication of every round the caller may see (all the public sees)."""
    user = request.user
    rows = latest_publications(user).select_related("round").defer(*FROZEN_CONTENT)
    return paginate(rows, paging, lambda row: _publication(user, row))


@router.get("/rounds/{code}/publications", response={200: Page[PublicationOut], **COMMON_ERRORS})
def list_round_publications(request: HttpRequest, code: str, paging: Query[Paging]) -> Any:
    """The round's publications the caller may read: every one for those who see its
    jurisdiction-level data, the latest for everyone else."""
    user = request.user
    round_ = get_round_for_user(user, code)
    rows = visible_publications(user, round_).select_related("round").defer(*FROZEN_CONTENT)
    return paginate(rows, paging, lambda row: _publication(user, row))


@router.post("/rounds/{code}/publications", response={201: PublicationOut, **COMMON_ERRORS})
def publish_round(request: HttpRequest, code: str, payload: PublishIn) -> Any:
    """Publish the round: freeze its validated submissions' findings as its next publication
    (analysts of the round)."""
    user = signed_in(request)
    round_ = get_round_for_user(user, code)
    publication = publish(round_, note=payload.note, acting_user=user, source="api")
    return Status(201, _publication(user, publication))


@router.get("/publications/{publication_id}", response={200: PublicationOut, **COMMON_ERRORS})
def get_publication(request: HttpRequest, publication_id: int) -> Any:
    """One publication; an earlier, replaced one only for those who see the round's
    jurisdiction-level data (not found for everyone else)."""
    return _publication(request.user, get_publication_for_user(request.user, publication_id))


@router.get(
    "/publications/{publication_id}/findings",
    response={200: FindingsPage, **COMMON_ERRORS},
)
def list_publication_findings(
    request: HttpRequest, publication_id: int, paging: Query[Paging], query: Query[FindingsQuery]
) -> Any:
    """The publication's stored findings, disclosure-controlled, exactly as the public
    findings page and ``mnr findings --public`` show them (withheld cells withheld)."""
    publication = get_publication_for_user(request.user, publication_id)
    by, lang = _breakdown(query.by), _language(query.lang)
    round_ = publication.round
    questions = round_questions(round_)
    findings = round_findings(
        round_, by=by, public=True, lang=lang, questions=questions, publication=publication
    )
    return _findings_page(
        round_,
        findings,
        paging,
        questions=questions,
        lang=lang,
        live=False,
        publication=publication.number,
    )


class SensitivityIndexOut(Schema):
    assumption: str
    first: float = Field(description="first-order Sobol' index")
    total: float = Field(description="total-order Sobol' index")


class RobustFigureOut(Schema):
    id: str
    question: str
    population: str
    counts_as: list[str]
    numerator: int
    denominator: int
    percent: int | None
    low: float = Field(description="5th percentile of the share over the replications, per cent")
    high: float = Field(description="95th percentile of the share over the replications, per cent")
    phrase: str = Field(description="the phrase the report prints (a key of the phrase table)")
    phrase_stable: float = Field(description="share of replications the phrase still fits")
    sensitivity: list[SensitivityIndexOut]


class RobustnessOut(Schema):
    publication: int
    round: str
    status: str = Field(description="ready, pending (being computed) or failed")
    replications: int | None
    seed: int | None
    factors: list[str] = Field(description="the assumptions varied")
    figures: list[RobustFigureOut]


@router.get(
    "/publications/{publication_id}/robustness",
    response={200: RobustnessOut, **COMMON_ERRORS},
)
def get_publication_robustness(request: HttpRequest, publication_id: int) -> Any:
    """How robust the publication's public figures are, as stored with it: the same public
    run the report's annex and the findings explorer show (docs/robustness.md)."""
    publication = get_publication_for_user(request.user, publication_id)
    row = stored_robustness(publication)
    row.refresh_from_db()
    result = row.result if row.status == PublicationRobustness.Status.READY else None
    return {
        "publication": publication.pk,
        "round": publication.round.code,
        "status": row.status,
        "replications": result["replications"] if result else None,
        "seed": result["seed"] if result else None,
        "factors": result["factors"] if result else [],
        "figures": result["figures"] if result else [],
    }


@router.get("/rounds/{code}/findings", response={200: FindingsPage, **COMMON_ERRORS})
def list_round_findings(
    request: HttpRequest, code: str, paging: Query[Paging], query: Query[RoundFindingsQuery]
) -> Any:
    """What the caller sees of the round's findings now, as on its findings page: the live
    round for those who see its jurisdiction-level data (``status`` limits it to submissions
    in that status), the latest publication for everyone else (``status`` does not apply)."""
    user = request.user
    round_ = get_round_for_user(user, code)
    by, lang = _breakdown(query.by), _language(query.lang)
    if query.status and query.status not in Submission.Status.values:
        message = f"unknown status {query.status!r}; valid values: " + ", ".join(
            Submission.Status.values
        )
        raise ApiError(
            422, "invalid", message, [ErrorDetail(field="query.status", message=message)]
        )
    live = reads_live(user, round_, public=False)
    # Looked up once: the findings served are those of the publication the answer names.
    publication = None if live else latest_publication_identity(round_)
    questions = round_questions(round_)
    try:
        findings = round_findings(
            round_,
            by=by,
            user=user,
            lang=lang,
            questions=questions,
            statuses=[query.status] if live and query.status else None,
            publication=publication,
        )
    except MnrError as error:  # nothing of the round is public yet
        raise Http404(str(error)) from error
    return _findings_page(
        round_,
        findings,
        paging,
        questions=questions,
        lang=lang,
        live=live,
        publication=publication.number if publication else None,
    )


@router.get("/exports", response={200: Page[ExporterOut], **COMMON_ERRORS})
def list_exporters(request: HttpRequest, paging: Query[Paging]) -> Any:
    """The registered exports, each with its formats (``GET /rounds/{code}/exports/{exporter}``)."""
    return paginate(list(exporters().values()), paging, _exporter)


def _export_responses() -> dict[int, Any]:
    formats = dict.fromkeys(f for e in exporters().values() for f in e.formats)
    content = {
        MEDIA_TYPES.get(f, BYTES): {"schema": {"type": "string", "format": "binary"}}
        for f in formats
    }
    return {
        200: {
            "description": "the file (Content-Disposition: attachment, with its file name)",
            "content": content,
        }
    }


@router.get(
    "/rounds/{code}/exports/{exporter}",
    response=COMMON_ERRORS,
    openapi_extra={"responses": _export_responses()},
)
def export_round(
    request: HttpRequest, code: str, exporter: str, query: Query[ExportQuery]
) -> HttpResponse:
    """The round as one file of a registered export, holding what the caller may see: the
    findings of the latest publication for the public, the live round's for those who see
    its jurisdiction-level data; answers only in the signed-in caller's own scope."""
    user = request.user
    round_ = get_round_for_user(user, code)
    try:
        exporter_class = get_exporter(exporter)
    except MnrError as error:
        raise Http404(str(error)) from error
    if exporter_class.jurisdiction_level:
        signed_in(request)
    file_format = query.format or (
        exporter_class.formats[0] if len(exporter_class.formats) == 1 else None
    )
    if file_format not in exporter_class.formats:
        message = (
            f"choose the format of the {exporter_class.id} export with ?format=: one of "
            + ", ".join(exporter_class.formats)
        )
        raise ApiError(
            400, "rejected", message, [ErrorDetail(field="query.format", message=message)]
        )
    languages = [_language(part.strip()) for part in query.lang.split(",") if part.strip()]
    export: Exporter = exporter_class(
        round_,
        format=file_format,
        channel=query.channel or None,
        languages=languages or None,
        user=user,
    )
    filename, mimetype, content = export.render()
    record_export(
        request,
        round_,
        exporter=exporter_class.id,
        format=file_format,
        filename=filename,
        channel=query.channel,
    )
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # What a signed-in caller exports is theirs: never kept by a shared cache.
    patch_cache_control(response, private=True, no_store=user.is_authenticated)
    return response
