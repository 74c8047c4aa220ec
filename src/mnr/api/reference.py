"""Framework editions, instruments and jurisdictions: reference data, public and read-only.
Labels are served in every language they have (``{"en": …, "fr": …}``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from mnr.api.errors import COMMON_ERRORS
from mnr.api.pagination import Page, Paging, paginate
from mnr.frameworks.models import Edition, Instrument
from mnr.jurisdictions.models import Jurisdiction

router = Router(tags=["reference"])

Label = dict[str, str]


class EditionOut(Schema):
    code: str
    version: int
    title: Label
    provenance: dict[str, Any]
    checksum: str


class DomainOut(Schema):
    code: str
    name: Label
    capabilities: list[dict[str, Any]]


class EditionDetail(EditionOut):
    domains: list[DomainOut]


class InstrumentOut(Schema):
    code: str
    version: int
    edition: str
    edition_version: int
    title: Label
    channels: list[str]


class QuestionOut(Schema):
    code: str
    type: str
    label: Label
    domain: str
    capabilities: list[str]
    channels: list[str]
    required: bool
    relevant: dict[str, Any] | None
    choices: list[dict[str, Any]]


class InstrumentDetail(InstrumentOut):
    questions: list[QuestionOut]


class JurisdictionOut(Schema):
    code: str
    alpha3: str
    kind: str
    names: Label
    region: str
    subregion: str
    income_groups: dict[str, str]


def _edition(row: Edition) -> dict[str, Any]:
    return {
        "code": row.code,
        "version": row.version,
        "title": row.title,
        "provenance": row.provenance,
        "checksum": row.checksum,
    }


def _instrument(row: Instrument) -> dict[str, Any]:
    return {
        "code": row.code,
        "version": row.version,
        "edition": row.edition.code,
        "edition_version": row.edition.version,
        "title": row.title,
        "channels": row.channels,
    }


def _jurisdiction(row: Jurisdiction) -> dict[str, Any]:
    return {
        "code": row.code,
        "alpha3": row.alpha3,
        "kind": row.kind,
        "names": row.names,
        "region": row.region,
        "subregion": row.subregion,
        "income_groups": {
            f"FY{c.fiscal_year}": c.income_group for c in row.income_classifications.all()
        },
    }


@router.get("/frameworks", response={200: Page[EditionOut], **COMMON_ERRORS})
def list_frameworks(request: HttpRequest, paging: Query[Paging]) -> Any:
    """Loaded framework editions, newest version of each code first within its code."""
    return paginate(Edition.objects.all(), paging, _edition)


@router.get(
    "/frameworks/{code}/{version}", response={200: EditionDetail, **COMMON_ERRORS}
)
def get_framework(request: HttpRequest, code: str, version: int) -> Any:
    """One edition with its domains and capabilities, as loaded."""
    row = Edition.objects.filter(code=code, version=version).first()
    if row is None:
        raise Http404(f"No framework edition {code} version {version}")
    domains = [
        {
            "code": domain.code,
            "name": domain.name,
            "capabilities": [
                {"code": c.code, "name": c.name} for c in domain.capabilities.all()
            ],
        }
        for domain in row.domains.prefetch_related("capabilities")
    ]
    return {**_edition(row), "domains": domains}


@router.get("/instruments", response={200: Page[InstrumentOut], **COMMON_ERRORS})
def list_instruments(request: HttpRequest, paging: Query[Paging]) -> Any:
    return paginate(Instrument.objects.select_related("edition"), paging, _instrument)


@router.get(
    "/instruments/{code}/{version}", response={200: InstrumentDetail, **COMMON_ERRORS}
)
def get_instrument(request: HttpRequest, code: str, version: int) -> Any:
    """One instrument with its questions in order."""
    row = Instrument.objects.select_related("edition").filter(code=code, version=version).first()
    if row is None:
        raise Http404(f"No instrument {code} version {version}")
    questions = [
        {
            "code": q.code,
            "type": q.type,
            "label": q.label,
            "domain": q.domain,
            "capabilities": [c.code for c in q.capabilities.all()],
            "channels": q.channels,
            "required": q.required,
            "relevant": q.relevant,
            "choices": q.choices,
        }
        for q in row.questions.prefetch_related("capabilities").order_by("position")
    ]
    return {**_instrument(row), "questions": questions}


@router.get("/jurisdictions", response={200: Page[JurisdictionOut], **COMMON_ERRORS})
def list_jurisdictions(
    request: HttpRequest, paging: Query[Paging], region: str | None = None
) -> Any:
    """Reference jurisdictions with their region and World Bank income group per fiscal year."""
    rows = Jurisdiction.objects.prefetch_related("income_classifications")
    if region:
        rows = rows.filter(region=region)
    return paginate(rows, paging, _jurisdiction)


@router.get("/jurisdictions/{code}", response={200: JurisdictionOut, **COMMON_ERRORS})
def get_jurisdiction(request: HttpRequest, code: str) -> Any:
    row = Jurisdiction.objects.prefetch_related("income_classifications").filter(code=code).first()
    if row is None:
        raise Http404(f"No jurisdiction {code}")
    return _jurisdiction(row)
