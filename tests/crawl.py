"""A crawler for the public-output tests: what an anonymous visitor can reach from one page.

It follows every same-site address a page offers (``<a href>``, ``<link href>``, ``<img src>``,
``<script src>``, redirects, and ``<form method="get">`` submitted with the values the form
shows), breadth first, up to a bound, and keeps each response's status and its text: the body
of HTML, CSV, JSON and scripts, the text of a PDF (``pdftotext``), the cells of an XLSX."""

from __future__ import annotations

import io
import subprocess
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.test import Client
from openpyxl import load_workbook

SITE = {"", "testserver"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Visit:
    """One address fetched: its status, what kind of content came back and that content's text."""

    url: str
    status: int
    kind: str
    text: str
    found_on: str
    links: list[str] = field(default_factory=list)


class _Form:
    def __init__(self, action: str, method: str) -> None:
        self.action = action
        self.method = method
        self.fields: list[tuple[str, str]] = []
        # Each select's other options, to submit the form once with each of them.
        self.alternatives: list[tuple[str, str]] = []
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []

    def close_select(self) -> None:
        if self.select is not None and self.options:
            chosen = [value for value, selected in self.options if selected]
            self.alternatives.extend((self.select, value) for value, _ in self.options[1:])
            self.fields.append((self.select, chosen[0] if chosen else self.options[0][0]))
        self.select, self.options = None, []

    def submissions(self) -> list[str]:
        """The form as shown, and the form left blank but for one other option of one of its
        selects, for each (one filter at a time: every page offers the same ones, so the
        crawl stays finite)."""
        action = self.action.split("?")[0]
        filled: list[list[tuple[str, str]]] = [self.fields]
        filled.extend([alternative] for alternative in self.alternatives)
        return [f"{action}?{urlencode(fields)}" for fields in filled]


class _Links(HTMLParser):
    """The addresses a page offers, and its GET forms as filled in."""

    LINKING = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.form: _Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attrs}
        if tag in self.LINKING and given.get(self.LINKING[tag]):
            self.found.append(given[self.LINKING[tag]])
        elif tag == "form":
            self.form = _Form(given.get("action", ""), given.get("method", "get").lower())
        elif self.form is not None and tag == "input" and given.get("name"):
            kind = given.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in given:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self.form.fields.append((given["name"], given.get("value", "")))
        elif self.form is not None and tag == "select":
            self.form.select = given.get("name") or None
        elif self.form is not None and tag == "option" and self.form.select is not None:
            self.form.options.append((given.get("value", ""), "selected" in given))

    def handle_endtag(self, tag: str) -> None:
        if self.form is None:
            return
        if tag == "select":
            self.form.close_select()
        elif tag == "form":
            if self.form.method == "get":
                self.found.extend(self.form.submissions())
            self.form = None


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.found


def same_site(base: str, address: str) -> str | None:
    """``address`` (as written on the page at ``base``) as a path and query on this site, or
    None for another site, a fragment only, or a scheme that is not fetched (mailto:, data:)."""
    if address.startswith("#"):
        return None
    parts = urlsplit(urljoin(base, address.strip()))
    if parts.scheme not in ("", "http", "https") or parts.netloc not in SITE:
        return None
    # One address per page: blank parameters dropped (a form's empty filters), the rest sorted.
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if v))
    return urlunsplit(("", "", parts.path or "/", query, ""))


def pdf_text(content: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return done.stdout.decode("utf-8")


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        "\t".join("" if value is None else str(value) for value in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def _kind(content_type: str) -> str:
    mimetype = content_type.split(";")[0].strip().lower()
    return {
        "text/html": "html",
        "application/pdf": "pdf",
        XLSX: "xlsx",
        "text/csv": "csv",
        "application/json": "json",
        "text/javascript": "script",
        "application/javascript": "script",
        "text/css": "stylesheet",
    }.get(mimetype, mimetype or "none")


def _body(response: object) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return bytes(response.content)  # type: ignore[attr-defined]


def crawl(client: Client, start: str = "/", *, limit: int = 500) -> list[Visit]:
    """Every address reachable from ``start``, fetched once each, at most ``limit`` of them."""
    queue: deque[tuple[str, str]] = deque([(start, "")])
    seen = {start}
    visits: list[Visit] = []
    while queue and len(visits) < limit:
        url, found_on = queue.popleft()
        response = client.get(url)
        kind = _kind(response.get("Content-Type", ""))
        body = _body(response)
        if 300 <= response.status_code < 400:
            kind, text, offered = "redirect", response["Location"], [response["Location"]]
        elif kind == "pdf" and response.status_code == 200:
            text, offered = pdf_text(body), []
        elif kind == "xlsx" and response.status_code == 200:
            text, offered = xlsx_text(body), []
        else:
            text = body.decode("utf-8", errors="replace")
            offered = links_of(text) if kind == "html" else []
        links = [link for link in (same_site(url, a) for a in offered) if link is not None]
        visits.append(Visit(url, response.status_code, kind, text, found_on, links))
        for link in links:
            if link not in seen:
                seen.add(link)
                queue.append((link, url))
    return visits


def unvisited(visits: list[Visit]) -> Iterator[str]:
    """Addresses found but not fetched (the bound was reached)."""
    fetched = {visit.url for visit in visits}
    for visit in visits:
        yield from (link for link in visit.links if link not in fetched)
