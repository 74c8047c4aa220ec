"""A publication's findings as SDMX (``mnr.exporters.sdmx``): the data and its structure.

The publication is read through ``mnr.publications.access``: anonymous callers get the latest
publication of a round only, earlier ones are for those who see the round's
jurisdiction-level data. What is served is the publication's stored, disclosure-controlled
findings, withheld cells marked confidential (OBS_STATUS C) with no number."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Field, Query, Router, Schema

from mnr.api.errors import COMMON_ERRORS, ApiError, ErrorDetail
from mnr.audit.record import record_download
from mnr.exporters import sdmx
from mnr.publications.access import get_publication_for_user

router = Router(tags=["sdmx"])

QUERY_FORMATS = {"csv": "sdmx-csv", "ml": "sdmx-ml"}


class SdmxQuery(Schema):
    format: str | None = Field(
        None,
        description=(
            f"csv: SDMX-CSV 2.0.0 ({sdmx.CSV_MEDIA_TYPE}); ml: SDMX-ML 2.1 structure-specific "
            f"data ({sdmx.ML_MEDIA_TYPE})"
        ),
        json_schema_extra={"enum": list(QUERY_FORMATS)},
    )
    structure: bool = Field(
        False,
        description=f"true: the data structure definition instead ({sdmx.STRUCTURE_MEDIA_TYPE})",
    )


def _responses() -> dict[int, Any]:
    media = (sdmx.CSV_MEDIA_TYPE, sdmx.ML_MEDIA_TYPE, sdmx.STRUCTURE_MEDIA_TYPE)
    return {
        200: {
            "description": "the SDMX file (Content-Disposition: attachment, with its file name)",
            "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in media},
        }
    }


@router.get(
    "/publications/{publication_id}/sdmx",
    response=COMMON_ERRORS,
    openapi_extra={"responses": _responses()},
)
def get_publication_sdmx(
    request: HttpRequest, publication_id: int, query: Query[SdmxQuery]
) -> HttpResponse:
    """The publication's findings as SDMX data (``?format=csv|ml``) or, with ``?structure=1``,
    the DSD MNR_FINDINGS they follow as an SDMX-ML structure message."""
    publication = get_publication_for_user(request.user, publication_id)
    if query.structure:
        filename, mimetype, content = sdmx.render_structure(publication.round)
    else:
        if query.format not in QUERY_FORMATS:
            given = f"{query.format!r} is not an SDMX format" if query.format else "no format"
            message = (
                f"{given}: choose ?format=csv (SDMX-CSV 2.0.0) or ?format=ml (SDMX-ML 2.1 "
                "structure-specific data), or ?structure=1 for the data structure definition"
            )
            raise ApiError(
                400, "rejected", message, [ErrorDetail(field="query.format", message=message)]
            )
        filename, mimetype, content = sdmx.render(publication, QUERY_FORMATS[query.format])
    record_download(
        request,
        publication,
        what="sdmx structure" if query.structure else "sdmx",
        filename=filename,
    )
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, private=True, no_store=request.user.is_authenticated)
    return response
