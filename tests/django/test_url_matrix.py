"""The permission matrix (tests/url_matrix.py): every URL of the site answers every persona as
the table says, a refused POST writes nothing, and no URL is missing from the table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse
from tests.audit import changed_tables, last_event_id
from tests.url_matrix import (
    ADMIN_LOGIN,
    ADMIN_STANDS_FOR,
    CASES,
    LOGIN,
    PERSONAS,
    Case,
    World,
    covered,
    post_json,
    shared_world,
    url_names,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The world of tests.url_matrix.shared_world."""
    with shared_world(django_db_blocker, tmp_path_factory.getbasetemp() / "evidence") as world:
        yield world


@contextmanager
def rolled_back() -> Iterator[None]:
    """Each persona's request on the same world: what one persona's POST wrote is undone."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@contextmanager
def quick_pdfs() -> Iterator[None]:
    """PDFs as a few fixed bytes: who gets a PDF is decided before it is drawn, and drawing
    the report's (WeasyPrint) takes seconds each time."""
    fake = b"%PDF-1.7\n% drawn by the matrix test\n"
    with (
        mock.patch("mnr.web.report_views.render_pdf", return_value=fake),
        mock.patch("mnr.reports.cache.pdf_of_html", return_value=fake),
    ):
        yield


# Loaded by the migrations and written by no page (nor by the admin, which is read only):
# compared by their number of rows only, to keep the snapshot before and after each of the
# ~300 posts cheap.
REFERENCE_TABLES = {
    "auth.permission",
    "contenttypes.contenttype",
    "frameworks.instrumentquestion",
    "frameworks.instrumentquestion_capabilities",
    "frameworks.phasedescriptor",
    "frameworks.question",
    "jurisdictions.incomeclassification",
    "jurisdictions.jurisdiction",
}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """``tests.audit.database_state``, reference tables by their number of rows."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        name = model._meta.label_lower
        rows = model._default_manager.order_by("pk")
        state[name] = [(rows.count(),)] if name in REFERENCE_TABLES else list(rows.values_list())
    return state


def outcome_of(response: Any) -> int | str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith(reverse("login") + "?next="):
            return LOGIN
        if location.startswith(reverse("admin:login") + "?next="):
            return ADMIN_LOGIN
    return int(response.status_code)


def signed_in(world: World, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(world.personas[persona])
    return client


def request(case: Case, url: str, data: dict[str, Any], client: Client) -> Any:
    if case.method == "get":
        return client.get(url)
    if case.method == "json":
        return post_json(client, url, data)
    return client.post(url, data)


def run(case: Case, world: World, persona: str) -> str | None:
    """What differs from the table for ``persona``, or None."""
    if case.state is not None:
        case.state(world)
    client = signed_in(world, persona)
    url, data = case.url(world), case.data(world)
    before_event = last_event_id()
    before = snapshot() if case.method != "get" else {}
    response = request(case, url, data, client)
    got = outcome_of(response)
    wanted = case.expected[PERSONAS.index(persona)]
    if got != wanted:
        return f"{persona}: expected {wanted}, got {got} {response.content[:300]!r}"
    if case.method == "get":
        return None
    accepted = isinstance(got, int) and got in (200, 302)
    if not accepted:
        changed = changed_tables(before, snapshot())
        if changed:
            return f"{persona}: refused with {got} but wrote to {', '.join(changed)}"
    elif case.writes and last_event_id() == before_event:
        return f"{persona}: accepted with {got} but recorded no audit event (did it do anything?)"
    return None


@pytest.mark.parametrize("case_name", sorted(CASES))
def test_every_url_answers_each_persona_as_the_matrix_says(world: World, case_name: str) -> None:
    case = CASES[case_name]
    problems = []
    with quick_pdfs():
        for persona in PERSONAS:
            if case.method == "get" and case.state is None:
                # Nothing to undo: the report's stored renderings are kept for the next one.
                problem = run(case, world, persona)
            else:
                with rolled_back():
                    problem = run(case, world, persona)
            if problem:
                problems.append(problem)
    assert not problems, f"{case.method.upper()} {case.name} ({case_name}):\n" + "\n".join(problems)


def test_every_url_of_the_site_is_in_the_matrix() -> None:
    missing = sorted(name for name in url_names() if not covered(name))
    assert not missing, (
        "URL patterns without a row in the permission matrix (add a Case to CASES in "
        "tests/url_matrix.py saying what each persona gets): " + ", ".join(missing)
    )


def test_every_url_name_of_the_matrix_exists() -> None:
    names = url_names()
    stale = sorted({case.name for case in CASES.values()} - names)
    assert not stale, "the matrix has rows for URL names the site no longer has: " + ", ".join(
        stale
    )
    assert set(ADMIN_STANDS_FOR) <= names


def test_the_completeness_check_names_a_page_the_matrix_lacks() -> None:
    from django.urls import path

    from mnr.web import views

    extra = path("matrix-probe/", views.home, name="matrix-probe")
    with mock.patch("tests.url_matrix.get_resolver") as resolver:
        resolver.return_value.url_patterns = [extra]
        assert url_names() == {"matrix-probe"}
    assert not covered("matrix-probe")
    assert covered("home") and covered("admin:surveys_round_changelist")
