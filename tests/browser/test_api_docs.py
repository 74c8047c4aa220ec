"""The API's interactive docs in Chromium, with every request outside the app refused: they
load from the app's own files, list every operation, and run one."""

from __future__ import annotations

from typing import Any

import pytest

from mnr.api.main import api

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect


def test_docs_work_offline_and_try_an_operation(live_server: Any, new_page: Any) -> None:
    page = new_page()
    outside: list[str] = []

    def only_the_app(route: Any) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_app)
    page.goto(f"{live_server.url}/api/docs")
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    operations = sum(
        1 for item in schema["paths"].values() for method in item if method != "parameters"
    )
    expect(page.locator(".opblock")).to_have_count(operations)

    block = page.locator("#operations-reference-get_jurisdiction")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_placeholder("code").fill("KE")
    block.get_by_role("button", name="Execute").click()
    answered = block.locator(".live-responses-table tbody")
    expect(answered.locator(".response-col_status").first).to_have_text("200")
    expect(answered.locator(".microlight").first).to_contain_text("Kenya")
    assert outside == []
