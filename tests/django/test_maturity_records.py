"""The maturity records: consolidated phases read from answers, overrides, consent, peers,
the stored plan and progress, through the actions and the commands."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.maturity import self_assessment_round

from mnr.core.maturity import lower_median
from mnr.errors import MnrError
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import actions, data, service
from mnr.maturity.models import Consent, PhaseOverride, PlanItem, PlanItemChange
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

PHASES = {
    "KE": {"": {"C01": 2, "C03": 3, "C04": 1}, "police": {"C01": 3, "C03": 1, "C04": None}},
    "SE": {"": {"C01": 4, "C03": 4, "C04": 3}},
    "GB-EAW": {"": {"C01": 3, "C03": 2}, "justice": {"C01": 3, "C03": 2}, "ngo": {"C01": 1}},
}


def mnr(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        mnr(*args)
    return str(error.value)


def place(code: str) -> Jurisdiction:
    return Jurisdiction.objects.get(code=code)


@pytest.fixture
def sa_round(db: Any) -> Round:
    return self_assessment_round("sa-2026", PHASES, confidence="medium", evidence="seen")


def by_unit(maturity_json: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (j["jurisdiction"], c["capability"]): c
        for j in maturity_json["jurisdictions"]
        for c in j["capabilities"]
    }


def test_consolidated_phase_is_the_lower_median_of_each_jurisdictions_respondents(
    sa_round: Round,
) -> None:
    units = by_unit(data.round_maturity(sa_round).to_json())

    for code, respondents in PHASES.items():
        for capability in ("C01", "C03", "C04"):
            given = [
                phases[capability]
                for phases in respondents.values()
                if phases.get(capability) is not None
            ]
            row = units[(code, capability)]
            assert row["respondents"] == len(given)
            assert row["computed_phase"] == (lower_median(given) if given else None)
            assert row["range"] == (max(given) - min(given) if given else None)
    # Every capability of the instrument is listed, with no phase where nobody gave one.
    assert units[("SE", "C21")] == {
        "capability": "C21",
        "phase": None,
        "computed_phase": None,
        "respondents": 0,
        "range": None,
        "override": None,
    }


def test_maturity_json_has_the_contract_shape_with_jurisdictions_by_code(sa_round: Round) -> None:
    shown = json.loads(mnr("maturity", "--round", "sa-2026", "--format", "json"))

    assert set(shown) == {"round", "jurisdictions", "agreement"}
    assert [j["jurisdiction"] for j in shown["jurisdictions"]] == ["GB-EAW", "KE", "SE"]
    assert set(shown["agreement"]) == {"overall", "capabilities"}
    assert shown["agreement"]["capabilities"]["C21"] is None  # nobody has two phases there
    assert isinstance(shown["agreement"]["overall"], float)
    row = shown["jurisdictions"][1]["capabilities"][0]
    assert list(row) == [
        "capability",
        "phase",
        "computed_phase",
        "respondents",
        "range",
        "override",
    ]


def test_maturity_table_lists_every_unit_and_the_agreement(sa_round: Round) -> None:
    table = mnr("maturity", "--round", "sa-2026")

    assert "KE             C03" in table
    assert "agreement (Krippendorff's alpha, ordinal): overall" in table


def test_an_override_is_shown_beside_the_computed_phase_and_can_be_withdrawn(
    sa_round: Round, make_user: Any
) -> None:
    reviewer = make_user("rev", "reviewer")
    actions.override_phase(
        sa_round, place("KE"), "C03", 3, "the new law is in force", acting_user=reviewer
    )

    row = by_unit(data.round_maturity(sa_round).to_json())[("KE", "C03")]
    assert row["phase"] == 3 and row["computed_phase"] == 1
    assert row["override"]["reason"] == "the new law is in force"
    assert row["override"]["by"] == "rev"

    mnr(
        "maturity",
        "override",
        "--round",
        "sa-2026",
        "--jurisdiction",
        "KEN",
        "--capability",
        "C03",
        "--withdraw",
        "--reason",
        "entered for the wrong year",
    )
    row = by_unit(data.round_maturity(sa_round).to_json())[("KE", "C03")]
    assert row["phase"] == 1 and row["override"] is None
    # Both records stay: the history of who overrode what, and why.
    assert [(o.phase, o.computed_phase) for o in PhaseOverride.objects.all()] == [(3, 1), (None, 1)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--capability", "C03", "--phase", "5", "--reason", "x"], "not a maturity phase"),
        (["--capability", "C03", "--phase", "0", "--reason", "x"], "not a maturity phase"),
        (["--capability", "C03", "--phase", "2", "--reason", "  "], "reason is required"),
        (["--capability", "C99", "--phase", "2", "--reason", "x"], "unknown capability"),
        (["--capability", "C03", "--withdraw", "--reason", "x"], "no override to withdraw"),
    ],
)
def test_bad_overrides_are_refused_and_nothing_is_written(
    sa_round: Round, args: list[str], message: str
) -> None:
    error = refused("maturity", "override", "--round", "sa-2026", "--jurisdiction", "KE", *args)

    assert message in error
    assert not PhaseOverride.objects.exists()


def test_an_override_of_a_jurisdiction_outside_the_round_is_refused(sa_round: Round) -> None:
    error = refused(
        "maturity",
        "override",
        "--round",
        "sa-2026",
        "--jurisdiction",
        "FR",
        "--capability",
        "C01",
        "--phase",
        "2",
        "--reason",
        "x",
    )

    assert "FR does not take part in round sa-2026" in error


def test_only_reviewers_override(sa_round: Round, make_user: Any) -> None:
    focal_point = make_user("fp", "focal_point", "KE")
    analyst = make_user("an", "analyst")
    for user in (focal_point, analyst):
        with pytest.raises(PermissionDenied):
            actions.override_phase(sa_round, place("KE"), "C01", 4, "why", acting_user=user)
    assert not PhaseOverride.objects.exists()


def test_a_round_without_phase_questions_has_no_maturity(review_round: Round) -> None:
    assert "asks no maturity phase" in refused("maturity", "--round", "test-2021")


# --- consent and peers ------------------------------------------------------------------------


def test_peers_are_the_consenting_jurisdictions_at_a_higher_phase(sa_round: Round) -> None:
    def peers(capability: str) -> list[dict[str, Any]]:
        return json.loads(
            mnr(
                "peers",
                "--round",
                "sa-2026",
                "--jurisdiction",
                "KE",
                "--capability",
                capability,
            )
        )

    # Sweden (phase 4) and England and Wales (phase 3) are above Kenya's 2 on C01, but
    # neither consented: nothing about them is shown.
    assert peers("C01") == []
    mnr("consent", "set", "--round", "sa-2026", "--jurisdiction", "SE", "--peer-exchange", "yes")
    assert peers("C01") == [{"jurisdiction": "SE", "name": "Sweden", "phase": 4}]
    mnr(
        "consent", "set", "--round", "sa-2026", "--jurisdiction", "GB-EAW", "--peer-exchange", "yes"
    )
    assert [p["jurisdiction"] for p in peers("C01")] == ["GB-EAW", "SE"]
    # On C03 Kenya's respondents gave 3 and 1: the lower median 1 is below both peers.
    assert [p["jurisdiction"] for p in peers("C03")] == ["GB-EAW", "SE"]
    # Withdrawn consent hides it again; the history of both records stays.
    mnr("consent", "set", "--round", "sa-2026", "--jurisdiction", "SE", "--peer-exchange", "no")
    assert [p["jurisdiction"] for p in peers("C01")] == ["GB-EAW"]
    assert Consent.objects.filter(jurisdiction__code="SE").count() == 2


def test_peers_never_include_a_jurisdiction_at_the_same_or_a_lower_phase(sa_round: Round) -> None:
    for code in ("KE", "GB-EAW"):
        actions.set_consent(sa_round, place(code), True)

    found = service.peers(sa_round, place("SE"), "C01")

    assert found == []  # Sweden is at 4: nobody is higher


def test_consent_is_set_by_the_jurisdictions_focal_point_or_an_analyst(
    sa_round: Round, make_user: Any
) -> None:
    own = make_user("fp-ke", "focal_point", "KE")
    analyst = make_user("an", "analyst")
    actions.set_consent(sa_round, place("KE"), True, acting_user=own)
    actions.set_consent(sa_round, place("KE"), False, acting_user=analyst)

    for user in (
        make_user("fp-se", "focal_point", "SE"),
        make_user("rev", "reviewer"),
        make_user("fp-ke-police", "focal_point", "KE"),
    ):
        if user.username == "fp-ke-police":
            user.role_assignments.update(respondent="police")
        with pytest.raises(PermissionDenied):
            actions.set_consent(sa_round, place("KE"), True, acting_user=user)
    consent = actions.current_consent(sa_round, place("KE"))
    assert consent is not None and consent.peer_exchange is False and consent.by_name == "an"
    assert Consent.objects.count() == 2


def test_consent_for_a_jurisdiction_outside_the_round_is_refused(sa_round: Round) -> None:
    error = refused(
        "consent", "set", "--round", "sa-2026", "--jurisdiction", "FR", "--peer-exchange", "yes"
    )
    assert "does not take part" in error
    assert not Consent.objects.exists()


# --- the plan ---------------------------------------------------------------------------------


def test_the_plan_is_the_proposal_until_its_focal_point_edits_it(
    sa_round: Round, make_user: Any
) -> None:
    focal_point = make_user("fp", "focal_point", "KE")
    proposal = service.plan_for(sa_round, place("KE")).to_json()
    assert not PlanItem.objects.exists()

    actions.update_plan_item(
        sa_round,
        place("KE"),
        "C04",
        {"owner": "National police", "due": "2027-06-30", "status": "in_progress"},
        expected_version=1,
        acting_user=focal_point,
    )

    plan = service.plan_for(sa_round, place("KE")).to_json()
    assert [i["capability"] for i in plan["items"]] == [i["capability"] for i in proposal["items"]]
    item = next(i for i in plan["items"] if i["capability"] == "C04")
    assert (item["owner"], item["due"], item["status"]) == (
        "National police",
        "2027-06-30",
        "in_progress",
    )
    stored = PlanItem.objects.get(capability="C04")
    assert stored.version == 2
    assert sorted(PlanItemChange.objects.values_list("field", "old", "new")) == [
        ("due", "", "2027-06-30"),
        ("owner", "", "National police"),
        ("status", "open", "in_progress"),
    ]


def test_a_stale_plan_edit_is_refused_and_writes_nothing(sa_round: Round) -> None:
    actions.update_plan_item(sa_round, place("KE"), "C04", {"owner": "A"}, expected_version=1)

    with pytest.raises(actions.StalePlanItem) as error:
        actions.update_plan_item(sa_round, place("KE"), "C04", {"owner": "B"}, expected_version=1)

    assert "now version 2" in str(error.value)
    assert PlanItem.objects.get(capability="C04").owner == "A"


def test_dropping_adding_and_retargeting_items_keep_the_dependency_order(sa_round: Round) -> None:
    ke = place("KE")
    actions.drop_plan_item(sa_round, ke, "C02")
    actions.update_plan_item(sa_round, ke, "C01", {"target_phase": 4})
    with pytest.raises(MnrError, match="in the action plan of KE already"):
        actions.add_plan_item(sa_round, ke, "C01")
    actions.add_plan_item(sa_round, ke, "C02", target_phase=2)

    items = service.plan_for(sa_round, ke).to_json()["items"]
    position = {item["capability"]: index for index, item in enumerate(items)}
    for item in items:
        for enabler in item["depends_on"]:
            if enabler in position:
                assert position[enabler] < position[item["capability"]]
    assert next(i for i in items if i["capability"] == "C02")["target_phase"] == 2
    assert next(i for i in items if i["capability"] == "C01")["target_phase"] == 4
    dropped = PlanItem.objects.get(capability="C02")
    assert not dropped.dropped and dropped.changes.filter(field="dropped").count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_phase": 2}, "must be above its current phase 2"),
        ({"target_phase": 5}, "not a maturity phase"),
        ({"status": "finished"}, "unknown plan item status"),
        ({"due": "next spring"}, "is not a date"),
        ({"colour": "red"}, "has no field 'colour'"),
        ({"owner": "x" * 201}, "at most 200"),
    ],
)
def test_bad_plan_edits_are_refused_and_nothing_is_written(
    sa_round: Round, changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(MnrError, match=message):
        actions.update_plan_item(sa_round, place("KE"), "C01", changes)

    assert not PlanItem.objects.exists()


def test_a_plan_action_on_another_jurisdiction_is_refused(sa_round: Round, make_user: Any) -> None:
    focal_point = make_user("fp", "focal_point", "KE")
    se = place("SE")

    for attempt in (
        lambda: actions.update_plan_item(
            sa_round, se, "C04", {"owner": "x"}, acting_user=focal_point
        ),
        lambda: actions.drop_plan_item(sa_round, se, "C04", acting_user=focal_point),
        lambda: actions.add_plan_item(sa_round, se, "C04", acting_user=focal_point),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert not PlanItem.objects.exists()


def test_a_phase_at_4_gets_no_item_and_cannot_be_added(sa_round: Round) -> None:
    plan = service.plan_for(sa_round, place("SE")).to_json()

    assert "C01" not in [item["capability"] for item in plan["items"]]
    with pytest.raises(MnrError, match="phase 4 already"):
        actions.add_plan_item(sa_round, place("SE"), "C01")


# --- progress ---------------------------------------------------------------------------------


def test_progress_follows_the_phase_across_rounds(sa_round: Round) -> None:
    self_assessment_round("sa-2028", {"KE": {"": {"C01": 3, "C03": 2}}})

    shown = json.loads(
        mnr("progress", "--jurisdiction", "KE", "--rounds", "sa-2026,sa-2028", "--format", "json")
    )

    assert shown["rounds"] == ["sa-2026", "sa-2028"]
    rows = {row["capability"]: row for row in shown["capabilities"]}
    assert rows["C01"] == {"capability": "C01", "phases": {"sa-2026": 2, "sa-2028": 3}, "change": 1}
    assert rows["C03"]["change"] == 1  # lower median 1, then 2
    assert rows["C04"] == {
        "capability": "C04",
        "phases": {"sa-2026": 1, "sa-2028": None},
        "change": None,
    }
    table = mnr("progress", "--jurisdiction", "KE", "--rounds", "sa-2026,sa-2028")
    assert "C01" in table and "+1" in table


def test_progress_needs_two_rounds(sa_round: Round) -> None:
    assert "at least two" in refused("progress", "--jurisdiction", "KE", "--rounds", "sa-2026")
    assert "more than once" in refused(
        "progress", "--jurisdiction", "KE", "--rounds", "sa-2026,sa-2026"
    )


# --- phases arriving in files -----------------------------------------------------------------


def _import(tmp_path: Any, round_code: str, *rows: str) -> str:
    path = tmp_path / "phases.csv"
    path.write_text(
        "round,jurisdiction,channel,question,answer,comment,evidence_url,respondent,confidence\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    return mnr("import", str(path), "--round", round_code)


def test_phases_with_confidence_and_evidence_import_per_respondent(
    sa_round: Round, tmp_path: Any
) -> None:
    _import(
        tmp_path,
        "sa-2026",
        "sa-2026,SE,government,C01.status,yes,,,police,",
        "sa-2026,SE,government,C01.phase,2,Annual report 2025,https://example.org/r,police,high",
    )

    row = by_unit(data.round_maturity(sa_round).to_json())[("SE", "C01")]
    assert (row["computed_phase"], row["respondents"], row["range"]) == (2, 2, 2)
    police = next(a for a in data.phase_answers(sa_round, ["SE"]) if a.respondent == "police")
    assert (police.confidence, police.evidence, police.evidence_url) == (
        "high",
        "Annual report 2025",
        "https://example.org/r",
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        # A capability the instrument does not have.
        ("sa-2026,SE,government,C99.phase,2,evidence,,,", "C99.phase"),
        ("sa-2026,SE,government,C01.phase,5,,,,", "5"),
        ("sa-2026,SE,government,C01.phase,2,,,,certain", "certain"),
        ("sa-2026,SE,government,C01.phase,2,,,Police!,", "Police!"),
    ],
)
def test_bad_phase_rows_are_refused_with_their_place_and_nothing_is_written(
    sa_round: Round, tmp_path: Any, row: str, message: str
) -> None:
    before = data.round_maturity(sa_round).to_json()
    path = tmp_path / "bad.csv"
    path.write_text(
        "round,jurisdiction,channel,question,answer,comment,evidence_url,respondent,confidence\n"
        + row
        + "\n",
        encoding="utf-8",
    )

    error = refused("import", str(path), "--round", "sa-2026")

    assert "row 2" in error and message in error
    assert data.round_maturity(sa_round).to_json() == before


def test_phases_for_a_round_that_asks_none_are_refused(review_round: Round, tmp_path: Any) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "round,jurisdiction,channel,question,answer,comment,evidence_url\n"
        "test-2021,KE,government,C01.phase,2,evidence for a phase nobody asked,\n",
        encoding="utf-8",
    )

    error = refused("import", str(path), "--round", "test-2021")

    assert "C01.phase" in error
