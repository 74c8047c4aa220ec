"""The good-practice library: free-text answers (good practice, challenges, lessons learned)
searched and filtered across the rounds a user may see.

Who sees what, per round:

- users with jurisdiction-level access to the round (administrators, analysts, reviewers
  without a jurisdiction limit) read its live texts, named by jurisdiction;
- other signed-in users read the live texts of the submissions they may see (a focal point's
  own jurisdiction), and otherwise what the public reads;
- the public reads the latest publication only: texts the respondent agreed to have quoted,
  attributed to the group disclosure control allowed, in the report's words
  (:func:`mnr.reports.builder.quote_attribution`), never to a jurisdiction.

Income group and region filters of published texts match the attribution only: a text
attributed to "a participating jurisdiction" matches no income group, so a filter cannot tell
more than the attribution does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from mnr.core.charts import texts as chart_texts
from mnr.core.disclosure import attribution
from mnr.core.findings import Participant
from mnr.core.framework import text as label_text
from mnr.core.reference import INCOME_GROUPS
from mnr.core.respondents import LEAD, respondent_label
from mnr.frameworks.models import Capability, Domain, Edition, InstrumentQuestion
from mnr.jurisdictions.classification import income_groups, region_of
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.models import Publication
from mnr.reports.builder import quote_attribution
from mnr.reports.texts import texts as report_texts
from mnr.surveys.access import can_see_jurisdiction_data
from mnr.surveys.models import Answer, Round, Submission
from mnr.web.i18n import ui_language

KINDS: dict[str, Any] = {
    "good_practice": _("Good practice"),
    "challenges": _("Challenges"),
    "lessons_learned": _("Lessons learned"),
}
PAGE_SIZE = 25
# The text search configuration: answers come in several languages, so no stemming.
SEARCH_CONFIG = "simple"


@dataclass(frozen=True)
class Crosswalk:
    """What an instrument's text question speaks to in its edition."""

    edition: str
    capabilities: tuple[str, ...]
    domains: tuple[str, ...]


@dataclass(frozen=True)
class LibraryItem:
    round: Round
    question: str
    kind: str
    text: str
    crosswalk: Crosswalk
    income_group: str | None
    region: str | None
    # Who it is from: the jurisdiction (live texts) or the report's attribution (published).
    source: str
    live: bool
    publishable: bool

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def _kind(question_code: str) -> str:
    return question_code.partition(".")[2]


def text_questions(round_: Round) -> dict[str, Crosswalk]:
    """The round's good-practice, challenge and lesson questions by code, with the edition
    capabilities and domains the crosswalk maps them to."""
    # Only the fields used: the questions' labels and the edition's document are large JSON.
    edition = Edition.objects.filter(instruments=round_.instrument_id).values_list(
        "code", flat=True
    )
    questions = (
        InstrumentQuestion.objects.filter(instrument_id=round_.instrument_id, type="text")
        .only("code", "domain")
        .prefetch_related(
            Prefetch(
                "capabilities",
                queryset=Capability.objects.only("code", "domain__code").select_related("domain"),
            )
        )
    )
    edition_code = edition.get()
    crosswalk = {}
    for question in questions:
        if _kind(question.code) not in KINDS:
            continue
        capabilities = list(question.capabilities.all())
        domains = tuple(dict.fromkeys(c.domain.code for c in capabilities)) or tuple(
            filter(None, [question.domain])
        )
        crosswalk[question.code] = Crosswalk(
            edition_code, tuple(c.code for c in capabilities), domains
        )
    return crosswalk


def live_items(
    round_: Round, submissions: Any, crosswalk: dict[str, Crosswalk]
) -> list[LibraryItem]:
    rows = [
        row
        for row in Answer.objects.filter(
            submission__in=submissions, question__code__in=list(crosswalk)
        )
        .exclude(value="")
        .order_by("submission__jurisdiction__code", "submission__respondent", "question__position")
        .values_list(
            "question__code",
            "value",
            "publishable",
            "submission__jurisdiction_id",
            "submission__respondent",
            "submission__respondent_name",
        )
        if row[1].strip()
    ]
    places = {
        place.pk: place
        for place in Jurisdiction.objects.filter(pk__in={row[3] for row in rows}).select_related(
            "parent"
        )
    }
    groups = income_groups(places.values(), round_.income_fiscal_year)
    lang = _lang()
    items = []
    for question, value, publishable, place_id, respondent, respondent_name in rows:
        place = places[place_id]
        source = place.name(lang)
        if respondent != LEAD:
            source = f"{source}, {respondent_label(respondent, respondent_name)}"
        items.append(
            LibraryItem(
                round=round_,
                question=question,
                kind=_kind(question),
                text=value,
                crosswalk=crosswalk[question],
                income_group=groups.get(place.code),
                region=region_of(place),
                source=source,
                live=True,
                publishable=publishable,
            )
        )
    return items


def _latest_quotes(round_: Round) -> Publication | None:
    """The latest publication (as ``latest_publication`` picks it) with what the library reads
    only: its findings and report texts are large JSON, parsed for nothing otherwise."""
    return (
        Publication.objects.filter(round=round_)
        .only("pk", "number", "round_id", "round_settings", "answers", "quotes")
        .order_by("-number")
        .first()
    )


def published_items(
    round_: Round, publication: Publication, crosswalk: dict[str, Crosswalk]
) -> list[LibraryItem]:
    """The publication's quotes (good practice and challenges, as the report quotes them) and
    its quotable lessons learned, attributed by the same rule with the publication's frozen
    participants and threshold."""
    frozen = publication.round_settings
    participants = tuple(
        Participant(p["jurisdiction"], p["income_group"], p["region"])
        for p in frozen["participants"]
    )
    by_code = {p.jurisdiction: p for p in participants}
    quotes = [q for q in publication.quotes if q["question"] in crosswalk]
    for answer in publication.answers:
        if _kind(answer["question"]) != "lessons_learned" or answer["question"] not in crosswalk:
            continue
        participant = by_code.get(answer["jurisdiction"])
        if not answer["publishable"] or not answer["value"].strip() or participant is None:
            continue
        income, region = attribution(participant, participants, frozen["disclosure_threshold"])
        quotes.append(
            {
                "question": answer["question"],
                "kind": "lessons_learned",
                "text": answer["value"],
                "income_group": income,
                "region": region,
            }
        )
    # Answers are frozen in jurisdiction-code order; listing quotes in it would hint at who
    # wrote each, so they are listed by question and text instead.
    quotes.sort(key=lambda quote: (quote["question"], quote["text"]))
    wording = report_texts(_lang())
    return [
        LibraryItem(
            round=round_,
            question=quote["question"],
            kind=_kind(quote["question"]),
            text=quote["text"],
            crosswalk=crosswalk[quote["question"]],
            income_group=quote["income_group"],
            region=quote["region"],
            source=quote_attribution(quote, wording),
            live=False,
            publishable=True,
        )
        for quote in quotes
    ]


def library_items(user: Any) -> list[LibraryItem]:
    """Every text the user may read, round by round (see the module docstring)."""
    items: list[LibraryItem] = []
    for round_ in Round.objects.visible_to(user).select_related("instrument"):
        crosswalk = text_questions(round_)
        if can_see_jurisdiction_data(user, round_):
            items += live_items(round_, Submission.objects.filter(round=round_), crosswalk)
            continue
        own: list[LibraryItem] = []
        if user.is_authenticated:
            mine = Submission.objects.visible_to(user).filter(round=round_)
            own = live_items(round_, mine, crosswalk)
        items += own
        publication = _latest_quotes(round_)
        if publication is not None:
            known = {(item.question, item.text) for item in own}
            items += [
                item
                for item in published_items(round_, publication, crosswalk)
                if (item.question, item.text) not in known
            ]
    return items


@dataclass(frozen=True)
class Filters:
    query: str = ""
    kind: str = ""
    domain: str = ""
    capability: str = ""
    income_group: str = ""
    region: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> Filters:
        def get(name: str) -> str:
            return str(request.GET.get(name, "")).strip()[:200]

        return cls(
            query=get("q"),
            kind=get("kind") if get("kind") in KINDS else "",
            domain=get("domain"),
            capability=get("capability"),
            income_group=get("income") if get("income") in INCOME_GROUPS else "",
            region=get("region"),
        )

    def keeps(self, item: LibraryItem) -> bool:
        return (
            (not self.kind or item.kind == self.kind)
            and (not self.domain or self.domain in item.crosswalk.domains)
            and (not self.capability or self.capability in item.crosswalk.capabilities)
            and (not self.income_group or item.income_group == self.income_group)
            and (not self.region or item.region == self.region)
        )


def search(items: Sequence[LibraryItem], query: str) -> list[LibraryItem]:
    """Items whose text matches ``query``: PostgreSQL's full-text search (best match first)
    on PostgreSQL, every word as a case-insensitive substring elsewhere (SQLite)."""
    if not query.split():
        return list(items)
    if connection.vendor == "postgresql":
        return [items[index] for index in _postgres_matches([i.text for i in items], query)]
    terms = [term.casefold() for term in query.split()]
    return [item for item in items if all(term in item.text.casefold() for term in terms)]


def _postgres_matches(bodies: list[str], query: str) -> list[int]:
    """Indexes of the matching bodies, best rank first. The texts the viewer may read are
    gathered first (published ones are frozen in a publication's JSON, not a column), so the
    search runs over exactly those, in one statement. Both sides are lower-cased here, so
    accented capitals match whatever the database's collation."""
    if not bodies:
        return []
    sql = (
        "SELECT t.ord - 1 FROM ("
        "  SELECT ord, to_tsvector(%s::regconfig, body) AS vector"
        "  FROM unnest(%s::text[]) WITH ORDINALITY AS texts(body, ord)"
        ") AS t, websearch_to_tsquery(%s::regconfig, %s) AS query "
        "WHERE t.vector @@ query ORDER BY ts_rank(t.vector, query) DESC, t.ord"
    )
    config = SEARCH_CONFIG
    with connection.cursor() as cursor:
        cursor.execute(sql, [config, [b.lower() for b in bodies], config, query.lower()])
        return [row[0] for row in cursor.fetchall()]


def _lang() -> str:
    return ui_language()


def _choices(values: Iterable[str | None]) -> list[str]:
    return sorted({v for v in values if v}, key=str.casefold)


def _named(model: type[Domain] | type[Capability], codes: list[str]) -> list[tuple[str, str]]:
    """Framework codes with their names (``C01 National Governance``), in code order."""
    lang = _lang()
    names: dict[str, str] = {}
    for row in model.objects.filter(code__in=codes).order_by("edition__code", "-edition__version"):
        names.setdefault(row.code, label_text(row.name, lang))
    return [(code, f"{code} {names.get(code, '')}".strip()) for code in codes]


def library(request: HttpRequest) -> HttpResponse:
    filters = Filters.from_request(request)
    items = library_items(request.user)
    matching = search([item for item in items if filters.keeps(item)], filters.query)
    page = Paginator(matching, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    group_names = chart_texts(_lang())
    return render(
        request,
        "web/library/index.html",
        {
            "filters": filters,
            "page": page,
            "count": len(matching),
            "page_query": query.urlencode(),
            "kinds": KINDS,
            "domains": _named(Domain, _choices(d for i in items for d in i.crosswalk.domains)),
            "capabilities": _named(
                Capability, _choices(c for i in items for c in i.crosswalk.capabilities)
            ),
            "income_groups": [
                (g, group_names.get(f"group.{g}", g))
                for g in INCOME_GROUPS
                if any(i.income_group == g for i in items)
            ],
            "regions": _choices(i.region for i in items),
            "signed_in": request.user.is_authenticated,
        },
    )
