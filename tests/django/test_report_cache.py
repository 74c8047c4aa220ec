"""Published reports are rendered once per language and format, in a background task, and
served from the stored rendering; previews stay live."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from mnr.publications.models import RenderedReport
from mnr.reports import cache
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queued(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks queued in the database, as in production, for a worker run inside the test.

    The worker closes connections it finds outside autocommit, as the test's transaction
    is: that housekeeping is left out here.
    """
    from django_tasks_db.management.commands import db_worker

    settings.TASKS = DATABASE_TASKS
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every report built from a publication, as (round, language)."""
    built: list[tuple[str, str]] = []
    real = cache.build_report

    def counting(round_: Round, lang: str = "en", **options: Any) -> Any:
        built.append((round_.code, lang))
        return real(round_, lang, **options)

    monkeypatch.setattr(cache, "build_report", counting)
    return built


def report(round_: Round, **params: str) -> Any:
    return Client().get(reverse("round-report", args=[round_.code]), params)


def test_second_request_serves_the_stored_report_without_building_it(
    published_review_round: Round, builds: list[tuple[str, str]]
) -> None:
    first = report(published_review_round)
    second = report(published_review_round)
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert published_review_round.title.encode() in second.content
    assert builds == [(published_review_round.code, "en")]
    stored = RenderedReport.objects.get()
    assert (stored.lang, stored.format, stored.status) == ("en", "html", "ready")
    assert bytes(stored.content) == first.content


def test_each_language_is_rendered_and_stored_apart(
    published_review_round: Round, builds: list[tuple[str, str]]
) -> None:
    english = report(published_review_round, lang="en")
    french = report(published_review_round, lang="fr")
    report(published_review_round, lang="fr")
    assert english.content != french.content
    assert b'lang="fr"' in french.content
    assert sorted(builds) == [
        (published_review_round.code, "en"),
        (published_review_round.code, "fr"),
    ]
    assert sorted(RenderedReport.objects.values_list("lang", flat=True)) == ["en", "fr"]


def test_pdf_is_printed_from_the_stored_html_and_stored_too(
    published_review_round: Round, builds: list[tuple[str, str]]
) -> None:
    report(published_review_round)
    url = reverse("round-report-pdf", args=[published_review_round.code])
    first, second = Client().get(url), Client().get(url)
    assert first["Content-Type"] == "application/pdf" and first.content.startswith(b"%PDF")
    assert second.content == first.content
    assert builds == [(published_review_round.code, "en")]  # the HTML's build only
    assert RenderedReport.objects.filter(format="pdf", status="ready").count() == 1


def test_preview_is_built_live_on_every_request_and_never_stored(
    personas: dict[str, Any], published_review_round: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mnr.web import report_views

    previews: list[bool] = []
    real = report_views.build_report

    def counting(round_: Round, lang: str = "en", **options: Any) -> Any:
        previews.append(options.get("preview", False))
        return real(round_, lang, **options)

    monkeypatch.setattr(report_views, "build_report", counting)
    analyst = Client()
    analyst.force_login(personas["analyst"])
    url = reverse("round-report", args=[published_review_round.code])
    assert analyst.get(url, {"preview": "1"}).status_code == 200
    assert analyst.get(url, {"preview": "1"}).status_code == 200
    assert previews == [True, True]
    assert not RenderedReport.objects.exists()


def test_report_being_built_shows_progress_then_the_report(
    published_review_round: Round, queued: None
) -> None:
    pending = report(published_review_round)
    assert pending.status_code == 202
    assert pending["Refresh"].isdecimal()
    assert b"being prepared" in pending.content
    assert RenderedReport.objects.get().status == "pending"
    again = report(published_review_round)
    assert again.status_code == 202
    assert RenderedReport.objects.count() == 1  # asking again queues nothing more

    call_command("worker", "--once", stdout=_Discard())

    built = report(published_review_round)
    assert built.status_code == 200
    assert published_review_round.title.encode() in built.content
    assert "Refresh" not in built


def test_pdf_being_built_shows_the_progress_page(
    published_review_round: Round, queued: None
) -> None:
    url = reverse("round-report-pdf", args=[published_review_round.code])
    pending = Client().get(url)
    assert pending.status_code == 202 and pending["Content-Type"].startswith("text/html")
    call_command("worker", "--once", stdout=_Discard())
    assert Client().get(url).content.startswith(b"%PDF")


def test_failed_build_says_so_and_keeps_its_reason(
    published_review_round: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **options: Any) -> Any:
        raise RuntimeError("no fonts")

    monkeypatch.setattr(cache, "build_report", broken)
    response = report(published_review_round)
    assert response.status_code == 500
    assert b"could not be prepared" in response.content
    assert b"no fonts" not in response.content
    stored = RenderedReport.objects.get()
    assert stored.status == "failed" and "no fonts" in stored.error


def test_worker_once_runs_what_is_queued_and_stops(
    published_review_round: Round, queued: None
) -> None:
    report(published_review_round, lang="en")
    report(published_review_round, lang="es")
    out = _Discard()
    call_command("worker", "--once", stdout=out)
    assert "ran 2 task(s)" in out.text
    assert set(RenderedReport.objects.values_list("status", flat=True)) == {"ready"}
    idle = _Discard()
    call_command("worker", "--once", stdout=idle)
    assert "ran 0 task(s)" in idle.text


def test_worker_refuses_when_tasks_run_in_the_request() -> None:
    with pytest.raises(CommandError, match="no queue"):
        call_command("worker", "--once")


class _Discard:
    """Collects what a command writes."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


@pytest.mark.parametrize(("options", "started"), [((), 1), (("--no-worker",), 0)])
def test_serve_runs_a_worker_beside_the_web_server_unless_told_not_to(
    settings: Any, monkeypatch: pytest.MonkeyPatch, options: tuple[str, ...], started: int
) -> None:
    import waitress

    from mnr.reports import worker

    settings.TASKS = DATABASE_TASKS
    threads: list[None] = []
    monkeypatch.setattr(worker, "start_worker_thread", lambda: threads.append(None))
    monkeypatch.setattr(waitress, "serve", lambda *args, **kwargs: None)
    out = _Discard()
    call_command("serve", *options, stdout=out)
    assert len(threads) == started
    assert ("running background tasks" in out.text) == bool(started)


def test_serve_runs_no_worker_when_tasks_run_in_the_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import waitress

    from mnr.reports import worker

    threads: list[None] = []
    monkeypatch.setattr(worker, "start_worker_thread", lambda: threads.append(None))
    monkeypatch.setattr(waitress, "serve", lambda *args, **kwargs: None)
    call_command("serve", stdout=_Discard())
    assert threads == []


def test_worker_thread_stops_with_its_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    from mnr.reports import worker as worker_module

    runs: list[str] = []

    class Idle:
        def run(self) -> None:
            runs.append("ran")

    monkeypatch.setattr(worker_module, "make_worker", lambda **options: Idle())
    started = worker_module.start_worker_thread()
    assert isinstance(started, Idle)
    for thread in threading.enumerate():
        if thread.name == "mnr-worker":
            thread.join(timeout=5)
    assert runs == ["ran"]


def test_build_lost_with_its_worker_is_queued_again_once_stale(
    published_review_round: Round, queued: None
) -> None:
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    report(published_review_round)
    assert DBTaskResult.objects.count() == 1
    DBTaskResult.objects.all().delete()  # the worker stopped during the build
    report(published_review_round)
    assert DBTaskResult.objects.count() == 0  # not stale yet: nothing queued again

    lost = timezone.now() - cache.STALE_BUILD - timedelta(seconds=1)
    RenderedReport.objects.update(queued_at=lost)
    assert report(published_review_round).status_code == 202
    assert report(published_review_round).status_code == 202
    assert DBTaskResult.objects.count() == 1  # queued again, once
    call_command("worker", "--once", stdout=_Discard())
    assert report(published_review_round).status_code == 200
