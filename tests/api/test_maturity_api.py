"""Maturity in the API: consolidated phases by code, the profile as the CLI gives it,
overrides, consent, consenting peers only, and progress."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from tests.maturity import self_assessment_round

from mnr.audit.models import AuditEvent
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import actions
from mnr.maturity.models import Consent, PhaseOverride
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

ROUND = "sa-api"
# Kenya is the lowest on C01 and C03, so Sweden and England and Wales are its possible peers.
PHASES = {
    "KE": {"": {"C01": 1, "C03": 1, "C12": 3}, "police": {"C01": 3, "C03": 2}},
    "SE": {"": {"C01": 3, "C03": 2}},
    "GB-EAW": {"": {"C01": 4}},
}
KE = f"/rounds/{ROUND}/jurisdictions/KE"


@pytest.fixture
def assessment(personas: dict[str, Any]) -> Round:
    return self_assessment_round(ROUND, PHASES)


def place(code: str) -> Jurisdiction:
    return Jurisdiction.objects.get(code=code)


# --- consolidated phases ----------------------------------------------------------------------


def test_round_maturity_lists_jurisdictions_by_code_with_agreement(
    api: Any, assessment: Round
) -> None:
    body = api.get(f"/rounds/{ROUND}/maturity", as_="analyst").json()
    codes = [row["jurisdiction"] for row in body["jurisdictions"]]
    assert codes == sorted(codes) == ["GB-EAW", "KE", "SE"]
    kenya = next(row for row in body["jurisdictions"] if row["jurisdiction"] == "KE")
    c01 = next(row for row in kenya["capabilities"] if row["capability"] == "C01")
    assert (c01["computed_phase"], c01["respondents"], c01["range"]) == (1, 2, 2)
    assert set(body["agreement"]) == {"overall", "capabilities"}


def test_focal_point_sees_only_its_own_jurisdiction(api: Any, assessment: Round) -> None:
    body = api.get(f"/rounds/{ROUND}/maturity", as_="focal_point").json()
    assert [row["jurisdiction"] for row in body["jurisdictions"]] == ["KE"]
    other = api.get(f"/rounds/{ROUND}/maturity", as_="other_focal_point").json()
    assert [row["jurisdiction"] for row in other["jurisdictions"]] == ["SE"]


def test_round_without_phases_is_refused_clearly(api: Any, review_round: Round) -> None:
    response = api.get(f"/rounds/{review_round.code}/maturity", as_="analyst")
    assert response.status_code == 400
    assert "phase" in response.json()["error"]["message"]


# --- the profile ------------------------------------------------------------------------------


@pytest.mark.parametrize("group", [None, "income-group"])
def test_profile_is_what_the_cli_prints(api: Any, assessment: Round, group: str | None) -> None:
    query = "?lang=fr" + (f"&group={group}" if group else "")
    response = api.get(f"{KE}/profile{query}", as_="focal_point")
    assert response.status_code == 200, response.content
    out = StringIO()
    arguments = ["--round", ROUND, "--jurisdiction", "KE", "--format", "json", "--lang", "fr"]
    call_command("profile", *arguments, *(["--group", group] if group else []), stdout=out)
    assert response.json() == json.loads(out.getvalue())
    if group:
        assert response.json()["group"]["by"] == "income-group"


def test_profile_with_unknown_group_or_language_names_the_parameter(
    api: Any, assessment: Round
) -> None:
    for query, field in (("group=continent", "query.group"), ("lang=de", "query.lang")):
        response = api.get(f"{KE}/profile?{query}", as_="focal_point")
        assert response.status_code == 422
        assert field in [d["field"] for d in response.json()["error"]["details"]]


# --- overrides --------------------------------------------------------------------------------


def test_reviewer_overrides_and_withdraws(
    api: Any, assessment: Round, personas: dict[str, Any]
) -> None:
    response = api.post(
        f"{KE}/overrides",
        as_="reviewer",
        body={"capability": "C01", "phase": 3, "reason": "Seen in the files."},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["phase"], body["computed_phase"], body["by"]) == (3, 1, "reviewer")
    assert body["consolidated"]["phase"] == 3
    event = AuditEvent.objects.get(verb="maturity.override")
    assert (event.source, event.actor) == ("api", personas["reviewer"])
    withdrawn = api.post(
        f"{KE}/overrides",
        as_="reviewer",
        body={"capability": "C01", "withdraw": True, "reason": "Read again."},
    )
    assert withdrawn.status_code == 201, withdrawn.content
    assert withdrawn.json()["consolidated"]["phase"] == 1
    assert AuditEvent.objects.get(verb="maturity.override_withdrawn").source == "api"


@pytest.mark.parametrize(
    ("body", "status", "said"),
    [
        ({"capability": "C01", "phase": 7, "reason": "r"}, 422, "body.payload.phase"),
        ({"capability": "C01", "reason": "r"}, 422, "body.payload.phase"),
        ({"capability": "C01", "phase": 2, "withdraw": True, "reason": "r"}, 422, "phase"),
        ({"capability": "C99", "phase": 2, "reason": "r"}, 400, "C99"),
        ({"capability": "C01", "phase": 2, "reason": "  "}, 400, "reason"),
        ({"capability": "C01", "withdraw": True, "reason": "r"}, 400, "no override"),
    ],
)
def test_bad_override_is_refused_naming_what_and_writes_nothing(
    api: Any, assessment: Round, body: dict[str, Any], status: int, said: str
) -> None:
    response = api.post(f"{KE}/overrides", as_="reviewer", body=body)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert said in error["message"] + " ".join(str(d["field"]) for d in error["details"])
    assert not PhaseOverride.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="maturity.").exists()


# --- consent and peers ------------------------------------------------------------------------


def test_consent_is_recorded_with_who_and_when(
    api: Any, assessment: Round, personas: dict[str, Any]
) -> None:
    before = api.get(f"{KE}/consent", as_="focal_point").json()
    assert (before["peer_exchange"], before["by"], before["may_set"]) == (None, None, True)
    response = api.put(f"{KE}/consent", as_="focal_point", body={"peer_exchange": True})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["peer_exchange"], body["by"]) == (True, "focal-ke")
    assert body["at"] is not None
    event = AuditEvent.objects.get(verb="maturity.consent")
    assert (event.source, event.actor, event.detail["peer_exchange"]) == (
        "api",
        personas["focal_point"],
        True,
    )
    assert api.get(f"{KE}/consent", as_="reviewer").json()["may_set"] is False


def test_consent_must_be_true_or_false(api: Any, assessment: Round) -> None:
    for given in ("maybe", None, 1):
        response = api.put(f"{KE}/consent", as_="focal_point", body={"peer_exchange": given})
        assert response.status_code == 422, response.content
        fields = [d["field"] for d in response.json()["error"]["details"]]
        assert "body.payload.peer_exchange" in fields
    assert not Consent.objects.exists()


def test_peers_are_only_those_that_consented(api: Any, assessment: Round) -> None:
    def peers() -> list[str]:
        response = api.get(f"{KE}/peers?capability=C01", as_="focal_point")
        assert response.status_code == 200, response.content
        return [peer["jurisdiction"] for peer in response.json()["items"]]

    assert peers() == []
    actions.set_consent(assessment, place("SE"), True, source="test")
    assert peers() == ["SE"]
    actions.set_consent(assessment, place("GB-EAW"), True, source="test")
    assert peers() == ["GB-EAW", "SE"]  # by code, never by phase
    actions.set_consent(assessment, place("SE"), False, source="test")
    assert peers() == ["GB-EAW"]


def test_peers_need_a_known_capability(api: Any, assessment: Round) -> None:
    missing = api.get(f"{KE}/peers", as_="focal_point")
    assert missing.status_code == 422
    assert "query.capability" in [d["field"] for d in missing.json()["error"]["details"]]
    unknown = api.get(f"{KE}/peers?capability=C99", as_="focal_point")
    assert unknown.status_code == 400 and "C99" in unknown.json()["error"]["message"]


# --- progress ---------------------------------------------------------------------------------


def test_progress_across_rounds(api: Any, assessment: Round) -> None:
    self_assessment_round("sa-api-later", {"KE": {"": {"C01": 3, "C03": 1}}}, participants=["KE"])
    response = api.get(f"/jurisdictions/KE/progress?rounds={ROUND},sa-api-later", as_="focal_point")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rounds"] == [ROUND, "sa-api-later"]
    c01 = next(row for row in body["capabilities"] if row["capability"] == "C01")
    assert c01["phases"] == {ROUND: 1, "sa-api-later": 3}
    assert c01["change"] == 2


@pytest.mark.parametrize("rounds", [ROUND, f"{ROUND},{ROUND}", ""])
def test_progress_needs_two_different_rounds(api: Any, assessment: Round, rounds: str) -> None:
    response = api.get(f"/jurisdictions/KE/progress?rounds={rounds}", as_="analyst")
    assert response.status_code == 422, response.content
    assert "query.rounds" in [d["field"] for d in response.json()["error"]["details"]]
