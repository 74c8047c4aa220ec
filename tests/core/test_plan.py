"""The action plan: targets, steps and the order of items (mnr.core.plan)."""

from __future__ import annotations

import datetime
from dataclasses import replace
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mnr.core.framework import Capability, Dependency, Edition, load_shipped, text
from mnr.core.plan import (
    Plan,
    PlanItem,
    check_target,
    order_items,
    plan_item,
    propose_plan,
    retarget,
)
from mnr.errors import MnrError


@pytest.fixture(scope="module")
def edition() -> Edition:
    return load_shipped()[0]["mnr-2016"]


def by_capability(plan: Plan) -> dict[str, PlanItem]:
    return {item.capability: item for item in plan.items}


# --- Proposing ---------------------------------------------------------------------------------


def test_every_capability_below_phase_4_gets_the_next_phase_as_its_target(
    edition: Edition,
) -> None:
    phases = {"C01": 2, "C03": 1, "C04": 4, "C05": 3, "C12": None}

    plan = propose_plan("KE", "sa-2024", edition.capabilities(), phases)

    items = by_capability(plan)
    assert set(items) == {f"C{n:02}" for n in range(1, 22)} - {"C04"}
    assert (items["C01"].current_phase, items["C01"].target_phase) == (2, 3)
    assert (items["C03"].current_phase, items["C03"].target_phase) == (1, 2)
    assert (items["C05"].current_phase, items["C05"].target_phase) == (3, 4)
    assert (items["C12"].current_phase, items["C12"].target_phase) == (None, 1)
    assert (items["C21"].current_phase, items["C21"].target_phase) == (None, 1)
    assert items["C01"].target == text(edition.capability("C01").phase_descriptors[3])
    assert items["C12"].target == text(edition.capability("C12").phase_descriptors[1])
    assert items["C16"].depends_on == ("C12", "C04")


def test_a_jurisdiction_at_phase_4_everywhere_has_an_empty_plan(edition: Edition) -> None:
    phases = {capability.id: 4 for capability in edition.capabilities()}

    assert propose_plan("SE", "sa-2024", edition.capabilities(), phases).items == ()


def test_steps_first_bring_the_enablers_below_the_target_then_meet_the_descriptor(
    edition: Edition,
) -> None:
    # C16 needs C12 (no phase) and C04 (phase 3); its target is phase 3.
    phases = {"C16": 2, "C12": None, "C04": 3}

    item = by_capability(propose_plan("KE", "sa-2024", edition.capabilities(), phases))["C16"]

    why = {d.capability: text(d.why) for d in edition.capability("C16").depends_on}
    assert item.steps == (
        f"First bring C12 CSEA Hotline to phase 3 (it has no phase yet): {why['C12']}",
        f"Meet the phase 3 descriptor: {item.target}",
    )


def test_an_enabler_at_a_lower_phase_is_named_with_its_phase(edition: Edition) -> None:
    phases = {"C16": 2, "C12": 3, "C04": 1}

    item = by_capability(propose_plan("KE", "sa-2024", edition.capabilities(), phases))["C16"]

    assert item.steps[0].startswith(
        "First bring C04 Dedicated Law Enforcement to phase 3 (it is at phase 1): "
    )
    assert len(item.steps) == 2


def test_a_capability_without_enablers_has_only_the_descriptor_step(edition: Edition) -> None:
    item = by_capability(propose_plan("KE", "sa-2024", edition.capabilities(), {"C01": 1}))["C01"]

    assert item.steps == (f"Meet the phase 2 descriptor: {item.target}",)


def in_english_only(capability: Capability) -> Capability:
    """The capability without the translations the shipped edition has."""
    return replace(
        capability,
        name={"en": capability.name["en"]},
        phase_descriptors={
            level: {"en": label["en"]} for level, label in capability.phase_descriptors.items()
        },
        depends_on=tuple(
            replace(dependency, why={"en": dependency.why["en"]})
            for dependency in capability.depends_on
        ),
    )


def test_texts_come_in_the_requested_language_with_english_fallback(edition: Edition) -> None:
    english = tuple(in_english_only(capability) for capability in edition.capabilities())
    capabilities = tuple(
        replace(
            capability,
            phase_descriptors={
                **capability.phase_descriptors,
                2: {**capability.phase_descriptors[2], "fr": "Texte de la phase 2"},
            },
        )
        if capability.id == "C03"
        else capability
        for capability in english
    )
    phases = {"C01": 4, "C03": 1, "C04": 1}

    items = by_capability(propose_plan("FR", "sa-2024", capabilities, phases, lang="fr-CA"))

    assert items["C03"].target == "Texte de la phase 2"
    assert items["C03"].steps == ("Atteindre le descripteur de la phase 2 : Texte de la phase 2",)
    # No French descriptor for C04: the English one, in French steps.
    assert items["C04"].target == text(edition.capability("C04").phase_descriptors[2])
    assert items["C04"].steps[0].startswith("Porter d'abord C03 Legislation à la phase 2")
    english = by_capability(propose_plan("DE", "sa-2024", capabilities, phases, lang="de"))
    assert english["C03"].target == text(edition.capability("C03").phase_descriptors[2])
    assert english["C03"].steps[0].startswith("Meet the phase 2 descriptor")


def test_phases_that_are_not_phases_or_not_capabilities_are_refused(edition: Edition) -> None:
    with pytest.raises(ValueError, match=r"phase 5 of C01 is not a phase"):
        propose_plan("KE", "sa-2024", edition.capabilities(), {"C01": 5})
    with pytest.raises(ValueError, match=r"phase 0 of C02 is not a phase"):
        propose_plan("KE", "sa-2024", edition.capabilities(), {"C02": 0})
    with pytest.raises(ValueError, match=r"'C16-17', not a capability"):
        propose_plan("KE", "sa-2024", edition.capabilities(), {"C16-17": 2})


# --- The JSON shape ----------------------------------------------------------------------------


def test_plan_json_has_exactly_the_documented_shape(edition: Edition) -> None:
    plan = propose_plan("KE", "sa-2024", edition.capabilities(), {"C16": 2, "C04": 3, "C12": 1})
    c16 = by_capability(plan)["C16"]

    shown = plan.to_json()

    assert set(shown) == {"jurisdiction", "round", "items"}
    assert (shown["jurisdiction"], shown["round"]) == ("KE", "sa-2024")
    assert [item["capability"] for item in shown["items"]] == [i.capability for i in plan.items]
    assert next(item for item in shown["items"] if item["capability"] == "C16") == {
        "capability": "C16",
        "current_phase": 2,
        "target_phase": 3,
        "target": c16.target,
        "steps": list(c16.steps),
        "depends_on": ["C12", "C04"],
        "owner": None,
        "due": None,
        "status": "open",
    }


def test_an_edited_item_shows_its_owner_due_date_and_status() -> None:
    item = PlanItem("C03", 1, 2, "target", ("step",), ("C01",))
    edited = replace(item, owner="Ministry of Justice", due=datetime.date(2025, 6, 30))

    shown = replace(edited, status="in progress").to_json()

    assert (shown["owner"], shown["due"], shown["status"]) == (
        "Ministry of Justice",
        "2025-06-30",
        "in progress",
    )


# --- Order -------------------------------------------------------------------------------------


def test_enablers_in_the_plan_come_before_what_they_enable(edition: Edition) -> None:
    # C16 would come first by phase, but its enablers C04 and C12 are in the plan too.
    phases = {c.id: 4 for c in edition.capabilities()} | {"C16": 1, "C12": 3, "C04": 2, "C03": 4}

    plan = propose_plan("KE", "sa-2024", edition.capabilities(), phases)

    assert [item.capability for item in plan.items] == ["C04", "C12", "C16"]


def test_without_enablers_in_the_plan_lower_phases_come_first_then_ids(edition: Edition) -> None:
    phases = {c.id: 4 for c in edition.capabilities()} | {
        "C21": None,
        "C14": 3,
        "C02": 3,
        "C09": 1,
        "C19": 1,
    }

    plan = propose_plan("KE", "sa-2024", edition.capabilities(), phases)

    # C02 and C09 need C01 (phase 4, so not in the plan): nothing holds them back.
    assert [item.capability for item in plan.items] == ["C21", "C09", "C19", "C02", "C14"]


def item(capability: str, phase: int | None, *depends_on: str) -> PlanItem:
    return PlanItem(capability, phase, (phase or 0) + 1, "", (), depends_on)


def test_an_edited_list_is_reordered_by_the_same_rule() -> None:
    items = [item("C16", 1, "C12", "C04"), item("C21", 2), item("C12", 3, "C03"), item("C03", 2)]

    assert [i.capability for i in order_items(items)] == ["C03", "C21", "C12", "C16"]
    # Dropping C12 frees C16, which then comes first by its phase.
    kept = [i for i in items if i.capability != "C12"]
    assert [i.capability for i in order_items(kept)] == ["C16", "C03", "C21"]


def test_a_capability_listed_twice_is_refused() -> None:
    with pytest.raises(MnrError, match="C03 is in the plan twice"):
        order_items([item("C03", 1), item("C01", 1), item("C03", 2)])


def test_items_whose_dependencies_form_a_cycle_are_refused() -> None:
    with pytest.raises(ValueError, match="cycle among C05, C08"):
        order_items([item("C05", 1, "C08"), item("C08", 1, "C05"), item("C01", 1)])


@st.composite
def dags_with_phases(draw: st.DrawFn) -> tuple[tuple[Capability, ...], dict[str, int | None]]:
    """Capabilities whose dependencies form a random acyclic graph, and random phases."""
    size = draw(st.integers(min_value=1, max_value=12))
    ids = draw(st.permutations([f"C{n:02}" for n in range(1, size + 1)]))
    capabilities = []
    for position, capability_id in enumerate(ids):
        # Only on capabilities earlier in the permutation: acyclic, in no particular id order.
        enablers = draw(st.lists(st.sampled_from(ids[:position]), unique=True)) if position else []
        capabilities.append(
            Capability(
                id=capability_id,
                name={"en": f"Capability {capability_id}"},
                description={"en": "synthetic"},
                domain="D1",
                phase_descriptors={
                    level: {"en": f"{capability_id} {level}"} for level in (1, 2, 3, 4)
                },
                questions=(),
                depends_on=tuple(Dependency(e, {"en": f"needs {e}"}) for e in enablers),
            )
        )
    phase = st.sampled_from([None, 1, 2, 3, 4])
    phases = {capability_id: draw(phase) for capability_id in ids}
    order = draw(st.permutations(capabilities))
    return tuple(order), phases


def key(planned: PlanItem) -> tuple[int, str]:
    return (planned.current_phase or 0, planned.capability)


@settings(max_examples=300)
@given(dags_with_phases())
def test_plan_order_respects_enablers_and_otherwise_sorts_by_phase_then_id(
    case: tuple[tuple[Capability, ...], dict[str, int | None]],
) -> None:
    capabilities, phases = case

    items = propose_plan("XX", "synthetic", capabilities, phases).items

    planned = [i.capability for i in items]
    assert sorted(planned) == sorted(c.id for c in capabilities if phases[c.id] != 4)
    for planned_item in items:
        assert planned_item.current_phase == phases[planned_item.capability]
        assert planned_item.target_phase == (phases[planned_item.capability] or 0) + 1
    # Never before an enabler in the plan ...
    for position, planned_item in enumerate(items):
        enablers_in_plan = set(planned_item.depends_on) & set(planned)
        assert enablers_in_plan <= set(planned[:position])
    # ... and otherwise the lowest (phase, id) of those whose enablers are all placed.
    for position, planned_item in enumerate(items):
        placed = set(planned[:position])
        free = [i for i in items[position:] if set(i.depends_on) & set(planned) <= placed]
        assert key(planned_item) == min(key(i) for i in free)


@settings(max_examples=200)
@given(dags_with_phases(), st.randoms(use_true_random=False))
def test_reordering_an_edited_list_follows_the_same_rule(
    case: tuple[tuple[Capability, ...], dict[str, int | None]], chance: Random
) -> None:
    capabilities, phases = case
    proposed = list(propose_plan("XX", "synthetic", capabilities, phases).items)
    kept = [i for i in proposed if chance.random() < 0.7]
    chance.shuffle(kept)

    reordered = order_items(kept)

    positions = {i.capability: n for n, i in enumerate(reordered)}
    assert sorted(positions) == sorted(i.capability for i in kept)
    for planned_item in reordered:
        for enabler in planned_item.depends_on:
            if enabler in positions:
                assert positions[enabler] < positions[planned_item.capability]
    if all(not set(i.depends_on) & set(positions) for i in kept):
        assert list(reordered) == sorted(kept, key=key)


# --- Targets set by a user ---------------------------------------------------------------------


def test_a_target_above_the_current_phase_is_accepted() -> None:
    check_target("C03", 1, 3)
    check_target("C03", None, 1)
    check_target("C03", 3, 4)


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (2, 2, r"target phase 2 for C03 must be above its current phase 2; choose 3 to 4"),
        (3, 1, r"target phase 1 for C03 must be above its current phase 3"),
        (1, 5, r"target phase 5 for C03 is not a phase; phases run from 1 to 4"),
        (None, 0, r"target phase 0 for C03 is not a phase"),
        (4, 4, r"C03 is at phase 4 already; there is no higher phase to target"),
    ],
)
def test_a_target_not_above_the_current_phase_or_beyond_4_is_refused(
    current: int | None, target: int, message: str
) -> None:
    with pytest.raises(MnrError, match=message):
        check_target("C03", current, target)


def test_another_target_changes_the_target_text_and_steps_and_keeps_the_edits(
    edition: Edition,
) -> None:
    phases = {"C17": 1, "C03": 3, "C04": 4}
    proposed = plan_item("C17", edition.capabilities(), phases)
    edited = replace(proposed, owner="Telecoms regulator", status="in progress")

    retargeted = retarget(edited, 4, edition.capabilities(), phases)

    assert (proposed.target_phase, retargeted.target_phase) == (2, 4)
    assert retargeted.target == text(edition.capability("C17").phase_descriptors[4])
    assert proposed.steps == (f"Meet the phase 2 descriptor: {proposed.target}",)
    assert retargeted.steps[0].startswith(
        "First bring C03 Legislation to phase 4 (it is at phase 3)"
    )
    assert (retargeted.owner, retargeted.status) == ("Telecoms regulator", "in progress")
    with pytest.raises(MnrError, match="target phase 1 for C17 must be above"):
        retarget(edited, 1, edition.capabilities(), phases)


def test_an_item_added_for_an_unknown_capability_is_refused(edition: Edition) -> None:
    with pytest.raises(MnrError, match=r"unknown capability 'C22'; the edition has C01, C02"):
        plan_item("C22", edition.capabilities(), {})
