"""``mnr bench web``: the demo's pages as the web app serves them, through Django's test
client (the whole request: middleware, session, view, template), in threads where visitors
come at once.

- the findings page of the published demo round, for an anonymous visitor;
- the round's published report, served from its stored rendering (built first, by a worker);
- a focal point saving an answer (the JSON save of the questionnaire) while ten anonymous
  visitors download the report's PDF at the same time, over and over.
"""

from __future__ import annotations

import functools
import json
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connections
from django.test import Client
from django.urls import reverse

from mnr.findings.management.commands import bench
from mnr.publications.models import RenderedReport
from mnr.surveys.models import Round, Submission


def run_web_benchmark(write: Callable[[str], object], repeat: int) -> list[str]:
    """Print each measure with its median and target; the names of those missed."""
    from mnr.demo import OPEN_ROUND, load_demo

    round_ = load_demo().round
    _build_reports(round_)
    anonymous = _client()
    missed = []
    findings = reverse("round-findings", args=[round_.code])
    report = reverse("round-report", args=[round_.code])
    for label, url, target in (
        ("findings page", findings, bench.WEB_FINDINGS_TARGET_SECONDS),
        ("cached report", report, bench.WEB_CACHED_REPORT_TARGET_SECONDS),
    ):
        _get(anonymous, url)  # the first request of a process pays its imports
        timings = [_timed(functools.partial(_get, anonymous, url)) for _ in range(repeat)]
        if not _report(write, label, timings, target):
            missed.append(label)
    timings = _saves_during_downloads(round_, OPEN_ROUND, repeat)
    label = f"save during {bench.WEB_PDF_VISITORS} PDF downloads"
    if not _report(write, label, timings, bench.WEB_SAVE_TARGET_SECONDS):
        missed.append("save")
    return missed


def _build_reports(round_: Round) -> None:
    """The English HTML and PDF of the latest publication, built by a worker if not stored."""
    from mnr.publications.reading import require_publication
    from mnr.reports.cache import rendered_report
    from mnr.reports.worker import make_worker

    publication = require_publication(round_)
    pending = [
        rendered_report(publication, "en", fmt).status != RenderedReport.Status.READY
        for fmt in (RenderedReport.Format.HTML, RenderedReport.Format.PDF)
    ]
    if any(pending):
        make_worker(once=True, interval=0).run()


def _client() -> Client:
    """A client on the loopback host, which the settings allow."""
    return Client(HTTP_HOST="127.0.0.1")


def _get(client: Client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}, not 200")


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _report(
    write: Callable[[str], object], label: str, timings: list[float], target: float
) -> bool:
    median = statistics.median(timings)
    met = median < target
    write(
        f"web {label}: median {1000 * median:.1f} ms of {len(timings)} (best "
        f"{1000 * min(timings):.1f} ms, worst {1000 * max(timings):.1f} ms; target under "
        f"{1000 * target:.0f} ms: {'met' if met else 'MISSED'})"
    )
    return met


def _saves_during_downloads(round_: Round, open_round: str, repeat: int) -> list[float]:
    """Time the focal point's saves while the visitors download the PDF without pause."""
    from django.contrib.auth import get_user_model

    focal = get_user_model().objects.get(username="demo-focal")
    submission = _writable_submission(focal, open_round)
    saver = _client()
    saver.force_login(focal)
    pdf = reverse("round-report-pdf", args=[round_.code])
    save = reverse("submission-save", args=[submission.pk])
    stop = threading.Event()
    downloads: list[int] = []

    def visitor() -> None:
        client = _client()
        try:
            while not stop.is_set():
                _get(client, pdf)
                downloads.append(1)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visitor) for _ in range(bench.WEB_PDF_VISITORS)]
    for thread in threads:
        thread.start()
    timings = []
    try:
        version = _version(submission)
        for turn in range(repeat):
            body = {WEB_SAVE: {"value": "yes" if turn % 2 else "no", "expected_version": version}}
            started = time.perf_counter()
            response = saver.post(
                save, data=json.dumps({"answers": body}), content_type="application/json"
            )
            timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(
                    f"the save answered {response.status_code}: {response.content!r}"
                )
            version = response.json()["versions"][WEB_SAVE]
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    if not downloads:
        raise RuntimeError("no PDF was downloaded during the saves")
    return timings


WEB_SAVE = bench.WEB_SAVE_QUESTION


def _writable_submission(user: Any, open_round: str) -> Submission:
    """The focal point's government submission of the open round, opened as they would."""
    from mnr.errors import MnrError
    from mnr.jurisdictions.models import Jurisdiction
    from mnr.surveys.actions import open_submission
    from mnr.surveys.models import Round

    round_ = Round.objects.get(code=open_round)
    for jurisdiction in Jurisdiction.objects.filter(participations__round=round_):
        try:
            return open_submission(
                round_, jurisdiction, "government", acting_user=user, source="bench"
            )
        except (MnrError, PermissionDenied):  # not this focal point's jurisdiction
            continue
    raise RuntimeError(f"demo-focal may answer no submission of {open_round}")


def _version(submission: Submission) -> int:
    from mnr.surveys.models import Answer

    answer = Answer.objects.filter(submission=submission, question__code=WEB_SAVE).first()
    return answer.version if answer else 0
