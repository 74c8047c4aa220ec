"""The action plan: from a jurisdiction's consolidated phases to ordered next steps.

For every capability below phase 4 the plan proposes the next phase as its target (a capability
without a phase targets phase 1), with that phase's descriptor and concrete steps: first the
enablers (``depends_on`` in the edition) that are below the target, then the descriptor to meet.
Items are ordered so that no capability comes before one of its enablers that is also in the
plan; among the items that may come next, lower current phases (no phase lowest) come first,
then lower ids. An edited list (items dropped, added or retargeted) is ordered by the same rule
with :func:`order_items`. ``docs/plan.md`` describes the plan.

Pure Python: no Django, no database.
"""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mnr.core.framework import PHASE_LEVELS, Capability, text
from mnr.errors import MnrError

TOP_PHASE = PHASE_LEVELS[-1]
OPEN = "open"

Phases = Mapping[str, int | None]
"""A jurisdiction's consolidated phase by capability id; None or absent: no phase."""

# Per language: the step sentences. Languages without a table fall back to English.
STEPS: dict[str, dict[str, str]] = {
    "en": {
        "enabler": "First bring {id} {name} to phase {target} (it is at phase {current}): {why}",
        "enabler_unphased": (
            "First bring {id} {name} to phase {target} (it has no phase yet): {why}"
        ),
        "descriptor": "Meet the phase {target} descriptor: {descriptor}",
    },
    "fr": {
        "enabler": (
            "Porter d'abord {id} {name} à la phase {target} (phase actuelle : {current}) : {why}"
        ),
        "enabler_unphased": (
            "Porter d'abord {id} {name} à la phase {target} (pas encore de phase) : {why}"
        ),
        "descriptor": "Atteindre le descripteur de la phase {target} : {descriptor}",
    },
    "es": {
        "enabler": (
            "Llevar primero {id} {name} a la fase {target} (fase actual: {current}): {why}"
        ),
        "enabler_unphased": (
            "Llevar primero {id} {name} a la fase {target} (todavía sin fase): {why}"
        ),
        "descriptor": "Cumplir el descriptor de la fase {target}: {descriptor}",
    },
}


@dataclass(frozen=True)
class PlanItem:
    """One capability's next target; ``depends_on`` lists all its enablers in the edition."""

    capability: str
    current_phase: int | None
    target_phase: int
    target: str
    steps: tuple[str, ...]
    depends_on: tuple[str, ...]
    owner: str | None = None
    due: datetime.date | None = None
    status: str = OPEN

    def to_json(self) -> dict[str, Any]:
        return {
            "capability": self.capability,
            "current_phase": self.current_phase,
            "target_phase": self.target_phase,
            "target": self.target,
            "steps": list(self.steps),
            "depends_on": list(self.depends_on),
            "owner": self.owner,
            "due": self.due.isoformat() if self.due is not None else None,
            "status": self.status,
        }


@dataclass(frozen=True)
class Plan:
    jurisdiction: str
    round: str
    items: tuple[PlanItem, ...]

    def to_json(self) -> dict[str, Any]:
        """The shape ``mnr plan --format json`` prints."""
        return {
            "jurisdiction": self.jurisdiction,
            "round": self.round,
            "items": [item.to_json() for item in self.items],
        }


def propose_plan(
    jurisdiction: str,
    round_code: str,
    capabilities: Sequence[Capability],
    phases: Phases,
    *,
    lang: str = "en",
) -> Plan:
    """An item for every capability below phase 4, targeting the next phase, in plan order.

    ``capabilities`` are the edition's; ``phases`` may omit capabilities without a phase.
    """
    _check_phases(capabilities, phases)
    by_id = {capability.id: capability for capability in capabilities}
    items = (
        _item(capability, by_id, phases, (phases.get(capability.id) or 0) + 1, lang)
        for capability in capabilities
        if (phases.get(capability.id) or 0) < TOP_PHASE
    )
    return Plan(jurisdiction, round_code, order_items(items))


def plan_item(
    capability_id: str,
    capabilities: Sequence[Capability],
    phases: Phases,
    *,
    target_phase: int | None = None,
    lang: str = "en",
    check: bool = True,
) -> PlanItem:
    """The item for one capability, by default targeting its next phase.

    Its steps name every enabler whose phase is below the target, whether or not that enabler
    has an item of its own, then the target phase's descriptor. MnrError for an unknown
    capability or a target that is not above the current phase (or above phase 4); with
    ``check`` False a stored target the capability has since reached is described as it is.
    """
    by_id = {capability.id: capability for capability in capabilities}
    capability = by_id.get(capability_id)
    if capability is None:
        raise MnrError(
            f"unknown capability {capability_id!r}; the edition has {', '.join(by_id) or 'none'}"
        )
    current = phases.get(capability_id)
    target = (current or 0) + 1 if target_phase is None else target_phase
    if check:
        check_target(capability_id, current, target)
    return _item(capability, by_id, phases, target, lang)


def _item(
    capability: Capability,
    by_id: Mapping[str, Capability],
    phases: Phases,
    target: int,
    lang: str,
) -> PlanItem:
    templates = _templates(lang)
    steps = []
    for dependency in capability.depends_on:
        enabler_phase = phases.get(dependency.capability)
        if (enabler_phase or 0) >= target:
            continue
        template = templates["enabler" if enabler_phase is not None else "enabler_unphased"]
        steps.append(
            template.format(
                id=dependency.capability,
                name=text(by_id[dependency.capability].name, lang),
                target=target,
                current=enabler_phase,
                why=text(dependency.why, lang),
            )
        )
    descriptor = text(capability.phase_descriptors[target], lang)
    steps.append(templates["descriptor"].format(target=target, descriptor=descriptor))
    return PlanItem(
        capability=capability.id,
        current_phase=phases.get(capability.id),
        target_phase=target,
        target=descriptor,
        steps=tuple(steps),
        depends_on=tuple(dependency.capability for dependency in capability.depends_on),
    )


def retarget(
    item: PlanItem,
    target_phase: int,
    capabilities: Sequence[Capability],
    phases: Phases,
    *,
    lang: str = "en",
) -> PlanItem:
    """The item with another target: target text and steps follow it; owner, due, status stay."""
    fresh = plan_item(item.capability, capabilities, phases, target_phase=target_phase, lang=lang)
    return replace(fresh, owner=item.owner, due=item.due, status=item.status)


def check_target(capability_id: str, current_phase: int | None, target_phase: int) -> None:
    """MnrError unless ``target_phase`` is a phase above ``current_phase`` (None: below 1)."""
    if current_phase == TOP_PHASE:
        raise MnrError(
            f"{capability_id} is at phase {TOP_PHASE} already; there is no higher phase to target"
        )
    if isinstance(target_phase, bool) or target_phase not in PHASE_LEVELS:
        raise MnrError(
            f"target phase {target_phase!r} for {capability_id} is not a phase; "
            f"phases run from {PHASE_LEVELS[0]} to {TOP_PHASE}"
        )
    if current_phase is not None and target_phase <= current_phase:
        raise MnrError(
            f"target phase {target_phase} for {capability_id} must be above its current phase "
            f"{current_phase}; choose {current_phase + 1} to {TOP_PHASE}"
        )


def order_items(items: Iterable[PlanItem]) -> tuple[PlanItem, ...]:
    """The items in plan order: never before an enabler that is also listed, otherwise by
    (current phase, no phase first; capability id). MnrError for a capability listed twice."""
    by_id: dict[str, PlanItem] = {}
    for item in items:
        if item.capability in by_id:
            raise MnrError(f"{item.capability} is in the plan twice; keep one item per capability")
        by_id[item.capability] = item
    waiting = {
        capability_id: {enabler for enabler in item.depends_on if enabler in by_id}
        for capability_id, item in by_id.items()
    }
    enables: dict[str, list[str]] = {capability_id: [] for capability_id in by_id}
    for capability_id, enablers in waiting.items():
        for enabler in enablers:
            enables[enabler].append(capability_id)
    ready = [_sort_key(item) for item in by_id.values() if not waiting[item.capability]]
    heapq.heapify(ready)
    ordered: list[PlanItem] = []
    while ready:
        _, capability_id = heapq.heappop(ready)
        ordered.append(by_id[capability_id])
        for dependent in enables[capability_id]:
            waiting[dependent].discard(capability_id)
            if not waiting[dependent]:
                heapq.heappush(ready, _sort_key(by_id[dependent]))
    if len(ordered) < len(by_id):
        # An edition's dependencies are checked for cycles when it is loaded.
        stuck = sorted(set(by_id) - {item.capability for item in ordered})
        raise ValueError(f"the items' dependencies form a cycle among {', '.join(stuck)}")
    return tuple(ordered)


def _sort_key(item: PlanItem) -> tuple[int, str]:
    return (item.current_phase or 0, item.capability)


def _templates(lang: str) -> Mapping[str, str]:
    return STEPS.get(lang) or STEPS.get(lang.split("-")[0]) or STEPS["en"]


def _check_phases(capabilities: Sequence[Capability], phases: Phases) -> None:
    known = {capability.id for capability in capabilities}
    for capability_id, phase in phases.items():
        if capability_id not in known:
            raise ValueError(f"a phase is given for {capability_id!r}, not a capability here")
        if phase is not None and (isinstance(phase, bool) or phase not in PHASE_LEVELS):
            raise ValueError(f"phase {phase!r} of {capability_id} is not a phase (1 to 4)")
