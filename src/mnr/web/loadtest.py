"""`mnr loadtest`: locust against a local mnr (docs/operations.md, "Load test").

Loopback only and bounded in time. It runs against the synthetic demo: anonymous visitors read
the published demo round (findings, report page and PDF, capability pages, the public API) and
focal points, each of its own synthetic jurisdiction in a round made for the run, save answers
through the questionnaire's own save endpoint. locust is a test tool (the dev extra)."""

from __future__ import annotations

import csv
import re
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction

from mnr.accounts.actions import assign_role, create_user
from mnr.accounts.models import Role
from mnr.demo import DEMO_ROUND
from mnr.errors import MnrError
from mnr.frameworks.models import Capability, InstrumentQuestion
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.models import Publication
from mnr.surveys import actions
from mnr.surveys.models import Round

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
CHANNEL = "government"
# Longest run accepted: the load test must always stop by itself, and soon.
MAX_SECONDS = 3600
_DURATION = re.compile(r"^(\d+)([smh]?)$")


def loopback_url(host: str) -> str:
    """``host`` when it is an http URL of this machine's loopback interface; refused otherwise,
    so that the load test can never be pointed at somebody else's server."""
    parts = urlsplit(host)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise MnrError(
            f"--host {host}: the load test runs against this machine only: give "
            "http://127.0.0.1:PORT, http://[::1]:PORT or http://localhost:PORT."
        )
    if parts.path not in ("", "/") or parts.query:
        raise MnrError(f"--host {host}: give the server's address without a path")
    return f"{parts.scheme}://{parts.netloc}"


def duration_seconds(text: str) -> int:
    """``90``, ``90s``, ``2m`` or ``1h`` in seconds, between 1 and an hour."""
    found = _DURATION.match(text.strip())
    if not found:
        raise MnrError(f"--duration {text}: give seconds (90, 90s), minutes (2m) or hours (1h)")
    seconds = int(found.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[found.group(2)]
    if not 1 <= seconds <= MAX_SECONDS:
        raise MnrError(f"--duration {text}: between 1 second and {MAX_SECONDS // 60} minutes")
    return seconds


@dataclass(frozen=True)
class FocalPoint:
    username: str
    password: str
    jurisdiction: str
    submission: int


def published_demo_round() -> Round:
    """The synthetic demo's published round: the load test reads it and refuses anything else,
    since it adds a round and users to the database it runs on."""
    round_ = Round.objects.filter(code=DEMO_ROUND).first()
    if round_ is None or not Publication.objects.filter(round=round_).exists():
        raise MnrError(
            f"the database has no published demo round {DEMO_ROUND}: load the demo first "
            "(mnr demo --no-serve), on a database of its own"
        )
    if not round_.synthetic:
        raise MnrError(f"round {DEMO_ROUND} is not synthetic: the load test runs on the demo only")
    return round_


@transaction.atomic
def prepare_focal_points(count: int) -> tuple[Round, list[FocalPoint]]:
    """A round of this run, open, with ``count`` synthetic jurisdictions of the demo, each with
    a focal point of its own (a fresh password) and a draft submission."""
    published = published_demo_round()
    codes = list(
        Jurisdiction.objects.filter(participations__round=published)
        .order_by("code")
        .values_list("code", flat=True)[:count]
    )
    if len(codes) < count:
        raise MnrError(
            f"--focal-points {count}: the demo has {len(codes)} jurisdictions, one each at most"
        )
    run = secrets.token_hex(3)
    round_ = actions.create_round(
        f"load-test-{run}",
        instrument=published.instrument.code,
        title=f"Load test {run} (synthetic)",
        channels=[CHANNEL],
        income_fiscal_year=published.income_fiscal_year,
        synthetic=True,
        source="loadtest",
    )
    actions.add_participants(round_, codes, source="loadtest")
    actions.set_round_status(round_, Round.Status.OPEN, source="loadtest")
    focal_points = []
    for number, code in enumerate(codes, start=1):
        jurisdiction = Jurisdiction.objects.get(code=code)
        password = secrets.token_urlsafe(18)
        user = create_user(f"load-{run}-focal-{number:02}", password, source="loadtest")
        assign_role(
            user, Role.FOCAL_POINT, jurisdiction=jurisdiction, round_=round_, source="loadtest"
        )
        submission = actions.open_submission(round_, jurisdiction, CHANNEL, source="loadtest")
        focal_points.append(FocalPoint(user.username, password, code, submission.pk))
    return round_, focal_points


def load_test_plan(focal_round: Round, focal_points: list[FocalPoint]) -> dict[str, Any]:
    """What the locust users read and write, for the locustfile (as JSON)."""
    published = published_demo_round()
    publication = Publication.objects.filter(round=published).order_by("-number").first()
    assert publication is not None
    questions = [
        [question.code, question.choice_codes]
        for question in InstrumentQuestion.objects.filter(
            instrument=focal_round.instrument, type="select_one", relevant__isnull=True
        ).order_by("position")
        if question.asked_of(CHANNEL) and question.choice_codes
    ]
    edition = published.instrument.edition
    capabilities = list(
        Capability.objects.filter(edition=edition).order_by("code").values_list("code", flat=True)
    )
    return {
        "round": published.code,
        "publication": publication.pk,
        "capability_pages": [
            f"/framework/{edition.code}/capabilities/{capability}/" for capability in capabilities
        ],
        "questions": questions,
        "focal_points": [point.__dict__ for point in focal_points],
    }


def warm_up(host: str, paths: list[str], *, timeout: float = 180) -> None:
    """Ask for each path until it is served (200): the published report's HTML and PDF are
    built by a worker on their first request, and the load test measures serving them."""
    deadline = time.monotonic() + timeout
    for path in paths:
        while True:
            status = _status(host + path)
            if status == 200:
                break
            if time.monotonic() > deadline:
                raise MnrError(
                    f"{path} still answers {status} after {timeout:.0f} s: is an `mnr worker` "
                    "running on the server's database?"
                )
            time.sleep(1)


def _status(url: str) -> int:
    # As the load test's users do: through the simulated TLS proxy.
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@dataclass(frozen=True)
class EndpointStats:
    name: str
    requests: int
    failures: int
    p50: str
    p95: str
    rps: float


def read_stats(csv_prefix: Path) -> list[EndpointStats]:
    """Per endpoint and in total ("Aggregated", last), from locust's ``_stats.csv``."""
    with (csv_prefix.parent / f"{csv_prefix.name}_stats.csv").open(newline="") as stats:
        return [
            EndpointStats(
                name=row["Name"],
                requests=int(row["Request Count"]),
                failures=int(row["Failure Count"]),
                p50=row["50%"],
                p95=row["95%"],
                rps=float(row["Requests/s"]),
            )
            for row in csv.DictReader(stats)
        ]


def stats_table(rows: list[EndpointStats]) -> str:
    lines = [
        "| endpoint | requests | failures | p50 (ms) | p95 (ms) | requests/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {row.name} | {row.requests} | {row.failures} | {row.p50} | {row.p95} | {row.rps:.1f} |"
        for row in rows
    ]
    return "\n".join(lines)


def read_failures(csv_prefix: Path) -> list[str]:
    path = csv_prefix.parent / f"{csv_prefix.name}_failures.csv"
    if not path.exists():
        return []
    with path.open(newline="") as failures:
        return [
            f"{row['Method']} {row['Name']}: {row['Error']}, {row['Occurrences']} occurrence(s)"
            for row in csv.DictReader(failures)
        ]
