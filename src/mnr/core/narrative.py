"""Words for shares: the proportion phrase and the finding sentence.

The phrases, their share ranges and their sentence openings per language are data
(``data/phrases.yaml``, documented in ``docs/counting-rules.md``). Each phrase has a key (the
English phrase itself, e.g. ``"over three-quarters"``), a *default* range — the defaults tile
the shares from 1 down to 0 in the table's order, so a larger share never gets a weaker phrase —
and a *tolerated* range: an analyst may choose a phrase for a headline (``Headline.phrase``)
only for a share in it. French and Spanish openings agree with a feminine plural subject such
as *juridictions* / *jurisdicciones*; a language without a text falls back to English.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from importlib import resources
from typing import Any

import yaml

from mnr.core.findings import Finding

PHRASES_FILE = "phrases.yaml"
_INTERVAL = re.compile(r"^\s*([\[(])\s*([0-9/]+)\s*,\s*([0-9/]+)\s*([\])])\s*$")


@dataclass(frozen=True)
class ShareRange:
    """An interval of exact shares, e.g. ``[4/5, 7/8)``."""

    low: Fraction
    high: Fraction
    low_closed: bool = True
    high_closed: bool = True

    @classmethod
    def parse(cls, text: str, where: str) -> ShareRange:
        match = _INTERVAL.match(text)
        if not match:
            raise ValueError(f"{where}: {text!r} is not an interval such as '[4/5, 7/8)'")
        opening, low, high, closing = match.groups()
        share_range = cls(Fraction(low), Fraction(high), opening == "[", closing == "]")
        if not 0 <= share_range.low <= share_range.high <= 1 or (
            share_range.low == share_range.high
            and not (share_range.low_closed and share_range.high_closed)
        ):
            raise ValueError(f"{where}: {text!r} is not a non-empty range of shares in [0, 1]")
        return share_range

    def __contains__(self, share: object) -> bool:
        if not isinstance(share, Fraction):
            return False
        above = share >= self.low if self.low_closed else share > self.low
        below = share <= self.high if self.high_closed else share < self.high
        return above and below

    def within(self, other: ShareRange) -> bool:
        low_ok = self.low > other.low or (
            self.low == other.low and (other.low_closed or not self.low_closed)
        )
        high_ok = self.high < other.high or (
            self.high == other.high and (other.high_closed or not self.high_closed)
        )
        return low_ok and high_ok

    def __str__(self) -> str:
        """In words, e.g. "at least 80 and under 87.5 per cent"."""
        if self.low == self.high:
            return f"exactly {_percent(self.low)} per cent"
        low = ("at least " if self.low_closed else "over ") + _percent(self.low)
        high = ("at most " if self.high_closed else "under ") + _percent(self.high)
        return f"{low} and {high} per cent"


def _percent(share: Fraction) -> str:
    return f"{float(share * 100):.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Phrase:
    key: str
    default: ShareRange | None
    tolerated: ShareRange
    lead_in: Mapping[str, str]
    figures: Mapping[str, str]


@dataclass(frozen=True)
class PhraseTable:
    phrases: tuple[Phrase, ...]
    figures: Mapping[str, str]
    default_subject: Mapping[str, str]

    def get(self, key: str) -> Phrase:
        for phrase in self.phrases:
            if phrase.key == key:
                return phrase
        raise ValueError(
            f"unknown proportion phrase {key!r}; use one of "
            + ", ".join(repr(p.key) for p in self.phrases)
        )


def _texts(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ValueError(f"{where}: expected texts by language, e.g. {{en: …, fr: …}}")
    return {str(lang): text for lang, text in value.items()}


def _check_defaults_tile(phrases: tuple[Phrase, ...], where: str) -> None:
    """The default ranges, in order, cover every share from 1 down to 0 exactly once."""
    upper, upper_closed = Fraction(1), True
    for phrase in phrases:
        default = phrase.default
        if default is None:
            continue
        if default.high != upper or default.high_closed != upper_closed:
            raise ValueError(
                f"{where}: the default of {phrase.key!r} ({default}) does not start where the "
                "phrase before it ends: the defaults must go down from 1 to 0 without gap "
                "or overlap"
            )
        upper, upper_closed = default.low, not default.low_closed
    if upper != 0 or upper_closed:
        raise ValueError(f"{where}: the defaults do not reach a share of 0")


def parse_phrase_table(loaded: Any, where: str) -> PhraseTable:
    """A phrase table from its YAML (see ``data/phrases.yaml``), checked."""
    phrases = []
    keys: set[str] = set()
    for number, row in enumerate(loaded["phrases"], start=1):
        key = str(row["key"])
        at = f"{where}: phrase {number} ({key})"
        if key in keys:
            raise ValueError(f"{at}: the key is used twice")
        keys.add(key)
        default = ShareRange.parse(row["default"], at) if row["default"] is not None else None
        tolerated = ShareRange.parse(row["tolerated"], at)
        if default is not None and not default.within(tolerated):
            raise ValueError(f"{at}: its default range is not within its tolerated range")
        lead_in = _texts(row["lead_in"], at)
        if "en" not in lead_in:
            raise ValueError(f"{at}: the lead-in needs an English text")
        phrases.append(Phrase(key, default, tolerated, lead_in, _texts(row.get("figures"), at)))
    table = tuple(phrases)
    _check_defaults_tile(table, where)
    return PhraseTable(
        table,
        _texts(loaded["figures"], f"{where}: figures"),
        _texts(loaded["default_subject"], f"{where}: default_subject"),
    )


@functools.cache
def phrase_table() -> PhraseTable:
    """The phrase table of ``data/phrases.yaml``."""
    source = resources.files("mnr.core").joinpath("data", PHRASES_FILE).read_text("utf-8")
    return parse_phrase_table(yaml.safe_load(source), PHRASES_FILE)


# Per language, the bracketed figures, e.g. "(76 per cent, 32 of 42)", and the default subject.
FIGURES: Mapping[str, str] = phrase_table().figures
DEFAULT_SUBJECT: Mapping[str, str] = phrase_table().default_subject


def phrase_keys() -> tuple[str, ...]:
    """Every phrase of the table, in its order (strongest default first)."""
    return tuple(phrase.key for phrase in phrase_table().phrases)


def _share(numerator: int, denominator: int) -> Fraction:
    if denominator <= 0 or not 0 <= numerator <= denominator:
        raise ValueError(
            f"no proportion phrase for {numerator} of {denominator}: "
            "the denominator must be positive and the numerator between 0 and it"
        )
    return Fraction(numerator, denominator)


def proportion_phrase(numerator: int, denominator: int) -> str:
    """The default phrase for numerator/denominator (a key, e.g. ``"over three-quarters"``)."""
    share = _share(numerator, denominator)
    return next(
        phrase.key
        for phrase in phrase_table().phrases
        if phrase.default is not None and share in phrase.default
    )


def phrase_misfit(phrase: str, numerator: int, denominator: int) -> str | None:
    """Why ``phrase`` may not describe numerator/denominator, or None when it may (the share
    is in its tolerated range). An unknown phrase is a ValueError."""
    entry = phrase_table().get(phrase)
    if _share(numerator, denominator) in entry.tolerated:
        return None
    return (
        f"the phrase {phrase!r} does not fit {numerator} of {denominator} "
        f"({_percent(Fraction(numerator, denominator))} per cent): it may be used for "
        f"{entry.tolerated}; leave the phrase empty for the default "
        f"({proportion_phrase(numerator, denominator)!r})"
    )


def chosen_phrase(chosen: str, numerator: int, denominator: int) -> str:
    """The phrase a headline prints: the analyst's ``chosen`` one while it fits the share,
    else the default. Choices are checked when they are saved (:func:`phrase_misfit`); this
    keeps a report from printing a contradiction when a published figure has moved since, or a
    phrase has left the table."""
    if chosen in phrase_keys() and phrase_misfit(chosen, numerator, denominator) is None:
        return chosen
    return proportion_phrase(numerator, denominator)


def phrase_lead_in(phrase: str, lang: str = "en") -> str:
    """The sentence opening for a phrase in a language (English when not translated)."""
    lead_in = phrase_table().get(phrase).lead_in
    return lead_in.get(lang, lead_in["en"])


def phrase_label(phrase: str, lang: str = "en") -> str:
    """The phrase as a choice list shows it: its opening with "…" for the subject and N / P
    for the counts, e.g. "Over three-quarters of …", "Only N …"."""
    entry = phrase_table().get(phrase)
    lead = phrase_lead_in(phrase, lang).format(
        subject="…", numerator="N", denominator="N", percent="P"
    )
    figures = entry.figures.get(lang, entry.figures.get("en", ""))
    if figures:
        lead += " " + figures.format(numerator="n", denominator="N", percent="P")
    return lead


def sentence_parts(
    phrase: str,
    subject: str,
    predicate: str,
    numerator: int,
    denominator: int,
    percent: int,
    lang: str = "en",
) -> tuple[str, str, str]:
    """The sentence in three parts: the opening, the figures, the rest (with its full stop), so
    that a report can link the figures. ``subject`` and ``predicate`` are given in ``lang``."""
    entry = phrase_table().get(phrase)
    table = phrase_table()
    pattern = (
        entry.figures.get(lang)
        or entry.figures.get("en")
        or table.figures.get(lang, table.figures["en"])
    )
    counts = {"numerator": numerator, "denominator": denominator, "percent": percent}
    figures = pattern.format(**counts)
    lead = phrase_lead_in(phrase, lang).format(subject=subject, **counts)
    return lead, figures, f"{predicate.strip().rstrip('.')}."


def finding_sentence(
    phrase: str,
    subject: str,
    predicate: str,
    numerator: int,
    denominator: int,
    percent: int,
    lang: str = "en",
) -> str:
    """E.g. "Over three-quarters of participating jurisdictions (76 per cent, 32 of 42) have …".

    ``subject`` and ``predicate`` are given in ``lang``; the phrase and figures are translated.
    """
    return " ".join(
        sentence_parts(phrase, subject, predicate, numerator, denominator, percent, lang)
    )


def describe(
    finding: Finding, predicate: str, subject: str | None = None, lang: str = "en"
) -> Finding:
    """The finding with its sentence filled in; unchanged when it has no share to describe."""
    if finding.numerator is None or finding.denominator is None or finding.percent is None:
        return finding
    sentence = finding_sentence(
        proportion_phrase(finding.numerator, finding.denominator),
        subject if subject is not None else DEFAULT_SUBJECT.get(lang, DEFAULT_SUBJECT["en"]),
        predicate,
        finding.numerator,
        finding.denominator,
        finding.percent,
        lang,
    )
    return replace(finding, sentence=sentence)
