"""``mnr backup``: one versioned file holding every table of the database and every uploaded file.

The archive (``.tar.gz``) holds ``manifest.json`` first, then the database and the files:

- ``database/mnr.sqlite3``: SQLite's online backup of the live database, consistent while the
  app writes;
- ``database/mnr.pgdump``: ``pg_dump --format=custom`` of PostgreSQL, taken in the snapshot
  that the table checksums were computed in;
- ``database/tables/<table>.jsonl``: the logical dump (``--logical``, or PostgreSQL without
  ``pg_dump``), every table read in one transaction;
- ``files/evidence/…``: the evidence files under ``settings.EVIDENCE_ROOT``.

The manifest holds the format version, the mnr version, when and from which database vendor it
was made, the applied migrations, each table's row count and checksum, and the SHA-256 of
every other member. Report PDFs are rows of the database (``RenderedReport.content``); the
secret key is configuration and is not in the snapshot (docs/backup.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

from mnr.errors import MnrError
from mnr.operations import databases, logical, tables
from mnr.operations.tables import TableSum

FORMAT = "mnr-backup"
FORMAT_VERSION = 1
SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/mnr.sqlite3"
PGDUMP_MEMBER = "database/mnr.pgdump"
TABLES_DIR = "database/tables"
EVIDENCE_DIR = "files/evidence"
# Half-written uploads (mnr.evidence.storage writes to a temporary name, then renames).
PARTIAL_UPLOAD_PREFIX = ".upload-"


@dataclass(frozen=True)
class Summary:
    path: Path
    kind: str
    tables: int
    rows: int
    files: int


def mnr_version() -> str:
    try:
        return version("mnr")
    except PackageNotFoundError:
        return "unknown"


def require_suffix(path: Path) -> None:
    if not path.name.endswith(SUFFIX):
        raise MnrError(f"{path}: an mnr backup is a {SUFFIX} file; name it {path.stem}{SUFFIX}")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def applied_migrations(connection: BaseDatabaseWrapper) -> list[list[str]]:
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    return sorted([app, name] for app, name in recorder.applied_migrations())


def last_migrations(applied: list[list[str]]) -> dict[str, str]:
    """The last applied migration of each app (migration names start with their number)."""
    last: dict[str, str] = {}
    for app, name in applied:
        last[app] = max(last.get(app, name), name)
    return last


def evidence_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and not path.name.startswith(PARTIAL_UPLOAD_PREFIX)
    )


# --- the database ------------------------------------------------------------------------------


def _sqlite_native(connection: BaseDatabaseWrapper, work: Path) -> dict[str, TableSum]:
    copy = work / SQLITE_MEMBER
    source = databases.sqlite_connect(connection)
    target = sqlite3.connect(copy)
    try:
        # One step (all pages at once) under one read lock: the copy is one committed state.
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    with databases.extra_database(databases.sqlite_file(copy)) as snapshot:
        return tables.checksums(snapshot)


def _logical(connection: BaseDatabaseWrapper, work: Path) -> dict[str, TableSum]:
    directory = work / TABLES_DIR
    directory.mkdir(parents=True)
    sums = {}
    for table in tables.describe(connection):
        with (directory / logical.file_name(table.name)).open("wb") as out:
            sums[table.name] = logical.dump_table(connection, table, out)
    return sums


def _repeatable_read(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def _postgres_native(connection: BaseDatabaseWrapper, work: Path) -> dict[str, TableSum]:
    dump = work / PGDUMP_MEMBER
    _repeatable_read(connection)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
    # pg_dump reads the snapshot this transaction exported, while it stays open: the dump and
    # the checksums computed here below see the same committed state.
    dumping = subprocess.Popen(
        ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
        env=databases.postgres_environment(connection),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        sums = tables.checksums(connection)
    finally:
        _out, errors = dumping.communicate()
    if dumping.returncode:
        message = errors.decode(errors="replace").strip().splitlines()
        raise MnrError(f"pg_dump failed: {message[-1] if message else dumping.returncode}")
    return sums


def _database(connection: BaseDatabaseWrapper, work: Path, *, kind: str) -> dict[str, TableSum]:
    (work / "database").mkdir()
    if connection.vendor == "sqlite":
        if kind == "sqlite":
            return _sqlite_native(connection, work)
        with (
            databases.extra_database(databases.sqlite_reader(connection)) as reader,
            transaction.atomic(using=reader.alias),
        ):
            return _logical(reader, work)
    with transaction.atomic(using=connection.alias):
        if kind == "pg_dump":
            return _postgres_native(connection, work)
        _repeatable_read(connection)
        return _logical(connection, work)


def database_kind(connection: BaseDatabaseWrapper, *, logical_dump: bool) -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise MnrError(f"mnr backup knows SQLite and PostgreSQL, not {connection.vendor}")
    if logical_dump:
        return "logical"
    if connection.vendor == "sqlite":
        return "sqlite"
    return "pg_dump" if shutil.which("pg_dump") else "logical"


# --- the archive -------------------------------------------------------------------------------


def make_backup(
    output: Path,
    *,
    using: str = DEFAULT_DB_ALIAS,
    logical_dump: bool = False,
    evidence_root: Path | None = None,
) -> Summary:
    """Write the snapshot to ``output`` (written beside it under another name, then renamed:
    a failed backup leaves no file that looks like one)."""
    require_suffix(output)
    if not output.parent.is_dir():
        raise MnrError(f"{output.parent} is not a folder: create it first")
    connection = databases.connected(connections[using])
    if connection.in_atomic_block:
        raise MnrError("mnr backup must run outside a transaction")
    kind = database_kind(connection, logical_dump=logical_dump)
    root = Path(settings.EVIDENCE_ROOT if evidence_root is None else evidence_root)
    created = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix="mnr-backup-") as scratch:
        work = Path(scratch)
        applied = applied_migrations(connection)
        sums = _database(connection, work, kind=kind)
        # Files after the database: a file the snapshot's rows name was uploaded before them.
        members: dict[str, dict[str, Any]] = {}
        for path in sorted((work / "database").rglob("*")):
            if path.is_file():
                name = path.relative_to(work).as_posix()
                members[name] = {"size": path.stat().st_size, "sha256": sha256_of(path)}
        files = []
        for path in evidence_files(root):
            name = f"{EVIDENCE_DIR}/{path.relative_to(root).as_posix()}"
            members[name] = {"size": path.stat().st_size, "sha256": sha256_of(path)}
            files.append((name, path))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "mnr_version": mnr_version(),
            "created_at": created.isoformat(),
            "database": {"vendor": connection.vendor, "kind": kind},
            "migrations": {"applied": applied, "last": last_migrations(applied)},
            "tables": {name: {"rows": s.rows, "sha256": s.sha256} for name, s in sums.items()},
            "members": members,
        }
        manifest_path = work / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        partial = output.with_name(f".{output.name}.partial")
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                archive.add(manifest_path, MANIFEST)
                for name in members:
                    if not name.startswith(EVIDENCE_DIR):
                        archive.add(work / name, name)
                for name, path in files:
                    archive.add(path, name)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return Summary(output, kind, len(sums), sum(s.rows for s in sums.values()), len(files))
