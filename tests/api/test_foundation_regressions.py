"""Regressions the schema fuzz test (test_schema_fuzz.py) found in what all routers share."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ninja import Schema

from mnr.api.main import api


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_no_two_schemas_of_the_api_share_a_component_name() -> None:
    # ninja names a schema's OpenAPI component after its class: two routers' ProgressOut (or
    # ChangeOut) become one component, and one endpoint's responses are then described by the
    # other's schema (the fuzz test found GET /submissions/{id} answering unlike its schema).
    api.get_openapi_schema(path_prefix="/api/v1/")  # every router imported and its models built
    owners: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("mnr.api.") and not cls.__name__.startswith("_"):
            owners[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    clashes = {name: sorted(where) for name, where in owners.items() if len(where) > 1}
    assert owners
    assert not clashes, f"schema classes sharing one OpenAPI component name: {clashes}"


def test_a_nul_character_in_the_input_is_refused_not_a_server_error(api: Any) -> None:
    # PostgreSQL cannot store NUL; the fuzz test's POST /rounds with one got a 500.
    response = api.post(
        "/rounds",
        as_="analyst",
        body={"code": "nul-test", "instrument": ".\u0000", "title": "Synthetic \u0000 title"},
    )
    assert response.status_code in (400, 422), response.content
    assert response.json()["error"]["code"] in ("invalid", "rejected")
