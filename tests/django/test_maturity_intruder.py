"""An intruder against the phase distributions: it reads every distribution cell a viewer sees
(whole round, by income group, by region), knows the participant list, and solves for each
jurisdiction's phase. Nothing may be forced, by one table or by subtracting one from another."""

from __future__ import annotations

import random
from typing import Any

import pytest
from tests.intruder import SMALL, attack
from tests.maturity import self_assessment_round

from mnr.core.findings import COUNT_KEYS, compute_breakdowns
from mnr.core.maturity import PHASE_CODES, distribution_round_data
from mnr.findings.data import participants
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import data, service
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

CODES = ["KE", "NG", "ZA", "SE", "FR", "DE", "GB-EAW", "BR", "MX", "IN", "PH", "AU"]
CAPABILITIES = ("C01", "C03", "C16")


def build(seed: int) -> Round:
    rng = random.Random(seed)
    phases = {
        code: {
            "": {c: rng.choice([None, 1, 2, 2, 3, 4]) for c in CAPABILITIES},
            **(
                {"police": {c: rng.choice([1, 2, 3]) for c in CAPABILITIES}}
                if rng.random() < 0.3
                else {}
            ),
        }
        for code in CODES
    }
    return self_assessment_round(f"sa-intruder-{seed}", phases)


def as_findings(
    shown: dict[str, Any], sizes: dict[tuple[str | None, str | None], int]
) -> list[dict[str, Any]]:
    """The cells as the findings a viewer can rebuild from them: a count per phase, and the
    blank count from the group's size, which the participant list makes public."""
    found = []
    for capability, cells in shown["capabilities"].items():
        for cell in cells:
            if cell["suppressed"]:
                counts: dict[str, int | None] = {key: None for key in COUNT_KEYS}
            else:
                counts = {key: 0 for key in COUNT_KEYS}
                for level, code in PHASE_CODES.items():
                    counts[code] = cell["phases"][str(level)]
                counts["blank"] = sizes[(cell["by"], cell["group"])] - cell["with_phase"]
            found.append(
                {
                    "question": capability,
                    "group": cell["group"],
                    "by": cell["by"],
                    "population": "all",
                    "counts": counts,
                    "counts_as": [],
                    "numerator": None,
                    "denominator": None,
                    "percent": None,
                    "sentence": None,
                    "suppressed": cell["suppressed"],
                    "suppression_reason": None,
                }
            )
    return found


def view(round_: Round, shown: dict[str, Any], known: list[str]) -> dict[str, Any]:
    people = participants(round_)
    sizes: dict[tuple[str | None, str | None], int] = {(None, None): len(people)}
    for person in people:
        for by, group in (("income-group", person.income_group), ("region", person.region)):
            sizes[(by, group)] = sizes.get((by, group), 0) + 1
    maturity = data.round_maturity(round_)
    questions = [
        {"id": c, "choices": list(PHASE_CODES.values()), "channels": None} for c in CAPABILITIES
    ]
    known_answers = {
        code: {
            r.capability: None if r.phase is None else PHASE_CODES[r.phase]
            for r in maturity.phases
            if r.jurisdiction == code and r.capability in CAPABILITIES
        }
        for code in known
    }
    return {
        "participants": [
            {"jurisdiction": p.jurisdiction, "income_group": p.income_group, "region": p.region}
            for p in people
        ],
        "channel_of": {p.jurisdiction: "consolidated" for p in people},
        "questions": questions,
        "findings": as_findings(shown, sizes),
        "known": known_answers,
    }


def restrict(shown: dict[str, Any]) -> dict[str, Any]:
    return {**shown, "capabilities": {c: shown["capabilities"][c] for c in CAPABILITIES}}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_intruder_works_out_nothing_from_the_analysts_distributions(seed: int) -> None:
    round_ = build(seed)

    shown = restrict(service.distributions(round_))

    assert attack(**view(round_, shown, []), k=round_.disclosure_threshold) == []
    # Something is shown: the test would pass vacuously if everything were withheld.
    assert any(not cell["suppressed"] for cells in shown["capabilities"].values() for cell in cells)


@pytest.mark.parametrize("seed", [1, 4])
def test_a_focal_point_reading_its_groups_distribution_works_out_nothing_else(seed: int) -> None:
    round_ = build(seed)
    own = Jurisdiction.objects.get(code="SE")

    for by in ("income-group", "region"):
        profile = service.profile(round_, own, group=by)
        group = profile["group"]
        shown = {
            "capabilities": {
                c: [cell] for c, cell in group["capabilities"].items() if c in CAPABILITIES and cell
            }
        }
        assert attack(**view(round_, shown, ["SE"]), k=round_.disclosure_threshold) == []


def test_distributions_name_no_jurisdiction_and_are_refused_to_focal_points(
    make_user: Any,
) -> None:
    round_ = build(5)
    shown = service.distributions(round_)
    # Group sizes are public (the participant list) and shown even where counts are withheld.
    for cells in shown["capabilities"].values():
        whole = next(cell for cell in cells if cell["by"] is None)
        assert whole["size"] == len(CODES)
        assert sum(cell["size"] for cell in cells if cell["by"] == "region") == len(CODES)
    text = repr(shown)
    for code in CODES:
        assert f"'{code}'" not in text
    focal_point = make_user("fp", "focal_point", "KE")
    with pytest.raises(Exception, match="No phase distribution"):
        service.distributions(round_, user=focal_point)


def test_the_intruder_catches_distributions_released_without_protection() -> None:
    """The adapter above is faithful: the same cells without disclosure control give phases
    away (Oceania has one participant, Australia)."""
    round_ = build(1)
    round_data = distribution_round_data(data.round_maturity(round_).phases, participants(round_))
    computed = compute_breakdowns(round_data, [None, "income-group", "region"])
    shown: dict[str, Any] = {"capabilities": {}}
    for by, findings in computed.items():
        for finding in findings:
            if finding.question in CAPABILITIES:
                shown["capabilities"].setdefault(finding.question, []).append(
                    service._cell(by, finding)
                )

    found = attack(**view(round_, shown, []), k=3)

    assert any(d.kind == SMALL and d.members == ("AU",) for d in found)
