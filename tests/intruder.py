"""An intruder for the disclosure tests: works out what a release withholds, by integer programs.

It is an independent check of :mod:`mnr.core.disclosure` and imports nothing from it. It sees
what a viewer sees, as plain JSON-like data:

- ``participants``: ``{"jurisdiction", "income_group", "region"}`` for every participant (the
  review publishes that list);
- ``channel_of``: the channel each jurisdiction answered through (``None``: it answered
  nothing). A value may also be a mapping ``{question: channel or None}`` for a jurisdiction
  whose channel group differs between questions;
- ``questions``: ``{"id", "choices", "channels"}``; a jurisdiction whose channel is not among a
  question's ``channels`` was not asked it, so its answer is known to be blank;
- ``findings``: every finding the viewer can read, as ``Finding.to_json()`` prints them;
- ``known``: ``{jurisdiction: {question: value or None}}``, answers the viewer knows (their own).

For every question it sets up the answer sets consistent with all that: a binary ``x[j, c]``
per participant and code (the question's choices and blank), one code each, fixed where the
answer is known a priori, and one equality per count a shown finding prints. It then reports

- a **withheld cell forced**: a suppressed finding that would show the same numbers in every
  consistent answer set (decided exactly with HiGHS through ``scipy.optimize.milp``), unless
  every member's answer was known a priori anyway;
- a **small difference of shown cells**: two shown findings over nested groups ``A ⊇ B`` whose
  difference holds between 1 and ``k - 1`` jurisdictions whose answers are not known a priori
  (the government-channel counts minus the high-income counts);
- a **small shown cell**: a shown finding over 1 to ``k - 1`` such jurisdictions (the "1 of 2"
  a focal point reads in a round of two: the difference of the cell and the empty group).

Besides :func:`attack`, :func:`view_of` builds its input from a :class:`RoundData` and the
released findings, and :func:`thin_shown_cells` lists shown findings in which fewer than
``k`` jurisdictions other than the known ones answered (the primary rule).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from mnr.core.findings import Finding, RoundData, resolve_answers

FORCED = "withheld cell forced"
DIFFERENCE = "small difference of shown cells"
SMALL = "small shown cell"

BLANK = "blank"
NOT_APPLICABLE = "not_applicable"
INCOME_GROUPS = ("HIC", "UMC", "LMC", "LIC")
BREAKDOWNS = ("income", "income-group", "region", "channel")
UNKNOWN = "unknown"
NO_CHANNEL = "none"
THEN = ";then "

Mask = npt.NDArray[np.bool_]

# Settle withheld cells without a program where possible (a few extra answer sets; numbers in
# the linear span of the shown ones). Exact either way; the tests turn it off to check that.
SHORTCUTS = True


@dataclass(frozen=True)
class Disclosure:
    """One thing the intruder worked out.

    ``value`` is what it learnt: the counts per code (choices and blank) of a forced cell,
    ``{"numerator", "denominator"}`` of a forced population figure, or for a difference or a
    small shown cell the counts among ``members`` (per code, or per set of codes written
    ``"yes+partial"`` when a population figure only gives that sum). ``members`` are the
    jurisdictions concerned whose answers the intruder did not know beforehand; ``minus``
    names the smaller cell of a difference.
    """

    kind: str
    question: str
    by: str | None
    group: str | None
    population: str
    value: Mapping[str, int]
    members: tuple[str, ...]
    minus: str | None = None

    @property
    def cell(self) -> str:
        return _name(self.by, self.group, self.population)

    def __str__(self) -> str:
        what = self.cell if self.minus is None else f"{self.cell} minus {self.minus}"
        return (
            f"{self.kind}: {self.question} {what} = {dict(self.value)} "
            f"(jurisdictions {', '.join(self.members)})"
        )


def attack(
    participants: Sequence[Mapping[str, Any]],
    channel_of: Mapping[str, str | Mapping[str, str | None] | None],
    questions: Sequence[Mapping[str, Any]],
    findings: Iterable[Mapping[str, Any]],
    known: Mapping[str, Mapping[str, str | None]] | None = None,
    *,
    k: int = 3,
) -> list[Disclosure]:
    """Everything the intruder can work out from a release (see the module's docstring).

    Raises ``ValueError`` if the release contradicts what the intruder knows (no answer set
    gives every shown number): then its model of the release is wrong, and so is any verdict.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    people = [_Person.of(p) for p in participants]
    names = [p.jurisdiction for p in people]
    if len(set(names)) != len(names):
        raise ValueError("a jurisdiction is listed twice among the participants")
    specs = {str(q["id"]): q for q in questions}
    by_question: dict[str, list[Mapping[str, Any]]] = {}
    for finding in findings:
        by_question.setdefault(str(finding["question"]), []).append(finding)
    result: list[Disclosure] = []
    for question, released in by_question.items():
        if question not in specs:
            raise ValueError(f"a finding is about {question!r}, which is not among the questions")
        model = _Question(specs[question], people, channel_of, known or {})
        result.extend(model.attack(released, k))
    return result


def view_of(
    round_data: RoundData,
    findings: Iterable[Finding | Mapping[str, Any]],
    known: Collection[str] = (),
) -> dict[str, Any]:
    """The intruder's input for a release of ``round_data``: keyword arguments of :func:`attack`
    (without ``k``). ``known`` are the viewer's own jurisdictions, all of whose answers they know.
    """
    channel_of = _channels(round_data)
    questions = []
    for spec in round_data.questions:
        asked_by = getattr(spec, "channels", None)
        questions.append(
            {
                "id": spec.id,
                "choices": list(spec.choices),
                "channels": None if asked_by is None else list(asked_by),
            }
        )
    resolved = resolve_answers(round_data)
    wanted = set(known)
    unlisted = wanted - {p.jurisdiction for p in round_data.participants}
    if unlisted:
        raise ValueError(f"known jurisdictions {sorted(unlisted)} are not participants")
    known_answers: dict[str, dict[str, str | None]] = {j: {} for j in sorted(wanted)}
    for row in resolved.itertuples(index=False):
        if row.jurisdiction in wanted:
            value = row.value if isinstance(row.value, str) and row.value else None
            known_answers[row.jurisdiction][row.question] = value
    return {
        "participants": [
            {"jurisdiction": p.jurisdiction, "income_group": p.income_group, "region": p.region}
            for p in round_data.participants
        ],
        "channel_of": channel_of,
        "questions": questions,
        "findings": [f.to_json() if isinstance(f, Finding) else dict(f) for f in findings],
        "known": known_answers,
    }


def thin_shown_cells(
    round_data: RoundData,
    findings: Iterable[Finding | Mapping[str, Any]],
    known: Collection[str] = (),
    *,
    k: int = 3,
) -> list[str]:
    """Shown findings in which fewer than ``k`` jurisdictions other than ``known`` answered.

    Counts from the true answers (this is the test's oracle, not the intruder): a member
    answered when its counted answer is not blank. A conditional figure ``A;then B`` is
    judged on ``A``.
    """
    view = view_of(round_data, findings)
    people = [_Person.of(p) for p in view["participants"]]
    resolved = resolve_answers(round_data)
    answered = {
        (row.jurisdiction, row.question)
        for row in resolved.itertuples(index=False)
        if isinstance(row.value, str) and row.value
    }
    specs = {q["id"]: q for q in view["questions"]}
    thin = []
    for finding in view["findings"]:
        if finding["suppressed"]:
            continue
        question = finding["question"]
        model = _Question(specs[question], people, view["channel_of"], {})
        members = model.members_of(finding)
        others = [
            person.jurisdiction
            for inside, person in zip(members, people, strict=True)
            if inside
            and person.jurisdiction not in known
            and (person.jurisdiction, question) in answered
        ]
        if len(others) < k:
            name = _name(finding["by"], finding["group"], finding["population"])
            thin.append(f"{question} {name}: {len(others)} answered besides the known ones")
    return thin


# --- the model of one question --------------------------------------------------------------


@dataclass(frozen=True)
class _Person:
    jurisdiction: str
    income_group: str | None
    region: str | None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> _Person:
        income = data.get("income_group")
        if income is not None and income not in INCOME_GROUPS:
            raise ValueError(f"{data['jurisdiction']!r}: income group {income!r} is unknown")
        return cls(str(data["jurisdiction"]), income, data.get("region"))

    def label(self, dimension: str) -> str:
        if dimension == "income":
            if self.income_group is None:
                return UNKNOWN
            return "HIC" if self.income_group == "HIC" else "LMIC"
        if dimension == "income-group":
            return self.income_group or UNKNOWN
        if dimension == "region":
            return self.region or UNKNOWN
        raise ValueError(f"unknown breakdown {dimension!r}")


@dataclass
class _Stat:
    """One printed number: how many of ``members`` gave an answer among ``codes``."""

    label: str
    members: Mask
    codes: frozenset[str]
    value: int | None


@dataclass
class _Cell:
    finding: Mapping[str, Any]
    members: Mask  # the group the finding is about (for A;then B: A)
    stats: list[_Stat]
    full: bool  # a whole counts vector (a total or a breakdown cell), not a population figure

    @property
    def name(self) -> str:
        return _name(self.finding["by"], self.finding["group"], self.finding["population"])


@dataclass
class _Question:
    spec: Mapping[str, Any]
    people: list[_Person]
    channel_of: Mapping[str, str | Mapping[str, str | None] | None]
    known: Mapping[str, Mapping[str, str | None]]
    codes: list[str] = field(init=False)
    prior: npt.NDArray[np.int64] = field(init=False)  # known code index per person, -1 if not
    channel: list[str] = field(init=False)

    def __post_init__(self) -> None:
        question = str(self.spec["id"])
        choices = [str(c) for c in self.spec["choices"]]
        self.codes = [*dict.fromkeys(c for c in choices if c != BLANK), BLANK]
        asked_by = self.spec.get("channels")
        self.channel = []
        prior = []
        for person in self.people:
            raw = self.channel_of.get(person.jurisdiction)
            used = raw.get(question) if isinstance(raw, Mapping) else raw
            self.channel.append(NO_CHANNEL if used is None else str(used))
            mine = self.known.get(person.jurisdiction, {})
            if used is None or (asked_by is not None and used not in asked_by):
                prior.append(self.codes.index(BLANK))
            elif question in mine:
                value = mine[question] or BLANK
                if value not in self.codes:
                    raise ValueError(
                        f"{person.jurisdiction!r} is known to have answered {value!r} to "
                        f"{question!r}, which is not among its choices {choices}"
                    )
                prior.append(self.codes.index(value))
            else:
                prior.append(-1)
        self.prior = np.array(prior, dtype=np.int64)

    # -- reading the release

    def labels(self, dimension: str) -> npt.NDArray[np.object_]:
        if dimension == "channel":
            return np.array(self.channel, dtype=object)
        return np.array([p.label(dimension) for p in self.people], dtype=object)

    def filter(self, text: str) -> Mask:
        text = text.strip()
        if text == "all":
            return np.ones(len(self.people), dtype=bool)
        negated = "!=" in text
        dimension, _, value = text.partition("!=" if negated else "=")
        dimension, value = dimension.strip(), value.strip()
        if dimension not in BREAKDOWNS:
            raise ValueError(f"population filter {text!r} is not understood")
        labels = self.labels(dimension)
        if negated:
            unknown = NO_CHANNEL if dimension == "channel" else UNKNOWN
            return np.asarray((labels != value) & (labels != unknown), dtype=bool)
        return np.asarray(labels == value, dtype=bool)

    def members_of(self, finding: Mapping[str, Any]) -> Mask:
        by, population = finding["by"], finding.get("population") or "all"
        if by is not None:
            if by not in BREAKDOWNS:
                raise ValueError(f"unknown breakdown {by!r}")
            return np.asarray(self.labels(by) == finding["group"], dtype=bool)
        return self.filter(population.partition(THEN)[0])

    def cell(self, finding: Mapping[str, Any]) -> _Cell:
        population = finding.get("population") or "all"
        members = self.members_of(finding)
        shown = not finding["suppressed"]
        if finding["by"] is not None or population == "all":
            counts = finding.get("counts") or {}
            if shown:
                stray = {c: v for c, v in counts.items() if v and c not in self.codes}
                if stray:
                    raise ValueError(
                        f"{finding['question']} "
                        f"{_name(finding['by'], finding['group'], population)} counts {stray}, "
                        "codes the question does not offer"
                    )
            stats = [
                _Stat(code, members, frozenset({code}), _int(counts.get(code)) if shown else None)
                for code in self.codes
            ]
            return _Cell(finding, members, stats, full=True)
        counts_as = frozenset(finding["counts_as"]) & set(self.codes)
        numerator = _int(finding["numerator"]) if shown else None
        denominator = _int(finding["denominator"]) if shown else None
        _, conditional, then = population.partition(THEN)
        if conditional:
            inside = members & self.filter(then)
            stats = [
                _Stat("numerator", inside, counts_as, numerator),
                _Stat("denominator", members, counts_as, denominator),
            ]
        else:
            answered = frozenset(self.codes) - {BLANK, NOT_APPLICABLE}
            stats = [
                _Stat("numerator", members, counts_as, numerator),
                _Stat("denominator", members, answered, denominator),
            ]
        return _Cell(finding, members, stats, full=False)

    # -- the integer programs

    def row(self, stat: _Stat) -> npt.NDArray[np.float64]:
        codes = np.array([c in stat.codes for c in self.codes], dtype=bool)
        return np.outer(stat.members, codes).ravel().astype(np.float64)

    def attack(self, released: list[Mapping[str, Any]], k: int) -> list[Disclosure]:
        cells = [self.cell(f) for f in released]
        shown = [c for c in cells if not c.finding["suppressed"]]
        result = self.differences(shown, k)
        known_a_priori = self.prior >= 0
        targets = [
            c for c in cells if c.finding["suppressed"] and not known_a_priori[c.members].all()
        ]
        solver = _Solver(self, [s for c in shown for s in c.stats])
        for target in targets:
            value = solver.forced(target)
            if value is not None:
                result.append(self.disclosure(FORCED, target, value, target.members))
        return result

    def disclosure(
        self,
        kind: str,
        cell: _Cell,
        value: Mapping[str, int],
        members: Mask,
        minus: _Cell | None = None,
    ) -> Disclosure:
        finding = cell.finding
        unknown = members & (self.prior < 0)
        return Disclosure(
            kind=kind,
            question=str(finding["question"]),
            by=finding["by"],
            group=finding["group"],
            population=finding.get("population") or "all",
            value=dict(value),
            members=tuple(p.jurisdiction for p, u in zip(self.people, unknown, strict=True) if u),
            minus=None if minus is None else minus.name,
        )

    # -- differencing

    def differences(self, shown: list[_Cell], k: int) -> list[Disclosure]:
        """Shown cells, and differences of two nested shown cells, over 1 to k-1 unknowns."""
        unknown = self.prior < 0
        sets = [self.derived_stats(c, shown) for c in shown]
        result: list[Disclosure] = []
        seen: set[tuple[str, frozenset[int], tuple[tuple[str, int], ...]]] = set()

        def report(
            kind: str, cell: _Cell, inside: Mask, value: dict[str, int], minus: _Cell | None
        ) -> None:
            key = (kind, frozenset(np.flatnonzero(inside & unknown).tolist()), tuple(value.items()))
            if value and key not in seen:
                seen.add(key)
                result.append(self.disclosure(kind, cell, value, inside, minus))

        for cell, stats in zip(shown, sets, strict=True):
            for members in {m.tobytes(): m for m in (s.members for s in stats)}.values():
                if 1 <= np.count_nonzero(members & unknown) < k:
                    value = {
                        s.label: self.among_unknown(s.value, members, s.codes)
                        for s in stats
                        if np.array_equal(s.members, members)
                    }
                    report(SMALL, cell, members, value, None)
        for (a, stats_a), (b, stats_b) in combinations(zip(shown, sets, strict=True), 2):
            for bigger, big_stats, smaller, small_stats in (
                (a, stats_a, b, stats_b),
                (b, stats_b, a, stats_a),
            ):
                value: dict[str, int] = {}
                inside: Mask | None = None
                for big in big_stats:
                    for small in small_stats:
                        if big.codes != small.codes or (big.derived and small.derived):
                            continue
                        rest = big.members & ~small.members
                        nested = not (small.members & ~big.members).any() and rest.any()
                        if not nested or not 1 <= np.count_nonzero(rest & unknown) < k:
                            continue
                        if inside is not None and not np.array_equal(inside, rest):
                            continue  # (a conditional figure's two groups; one is enough)
                        inside = rest
                        assert big.value is not None and small.value is not None
                        value[big.label] = self.among_unknown(
                            big.value - small.value, rest, big.codes
                        )
                if inside is not None:
                    report(DIFFERENCE, bigger, inside, value, smaller)
        return result

    def derived_stats(self, cell: _Cell, shown: list[_Cell]) -> list[_DStat]:
        """A cell's printed numbers, and for a counts vector the sums over code sets that some
        population figure of the question prints (so that the two can be subtracted)."""
        stats = [_DStat(s.label, s.members, s.codes, _int(s.value), False) for s in cell.stats]
        if not cell.full:
            for stat in stats:
                stat.label = "+".join(c for c in self.codes if c in stat.codes) or stat.label
            return stats
        counts = {s.label: _int(s.value) for s in cell.stats}
        sums = {s.codes for other in shown if not other.full for s in other.stats}
        for codes in sums:
            if len(codes) > 1:
                label = "+".join(c for c in self.codes if c in codes)
                value = sum(counts[c] for c in codes)
                stats.append(_DStat(label, cell.members, codes, value, True))
        return stats

    def among_unknown(self, value: int | None, members: Mask, codes: frozenset[str]) -> int:
        """A count over ``members`` less the members whose answers were known a priori."""
        code_index = [self.codes.index(c) for c in codes]
        known = members & (self.prior >= 0)
        return _int(value) - int(np.isin(self.prior[known], code_index).sum())


@dataclass
class _DStat:
    label: str
    members: Mask
    codes: frozenset[str]
    value: int
    derived: bool  # a sum over several codes of a counts vector


class _Solver:
    """The answer sets consistent with the shown numbers of one question, queried with milp.

    Every solution found is kept: a withheld number that differs between two of them is not
    forced, which settles most cells without a program of their own.
    """

    def __init__(self, model: _Question, shown: list[_Stat]) -> None:
        self.model = model
        n, m = len(model.people), len(model.codes)
        self.size = n * m
        assign = sparse.kron(sparse.eye(n, format="csr"), np.ones((1, m)), format="csr")
        rows = [model.row(s) for s in shown]
        values = [float(_int(s.value)) for s in shown]
        matrix = sparse.vstack([assign, sparse.csr_matrix(np.array(rows).reshape(-1, self.size))])
        target = np.concatenate([np.ones(n), np.array(values, dtype=np.float64)])
        self.constraints = LinearConstraint(matrix.tocsr(), target, target)
        lower, upper = np.zeros(self.size), np.ones(self.size)
        for j, code in enumerate(model.prior):
            if code >= 0:
                upper[j * m : (j + 1) * m] = 0
                upper[j * m + code] = lower[j * m + code] = 1
        self.bounds = Bounds(lower, upper)
        self.lower, self.upper = lower, upper
        self.integrality = np.ones(self.size)
        first = self.solve(np.zeros(self.size))
        if first is None:
            raise ValueError(
                f"no answers to {model.spec['id']!r} give every number shown: the intruder's "
                "view of the release (participants, channels, known answers) is wrong"
            )
        self.pool = [first]
        self.diversified = False
        # Numbers that are linear combinations of the shown ones (and of "one answer each") are
        # forced by subtraction alone: a withheld row r is one when r @ null == 0, with null a
        # basis of the null space of the constraints over the answers not known a priori.
        free = upper > lower
        self.free = free
        self.null = _null_space(matrix.toarray()[:, free]) if free.any() else None

    def diversify(self) -> None:
        """A few more, different answer sets: they settle most withheld cells at once."""
        rng = np.random.default_rng(0)
        for _ in range(2):
            other = self.solve(rng.standard_normal(self.size))
            if other is not None:
                self.pool.append(other)
        self.diversified = True

    def solve(self, objective: npt.NDArray[np.float64]) -> npt.NDArray[np.float64] | None:
        result = milp(
            objective,
            integrality=self.integrality,
            bounds=self.bounds,
            constraints=self.constraints,
        )
        if result.status != 0 or result.x is None:
            if result.status == 2:  # infeasible
                return None
            raise RuntimeError(f"HiGHS failed on {self.model.spec['id']!r}: {result.message}")
        return np.asarray(np.rint(result.x), dtype=np.float64)

    def in_span(self, row: npt.NDArray[np.float64]) -> bool:
        if self.null is None or self.null.shape[1] == 0:
            return True
        return bool(np.abs(row[self.free] @ self.null).max() < 1e-7)

    def forced(self, cell: _Cell) -> dict[str, int] | None:
        """The numbers a withheld cell would show if they are the same in every answer set."""
        rows = [self.model.row(s) for s in cell.stats]
        values = np.array(self.pool) @ np.array(rows).T
        if (values != values[0]).any():
            return None
        if SHORTCUTS and all(self.in_span(row) for row in rows):
            return {s.label: int(values[0, i]) for i, s in enumerate(cell.stats)}
        if SHORTCUTS and not self.diversified:
            self.diversify()
            values = np.array(self.pool) @ np.array(rows).T
            if (values != values[0]).any():
                return None
        # A counts vector sums to the group's size, so it is forced when no count can rise;
        # a figure's numerator and denominator must be checked both ways.
        senses = (1.0,) if cell.full else (1.0, -1.0)
        for index, row in enumerate(rows):
            current = values[0, index]
            if SHORTCUTS and self.in_span(row):
                continue
            for sense in senses:
                bound = row @ (self.upper if sense > 0 else self.lower)
                if bound == current:
                    continue
                found = self.solve(-sense * row)
                assert found is not None
                if row @ found != current:
                    self.pool.append(found)
                    return None
        return {s.label: int(values[0, i]) for i, s in enumerate(cell.stats)}


# --- helpers --------------------------------------------------------------------------------


def _name(by: str | None, group: str | None, population: str | None) -> str:
    if by is not None:
        return f"{by}={group}"
    return population or "all"


def _int(value: Any) -> int:
    if value is None:
        raise ValueError("a shown finding lacks a number")
    return int(value)


def _null_space(matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """A basis of the null space, by Gauss-Jordan elimination with partial pivoting.

    The constraint matrices hold small integers, so elimination is exact enough; unlike an SVD
    it needs no multi-threaded BLAS, which crawls on a machine whose cores are all busy.
    """
    reduced = np.array(matrix, dtype=np.float64)
    n_rows, n_cols = reduced.shape
    pivots: list[int] = []
    row = 0
    for col in range(n_cols):
        if row == n_rows:
            break
        below = np.abs(reduced[row:, col])
        best = row + int(below.argmax())
        if below[best - row] < 1e-9:
            continue
        reduced[[row, best]] = reduced[[best, row]]
        reduced[row] /= reduced[row, col]
        factors = reduced[:, col].copy()
        factors[row] = 0.0
        touched = np.flatnonzero(np.abs(factors) > 1e-12)
        if len(touched):
            reduced[touched] -= factors[touched, np.newaxis] * reduced[row]
        pivots.append(col)
        row += 1
    free = np.setdiff1d(np.arange(n_cols), pivots)
    null = np.zeros((n_cols, len(free)))
    null[free, np.arange(len(free))] = 1.0
    if pivots:
        null[pivots] = -reduced[: len(pivots)][:, free]
    return null


def _channels(round_data: RoundData) -> dict[str, str | dict[str, str | None] | None]:
    """The channel group of every participant, as the channel breakdown assigns it.

    The answer used for a question falls in the group of its channel; a blank answer in the
    group of the participant's highest-priority channel that gave any answer. When that is one
    channel for every question it is given as such, else per question.
    """
    answers = round_data.answers
    priority = {c: i for i, c in enumerate(round_data.channels)}
    given = answers[answers["value"].map(lambda v: isinstance(v, str) and v != "")]
    given = given[given["channel"].isin(priority)]
    primary: dict[str, str] = {}
    for row in given.itertuples(index=False):
        current = primary.get(row.jurisdiction)
        if current is None or priority[row.channel] < priority[current]:
            primary[row.jurisdiction] = row.channel
    resolved = resolve_answers(round_data)
    per_question: dict[str, dict[str, str | None]] = {}
    for row in resolved.itertuples(index=False):
        channel = row.channel if isinstance(row.channel, str) else primary.get(row.jurisdiction)
        per_question.setdefault(row.jurisdiction, {})[row.question] = channel
    result: dict[str, str | dict[str, str | None] | None] = {}
    for person in round_data.participants:
        used = per_question.get(person.jurisdiction, {})
        distinct = set(used.values())
        if len(distinct) <= 1:
            result[person.jurisdiction] = primary.get(person.jurisdiction)
        else:
            result[person.jurisdiction] = used
    return result


__all__ = [
    "DIFFERENCE",
    "FORCED",
    "SMALL",
    "Disclosure",
    "attack",
    "thin_shown_cells",
    "view_of",
]
