"""Maturity self-assessment: consolidated phases, agreement, overrides and progress.

Each respondent of a jurisdiction (the lead, and organisations such as ``police``) places each
capability in a maturity phase, 1 Building to 4 Maturity, or leaves it blank. This module turns
those phases into one consolidated phase per jurisdiction x capability (the lower median), says
how far the respondents agree (Krippendorff's alpha, ordinal), applies reviewers' overrides
beside the computed value, and follows a jurisdiction's phases across rounds through a
crosswalk. Every rule, and why, is written out in ``docs/maturity.md``.

Pure Python: no Django, no database. Input and output are plain frozen dataclasses; bad input
is a ``ValueError`` that names the jurisdiction, capability and respondent concerned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import krippendorff
import numpy as np
import numpy.typing as npt

from mnr.core.findings import AnswerRecord, Participant, QuestionSpec, RoundData
from mnr.core.framework import PHASE_LEVELS

LEAD = ""
"""The blank respondent slug: the jurisdiction's lead respondent."""

Unit = tuple[str, str]
"""A jurisdiction x capability: (jurisdiction code, capability id)."""


# --- input ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RespondentPhase:
    """The phase one respondent gave one capability of its jurisdiction; None when left blank."""

    jurisdiction: str
    capability: str
    respondent: str
    phase: int | None


def _respondent_name(respondent: str) -> str:
    return "the lead respondent" if respondent == LEAD else f"respondent {respondent!r}"


def _check_phase(phase: object, where: str) -> int:
    # bool is an int to Python, but True is not a phase.
    if isinstance(phase, bool) or not isinstance(phase, int) or phase not in PHASE_LEVELS:
        raise ValueError(
            f"{where}: phase {phase!r} is not a maturity phase; "
            "give a whole number from 1 (Building) to 4 (Maturity)"
        )
    return phase


def _phases_by_unit(phases: Iterable[RespondentPhase]) -> dict[Unit, dict[str, int | None]]:
    """Every unit's phases by respondent, checked: 1-4 or None, one phase per respondent."""
    by_unit: dict[Unit, dict[str, int | None]] = defaultdict(dict)
    for given in phases:
        where = (
            f"jurisdiction {given.jurisdiction!r}, capability {given.capability!r}, "
            f"{_respondent_name(given.respondent)}"
        )
        unit = (given.jurisdiction, given.capability)
        if given.respondent in by_unit[unit]:
            raise ValueError(f"{where}: more than one phase given; keep one")
        by_unit[unit][given.respondent] = (
            None if given.phase is None else _check_phase(given.phase, where)
        )
    return by_unit


def _given(by_respondent: Mapping[str, int | None]) -> list[int]:
    """The non-blank phases of a unit, in the order of the respondents' slugs (the lead first)."""
    return [phase for _, phase in sorted(by_respondent.items()) if phase is not None]


# --- the consolidated phase -------------------------------------------------------------------


def lower_median(values: Sequence[int]) -> int:
    """The middle value; of an even count, the lower of the two middle values.

    Unlike the usual median it is always one of the values, so a consolidated phase is a phase
    some respondent actually gave, and of a tie the more cautious one.
    """
    if not values:
        raise ValueError("the lower median of no values is undefined")
    return sorted(values)[(len(values) - 1) // 2]


@dataclass(frozen=True)
class Override:
    """A reviewer's phase for a jurisdiction x capability, shown beside the computed one."""

    jurisdiction: str
    capability: str
    phase: int
    reason: str
    by: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "reason": self.reason,
            "by": self.by,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True)
class ConsolidatedPhase:
    """The consolidated phase of one jurisdiction x capability.

    ``computed_phase`` is the lower median of the respondents' phases (None when nobody gave
    one); ``phase`` is the override's phase when there is one, else the computed phase.
    """

    jurisdiction: str
    capability: str
    computed_phase: int | None
    respondents: int
    range: int | None
    override: Override | None = None

    @property
    def phase(self) -> int | None:
        return self.computed_phase if self.override is None else self.override.phase

    def to_json(self) -> dict[str, Any]:
        """The capability as listed under its jurisdiction in :meth:`RoundMaturity.to_json`."""
        return {
            "capability": self.capability,
            "phase": self.phase,
            "computed_phase": self.computed_phase,
            "respondents": self.respondents,
            "range": self.range,
            "override": None if self.override is None else self.override.to_json(),
        }


def _consolidated(unit: Unit, by_respondent: Mapping[str, int | None]) -> ConsolidatedPhase:
    given = _given(by_respondent)
    return ConsolidatedPhase(
        jurisdiction=unit[0],
        capability=unit[1],
        computed_phase=lower_median(given) if given else None,
        respondents=len(given),
        range=max(given) - min(given) if given else None,
    )


def consolidate(phases: Iterable[RespondentPhase]) -> tuple[ConsolidatedPhase, ...]:
    """One consolidated phase per jurisdiction x capability in ``phases``, by code then id.

    A jurisdiction x capability is listed when any respondent has a record for it, blank or
    not: pass blank records (phase None) for the capabilities nobody answered to list them.
    """
    by_unit = _phases_by_unit(phases)
    return tuple(_consolidated(unit, by_unit[unit]) for unit in sorted(by_unit))


def _override_name(override: Override) -> str:
    return f"override of jurisdiction {override.jurisdiction!r}, capability {override.capability!r}"


def _check_override(override: Override) -> None:
    where = _override_name(override)
    _check_phase(override.phase, where)
    if not override.reason.strip():
        raise ValueError(f"{where}: give the reason for the override")
    if not override.by.strip():
        raise ValueError(f"{where}: say who overrides the phase")
    if override.at.tzinfo is None:
        raise ValueError(f"{where}: the time of the override needs a time zone")


def apply_overrides(
    consolidated: Iterable[ConsolidatedPhase], overrides: Iterable[Override]
) -> tuple[ConsolidatedPhase, ...]:
    """The consolidated phases with their overrides attached; the computed phases stay.

    Refused (``ValueError``): an override without a reason, author or time-zone-aware time,
    with a phase outside 1-4, of a jurisdiction x capability that is not consolidated, or a
    second override of the same one.
    """
    results = {(result.jurisdiction, result.capability): result for result in consolidated}
    overridden: dict[Unit, Override] = {}
    for override in overrides:
        _check_override(override)
        unit = (override.jurisdiction, override.capability)
        if unit not in results:
            raise ValueError(f"{_override_name(override)}: not among the consolidated phases")
        if unit in overridden:
            raise ValueError(f"{_override_name(override)}: given twice; keep the current one")
        overridden[unit] = override
    return tuple(replace(results[unit], override=overridden.get(unit)) for unit in sorted(results))


# --- agreement --------------------------------------------------------------------------------


def reliability_data(units: Sequence[Sequence[int]]) -> npt.NDArray[np.float64]:
    """The ``krippendorff`` package's reliability matrix of ``units``: positions x units.

    Column j holds the phases of unit j; row i is the i-th phase given in each unit (its
    respondents in the order of their slugs), ``nan`` where a unit has fewer phases. Alpha
    depends only on the values within each unit, so who gave them need not be the same coder
    across units (see ``docs/maturity.md``).
    """
    positions = max((len(unit) for unit in units), default=0)
    matrix = np.full((positions, len(units)), np.nan)
    for column, unit in enumerate(units):
        matrix[: len(unit), column] = unit
    return matrix


def ordinal_alpha(
    units: Iterable[Sequence[int]], levels: Sequence[int] = PHASE_LEVELS
) -> float | None:
    """Krippendorff's alpha, ordinal, of the values in each unit on the ordered scale ``levels``.

    None where alpha is undefined: no unit has two values (nothing to compare), or every value
    in such units is the same (no variation: the expected disagreement is zero and alpha would
    be 0/0). Values outside ``levels`` are a ``ValueError``.
    """
    unit_values = [list(unit) for unit in units]
    for values in unit_values:
        outside = sorted(set(values) - set(levels))
        if outside:
            raise ValueError(f"values {outside} are not on the scale {list(levels)}")
    pairable = {value for values in unit_values if len(values) >= 2 for value in values}
    if len(pairable) < 2:
        return None
    return float(
        krippendorff.alpha(
            reliability_data=reliability_data(unit_values),
            value_domain=list(levels),
            level_of_measurement="ordinal",
        )
    )


@dataclass(frozen=True)
class Agreement:
    """How far respondents agree: overall and per capability; None where undefined."""

    overall: float | None
    capabilities: Mapping[str, float | None]

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "capabilities": {
                capability: self.capabilities[capability]
                for capability in sorted(self.capabilities)
            },
        }


def _agreement(by_unit: Mapping[Unit, Mapping[str, int | None]]) -> Agreement:
    given = {unit: _given(by_unit[unit]) for unit in sorted(by_unit)}
    capabilities = sorted({capability for _, capability in given})
    return Agreement(
        overall=ordinal_alpha(given.values()),
        capabilities={
            capability: ordinal_alpha(
                values for (_, of), values in given.items() if of == capability
            )
            for capability in capabilities
        },
    )


def agreement(phases: Iterable[RespondentPhase]) -> Agreement:
    """Ordinal alpha per capability (units: its jurisdictions) and overall (units:
    jurisdiction x capability); coders are the respondents, values their phases.

    Overrides play no part: agreement is between respondents, not with the reviewer.
    """
    return _agreement(_phases_by_unit(phases))


# --- one round --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundMaturity:
    """The maturity results of a round, as ``mnr maturity --round CODE`` shows them."""

    round: str
    phases: tuple[ConsolidatedPhase, ...]
    agreement: Agreement

    def jurisdiction_phases(self, jurisdiction: str) -> dict[str, int | None]:
        """A jurisdiction's phase (overridden where overridden) by capability id."""
        return {
            result.capability: result.phase
            for result in self.phases
            if result.jurisdiction == jurisdiction
        }

    def to_json(self) -> dict[str, Any]:
        """Jurisdictions by code and capabilities by id: never by maturity (no ranking)."""
        by_jurisdiction: dict[str, list[ConsolidatedPhase]] = defaultdict(list)
        for result in self.phases:
            by_jurisdiction[result.jurisdiction].append(result)
        return {
            "round": self.round,
            "jurisdictions": [
                {
                    "jurisdiction": jurisdiction,
                    "capabilities": [
                        result.to_json()
                        for result in sorted(
                            by_jurisdiction[jurisdiction], key=lambda result: result.capability
                        )
                    ],
                }
                for jurisdiction in sorted(by_jurisdiction)
            ],
            "agreement": self.agreement.to_json(),
        }


def round_maturity(
    round_code: str, phases: Iterable[RespondentPhase], overrides: Iterable[Override] = ()
) -> RoundMaturity:
    """Consolidate a round's phases, attach the overrides and measure agreement."""
    by_unit = _phases_by_unit(phases)
    consolidated = [_consolidated(unit, by_unit[unit]) for unit in sorted(by_unit)]
    return RoundMaturity(
        round=round_code,
        phases=apply_overrides(consolidated, overrides),
        agreement=_agreement(by_unit),
    )


# --- progress across rounds -------------------------------------------------------------------


@dataclass(frozen=True)
class RoundPhases:
    """A jurisdiction's phases in one round, by the capability ids of that round's instrument.

    ``crosswalk`` maps such an id to the common capability ids it stands for (a merged
    ``C16-17`` to ``("C16", "C17")``, an id with no counterpart to ``()``); an id it does not
    list stands for itself.
    """

    round: str
    phases: Mapping[str, int | None]
    crosswalk: Mapping[str, Sequence[str]] = field(default_factory=dict)


def _common_phases(jurisdiction: str, round_phases: RoundPhases) -> dict[str, int | None]:
    common: dict[str, int | None] = {}
    came_from: dict[str, str] = {}
    for capability, phase in sorted(round_phases.phases.items()):
        where = (
            f"round {round_phases.round!r}, jurisdiction {jurisdiction!r}, "
            f"capability {capability!r}"
        )
        if phase is not None:
            _check_phase(phase, where)
        for target in round_phases.crosswalk.get(capability, (capability,)):
            if target in common:
                raise ValueError(
                    f"{where}: {capability!r} and {came_from[target]!r} both stand for "
                    f"{target!r} through the crosswalk; keep one of them"
                )
            common[target] = phase
            came_from[target] = capability
    return common


@dataclass(frozen=True)
class CapabilityProgress:
    """A capability's phase in each round (None where missing) and last minus first."""

    capability: str
    phases: Mapping[str, int | None]
    change: int | None

    def to_json(self) -> dict[str, Any]:
        return {"capability": self.capability, "phases": dict(self.phases), "change": self.change}


@dataclass(frozen=True)
class Progress:
    """A jurisdiction's progress, as ``mnr progress --jurisdiction J --rounds R1,R2`` shows it."""

    jurisdiction: str
    rounds: tuple[str, ...]
    capabilities: tuple[CapabilityProgress, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "jurisdiction": self.jurisdiction,
            "rounds": list(self.rounds),
            "capabilities": [capability.to_json() for capability in self.capabilities],
        }


def progress(jurisdiction: str, rounds: Sequence[RoundPhases]) -> Progress:
    """Per common capability, the jurisdiction's phase in each round and ``change``.

    The rounds are taken in the order given (the caller orders them, normally by date);
    ``change`` is the last round's phase minus the first's, None when either is missing.
    At least two distinct rounds are needed.
    """
    codes = [round_phases.round for round_phases in rounds]
    if len(codes) < 2:
        raise ValueError("progress needs at least two rounds")
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ValueError(f"round(s) {', '.join(map(repr, repeated))} given more than once")
    by_round = {
        round_phases.round: _common_phases(jurisdiction, round_phases) for round_phases in rounds
    }
    capabilities = sorted({capability for common in by_round.values() for capability in common})
    results = []
    for capability in capabilities:
        phases = {code: by_round[code].get(capability) for code in codes}
        first, last = phases[codes[0]], phases[codes[-1]]
        change = None if first is None or last is None else last - first
        results.append(CapabilityProgress(capability, phases, change))
    return Progress(jurisdiction, tuple(codes), tuple(results))


# --- phase distributions through disclosure control -------------------------------------------

DISTRIBUTION_CHANNEL = "consolidated"
"""The one channel of a distribution's round data: consolidated phases, one per jurisdiction."""

PHASE_CODES: Mapping[int, str] = {1: "no", 2: "partial", 3: "yes", 4: "dont_know"}
"""How a phase is coded for disclosure control, which counts answer codes: any four distinct
answered codes will do (the codes' meanings play no part in protection, only their counts)."""
PHASE_OF_CODE: Mapping[str, int] = {code: level for level, code in PHASE_CODES.items()}


def distribution_round_data(
    phases: Iterable[ConsolidatedPhase], participants: Sequence[Participant]
) -> RoundData:
    """Consolidated phases as one question per capability that disclosure control protects.

    Each jurisdiction's phase of a capability is its answer (coded by ``PHASE_CODES``; blank
    without a phase), so a capability's distribution is one finding per group with a count per
    phase, and the rules of small cells and of differences between tables are those of every
    other public table, applied to all four counts of a capability at once."""
    codes = {p.jurisdiction for p in participants}
    questions: dict[str, QuestionSpec] = {}
    records: list[AnswerRecord] = []
    for result in phases:
        if result.jurisdiction not in codes:
            continue
        questions.setdefault(
            result.capability, QuestionSpec(result.capability, tuple(PHASE_CODES.values()))
        )
        value = None if result.phase is None else PHASE_CODES[result.phase]
        records.append(
            AnswerRecord(result.jurisdiction, DISTRIBUTION_CHANNEL, result.capability, value)
        )
    return RoundData.from_records(
        questions.values(), participants, (DISTRIBUTION_CHANNEL,), records
    )
