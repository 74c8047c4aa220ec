"""`mnr loadtest`'s guards and its report, without running locust (the load test itself runs
in CI through scripts/load_test.sh --short)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mnr.errors import MnrError
from mnr.web import loadtest

STATS_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)


@pytest.mark.parametrize(
    "host",
    [
        "http://example.org:8000",
        "https://127.0.0.1:8000",
        "http://10.0.0.1:8000",
        "http://127.0.0.1.example.org:8000",
        "http://127.0.0.1:8000/rounds/",
        "127.0.0.1:8000",
    ],
)
def test_load_test_refuses_any_server_but_this_machine_s(host: str) -> None:
    with pytest.raises(MnrError, match=r"this machine only|without a path"):
        loadtest.loopback_url(host)


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://[::1]:8000/", "http://[::1]:8000"),
        ("http://localhost:9000", "http://localhost:9000"),
    ],
)
def test_load_test_takes_the_loopback_addresses(host: str, url: str) -> None:
    assert loadtest.loopback_url(host) == url


def test_the_command_refuses_another_host_before_touching_anything() -> None:
    with pytest.raises(CommandError, match="this machine only"):
        call_command("loadtest", host="http://example.org")


@pytest.mark.parametrize(("text", "seconds"), [("20s", 20), ("2m", 120), ("90", 90), ("1h", 3600)])
def test_durations_are_read_in_seconds(text: str, seconds: int) -> None:
    assert loadtest.duration_seconds(text) == seconds


@pytest.mark.parametrize("text", ["0", "2h", "forever", "-5", "1.5m"])
def test_unbounded_or_unreadable_durations_are_refused(text: str) -> None:
    with pytest.raises(MnrError, match="--duration"):
        loadtest.duration_seconds(text)


@pytest.mark.django_db
def test_the_load_test_needs_the_published_demo() -> None:
    with pytest.raises(MnrError, match="load the demo first"):
        loadtest.prepare_focal_points(2)


def test_the_report_has_p50_and_p95_per_endpoint_and_the_failures(tmp_path: Path) -> None:
    (tmp_path / "run_stats.csv").write_text(
        f"{STATS_HEADER}\n"
        "GET,findings page,40,0,31,35.2,20,90,148604,1.3,0.0,31,33,36,40,50,61,80,90,90,90,90\n"
        "POST,save answer,25,1,12,14.0,8,40,300,0.8,0.03,12,13,14,15,20,27,40,40,40,40,40\n"
        ",Aggregated,65,1,20,26.0,8,90,90000,2.1,0.03,20,30,33,35,45,58,80,90,90,90,90\n"
    )
    (tmp_path / "run_failures.csv").write_text(
        "Method,Name,Error,Occurrences\nPOST,save answer,409 instead of 200,1\n"
    )
    rows = loadtest.read_stats(tmp_path / "run")
    assert [(row.name, row.requests, row.failures, row.p50, row.p95) for row in rows] == [
        ("findings page", 40, 0, "31", "61"),
        ("save answer", 25, 1, "12", "27"),
        ("Aggregated", 65, 1, "20", "58"),
    ]
    table = loadtest.stats_table(rows)
    assert "| findings page | 40 | 0 | 31 | 61 | 1.3 |" in table
    assert loadtest.read_failures(tmp_path / "run") == [
        "POST save answer: 409 instead of 200, 1 occurrence(s)"
    ]
