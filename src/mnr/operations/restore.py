"""``mnr restore``: a snapshot of ``mnr backup`` into an empty database, all or nothing.

Refused before anything is written: a file that is not a whole, untampered mnr backup (every
member's SHA-256 is in the manifest), a format this mnr does not read, migrations this mnr does
not know (a snapshot of a newer mnr), a native dump of the other database vendor, a database
that holds data, and an evidence folder that holds files. The database is restored in one
step (SQLite's backup API from a complete file; ``pg_restore`` through ``psql
--single-transaction``; the logical dump in one transaction) and the files only after it; then
every table's checksum is compared with the manifest's."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from mnr.errors import MnrError
from mnr.operations import databases, logical, tables
from mnr.operations.backup import (
    EVIDENCE_DIR,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    PGDUMP_MEMBER,
    SQLITE_MEMBER,
    TABLES_DIR,
    evidence_files,
    require_suffix,
    sha256_of,
)


@dataclass(frozen=True)
class Restored:
    kind: str
    tables: int
    rows: int
    files: int
    # Migrations of this mnr newer than the snapshot's: `mnr migrate` applies them.
    pending_migrations: bool


# --- the archive -------------------------------------------------------------------------------


def unpack(archive: Path, work: Path) -> dict[str, Any]:
    """Extract ``archive`` into ``work`` and return its manifest, refusing anything that is not
    exactly what the manifest lists with the content it lists."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                raise MnrError(f"{archive} is not an mnr backup: it does not start with {MANIFEST}")
            stream = tar.extractfile(first)
            assert stream is not None
            try:
                manifest = json.load(stream)
            except ValueError as error:
                raise MnrError(f"{archive}: its {MANIFEST} is not JSON ({error})") from error
            check_format(archive, manifest)
            listed = manifest["members"]
            seen: set[str] = set()
            for member in tar:
                if member is first:
                    continue
                try:
                    tarfile.data_filter(member, str(work))
                except tarfile.FilterError as error:
                    raise MnrError(
                        f"{archive}: refused member {member.name!r} ({error}); "
                        "this file was not written by mnr backup"
                    ) from error
                if member.isdir():
                    continue
                if member.name not in listed or member.name in seen or not member.isfile():
                    raise MnrError(
                        f"{archive}: member {member.name!r} is not in its manifest: the file was "
                        "changed after mnr backup wrote it; use another backup"
                    )
                seen.add(member.name)
                tar.extract(member, work, filter="data")
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise MnrError(
            f"{archive} cannot be read ({error or type(error).__name__}): it is truncated or "
            "damaged; use another backup"
        ) from error
    missing = sorted(set(listed) - seen)
    if missing:
        raise MnrError(
            f"{archive} lacks {', '.join(missing)}: it is incomplete; use another backup"
        )
    for name, expected in sorted(listed.items()):
        if sha256_of(work / name) != expected["sha256"]:
            raise MnrError(
                f"{archive}: {name} does not match its checksum in the manifest: the file is "
                "damaged or was changed; use another backup"
            )
    return dict(manifest)


def check_format(archive: Path, manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise MnrError(f"{archive} is not an mnr backup (its {MANIFEST} says no format {FORMAT})")
    made = manifest.get("format_version")
    if made != FORMAT_VERSION:
        raise MnrError(
            f"{archive} is backup format {made} (mnr {manifest.get('mnr_version')}); this mnr "
            f"reads format {FORMAT_VERSION}: restore it with the mnr version that made it"
        )


def check_compatible(
    archive: Path, manifest: dict[str, Any], connection: BaseDatabaseWrapper
) -> None:
    database = manifest["database"]
    if database["kind"] != "logical" and database["vendor"] != connection.vendor:
        raise MnrError(
            f"{archive} is a native {database['vendor']} dump and this database is "
            f"{connection.vendor}: restore it into {database['vendor']}, or make the backup "
            "with mnr backup --logical, which restores into either"
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [
        f"{app}.{name}"
        for app, name in manifest["migrations"]["applied"]
        if (app, name) not in known
    ]
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise MnrError(
            f"{archive} was made by a newer mnr ({manifest['mnr_version']}): its migrations "
            f"{shown} are unknown to this one; install that version or later, then restore"
        )


def refuse_non_empty(connection: BaseDatabaseWrapper, evidence_root: Path) -> None:
    holding = tables.tables_holding_data(connection)
    if holding:
        shown = ", ".join(f"{name} ({count} rows)" for name, count in sorted(holding.items()))
        raise MnrError(
            f"the database is not empty: {shown}; restore only into a new database (a new "
            "DATABASE_URL or MNR_DATA_DIR, with or without mnr migrate)"
        )
    if evidence_files(evidence_root):
        raise MnrError(
            f"the evidence folder {evidence_root} holds files: restore into an empty one "
            "(MNR_EVIDENCE_DIR), or move them away first"
        )


# --- the database ------------------------------------------------------------------------------


class _OnlyTo:
    """A database router sending every read and write to one database."""

    def __init__(self, alias: str) -> None:
        self.alias = alias

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return self.alias

    db_for_write = db_for_read


@contextmanager
def _routed_to(alias: str) -> Iterator[None]:
    # Data migrations written as ``Model.objects…`` (not ``.using(schema_editor.connection
    # .alias)``) would otherwise read and write the default database, not the one migrated.
    only = _OnlyTo(alias)
    router.routers.insert(0, only)
    try:
        yield
    finally:
        router.routers.remove(only)


def _migrate_to(connection: BaseDatabaseWrapper, last: dict[str, str]) -> None:
    """The schema of the snapshot's migrations, with no rows (no post-migrate loading)."""
    executor = MigrationExecutor(connection)
    targets = [(app, last.get(app)) for app in sorted(executor.loader.migrated_apps)]
    with _routed_to(connection.alias):
        executor.migrate(targets, plan=executor.migration_plan(targets))
    with connection.cursor() as cursor:
        for name in tables.table_names(connection):
            quoted = tables.quote(connection, name)
            cursor.execute(f"SELECT 1 FROM {quoted} LIMIT 1")
            if cursor.fetchone():
                cursor.execute(f"DELETE FROM {quoted}")


def _postgres_drop_statements(connection: BaseDatabaseWrapper) -> list[str]:
    """SQL dropping every table, view, sequence and function of the current schema (which holds
    nothing but what migrate wrote: checked before)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT format('DROP %s IF EXISTS %I.%I CASCADE',
                          CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                         WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                          n.nspname, c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
            ORDER BY c.relkind = 'S', c.relname
            """
        )
        statements = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            """
            SELECT format('DROP FUNCTION IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname,
                          pg_get_function_identity_arguments(p.oid))
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = current_schema() AND p.prokind = 'f'
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
            """
        )
        statements += [row[0] for row in cursor.fetchall()]
    return statements


def _restore_pg_dump(connection: BaseDatabaseWrapper, work: Path) -> None:
    for tool in ("pg_restore", "psql"):
        if shutil.which(tool) is None:
            raise MnrError(
                f"restoring a pg_dump snapshot needs PostgreSQL's {tool} on PATH "
                "(Debian: apt install postgresql-client)"
            )
    drops = work / "drop.sql"
    statements = _postgres_drop_statements(connection)
    drops.write_text("".join(f"{statement};\n" for statement in statements))
    connection.close()
    env = databases.postgres_environment(connection)
    script = subprocess.Popen(
        ["pg_restore", "--no-owner", "--no-privileges", "--file=-", str(work / PGDUMP_MEMBER)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # One transaction: the tables migrate made are dropped and the snapshot's are created and
    # filled, or nothing happens.
    loading = subprocess.run(
        [
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-f",
            str(drops),
            "-f",
            "-",
        ],
        env=env,
        stdin=script.stdout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    assert script.stdout is not None
    script.stdout.close()
    script_errors = script.stderr.read() if script.stderr else b""
    script.wait()
    for returncode, errors, tool in (
        (script.returncode, script_errors, "pg_restore"),
        (loading.returncode, loading.stderr, "psql"),
    ):
        if returncode:
            lines = errors.decode(errors="replace").strip().splitlines()
            raise MnrError(
                f"{tool} failed, nothing was restored: {lines[-1] if lines else returncode}"
            )


def _replace_sqlite(connection: BaseDatabaseWrapper, source_file: Path) -> None:
    """Make the target database a copy of ``source_file`` in one step of SQLite's backup API."""
    connection.close()
    source = sqlite3.connect(source_file)
    target = databases.sqlite_connect(connection)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _load_logical(connection: BaseDatabaseWrapper, manifest: dict[str, Any], work: Path) -> None:
    same_vendor = manifest["database"]["vendor"] == connection.vendor
    _migrate_to(connection, manifest["migrations"]["last"])
    logical.load(connection, work / TABLES_DIR, sorted(manifest["tables"]), same_vendor=same_vendor)
    verify(connection, manifest)


def _restore_logical(connection: BaseDatabaseWrapper, manifest: dict[str, Any], work: Path) -> None:
    if connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for statement in _postgres_drop_statements(connection):
                cursor.execute(statement)
            _load_logical(connection, manifest, work)
        return
    # SQLite cannot change its schema inside a transaction here: build the whole database in
    # a file first, then copy it over the target in one step.
    built = work / "restored.sqlite3"
    with databases.extra_database(databases.sqlite_file(built)) as scratch:
        _migrate_to(scratch, manifest["migrations"]["last"])
        with transaction.atomic(using=scratch.alias):
            logical.load(
                scratch,
                work / TABLES_DIR,
                sorted(manifest["tables"]),
                same_vendor=manifest["database"]["vendor"] == "sqlite",
            )
        verify(scratch, manifest)
    _replace_sqlite(connection, built)


def verify(connection: BaseDatabaseWrapper, manifest: dict[str, Any]) -> None:
    found = {name: (s.rows, s.sha256) for name, s in tables.checksums(connection).items()}
    expected = {name: (t["rows"], t["sha256"]) for name, t in manifest["tables"].items()}
    differ = sorted(
        name
        for name in expected.keys() | found.keys()
        if found.get(name) != expected.get(name) and name in expected
    )
    if differ:
        raise MnrError(
            f"the restored tables {', '.join(differ)} differ from the snapshot's checksums: "
            "do not use this database; report it with the backup file"
        )


def _move_files(work: Path, evidence_root: Path) -> int:
    source = work / EVIDENCE_DIR
    moved = 0
    for path in evidence_files(source):
        destination = evidence_root / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, destination)
        moved += 1
    return moved


def restore(
    archive: Path, *, using: str = DEFAULT_DB_ALIAS, evidence_root: Path | None = None
) -> Restored:
    require_suffix(archive)
    if not archive.is_file():
        raise MnrError(f"{archive} does not exist")
    connection = databases.connected(connections[using])
    root = Path(settings.EVIDENCE_ROOT if evidence_root is None else evidence_root)
    with tempfile.TemporaryDirectory(prefix="mnr-restore-") as scratch:
        work = Path(scratch)
        manifest = unpack(archive, work)
        check_compatible(archive, manifest, connection)
        refuse_non_empty(connection, root)
        kind = manifest["database"]["kind"]
        if kind == "sqlite":
            _replace_sqlite(connection, work / SQLITE_MEMBER)
            verify(connection, manifest)
        elif kind == "pg_dump":
            _restore_pg_dump(connection, work)
            verify(connection, manifest)
        else:
            _restore_logical(connection, manifest, work)
        files = _move_files(work, root)
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    pending = bool(set(loader.graph.leaf_nodes()) - loader.applied_migrations.keys())
    counts = manifest["tables"].values()
    return Restored(kind, len(manifest["tables"]), sum(t["rows"] for t in counts), files, pending)
