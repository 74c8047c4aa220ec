"""The synthetic robustness problem of ``mnr bench robustness``: a maturity-shaped round of
invented jurisdictions, sized like the issue's comparison with COINr (250 x 21).

Every assumption of :mod:`mnr.core.robustness` applies to it: status answers with ``partial``,
``dont_know`` and blanks; two channels, some jurisdictions answering through both (and not
always alike); one to three respondents per jurisdiction giving phases, some left blank, and a
few reviewers' overrides. Figures: each capability's "in place" share over everyone, in high-
and in low- and middle-income jurisdictions, and one conditional share. Deterministic for a
seed; nothing in it is a real answer (names say so).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import numpy as np

from mnr.core.findings import INCOME_GROUPS, AnswerRecord, Participant, QuestionSpec, RoundData
from mnr.core.maturity import LEAD, Override, RespondentPhase
from mnr.core.robustness import FigureSpec, MaturityInput, Problem

BENCH_ROUND = "synthetic-robustness-bench"
BENCH_CHANNELS: tuple[str, ...] = ("government", "unicef_country_office")
STATUS_CHOICES: tuple[str, ...] = ("yes", "partial", "no", "dont_know", "not_applicable")
# What a synthetic jurisdiction answers (blank: no answer), and how often.
_ANSWERS: tuple[str | None, ...] = ("yes", "partial", "no", "dont_know", None)
_ANSWER_SHARES = (0.40, 0.25, 0.20, 0.08, 0.07)
_INCOME_SHARES = (0.30, 0.25, 0.30, 0.15)  # HIC, UMC, LMC, LIC
_REGIONS = ("Africa", "Americas", "Asia", "Europe", "Oceania")
_OTHER_RESPONDENTS = ("police", "justice")
BOTH_CHANNELS_SHARE = 0.2  # jurisdictions answering through both channels
DISAGREE_SHARE = 0.3  # of their second channel's answers, those unlike the first's
BLANK_PHASE_SHARE = 0.05
OVERRIDE_SHARE = 0.01
# Domain sizes of the MNR 2016 edition (D1-D6), used when the edition is not read.
EDITION_DOMAIN_SIZES = (3, 4, 4, 4, 4, 2)
_OVERRIDDEN_AT = datetime(2026, 1, 1, tzinfo=UTC)


def capability_ids(capabilities: int) -> tuple[str, ...]:
    return tuple(f"C{n:02d}" for n in range(1, capabilities + 1))


def split_domains(
    capabilities: Sequence[str], sizes: Sequence[int] = EDITION_DOMAIN_SIZES
) -> dict[str, tuple[str, ...]]:
    """Capabilities over domains D1, D2, … in the given sizes (the edition's for 21); any other
    number of capabilities is spread as evenly as possible over as many domains."""
    if sum(sizes) != len(capabilities):
        count = min(len(sizes), len(capabilities))
        base, extra = divmod(len(capabilities), count)
        sizes = [base + (1 if d < extra else 0) for d in range(count)]
    domains: dict[str, tuple[str, ...]] = {}
    start = 0
    for d, size in enumerate(sizes):
        domains[f"D{d + 1}"] = tuple(capabilities[start : start + size])
        start += size
    return domains


def jurisdiction_code(number: int) -> str:
    return f"SYN-{number:04d}"


def synthetic_problem(
    jurisdictions: int = 250,
    capabilities: int = 21,
    *,
    seed: int = 2022,
    domains: Mapping[str, Sequence[str]] | None = None,
) -> Problem:
    """The benchmark's robustness problem; ``domains`` (capability ids by domain) defaults to
    the edition's split for 21 capabilities."""
    if jurisdictions < 2 or capabilities < 1:
        raise ValueError(
            f"{jurisdictions} jurisdictions x {capabilities} capabilities: give at least 2 "
            "jurisdictions and 1 capability"
        )
    rng = np.random.default_rng(seed)
    caps = capability_ids(capabilities)
    by_domain = (
        {d: tuple(c) for d, c in domains.items()} if domains is not None else split_domains(caps)
    )
    codes = [jurisdiction_code(n) for n in range(1, jurisdictions + 1)]
    income = rng.choice(len(INCOME_GROUPS), size=jurisdictions, p=_INCOME_SHARES)
    region = rng.choice(len(_REGIONS), size=jurisdictions)
    participants = tuple(
        Participant(code, INCOME_GROUPS[income[j]], _REGIONS[region[j]])
        for j, code in enumerate(codes)
    )
    questions = tuple(QuestionSpec(f"{c}.status", STATUS_CHOICES) for c in caps)
    answers = _answers(rng, codes, caps)
    round_data = RoundData.from_records(questions, participants, BENCH_CHANNELS, answers)
    return Problem(
        round=BENCH_ROUND,
        round_data=round_data,
        figures=_figures(caps),
        maturity=_maturity(rng, codes, caps, by_domain),
    )


def _answers(
    rng: np.random.Generator, codes: Sequence[str], caps: Sequence[str]
) -> list[AnswerRecord]:
    n_jurisdictions, n_caps = len(codes), len(caps)
    first = rng.choice(len(_ANSWERS), size=(n_jurisdictions, n_caps), p=_ANSWER_SHARES)
    second = rng.choice(len(_ANSWERS), size=(n_jurisdictions, n_caps), p=_ANSWER_SHARES)
    differs = rng.random((n_jurisdictions, n_caps)) < DISAGREE_SHARE
    second = np.where(differs, second, first)
    own_channel = rng.integers(0, len(BENCH_CHANNELS), size=n_jurisdictions)
    both = rng.random(n_jurisdictions) < BOTH_CHANNELS_SHARE
    records: list[AnswerRecord] = []
    for j, code in enumerate(codes):
        own = BENCH_CHANNELS[own_channel[j]]
        other = BENCH_CHANNELS[1 - own_channel[j]]
        for c, cap in enumerate(caps):
            value = _ANSWERS[first[j, c]]
            if value is not None:  # a blank of the jurisdiction's own channel has no row
                records.append(AnswerRecord(code, own, f"{cap}.status", value))
            if both[j]:
                records.append(AnswerRecord(code, other, f"{cap}.status", _ANSWERS[second[j, c]]))
    return records


def _figures(caps: Sequence[str]) -> tuple[FigureSpec, ...]:
    in_place = ("yes", "partial")
    figures = [FigureSpec(f"{c}-in-place", f"{c}.status", in_place) for c in caps]
    for population, label in (("income=HIC", "hic"), ("income=LMIC", "lmic")):
        figures += [
            FigureSpec(f"{c}-in-place-{label}", f"{c}.status", in_place, population) for c in caps
        ]
    figures.append(
        FigureSpec(
            f"{caps[0]}-in-place-then-lmic", f"{caps[0]}.status", in_place, "all;then income!=HIC"
        )
    )
    return tuple(figures)


def _maturity(
    rng: np.random.Generator,
    codes: Sequence[str],
    caps: Sequence[str],
    domains: Mapping[str, tuple[str, ...]],
) -> MaturityInput:
    n_jurisdictions, n_caps = len(codes), len(caps)
    respondents = rng.integers(1, len(_OTHER_RESPONDENTS) + 2, size=n_jurisdictions)
    level = rng.integers(1, 5, size=(n_jurisdictions, n_caps))
    phases: list[RespondentPhase] = []
    for j, code in enumerate(codes):
        for respondent in (LEAD, *_OTHER_RESPONDENTS)[: respondents[j]]:
            # Respondents of one jurisdiction mostly agree, within a phase of each other.
            given = np.clip(level[j] + rng.integers(-1, 2, size=n_caps), 1, 4)
            blank = rng.random(n_caps) < BLANK_PHASE_SHARE
            phases += [
                RespondentPhase(code, cap, respondent, None if blank[c] else int(given[c]))
                for c, cap in enumerate(caps)
            ]
    overridden = np.argwhere(rng.random((n_jurisdictions, n_caps)) < OVERRIDE_SHARE)
    overrides = tuple(
        Override(
            codes[j],
            caps[c],
            int(rng.integers(1, 5)),
            "synthetic override",
            "synthetic-reviewer",
            _OVERRIDDEN_AT,
        )
        for j, c in overridden
    )
    return MaturityInput(phases=tuple(phases), domains=dict(domains), overrides=overrides)
