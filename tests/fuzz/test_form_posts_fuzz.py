"""Fuzzing every page of the site with hostile input: each case of the permission matrix
(tests/url_matrix.py: every URL with its form fields) is requested by the administrator, who
may do everything, with its fields' values replaced by hostile text (unicode, control
characters and NUL, formulas, very long text), fields added or dropped, and hostile query
parameters. Whatever the page: never a 500 (the test client raises what a view raises);
a refused post (not 200 or 302) writes nothing to the audit log.

tests/django/test_url_matrix.py sends each case its valid fields as every persona; this sends
the administrator's spoiled ones."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.audit import last_event_id
from tests.mutations import FUZZ, hostile_text
from tests.url_matrix import CASES, World, post_json, shared_world

pytestmark = pytest.mark.django_db

# Pages whose request ends the administrator's session or needs a state of their own.
SKIPPED = {"logout"}
NAMES = sorted(name for name in CASES if name not in SKIPPED)


@pytest.fixture(scope="module")
def world(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    # The permission matrix's world: built once, rolled back after the last test.
    with shared_world(django_db_blocker, tmp_path_factory.getbasetemp() / "evidence") as world:
        yield world


def sendable(text: str) -> str:
    """What a browser can send: UTF-8 text (a lone surrogate is not)."""
    return text.encode("utf-8", "replace").decode()


@st.composite
def spoiled_fields(draw: st.DrawFn, fields: dict[str, Any]) -> dict[str, Any]:
    spoiled: dict[str, Any] = {}
    for name, value in fields.items():
        choice = draw(st.sampled_from(["keep", "hostile", "hostile", "drop"]))
        if choice == "keep":
            spoiled[name] = value
        elif choice == "hostile":
            spoiled[name] = sendable(draw(hostile_text))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        spoiled[sendable(draw(hostile_text)) or "x"] = sendable(draw(hostile_text))
    return spoiled


@settings(FUZZ, max_examples=min(FUZZ.max_examples * 2, 80))
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_no_page_answers_hostile_fields_with_a_server_error(
    world: World, data: st.DataObject, name: str
) -> None:
    from unittest import mock

    case = CASES[name]
    fake_pdf = b"%PDF-1.7\n% fuzz\n"
    query = data.draw(
        st.dictionaries(
            st.sampled_from(["domain", "q", "status", "sort", "page", "lang", "by", "round"]),
            hostile_text.map(sendable),
            max_size=2,
        ),
        label="query",
    )
    client = Client()
    client.force_login(world.personas["administrator"])
    with (
        mock.patch("mnr.web.report_views.render_pdf", return_value=fake_pdf),
        mock.patch("mnr.reports.cache.pdf_of_html", return_value=fake_pdf),
        transaction.atomic(),
    ):
        if case.state is not None:
            case.state(world)
        url = case.url(world)
        before = last_event_id()
        if case.method == "get":
            response = client.get(url, query)
        else:
            fields = data.draw(spoiled_fields(case.data(world)), label="fields")
            if case.method == "json":
                response = post_json(client, url, fields)
            else:
                response = client.post(url + "?" + _encoded(query), fields)
            if response.status_code not in (200, 302):
                assert last_event_id() == before, f"{name}: refused but audited"
        transaction.set_rollback(True)
    assert response.status_code < 500, (name, response.status_code)


def _encoded(query: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(query)
