from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mnr.web.production import default_workers


class Command(BaseCommand):
    help = (
        "Serve mnr with waitress and a worker for background tasks in a thread; with "
        "--production, with gunicorn's worker processes and no task worker "
        "(docs/operations.md). Static files through WhiteNoise."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, help="threads per process (waitress: 8)")
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not run background tasks here (run `mnr worker` instead)",
        )
        production = parser.add_argument_group(
            "production", "gunicorn with several processes; background tasks by `mnr worker`"
        )
        production.add_argument(
            "--production",
            action="store_true",
            help="serve with gunicorn's worker processes, PostgreSQL only, no task worker inside",
        )
        production.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            help="gunicorn worker processes (default: two per core plus one, "
            f"{default_workers()} here)",
        )
        production.add_argument(
            "--bind",
            action="append",
            help="address to listen on, HOST:PORT or unix:PATH, repeatable "
            "(default: --host and --port)",
        )
        production.add_argument(
            "--timeout",
            type=int,
            default=60,
            help="seconds a request may take before its worker is restarted (default 60)",
        )
        production.add_argument(
            "--max-requests",
            type=int,
            default=1000,
            help="replace a worker after about this many requests (default 1000; 0: never)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from mnr.web.production import collect_static_files

        if options["production"]:
            self._serve_production(options)
            return
        from waitress import serve

        # Before the application loads: WhiteNoise lists the collected files when it starts.
        if collected := collect_static_files():
            self.stdout.write(collected)
        from mnr.wsgi import application

        if not options["no_worker"] and _queues_tasks():
            from mnr.reports.worker import start_worker_thread

            start_worker_thread()
            self.stdout.write("mnr worker: running background tasks beside the web server")
        self.stdout.write(
            f"mnr is at http://{options['host']}:{options['port']}/  (Ctrl-C stops it)"
        )
        self.stdout.flush()
        serve(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"] or 8,
        )

    def _serve_production(self, options: dict[str, Any]) -> None:
        from mnr.web import production

        for name in ("workers", "timeout"):
            if options[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be 1 or more")
        if options["max_requests"] < 0:
            raise CommandError("--max-requests must be 0 or more")
        for warning in production.check_production():
            self.stderr.write(f"warning: {warning}")
        if collected := production.collect_static_files():
            self.stdout.write(collected)
        from mnr.wsgi import application

        binds = options["bind"] or [f"{options['host']}:{options['port']}"]
        self.stdout.write(
            f"mnr (production): gunicorn, {options['workers']} worker processes, at "
            f"{', '.join(binds)}; {production.database_description()}."
        )
        self.stdout.write(
            "Background tasks (report builds, robustness runs) are NOT run here: run one or "
            "more `mnr worker` processes, on this host or others, with the same DATABASE_URL "
            "and MNR_EVIDENCE_DIR."
        )
        self.stdout.flush()
        production.run(
            application,
            production.gunicorn_options(
                binds=binds,
                workers=options["workers"],
                threads=options["threads"] or 1,
                timeout=options["timeout"],
                max_requests=options["max_requests"],
            ),
        )


def _queues_tasks() -> bool:
    from django.conf import settings

    return bool(settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db."))
