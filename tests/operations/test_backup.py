"""``mnr backup`` and ``mnr restore``: the round trip is identical table by table, and a
restore refuses what it must refuse without changing anything.

The suite's own database is the source (its data committed: transactional tests); each test
restores into a second database of the same vendor (a SQLite file; ``<test database>_restore``
on PostgreSQL) and compares every table's checksum with the source's."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from mnr.errors import MnrError
from mnr.operations import tables
from mnr.operations.backup import MANIFEST, make_backup
from mnr.operations.databases import extra_database
from mnr.operations.restore import restore

# Transactional: the backup reads committed data through connections of its own. Flushing
# afterwards reloads the shipped reference data (post-migrate), as migrating does.
writes_data = pytest.mark.django_db(transaction=True)

POSTGRES = connection.vendor == "postgresql"


def database_config(tmp_path: Path, suffix: str) -> dict[str, Any]:
    """A new, empty database of the suite's vendor (no tables)."""
    if not POSTGRES:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / f"{suffix}.db")}
    name = f"{connection.settings_dict['NAME']}_{suffix}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    return {**connection.settings_dict, "NAME": name}


def drop(config: dict[str, Any]) -> None:
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')


@pytest.fixture
def reads_only(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The suite's database as it is (only what migrating wrote), for a test that writes
    nothing to it: no transaction around the test, and no flush after it."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[Any]:
    config = database_config(tmp_path, "restore")
    with extra_database(config) as target:
        yield target
    drop(config)


@pytest.fixture
def evidence(settings: Any, tmp_path: Path) -> Path:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return Path(settings.EVIDENCE_ROOT)


@pytest.fixture
def world(evidence: Path) -> Path:
    """History, audit events, a publication (with its stored report) and an uploaded file."""
    from tests.url_matrix import build_world

    build_world()
    return evidence


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def manifest_of(archive: Path) -> dict[str, Any]:
    with tarfile.open(archive, "r:gz") as tar:
        stream = tar.extractfile(MANIFEST)
        assert stream is not None
        return dict(json.load(stream))


@writes_data
@pytest.mark.parametrize("logical", [False, True], ids=["native", "logical"])
def test_round_trip_is_identical_table_by_table(
    world: Path, empty_database: Any, tmp_path: Path, logical: bool
) -> None:
    archive = tmp_path / "snapshot.tar.gz"
    made = make_backup(archive, logical_dump=logical)
    assert made.kind == ("logical" if logical else "pg_dump" if POSTGRES else "sqlite")
    restored_files = tmp_path / "restored-evidence"

    restored = restore(archive, using=empty_database.alias, evidence_root=restored_files)

    source = tables.checksums(connection)
    assert tables.checksums(empty_database) == source
    assert set(source) == set(tables.table_names(connection))
    for table in (
        "audit_auditevent",
        "surveys_answerchange",
        "publications_publication",
        "evidence_evidence",
        "auth_user",
    ):
        assert source[table].rows > 0, table
    assert files_of(restored_files) == files_of(world) != {}
    assert (restored.tables, restored.files) == (len(source), len(files_of(world)))
    assert restored.rows == sum(s.rows for s in source.values())
    manifest = manifest_of(archive)
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"]["auth_user"] == {
        "rows": source["auth_user"].rows,
        "sha256": source["auth_user"].sha256,
    }
    # The comparison can fail: one changed value changes its table's checksum, and only it.
    get_user_model().objects.filter(username="analyst").update(first_name="Changed")
    changed = tables.checksums(connection)
    assert {name for name in source if source[name] != changed[name]} == {"auth_user"}


def rewrite(
    archive: Path,
    out: Path,
    *,
    manifest: Callable[[dict[str, Any]], None] = lambda m: None,
    content: Callable[[str, bytes], bytes] = lambda name, data: data,
    extra: tuple[str, bytes] | None = None,
) -> Path:
    """A copy of ``archive`` with its manifest, a member's bytes or an extra member changed."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as target:
        for member in source:
            stream = source.extractfile(member)
            data = stream.read() if stream else b""
            if member.name == MANIFEST:
                changed = json.loads(data)
                manifest(changed)
                data = json.dumps(changed).encode()
            else:
                data = content(member.name, data)
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
        if extra is not None:
            info = tarfile.TarInfo(extra[0])
            info.size = len(extra[1])
            target.addfile(info, io.BytesIO(extra[1]))
    return out


def test_restore_refuses_damaged_foreign_and_hostile_archives(
    reads_only: None, evidence: Path, empty_database: Any, tmp_path: Path
) -> None:
    (evidence / "ab").mkdir(parents=True)
    (evidence / "ab" / "ab12-synthetic").write_bytes(b"synthetic evidence")
    archive = tmp_path / "good.tar.gz"
    make_backup(archive)
    other_vendor = "sqlite" if POSTGRES else "postgresql"

    def newer(m: dict[str, Any]) -> None:
        m["migrations"]["applied"].append(["surveys", "9999_from_the_future"])

    def format_2(m: dict[str, Any]) -> None:
        m["format_version"] = 2

    def foreign(m: dict[str, Any]) -> None:
        m["database"]["vendor"] = other_vendor

    def tamper(name: str, data: bytes) -> bytes:
        return b"changed" if name.startswith("files/") else data

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    cases = {
        "does not match its checksum": rewrite(archive, tmp_path / "a.tar.gz", content=tamper),
        "truncated": truncated,
        "format 2": rewrite(archive, tmp_path / "b.tar.gz", manifest=format_2),
        "newer mnr": rewrite(archive, tmp_path / "c.tar.gz", manifest=newer),
        f"native {other_vendor} dump": rewrite(archive, tmp_path / "d.tar.gz", manifest=foreign),
        "refused member '../../etc/x'": rewrite(
            archive, tmp_path / "e.tar.gz", extra=("../../etc/x", b"hostile")
        ),
        "not in its manifest": rewrite(
            archive, tmp_path / "f.tar.gz", extra=("files/evidence/extra", b"unlisted")
        ),
        "is a .tar.gz file": tmp_path / "snapshot.zip",
    }
    restored_files = tmp_path / "restored-evidence"
    for expected, path in cases.items():
        with pytest.raises(MnrError, match=expected.replace(".", r"\.")):
            restore(path, using=empty_database.alias, evidence_root=restored_files)
        assert tables.table_names(empty_database) == [], expected
        assert not restored_files.exists(), expected
    assert not (tmp_path.parent / "etc").exists()
    # The untouched archive restores.
    restore(archive, using=empty_database.alias, evidence_root=restored_files)
    assert files_of(restored_files) == files_of(evidence)
    # The suite's database holds only what `mnr migrate` writes (schema, reference data, the
    # audit events of loading it), and so does its copy now: a freshly migrated database is
    # empty, and restoring into it replaces its tables.
    restore(archive, using=empty_database.alias, evidence_root=tmp_path / "again")
    assert tables.checksums(empty_database) == tables.checksums(connection)


def mnr(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mnr", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@writes_data
def test_cli_restores_and_a_non_empty_database_is_refused_unchanged(
    world: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "snapshot.tar.gz"
    make_backup(archive)
    config = database_config(tmp_path, "cli")
    env = {"MNR_EVIDENCE_DIR": str(tmp_path / "cli-evidence"), "MNR_DATA_DIR": str(tmp_path)}
    if POSTGRES:
        url = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{config['NAME']}"))
    else:
        env["DATABASE_URL"] = f"sqlite:///{config['NAME']}"
    try:
        first = mnr(env, "restore", str(archive))
        assert first.returncode == 0, first.stderr
        assert "every table matches the snapshot's checksum" in first.stdout
        with extra_database(config) as target:
            restored = tables.checksums(target)
        assert restored == tables.checksums(connection)

        with extra_database(config) as target:
            with pytest.raises(MnrError, match=r"the database is not empty: .*auth_user \("):
                restore(archive, using=target.alias, evidence_root=tmp_path / "empty")
            assert tables.checksums(target) == restored
    finally:
        drop(config)


def test_snapshot_is_consistent_while_another_connection_writes(
    reads_only: None, tmp_path: Path
) -> None:
    """A writer inserts one row into each of two tables per transaction while the backup
    runs: the snapshot holds as many rows in one as in the other, and restores to its
    checksums."""
    config = database_config(tmp_path, "writer")
    if not POSTGRES:
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    target_config = database_config(tmp_path, "writer_restore")
    with extra_database(config) as source, source.cursor() as cursor:
        for name in ("pairs_a", "pairs_b"):
            cursor.execute(f"CREATE TABLE {name} (id integer PRIMARY KEY, note text)")
    stop = threading.Event()
    started = threading.Event()

    with extra_database(config) as source:

        def write() -> None:
            number = 0
            with extra_database(config) as writer:
                while not stop.is_set():
                    number += 1
                    with transaction.atomic(using=writer.alias), writer.cursor() as cursor:
                        for name in ("pairs_a", "pairs_b"):
                            cursor.execute(
                                f"INSERT INTO {name} VALUES (%s, %s)", [number, "synthetic"]
                            )
                    if number == 50:
                        started.set()

        thread = threading.Thread(target=write)
        thread.start()
        try:
            assert started.wait(30)
            snapshots = []
            for logical in (False, True):
                archive = tmp_path / f"writer-{logical}.tar.gz"
                make_backup(
                    archive,
                    using=source.alias,
                    logical_dump=logical,
                    evidence_root=tmp_path / "no-evidence",
                )
                snapshots.append(archive)
        finally:
            stop.set()
            thread.join(30)
        for archive in snapshots:
            counts = manifest_of(archive)["tables"]
            assert counts["pairs_a"]["rows"] == counts["pairs_b"]["rows"] >= 50
        native = manifest_of(snapshots[0])["tables"]
        with extra_database(target_config) as target:
            # Restoring checks every table against the manifest's checksums.
            restore(snapshots[0], using=target.alias, evidence_root=tmp_path / "restored")
            restored = tables.checksums(target)
        assert restored["pairs_b"].rows == native["pairs_b"]["rows"]
    drop(config)
    drop(target_config)
