"""The parts of the report that follow the review's structure and are generated from the
publication, not written by analysts: the method (channels in priority order, dates, counts per
channel, the counting rules, the disclosure threshold), the sub-heading of each capability in
its domain, and the endnotes that say who answered where a figure's denominator is smaller than
the group it is about.

Everything here reads the frozen publication (its round settings, findings and report texts),
so a published report stays as it was published."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import dateformat, translation

from mnr.core.findings import Finding

if TYPE_CHECKING:
    from mnr.reports.builder import CountRow, FigureRow, Quote

# The rule of a conditional share ("among those answering no, the share that is not
# high-income"): its denominator is the first count by definition, not who answered.
_THEN = ";then "


@dataclass(frozen=True)
class Method:
    """How the round was run and counted, from the publication's round settings."""

    participants: int
    channels: list[CountRow]
    # The dates as the report prints them (both joined by an en dash); "" when the round has
    # none, and the report then says so in words instead of printing an empty row.
    dates: str
    summary: list[str]
    rules: list[str]
    threshold: int


def report_date(value: str | None, lang: str, t: Mapping[str, str]) -> str:
    """An ISO date as the report writes dates in ``lang`` ("1er février 2021"); "" for none."""
    if not value:
        return ""
    day = date.fromisoformat(value)
    # French writes the first of the month as an ordinal ("1er février").
    pattern = t["date_format_first"] if day.day == 1 else t["date_format"]
    with translation.override(lang):
        return str(dateformat.format(day, pattern))


def channel_order(channels: Sequence[CountRow], t: Mapping[str, str]) -> str:
    """The channels by name in priority order: "Government, then UNICEF country office"."""
    return t["then"].join(row.label for row in channels)


def method_facts(
    settings: Mapping[str, Any],
    channels: list[CountRow],
    instrument_title: str,
    lang: str,
    t: Mapping[str, str],
) -> Method:
    participants = len(settings["participants"])
    opens, closes = (report_date(settings.get(name), lang, t) for name in ("opens_on", "closes_on"))
    if opens and closes:
        dates, when = (
            f"{opens} \u2013 {closes}",
            t["method_dates"].format(opens=opens, closes=closes),
        )
    elif opens:
        dates, when = t["date_from"].format(date=opens), t["method_opens"].format(opens=opens)
    elif closes:
        dates, when = t["date_until"].format(date=closes), t["method_closes"].format(closes=closes)
    else:
        dates, when = "", t["method_no_dates"]
    counted = t["then"].join(
        t["channel_count"].format(channel=row.label, count=row.count) for row in channels
    )
    through = (
        t["method_channel_one"].format(order=counted)
        if len(channels) == 1
        else t["method_channels"].format(count=len(channels), order=counted)
    )
    summary = [
        t["method_summary"].format(participants=participants, instrument=instrument_title),
        through,
        when,
    ]
    rules = [
        t["rule_denominator"],
        t["rule_left_out"],
        t["rule_dont_know"],
        t["rule_in_place"],
        t["rule_channels"].format(order=channel_order(channels, t))
        if len(channels) > 1
        else t["rule_one_channel"],
        t["rule_rounding"],
    ]
    return Method(
        participants=participants,
        channels=channels,
        dates=dates,
        summary=summary,
        rules=rules,
        threshold=int(settings["disclosure_threshold"]),
    )


@dataclass
class CapabilitySection:
    """One sub-heading of a domain: a capability, or the capabilities the round's questionnaire
    asked about together (C16 and C17 in the 2021 review), with the findings under it."""

    id: str
    codes: tuple[str, ...]
    heading: str
    figures: list[FigureRow] = field(default_factory=list)
    # Said when the questionnaire has no status question for it and no headline is about it.
    not_asked: str = ""
    good_practice: list[Quote] = field(default_factory=list)
    challenges: list[Quote] = field(default_factory=list)


def capability_groups(
    capabilities: Sequence[tuple[str, str]], status_questions: Mapping[str, str]
) -> list[tuple[tuple[tuple[str, str], ...], str | None]]:
    """Consecutive capabilities (code, name) in framework order that share one status
    question, with that question (None for a capability the questionnaire did not ask)."""
    groups: list[tuple[list[tuple[str, str]], str | None]] = []
    for code, name in capabilities:
        question = status_questions.get(code)
        if groups and question is not None and groups[-1][1] == question:
            groups[-1][0].append((code, name))
        else:
            groups.append(([(code, name)], question))
    return [(tuple(members), question) for members, question in groups]


def _heading(members: Sequence[tuple[str, str]], t: Mapping[str, str]) -> str:
    names = [f"{code} {name}" for code, name in members]
    if len(names) == 1:
        return names[0]
    return t["and_list"].format(first=", ".join(names[:-1]), last=names[-1])


def figure_capabilities(question: str, crosswalk: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The capabilities a figure's question is about: the instrument's crosswalk, else the
    question id's prefix (``C16-17.status`` -> C16)."""
    if crosswalk.get(question):
        return tuple(crosswalk[question])
    return (question.partition(".")[0].partition("-")[0],)


def capability_sections(
    capabilities: Sequence[tuple[str, str]],
    status_questions: Mapping[str, str],
    figures: Sequence[FigureRow],
    crosswalk: Mapping[str, Sequence[str]],
    generated: Callable[[str, str], FigureRow | None],
    t: Mapping[str, str],
) -> tuple[list[CapabilitySection], list[FigureRow]]:
    """A domain's sub-headings in framework order with the headline figures about each, and
    the figures about none of them. A sub-heading without a headline gets the sentence of its
    status question (``generated(question, heading)``), so no capability asked about is left
    without a finding."""
    sections = []
    taken: set[str] = set()
    for members, question in capability_groups(capabilities, status_questions):
        codes = tuple(code for code, _name in members)
        section = CapabilitySection(codes[0], codes, _heading(members, t))
        for figure in figures:
            about = set(figure_capabilities(figure.question, crosswalk))
            if figure.key not in taken and about & set(codes):
                section.figures.append(figure)
                taken.add(figure.key)
        if not section.figures:
            row = generated(question, section.heading) if question else None
            if row is not None:
                section.figures.append(row)
            else:
                section.not_asked = t["capability_not_asked"]
        sections.append(section)
    return sections, [figure for figure in figures if figure.key not in taken]


def quotes_by_capability(
    sections: Sequence[CapabilitySection], quotes: Sequence[Quote], kind: str
) -> list[Quote]:
    """Each quote placed under the sub-heading of its capability (``Quote.capability`` is the
    question's prefix, ``C16-17`` for a merged one); the quotes about none are returned."""
    left = []
    for quote in quotes:
        first = quote.capability.partition("-")[0]
        section = next((s for s in sections if first in s.codes), None)
        if section is None:
            left.append(quote)
        else:
            getattr(section, kind).append(quote)
    return left


@dataclass(frozen=True)
class Endnote:
    number: int
    key: str
    text: str


def needs_endnote(row: FigureRow, finding: Finding | None) -> bool:
    """A stated share whose denominator is smaller than the group it is about: some of the
    group left the question blank or answered "not applicable"."""
    return (
        finding is not None
        and row.sentence is not None
        and row.denominator is not None
        and _THEN not in row.rule
        and finding.size != row.denominator
    )


def endnote_text(row: FigureRow, finding: Finding, subject: str, t: Mapping[str, str]) -> str:
    assert row.numerator is not None and row.denominator is not None
    missing = finding.size - row.denominator
    return t["endnote_one" if missing == 1 else "endnote_many"].format(
        numerator=row.numerator,
        denominator=row.denominator,
        subject=subject,
        missing=missing,
        size=finding.size,
    )


def number_endnotes(
    rows: Sequence[FigureRow],
    findings: Mapping[str, Finding],
    subjects: Mapping[str, str],
    t: Mapping[str, str],
) -> list[Endnote]:
    """The endnotes of ``rows`` (in the order the report shows them), numbered from 1."""
    notes: list[Endnote] = []
    for row in rows:
        finding = findings.get(row.key)
        if finding is not None and needs_endnote(row, finding):
            text = endnote_text(row, finding, subjects[row.key], t)
            notes.append(Endnote(len(notes) + 1, row.key, text))
    return notes
