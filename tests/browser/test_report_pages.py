"""The report opens offline as one file, and the findings page draws its chart with the
vega-embed bundle the application serves."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from mnr.demo import load_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_html_report_opens_offline(new_page: Any, tmp_path: Path) -> None:
    load_demo()
    report = tmp_path / "report.html"
    call_command(
        "report", "--round", "review-2021", "--format", "html", "-o", str(report), stderr=StringIO()
    )
    page = new_page()
    others: list[str] = []

    def only_the_file(route: Any) -> None:
        if route.request.url == report.as_uri():
            route.continue_()
        else:
            others.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    page.context.set_offline(True)
    page.goto(report.as_uri())
    assert others == []  # nothing else is fetched: styles and charts are inside the file
    assert page.get_by_role("heading", name="Key findings").is_visible()
    snapshot = page.locator("#snapshot svg")
    assert snapshot.is_visible() and snapshot.bounding_box()["width"] > 300
    link = page.locator("#finding-F01 a")
    assert link.inner_text() == "(76 per cent, 32 of 42)"
    link.click()
    assert page.evaluate("location.hash") == "#annex-F01"
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)


def test_findings_page_draws_the_interactive_snapshot(new_page: Any, live_server: Any) -> None:
    load_demo()
    page = new_page()
    page.goto(f"{live_server.url}/rounds/review-2021/findings/")
    chart = page.locator("#findings-chart svg")
    chart.wait_for()
    assert chart.bounding_box()["height"] > 200
    assert (
        "C11" in page.locator("#findings-chart").inner_text() or chart.locator("text").count() > 20
    )
