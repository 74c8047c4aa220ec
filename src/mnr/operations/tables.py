"""The database as tables of rows, whatever its vendor: listing, reading, checksums, emptiness.

Everything here is generic over ``connection.introspection.table_names()``: a table that a
new app adds (sign-in attempts, two-factor devices, the task queue) is backed up, restored and
checked like every other without a line changing here.

A table's checksum is the SHA-256 of its rows in primary-key order (all columns when there is
no single primary key), each row's values canonicalised first, so that the same data gives the
same checksum on SQLite and PostgreSQL: datetimes as UTC ISO 8601, decimals normalised, JSON
re-dumped with sorted keys, bytes as hex, booleans as booleans."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Field
from django.utils.dateparse import parse_date, parse_datetime, parse_time

# Rows `mnr migrate` itself writes: the migration record, content types and permissions, the
# shipped framework and reference data (these apps load them after migrating), and the audit
# events of those loads (source "migrate"). A database holding nothing else is empty.
MIGRATE_FILLED_TABLES = ("django_migrations", "django_content_type", "auth_permission")
MIGRATE_FILLED_APPS = ("frameworks", "jurisdictions")
MIGRATE_SOURCE = "migrate"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    # Indexes into ``columns`` of the primary key; empty when there is no single primary key.
    key: tuple[int, ...]
    fields: tuple[Field[Any, Any] | None, ...]


def quote(connection: BaseDatabaseWrapper, name: str) -> str:
    return connection.ops.quote_name(name)


def model_fields() -> dict[str, dict[str, Field[Any, Any]]]:
    """Each model table's columns and their fields (which say what a stored value means)."""
    models: list[Any] = [*apps.get_models(include_auto_created=True), MigrationRecorder.Migration]
    return {
        model._meta.db_table: {
            field.column: field for field in model._meta.concrete_fields if field.column
        }
        for model in models
    }


def table_names(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def describe(connection: BaseDatabaseWrapper, names: Sequence[str] | None = None) -> list[Table]:
    fields = model_fields()
    tables = []
    with connection.cursor() as cursor:
        for name in table_names(connection) if names is None else names:
            columns = tuple(
                column.name
                for column in connection.introspection.get_table_description(cursor, name)
            )
            key_columns = connection.introspection.get_primary_key_columns(cursor, name) or []
            key = tuple(columns.index(column) for column in key_columns)
            known = fields.get(name, {})
            tables.append(Table(name, columns, key, tuple(known.get(c) for c in columns)))
    return tables


def rows(connection: BaseDatabaseWrapper, table: Table) -> Iterator[tuple[Any, ...]]:
    """The table's rows as the database returns them (in no particular order)."""
    listed = ", ".join(quote(connection, column) for column in table.columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {listed} FROM {quote(connection, table.name)}")
        while batch := cursor.fetchmany(2000):
            yield from batch


# --- canonical values ---------------------------------------------------------------------------


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        # Django stores datetimes in UTC; SQLite keeps them without an offset.
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _decimal(value: Any) -> str:
    number = decimal.Decimal(str(value))
    return format(number.normalize(), "f") if number else "0"


def _by_python_type(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return _utc(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value // dt.timedelta(microseconds=1)
    if isinstance(value, decimal.Decimal):
        return _decimal(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, dict | list):
        return _json(value)
    return str(value)


def _canonical_datetime(value: Any) -> Any:
    if isinstance(value, str):
        value = parse_datetime(value) or value
    return _by_python_type(value)


def _canonical_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return _json(json.loads(value))
        except ValueError:
            return value
    return _by_python_type(value)


def _canonical_uuid(value: Any) -> Any:
    return uuid.UUID(str(value)).hex if isinstance(value, str) else _by_python_type(value)


CANONICAL: dict[str, Callable[[Any], Any]] = {
    "BooleanField": lambda value: bool(value),
    "NullBooleanField": lambda value: bool(value),
    "DateTimeField": _canonical_datetime,
    "DateField": lambda value: _by_python_type(
        (parse_date(value) or value) if isinstance(value, str) else value
    ),
    "TimeField": lambda value: _by_python_type(
        (parse_time(value) or value) if isinstance(value, str) else value
    ),
    "DecimalField": _decimal,
    "FloatField": lambda value: repr(float(value)),
    "JSONField": _canonical_json,
    "UUIDField": _canonical_uuid,
    "DurationField": lambda value: int(value) if isinstance(value, int) else _by_python_type(value),
}


def stored_field(field: Field[Any, Any]) -> Field[Any, Any]:
    """The field whose values a column holds (a foreign key holds its target's)."""
    target: Field[Any, Any] | None = getattr(field, "target_field", None)
    return target if field.is_relation and target is not None else field


def canonical(value: Any, field: Field[Any, Any] | None) -> Any:
    if value is None:
        return None
    if field is not None:
        field = stored_field(field)
        convert = CANONICAL.get(field.get_internal_type())
        if convert is not None:
            return convert(value)
    return _by_python_type(value)


def canonical_row(table: Table, row: Sequence[Any]) -> list[Any]:
    return [canonical(value, field) for value, field in zip(row, table.fields, strict=True)]


@dataclass(frozen=True)
class TableSum:
    rows: int
    sha256: str


def checksum(table: Table, table_rows: Iterator[Sequence[Any]]) -> TableSum:
    """The table's checksum: its canonical rows sorted by primary key (all columns without
    one), each a JSON line of its values in the order of the columns' names."""
    lines = []
    # Columns by name: a table altered by migrations keeps its columns in another order on
    # SQLite (rebuilt) than on PostgreSQL (appended).
    by_name = sorted(range(len(table.columns)), key=lambda index: table.columns[index])
    for row in table_rows:
        values = canonical_row(table, row)
        line = _json([values[index] for index in by_name])
        order = tuple(values[index] for index in table.key) if table.key else (line,)
        lines.append((order, line))
    lines.sort(key=lambda entry: entry[0])
    digest = hashlib.sha256()
    for _order, line in lines:
        digest.update(line.encode())
        digest.update(b"\n")
    return TableSum(len(lines), digest.hexdigest())


def checksums(connection: BaseDatabaseWrapper) -> dict[str, TableSum]:
    """Every table's row count and checksum, as one consistent read when the caller holds a
    transaction open."""
    return {table.name: checksum(table, rows(connection, table)) for table in describe(connection)}


# --- emptiness ----------------------------------------------------------------------------------


def migrate_filled(connection: BaseDatabaseWrapper) -> set[str]:
    tables = set(MIGRATE_FILLED_TABLES)
    for label in MIGRATE_FILLED_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.add(model._meta.db_table)
    return tables


def tables_holding_data(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """Tables holding rows that ``mnr migrate`` did not write, with their row counts: empty for
    a database with no tables and for a freshly migrated one."""
    from mnr.audit.models import AuditEvent

    audit = AuditEvent._meta.db_table
    skipped = migrate_filled(connection)
    holding = {}
    with connection.cursor() as cursor:
        for name in table_names(connection):
            if name in skipped:
                continue
            sql = f"SELECT COUNT(*) FROM {quote(connection, name)}"
            params: list[str] = []
            if name == audit:
                sql += f" WHERE {quote(connection, 'source')} <> %s"
                params.append(MIGRATE_SOURCE)
            cursor.execute(sql, params)
            (count,) = cursor.fetchone()
            if count:
                holding[name] = count
    return holding
