"""The worker that runs background tasks (report builds): ``mnr worker``, and the one
``mnr serve`` (so also ``mnr demo``) runs in a thread beside the web server."""

from __future__ import annotations

import os
import socket
import threading

from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker

# Seconds between looks at the queue when it is empty.
POLL_INTERVAL = 1.0


def make_worker(*, once: bool = False, interval: float = POLL_INTERVAL) -> Worker:
    """A worker of the default queue; ``once``: run what is queued now, then stop."""
    return Worker(
        queue_names=["default"],
        interval=interval,
        batch=once,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id(),
        excluded_queue_names=[],
    )


def worker_id() -> str:
    """Which host, process and thread ran a task (kept in its result's ``worker_ids``), as
    workers may run on several hosts; at most 64 characters, as django-tasks-db asks."""
    return f"mnr-{socket.gethostname()[:32]}-{os.getpid()}-{threading.get_ident()}"


def start_worker_thread() -> Worker:
    """A worker in a daemon thread: it ends with the process. A build it was running then
    stays pending, and is queued again by a request once it is stale (``mnr.reports.cache``)."""
    worker = make_worker()

    def run() -> None:
        try:
            worker.run()
        finally:
            connections.close_all()

    threading.Thread(target=run, name="mnr-worker", daemon=True).start()
    return worker
