from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mnr.reports.worker import POLL_INTERVAL, make_worker


class Command(BaseCommand):
    help = (
        "Run background tasks (report builds) from the database queue until stopped "
        "(Ctrl-C), or with --once what is queued now."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="run the tasks queued now, then stop"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=POLL_INTERVAL,
            help=f"seconds between looks at an empty queue (default {POLL_INTERVAL})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        backend = settings.TASKS["default"]["BACKEND"]
        if not backend.startswith("django_tasks_db."):
            raise CommandError(
                f"tasks run in the request with the backend {backend}: there is no queue for a "
                "worker. Unset MNR_TASK_BACKEND to queue them in the database."
            )
        if options["interval"] < 0:
            raise CommandError("--interval must be zero or more seconds")
        worker = make_worker(once=options["once"], interval=options["interval"])
        if not options["once"]:
            worker.configure_signals()
            self.stdout.write("mnr worker: running background tasks (Ctrl-C stops it)")
            self.stdout.flush()
        worker.run()
        if options["once"]:
            self.stdout.write(f"mnr worker: ran {worker._run_tasks} task(s); none left queued")
