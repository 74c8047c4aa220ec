"""Schemathesis against the API's own OpenAPI schema, in process (issue #12, point 5).

Every operation of /api/v1/openapi.json gets a bounded number of generated requests
(``MAX_EXAMPLES``), each sent twice, with an analyst's write-scope token and anonymously,
against a database with real data (tests/api/fuzz_world.py). Path parameters are often swapped
for codes and ids of real objects so that the calls reach past the 404. Each response must be
no 5xx, have a status the operation documents, a content type it documents and a body that
matches the documented schema. Writes happen inside the test's transaction and are rolled back
with it. Hypothesis runs derandomized and without its example database: CI is reproducible."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.api.fuzz_world import World, build_world

# Generated requests per operation (each sent as analyst and as anonymous): enough to find the
# 5xx of odd input, few enough for the 2-core CI machine, on SQLite and on PostgreSQL.
MAX_EXAMPLES = 20

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def _django_in_process() -> Iterator[None]:
    # Django closes the database connection when a request ends; the test client stops that
    # (it would end the test's transaction), and so must calls straight into the WSGI app.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(
    review_round: Any, personas: dict[str, Any], settings: Any, _django_in_process: None
) -> World:
    # The fuzzer calls far more often than anyone may per minute: no 429 in this test.
    settings.MNR_API_RATE_ANONYMOUS = 10**9
    settings.MNR_API_RATE_SIGNED_IN = 10**9
    return build_world(review_round, personas)


@pytest.fixture
def api_schema(fuzz_world: World) -> Any:
    from mnr.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def _fuzz(operation: Any, world: World, statuses: set[int]) -> None:
    """MAX_EXAMPLES requests for ``operation``, each sent as the analyst and as anonymous;
    raises the first failed check (schemathesis' message names the request and the reason)."""
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        # Shrinking would repeat the calls many times over; the failing request is reported.
        phases=[Phase.explicit, Phase.generate],
        report_multiple_bugs=False,
    )
    @given(case=cases, data=st.data())
    def run(case: Any, data: Any) -> None:
        for name in list(case.path_parameters or {}):
            real = world.values_for(case.path, name)
            if real and data.draw(st.booleans(), label=f"real {name}"):
                case.path_parameters[name] = data.draw(st.sampled_from(real), label=name)
        for headers in ({"Authorization": f"Bearer {world.analyst_token}"}, {}):
            statuses.add(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    run()


def test_every_operation_answers_as_its_schema_says(api_schema: Any, fuzz_world: World) -> None:
    # One test over all operations, on one database built once (schemathesis' own pytest
    # parametrization fails under pytest 9: it sets Function._nodeid, which pytest 9 dropped).
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 10
    reached: dict[str, set[int]] = {}
    for operation in operations:
        statuses = reached.setdefault(f"{operation.method.upper()} {operation.path}", set())
        try:
            _fuzz(operation, fuzz_world, statuses)
        # Every operation is fuzzed and all failures reported (schemathesis raises groups).
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"== {operation.method.upper()} {operation.path}\n{str(error)[:3000]}")
    # The real objects of the world were reached: most reads answered 200 at least once.
    unreached = sorted(op for op, got in reached.items() if op.startswith("GET") and 200 not in got)
    print("GET operations never answering 200:", unreached)
    reads = [op for op in reached if op.startswith("GET")]
    assert len(unreached) <= len(reads) // 4, f"reads never answering 200: {unreached}"
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)


def test_schema_is_valid_openapi(client: Any, db: Any, _django_in_process: None) -> None:
    """The schema /api/docs shows is valid OpenAPI 3.1 (schemathesis refuses one that is not)."""
    from mnr.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert operations, "the schema has no operations"
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "/api/v1/openapi.json" in page.content.decode()
