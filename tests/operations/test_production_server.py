"""The production layout, run for real: `mnr serve --production --workers 2` (gunicorn) and a
separate `mnr worker` process on one PostgreSQL database, MNR_ENV=production behind a simulated
TLS proxy (X-Forwarded-Proto), as docs/operations.md describes it.

On SQLite the layout is refused (several processes, maybe on several hosts, need PostgreSQL),
and that refusal is what is tested there; CI runs the whole layout in its PostgreSQL pass."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import OperationalError, connection, connections
from django_tasks_db.models import DBTaskResult
from tests import evidence_files
from tests.operations.http_client import ProxiedBrowser
from tests.publishing import validate_and_publish
from tests.submissions import opened

from mnr.accounts.actions import assign_role, create_user
from mnr.evidence.models import Evidence
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Answer

MNR = [sys.executable, "-m", "mnr"]
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres:", "postgresql:"))
QUESTION = "C11.status"
# Seconds a process may take to start on a loaded 2-core machine.
START_TIMEOUT = 90


def production_environment(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MNR_", "DJANGO_")) and key != "DATABASE_URL"
    }
    environment.update(
        MNR_ENV="production",
        MNR_SECRET_KEY=secrets.token_urlsafe(50),
        MNR_ALLOWED_HOSTS="127.0.0.1",
        MNR_PROXY_SSL_HEADER="X-Forwarded-Proto",
        MNR_DATA_DIR=str(tmp_path / "data"),
        MNR_EVIDENCE_DIR=str(tmp_path / "shared-uploads"),
    )
    if database_url:
        environment["DATABASE_URL"] = database_url
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes started in the block, each in its own group (gunicorn forks workers), all
    stopped at the end whatever happened: SIGTERM, then SIGKILL."""
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def start(
    started: list[subprocess.Popen[bytes]], arguments: list[str], env: dict[str, str], log: Path
) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*MNR, *arguments],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started.append(process)
    return process


def wait_until_healthy(browser: ProxiedBrowser, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"mnr serve --production stopped:\n{log.read_text()}")
        try:
            if browser.get("/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"mnr serve --production did not answer /healthz:\n{log.read_text()}")


def poll(browser: ProxiedBrowser, path: str, status: int, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    while True:
        answered = browser.get(path).status
        if answered == status or time.monotonic() > deadline:
            return answered
        time.sleep(0.5)


@pytest.mark.django_db
def test_health_check_answers_when_the_database_does(client: Any) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.content == b"ok\n"
    assert "no-store" in answer["Cache-Control"]
    assert "Set-Cookie" not in answer


@pytest.mark.django_db
def test_health_check_is_503_when_the_database_does_not(client: Any, monkeypatch: Any) -> None:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refused)
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.content == b"database unavailable\n"


def test_production_server_refuses_sqlite(tmp_path: Path) -> None:
    refused = subprocess.run(
        [*MNR, "serve", "--production", "--port", str(free_port())],
        env=production_environment(tmp_path, None),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "needs PostgreSQL" in refused.stderr
    assert "Listening" not in refused.stdout + refused.stderr


@pytest.fixture
def production_database(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """A copy of the migrated test database that this test and its servers share: what the
    test writes is committed (the servers see it), and the copy is dropped afterwards, so the
    session's own test database is never changed (no flush, no serialized rollback)."""
    with django_db_blocker.unblock():
        template = connection.settings_dict["NAME"]
        # pytest-django makes the test database for the session's tests marked django_db (the
        # health check's here); never copy, let alone drop, any other database.
        assert template.startswith("test_"), f"{template} is not a test database"
        copy = f"{template}_production"
        connections.close_all()
        with connection._nodb_cursor() as cursor:
            # A template must have no other session: a finished live server's thread may
            # have left one behind.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [template],
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
            cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{template}"')
        connection.settings_dict["NAME"] = copy
        try:
            yield copy
        finally:
            connections.close_all()
            connection.settings_dict["NAME"] = template
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')


@pytest.fixture
def production_data(production_database: str, settings: Any) -> dict[str, Any]:
    """A published round (public pages), an open round where Kenya's focal point has a draft,
    and that focal point and Sweden's, with passwords the servers' hashers read."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    published = actions.create_round("ops-2021", instrument="mnr-review-2021", title="Published")
    actions.add_participants(published, ["KE", "SE", "GB-EAW"])
    for code, value in (("KE", "yes"), ("SE", "partial"), ("GB-EAW", "no")):
        actions.save_answers(
            opened(published, code), {QUESTION: AnswerInput(value=value)}, source="test"
        )
    validate_and_publish(published)
    open_round = actions.create_round("ops-open", instrument="mnr-review-2021", title="Open")
    actions.add_participants(open_round, ["KE", "SE"])
    actions.set_round_status(open_round, "open")
    draft = opened(open_round, "KE")
    passwords = {}
    for username, code in (("ops-focal-ke", "KE"), ("ops-focal-se", "SE")):
        passwords[username] = secrets.token_urlsafe(16)
        user = create_user(username, passwords[username], source="test")
        assign_role(
            user, "focal_point", jurisdiction=Jurisdiction.objects.get(code=code), source="test"
        )
    return {
        "database": production_database,
        "round": published,
        "draft": draft,
        "passwords": passwords,
    }


@pytest.mark.skipif(not ON_POSTGRESQL, reason="the production layout needs PostgreSQL")
def test_gunicorn_and_a_separate_worker_serve_the_production_layout(
    production_data: Any, tmp_path: Path
) -> None:
    # The test database pytest-django made, which the servers must share with this test.
    database_url = (
        urlsplit(os.environ["DATABASE_URL"])
        ._replace(path="/" + connection.settings_dict["NAME"])
        .geturl()
    )
    env = production_environment(tmp_path, database_url)
    port = free_port()
    browser = ProxiedBrowser(port)
    code = production_data["round"].code
    draft = production_data["draft"]
    server_log, worker_log = tmp_path / "server.log", tmp_path / "worker.log"
    with processes() as started:
        server = start(
            started,
            ["serve", "--production", "--workers", "2", "--port", str(port)],
            env,
            server_log,
        )
        wait_until_healthy(browser, server, server_log)
        said = server_log.read_text()
        assert "2 worker processes" in said
        assert "NOT run here" in said
        # Before any task worker runs: the request queues the build of the report (202).
        assert browser.get(f"/rounds/{code}/report/").status == 202

        worker = start(started, ["worker", "--interval", "0.2"], env, worker_log)

        findings = browser.get(f"/rounds/{code}/findings/")
        assert findings.status == 200
        # Without the proxy's header production redirects to https.
        assert ProxiedBrowser(port).get("/healthz", {"X-Forwarded-Proto": "http"}).status == 301

        stylesheet = re.search(r"/static/mnr/mnr\.[0-9a-f]{12}\.css", findings.text)
        assert stylesheet, "the page links the collected, hashed stylesheet"
        static = browser.get(stylesheet.group(0), {"Accept-Encoding": "gzip"})
        assert static.status == 200
        assert "max-age=315360000" in static.headers["Cache-Control"]
        assert static.headers["Content-Encoding"] == "gzip"

        focal = ProxiedBrowser(port)
        focal.sign_in("ops-focal-ke", production_data["passwords"]["ops-focal-ke"])
        token = focal.csrf_token(f"/submissions/{draft.pk}/")
        saved = focal.post_json(
            f"/submissions/{draft.pk}/save/",
            {"answers": {QUESTION: {"value": "yes", "expected_version": 0}}},
            token,
        )
        assert saved.status == 200, saved.text
        assert saved.json()["versions"] == {QUESTION: 1}
        assert Answer.objects.get(submission=draft, question__code=QUESTION).value == "yes"

        uploaded = focal.post_file(
            f"/submissions/{draft.pk}/evidence/",
            {"csrfmiddlewaretoken": token, "question": QUESTION},
            "file",
            "law.pdf",
            evidence_files.PDF,
        )
        assert uploaded.status == 302, uploaded.text
        evidence = Evidence.objects.get(answer__submission=draft)
        assert list((tmp_path / "shared-uploads").rglob("*"))
        download = f"/submissions/{draft.pk}/evidence/{evidence.pk}/"
        assert focal.get(download).body == evidence_files.PDF
        anonymous = ProxiedBrowser(port).get(download)
        assert anonymous.status == 302
        assert "/accounts/login/" in anonymous.headers["Location"]
        other = ProxiedBrowser(port)
        other.sign_in("ops-focal-se", production_data["passwords"]["ops-focal-se"])
        assert other.get(download).status == 404

        # The separate worker builds the queued report; the page then serves it.
        assert poll(browser, f"/rounds/{code}/report/", 200, 60) == 200
        assert worker.poll() is None, worker_log.read_text()
        ran_by = [worker_id for task in DBTaskResult.objects.all() for worker_id in task.worker_ids]
        assert ran_by
        assert all(f"-{worker.pid}-" in worker_id for worker_id in ran_by), ran_by

        # Concurrent visitors are spread over both gunicorn processes.
        with ThreadPoolExecutor(8) as pool:
            statuses = list(
                pool.map(lambda _: ProxiedBrowser(port).get("/healthz").status, range(16))
            )
        assert statuses == [200] * 16
        served_by = set(re.findall(r"ms (<\d+>) ", server_log.read_text()))
        assert len(served_by) == 2, server_log.read_text()[-3000:]
