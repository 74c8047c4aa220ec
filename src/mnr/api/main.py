"""The API object: /api/v1/, its authentication, rate limits, error format and routers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.operation import Operation

from mnr.api import (
    errors,
    maturity,
    publications,
    reference,
    reviews,
    rounds,
    sdmx,
    submissions,
    tokens_api,
)
from mnr.api.auth import SessionAuth, TokenAuth, anonymous
from mnr.api.throttling import CallerThrottle


class MnrApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # The function's name (list_rounds, update_answer): what generated clients call it.
        # tests/api/test_foundation.py checks that no two operations share one.
        return operation.view_func.__name__


api = MnrApi(
    title="mnr API",
    version="1",
    description=(
        "The JSON API of mnr: the same actions, permissions, history and disclosure control as "
        "the web app. Anonymous callers see what the public sees (the latest publication of "
        "each round); everything else needs a personal API token "
        "(`Authorization: Bearer mnr_…`) or a signed-in browser session. Guide: docs/api.md."
    ),
    urls_namespace="api-v1",
    docs_url=None,
    auth=[TokenAuth(), SessionAuth(), anonymous],
    throttle=[CallerThrottle()],
)
errors.install(api)
for module in (
    reference,
    rounds,
    submissions,
    reviews,
    publications,
    sdmx,
    maturity,
    tokens_api,
):
    api.add_router("/", module.router)

_docs = Swagger(settings={"persistAuthorization": True})


def unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    """An address under /api/v1/ that is no endpoint: 404 in the API's error format."""
    return errors.error_response(
        api,
        request,
        errors.ApiError(
            404, "not_found", f"No API endpoint {request.path}; the list is at /api/docs."
        ),
    )


def docs(request: HttpRequest) -> HttpResponse:
    """The interactive docs (Swagger UI), its scripts served by the app: they work offline."""
    return _docs.render_page(request, api)
