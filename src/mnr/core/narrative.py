"""Words for shares: the proportion phrase and the finding sentence.

The phrase is chosen from the exact share by the rule table ``PHRASE_RULES`` (first row that
matches wins), documented with its reasons in ``docs/counting-rules.md``. Each phrase has an
English key (the English phrase itself) and, per language, a lead-in that opens the sentence.
French and Spanish lead-ins agree with a feminine plural subject such as *juridictions* /
*jurisdicciones*; languages without a table fall back to English.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

from mnr.core.findings import Finding

Rule = Callable[[Fraction], bool]

# (phrase, test on the exact share); the first matching row wins.
PHRASE_RULES: tuple[tuple[str, Rule], ...] = (
    ("all", lambda s: s == 1),
    ("almost all", lambda s: s >= Fraction(19, 20)),
    ("most", lambda s: s >= Fraction(4, 5)),
    ("over three-quarters", lambda s: s > Fraction(3, 4)),
    ("three-quarters", lambda s: s == Fraction(3, 4)),
    ("almost three-quarters", lambda s: s >= Fraction(7, 10)),
    ("over two-thirds", lambda s: s > Fraction(2, 3)),
    ("two-thirds", lambda s: s == Fraction(2, 3)),
    ("almost two-thirds", lambda s: s >= Fraction(2, 3) - Fraction(1, 20)),
    ("over half", lambda s: s > Fraction(1, 2)),
    ("half", lambda s: s == Fraction(1, 2)),
    ("almost half", lambda s: s >= Fraction(9, 20)),
    ("over a third", lambda s: s > Fraction(1, 3)),
    ("a third", lambda s: s == Fraction(1, 3)),
    ("under a third", lambda s: s > Fraction(1, 4)),
    ("a quarter", lambda s: s == Fraction(1, 4)),
    ("under a quarter", lambda s: s >= Fraction(1, 10)),
    ("few", lambda s: s > 0),
    ("none", lambda s: s == 0),
)

# Per language: phrase -> lead-in with {subject}. The English table defines the phrases.
LEAD_INS: dict[str, dict[str, str]] = {
    "en": {
        "all": "All {subject}",
        "almost all": "Almost all {subject}",
        "most": "Most {subject}",
        "over three-quarters": "Over three-quarters of {subject}",
        "three-quarters": "Three-quarters of {subject}",
        "almost three-quarters": "Almost three-quarters of {subject}",
        "over two-thirds": "Over two-thirds of {subject}",
        "two-thirds": "Two-thirds of {subject}",
        "almost two-thirds": "Almost two-thirds of {subject}",
        "over half": "Over half of {subject}",
        "half": "Half of {subject}",
        "almost half": "Almost half of {subject}",
        "over a third": "Over a third of {subject}",
        "a third": "A third of {subject}",
        "under a third": "Under a third of {subject}",
        "a quarter": "A quarter of {subject}",
        "under a quarter": "Under a quarter of {subject}",
        "few": "Few {subject}",
        "none": "No {subject}",
    },
    "fr": {
        "all": "Toutes les {subject}",
        "almost all": "Presque toutes les {subject}",
        "most": "La plupart des {subject}",
        "over three-quarters": "Plus des trois quarts des {subject}",
        "three-quarters": "Les trois quarts des {subject}",
        "almost three-quarters": "Près des trois quarts des {subject}",
        "over two-thirds": "Plus des deux tiers des {subject}",
        "two-thirds": "Les deux tiers des {subject}",
        "almost two-thirds": "Près des deux tiers des {subject}",
        "over half": "Plus de la moitié des {subject}",
        "half": "La moitié des {subject}",
        "almost half": "Près de la moitié des {subject}",
        "over a third": "Plus d'un tiers des {subject}",
        "a third": "Un tiers des {subject}",
        "under a third": "Moins d'un tiers des {subject}",
        "a quarter": "Un quart des {subject}",
        "under a quarter": "Moins d'un quart des {subject}",
        "few": "Peu de {subject}",
        "none": "Aucune des {subject}",
    },
    "es": {
        "all": "Todas las {subject}",
        "almost all": "Casi todas las {subject}",
        "most": "La mayoría de las {subject}",
        "over three-quarters": "Más de tres cuartas partes de las {subject}",
        "three-quarters": "Tres cuartas partes de las {subject}",
        "almost three-quarters": "Casi tres cuartas partes de las {subject}",
        "over two-thirds": "Más de dos tercios de las {subject}",
        "two-thirds": "Dos tercios de las {subject}",
        "almost two-thirds": "Casi dos tercios de las {subject}",
        "over half": "Más de la mitad de las {subject}",
        "half": "La mitad de las {subject}",
        "almost half": "Casi la mitad de las {subject}",
        "over a third": "Más de un tercio de las {subject}",
        "a third": "Un tercio de las {subject}",
        "under a third": "Menos de un tercio de las {subject}",
        "a quarter": "Una cuarta parte de las {subject}",
        "under a quarter": "Menos de una cuarta parte de las {subject}",
        "few": "Pocas {subject}",
        "none": "Ninguna de las {subject}",
    },
}

# Per language: the bracketed figures, e.g. "(76 per cent, 32 of 42)".
FIGURES: dict[str, str] = {
    "en": "({percent} per cent, {numerator} of {denominator})",
    "fr": "({percent} pour cent, {numerator} sur {denominator})",
    "es": "({percent} por ciento, {numerator} de {denominator})",
}

DEFAULT_SUBJECT: dict[str, str] = {
    "en": "participating jurisdictions",
    "fr": "juridictions participantes",
    "es": "jurisdicciones participantes",
}


def proportion_phrase(numerator: int, denominator: int) -> str:
    """The phrase for numerator/denominator (an English key, e.g. ``"over three-quarters"``)."""
    if denominator <= 0 or not 0 <= numerator <= denominator:
        raise ValueError(
            f"no proportion phrase for {numerator} of {denominator}: "
            "the denominator must be positive and the numerator between 0 and it"
        )
    share = Fraction(numerator, denominator)
    return next(phrase for phrase, applies in PHRASE_RULES if applies(share))


def phrase_lead_in(phrase: str, lang: str = "en") -> str:
    """The sentence opening for a phrase in a language (English when not translated)."""
    if phrase not in LEAD_INS["en"]:
        raise ValueError(f"unknown proportion phrase {phrase!r}; use proportion_phrase()")
    return LEAD_INS.get(lang, {}).get(phrase, LEAD_INS["en"][phrase])


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
    figures = FIGURES.get(lang, FIGURES["en"]).format(
        percent=percent, numerator=numerator, denominator=denominator
    )
    lead = phrase_lead_in(phrase, lang).format(subject=subject)
    return f"{lead} {figures} {predicate.strip().rstrip('.')}."


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
