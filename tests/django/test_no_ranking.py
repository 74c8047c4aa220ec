"""No ranking: nothing lets an anonymous visitor or a focal point order jurisdictions by
maturity, or learn another jurisdiction's phase (``docs/maturity.md``).

Every maturity URL the project has is found by walking the URL configuration (pages, forms and
the profile and plan downloads alike), so a URL added later is tried too. The round's phases
are chosen so that ordering its jurisdictions by phase, either way, differs from their code
order; the pages that list jurisdictions (the overview, peers) must list them by code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests.maturity import self_assessment_round
from tests.publishing import validate_and_publish

from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import actions, data
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

ROUND = "sa-ranking"
OWN = "KE"
# Phases of three capabilities; by their sum the order is NZ, SE, UY, FJ, KE (or the reverse),
# by code FJ, KE, NZ, SE, UY.
PHASES = {
    "FJ": {"": {"C01": 3, "C03": 1, "C12": 2}},
    "KE": {"": {"C01": 2, "C03": 2, "C12": 1}, "police": {"C01": 2, "C03": 3, "C12": 1}},
    "NZ": {"": {"C01": 4, "C03": 3, "C12": 4}},
    "SE": {"": {"C01": 1, "C03": 4, "C12": 3}},
    "UY": {"": {"C01": 2, "C03": 1, "C12": 4}},
}
CODES = sorted(PHASES)
OTHERS = [code for code in CODES if code != OWN]
# Values for the parts of a maturity URL; a URL with any other part fails the test, so that
# whoever adds it says how to try it here.
FORMATS = ("html", "pdf", "xlsx", "json", "csv")
# What a page might be asked for instead of HTML: the command line's JSON, a breakdown.
QUERIES = ("", "?format=json", "?group=income-group", "?group=region", "?by=region")


@pytest.fixture
def ranking_round(personas: dict[str, Any]) -> Round:
    round_ = self_assessment_round(ROUND, PHASES, confidence="high", evidence="Synthetic.")
    validate_and_publish(round_)  # published: anonymous visitors may open the round itself
    return round_


def client_for(persona: str, personas: dict[str, Any]) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(personas[persona])
    return client


def names() -> dict[str, str]:
    return {code: Jurisdiction.objects.get(code=code).name() for code in CODES}


def maturity_patterns() -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(name, route, the route's parameters) of every URL about maturity, admin aside, and the
    JSON API aside: its maturity endpoints have their own permission matrix and ordering tests
    (tests/api/test_maturity_matrix.py, test_maturity_api.py)."""

    def walk(
        patterns: list[URLPattern | URLResolver], prefix: str, params: tuple[str, ...]
    ) -> Iterator[tuple[str, str, tuple[str, ...]]]:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            found = params + tuple(getattr(entry.pattern, "converters", {}))
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, route, found)
            elif "maturity" in route and not route.startswith(("admin/", "api/")):
                assert entry.name, f"maturity URL {route} has no name"
                yield entry.name, route, found

    yield from walk(get_resolver().url_patterns, "", ())


def maturity_urls(jurisdiction: str | None) -> list[str]:
    """Every maturity URL of the round: about ``jurisdiction``, or (None) about no single one."""
    urls = []
    for name, route, params in maturity_patterns():
        if ("jurisdiction" in params) != (jurisdiction is not None):
            continue
        unknown = set(params) - {"code", "jurisdiction", "capability", "file_format"}
        assert not unknown, f"{route}: say in {__name__} how to try {', '.join(sorted(unknown))}"
        kwargs: dict[str, str] = {"code": ROUND}
        if jurisdiction is not None:
            kwargs["jurisdiction"] = jurisdiction
        if "capability" in params:
            kwargs["capability"] = "C01"
        for file_format in FORMATS if "file_format" in params else ("",):
            if file_format:
                kwargs["file_format"] = file_format
            urls.append(reverse(name, kwargs=kwargs))
    return urls


def test_every_maturity_url_is_found() -> None:
    found = {name for name, _, _ in maturity_patterns()}
    assert {"maturity-round", "maturity-plan", "maturity-phases", "maturity-peers"} <= found
    assert len(maturity_urls(OWN)) > len(maturity_urls(None)) > 0


def refused(response: Any) -> bool:
    """Nothing obtained: not found, not this method, or sent to sign in."""
    if response.status_code in (404, 405):
        return True
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_anonymous_visitor_obtains_nothing_from_any_maturity_url(
    personas: dict[str, Any], ranking_round: Round
) -> None:
    visitor = client_for("anonymous", personas)
    assert visitor.get(reverse("round", args=[ROUND])).status_code == 200  # the round is public
    tried = 0
    for jurisdiction in [None, *CODES]:
        for url in maturity_urls(jurisdiction):
            for query in QUERIES:
                response = visitor.get(url + query, HTTP_ACCEPT="application/json")
                assert refused(response), (url + query, response.status_code)
            assert refused(visitor.post(url, {"peer_exchange": "yes", "version": "1"})), url
            tried += 1
    assert tried >= len(CODES) * 8


def other_jurisdictions_named(body: str, named: dict[str, str]) -> list[str]:
    """The other participants a text names: by name anywhere, by code as a JSON value."""
    found = [code for code in OTHERS if named[code] in body]
    found += [code for code in OTHERS if re.search(rf'"{re.escape(code)}"', body)]
    return found


def test_a_focal_point_obtains_no_other_jurisdiction_s_phase_from_any_maturity_url(
    personas: dict[str, Any], ranking_round: Round
) -> None:
    kenya = client_for("focal_point", personas)
    named = names()
    for code in OTHERS:
        for url in maturity_urls(code):
            for query in QUERIES:
                response = kenya.get(url + query, HTTP_ACCEPT="application/json")
                assert response.status_code in (404, 405), (url + query, response.status_code)
            response = kenya.post(url, {"peer_exchange": "yes", "version": "1"})
            assert response.status_code in (404, 405), (url, response.status_code)
    opened = 0
    for url in maturity_urls(OWN):
        for query in QUERIES if "." not in url.rsplit("/", 1)[-1] else ("",):
            response = kenya.get(url + query, HTTP_ACCEPT="application/json")
            if response.status_code in (404, 405):
                continue
            assert response.status_code == 200, (url + query, response.status_code)
            opened += 1
            if response["Content-Type"].startswith(("text/", "application/json")):
                body = response.content.decode()
                assert not other_jurisdictions_named(body, named), url + query
                assert not is_round_maturity_json(body), url + query
    assert opened >= 3  # the plan, the phases and a peers page at least


def is_round_maturity_json(body: str) -> bool:
    """Whether ``body`` is what ``mnr maturity --format json`` prints: every jurisdiction."""
    try:
        found = json.loads(body)
    except ValueError:
        return False
    return isinstance(found, dict) and isinstance(found.get("jurisdictions"), list)


def test_the_overview_sends_a_focal_point_to_its_own_jurisdiction_only(
    personas: dict[str, Any], ranking_round: Round
) -> None:
    kenya = client_for("focal_point", personas)
    for url in maturity_urls(None):
        for query in QUERIES:
            response = kenya.get(url + query)
            assert response.status_code in (302, 404, 405), url + query
            if response.status_code == 302:
                assert f"/maturity/{OWN}/" in response["Location"], response["Location"]


def order_by_phase(round_: Round) -> list[str]:
    phases = data.round_maturity(round_).phases
    total = {code: sum(p.phase or 0 for p in phases if p.jurisdiction == code) for code in CODES}
    return sorted(CODES, key=lambda code: (total[code], code))


def listed_order(page: str, named: dict[str, str], codes: list[str]) -> list[str]:
    """``codes`` in the order a table of the page lists them (a row: code, then name)."""
    positions = {code: page.index(f"<td>{code}</td><td>{named[code]}</td>") for code in codes}
    return sorted(positions, key=positions.__getitem__)


@pytest.mark.parametrize("persona", ["analyst", "reviewer", "administrator"])
def test_the_overview_lists_jurisdictions_by_code_however_their_phases_would_order_them(
    personas: dict[str, Any], ranking_round: Round, persona: str
) -> None:
    by_phase = order_by_phase(ranking_round)
    assert by_phase != CODES and list(reversed(by_phase)) != CODES  # the test can fail
    named = names()
    for query in ("", "?by=income-group", "?by=region"):
        page = client_for(persona, personas).get(reverse("maturity-round", args=[ROUND]) + query)
        assert page.status_code == 200
        body = page.content.decode()
        assert listed_order(body, named, CODES) == CODES
        # Jurisdictions are named in their list only, once each: the distribution names none.
        assert all(body.count(named[code]) == 1 for code in CODES), query


def test_peers_are_listed_by_code_however_their_phases_would_order_them(
    personas: dict[str, Any], ranking_round: Round
) -> None:
    for code in CODES:
        actions.set_consent(ranking_round, Jurisdiction.objects.get(code=code), True)
    higher = {code: PHASES[code][""]["C12"] for code in OTHERS}  # Kenya is at phase 1 of C12
    by_phase = sorted(higher, key=lambda code: (higher[code], code))
    assert by_phase != OTHERS and list(reversed(by_phase)) != OTHERS
    page = client_for("focal_point", personas).get(
        reverse("maturity-peers", args=[ROUND, OWN, "C12"])
    )
    assert listed_order(page.content.decode(), names(), OTHERS) == OTHERS


def test_without_consent_no_page_of_a_focal_point_names_a_peer(
    personas: dict[str, Any], ranking_round: Round
) -> None:
    actions.set_consent(ranking_round, Jurisdiction.objects.get(code="NZ"), False)
    kenya = client_for("focal_point", personas)
    named = names()
    for capability in ("C01", "C03", "C12"):
        page = kenya.get(reverse("maturity-peers", args=[ROUND, OWN, capability]))
        assert not other_jurisdictions_named(page.content.decode(), named)
