"""Robustness: how far a round's published figures and domain maturity scores depend on the
coding choices behind them.

A *problem* is a round's answers and published figures (and, for a self-assessment, its
respondents' maturity phases). A *specification* says which options of each assumption are
tried: how ``partial``, ``dont_know`` and blank answers are coded, which channel wins when two
answered, which respondent rule consolidates phases, how capabilities are weighted in a domain
(Dirichlet noise around the nominal weights) and how a domain score aggregates them. Every
assumption's first option is *nominal*: what the counting rules and ``docs/maturity.md`` do,
so that with every assumption fixed each figure is exactly the published one.

Inputs are drawn once, for the whole run, with SALib's Saltelli design (a scrambled Sobol'
sequence, ``calc_second_order=False``): ``n`` base rows times (assumptions + 2). Each row is a
replication; a discrete assumption takes option ``floor(u x options)``. Replications are
evaluated in chunks and outputs in blocks of jurisdictions, so memory is bounded and no result
depends on the chunk size. Each output's 5th and 95th percentiles come from all replications;
first and total order Sobol' indices from SALib's estimators (Saltelli 2010, Jansen). Every rule
is written out in ``docs/robustness.md``.

Pure: no Django, no database. Bad specifications raise :class:`RobustnessError` before any
replication runs; a replication that fails (a share over no one) raises too, naming it.
"""

from __future__ import annotations

import itertools
import os
import statistics
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from mnr.core import narrative
from mnr.core.findings import (
    ANSWER_CODES,
    INCOME_GROUPS,
    NO_CHANNEL,
    QuestionCells,
    RoundData,
    check_counts_as,
    percent,
    question_cells,
)
from mnr.core.maturity import LEAD, Override, RespondentPhase, lower_median

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ASSUMPTIONS: tuple[str, ...] = (
    "partial",
    "dont_know",
    "blank",
    "channel",
    "respondent",
    "weights",
    "aggregation",
)
"""Every assumption, in the order outputs list them."""

# The options of every assumption but ``channel`` (whose options are the round's channel
# orders); the first is nominal.
OPTIONS: Mapping[str, tuple[str, ...]] = {
    "partial": ("as-counted", "in-place", "not-in-place", "half"),
    "dont_know": ("as-counted", "exclude", "count-as-no", "impute"),
    "blank": ("as-counted", "count-as-no", "impute"),
    "respondent": ("lower-median", "median", "minimum", "lead"),
    "weights": ("nominal", "dirichlet"),
    "aggregation": ("arithmetic", "geometric", "median"),
}
CHANNEL_NOMINAL = "as-set"
FIGURE_ASSUMPTIONS = ("partial", "dont_know", "blank", "channel")
# Held at their nominal option in a public run: other channels' answers and other respondents'
# phases are in no public table (see mnr.core.disclosure.public_robustness).
PUBLIC_FIXED = ("channel", "respondent", "weights", "aggregation")
MATURITY_ASSUMPTIONS = ("respondent", "weights", "aggregation")

DEFAULT_CONCENTRATION = 20.0
DEFAULT_WEIGHT_SETS = 1000
DEFAULT_FLOOR = 0.5
DEFAULT_CHUNK = 8192
# Base rows of the design per assumption varied: fewer make Sobol' indices mostly noise.
MIN_BASE_ROWS = 64
# Memory for the stored outputs of one block of jurisdictions (all replications of it).
BLOCK_BYTES = 256 * 2**20
# Threads over blocks of jurisdictions (results do not depend on it).
THREADS = max(1, min(4, os.cpu_count() or 1))
LOW_PERCENTILE = 5.0
HIGH_PERCENTILE = 95.0

# Answer code columns: the five answer codes, then blank.
_YES, _PARTIAL, _NO, _DONT_KNOW, _NOT_APPLICABLE = range(len(ANSWER_CODES))
_BLANK = len(ANSWER_CODES)
# A blank from a jurisdiction that was never asked (its channel does not ask the question):
# no option recodes it, as no count includes it.
_NOT_ASKED = _BLANK + 1
_CODES = _NOT_ASKED + 1
# Rate groups for imputation: the income groups, then "the whole round".
_ROUND_RATE = len(INCOME_GROUPS)
_RATE_GROUPS = _ROUND_RATE + 1


class RobustnessError(ValueError):
    """A specification that cannot be run, or a replication that failed."""


# --- the problem --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureSpec:
    """A published figure: a share of ``question`` within ``population`` (the population
    mini-language of :func:`mnr.core.findings.compute_figure`), and the phrase its headline
    prints (a phrase key; empty for the default phrase of the share)."""

    id: str
    question: str
    counts_as: tuple[str, ...]
    population: str = "all"
    phrase: str = ""


@dataclass(frozen=True)
class MaturityInput:
    """A round's maturity phases: every respondent's phase by jurisdiction and capability,
    the reviewers' overrides (they stand whatever the respondent rule), and the capabilities of
    each domain in framework order (ids as in ``phases``). A capability without a phase counts
    0 in its domain's score: not yet building."""

    phases: tuple[RespondentPhase, ...]
    domains: Mapping[str, tuple[str, ...]]
    overrides: tuple[Override, ...] = ()


@dataclass(frozen=True)
class Problem:
    """What a robustness run recomputes. ``rate_groups`` optionally limits, per figure id, the
    income groups whose own rate imputation may use (the others use the whole round's rate):
    a public run passes :func:`mnr.core.disclosure.public_robustness`'s."""

    round: str
    round_data: RoundData | None = None
    figures: tuple[FigureSpec, ...] = ()
    maturity: MaturityInput | None = None
    rate_groups: Mapping[str, frozenset[str]] | None = None


@dataclass(frozen=True)
class Spec:
    """Which options of each assumption a run tries (an assumption not listed is fixed at its
    nominal option), the Dirichlet concentration and number of weight sets for ``weights`` =
    ``dirichlet``, the floor of the geometric mean (None: no floor), and nominal capability
    weights (None: equal within each domain)."""

    options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    concentration: float = DEFAULT_CONCENTRATION
    weight_sets: int = DEFAULT_WEIGHT_SETS
    floor: float | None = DEFAULT_FLOOR
    capability_weights: Mapping[str, float] | None = None

    def chosen(self, assumption: str) -> tuple[str, ...]:
        return self.options.get(assumption, ())

    def to_json(self) -> dict[str, Any]:
        return {
            "options": {
                name: list(self.options[name]) for name in ASSUMPTIONS if name in self.options
            },
            "concentration": self.concentration,
            "weight_sets": self.weight_sets,
            "floor": self.floor,
            "capability_weights": None
            if self.capability_weights is None
            else dict(self.capability_weights),
        }


def channel_options(round_data: RoundData) -> tuple[str, ...]:
    """The channel orders a run may try: the round's (``as-set``), then every other order
    written ``first>second>…``."""
    others = [
        ">".join(order)
        for order in itertools.permutations(round_data.channels)
        if order != tuple(round_data.channels)
    ]
    return (CHANNEL_NOMINAL, *others)


def options_of(problem: Problem, assumption: str) -> tuple[str, ...]:
    if assumption not in ASSUMPTIONS:
        raise RobustnessError(
            f"unknown assumption {assumption!r}; use one of {', '.join(ASSUMPTIONS)}"
        )
    if assumption == "channel":
        return channel_options(problem.round_data) if problem.round_data else (CHANNEL_NOMINAL,)
    return OPTIONS[assumption]


def applicability(problem: Problem, assumption: str) -> str | None:
    """Why an assumption does not apply to a problem's round, or None when it does."""
    data = problem.round_data
    if assumption in FIGURE_ASSUMPTIONS:
        if data is None or not problem.figures:
            return "the round has no published figures"
        questions = [data.question(f.question) for f in problem.figures]
        if assumption == "partial" and not any("partial" in q.choices for q in questions):
            return "no figure's question offers 'partial'"
        if assumption == "dont_know" and not any("dont_know" in q.choices for q in questions):
            return "no figure's question offers 'dont_know'"
        if assumption == "channel" and not _answered_through_several(data):
            return "no jurisdiction answered through more than one channel"
        return None
    if problem.maturity is None or not problem.maturity.phases:
        return "the round has no maturity phases"
    if assumption == "respondent" and not any(
        p.respondent != LEAD for p in problem.maturity.phases
    ):
        return "every jurisdiction has its lead respondent only"
    return None


def _answered_through_several(data: RoundData) -> bool:
    answers = data.answers
    given = answers[answers["value"].notna() & (answers["value"] != "")]
    return bool((given.groupby("jurisdiction")["channel"].nunique() > 1).any())


def default_spec(problem: Problem) -> Spec:
    """Every option of every assumption that applies to the problem's round."""
    options: dict[str, tuple[str, ...]] = {}
    for name in ASSUMPTIONS:
        if applicability(problem, name) is None:
            options[name] = ("dirichlet",) if name == "weights" else options_of(problem, name)
    return Spec(options=options)


# --- checking a specification -------------------------------------------------------------------


def check(problem: Problem, spec: Spec, replications: int) -> list[str]:
    """The assumptions a run varies (its Sobol' factors), after checking everything that can
    be checked before a replication runs; raises :class:`RobustnessError` naming each problem."""
    problems: list[str] = []
    for name in spec.options:
        if name not in ASSUMPTIONS:
            problems.append(f"unknown assumption {name!r}; use one of {', '.join(ASSUMPTIONS)}")
            continue
        chosen = spec.options[name]
        known = options_of(problem, name)
        unknown = [option for option in chosen if option not in known]
        if not chosen or unknown:
            problems.append(
                f"assumption {name!r}: {', '.join(map(repr, unknown)) or 'no option'} "
                f"is not an option; use some of {', '.join(known)}"
            )
            continue
        if len(set(chosen)) != len(chosen):
            problems.append(f"assumption {name!r}: an option is listed twice")
        if name == "weights" and len(chosen) != 1:
            problems.append(
                "assumption 'weights': give 'nominal' or 'dirichlet' (Dirichlet noise around "
                "the nominal weights), not both"
            )
        varied = chosen != (known[0],)
        why = applicability(problem, name)
        if varied and why is not None:
            problems.append(f"assumption {name!r} does not apply to round {problem.round}: {why}")
    problems += _weight_problems(problem, spec)
    problems += _figure_problems(problem, spec)
    factors = [name for name in ASSUMPTIONS if _varied(spec, name)]
    needed = MIN_BASE_ROWS * (len(factors) + 2)
    if replications < needed:
        problems.append(
            f"{replications} replications are too few for the sensitivity design: with "
            f"{len(factors)} assumption(s) varied it needs at least {needed} "
            f"({MIN_BASE_ROWS} x (assumptions + 2))"
        )
    if problems:
        raise RobustnessError("; ".join(problems))
    return factors


def _varied(spec: Spec, name: str) -> bool:
    chosen = spec.chosen(name)
    if name == "weights":
        return chosen == ("dirichlet",)
    return len(chosen) > 1


def _weight_problems(problem: Problem, spec: Spec) -> list[str]:
    maturity = problem.maturity
    problems: list[str] = []
    if spec.weight_sets < 1:
        problems.append(f"weight sets {spec.weight_sets}: give at least 1")
    if _varied(spec, "weights") and not spec.concentration > 0:
        problems.append(
            f"Dirichlet concentration {spec.concentration}: give a positive number "
            "(larger keeps the weights closer to the nominal ones)"
        )
    if spec.floor is not None and not spec.floor > 0:
        problems.append(f"geometric mean floor {spec.floor}: give a positive number or none")
    if maturity is None:
        return problems
    given = spec.capability_weights or {}
    known = {c for caps in maturity.domains.values() for c in caps}
    for capability, weight in given.items():
        if capability not in known:
            problems.append(f"capability weight {capability!r}: no domain has this capability")
        elif not weight >= 0:
            problems.append(f"capability weight {capability!r}: {weight} is not zero or more")
    if spec.capability_weights is not None:
        for domain, caps in maturity.domains.items():
            if caps and all(given.get(c, 0) <= 0 for c in caps):
                problems.append(
                    f"domain {domain!r}: every capability weight is zero; give at least one "
                    "capability a positive weight"
                )
    aggregations = spec.chosen("aggregation") or OPTIONS["aggregation"][:1]
    if "geometric" in aggregations and spec.floor is None and _zero_phases(maturity):
        problems.append(
            "aggregation 'geometric': some capabilities have no phase (they count 0), and the "
            "geometric mean over a zero is zero whatever else the domain holds; give a floor "
            f"(e.g. {DEFAULT_FLOOR})"
        )
    return problems


def _zero_phases(maturity: MaturityInput) -> bool:
    """Whether some jurisdiction x capability has no phase (neither given nor overridden)."""
    by_unit: dict[tuple[str, str], bool] = {}
    for given in maturity.phases:
        unit = (given.jurisdiction, given.capability)
        by_unit[unit] = by_unit.get(unit, False) or given.phase is not None
    for override in maturity.overrides:
        by_unit[(override.jurisdiction, override.capability)] = True
    jurisdictions = {j for j, _ in by_unit}
    return any(
        not by_unit.get((j, c), False)
        for j in jurisdictions
        for caps in maturity.domains.values()
        for c in caps
    )


def _figure_problems(problem: Problem, spec: Spec) -> list[str]:
    data = problem.round_data
    problems: list[str] = []
    if data is None:
        return problems
    seen: set[str] = set()
    for figure in problem.figures:
        if figure.id in seen:
            problems.append(f"figure {figure.id}: listed twice")
        seen.add(figure.id)
        try:
            check_counts_as(data.question(figure.question), figure.counts_as)
        except ValueError as error:
            problems.append(f"figure {figure.id}: {error}")
    return problems


# --- the design -----------------------------------------------------------------------------


def design(factors: int, base_rows: int, seed: int) -> FloatArray:
    """SALib's Saltelli design for ``factors`` inputs uniform on [0, 1): ``base_rows x
    (factors + 2)`` rows (A, then each A with column i from B, then B). With no factor, every
    row is the nominal one."""
    if factors == 0:
        return np.zeros((base_rows * 2, 0))
    from SALib.sample import sobol

    problem = {
        "num_vars": factors,
        "names": [f"x{i}" for i in range(factors)],
        "bounds": [[0.0, 1.0]] * factors,
    }
    with warnings.catch_warnings():
        # The balance of a Sobol' sequence needs a power of two rows; the estimates stay
        # consistent without it, and a user asking for 10,000 replications gets about that.
        warnings.simplefilter("ignore")
        sample = sobol.sample(problem, base_rows, calc_second_order=False, scramble=True, seed=seed)
    return np.asarray(sample, dtype=np.float64)


def by_design(outputs: FloatArray, factors: int) -> FloatArray:
    """Outputs shaped (outputs, replications) in the rows' order, rearranged (outputs, factors
    + 2, base rows): ``[:, 0]`` is A, ``[:, i + 1]`` A with column i from B, ``[:, -1]`` B."""
    step = factors + 2
    arranged: FloatArray = np.ascontiguousarray(
        outputs.reshape(len(outputs), -1, step).transpose(0, 2, 1)
    )
    return arranged


def indices(arranged: FloatArray, factors: int) -> tuple[FloatArray, FloatArray]:
    """First and total order Sobol' indices, shape (factors, outputs), of outputs arranged by
    :func:`by_design`: SALib's estimators (``SALib.analyze.sobol.first_order`` and
    ``total_order``, Saltelli et al. 2010, normalised by the variance of A and B), written out
    once here so that the variance is computed once per output rather than twice per
    assumption, over contiguous rows; a test holds them equal to SALib's. An output that never
    varies gets 0."""
    n_outputs = arranged.shape[0]
    first = np.zeros((factors, n_outputs))
    total = np.zeros((factors, n_outputs))
    if factors == 0:
        return first, total
    a, b = arranged[:, 0, :], arranged[:, -1, :]
    rows = a.shape[1]
    # np.var of A and B together (what SALib normalises by), without joining them; einsum
    # sums the products without making them an array first.
    mean = (a.sum(axis=1) + b.sum(axis=1)) / (2 * rows)
    difference = np.empty_like(a)  # one scratch array for every pass
    variance = np.zeros(n_outputs)
    for side in (a, b):
        np.subtract(side, mean[:, None], out=difference)
        variance += np.einsum("ij,ij->i", difference, difference)
    variance /= 2 * rows
    varies = variance > np.finfo(float).eps
    if not varies.any():
        return first, total
    for i in range(factors):
        np.subtract(arranged[:, i + 1, :], a, out=difference)
        first[i] = np.einsum("ij,ij->i", b, difference) / rows
        total[i] = 0.5 * np.einsum("ij,ij->i", difference, difference) / rows
    with np.errstate(divide="ignore", invalid="ignore"):
        first = np.where(varies, first / variance, 0.0)
        total = np.where(varies, total / variance, 0.0)
    return first, total


def _percentiles(outputs: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The 5th and 95th percentile of every output (a row of ``outputs``, reordered in place:
    call it last)."""
    low, high = np.percentile(
        outputs, [LOW_PERCENTILE, HIGH_PERCENTILE], axis=1, overwrite_input=True
    )
    return low, high


def _levels(sample: FloatArray, counts: Sequence[int]) -> IntArray:
    """Option index of every replication for each factor (columns of ``sample``)."""
    scaled = np.floor(sample * np.asarray(counts, dtype=np.float64))
    levels: IntArray = np.minimum(scaled, np.asarray(counts) - 1).astype(np.int64)
    return levels


# --- figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FigureCounts:
    """Every figure's counts under each channel order: shape (orders, figures, rate groups,
    codes), for its base population and for the "then" part of a conditional share; and the
    counts of each income group (the whole round last) for imputation rates."""

    base: FloatArray
    then: FloatArray
    conditional: npt.NDArray[np.bool_]
    rates: FloatArray
    member: FloatArray  # (figures, codes): the codes in each figure's counts_as


def _figure_counts(problem: Problem, orders: Sequence[str]) -> _FigureCounts:
    data = problem.round_data
    assert data is not None
    figures = problem.figures
    questions = list(dict.fromkeys(f.question for f in figures))
    shape = (len(orders), len(figures), _RATE_GROUPS, _CODES)
    base = np.zeros(shape)
    then = np.zeros(shape)
    rates = np.zeros(shape)
    for k, order in enumerate(orders):
        channels = data.channels if order == CHANNEL_NOMINAL else tuple(order.split(">"))
        reordered = RoundData(data.questions, data.participants, channels, data.answers)
        cells = {c.question.id: c for c in question_cells(reordered, questions)}
        for f, figure in enumerate(figures):
            cell = cells[figure.question]
            group = _rate_group(cell, problem, figure.id)
            codes = np.where(_never_asked(cell) & (cell.codes == _BLANK), _NOT_ASKED, cell.codes)
            in_base, in_then = cell.population(figure.population, reordered)
            base[k, f] = _tally(group, codes, in_base)
            if in_then is not None:
                then[k, f] = _tally(group, codes, in_then)
            by_group = _tally(group, codes, np.ones(len(codes), dtype=bool))
            rates[k, f] = by_group
            rates[k, f, _ROUND_RATE] = by_group.sum(axis=0)
    member = np.array(
        [
            [1.0 if code in f.counts_as else 0.0 for code in (*ANSWER_CODES, "blank", "")]
            for f in figures
        ]
    )
    conditional = np.array([";then " in f.population for f in figures], dtype=bool)
    return _FigureCounts(base, then, conditional, rates, member)


def _never_asked(cell: QuestionCells) -> npt.NDArray[np.bool_]:
    """Participants whose answering channel does not ask the question. One that answered
    nothing at all was asked, and its blank is a blank."""
    channels = cell.question.channels
    if channels is None:
        return np.zeros(len(cell.codes), dtype=bool)
    used = cell.labels["channel"]
    return np.asarray((used != NO_CHANNEL) & ~np.isin(used, list(channels)), dtype=bool)


def _rate_group(cell: QuestionCells, problem: Problem, figure: str) -> IntArray:
    """Each participant's imputation group: its income group, or the whole round when the
    group is unknown or its rate may not be used."""
    allowed = None if problem.rate_groups is None else problem.rate_groups.get(figure, frozenset())
    labels = cell.labels["income-group"]
    group = np.full(len(labels), _ROUND_RATE, dtype=np.int64)
    for g, name in enumerate(INCOME_GROUPS):
        if allowed is None or name in allowed:
            group[labels == name] = g
    return group


def _tally(group: IntArray, codes: IntArray, rows: npt.NDArray[np.bool_]) -> FloatArray:
    flat = group[rows] * _CODES + codes[rows]
    counts = np.bincount(flat, minlength=_RATE_GROUPS * _CODES)
    return counts.reshape(_RATE_GROUPS, _CODES).astype(np.float64)


def _figure_values(
    counts: _FigureCounts, order: int, partial: str, dont_know: str, blank: str
) -> tuple[FloatArray, FloatArray]:
    """Every figure's numerator and denominator under one combination of the figure
    assumptions (vectors over figures; fractional where imputed or halved)."""
    member = counts.member.copy()  # numerator weight of each code, per figure
    in_denominator = np.zeros(_CODES)
    in_denominator[[_YES, _PARTIAL, _NO, _DONT_KNOW]] = 1.0
    denominator_weight = np.tile(in_denominator, (len(member), 1))
    if partial == "in-place":
        member[:, _PARTIAL] = member[:, _YES]
    elif partial == "not-in-place":
        member[:, _PARTIAL] = member[:, _NO]
    elif partial == "half":
        member[:, _PARTIAL] = (member[:, _YES] + member[:, _NO]) / 2
    member[:, _BLANK] = 0.0
    member[:, _NOT_ASKED] = 0.0
    member[:, _NOT_APPLICABLE] = 0.0
    impute = np.zeros(_CODES, dtype=bool)
    for code, option in ((_DONT_KNOW, dont_know), (_BLANK, blank)):
        if option == "exclude":
            member[:, code] = 0.0
            denominator_weight[:, code] = 0.0
        elif option == "count-as-no":
            member[:, code] = member[:, _NO]
            denominator_weight[:, code] = 1.0
        elif option == "impute":
            impute[code] = True
            member[:, code] = 0.0
            denominator_weight[:, code] = 1.0
    # Imputation: the group's rate among its yes, partial and no answers, with this coding.
    rates = counts.rates[order]
    substantive = [_YES, _PARTIAL, _NO]
    answered = rates[:, :, substantive].sum(axis=2)
    in_numerator = (rates[:, :, substantive] * member[:, None, substantive]).sum(axis=2)
    round_rate = in_numerator[:, _ROUND_RATE : _ROUND_RATE + 1] / np.where(
        answered[:, _ROUND_RATE : _ROUND_RATE + 1] > 0,
        answered[:, _ROUND_RATE : _ROUND_RATE + 1],
        np.nan,
    )
    rate = np.where(answered > 0, in_numerator / np.where(answered > 0, answered, 1.0), round_rate)
    weight = np.repeat(member[:, None, :], _RATE_GROUPS, axis=1)
    for imputed in np.flatnonzero(impute):
        weight[:, :, imputed] = rate
    base, then = counts.base[order], counts.then[order]
    numerator = (base * weight).sum(axis=(1, 2))
    denominator = (base * denominator_weight[:, None, :]).sum(axis=(1, 2))
    # A conditional share: of the base's counted jurisdictions, the share also in "then".
    conditional_numerator = (then * weight).sum(axis=(1, 2))
    numerator = np.where(counts.conditional, conditional_numerator, numerator)
    denominator = np.where(counts.conditional, (base * weight).sum(axis=(1, 2)), denominator)
    return numerator, denominator


# --- maturity -------------------------------------------------------------------------------


def _consolidated(rules: Sequence[str], phases: Mapping[str, int | None]) -> list[float]:
    """A unit's phase under each respondent rule; 0 where it has none."""
    given = sorted(phase for phase in phases.values() if phase is not None)
    lead = phases.get(LEAD)
    values = []
    for rule in rules:
        if rule == "lead":
            values.append(float(lead) if lead is not None else 0.0)
        elif not given:
            values.append(0.0)
        elif rule == "lower-median":
            values.append(float(lower_median(given)))
        elif rule == "median":
            values.append(float(statistics.median(given)))
        else:
            values.append(float(given[0]))
    return values


@dataclass(frozen=True)
class _Maturity:
    jurisdictions: tuple[str, ...]
    domains: tuple[str, ...]
    capabilities: tuple[str, ...]
    domain_of: IntArray  # per capability
    phases: FloatArray  # (rules, jurisdictions, capabilities)
    weights: FloatArray  # nominal weights per capability, summing to 1 within each domain


def _maturity(problem: Problem, spec: Spec, rules: Sequence[str]) -> _Maturity:
    maturity = problem.maturity
    assert maturity is not None
    domains = tuple(maturity.domains)
    capabilities = tuple(c for d in domains for c in maturity.domains[d])
    domain_of = np.array([d for d, name in enumerate(domains) for _ in maturity.domains[name]])
    by_unit: dict[tuple[str, str], dict[str, int | None]] = {}
    for given in maturity.phases:
        by_unit.setdefault((given.jurisdiction, given.capability), {})[given.respondent] = (
            given.phase
        )
    jurisdictions = tuple(sorted({j for j, _ in by_unit}))
    overridden = {(o.jurisdiction, o.capability): float(o.phase) for o in maturity.overrides}
    phases = np.zeros((len(rules), len(jurisdictions), len(capabilities)))
    for j, jurisdiction in enumerate(jurisdictions):
        for c, capability in enumerate(capabilities):
            unit = (jurisdiction, capability)
            if unit in overridden:
                phases[:, j, c] = overridden[unit]
            elif unit in by_unit:
                phases[:, j, c] = _consolidated(rules, by_unit[unit])
    chosen = spec.capability_weights
    raw = np.array([1.0 if chosen is None else float(chosen.get(c, 0.0)) for c in capabilities])
    totals = np.bincount(domain_of, weights=raw, minlength=len(domains))
    weights = raw / totals[domain_of]
    return _Maturity(jurisdictions, domains, capabilities, domain_of, phases, weights)


def _weight_sets(model: _Maturity, spec: Spec, seed: int) -> FloatArray:
    """Dirichlet draws around the nominal weights, one row per set, summing to 1 per domain:
    each capability's parameter is the concentration x its nominal weight x the domain's size,
    so that with equal weights every parameter is the concentration."""
    rng = np.random.default_rng([seed, 1])
    sets = np.zeros((spec.weight_sets, len(model.capabilities)))
    for d in range(len(model.domains)):
        caps = np.flatnonzero((model.domain_of == d) & (model.weights > 0))
        alpha = spec.concentration * model.weights[caps] * len(caps)
        sets[:, caps] = rng.dirichlet(alpha, size=spec.weight_sets)
    return sets


@dataclass(frozen=True)
class _Phases:
    """One respondent rule's phases of a block of jurisdictions, prepared once for every
    aggregation: their logarithms (floored) and, per domain, their increasing order."""

    phases: FloatArray  # (jurisdictions, capabilities)
    logs: FloatArray
    orders: tuple[tuple[IntArray, FloatArray, IntArray], ...]  # per domain: caps, ordered, order

    @classmethod
    def of(cls, phases: FloatArray, model: _Maturity, floor: float | None) -> _Phases:
        with np.errstate(divide="ignore"):
            logs = np.log(np.maximum(phases, floor or 0.0))
        orders = []
        for d in range(len(model.domains)):
            caps = np.flatnonzero(model.domain_of == d)
            order = np.argsort(phases[:, caps], axis=1, kind="stable")
            orders.append((caps, np.take_along_axis(phases[:, caps], order, axis=1), caps[order]))
        return cls(phases, logs, tuple(orders))


def _domain_scores(prepared: _Phases, weights: FloatArray, aggregation: str) -> FloatArray:
    """Scores of every jurisdiction x domain for each replication, given its weights as
    columns (capabilities, replications): shape (jurisdictions, domains, replications). Sums
    run capability by capability, so a replication's result does not depend on the others
    beside it (nor therefore on the chunk size)."""
    n_jurisdictions, replications = len(prepared.phases), weights.shape[1]
    scores = np.empty((n_jurisdictions, len(prepared.orders), replications))
    values = prepared.logs if aggregation == "geometric" else prepared.phases
    term = np.empty((n_jurisdictions, replications))
    for d, (caps, ordered, order) in enumerate(prepared.orders):
        if aggregation == "median":
            scores[:, d, :] = _weighted_lower_median(ordered, order, weights)
            continue
        total = scores[:, d, :]
        total[:] = 0.0
        for c in caps:
            np.multiply(values[:, c, None], weights[c][None, :], out=term)
            total += term
        if aggregation == "geometric":
            np.exp(total, out=total)
            # A mean lies within its values: a domain with no phase at all scores 0, not the
            # floor that stands in for each zero.
            np.minimum(total, ordered[:, -1:], out=total)
    return scores


def _weighted_lower_median(ordered: FloatArray, order: IntArray, weights: FloatArray) -> FloatArray:
    """The smallest phase whose cumulative weight (phases in increasing order) reaches half;
    with equal weights, the lower median. ``ordered``: each jurisdiction's phases of the
    domain in increasing order; ``order``: the capability (row of ``weights``) of each.
    Shape (jurisdictions, replications)."""
    shape = (len(ordered), weights.shape[1])
    result = np.zeros(shape)
    found = np.zeros(shape, dtype=bool)
    cumulative = np.zeros(shape)
    for position in range(ordered.shape[1]):
        cumulative += weights[order[:, position]]
        reached = ~found & (cumulative >= 0.5 - 1e-9)
        np.copyto(result, ordered[:, position, None], where=reached)
        found |= reached
    return result


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sensitivity:
    assumption: str
    first: float
    total: float

    def to_json(self) -> dict[str, Any]:
        return {"assumption": self.assumption, "first": self.first, "total": self.total}


@dataclass(frozen=True)
class FigureRobustness:
    """A figure's nominal value, its 5th-95th percentile range (per cent, unrounded) and the
    share of replications in which its phrase still fits."""

    id: str
    question: str
    population: str
    counts_as: tuple[str, ...]
    numerator: int
    denominator: int
    percent: int | None
    low: float
    high: float
    phrase: str
    phrase_stable: float
    sensitivity: tuple[Sensitivity, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "population": self.population,
            "counts_as": list(self.counts_as),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "percent": self.percent,
            "low": self.low,
            "high": self.high,
            "phrase": self.phrase,
            "phrase_stable": self.phrase_stable,
            "sensitivity": [s.to_json() for s in self.sensitivity],
        }


@dataclass(frozen=True)
class DomainRobustness:
    """One jurisdiction's score in one domain (0-4): nominal, 5th and 95th percentiles."""

    jurisdiction: str
    domain: str
    nominal: float
    low: float
    high: float
    sensitivity: tuple[Sensitivity, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "domain": self.domain,
            "nominal": self.nominal,
            "low": self.low,
            "high": self.high,
            "sensitivity": [s.to_json() for s in self.sensitivity],
        }


@dataclass(frozen=True)
class Result:
    round: str
    seed: int
    replications: int
    spec: Spec
    factors: tuple[str, ...]
    figures: tuple[FigureRobustness, ...]
    domains: tuple[DomainRobustness, ...]

    def to_json(self) -> dict[str, Any]:
        """Figures in the order given; domain scores by jurisdiction code, then domain in
        framework order: never by score (no ranking)."""
        return {
            "round": self.round,
            "seed": self.seed,
            "replications": self.replications,
            "spec": self.spec.to_json(),
            "factors": list(self.factors),
            "figures": [f.to_json() for f in self.figures],
            "domains": [d.to_json() for d in self.domains],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Result:
        """The result :meth:`to_json` wrote (stored with a publication)."""
        spec = data["spec"]

        def sensitivity(rows: Sequence[Mapping[str, Any]]) -> tuple[Sensitivity, ...]:
            return tuple(Sensitivity(r["assumption"], r["first"], r["total"]) for r in rows)

        return cls(
            round=data["round"],
            seed=data["seed"],
            replications=data["replications"],
            spec=Spec(
                options={k: tuple(v) for k, v in spec["options"].items()},
                concentration=spec["concentration"],
                weight_sets=spec["weight_sets"],
                floor=spec["floor"],
                capability_weights=spec["capability_weights"],
            ),
            factors=tuple(data["factors"]),
            figures=tuple(
                FigureRobustness(
                    **{k: v for k, v in f.items() if k not in ("counts_as", "sensitivity")},
                    counts_as=tuple(f["counts_as"]),
                    sensitivity=sensitivity(f["sensitivity"]),
                )
                for f in data["figures"]
            ),
            domains=tuple(
                DomainRobustness(
                    **{k: v for k, v in d.items() if k != "sensitivity"},
                    sensitivity=sensitivity(d["sensitivity"]),
                )
                for d in data["domains"]
            ),
        )

    def jurisdiction_domains(self, jurisdiction: str) -> list[DomainRobustness]:
        return [d for d in self.domains if d.jurisdiction == jurisdiction]

    def for_public(self) -> Result:
        """The result without any jurisdiction's domain scores."""
        return Result(
            self.round, self.seed, self.replications, self.spec, self.factors, self.figures, ()
        )


# --- the run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    problem: Problem
    spec: Spec
    factors: tuple[str, ...]
    levels: IntArray  # (replications, assumptions) option index of every assumption
    option_names: Mapping[str, tuple[str, ...]]
    weight_index: IntArray  # (replications,) weight set, -1 for the nominal weights


def _setup(problem: Problem, spec: Spec, replications: int, seed: int) -> _Run:
    factors = tuple(check(problem, spec, replications))
    base_rows = replications // (len(factors) + 2)
    sample = design(len(factors), base_rows, seed)
    names: dict[str, tuple[str, ...]] = {}
    for name in ASSUMPTIONS:
        names[name] = spec.chosen(name) or options_of(problem, name)[:1]
    counts = [spec.weight_sets if name == "weights" else len(names[name]) for name in factors]
    factor_levels = _levels(sample, counts)
    levels = np.zeros((len(sample), len(ASSUMPTIONS)), dtype=np.int64)
    weight_index = np.full(len(sample), -1, dtype=np.int64)
    for column, name in enumerate(factors):
        if name == "weights":
            weight_index = factor_levels[:, column]
        else:
            levels[:, ASSUMPTIONS.index(name)] = factor_levels[:, column]
    return _Run(problem, spec, factors, levels, names, weight_index)


def _chunks(total: int, size: int) -> Iterator[slice]:
    for start in range(0, total, size):
        yield slice(start, min(start + size, total))


def run(
    problem: Problem,
    spec: Spec,
    *,
    replications: int,
    seed: int,
    chunk_size: int = DEFAULT_CHUNK,
) -> Result:
    """Recompute every figure and domain score of ``problem`` under ``spec`` about
    ``replications`` times (a multiple of the design's rows per base row), deterministically
    for a given seed whatever ``chunk_size``."""
    if chunk_size < 1:
        raise RobustnessError(f"chunk size {chunk_size}: give at least 1")
    setup = _setup(problem, spec, replications, seed)
    figures = _run_figures(setup, chunk_size) if problem.figures else ()
    domains = _run_domains(setup, chunk_size, seed) if problem.maturity else ()
    return Result(
        round=problem.round,
        seed=seed,
        replications=len(setup.levels),
        spec=spec,
        factors=setup.factors,
        figures=figures,
        domains=domains,
    )


def _with_nominal(chosen: Sequence[str], nominal: str) -> list[str]:
    """The options to prepare: the nominal one first (the nominal values come from it), then
    the others chosen."""
    return [nominal, *(option for option in chosen if option != nominal)]


def _column(setup: _Run, name: str) -> IntArray:
    return setup.levels[:, ASSUMPTIONS.index(name)]


def _run_figures(setup: _Run, chunk_size: int) -> tuple[FigureRobustness, ...]:
    problem = setup.problem
    names = setup.option_names
    orders = _with_nominal(names["channel"], CHANNEL_NOMINAL)
    counts = _figure_counts(problem, orders)
    n = len(setup.levels)
    numerators = np.zeros((len(problem.figures), n))
    denominators = np.zeros_like(numerators)
    columns = [_column(setup, name) for name in FIGURE_ASSUMPTIONS]
    # The figures depend on the discrete options only: each combination is counted once.
    scenarios: dict[tuple[int, ...], tuple[FloatArray, FloatArray]] = {}
    for rows in _chunks(n, chunk_size):
        combos = np.stack([c[rows] for c in columns], axis=1)
        unique, inverse = np.unique(combos, axis=0, return_inverse=True)
        for u, combination in enumerate(unique):
            key = tuple(int(level) for level in combination)
            if key not in scenarios:
                partial, dont_know, blank, order = key
                scenarios[key] = _figure_values(
                    counts,
                    orders.index(names["channel"][order]),
                    names["partial"][partial],
                    names["dont_know"][dont_know],
                    names["blank"][blank],
                )
            at = np.flatnonzero(inverse.reshape(-1) == u) + rows.start
            numerators[:, at] = scenarios[key][0][:, None]
            denominators[:, at] = scenarios[key][1][:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        values = 100 * numerators / denominators
    _check_failures(setup, values, [f.id for f in problem.figures], "figure")
    nominal_n, nominal_d = _figure_values(
        counts, 0, *(OPTIONS[name][0] for name in ("partial", "dont_know", "blank"))
    )
    first, total = indices(by_design(values, len(setup.factors)), len(setup.factors))
    lows, highs = _percentiles(values.copy())
    results = []
    for f, figure in enumerate(problem.figures):
        numerator, denominator = int(np.rint(nominal_n[f])), int(np.rint(nominal_d[f]))
        phrase = narrative.chosen_phrase(figure.phrase, numerator, denominator)
        results.append(
            FigureRobustness(
                id=figure.id,
                question=figure.question,
                population=figure.population,
                counts_as=figure.counts_as,
                numerator=numerator,
                denominator=denominator,
                percent=percent(numerator, denominator),
                low=_stored(lows[f]),
                high=_stored(highs[f]),
                phrase=phrase,
                phrase_stable=_phrase_stable(phrase, figure.phrase, numerators[f], denominators[f]),
                sensitivity=_sensitivity(setup.factors, first[:, f], total[:, f]),
            )
        )
    return tuple(results)


def _stored(value: float | np.floating[Any]) -> float:
    """A value as results hold it: rounded where floating-point sums of weights that add up
    to one leave their last bits (4.000000000000001 is 4)."""
    return round(float(value), 9)


def _phrase_stable(
    phrase: str, chosen: str, numerators: FloatArray, denominators: FloatArray
) -> float:
    """Share of replications whose share the phrase still fits: the tolerated range of an
    analyst's chosen phrase, else the phrase's default range."""
    entry = narrative.phrase_table().get(phrase)
    share_range = entry.tolerated if chosen == phrase else entry.default
    assert share_range is not None  # a default phrase is chosen by its default range
    share = numerators / denominators
    low, high = float(share_range.low), float(share_range.high)
    above = share >= low if share_range.low_closed else share > low
    below = share <= high if share_range.high_closed else share < high
    return float(np.mean(above & below))


def _sensitivity(
    factors: Sequence[str], first: FloatArray, total: FloatArray
) -> tuple[Sensitivity, ...]:
    return tuple(
        Sensitivity(name, round(float(first[i]), 6), round(float(total[i]), 6))
        for i, name in enumerate(factors)
    )


def _check_failures(setup: _Run, values: FloatArray, names: Sequence[str], kind: str) -> None:
    """Raise for the first replication in which an output has no value; ``values`` is shaped
    (outputs, replications) or arranged by :func:`by_design`."""
    failed = ~np.isfinite(values)
    if not failed.any():
        return
    if failed.ndim == 3:  # back to the rows' order
        failed = failed.transpose(0, 2, 1).reshape(len(failed), -1)
    in_replication = failed.any(axis=0)
    replication = int(np.flatnonzero(in_replication)[0])
    output = int(np.flatnonzero(failed[:, replication])[0])
    chosen = ", ".join(
        f"{name}={setup.option_names[name][setup.levels[replication, ASSUMPTIONS.index(name)]]}"
        for name in setup.factors
        if name != "weights"
    )
    raise RobustnessError(
        f"replication {replication + 1} failed: {kind} {names[output]} has no value "
        f"({chosen or 'nominal assumptions'}); {int(in_replication.sum())} of "
        f"{failed.shape[1]} replications failed. Leave out the option that empties it"
    )


def _run_domains(setup: _Run, chunk_size: int, seed: int) -> tuple[DomainRobustness, ...]:
    names = setup.option_names
    rules = _with_nominal(names["respondent"], OPTIONS["respondent"][0])
    model = _maturity(setup.problem, setup.spec, rules)
    rule_index = np.array([rules.index(rule) for rule in names["respondent"]])
    sets = _weight_sets(model, setup.spec, seed) if "weights" in setup.factors else None
    n = len(setup.levels)
    rule_of, aggregation_of = _column(setup, "respondent"), _column(setup, "aggregation")
    n_domains = len(model.domains)
    per_jurisdiction = max(1, BLOCK_BYTES // (8 * n * n_domains))
    nominal = _domain_scores(
        _Phases.of(model.phases[0], model, setup.spec.floor), model.weights[:, None], "arithmetic"
    )[:, :, 0]
    step = len(setup.factors) + 2
    base_rows = n // step
    # Which replications of each chunk share a respondent rule and an aggregation: the same
    # for every block of jurisdictions, so worked out once. Chunks hold whole rows of the
    # design (A, each AB, B), so that their outputs go straight to where the estimators read.
    plans = []
    for base in _chunks(base_rows, max(1, chunk_size // step)):
        rows = slice(base.start * step, base.stop * step)
        combos = np.stack([rule_of[rows], aggregation_of[rows]], axis=1)
        unique, inverse = np.unique(combos, axis=0, return_inverse=True)
        weights = (
            np.tile(model.weights, (rows.stop - rows.start, 1))
            if sets is None
            else sets[setup.weight_index[rows]]
        )
        groups = []
        for u, (rule, aggregation) in enumerate(unique):
            at = np.flatnonzero(inverse.reshape(-1) == u) + rows.start
            # Where each replication's outputs go in the design's order (see by_design).
            columns = (at % step) * base_rows + at // step
            weights_by_column = np.ascontiguousarray(weights[at - rows.start].T)
            groups.append(
                (int(rule), names["aggregation"][aggregation], columns, weights_by_column)
            )
        plans.append(groups)

    per_block = max(1, min(per_jurisdiction, -(-len(model.jurisdictions) // THREADS)))
    # Each thread's outputs, (outputs, factors + 2, base rows) where the estimators read: one
    # array per thread, reused block after block, so that the system is not asked for fresh
    # memory (and to zero it) for every block.
    buffers = threading.local()

    def run_block(block: slice) -> list[DomainRobustness]:
        size = block.stop - block.start
        if not hasattr(buffers, "outputs"):
            buffers.outputs = np.empty((per_block * n_domains, step, base_rows))
        arranged = buffers.outputs[: size * n_domains]
        prepared = {
            r: _Phases.of(model.phases[rule_index[r], block], model, setup.spec.floor)
            for r in range(len(rule_index))
        }
        by_column = arranged.reshape(size * n_domains, -1)
        for groups in plans:
            for rule, aggregation, columns, weights in groups:
                scores = _domain_scores(prepared[rule], weights, aggregation)
                by_column[:, columns] = scores.reshape(size * n_domains, -1)
        labels = [
            f"{jurisdiction} {domain}"
            for jurisdiction in model.jurisdictions[block]
            for domain in model.domains
        ]
        _check_failures(setup, arranged, labels, "domain score")
        first, total = indices(arranged, len(setup.factors))
        low, high = _percentiles(arranged.reshape(size * n_domains, -1))
        return [
            DomainRobustness(
                jurisdiction=jurisdiction,
                domain=domain,
                nominal=_stored(nominal[block.start + j, d]),
                low=_stored(low[j * n_domains + d]),
                high=_stored(high[j * n_domains + d]),
                sensitivity=_sensitivity(
                    setup.factors, first[:, j * n_domains + d], total[:, j * n_domains + d]
                ),
            )
            for j, jurisdiction in enumerate(model.jurisdictions[block])
            for d, domain in enumerate(model.domains)
        ]

    # Blocks are independent: numpy releases the GIL in its loops, so threads use every core.
    # Each thread holds one block's outputs, so memory stays THREADS x BLOCK_BYTES.
    blocks = list(_chunks(len(model.jurisdictions), per_block))
    if len(blocks) == 1:
        return tuple(run_block(blocks[0]))
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return tuple(row for rows in pool.map(run_block, blocks) for row in rows)


__all__ = [
    "ASSUMPTIONS",
    "OPTIONS",
    "DomainRobustness",
    "FigureRobustness",
    "FigureSpec",
    "MaturityInput",
    "Problem",
    "Result",
    "RobustnessError",
    "Sensitivity",
    "Spec",
    "applicability",
    "check",
    "default_spec",
    "design",
    "indices",
    "options_of",
    "run",
]
