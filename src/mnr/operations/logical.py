"""The logical dump: every table's rows as JSON lines, written by mnr itself and loaded with
plain INSERTs, so it needs no database tool and can move data between SQLite and PostgreSQL.

A table's file starts with a line naming its columns; each further line is one row, a JSON list
of values. Values JSON has no type for are tagged: ``{"$": "datetime", "v": "2026-…"}``."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field
from django.utils.dateparse import parse_datetime

from mnr.errors import MnrError
from mnr.operations import tables
from mnr.operations.tables import Table, TableSum

BATCH = 500


def encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime):
        return {"$": "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$": "date", "v": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$": "time", "v": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$": "duration", "v": value // dt.timedelta(microseconds=1)}
    if isinstance(value, decimal.Decimal):
        return {"$": "decimal", "v": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$": "bytes", "v": bytes(value).hex()}
    if isinstance(value, uuid.UUID):
        return {"$": "uuid", "v": str(value)}
    if isinstance(value, dict | list):
        return {"$": "json", "v": value}
    raise TypeError(f"cannot write a {type(value).__name__} value in a logical dump")


DECODERS = {
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
    "time": dt.time.fromisoformat,
    "duration": lambda v: dt.timedelta(microseconds=int(v)),
    "decimal": decimal.Decimal,
    "bytes": bytes.fromhex,
    "uuid": uuid.UUID,
    "json": json.dumps,
}


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        return DECODERS[value["$"]](value["v"])
    return value


def dump_table(connection: BaseDatabaseWrapper, table: Table, out: IO[bytes]) -> TableSum:
    """Write the table's rows to ``out`` and return their checksum (the same rows, read once)."""
    read: list[tuple[Any, ...]] = []
    out.write(json.dumps({"table": table.name, "columns": table.columns}).encode() + b"\n")
    for row in tables.rows(connection, table):
        read.append(row)
        out.write(json.dumps([encode(v) for v in row], ensure_ascii=False).encode() + b"\n")
    return tables.checksum(table, iter(read))


def file_name(table: str) -> str:
    return f"{table}.jsonl"


def read_table(path: Path) -> tuple[list[str], Iterator[list[Any]]]:
    stream = path.open(encoding="utf-8")
    header = json.loads(stream.readline())

    def values() -> Iterator[list[Any]]:
        with stream:
            for line in stream:
                yield [decode(value) for value in json.loads(line)]

    return list(header["columns"]), values()


# Field types whose stored values differ between SQLite and PostgreSQL; others (text, integers)
# are stored alike and pass unchanged (a field's own adaptation may turn "" into NULL).
VENDOR_SPECIFIC = {
    "BooleanField",
    "DateTimeField",
    "DateField",
    "TimeField",
    "DecimalField",
    "DurationField",
    "UUIDField",
    "JSONField",
    "BinaryField",
}


def _adapt(value: Any, field: Field[Any, Any] | None, connection: BaseDatabaseWrapper) -> Any:
    """A value read from another vendor, as this one stores it (SQLite keeps booleans as
    integers and datetimes as text; PostgreSQL wants booleans and timestamps)."""
    if value is None or field is None:
        return value
    field = tables.stored_field(field)
    kind = field.get_internal_type()
    if kind not in VENDOR_SPECIFIC:
        return value
    if kind == "JSONField":
        return value if isinstance(value, str) else json.dumps(value)
    if kind == "DateTimeField":
        moment = parse_datetime(value) if isinstance(value, str) else value
        if isinstance(moment, dt.datetime) and moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return connection.ops.adapt_datetimefield_value(moment)
    return field.get_db_prep_value(field.to_python(value), connection, prepared=False)


def dependency_order(connection: BaseDatabaseWrapper, names: list[str]) -> list[str]:
    """Tables before those that refer to them (cycles and self-references left as they come:
    mnr's foreign keys are checked at commit)."""
    refers: dict[str, set[str]] = {}
    with connection.cursor() as cursor:
        for name in names:
            relations = connection.introspection.get_relations(cursor, name)
            refers[name] = {target for _column, target in relations.values()} - {name}
    ordered: list[str] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(name: str) -> None:
        if name in placed or name in visiting:
            return
        visiting.add(name)
        for target in sorted(refers.get(name, ())):
            if target in refers:
                place(target)
        visiting.discard(name)
        placed.add(name)
        ordered.append(name)

    for name in sorted(names):
        place(name)
    return ordered


def load(
    connection: BaseDatabaseWrapper, directory: Path, names: list[str], *, same_vendor: bool
) -> None:
    """INSERT every table's rows from ``directory`` (inside the caller's transaction)."""
    present = {table.name: table for table in tables.describe(connection)}
    for name in dependency_order(connection, [n for n in names if n in present]):
        columns, values = read_table(directory / file_name(name))
        table = present[name]
        missing = set(columns) - set(table.columns)
        if missing:
            raise MnrError(
                f"the snapshot's table {name} has columns this database lacks "
                f"({', '.join(sorted(missing))}): restore with the mnr version that made it"
            )
        fields = dict(zip(table.columns, table.fields, strict=True))
        listed = ", ".join(tables.quote(connection, column) for column in columns)
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {tables.quote(connection, name)} ({listed}) VALUES ({marks})"
        batch: list[list[Any]] = []
        with connection.cursor() as cursor:
            for row in values:
                if same_vendor:
                    batch.append(row)
                else:
                    pairs = zip(row, columns, strict=True)
                    batch.append([_adapt(v, fields[c], connection) for v, c in pairs])
                if len(batch) == BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
    if connection.vendor == "postgresql":
        reset_sequences(connection, list(present.values()))
    missing_tables = sorted(set(names) - set(present))
    if missing_tables:
        raise MnrError(
            f"the snapshot holds tables this database lacks ({', '.join(missing_tables)}): "
            "restore with the mnr version that made it"
        )


def reset_sequences(connection: BaseDatabaseWrapper, described: list[Table]) -> None:
    """Point each identity or serial column's sequence past the highest restored value."""
    with connection.cursor() as cursor:
        for table in described:
            if len(table.key) != 1:
                continue
            column = table.columns[table.key[0]]
            quoted = tables.quote(connection, table.name)
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quoted, column])
            (sequence,) = cursor.fetchone()
            if sequence is None:
                continue
            name = tables.quote(connection, column)
            cursor.execute(
                f"SELECT setval(%s, COALESCE(MAX({name}), 1), MAX({name}) IS NOT NULL) "
                f"FROM {quoted}",
                [sequence],
            )
