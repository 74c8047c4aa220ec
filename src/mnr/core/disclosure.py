"""Disclosure control: the one place that decides which aggregates a viewer may not see.

Whoever may not see a round's jurisdiction-level answers (anonymous visitors, readers of a
publication, a focal point looking at an open round) sees the findings through
:func:`protect`. The method and its limits are written out in ``docs/counting-rules.md``.

The intruder this guards against knows the participant list with each jurisdiction's income
group, region and answering channel, knows which questions each channel asks, may know the
answers of their own jurisdictions (``known``), and reads every table the viewer can see: the
whole-round totals, every breakdown and every population figure of the round. They combine
them exactly, by linear and integer programming.

- **Primary suppression.** A cell (or population figure) in which fewer than ``k`` of the
  jurisdictions the intruder does not already know answered is withheld.
- **Secondary suppression.** More cells are withheld, smallest first and never a cell that a
  requested figure stands on while another will do, until an audit finds that
  (a) no group of jurisdictions with fewer than ``k`` unknown answers can be obtained by adding
  and subtracting shown cells (the linear span of the shown cells holds no such group), and
  (b) no withheld cell or figure is forced to one value by the shown ones together (integer
  programs: every count it would show can take another value in some answer set consistent
  with everything shown).

The audit works per question (tables of different questions share no answers) on *atoms*:
jurisdictions that every released cell treats alike are interchangeable to the intruder, so
the programs count answers per atom instead of per jurisdiction. scipy's HiGHS solves them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp

from mnr.core.findings import (
    ANSWER_CODES,
    BREAKDOWNS,
    Finding,
    Participant,
    PopulationFilter,
    QuestionCells,
    RoundData,
    compute_breakdowns,
    compute_figure,
    parse_population,
    question_cells,
)

PRIMARY = "fewer than {k} jurisdictions answered"
PRIMARY_PUBLIC = "fewer than {k} jurisdictions answered besides any one reader's own"
PRIMARY_VIEWER = "fewer than {k} jurisdictions other than yours answered"
SECONDARY = "withheld so that no withheld figure can be worked out from the ones shown"

_BLANK = len(ANSWER_CODES)
_ANSWERED = frozenset(i for i, code in enumerate(ANSWER_CODES) if code != "not_applicable")
# Multipliers of shown cells in a derived group stay well inside this in practice; bounding
# them keeps the programs numerically tame.
_LAMBDA_BOUND = 1_000.0
_TOLERANCE = 1e-6
# Which tables to keep when there is a choice: the review reads its findings by income group,
# and the channel table says almost the same (governments answered for high-income jurisdictions).
_BREAKDOWN_RANK: dict[str | None, int] = {
    "channel": 0,
    "region": 1,
    "income-group": 2,
    "income": 3,
    None: 4,
}

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class FigureRequest:
    """A population figure the viewer will see besides the tables (a report's headline)."""

    key: str
    question: str
    counts_as: tuple[str, ...]
    population: str


@dataclass(frozen=True)
class Audit:
    """What the audit checked and decided, stored with a publication."""

    cells: int
    primary: int
    secondary: int
    programs: int
    # Withheld cells that had to be withheld although a requested figure stands on them.
    protected_withheld: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "cells": self.cells,
            "primary": self.primary,
            "secondary": self.secondary,
            "programs": self.programs,
            "protected_withheld": list(self.protected_withheld),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Audit:
        return cls(
            cells=data["cells"],
            primary=data["primary"],
            secondary=data["secondary"],
            programs=data["programs"],
            protected_withheld=tuple(data.get("protected_withheld", ())),
        )


@dataclass(frozen=True)
class Protection:
    """The findings a viewer may see: every breakdown and figure, withheld cells emptied."""

    k: int
    findings: dict[str | None, list[Finding]]
    figures: dict[str, Finding]
    audit: Audit
    known: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "known": sorted(self.known),
            "findings": [
                {"by": by, "findings": [f.to_json() for f in findings]}
                for by, findings in self.findings.items()
            ],
            "figures": {key: f.to_json() for key, f in self.figures.items()},
            "audit": self.audit.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Protection:
        return cls(
            k=data["k"],
            known=frozenset(data.get("known", ())),
            findings={
                block["by"]: [Finding.from_json(f) for f in block["findings"]]
                for block in data["findings"]
            },
            figures={key: Finding.from_json(f) for key, f in data["figures"].items()},
            audit=Audit.from_json(data["audit"]),
        )


def protect(
    round_data: RoundData,
    *,
    k: int,
    breakdowns: Sequence[str | None] = (None, *BREAKDOWNS),
    figures: Sequence[FigureRequest] = (),
    known: Collection[str] = frozenset(),
    any_participant: bool = True,
) -> Protection:
    """The findings of every breakdown and the requested figures, disclosure-controlled.

    ``known``: jurisdictions whose answers the viewer knows (a focal point's own); cells then
    need ``k`` answers besides theirs. ``any_participant``: the viewer is not known and may be
    any participant (public output): every group then needs ``k`` answers besides one reader's
    own, that is ``k + 1``. Every breakdown a viewer could ask for elsewhere must be in
    ``breakdowns``, since the audit can only account for the tables it is shown."""
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    for by in breakdowns:
        if by is not None and by not in BREAKDOWNS:
            raise ValueError(f"unknown breakdown {by!r}; use one of {', '.join(BREAKDOWNS)}")
    known = frozenset(known)
    public = any_participant and not known
    needed = k + 1 if public else k
    primary = (PRIMARY_VIEWER if known else PRIMARY_PUBLIC if public else PRIMARY).format(k=k)
    computed = compute_breakdowns(round_data, list(breakdowns))
    figure_findings = {
        request.key: compute_figure(
            round_data, request.question, request.counts_as, request.population
        )
        for request in figures
    }
    cells_by_question = {cells.question.id: cells for cells in question_cells(round_data)}
    withheld: dict[tuple[str, str | None, str | None], str] = {}
    withheld_figures: dict[str, str] = {}
    totals = _Totals()
    for question, cells in cells_by_question.items():
        problem = _QuestionProblem.build(
            cells,
            round_data,
            [f for by in breakdowns for f in computed[by] if f.question == question],
            [request for request in figures if request.question == question],
            known,
            needed,
            primary,
        )
        problem.solve()
        totals.add(problem)
        withheld.update(problem.withheld_cells())
        withheld_figures.update(problem.withheld_figures())
    findings = {
        by: [
            withhold(f, withheld[f.question, f.by, f.group])
            if (f.question, f.by, f.group) in withheld
            else f
            for f in computed[by]
        ]
        for by in breakdowns
    }
    shown_figures = {
        key: withhold(finding, withheld_figures[key]) if key in withheld_figures else finding
        for key, finding in figure_findings.items()
    }
    return Protection(k, findings, shown_figures, totals.audit(), known)


@dataclass(frozen=True)
class PublicRobustness:
    """What a public robustness run may use (see :func:`public_robustness`): the figures whose
    alternatives are sums of published cells, and per figure the income groups whose own rate
    imputation may use (the others use the round's)."""

    figures: frozenset[str]
    rate_groups: Mapping[str, frozenset[str]]
    # Assumptions a public run holds at their nominal option: other channels' answers and other
    # respondents' phases are in no public table.
    fixed: tuple[str, ...] = ("channel", "respondent", "weights", "aggregation")


def _cell_of(rule: PopulationFilter) -> tuple[str | None, str | None] | None:
    """The one breakdown cell a population filter covers, or None when it covers no single
    cell (a negated region or channel is several)."""
    if rule.dimension is None:
        return (None, None)
    if not rule.negated:
        return (rule.dimension, rule.value)
    if rule.dimension == "income" and rule.value in ("HIC", "LMIC"):
        return ("income", "LMIC" if rule.value == "HIC" else "HIC")
    return None


def public_robustness(protection: Protection, figures: Iterable[FigureRequest]) -> PublicRobustness:
    """The figures whose robustness a public output may show, and how.

    Recoding ``partial``, ``dont_know`` or blank answers recombines a cell's counts by answer
    code, so a public figure's alternatives reveal nothing new only if every cell they are
    made of is shown: its population's cell, for a conditional share over everyone the cell of
    its second filter, and the whole-round total (imputation's fallback rate). Imputing from
    the income groups' own rates also needs each group's count inside the population, which the
    tables show only for the population of everyone; elsewhere imputation uses the round's rate.
    A public run also holds the channel priority at the round's order
    (``mnr.core.robustness.PUBLIC_FIXED``): other channels' answers are in no public table.
    """

    def shown(question: str, cell: tuple[str | None, str | None] | None) -> bool:
        if cell is None:
            return False
        by, group = cell
        return any(
            f.question == question and f.group == group and not f.suppressed
            for f in protection.findings.get(by, ())
        )

    allowed: set[str] = set()
    rate_groups: dict[str, frozenset[str]] = {}
    for figure in figures:
        stored = protection.figures.get(figure.key)
        if stored is None or stored.suppressed:
            continue
        population = parse_population(figure.population)
        cells = [(None, None), _cell_of(population.base)]
        if population.then is not None:
            cells.append(_cell_of(population.then) if population.base.dimension is None else None)
        if not all(shown(figure.question, cell) for cell in cells):
            continue
        allowed.add(figure.key)
        everyone = population.base.dimension is None and population.then is None
        rate_groups[figure.key] = frozenset(
            f.group
            for f in protection.findings.get("income-group", ())
            if everyone and f.question == figure.question and not f.suppressed and f.group
        )
    return PublicRobustness(frozenset(allowed), rate_groups)


def withhold(finding: Finding, reason: str) -> Finding:
    """The finding with its counts and shares emptied and the reason recorded."""
    if finding.suppressed:
        return finding
    return replace(
        finding,
        counts={},
        numerator=None,
        denominator=None,
        percent=None,
        sentence=None,
        suppressed=True,
        suppression_reason=reason,
    )


def attribution(
    participant: Participant, participants: Iterable[Participant], k: int
) -> tuple[str | None, str | None]:
    """The (income group, region) a quote may be attributed to: the most specific description
    that at least ``k`` participants share, else neither ("a participating jurisdiction")."""
    everyone = list(participants)
    income, region = participant.income_group, participant.region
    candidates: list[tuple[str | None, str | None]] = []
    if income is not None and region is not None:
        candidates.append((income, region))
    if income is not None:
        candidates.append((income, None))
    if region is not None:
        candidates.append((None, region))
    for wanted_income, wanted_region in candidates:
        sharing = sum(
            1
            for p in everyone
            if wanted_income in (None, p.income_group) and wanted_region in (None, p.region)
        )
        if sharing >= k:
            return wanted_income, wanted_region
    return None, None


# --- one question ---------------------------------------------------------------------------


@dataclass
class _Unit:
    """The jurisdictions one or more released cells cover; withheld or shown together."""

    mask: Mask
    answered: int  # answers of jurisdictions the intruder does not know
    size: int
    unknown: int
    cells: list[tuple[str | None, str | None]] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    shown: bool = True
    primary: bool = False
    checked: bool = False
    # Shown again after withholding it turned out to protect nothing; never withheld again.
    final: bool = False

    @property
    def protected(self) -> bool:
        return bool(self.figures)

    def describe(self, question: str) -> str:
        by, group = self.cells[0] if self.cells else (None, None)
        name = "total" if by is None else f"{by}={group}"
        return f"{question} {name}" if self.cells else f"{question} figure {self.figures[0]}"


@dataclass
class _Figure:
    key: str
    units: list[int]
    exposures: list[tuple[Mask, frozenset[int]]]
    primary: bool
    shown: bool = True
    checked: bool = False


@dataclass
class _QuestionProblem:
    question: str
    k: int  # answers a group needs besides the ones the viewer knows
    primary_reason: str
    units: list[_Unit]
    figures: list[_Figure]
    domain: list[int]  # code indices a jurisdiction can answer, blank last
    codes: npt.NDArray[np.int64]  # per unknown jurisdiction
    unknown: Mask  # per participant
    programs: int = 0
    protected_withheld: list[str] = field(default_factory=list)
    # Set once by _atoms(): the unknown jurisdictions grouped by how every unit treats them.
    atom_of: npt.NDArray[np.intp] = field(init=False)
    n_atoms: int = field(init=False)
    incidence: npt.NDArray[np.float64] = field(init=False)  # unit x atom
    atom_size: npt.NDArray[np.float64] = field(init=False)
    atom_answered: npt.NDArray[np.float64] = field(init=False)
    atom_counts: npt.NDArray[np.float64] = field(init=False)  # atom x code of the domain

    @classmethod
    def build(
        cls,
        cells: QuestionCells,
        round_data: RoundData,
        findings: Sequence[Finding],
        figures: Sequence[FigureRequest],
        known: frozenset[str],
        k: int,
        primary_reason: str,
    ) -> _QuestionProblem:
        unknown = cells.asked & ~np.isin(np.array(cells.jurisdictions, dtype=object), list(known))
        answered = unknown & (cells.codes != _BLANK)
        units: list[_Unit] = []

        def unit_of(mask: Mask) -> int:
            for index, unit in enumerate(units):
                if np.array_equal(unit.mask, mask):
                    return index
            units.append(
                _Unit(
                    mask=mask,
                    answered=int(np.count_nonzero(mask & answered)),
                    size=int(np.count_nonzero(mask)),
                    unknown=int(np.count_nonzero(mask & unknown)),
                )
            )
            return len(units) - 1

        for finding in findings:
            units[unit_of(cells.members(finding.by, finding.group))].cells.append(
                (finding.by, finding.group)
            )
        problem_figures = []
        for request in figures:
            base, both = cells.population(request.population, round_data)
            counts_as = frozenset(ANSWER_CODES.index(code) for code in request.counts_as)
            if both is None:
                masks = [base]
                exposures = [(base, counts_as), (base, _ANSWERED)]
                primary = int(np.count_nonzero(base & answered)) < k
            else:
                masks = [base, both]
                exposures = [(both, counts_as), (base, counts_as)]
                in_counts_as = np.isin(cells.codes, list(counts_as))
                primary = int(np.count_nonzero(base & unknown & in_counts_as)) < k
            indices = [unit_of(mask) for mask in masks]
            for index in indices:
                units[index].figures.append(request.key)
            problem_figures.append(_Figure(request.key, indices, exposures, primary))
        for unit in units:
            if unit.answered < k:
                unit.shown, unit.primary = False, True
        for figure in problem_figures:
            if figure.primary or not all(units[i].shown for i in figure.units):
                figure.shown = False
        choices = [ANSWER_CODES.index(c) for c in cells.question.choices if c in ANSWER_CODES]
        return cls(
            question=cells.question.id,
            k=k,
            primary_reason=primary_reason,
            units=units,
            figures=problem_figures,
            domain=[*choices, _BLANK],
            codes=cells.codes[unknown],
            unknown=unknown,
        )

    # -- results

    def withheld_cells(self) -> dict[tuple[str, str | None, str | None], str]:
        reasons = {}
        for unit in self.units:
            if not unit.shown:
                reason = self.primary_reason if unit.primary else SECONDARY
                for by, group in unit.cells:
                    reasons[self.question, by, group] = reason
        return reasons

    def withheld_figures(self) -> dict[str, str]:
        return {
            figure.key: self.primary_reason if figure.primary else SECONDARY
            for figure in self.figures
            if not figure.shown
        }

    # -- the search

    def solve(self) -> None:
        """Withhold shown units until the audit finds nothing to work out.

        Each pass either withholds more units or shows again a secondary one that turned out
        to be forced (it tells nothing the shown ones do not), which then stays shown: the
        search ends."""
        self._atoms()
        while True:
            derived = self._small_derived_group()
            if derived is not None:
                self._withhold_some(derived)
                continue
            forced = self._forced_target()
            if forced is None:
                return
            if forced.secondary_unit is not None:
                self.units[forced.secondary_unit].final = True
                self._set_shown([forced.secondary_unit], True)
            else:
                self._unforce(forced.exposures)

    def _unforce(self, exposures: list[tuple[Mask, frozenset[int]]]) -> None:
        """Withhold the cheapest set of shown units that leaves a forced primary cell or figure
        free; if no single set does, the cheapest one, and the search goes on from there.

        Such a cell is forced by bounds (say a derived group in which everyone answered alike),
        so which shown unit holds it cannot be read from the linear algebra: each is tried."""
        options = self._options([i for i, unit in enumerate(self.units) if self._movable(i)])
        for option in options:
            self._set_shown(option, False)
            if not self._fixed(self._model(), exposures):
                self._record_protected(option)
                return
            self._set_shown(option, True)
        if not options:
            raise AssertionError(f"{self.question}: the audit asks to withhold more, but cannot")
        self._set_shown(options[0], False)
        self._record_protected(options[0])

    def _set_shown(self, option: list[int], shown: bool) -> None:
        for index in option:
            self.units[index].shown = shown
        for figure in self.figures:
            figure.shown = (
                not figure.primary
                and all(self.units[i].shown for i in figure.units)
                and (shown or figure.shown)
            )

    def _record_protected(self, option: list[int]) -> None:
        for index in option:
            if self.units[index].protected:
                self.protected_withheld.append(self.units[index].describe(self.question))

    def _options(self, candidates: list[int]) -> list[list[int]]:
        """The effective sets of the candidates, cheapest first."""
        options = [
            option
            for index in candidates
            if self._movable(index) and (option := self._effective_set(index)) is not None
        ]
        if not options:
            options = [[i] for i in candidates if self._movable(i)]

        def cost(option: list[int]) -> tuple[bool, int, int, int, int]:
            units = [self.units[i] for i in option]
            return (
                any(unit.protected for unit in units),
                max(_BREAKDOWN_RANK[by] for unit in units for by, _ in unit.cells),
                sum(unit.answered for unit in units),
                sum(unit.size for unit in units),
                min(option),
            )

        unique = {tuple(option): option for option in options}
        return sorted(unique.values(), key=cost)

    def _withhold_some(self, candidates: list[int]) -> None:
        """Withhold the cheapest *effective* set among the candidates: a unit together with
        whatever else must go so that it cannot be recomputed from the units still shown.
        Cheapest: no figure stands on it if possible, then the fewest answers withheld."""
        options = self._options(candidates) or self._options(
            [i for i in range(len(self.units)) if self._movable(i)]
        )
        if not options:
            raise AssertionError(f"{self.question}: the audit asks to withhold more, but cannot")
        self._set_shown(options[0], False)
        self._record_protected(options[0])

    def _movable(self, index: int) -> bool:
        unit = self.units[index]
        return unit.shown and not unit.final and unit.unknown > 0

    def _effective_set(self, index: int) -> list[int] | None:
        """``index`` and the fewest further shown units (its own breakdowns first, then the
        units overlapping it) without which it cannot be recomputed; None if even that fails."""
        chosen = {index}
        target = self.incidence[index]
        for widen in (self._same_breakdown, self._overlapping):
            rest = [i for i in self._shown_units() if i not in chosen]
            if not rest or not _in_span(self.incidence[rest], target):
                return sorted(chosen)
            chosen |= {i for i in widen(chosen) if self._movable(i)}
        rest = [i for i in self._shown_units() if i not in chosen]
        if not rest or not _in_span(self.incidence[rest], target):
            return sorted(chosen)
        return None

    def _same_breakdown(self, chosen: set[int]) -> list[int]:
        dimensions = {by for i in chosen for by, _ in self.units[i].cells if by is not None}
        return [
            i for i, unit in enumerate(self.units) if any(by in dimensions for by, _ in unit.cells)
        ]

    def _overlapping(self, chosen: set[int]) -> list[int]:
        mask = np.logical_or.reduce([self.units[i].mask for i in chosen])
        return [i for i, unit in enumerate(self.units) if np.any(unit.mask & mask)]

    def _atoms(self) -> None:
        """Group the unknown jurisdictions that every unit treats alike."""
        membership = np.array([unit.mask[self.unknown] for unit in self.units], dtype=bool)
        if membership.size == 0:
            membership = np.zeros((1, int(np.count_nonzero(self.unknown))), dtype=bool)
        keys, inverse = np.unique(membership.T, axis=0, return_inverse=True)
        self.atom_of = inverse.reshape(-1)
        self.n_atoms = len(keys)
        self.incidence = keys.T.astype(float) if len(keys) else np.zeros((len(self.units), 0))
        self.atom_size = np.bincount(self.atom_of, minlength=self.n_atoms).astype(float)
        answered = (self.codes != _BLANK).astype(float)
        self.atom_answered = np.bincount(
            self.atom_of, weights=answered, minlength=self.n_atoms
        ).astype(float)
        self.atom_counts = np.zeros((self.n_atoms, len(self.domain)))
        for position, code in enumerate(self.domain):
            self.atom_counts[:, position] = np.bincount(
                self.atom_of, weights=(self.codes == code).astype(float), minlength=self.n_atoms
            )

    def _shown_units(self) -> list[int]:
        return [i for i, unit in enumerate(self.units) if unit.shown and unit.unknown]

    def _small_derived_group(self) -> list[int] | None:
        """Shown units that add and subtract to a group with fewer than k unknown answers, or
        None when there is no such group (check (a))."""
        shown = self._shown_units()
        if not shown or self.n_atoms == 0:
            return None
        rows = self.incidence[shown]  # shown units x atoms
        n_rows, n_atoms = rows.shape
        # variables: lambda (one per shown unit, free), z (one per atom, binary)
        objective = np.concatenate([np.zeros(n_rows), self.atom_answered])
        link = np.hstack([-rows.T, np.eye(n_atoms)])  # z - R^T lambda = 0
        nonempty = np.concatenate([np.zeros(n_rows), self.atom_size])
        constraints = [
            LinearConstraint(link, np.zeros(n_atoms), np.zeros(n_atoms)),
            LinearConstraint(nonempty[np.newaxis, :], 1, np.inf),
        ]
        lower = np.concatenate([np.full(n_rows, -_LAMBDA_BOUND), np.zeros(n_atoms)])
        upper = np.concatenate([np.full(n_rows, _LAMBDA_BOUND), np.ones(n_atoms)])
        integrality = np.concatenate([np.zeros(n_rows), np.ones(n_atoms)])
        for _ in range(5):
            self.programs += 1
            result = milp(
                objective,
                constraints=constraints,
                bounds=Bounds(lower, upper),
                integrality=integrality,
            )
            if result.status != 0 or result.fun >= self.k - 0.5:
                return None
            z = np.round(result.x[n_rows:])
            if _in_span(rows, z):
                weights = result.x[:n_rows]
                return [shown[i] for i in np.flatnonzero(np.abs(weights) > _TOLERANCE)]
            # A numerical artefact: exclude this group and look again.
            inside = z > 0.5
            cut = np.concatenate([np.zeros(n_rows), np.where(inside, 1.0, -1.0)])
            constraints.append(LinearConstraint(cut[np.newaxis, :], -np.inf, inside.sum() - 1))
        return None

    def _forced_target(self) -> _Forced | None:
        """A withheld unit or figure the shown ones force to one value (check (b)), if any."""
        if self.n_atoms == 0:
            return None  # the viewer knows every answer there is: nothing left to protect
        model = self._model()
        for index, unit in enumerate(self.units):
            if unit.shown or unit.checked or not unit.unknown:
                continue
            exposures = [(unit.mask, frozenset({code})) for code in self.domain]
            if self._fixed(model, exposures):
                shown = self._shown_units()
                if (
                    not unit.primary
                    and shown
                    and _in_span(self.incidence[shown], self.incidence[index])
                ):
                    return _Forced(secondary_unit=index)
                return _Forced(exposures=exposures)
            unit.checked = True
        for figure in self.figures:
            if figure.shown or figure.checked:
                continue
            unknown = any(self.units[i].unknown for i in figure.units)
            if unknown and self._fixed(model, figure.exposures):
                return _Forced(exposures=figure.exposures)
            figure.checked = True
        return None

    def _fixed(self, model: _Model, exposures: list[tuple[Mask, frozenset[int]]]) -> bool:
        """Whether every exposure (members, codes) has one value in every answer set
        consistent with the shown units and figures."""
        for mask, codes in exposures:
            row = self._exposure_row(mask, codes)
            truth = float(row @ model.truth)
            for sense in (-1.0, 1.0):  # maximise, then minimise
                self.programs += 1
                result = milp(
                    sense * row,
                    constraints=model.constraints,
                    bounds=model.bounds,
                    integrality=model.integrality,
                )
                if result.status != 0:
                    raise AssertionError(f"{self.question}: the audit found no answer set")
                if abs(sense * result.fun - truth) > 0.5:
                    return False
        return True

    def _exposure_row(self, mask: Mask, codes: frozenset[int]) -> npt.NDArray[np.float64]:
        """The linear form, over the atom x code variables, of a count a cell would show."""
        in_mask = np.zeros(self.n_atoms)
        atoms = np.unique(self.atom_of[mask[self.unknown]])
        in_mask[atoms] = 1.0
        in_codes = np.array([1.0 if code in codes else 0.0 for code in self.domain])
        return np.kron(in_mask, in_codes)

    def _model(self) -> _Model:
        n_codes = len(self.domain)
        rows, values = [], []
        for atom in range(self.n_atoms):
            row = np.zeros(self.n_atoms * n_codes)
            row[atom * n_codes : (atom + 1) * n_codes] = 1.0
            rows.append(row)
            values.append(self.atom_size[atom])
        truth = self.atom_counts.reshape(-1)
        exposures: list[tuple[Mask, frozenset[int]]] = []
        for unit in self.units:
            if unit.shown and unit.unknown:
                exposures.extend((unit.mask, frozenset({code})) for code in self.domain)
        for figure in self.figures:
            if figure.shown:
                exposures.extend(figure.exposures)
        for mask, codes in exposures:
            row = self._exposure_row(mask, codes)
            rows.append(row)
            values.append(float(row @ truth))
        matrix = np.array(rows)
        rhs = np.array(values)
        upper = np.repeat(self.atom_size, n_codes)
        return _Model(
            constraints=[LinearConstraint(matrix, rhs, rhs)],
            bounds=Bounds(np.zeros_like(upper), upper),
            integrality=np.ones_like(upper),
            truth=truth,
        )


@dataclass(frozen=True)
class _Forced:
    """What check (b) found: a secondary unit that the shown ones add up to (show it again: it
    tells nothing new), or the counts of a cell or figure that bounds force and that must be
    freed by withholding more."""

    secondary_unit: int | None = None
    exposures: list[tuple[Mask, frozenset[int]]] = field(default_factory=list)


@dataclass(frozen=True)
class _Model:
    constraints: list[LinearConstraint]
    bounds: Bounds
    integrality: npt.NDArray[np.float64]
    truth: npt.NDArray[np.float64]


def _in_span(rows: npt.NDArray[np.float64], target: npt.NDArray[np.float64]) -> bool:
    """Whether ``target`` is a linear combination of ``rows`` (least squares, exact residual)."""
    weights, *_ = np.linalg.lstsq(rows.T, target, rcond=None)
    return bool(np.allclose(rows.T @ weights, target, atol=1e-8))


@dataclass
class _Totals:
    cells: int = 0
    primary: int = 0
    secondary: int = 0
    programs: int = 0
    protected_withheld: list[str] = field(default_factory=list)

    def add(self, problem: _QuestionProblem) -> None:
        for unit in problem.units:
            count = len(unit.cells)
            self.cells += count
            if not unit.shown:
                if unit.primary:
                    self.primary += count
                else:
                    self.secondary += count
        self.programs += problem.programs
        self.protected_withheld.extend(problem.protected_withheld)

    def audit(self) -> Audit:
        return Audit(
            self.cells,
            self.primary,
            self.secondary,
            self.programs,
            tuple(self.protected_withheld),
        )
