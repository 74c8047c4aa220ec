"""Every operation of the API's OpenAPI schema has a row in a permission matrix.

Each area's ``test_<area>_matrix.py`` holds ``MATRIX``: (method, path template) → the status
each persona of ``PERSONAS`` gets, and the test that calls it. This test only checks that the
tables together answer for the whole schema, and answer once."""

from __future__ import annotations

import importlib
from pathlib import Path

from tests.url_matrix import PERSONAS

from mnr.api.main import api

METHODS = ("get", "post", "put", "patch", "delete")


def _tables() -> dict[str, dict[tuple[str, str], tuple[int, ...]]]:
    here = Path(__file__).parent
    return {
        path.stem: importlib.import_module(f"tests.api.{path.stem}").MATRIX
        for path in sorted(here.glob("test_*_matrix.py"))
    }


def _operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {
        (method.upper(), path)
        for path, item in schema["paths"].items()
        for method in METHODS
        if method in item
    }


def test_every_operation_has_a_row() -> None:
    covered = {key for table in _tables().values() for key in table}
    missing = sorted(_operations() - covered)
    assert not missing, f"operations without a permission-matrix row: {missing}"


def test_rows_name_real_operations_once_with_every_persona() -> None:
    operations = _operations()
    seen: dict[tuple[str, str], str] = {}
    for module, table in _tables().items():
        for key, statuses in table.items():
            assert key in operations, f"{module}: {key} is not an operation of the schema"
            assert key not in seen, f"{key} is in both {seen.get(key)} and {module}"
            seen[key] = module
            assert len(statuses) == len(PERSONAS), f"{module}: {key} needs {len(PERSONAS)}"
