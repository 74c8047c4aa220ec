"""Synthetic rounds: the 2021 review demo and the benchmark round.

The demo's answers are not placed by hand. A generic solver reads the figure specification
(``data/review-2021-figures.csv``) and finds, question by question, answers for the 42
pseudonymous jurisdictions under which every figure comes out exactly as published when
counted with :func:`mnr.core.findings.compute_figure`. Questions without a figure get seeded
random answers. Everything is deterministic for a seed.
"""

from __future__ import annotations

import csv
import functools
import io
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from importlib import resources

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml

from mnr.core.findings import (
    AnswerRecord,
    Finding,
    Participant,
    QuestionSpec,
    RoundData,
    check_counts_as,
    compute_breakdowns,
    percent,
    population_members,
    resolve_answers,
)

FIGURES_FILE = "review-2021-figures.csv"
STATUS_CHOICES: tuple[str, ...] = ("yes", "partial", "no", "dont_know", "not_applicable")
YES_NO_CHOICES: tuple[str, ...] = ("yes", "no", "dont_know", "not_applicable")
QUESTION_TYPES: tuple[str, ...] = ("select_one", "phase", "text")

# The 2021 review's participants: channels in priority order, income mix (World Bank FY2021)
# and a spread over M49 regions per income group (the totals by region follow the review). No
# region holds high-income jurisdictions only: the review's figures say that every high-income
# jurisdiction criminalises online abuse, and disclosure control could not then keep the answers
# of such a region from being worked out, however many of its cells it withheld.
DEMO_CHANNELS: tuple[str, ...] = ("government", "unicef_country_office")
DEMO_REGIONS: dict[str, dict[str, int]] = {
    "HIC": {"Europe": 8, "Asia": 4, "Americas": 2, "Oceania": 1},
    "UMC": {"Europe": 6, "Americas": 5, "Asia": 2, "Africa": 2, "Oceania": 1},
    "LMC": {"Asia": 5, "Africa": 3, "Europe": 1, "Americas": 1},
    "LIC": {"Africa": 1},
}
DEMO_OTHER_GOVERNMENT = 2  # non-high-income jurisdictions that answered the government survey

# Relative weights for answers that no figure constrains, by income group.
_WEIGHTS: dict[str, dict[str | None, float]] = {
    "HIC": {
        "yes": 6,
        "partial": 3,
        "no": 1,
        "dont_know": 0.4,
        "not_applicable": 0.2,
        None: 0.3,
    },
    "other": {
        "yes": 3,
        "partial": 4,
        "no": 3,
        "dont_know": 1,
        "not_applicable": 0.4,
        None: 0.5,
    },
}
_SEARCH_BUDGET = 200_000


class InfeasibleFigures(ValueError):
    """No set of answers reproduces the figure specification."""


@dataclass(frozen=True)
class FigureSpec:
    """One published figure: ``numerator`` of ``denominator`` answered ``counts_as``."""

    figure_id: str
    indicator: str
    counts_as: tuple[str, ...]
    population: str
    numerator: int
    denominator: int
    percent: int
    what_it_says: str = ""


@dataclass(frozen=True)
class InstrumentQuestion:
    """A question of the instrument as the demo needs it.

    ``type`` is ``select_one``, ``phase`` or ``text``; ``channels`` limits the channels that
    ask it (``None``: every channel).
    """

    id: str
    type: str
    choices: tuple[str, ...] = ()
    channels: tuple[str, ...] | None = None
    counts_as: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.type not in QUESTION_TYPES:
            raise ValueError(
                f"question {self.id!r}: type {self.type!r} is not one of "
                f"{', '.join(QUESTION_TYPES)}"
            )
        if self.type == "select_one" and not self.choices:
            raise ValueError(f"question {self.id!r}: a select_one question needs choices")

    @property
    def spec(self) -> QuestionSpec:
        choices = ("1", "2", "3", "4") if self.type == "phase" else self.choices
        return QuestionSpec(self.id, choices, self.counts_as, channels=self.channels)

    def asked_through(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels


@dataclass(frozen=True)
class DemoJurisdiction:
    code: str
    name: str
    income_group: str
    region: str
    channel: str

    @property
    def participant(self) -> Participant:
        return Participant(self.code, self.income_group, self.region)

    @property
    def names(self) -> dict[str, str]:
        """The pseudonym in each interface language, labelled synthetic in each."""
        number = self.code.removeprefix("J")
        return {
            "en": self.name,
            "fr": f"Juridiction {number} (synthétique)",
            "es": f"Jurisdicción {number} (sintética)",
        }


@dataclass(frozen=True)
class TextAnswer:
    jurisdiction: str
    channel: str
    question: str
    text: str
    publishable: bool = False


@dataclass(frozen=True)
class DemoRound:
    """The synthetic 2021 review.

    ``answers`` holds the choice and phase answers. Besides each jurisdiction's own answers it
    holds a few second-channel rows that exercise channel priority without moving a figure:
    lower-priority UNICEF answers for government jurisdictions (they lose) and blank
    government rows for UNICEF jurisdictions (they fall through to the UNICEF answer).
    A blank answer of a jurisdiction's own channel has no row at all.
    """

    seed: int
    channels: tuple[str, ...]
    jurisdictions: tuple[DemoJurisdiction, ...]
    questions: tuple[InstrumentQuestion, ...]
    answers: tuple[AnswerRecord, ...]
    texts: tuple[TextAnswer, ...]
    figures: tuple[FigureSpec, ...]

    @property
    def participants(self) -> tuple[Participant, ...]:
        return tuple(j.participant for j in self.jurisdictions)

    def round_data(self) -> RoundData:
        """The counted part of the round: choice and phase questions with their answers."""
        specs = [q.spec for q in self.questions if q.type != "text"]
        return RoundData.from_records(specs, self.participants, self.channels, self.answers)


# --- figure specification -------------------------------------------------------------------


def load_figures(text: str | None = None, source: str = FIGURES_FILE) -> tuple[FigureSpec, ...]:
    """Read a figure specification (CSV text; by default the shipped 2021 file)."""
    if text is None:
        text = resources.files("mnr.core").joinpath("data", FIGURES_FILE).read_text("utf-8")
    figures = []
    required = ("figure_id", "indicator", "counts_as", "population", "numerator", "denominator")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or ())]
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(missing)}")
    for line, row in enumerate(reader, start=2):
        figures.append(_figure(row, f"{source}: row {line}"))
    return tuple(figures)


def _figure(row: Mapping[str, str], where: str) -> FigureSpec:
    try:
        numerator, denominator = int(row["numerator"]), int(row["denominator"])
    except ValueError as error:
        raise ValueError(f"{where}: numerator and denominator must be whole numbers") from error
    if not 0 <= numerator <= denominator or denominator == 0:
        raise ValueError(f"{where}: need 0 <= numerator <= denominator and denominator > 0")
    expected = percent(numerator, denominator)
    given = (row.get("percent") or "").strip()
    if given and int(given) != expected:
        raise ValueError(f"{where}: percent {given} does not match {numerator}/{denominator}")
    return FigureSpec(
        figure_id=row["figure_id"].strip(),
        indicator=row["indicator"].strip(),
        counts_as=tuple(code.strip() for code in row["counts_as"].split("|")),
        population=row["population"].strip(),
        numerator=numerator,
        denominator=denominator,
        percent=int(expected or 0),
        what_it_says=(row.get("what_it_says") or "").strip(),
    )


# --- the generic solver ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Constraint:
    """Among ``members``, exactly ``target`` answers lie in ``values``."""

    figure: FigureSpec
    part: str
    members: tuple[bool, ...]
    values: frozenset[str]
    target: int


def solve_answers(
    question: InstrumentQuestion,
    figures: Sequence[FigureSpec],
    jurisdictions: Sequence[DemoJurisdiction],
    channels: Sequence[str],
    rng: random.Random,
) -> list[str | None]:
    """One answer per jurisdiction (``None``: blank) under which every figure holds.

    Raises :class:`InfeasibleFigures` naming the figures when no such answers exist.
    """
    constraints = _constraints(question.spec, figures, jurisdictions, channels)
    classes, signature = _answer_classes(question.spec, constraints)
    blank_class = next(i for i, values in enumerate(classes) if None in values)
    # Jurisdictions that no figure counts are answered freely.
    answers = [
        _free_answer(question, j, rng) if not any(c.members[i] for c in constraints) else None
        for i, j in enumerate(jurisdictions)
    ]
    atoms: dict[tuple[tuple[bool, ...], bool], list[int]] = {}
    for index, jurisdiction in enumerate(jurisdictions):
        membership = tuple(c.members[index] for c in constraints)
        if any(membership):
            asked = question.asked_through(jurisdiction.channel)
            atoms.setdefault((membership, asked), []).append(index)
    atom_list = list(atoms.items())
    allowed = [list(range(len(classes))) if asked else [blank_class] for (_, asked), _ in atom_list]
    search = _Search(
        sizes=[len(members) for _, members in atom_list],
        allowed=allowed,
        inside=[[key[0][k] for key, _ in atom_list] for k in range(len(constraints))],
        class_in=[[signature[i][k] for i in range(len(classes))] for k in range(len(constraints))],
        targets=[c.target for c in constraints],
        rng=rng,
    )
    if not search.feasible_so_far():
        raise InfeasibleFigures(_infeasible_message(question.id, constraints, search))
    solution = search.run()
    if solution is None:
        names = ", ".join(dict.fromkeys(c.figure.figure_id for c in constraints))
        raise InfeasibleFigures(
            f"question {question.id!r}: figures {names} cannot all hold for the same answers; "
            "check their numerators, denominators and populations"
        )
    blank_given = False
    for ((_, asked), members), atom_classes, counts in zip(
        atom_list, allowed, solution, strict=True
    ):
        if not asked:
            continue  # not asked through this jurisdiction's channel: stays blank
        order = rng.sample(members, len(members))
        for class_index, count in zip(atom_classes, counts, strict=True):
            values = classes[class_index]
            for index in order[:count]:
                if None in values and not blank_given:
                    blank_given = True  # at least one true blank where answers are missing
                else:
                    answers[index] = _draw(values, jurisdictions[index].income_group, rng)
            order = order[count:]
    return answers


def _answer_classes(
    spec: QuestionSpec, constraints: Sequence[_Constraint]
) -> tuple[list[list[str | None]], list[tuple[bool, ...]]]:
    """The answers (blank included) grouped by how every figure counts them."""
    by_signature: dict[tuple[bool, ...], list[str | None]] = {}
    for value in [*spec.choices, None]:
        key = tuple(value in c.values for c in constraints)
        by_signature.setdefault(key, []).append(value)
    return list(by_signature.values()), list(by_signature)


def _constraints(
    spec: QuestionSpec,
    figures: Sequence[FigureSpec],
    jurisdictions: Sequence[DemoJurisdiction],
    channels: Sequence[str],
) -> list[_Constraint]:
    participants = [j.participant for j in jurisdictions]
    own_channel = {j.code: j.channel for j in jurisdictions}
    answered = frozenset(spec.choices) - {"not_applicable"}
    constraints = []
    for figure in figures:
        try:
            check_counts_as(spec, figure.counts_as)
        except ValueError as error:
            raise InfeasibleFigures(f"figure {figure.figure_id}: {error}") from error
        counted = frozenset(figure.counts_as)
        base, conditional, _ = figure.population.partition(";then ")
        base_members = tuple(population_members(participants, channels, own_channel, base))
        if conditional:
            both = tuple(population_members(participants, channels, own_channel, figure.population))
            constraints.append(
                _Constraint(figure, "denominator", base_members, counted, figure.denominator)
            )
            constraints.append(_Constraint(figure, "numerator", both, counted, figure.numerator))
        else:
            constraints.append(
                _Constraint(figure, "numerator", base_members, counted, figure.numerator)
            )
            constraints.append(
                _Constraint(figure, "denominator", base_members, answered, figure.denominator)
            )
    return constraints


class _Search:
    """Depth-first search for how many jurisdictions of each atom give each class of answer.

    An *atom* is a set of jurisdictions that every figure treats alike; a *class* a set of
    answers that every figure treats alike. Bounds on each figure's count prune the search.
    """

    def __init__(
        self,
        sizes: list[int],
        allowed: list[list[int]],
        inside: list[list[bool]],
        class_in: list[list[bool]],
        targets: list[int],
        rng: random.Random,
    ) -> None:
        self.sizes, self.allowed, self.inside = sizes, allowed, inside
        self.class_in, self.targets, self.rng = class_in, targets, rng
        self.chosen: list[list[int | None]] = [[None] * len(a) for a in allowed]
        self.cells = [(a, c) for a in range(len(allowed)) for c in range(len(allowed[a]))]
        self.steps = 0

    def feasible_so_far(self, only: int | None = None) -> bool:
        for k in range(len(self.targets)) if only is None else [only]:
            low, high = self.bounds(k)
            if not low <= self.targets[k] <= high:
                return False
        return True

    def bounds(self, k: int) -> tuple[int, int]:
        low = high = 0
        for atom, size in enumerate(self.sizes):
            if not self.inside[k][atom]:
                continue
            chosen = self.chosen[atom]
            classes = self.allowed[atom]
            fixed = sum(
                n
                for n, c in zip(chosen, classes, strict=True)
                if n is not None and self.class_in[k][c]
            )
            left = size - sum(n for n in chosen if n is not None)
            open_in = [
                self.class_in[k][c] for n, c in zip(chosen, classes, strict=True) if n is None
            ]
            low += fixed + (left if open_in and all(open_in) else 0)
            high += fixed + (left if any(open_in) else 0)
        return low, high

    def run(self) -> list[list[int]] | None:
        found = self._assign(0)
        if not found:
            return None
        return [[int(n or 0) for n in chosen] for chosen in self.chosen]

    def _assign(self, position: int) -> bool:
        if position == len(self.cells):
            return True
        self.steps += 1
        if self.steps > _SEARCH_BUDGET:
            raise InfeasibleFigures("the answer search gave up; simplify the figure specification")
        atom, slot = self.cells[position]
        chosen = self.chosen[atom]
        left = self.sizes[atom] - sum(n for n in chosen if n is not None)
        options = [left] if slot == len(chosen) - 1 else self.rng.sample(range(left + 1), left + 1)
        for option in options:
            chosen[slot] = option
            if self.feasible_so_far() and self._assign(position + 1):
                return True
        chosen[slot] = None
        return False


def _infeasible_message(question_id: str, constraints: list[_Constraint], search: _Search) -> str:
    for k, constraint in enumerate(constraints):
        if not search.feasible_so_far(only=k):
            low, high = search.bounds(k)
            figure = constraint.figure
            return (
                f"figure {figure.figure_id} ({question_id}, population {figure.population!r}): "
                f"its {constraint.part} {constraint.target} is impossible, the participants "
                f"allow between {low} and {high}; correct the figure or the participants"
            )
    return f"question {question_id!r}: the figures cannot hold"


def _draw(values: Sequence[str | None], income_group: str, rng: random.Random) -> str | None:
    weights = _WEIGHTS["HIC" if income_group == "HIC" else "other"]
    return rng.choices(list(values), [weights.get(v, 1.0) for v in values])[0]


# --- the demo -------------------------------------------------------------------------------


def demo_jurisdictions(seed: int = 2021) -> tuple[DemoJurisdiction, ...]:
    """42 pseudonymous jurisdictions with the 2021 review's income and channel mix."""
    rng = random.Random(f"jurisdictions-{seed}")
    profiles = [
        (income, region)
        for income, regions in DEMO_REGIONS.items()
        for region, count in regions.items()
        for _ in range(count)
    ]
    rng.shuffle(profiles)
    others = [i for i, (income, _) in enumerate(profiles) if income == "UMC"]
    by_government = set(rng.sample(others, DEMO_OTHER_GOVERNMENT))
    jurisdictions = []
    for number, (income, region) in enumerate(profiles, start=1):
        by_survey = income == "HIC" or number - 1 in by_government
        jurisdictions.append(
            DemoJurisdiction(
                code=f"J{number:02d}",
                name=f"Jurisdiction {number:02d} (synthetic)",
                income_group=income,
                region=region,
                channel=DEMO_CHANNELS[0] if by_survey else DEMO_CHANNELS[1],
            )
        )
    return tuple(jurisdictions)


def review_2021_demo(
    questions: Sequence[InstrumentQuestion],
    seed: int = 2021,
    figures: Sequence[FigureSpec] | None = None,
) -> DemoRound:
    """The synthetic 2021 review on the given instrument questions.

    Every figure of ``figures`` (default: the shipped ``review-2021-figures.csv``) comes out
    exactly with :func:`~mnr.core.findings.compute_figure`.
    """
    figures = tuple(load_figures() if figures is None else figures)
    jurisdictions = demo_jurisdictions(seed)
    by_id = {q.id: q for q in questions}
    for figure in figures:
        question = by_id.get(figure.indicator)
        if question is None or question.type != "select_one":
            raise InfeasibleFigures(
                f"figure {figure.figure_id}: {figure.indicator!r} is not a choice question "
                "of the instrument"
            )
    rng = random.Random(seed)
    answers: list[AnswerRecord] = []
    own: dict[str, list[str | None]] = {}
    for question in questions:
        if question.type == "text":
            continue
        mine = [f for f in figures if f.indicator == question.id]
        if mine:
            values = solve_answers(question, mine, jurisdictions, DEMO_CHANNELS, rng)
        else:
            values = [_free_answer(question, j, rng) for j in jurisdictions]
        own[question.id] = values
        answers.extend(
            AnswerRecord(j.code, j.channel, question.id, value)
            for j, value in zip(jurisdictions, values, strict=True)
            if value is not None
        )
    answers.extend(_second_channel(questions, jurisdictions, own, rng))
    texts = tuple(_texts(questions, jurisdictions, rng))
    return DemoRound(
        seed, DEMO_CHANNELS, jurisdictions, tuple(questions), tuple(answers), texts, figures
    )


def _free_answer(
    question: InstrumentQuestion, jurisdiction: DemoJurisdiction, rng: random.Random
) -> str | None:
    if not question.asked_through(jurisdiction.channel):
        return None
    if question.type == "phase":
        return rng.choice(("1", "2", "3", "4"))
    return _draw([*question.choices, None], jurisdiction.income_group, rng)


def _second_channel(
    questions: Sequence[InstrumentQuestion],
    jurisdictions: Sequence[DemoJurisdiction],
    own: Mapping[str, list[str | None]],
    rng: random.Random,
) -> Iterator[AnswerRecord]:
    """Dummy rows on another channel that channel priority must resolve to the own answer."""
    choice = [q for q in questions if q.type == "select_one"]
    for index, jurisdiction in enumerate(jurisdictions):
        other = next(c for c in DEMO_CHANNELS if c != jurisdiction.channel)
        outranks = DEMO_CHANNELS.index(other) < DEMO_CHANNELS.index(jurisdiction.channel)
        candidates = [q for q in choice if q.asked_through(other) and own[q.id][index] is not None]
        for question in rng.sample(candidates, min(3, len(candidates))):
            if outranks:
                yield AnswerRecord(jurisdiction.code, other, question.id, None)
            else:
                rivals = [c for c in question.choices if c != own[question.id][index]]
                yield AnswerRecord(jurisdiction.code, other, question.id, rng.choice(rivals))


QUOTES_FILE = "synthetic-quotes.yaml"


@functools.cache
def synthetic_statements() -> dict[str, dict[str, tuple[str, ...]]]:
    """The invented free-text answers of ``data/synthetic-quotes.yaml``: per capability (as
    the instrument's question ids name it, ``C16-17`` for a merged question), per kind of
    question (``good_practice``, ``challenges``, ``lessons_learned``), several statements."""
    source = resources.files("mnr.core").joinpath("data", QUOTES_FILE).read_text("utf-8")
    loaded = yaml.safe_load(source)
    return {
        str(capability): {str(kind): tuple(map(str, texts)) for kind, texts in kinds.items()}
        for capability, kinds in loaded.items()
    }


def _texts(
    questions: Sequence[InstrumentQuestion],
    jurisdictions: Sequence[DemoJurisdiction],
    rng: random.Random,
) -> Iterator[TextAnswer]:
    """Each jurisdiction asked a text question answers it three times in four with one of the
    statements written for that capability and kind; a question without statements gets no
    answer rather than a made-up sentence about nothing in particular."""
    statements = synthetic_statements()
    for question in questions:
        if question.type != "text":
            continue
        capability, _, kind = question.id.partition(".")
        options = statements.get(capability, {}).get(kind, ())
        if not options:
            continue
        for jurisdiction in jurisdictions:
            if not question.asked_through(jurisdiction.channel) or rng.random() < 0.25:
                continue
            yield TextAnswer(
                jurisdiction.code,
                jurisdiction.channel,
                question.id,
                f"[Synthetic] {rng.choice(options)}",
                publishable=kind == "good_practice" and rng.random() < 0.4,
            )


# --- the benchmark --------------------------------------------------------------------------


def benchmark_round(
    n_jurisdictions: int = 250,
    channels: int = 3,
    questions: int | Sequence[QuestionSpec] = 120,
    seed: int = 0,
) -> RoundData:
    """A random round for timing the counting.

    ``questions`` is a number of generated questions (two status questions to one yes/no
    question) or the questions themselves. Every jurisdiction answers through one channel,
    a third of them also through a second one for about half of the questions; about one
    answer in six is blank.
    """
    rng = np.random.default_rng(seed)
    channel_names = tuple(f"channel_{i + 1}" for i in range(channels))
    if isinstance(questions, int):
        specs = tuple(
            QuestionSpec(f"Q{i + 1:03d}.status", YES_NO_CHOICES if i % 3 == 2 else STATUS_CHOICES)
            for i in range(questions)
        )
    else:
        specs = tuple(questions)
    incomes = np.array(["HIC", "UMC", "LMC", "LIC", None], dtype=object)
    regions = np.array(["Africa", "Americas", "Asia", "Europe", "Oceania", None], dtype=object)
    income = rng.choice(incomes, n_jurisdictions, p=[0.3, 0.3, 0.2, 0.15, 0.05])
    region = rng.choice(regions, n_jurisdictions, p=[0.2, 0.2, 0.25, 0.25, 0.05, 0.05])
    codes = [f"B{i + 1:05d}" for i in range(n_jurisdictions)]
    participants = tuple(
        Participant(code, inc, reg) for code, inc, reg in zip(codes, income, region, strict=True)
    )
    primary = rng.integers(0, channels, n_jurisdictions)
    frames = [_benchmark_answers(rng, codes, primary, specs, channel_names, share=1.0)]
    if channels > 1:
        second = (primary + rng.integers(1, channels, n_jurisdictions)) % channels
        twice = rng.random(n_jurisdictions) < 1 / 3
        frames.append(
            _benchmark_answers(
                rng,
                [c for c, t in zip(codes, twice, strict=True) if t],
                second[twice],
                specs,
                channel_names,
                share=0.5,
            )
        )
    return RoundData(specs, participants, channel_names, pd.concat(frames, ignore_index=True))


def _benchmark_answers(
    rng: np.random.Generator,
    codes: Sequence[str],
    channel: npt.NDArray[np.int64],
    specs: Sequence[QuestionSpec],
    channel_names: Sequence[str],
    share: float,
) -> pd.DataFrame:
    """Answers of the given jurisdictions through their channel to a ``share`` of questions."""
    n_jurisdictions, n_questions = len(codes), len(specs)
    jurisdiction = np.repeat(np.arange(n_jurisdictions), n_questions)
    question = np.tile(np.arange(n_questions), n_jurisdictions)
    keep = rng.random(len(jurisdiction)) < share
    jurisdiction, question = jurisdiction[keep], question[keep]
    # Each question's options are its choices and a blank, drawn uniformly.
    widest = max((len(spec.choices) for spec in specs), default=0) + 1
    options = np.full((n_questions, widest), None, dtype=object)
    for row, spec in enumerate(specs):
        options[row, : len(spec.choices)] = spec.choices
    n_options = np.array([len(spec.choices) + 1 for spec in specs], dtype=np.int64)
    draw = (rng.random(len(question)) * n_options[question]).astype(np.int64)
    return pd.DataFrame(
        {
            "jurisdiction": np.array(codes, dtype=object)[jurisdiction],
            "channel": np.array(channel_names, dtype=object)[channel[jurisdiction]],
            "question": np.array([s.id for s in specs], dtype=object)[question],
            "value": pd.Series(options[question, draw], dtype=object),
        }
    )


def run_findings_benchmark(
    sizes: Sequence[int] = (250, 500, 1000),
    channels: int = 3,
    questions: int | Sequence[QuestionSpec] = 120,
    repeat: int = 3,
    seed: int = 0,
) -> list[dict[str, float | int]]:
    """Time resolving answers and computing all findings (total and every breakdown).

    Best of ``repeat`` runs per size, in seconds.
    """
    results: list[dict[str, float | int]] = []
    for size in sizes:
        round_data = benchmark_round(size, channels, questions, seed)
        resolve = _best(repeat, partial(resolve_answers, round_data))
        total = _best(repeat, partial(_all_findings, round_data))
        results.append(
            {
                "n_jurisdictions": size,
                "channels": channels,
                "questions": len(round_data.questions),
                "answer_rows": len(round_data.answers),
                "findings": len(_all_findings(round_data)),
                "resolve_seconds": resolve,
                "findings_seconds": total,
            }
        )
    return results


def _all_findings(round_data: RoundData) -> list[Finding]:
    return [f for findings in compute_breakdowns(round_data).values() for f in findings]


def _best(repeat: int, run: Callable[[], object]) -> float:
    timings = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return min(timings)
