"""The submissions list of reviewers and analysts: filters, counts per status, how complete
each submission is, sorting and search.

Completion is counted for every listed submission with two queries (the required questions of
the rounds' instruments, and the answers given), by the rule ``missing_required`` applies
(required, asked of the channel, applicable given the answers). Search and sorting run in
Python on the listed rows: names compare case- and accent-insensitively on every database."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from mnr.frameworks.models import InstrumentQuestion
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.models import Answer, Submission
from mnr.web.i18n import ui_language

# The sortable columns, in the order the table shows them.
SORTS: Mapping[str, Any] = {
    "round": _("Round"),
    "jurisdiction": _("Jurisdiction"),
    "channel": _("Channel"),
    "status": _("Status"),
    "complete": _("Complete"),
    "updated": _("Last change"),
}
DEFAULT_SORT = "jurisdiction"
STATUS_ORDER = {status: position for position, status in enumerate(Submission.Status.values)}


@dataclass(frozen=True)
class Completion:
    answered: int
    required: int

    @property
    def percent(self) -> int:
        """Whole per cent of the required applicable questions answered (100 when none)."""
        return 100 if not self.required else self.answered * 100 // self.required


def completion(submissions: Sequence[Submission]) -> dict[int, Completion]:
    """How many of its required applicable questions each submission has answered, by pk."""
    if not submissions:
        return {}
    required: dict[int, list[InstrumentQuestion]] = {}
    for question in InstrumentQuestion.objects.filter(
        instrument_id__in={s.round.instrument_id for s in submissions}, required=True
    ).order_by("position"):
        required.setdefault(question.instrument_id, []).append(question)
    values: dict[int, dict[str, str]] = {s.pk: {} for s in submissions}
    for submission_id, code, value in (
        Answer.objects.filter(submission_id__in=list(values))
        .exclude(value="")
        .values_list("submission_id", "question__code", "value")
    ):
        values[submission_id][code] = value
    result = {}
    for submission in submissions:
        given = values[submission.pk]
        counted = [
            question
            for question in required.get(submission.round.instrument_id, [])
            if question.asked_of(submission.channel) and question.applies(given)
        ]
        answered = sum(1 for question in counted if given.get(question.code))
        result[submission.pk] = Completion(answered, len(counted))
    return result


def folded(text: str) -> str:
    """``text`` for comparing: case-folded, accents removed (Côte → cote)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def shown_name(jurisdiction: Jurisdiction) -> str:
    """The jurisdiction's name in the page's language (English where it has none)."""
    return jurisdiction.name(ui_language())


def searched_texts(jurisdiction: Jurisdiction) -> list[str]:
    """What a search matches: the code and the name in every language stored."""
    return [jurisdiction.code, *(str(name) for name in jurisdiction.names.values())]


@dataclass(frozen=True)
class Filters:
    round: str = ""
    status: str = ""
    channel: str = ""
    jurisdiction: str = ""
    search: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = False

    @classmethod
    def from_query(cls, query: QueryDict) -> Filters:
        sort = query.get("sort", DEFAULT_SORT)
        descending = sort.startswith("-")
        sort = sort.removeprefix("-")
        status = query.get("status", "")
        return cls(
            round=query.get("round", "").strip(),
            status=status if status in Submission.Status.values else "",
            channel=query.get("channel", "").strip(),
            jurisdiction=query.get("jurisdiction", "").strip(),
            search=query.get("q", "").strip(),
            sort=sort if sort in SORTS else DEFAULT_SORT,
            descending=descending and sort in SORTS,
        )

    @property
    def active(self) -> bool:
        return any((self.round, self.status, self.channel, self.jurisdiction, self.search))

    def matches(self, submission: Submission, *, ignore_status: bool = False) -> bool:
        jurisdiction = submission.jurisdiction
        needle = folded(self.search)
        return (
            (not self.round or submission.round.code == self.round)
            and (ignore_status or not self.status or submission.status == self.status)
            and (not self.channel or submission.channel == self.channel)
            and (not self.jurisdiction or jurisdiction.code == self.jurisdiction)
            and (not needle or any(needle in folded(t) for t in searched_texts(jurisdiction)))
        )

    def _query(self, **changed: str) -> str:
        values = {
            "round": self.round,
            "status": self.status,
            "channel": self.channel,
            "jurisdiction": self.jurisdiction,
            "q": self.search,
            "sort": f"-{self.sort}" if self.descending else self.sort,
            **changed,
        }
        query = QueryDict(mutable=True)
        for name, value in values.items():
            if value and not (name == "sort" and value == DEFAULT_SORT):
                query[name] = value
        return "?" + query.urlencode()

    def sort_link(self, column: str) -> str:
        """The query string that sorts by ``column`` (reversed when it is the sort already),
        keeping the filters."""
        flip = column == self.sort and not self.descending
        return self._query(sort=f"-{column}" if flip else column)

    def status_link(self, status: str) -> str:
        """The query string that shows ``status`` only (every status when it is the filter
        already), keeping the other filters and the sort."""
        return self._query(status="" if status == self.status else status)


def sort_key(column: str, submission: Submission, complete: Completion) -> tuple[Any, ...]:
    name = folded(shown_name(submission.jurisdiction))
    keys: dict[str, tuple[Any, ...]] = {
        "jurisdiction": (name, submission.channel, submission.respondent),
        "round": (folded(submission.round.title), name),
        "channel": (submission.channel, name),
        "status": (STATUS_ORDER.get(submission.status, 99), name),
        "complete": (complete.percent, name),
        "updated": (submission.updated_at, name),
    }
    return keys[column]


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int
    link: str  # the list with this status only


def status_counts(submissions: Iterable[Submission], filters: Filters) -> list[StatusCount]:
    counted = Counter(submission.status for submission in submissions)
    return [
        StatusCount(status, str(label), counted.get(status, 0), filters.status_link(status))
        for status, label in Submission.Status.choices
    ]
