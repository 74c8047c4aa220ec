"""Counting rules for a round: resolve answers across channels, then count them.

Every rule is written out in ``docs/counting-rules.md``; this module is its implementation.
The answers are resolved once into a participant x question grid of integer codes, and all
counts are taken from that grid with ``numpy.bincount``, so that a round of a thousand
jurisdictions and all its breakdowns are counted in a few tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

ANSWER_CODES: tuple[str, ...] = ("yes", "partial", "no", "dont_know", "not_applicable")
BLANK = "blank"
COUNT_KEYS: tuple[str, ...] = (*ANSWER_CODES, BLANK)
INCOME_GROUPS: tuple[str, ...] = ("HIC", "UMC", "LMC", "LIC")
UNKNOWN = "unknown"
NO_CHANNEL = "none"
BREAKDOWNS: tuple[str, ...] = ("income", "income-group", "region", "channel")
ANSWER_COLUMNS: tuple[str, ...] = ("jurisdiction", "channel", "question", "value")

_BLANK_CODE = len(ANSWER_CODES)
_OTHER_CODE = _BLANK_CODE + 1  # a non-blank value that is not an answer code
_THEN = ";then "

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class QuestionSpec:
    """A question of the round's instrument.

    A *choice question* has choices drawn from the answer codes; only those are counted.
    Phase and free-text questions may be listed too (their choices are other codes or empty).
    """

    id: str
    choices: tuple[str, ...]
    counts_as: tuple[str, ...] | None = None
    label: str = ""
    # The channels that ask the question; None: every channel. A jurisdiction answering through
    # another channel was not asked it, which anyone who knows the instrument can tell.
    channels: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.counts_as is not None:
            check_counts_as(self, self.counts_as)

    @property
    def is_choice(self) -> bool:
        return bool(self.choices) and set(self.choices) <= set(ANSWER_CODES)

    @property
    def default_counts_as(self) -> tuple[str, ...]:
        """The codes that make up the numerator unless a caller says otherwise."""
        if self.counts_as is not None:
            return self.counts_as
        return ("yes", "partial") if "partial" in self.choices else ("yes",)


@dataclass(frozen=True)
class Participant:
    jurisdiction: str
    income_group: str | None = None
    region: str | None = None

    def __post_init__(self) -> None:
        if self.income_group is not None and self.income_group not in INCOME_GROUPS:
            raise ValueError(
                f"jurisdiction {self.jurisdiction!r}: income group {self.income_group!r} is not "
                f"one of {', '.join(INCOME_GROUPS)}; use None when it is not known"
            )


@dataclass(frozen=True)
class AnswerRecord:
    jurisdiction: str
    channel: str
    question: str
    value: str | None


@dataclass(frozen=True, eq=False)
class RoundData:
    """Everything the counting rules need about one round, as plain data.

    ``channels`` is the round's channel order, highest priority first. ``answers`` has one row
    per jurisdiction x channel x question that was recorded, with columns ``jurisdiction``,
    ``channel``, ``question`` and ``value`` (``None`` or ``""`` for a blank answer).
    """

    questions: tuple[QuestionSpec, ...]
    participants: tuple[Participant, ...]
    channels: tuple[str, ...]
    answers: pd.DataFrame

    def __post_init__(self) -> None:
        _check_unique("question", [q.id for q in self.questions])
        _check_unique("participant", [p.jurisdiction for p in self.participants])
        _check_unique("channel", list(self.channels))
        missing = [c for c in ANSWER_COLUMNS if c not in self.answers.columns]
        if missing:
            raise ValueError(f"answers lack the column(s) {', '.join(missing)}")

    @classmethod
    def from_records(
        cls,
        questions: Iterable[QuestionSpec],
        participants: Iterable[Participant],
        channels: Iterable[str],
        answers: Iterable[AnswerRecord],
    ) -> RoundData:
        records = list(answers)
        frame = pd.DataFrame(
            {
                "jurisdiction": [a.jurisdiction for a in records],
                "channel": [a.channel for a in records],
                "question": [a.question for a in records],
                "value": pd.Series([a.value for a in records], dtype=object),
            },
            columns=list(ANSWER_COLUMNS),
        )
        return cls(tuple(questions), tuple(participants), tuple(channels), frame)

    def question(self, question_id: str) -> QuestionSpec:
        for spec in self.questions:
            if spec.id == question_id:
                return spec
        raise ValueError(f"question {question_id!r} is not asked in this round")


@dataclass(frozen=True)
class Finding:
    """One count: a question, optionally within a group or a population, and its share.

    ``by`` names the breakdown the group belongs to (``None`` for a whole-round count).
    ``suppressed`` is set by disclosure control, which also empties the numbers.
    """

    question: str
    group: str | None
    counts: Mapping[str, int]
    counts_as: tuple[str, ...]
    numerator: int | None
    denominator: int | None
    percent: int | None
    sentence: str | None = None
    suppressed: bool = False
    population: str = "all"
    by: str | None = None
    suppression_reason: str | None = None

    @property
    def size(self) -> int:
        """How many participating jurisdictions the finding covers (answered or not)."""
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "group": self.group,
            "by": self.by,
            "population": self.population,
            "counts": {key: self.counts.get(key) for key in COUNT_KEYS},
            "counts_as": list(self.counts_as),
            "numerator": self.numerator,
            "denominator": self.denominator,
            "percent": self.percent,
            "sentence": self.sentence,
            "suppressed": self.suppressed,
            "suppression_reason": self.suppression_reason,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        """The finding :meth:`to_json` wrote (a stored publication reads its findings back)."""
        counts = {key: value for key, value in data["counts"].items() if value is not None}
        return cls(
            question=data["question"],
            group=data["group"],
            counts=counts,
            counts_as=tuple(data["counts_as"]),
            numerator=data["numerator"],
            denominator=data["denominator"],
            percent=data["percent"],
            sentence=data["sentence"],
            suppressed=data["suppressed"],
            population=data["population"],
            by=data["by"],
            suppression_reason=data["suppression_reason"],
        )


@dataclass(frozen=True)
class SnapshotRow:
    """One bar of the capability snapshot: how the capability's status was answered."""

    capability: str
    question: str
    counts: Mapping[str, int]
    in_place: int
    denominator: int
    percent_in_place: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "capability": self.capability,
            "question": self.question,
            "counts": {key: self.counts[key] for key in COUNT_KEYS},
            "in_place": self.in_place,
            "denominator": self.denominator,
            "percent_in_place": self.percent_in_place,
        }


def percent(numerator: int, denominator: int) -> int | None:
    """numerator/denominator x 100, rounded half up, in integer arithmetic."""
    if denominator == 0:
        return None
    return (200 * numerator + denominator) // (2 * denominator)


# --- resolving answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Grid:
    """Resolved answers: row ``j * len(questions) + q`` is participant j's answer to question q.

    ``value`` holds an answer code index (``_BLANK_CODE`` for blank, ``_OTHER_CODE`` for any
    other text); ``channel`` the index of the channel used, -1 when blank; ``primary`` the
    participant's highest-priority channel that gave any non-blank answer, -1 when none did.
    """

    round_data: RoundData
    questions: tuple[QuestionSpec, ...]
    value: IntArray
    text: npt.NDArray[np.object_]
    channel: IntArray
    primary: IntArray


def _resolve(round_data: RoundData, questions: Sequence[QuestionSpec]) -> _Grid:
    jurisdictions = [p.jurisdiction for p in round_data.participants]
    question_ids = [q.id for q in questions]
    n_questions = len(question_ids)
    answers = round_data.answers

    j_code = _codes(answers["jurisdiction"], jurisdictions)
    c_code = _codes(answers["channel"], list(round_data.channels))
    raw = answers["value"].to_numpy(dtype=object)
    given = pd.notna(raw) & (raw != "")
    counted = (j_code >= 0) & (c_code >= 0) & given

    primary = np.full(len(jurisdictions), -1, dtype=np.int64)
    if counted.any():
        by_jurisdiction = pd.Series(c_code[counted]).groupby(j_code[counted]).min()
        primary[by_jurisdiction.index.to_numpy()] = by_jurisdiction.to_numpy()

    q_code = _codes(answers["question"], question_ids)
    keep = counted & (q_code >= 0)
    key = j_code[keep] * n_questions + q_code[keep]
    channel = c_code[keep]
    text = raw[keep]
    order = np.lexsort((channel, key))
    key, channel, text = key[order], channel[order], text[order]
    _check_no_conflicts(key, channel, text, jurisdictions, question_ids, round_data.channels)

    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    size = len(jurisdictions) * n_questions
    grid_text = np.full(size, None, dtype=object)
    grid_text[key[first]] = text[first]
    grid_channel = np.full(size, -1, dtype=np.int64)
    grid_channel[key[first]] = channel[first]
    grid_value = np.full(size, _BLANK_CODE, dtype=np.int64)
    codes = _codes(pd.Series(text[first], dtype=object), list(ANSWER_CODES))
    grid_value[key[first]] = np.where(codes >= 0, codes, _OTHER_CODE)
    return _Grid(round_data, tuple(questions), grid_value, grid_text, grid_channel, primary)


def _codes(values: pd.Series[Any], categories: list[str]) -> IntArray:
    """Index of each value in ``categories``; -1 for values not in it."""
    indexer = pd.Index(categories, dtype=object).get_indexer(pd.Index(values))
    return np.asarray(indexer, dtype=np.int64)


def _check_no_conflicts(
    key: IntArray,
    channel: IntArray,
    text: npt.NDArray[np.object_],
    jurisdictions: Sequence[str],
    question_ids: Sequence[str],
    channels: Sequence[str],
) -> None:
    """One channel gives one answer per question; two different ones make the result arbitrary."""
    repeated = np.flatnonzero((key[1:] == key[:-1]) & (channel[1:] == channel[:-1]))
    differ = [int(at) for at in repeated if text[at] != text[at + 1]]
    if differ:
        at = differ[0]
        j, q = divmod(int(key[at]), len(question_ids))
        raise ValueError(
            f"jurisdiction {jurisdictions[j]!r} has two different answers to "
            f"{question_ids[q]!r} through channel {channels[int(channel[at])]!r} "
            f"({text[at]!r} and {text[at + 1]!r}); keep one of them"
        )


def resolve_answers(round_data: RoundData) -> pd.DataFrame:
    """One row per participant x question with the answer the counting rules use.

    Columns ``jurisdiction``, ``question``, ``value`` (``None`` if blank) and ``channel`` (the
    channel whose answer was used, ``None`` if blank).
    """
    grid = _resolve(round_data, round_data.questions)
    n_questions = len(round_data.questions)
    channels = np.array([*round_data.channels, None], dtype=object)
    return pd.DataFrame(
        {
            "jurisdiction": np.repeat(
                np.array([p.jurisdiction for p in round_data.participants], dtype=object),
                n_questions,
            ),
            "question": np.tile(
                np.array([q.id for q in round_data.questions], dtype=object),
                len(round_data.participants),
            ),
            "value": pd.Series(grid.text, dtype=object),
            "channel": pd.Series(channels[grid.channel], dtype=object),
        }
    )


# --- groups and populations -----------------------------------------------------------------


def _labels(grid: _Grid, dimension: str) -> npt.NDArray[np.object_]:
    """The group of every grid row under a breakdown dimension."""
    round_data = grid.round_data
    n_questions = len(grid.questions)
    if dimension == "channel":
        names = np.array([*round_data.channels, NO_CHANNEL], dtype=object)
        used = np.where(grid.channel >= 0, grid.channel, np.repeat(grid.primary, n_questions))
        return names[np.where(used >= 0, used, len(round_data.channels))]
    per_participant = np.array(
        [_participant_label(p, dimension) for p in round_data.participants], dtype=object
    )
    return np.repeat(per_participant, n_questions)


def _participant_label(participant: Participant, dimension: str) -> str:
    if dimension == "income-group":
        return participant.income_group or UNKNOWN
    if dimension == "income":
        if participant.income_group is None:
            return UNKNOWN
        return "HIC" if participant.income_group == "HIC" else "LMIC"
    if dimension == "region":
        return participant.region or UNKNOWN
    raise ValueError(f"unknown breakdown {dimension!r}; use one of {', '.join(BREAKDOWNS)} or None")


def _group_order(round_data: RoundData, dimension: str, present: Collection[str]) -> list[str]:
    if dimension == "income":
        order = ["HIC", "LMIC", UNKNOWN]
    elif dimension == "income-group":
        order = [*INCOME_GROUPS, UNKNOWN]
    elif dimension == "region":
        order = [*sorted(set(present) - {UNKNOWN}), UNKNOWN]
    else:
        order = [*round_data.channels, NO_CHANNEL]
    return [group for group in order if group in present]


def _unknown_label(dimension: str) -> str:
    return NO_CHANNEL if dimension == "channel" else UNKNOWN


Labeller = Callable[[str], npt.NDArray[np.object_]]


@dataclass(frozen=True)
class PopulationFilter:
    """One filter of a population rule: everyone, ``<dimension>=<group>`` or ``!=``."""

    dimension: str | None  # None: everyone
    value: str = ""
    negated: bool = False

    def __str__(self) -> str:
        if self.dimension is None:
            return "all"
        return f"{self.dimension}{'!=' if self.negated else '='}{self.value}"

    def mask(self, labels_of: Labeller, size: int) -> npt.NDArray[np.bool_]:
        """Who passes the filter, given the group labels of every row for a dimension."""
        if self.dimension is None:
            return np.ones(size, dtype=bool)
        labels = labels_of(self.dimension)
        if self.negated:
            outside = (labels != self.value) & (labels != _unknown_label(self.dimension))
            return np.asarray(outside, dtype=bool)
        return np.asarray(labels == self.value, dtype=bool)


EVERYONE = PopulationFilter(None)


@dataclass(frozen=True)
class Population:
    """A population rule as structure: a base filter and, for a conditional share, the filter
    that the counted jurisdictions of the base must also pass (``<base>;then <then>``)."""

    base: PopulationFilter = EVERYONE
    then: PopulationFilter | None = None

    def __str__(self) -> str:
        return f"{self.base}{_THEN}{self.then}" if self.then is not None else str(self.base)


def _split_filter(text: str, population: str) -> PopulationFilter:
    text = text.strip()
    if text == "all":
        return EVERYONE
    negated = "!=" in text
    dimension, _, value = text.partition("!=" if negated else "=")
    dimension, value = dimension.strip(), value.strip()
    if dimension not in BREAKDOWNS:
        raise ValueError(
            f"population {population!r}: {text!r} is not 'all' or "
            f"'<{'|'.join(BREAKDOWNS)}>=<value>' (or '!=')"
        )
    if not value:
        raise ValueError(f"population {population!r}: {value!r} is not a {dimension} group")
    return PopulationFilter(dimension, value, negated)


def parse_population(population: str) -> Population:
    """The structure of a population rule (its syntax only: whether a group exists in a round
    is checked when the rule is counted). ``str()`` of the result writes it back; a rule
    written with extra spaces reads the same but is written without them."""
    base_text, conditional, then_text = population.partition(_THEN)
    base = _split_filter(base_text, population)
    then = _split_filter(then_text, population) if conditional else None
    return Population(base, then)


def _parse_filter(text: str, round_data: RoundData, population: str) -> PopulationFilter:
    parsed = _split_filter(text, population)
    allowed: Collection[str] | None
    if parsed.dimension is None:
        return parsed
    if parsed.dimension == "income":
        allowed = ("HIC", "LMIC")
    elif parsed.dimension == "income-group":
        allowed = INCOME_GROUPS
    elif parsed.dimension == "channel":
        allowed = round_data.channels
    else:
        allowed = None
    if allowed is not None and parsed.value not in allowed:
        raise ValueError(
            f"population {population!r}: {parsed.value!r} is not a {parsed.dimension} group"
            + f"; use one of {', '.join(allowed)}"
        )
    return parsed


# --- counting -------------------------------------------------------------------------------


def _count(grid: _Grid, rows: npt.NDArray[np.bool_], groups: IntArray, n_groups: int) -> IntArray:
    """Counts per question x group x value code, shape (questions, groups, codes)."""
    n_questions = len(grid.questions)
    question = np.tile(np.arange(n_questions, dtype=np.int64), len(grid.value) // n_questions)
    n_codes = _OTHER_CODE + 1
    flat = (question[rows] * n_groups + groups[rows]) * n_codes + grid.value[rows]
    counts = np.bincount(flat, minlength=n_questions * n_groups * n_codes)
    counts = counts.reshape(n_questions, n_groups, n_codes)
    _check_values(grid, counts.sum(axis=1))
    return counts


def _check_values(grid: _Grid, per_question: IntArray) -> None:
    for index, spec in enumerate(grid.questions):
        unexpected = per_question[index, _OTHER_CODE] > 0 or any(
            per_question[index, position] and code not in spec.choices
            for position, code in enumerate(ANSWER_CODES)
        )
        if unexpected:
            found = _unexpected_values(grid, index, spec)
            raise ValueError(
                f"question {spec.id!r} has answers that are not among its choices "
                f"({', '.join(spec.choices)}): {', '.join(map(repr, found))}; correct the data"
            )


def _unexpected_values(grid: _Grid, index: int, spec: QuestionSpec) -> list[str]:
    values = grid.text[index :: len(grid.questions)]
    return sorted({str(v) for v in values if v is not None and v not in spec.choices})


def _finding(
    spec: QuestionSpec,
    counts_row: IntArray,
    counts_as: tuple[str, ...],
    *,
    group: str | None,
    by: str | None,
    population: str = "all",
) -> Finding:
    counts = {code: int(counts_row[i]) for i, code in enumerate(ANSWER_CODES)}
    counts[BLANK] = int(counts_row[_BLANK_CODE])
    denominator = sum(counts[code] for code in ANSWER_CODES) - counts["not_applicable"]
    numerator = sum(counts[code] for code in counts_as)
    return Finding(
        question=spec.id,
        group=group,
        counts=counts,
        counts_as=counts_as,
        numerator=numerator,
        denominator=denominator,
        percent=percent(numerator, denominator),
        population=population,
        by=by,
    )


def _choice_questions(round_data: RoundData, questions: Sequence[str] | None) -> list[QuestionSpec]:
    if questions is None:
        return [spec for spec in round_data.questions if spec.is_choice]
    wanted = set(questions)
    for question_id in wanted:
        if not round_data.question(question_id).is_choice:
            raise ValueError(
                f"question {question_id!r} is not a choice question; it is not counted"
            )
    return [spec for spec in round_data.questions if spec.id in wanted]


def check_counts_as(spec: QuestionSpec, counts_as: tuple[str, ...]) -> None:
    """Answer codes other than not_applicable, at least one of them among the choices.

    A code the question does not offer just never occurs: "in place" (yes or partial) on a
    yes/no question counts the yes answers.
    """
    countable = set(ANSWER_CODES) - {"not_applicable"}
    if not set(counts_as) <= countable or not set(counts_as) & set(spec.choices):
        raise ValueError(
            f"question {spec.id!r}: counts_as {counts_as!r} must be answer codes other than "
            f"not_applicable, at least one of them among its choices ({', '.join(spec.choices)})"
        )


def compute_findings(
    round_data: RoundData,
    by: str | None = None,
    questions: Sequence[str] | None = None,
    *,
    counts_as: tuple[str, ...] | None = None,
) -> list[Finding]:
    """Counts and shares for every choice question (or the ones named), optionally by group.

    Ordered by the round's question order, then by group order (see the counting rules).
    ``counts_as`` replaces every question's default numerator codes.
    """
    return compute_breakdowns(round_data, (by,), questions, counts_as=counts_as)[by]


def compute_breakdowns(
    round_data: RoundData,
    breakdowns: Sequence[str | None] = (None, *BREAKDOWNS),
    questions: Sequence[str] | None = None,
    *,
    counts_as: tuple[str, ...] | None = None,
) -> dict[str | None, list[Finding]]:
    """:func:`compute_findings` for several breakdowns, resolving the answers only once."""
    specs = _choice_questions(round_data, questions)
    if counts_as is not None:
        for spec in specs:
            check_counts_as(spec, counts_as)
    if not specs:
        return {by: [] for by in breakdowns}
    grid = _resolve(round_data, specs)
    return {by: _grid_findings(grid, by, counts_as) for by in breakdowns}


def _grid_findings(grid: _Grid, by: str | None, counts_as: tuple[str, ...] | None) -> list[Finding]:
    everyone = np.ones(len(grid.value), dtype=bool)
    groups: list[str | None]
    if by is None:
        groups = [None]
        group_index = np.zeros(len(grid.value), dtype=np.int64)
    else:
        labels = _labels(grid, by)
        ordered = _group_order(grid.round_data, by, set(labels.tolist()))
        groups = list(ordered)
        group_index = _codes(pd.Series(labels, dtype=object), ordered)
    counts = _count(grid, everyone, group_index, len(groups))
    return [
        _finding(spec, counts[q, g], counts_as or spec.default_counts_as, group=group, by=by)
        for q, spec in enumerate(grid.questions)
        for g, group in enumerate(groups)
    ]


def compute_figure(
    round_data: RoundData, question: str, counts_as: tuple[str, ...], population: str
) -> Finding:
    """One published-style figure: a share within a population, or a conditional share.

    ``population`` is ``all``, a filter such as ``income=HIC`` or ``channel!=government``,
    or ``<filter>;then <filter>``: among the jurisdictions in the first population whose
    answer is in ``counts_as``, the share that also satisfies the second filter.
    """
    spec = round_data.question(question)
    if not spec.is_choice:
        raise ValueError(f"question {question!r} is not a choice question; it is not counted")
    check_counts_as(spec, counts_as)
    base_text, conditional, then_text = population.partition(_THEN)
    base = _parse_filter(base_text, round_data, population)
    grid = _resolve(round_data, [spec])

    def labels_of(dimension: str) -> npt.NDArray[np.object_]:
        return _labels(grid, dimension)

    size = len(grid.value)
    rows = base.mask(labels_of, size)
    no_groups = np.zeros(size, dtype=np.int64)
    finding = _finding(
        spec,
        _count(grid, rows, no_groups, 1)[0, 0],
        counts_as,
        group=None,
        by=None,
        population=population,
    )
    if not conditional:
        return finding
    then = _parse_filter(then_text, round_data, population)
    in_counts_as = np.isin(grid.value, [ANSWER_CODES.index(code) for code in counts_as])
    numerator = int(np.count_nonzero(rows & in_counts_as & then.mask(labels_of, size)))
    denominator = int(finding.numerator or 0)
    return Finding(
        question=spec.id,
        group=None,
        counts=finding.counts,
        counts_as=counts_as,
        numerator=numerator,
        denominator=denominator,
        percent=percent(numerator, denominator),
        population=population,
    )


def population_members(
    participants: Sequence[Participant],
    channels: Sequence[str],
    participant_channels: Mapping[str, str],
    population: str,
) -> list[bool]:
    """Whether each participant is in a population (for ``<a>;then <b>``: in both).

    Assumes every participant's answers come through its channel in ``participant_channels``
    (missing: no channel). Used to plan synthetic answers with the counting's filter rules.
    """
    round_data = RoundData.from_records((), participants, channels, ())

    def labels_of(dimension: str) -> npt.NDArray[np.object_]:
        if dimension == "channel":
            return np.array(
                [participant_channels.get(p.jurisdiction, NO_CHANNEL) for p in participants],
                dtype=object,
            )
        return np.array([_participant_label(p, dimension) for p in participants], dtype=object)

    mask = np.ones(len(participants), dtype=bool)
    for part in population.split(_THEN):
        mask &= _parse_filter(part, round_data, population).mask(labels_of, len(participants))
    return [bool(m) for m in mask]


@dataclass(frozen=True)
class QuestionCells:
    """One question as disclosure control sees it: every participant's counted answer, the
    group it falls in under each breakdown, and whether it was asked at all.

    ``codes`` holds an index into :data:`ANSWER_CODES` per participant (``len(ANSWER_CODES)``
    for blank); ``asked`` is False where the participant's channel does not ask the question,
    or where it answered nothing through any channel, so that its blank answer is known to
    anyone who knows the instrument and the participants' channels.
    """

    question: QuestionSpec
    jurisdictions: tuple[str, ...]
    codes: IntArray
    labels: Mapping[str, npt.NDArray[np.object_]]
    asked: npt.NDArray[np.bool_]

    def members(self, by: str | None, group: str | None) -> npt.NDArray[np.bool_]:
        """Who a breakdown cell (or, for ``by`` None, the whole round) covers."""
        if by is None:
            return np.ones(len(self.jurisdictions), dtype=bool)
        return np.asarray(self.labels[by] == group, dtype=bool)

    def population(
        self, population: str, round_data: RoundData
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_] | None]:
        """Who a population rule covers: its base, and for ``<a>;then <b>`` also ``a`` and ``b``."""
        base_text, conditional, then_text = population.partition(_THEN)
        size = len(self.jurisdictions)

        def labels_of(dimension: str) -> npt.NDArray[np.object_]:
            return self.labels[dimension]

        base = _parse_filter(base_text, round_data, population).mask(labels_of, size)
        if not conditional:
            return base, None
        then = _parse_filter(then_text, round_data, population).mask(labels_of, size)
        return base, base & then


def question_cells(
    round_data: RoundData, questions: Sequence[str] | None = None
) -> list[QuestionCells]:
    """:class:`QuestionCells` for every choice question (or the ones named), resolving the
    answers once with the same channel priority as the counts."""
    specs = _choice_questions(round_data, questions)
    if not specs:
        return []
    grid = _resolve(round_data, specs)
    n_questions = len(specs)
    labels = {dimension: _labels(grid, dimension) for dimension in BREAKDOWNS}
    jurisdictions = tuple(p.jurisdiction for p in round_data.participants)
    cells = []
    for q, spec in enumerate(specs):
        channel = labels["channel"][q::n_questions]
        # A jurisdiction that answered nothing through any channel ("none") is, like one whose
        # channel does not ask the question, known to have left it blank.
        asked = (channel != NO_CHANNEL) & (
            True if spec.channels is None else np.isin(channel, list(spec.channels))
        )
        cells.append(
            QuestionCells(
                question=spec,
                jurisdictions=jurisdictions,
                codes=grid.value[q::n_questions].copy(),
                labels={name: values[q::n_questions] for name, values in labels.items()},
                asked=np.asarray(asked, dtype=bool),
            )
        )
    return cells


def snapshot(
    round_data: RoundData,
    capability_questions: Sequence[tuple[str, str]],
    exclude: Collection[str] = (),
) -> list[SnapshotRow]:
    """Status counts per capability, in the order given, leaving out excluded capabilities.

    Several capabilities may share one question (C16 and C17 from ``C16-17.status``).
    ``blank`` counts jurisdictions without an answer; ``not_applicable`` is kept apart.
    """
    question_ids = list(dict.fromkeys(q for cap, q in capability_questions if cap not in exclude))
    totals = compute_findings(round_data, questions=question_ids)
    return snapshot_rows(totals, capability_questions, exclude)


def snapshot_rows(
    totals: Iterable[Finding],
    capability_questions: Sequence[tuple[str, str]],
    exclude: Collection[str] = (),
) -> list[SnapshotRow]:
    """:func:`snapshot` from whole-round findings already counted (and disclosure-controlled:
    a withheld total has no bar)."""
    excluded = set(exclude)
    by_question = {f.question: f for f in totals if f.group is None and f.population == "all"}
    rows = []
    for capability, question in capability_questions:
        finding = by_question.get(question)
        if capability in excluded or finding is None or finding.suppressed:
            continue
        in_place = finding.counts["yes"] + finding.counts["partial"]
        denominator = int(finding.denominator or 0)
        rows.append(
            SnapshotRow(
                capability=capability,
                question=question,
                counts=dict(finding.counts),
                in_place=in_place,
                denominator=denominator,
                percent_in_place=percent(in_place, denominator),
            )
        )
    return rows


def _check_unique(kind: str, ids: Sequence[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{kind} {item!r} is listed twice in the round")
        seen.add(item)


__all__ = [
    "ANSWER_CODES",
    "BLANK",
    "BREAKDOWNS",
    "COUNT_KEYS",
    "INCOME_GROUPS",
    "AnswerRecord",
    "Finding",
    "Participant",
    "Population",
    "PopulationFilter",
    "QuestionCells",
    "QuestionSpec",
    "RoundData",
    "SnapshotRow",
    "compute_breakdowns",
    "compute_figure",
    "compute_findings",
    "parse_population",
    "percent",
    "population_members",
    "question_cells",
    "resolve_answers",
    "snapshot",
    "snapshot_rows",
]
