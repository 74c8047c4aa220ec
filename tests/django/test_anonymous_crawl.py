"""An anonymous visitor crawls the demo site from the home page (tests/crawl.py): every page,
download and report it can reach answers without error, is one the permission matrix opens to
anonymous visitors, names no participating jurisdiction (by code, by name in any language, or
by pseudonym), and the findings tables it downloaded let an intruder who knows the
participants work out no withheld cell (tests/intruder.py). The demo's unpublished rounds
(the open review round, both self-assessment rounds with their plans, overrides and consents)
are not found at all."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse
from tests.crawl import Visit, crawl, unvisited
from tests.intruder import attack, view_of
from tests.url_matrix import anonymous_may_open

from mnr.core.findings import BREAKDOWNS, Finding
from mnr.demo import load_demo
from mnr.frameworks.models import Channel
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.actions import Content
from mnr.publications.reading import require_publication
from mnr.surveys.models import Round
from mnr.web.findings_explorer import group_name

pytestmark = pytest.mark.django_db

LIMIT = 500
# Documents made from the data; scripts and stylesheets are the site's own static files (the
# minified chart library is full of identifiers such as ``J10``).
DOCUMENTS = {"html", "pdf", "csv", "xlsx", "json"}
PSEUDONYM = re.compile(r"\b(Jurisdiction|Juridiction|Jurisdicción) \d+")
CSV_COUNTS = {
    "Yes": "yes",
    "Partly": "partial",
    "No": "no",
    "Don’t know": "dont_know",  # noqa: RUF001 (the column's heading)
    "N/A": "not_applicable",
    "No answer": "blank",
}


@pytest.fixture(scope="module")
def site(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The demo, what an anonymous crawl of it found, and what the checks compare it with;
    rolled back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EVIDENCE_ROOT=tmp_path_factory.getbasetemp() / "evidence",
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        ),
        transaction.atomic(),
    ):
        demo = load_demo()
        publication = require_publication(demo.round)
        participants = Jurisdiction.objects.filter(participations__isnull=False).distinct()
        yield {
            "visits": crawl(Client(), "/", limit=LIMIT),
            "round": demo.round,
            "unpublished": list(Round.objects.filter(publications__isnull=True)),
            "participants": [(j.code, sorted(set(j.names.values()))) for j in participants],
            "data": Content.of(publication).data,
            "figures": {
                key: figure.to_json() for key, figure in publication.protection_of().figures.items()
            },
            "public_findings": findings_by_row(demo.round, AnonymousUser()),
            # The operator's: every cell, withheld ones too (nothing changed since publishing).
            "every_cell": findings_by_row(demo.round, None),
        }
        transaction.set_rollback(True)


def findings_by_row(round_: Round, user: Any) -> dict[tuple[str, str | None, str], Finding]:
    """The findings ``user`` may read (the public: what the publication lets it read), by
    question, breakdown and the group's name as the tables print it."""
    from mnr.findings.service import round_findings

    channels = dict(Channel.objects.values_list("code", "label"))
    found = round_findings(round_, breakdowns=[None, *BREAKDOWNS], user=user)
    return {
        (f.question, f.by, group_name(f, channels if f.by == "channel" else {})): f for f in found
    }


def documents(site: dict[str, Any]) -> list[Visit]:
    return [visit for visit in site["visits"] if visit.kind in DOCUMENTS and visit.status == 200]


def test_the_crawl_reaches_every_kind_of_public_page(site: dict[str, Any]) -> None:
    visits: list[Visit] = site["visits"]
    assert len(visits) < LIMIT and not set(unvisited(visits)), "the crawl stopped at its bound"
    kinds = Counter(visit.kind for visit in visits)
    assert {"html", "pdf", "csv", "xlsx"} <= kinds.keys(), kinds
    # The round's code: its title is in the document's language (the report's title block).
    code = site["round"].code
    read = [v for v in visits if v.kind in ("pdf", "xlsx")]
    assert read and all(code in " ".join(v.text.split()) for v in read), (
        "PDF and XLSX texts are read"
    )
    code = site["round"].code
    reached = {urlsplit(visit.url).path for visit in visits}
    for name in ("round", "round-findings", "round-report", "round-report-pdf"):
        assert reverse(name, args=[code]) in reached, name
    assert {reverse("library"), reverse("framework", args=["mnr-2016"])} <= reached
    assert reverse("capability", args=["mnr-2016", "C11"]) in reached


def test_no_public_page_fails_or_is_broken(site: dict[str, Any]) -> None:
    failed = [
        f"{visit.status} {visit.url} (linked from {visit.found_on})"
        for visit in site["visits"]
        if visit.status >= 400
    ]
    assert not failed, "\n".join(failed)


def test_every_page_reached_is_one_the_matrix_opens_to_anonymous_visitors(
    site: dict[str, Any],
) -> None:
    closed = []
    for visit in site["visits"]:
        path = urlsplit(visit.url).path
        if path.startswith(settings.STATIC_URL) or path.startswith("/" + settings.STATIC_URL):
            continue
        try:
            name = resolve(path).view_name
        except Resolver404:
            closed.append(f"{visit.url}: no URL pattern")
            continue
        if not anonymous_may_open(name):
            closed.append(f"{visit.url} ({name}), linked from {visit.found_on}")
    assert not closed, (
        "the crawl reached pages the matrix does not open to anonymous visitors:\n"
        + "\n".join(closed)
    )


def _named(site: dict[str, Any]) -> re.Pattern[str]:
    terms = {term for code, names in site["participants"] for term in (code, *names) if term}
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def test_no_public_page_names_a_participating_jurisdiction(site: dict[str, Any]) -> None:
    assert len(site["participants"]) >= 42
    named = _named(site)
    found = []
    for visit in documents(site):
        for match in [*named.finditer(visit.text), *PSEUDONYM.finditer(visit.text)]:
            around = visit.text[max(0, match.start() - 60) : match.end() + 60]
            found.append(f"{visit.url}: {match.group(0)!r} in …{' '.join(around.split())}…")
    assert not found, "public pages name participants:\n" + "\n".join(found[:40])


def test_the_name_check_would_see_a_participant_on_a_page(site: dict[str, Any]) -> None:
    code, names = site["participants"][0]
    assert _named(site).search(f"<td>{names[0]}</td><td>yes</td>")
    assert _named(site).search(f"{code},yes")
    assert not _named(site).search(f"X{code}Y and {code}-2")


# --- The intruder ---------------------------------------------------------------------------


def _number(cell: str) -> int | None:
    return int(cell) if cell.strip() else None


def downloaded_rows(site: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row of every findings CSV of the published round the crawl downloaded, with the
    breakdown its address asked for."""
    path = reverse("round-findings-download", args=[site["round"].code, "csv"])
    for visit in documents(site):
        parts = urlsplit(visit.url)
        if parts.path != path:
            continue
        by = parse_qs(parts.query).get("by", [None])[0]
        lines = list(csv.reader(io.StringIO(visit.text)))
        header = lines[1]
        for line in lines[2:]:
            row = dict(zip(header, line, strict=True))
            yield visit.url, {"by": by, **row}


def crawled_findings(site: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The findings the downloads printed, as the intruder reads them, and every row that
    differs from what the publication lets the public read."""
    public = site["public_findings"]
    read: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    differs = []
    for url, row in downloaded_rows(site):
        key = (row["Question"], row["by"], row["Group"])
        stored = public.get(key)
        if stored is None:
            differs.append(f"{url}: {key} is no finding of the publication")
            continue
        counts = {code: _number(row[heading]) for heading, code in CSV_COUNTS.items()}
        withheld = bool(row["Withheld because"].strip())
        if withheld != stored.suppressed or (
            not withheld and counts != {c: stored.counts.get(c) for c in counts}
        ):
            differs.append(
                f"{url}: {key} shows {counts} (withheld: {withheld}); published {stored}"
            )
        if withheld and any(value is not None for value in counts.values()):
            differs.append(f"{url}: {key} is withheld but prints {counts}")
        read[key] = {
            **stored.to_json(),
            "counts": counts,
            "numerator": _number(row["In place"]),
            "denominator": _number(row["Answered"]),
            "suppressed": withheld,
        }
    return list(read.values()), differs


def report_figures(site: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's figures the crawl read (each annex row names its figure)."""
    keys = set()
    for visit in documents(site):
        if visit.kind == "html":
            keys.update(re.findall(r'<tr id="annex-([\w.-]+)"', visit.text))
    return [site["figures"][key] for key in sorted(keys) if key in site["figures"]]


def test_the_downloaded_tables_print_what_the_publication_lets_the_public_read(
    site: dict[str, Any],
) -> None:
    findings, differs = crawled_findings(site)
    assert not differs, "\n".join(differs[:20])
    assert any(f["suppressed"] for f in findings), "the demo's public tables withhold cells"
    assert {f["by"] for f in findings} == {None, *BREAKDOWNS}


def test_an_intruder_works_out_nothing_from_what_the_crawl_read(site: dict[str, Any]) -> None:
    findings, _ = crawled_findings(site)
    figures = report_figures(site)
    assert figures, "the crawl read the report's figures"
    given = view_of(site["data"], [*findings, *figures])
    assert attack(**given, k=site["round"].disclosure_threshold) == []


def test_the_intruder_would_see_a_withheld_cell_that_a_table_printed(
    site: dict[str, Any],
) -> None:
    """The check can fail: print the true counts of a cell withheld because fewer than k
    jurisdictions answered in it, and the intruder reads them."""
    findings, _ = crawled_findings(site)
    k = site["round"].disclosure_threshold
    true = {(f.question, f.by, f.group): f for f in site["every_cell"].values()}

    def answered(finding: Finding) -> int:
        return sum(n for code, n in finding.counts.items() if code != "blank")

    at = next(
        i
        for i, f in enumerate(findings)
        if f["suppressed"] and 0 < answered(true[f["question"], f["by"], f["group"]]) < k
    )
    shown = true[findings[at]["question"], findings[at]["by"], findings[at]["group"]]
    printed = [*findings[:at], shown.to_json(), *findings[at + 1 :]]
    assert attack(**view_of(site["data"], printed), k=k)


@pytest.mark.parametrize("reader", ["J01", "J30"])
def test_a_participant_works_out_nothing_more_from_what_the_crawl_read(
    site: dict[str, Any], reader: str
) -> None:
    findings, _ = crawled_findings(site)
    given = view_of(site["data"], [*findings, *report_figures(site)], known=(reader,))
    assert attack(**given, k=site["round"].disclosure_threshold) == []


# --- What is not public ---------------------------------------------------------------------


def unpublished_pages(round_: Round) -> Iterator[tuple[str, str]]:
    """Every page of an unpublished round, and of each of its jurisdictions' maturity records,
    with the URL name the matrix lists it under."""
    code = round_.code
    for name, args in (
        ("round", []),
        ("round-findings", []),
        ("round-findings-download", ["csv"]),
        ("round-findings-download", ["xlsx"]),
        ("round-report", []),
        ("round-report-pdf", []),
        ("maturity-round", []),
    ):
        yield name, reverse(name, args=[code, *args])
    for place in Jurisdiction.objects.filter(participations__round=round_):
        for name, args in (
            ("maturity-plan", []),
            ("maturity-phases", []),
            ("maturity-peers", ["C01"]),
            ("maturity-profile", []),
            ("maturity-profile-download", ["html"]),
            ("plan-download", ["xlsx"]),
        ):
            yield name, reverse(name, args=[code, place.code, *args])


def test_unpublished_rounds_are_not_found_by_anonymous_visitors(site: dict[str, Any]) -> None:
    rounds: list[Round] = site["unpublished"]
    assert {r.code for r in rounds} >= {"review-2023-open", "self-assessment-2024"}
    client = Client()
    login = reverse("login") + "?next="
    shown = []
    for round_ in rounds:
        for name, url in unpublished_pages(round_):
            response = client.get(url)
            refused = response.status_code == 404 or (
                response.status_code == 302 and response["Location"].startswith(login)
            )
            if not refused:
                shown.append(f"{url} ({name}): {response.status_code}")
    assert not shown, "anonymous visitors reach unpublished rounds:\n" + "\n".join(shown)


# Parameters the pages of signed-in users carry (the analysts' preview, the live round's status
# filter): typed by an anonymous visitor, they change nothing of what the public reads.
TYPED = (
    ("round-report", "preview=1"),
    ("round-findings-download", "status=draft"),
    ("round-findings-download", "status=submitted"),
)


@pytest.mark.parametrize(("name", "query"), TYPED)
def test_parameters_of_signed_in_pages_show_anonymous_visitors_the_public_page(
    site: dict[str, Any], name: str, query: str
) -> None:
    code = site["round"].code
    url = reverse(name, args=[code, "csv"] if name.endswith("download") else [code])
    client = Client()
    public, typed = client.get(url), client.get(f"{url}?{query}")
    assert public.status_code == typed.status_code == 200
    if name == "round-findings-download":
        # A download's first line names its filters; the table below it is the public one.
        assert typed.content.partition(b"\n")[2] == public.content.partition(b"\n")[2]
    else:
        assert typed.content == public.content
