from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.errors import MnrError
from mnr.web import loadtest

LOCUSTFILE = Path(loadtest.__file__).with_name("locustfile.py")
# Seconds locust may take beyond the run time to start its users and stop them.
GRACE_SECONDS = 120


class Command(MnrCommand):
    help = (
        "Load test a local mnr with locust (loopback only, stops by itself): anonymous visitors "
        "of the demo's published round and focal points saving answers; per-endpoint p50/p95; "
        "exit status 1 on any failed request (docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host", required=True, help="the server, on this machine: http://127.0.0.1:PORT"
        )
        parser.add_argument("--users", type=int, default=50, help="anonymous visitors (50)")
        parser.add_argument(
            "--focal-points",
            type=int,
            default=10,
            help="focal points saving answers, each of its own jurisdiction (10)",
        )
        parser.add_argument("--duration", default="2m", help="run time: 20s, 2m… (2m)")
        parser.add_argument(
            "--csv", type=Path, help="keep locust's CSV statistics under this prefix"
        )

    def run(self, *args: Any, **options: Any) -> None:
        host = loadtest.loopback_url(options["host"])
        seconds = loadtest.duration_seconds(options["duration"])
        if options["users"] < 0 or options["focal_points"] < 0:
            raise MnrError("--users and --focal-points must be 0 or more")
        if options["users"] + options["focal_points"] == 0:
            raise MnrError("nobody to simulate: give --users or --focal-points")
        if importlib.util.find_spec("locust") is None:
            raise MnrError(
                "locust is not installed: install the test tools (./dev test does, or "
                "pip install -e '.[dev]')"
            )
        focal_round, focal_points = loadtest.prepare_focal_points(options["focal_points"])
        plan = loadtest.load_test_plan(focal_round, focal_points)
        self.stdout.write(
            f"Round {focal_round.code}: {len(focal_points)} focal points of synthetic "
            "jurisdictions, one draft each."
        )
        report = f"/rounds/{plan['round']}/report"
        loadtest.warm_up(host, [f"{report}/", f"{report}.pdf"])
        with tempfile.TemporaryDirectory(prefix="mnr-loadtest-") as scratch:
            plan_file = Path(scratch) / "plan.json"
            plan_file.write_text(json.dumps(plan))
            prefix = options["csv"] or Path(scratch) / "locust"
            prefix.parent.mkdir(parents=True, exist_ok=True)
            self._run_locust(host, options, seconds, plan_file, prefix)
            rows = loadtest.read_stats(prefix)
            failures = loadtest.read_failures(prefix)
        self.stdout.write(loadtest.stats_table(rows))
        total = rows[-1]
        if total.failures or failures:
            raise MnrError(
                f"{total.failures} of {total.requests} requests failed:\n" + "\n".join(failures)
            )
        self.stdout.write(
            f"{total.requests} requests in {seconds} s ({total.rps:.1f}/s), none failed."
        )

    def _run_locust(
        self, host: str, options: dict[str, Any], seconds: int, plan: Path, prefix: Path
    ) -> None:
        users = options["users"] + options["focal_points"]
        self.stdout.write(
            f"locust: {options['users']} visitors and {options['focal_points']} focal points "
            f"against {host} for {seconds} s"
        )
        self.stdout.flush()
        command = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--host",
            host,
            "--users",
            str(users),
            # Everyone started within the first few seconds (at most a tenth of the run).
            "--spawn-rate",
            str(max(users / max(min(seconds / 10, 10), 1), 1)),
            "--run-time",
            f"{seconds}s",
            # Requests in flight at the end may finish (on a saturated machine they take
            # seconds).
            "--stop-timeout",
            "30",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ]
        environment = {**os.environ, "MNR_LOADTEST_PLAN": str(plan)}
        try:
            subprocess.run(command, env=environment, timeout=seconds + GRACE_SECONDS, check=False)
        except subprocess.TimeoutExpired as error:
            raise MnrError(f"locust did not stop {GRACE_SECONDS} s after its run time") from error
