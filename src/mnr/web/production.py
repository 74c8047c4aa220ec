"""`mnr serve --production`: gunicorn with several worker processes, no task worker inside.

The production layout (docs/operations.md): a reverse proxy terminating TLS in front of one or
more hosts, each running `mnr serve --production` (N gunicorn processes), and M separate
`mnr worker` processes anywhere, all on the same PostgreSQL database and the same evidence
folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from gunicorn.app.base import BaseApplication

# The remote address (the proxy's), the address the proxy says it served, the request, the
# status, the size, the time taken and the gunicorn process that answered.
ACCESS_LOG_FORMAT = (
    '%(h)s %({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms %(p)s "%(a)s"'
)
# Where `mnr serve` notes which static sources it last collected (in STATIC_ROOT).
COLLECTED_MARK = ".mnr-collected"


def default_workers() -> int:
    """gunicorn's advice for its synchronous workers: two per core, plus one."""
    return 2 * (os.cpu_count() or 1) + 1


class ProductionServer(BaseApplication):  # type: ignore[misc]
    """gunicorn run from Python with the options `mnr serve --production` was given."""

    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def gunicorn_options(
    *, binds: list[str], workers: int, threads: int, timeout: int, max_requests: int
) -> dict[str, Any]:
    return {
        "bind": binds,
        "workers": workers,
        # Synchronous workers unless threads are asked for (one request per thread then).
        "worker_class": "gthread" if threads > 1 else "sync",
        "threads": threads,
        "timeout": timeout,
        # A worker is replaced after about this many requests (memory stays bounded); the
        # jitter keeps them from restarting together.
        "max_requests": max_requests,
        "max_requests_jitter": max_requests // 10,
        # The application is imported once, before the workers fork (less memory, quicker
        # start); each worker opens its own database connections.
        "preload_app": True,
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        # gunicorn 27's control socket lives at one path per user: two servers would share it.
        "control_socket_disable": True,
        "proc_name": "mnr",
    }


def check_production() -> list[str]:
    """Refuse what cannot run as the production layout; the warnings that remain."""
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise CommandError(
            "mnr serve --production needs PostgreSQL: its worker processes, on one host or "
            "several, and the separate `mnr worker` processes share one database. Set "
            "DATABASE_URL=postgres://… (docs/operations.md); `mnr serve` without --production "
            "serves SQLite from one process."
        )
    if settings.DEBUG:
        raise CommandError(
            "mnr serve --production refuses MNR_DEBUG=1: error pages would show settings and "
            "tracebacks to anyone. Unset MNR_DEBUG."
        )
    warnings = []
    if os.environ.get("MNR_ENV") != "production":
        warnings.append(
            "MNR_ENV is not 'production': cookies are not marked secure and HTTPS is not "
            "required (docs/deployment-settings.md)."
        )
    return warnings


def collect_static_files() -> str | None:
    """Collect the static files when the storage is the hashed one (production) and the
    sources changed since the last collection; what was done, or None when nothing was.

    Compressing them takes seconds, so a restart with the same sources skips it."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return None
    root = Path(settings.STATIC_ROOT)
    fingerprint = _static_sources_fingerprint()
    mark = root / COLLECTED_MARK
    manifest = root / staticfiles_storage.manifest_name
    if manifest.exists() and mark.exists() and mark.read_text() == fingerprint:
        return f"static files in {root} are up to date"
    call_command("collectstatic", interactive=False, verbosity=0)
    mark.write_text(fingerprint)
    return f"static files collected into {root} (hashed names, gzip copies)"


def _static_sources_fingerprint() -> str:
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in sorted(finder.list([]), key=lambda found: found[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def database_description() -> str:
    """The database every process must share, without its password."""
    database = settings.DATABASES["default"]
    host = database.get("HOST") or "local socket"
    return f"PostgreSQL database {database['NAME']!s} on {host}"


def run(application: Any, options: dict[str, Any]) -> None:
    # Connections opened by the checks must not be inherited by the forked workers.
    connections.close_all()
    ProductionServer(application, options).run()
