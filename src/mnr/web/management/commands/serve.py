from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve mnr with waitress (static files through WhiteNoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run background tasks here (run `mnr worker` instead)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from mnr.wsgi import application

        if not options["no_worker"] and _queues_tasks():
            from mnr.reports.worker import start_worker_thread

            start_worker_thread()
            self.stdout.write("mnr worker: running background tasks beside the web server")
        self.stdout.write(
            f"mnr is at http://{options['host']}:{options['port']}/  (Ctrl-C stops it)"
        )
        self.stdout.flush()
        serve(application, host=options["host"], port=options["port"], threads=options["threads"])


def _queues_tasks() -> bool:
    from django.conf import settings

    return bool(settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db."))
