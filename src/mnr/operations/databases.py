"""Connections the backup needs beside the configured ones: a second connection to the same
database (a read snapshot of SQLite), a database file inside a snapshot, a database to restore
into; and the environment that points PostgreSQL's own tools at a configured database."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from mnr.errors import MnrError

SQLITE_ENGINE = "django.db.backends.sqlite3"


@contextmanager
def extra_database(config: dict[str, Any]) -> Iterator[BaseDatabaseWrapper]:
    """A Django connection to the database ``config`` describes (a ``DATABASES`` entry), for
    this thread and the ``with`` block only."""
    alias = f"mnr-operations-{secrets.token_hex(4)}"
    # Django fills in the defaults (ATOMIC_REQUESTS, TIME_ZONE, TEST…) of a settings entry.
    filled = connections.configure_settings({DEFAULT_DB_ALIAS: dict(config)})[DEFAULT_DB_ALIAS]
    connection = load_backend(filled["ENGINE"]).DatabaseWrapper(filled, alias)
    # Known to this thread's ``connections[alias]`` (so that transaction.atomic(using=…) and
    # routed queries find it) but not a configured database: other threads, and the code that
    # walks every configured database, never see it.
    setattr(connections._connections, alias, connection)  # type: ignore[attr-defined]
    try:
        yield connection
    finally:
        connection.close()
        del connections[alias]


def connected(connection: BaseDatabaseWrapper) -> BaseDatabaseWrapper:
    """``connection``, connected; a database that cannot be reached is the user's to fix."""
    try:
        connection.ensure_connection()
    except DatabaseError as error:
        raise MnrError(
            f"cannot connect to the database {connection.settings_dict['NAME']} ({error}): "
            "check DATABASE_URL, or create the database first"
        ) from error
    return connection


def sqlite_file(path: Path) -> dict[str, Any]:
    return {"ENGINE": SQLITE_ENGINE, "NAME": str(path)}


def sqlite_reader(connection: BaseDatabaseWrapper) -> dict[str, Any]:
    """A second connection to ``connection``'s SQLite database whose transactions start
    deferred: one read transaction sees one state of the database (WAL) without taking the
    write lock that mnr's IMMEDIATE transactions take."""
    config = dict(connection.settings_dict)
    config["OPTIONS"] = {**config.get("OPTIONS", {}), "transaction_mode": "DEFERRED"}
    config["OPTIONS"].pop("init_command", None)
    return config


def sqlite_connect(connection: BaseDatabaseWrapper) -> sqlite3.Connection:
    """A plain sqlite3 connection to the database of a Django SQLite connection (also the test
    suite's shared in-memory one, named by a ``file:`` URI)."""
    name = str(connection.settings_dict["NAME"])
    return sqlite3.connect(name, uri=name.startswith("file:"), timeout=20)


def postgres_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The environment that makes pg_dump, pg_restore and psql use ``connection``'s database."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    if sslmode := settings.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return env
