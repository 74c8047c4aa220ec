"""Maturity pages: who may open and post what (persona x URL), and what the plan, consent,
peers and override pages do with what is posted."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.audit import changed_tables, database_state
from tests.maturity import self_assessment_round

from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import actions
from mnr.maturity.models import Consent, PhaseOverride, PlanItem, PlanItemChange
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

PERSONAS = ("administrator", "analyst", "reviewer", "focal_point", "other_focal_point", "anonymous")
ROUND = "sa-web"
# Kenya has two respondents; every capability is below phase 4, so each is in the proposal.
PHASES = {
    "KE": {"": {"C01": 2, "C03": 1, "C12": 3}, "police": {"C01": 3, "C03": 2}},
    "SE": {"": {"C01": 3, "C03": 2}},
    "GB-EAW": {"": {"C01": 1}},
}


@pytest.fixture
def assessment(personas: dict[str, Any]) -> Round:
    return self_assessment_round(
        ROUND, PHASES, confidence="medium", evidence="Synthetic evidence for the test."
    )


def place(code: str) -> Jurisdiction:
    return Jurisdiction.objects.get(code=code)


def client_for(persona: str, personas: dict[str, Any]) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(personas[persona])
    return client


def url(name: str, *args: str, jurisdiction: str = "KE") -> str:
    if name == "maturity-round":
        return reverse(name, args=[ROUND])
    return reverse(name, args=[ROUND, jurisdiction, *args])


def part(page: str, start: str, end: str) -> str:
    """The page from ``start`` to the first ``end`` after it."""
    begin = page.index(start)
    return page[begin : page.index(end, begin)]


def item_form(**changes: str) -> dict[str, str]:
    return {
        "owner": "Ministry of the Interior",
        "due": "2027-06-30",
        "status": "in_progress",
        "notes": "",
        "target_phase": "3",
        "version": "1",
        **changes,
    }


def dropped_c12(round_: Round) -> None:
    actions.drop_plan_item(round_, place("KE"), "C12", source="test")


def overridden_c01(round_: Round) -> None:
    actions.override_phase(round_, place("KE"), "C01", 3, "The police see more of it.")


# Each row: URL name and its arguments after the round and jurisdiction (Kenya), GET or the
# form posted, and the state the round is put in first.
Request = tuple[str, tuple[str, ...], dict[str, str] | None, Callable[[Round], Any] | None]
REQUESTS: dict[str, Request] = {
    "overview": ("maturity-round", (), None, None),
    "plan": ("maturity-plan", (), None, None),
    "phases": ("maturity-phases", (), None, None),
    "peers": ("maturity-peers", ("C01",), None, None),
    "item": ("maturity-plan-item", ("C01",), item_form(), None),
    "drop": ("maturity-plan-drop", ("C03",), {"version": "1"}, None),
    "add": ("maturity-plan-add", (), {"capability": "C12", "target_phase": "4"}, dropped_c12),
    "consent": ("maturity-consent", (), {"peer_exchange": "yes"}, None),
    "override": ("maturity-override", ("C03",), {"phase": "2", "reason": "In the files."}, None),
    "withdraw": (
        "maturity-override",
        ("C01",),
        {"withdraw": "1", "reason": "The lead's view holds."},
        overridden_c01,
    ),
}
EXPECTED = {
    #             admin analyst reviewer focal other anonymous
    "overview": (200, 200, 200, 302, 302, 404),
    "plan": (200, 200, 200, 200, 404, 404),
    "phases": (200, 200, 200, 200, 404, 404),
    "peers": (200, 200, 200, 200, 404, 404),
    "item": (302, 403, 403, 302, 404, 404),
    "drop": (302, 403, 403, 302, 404, 404),
    "add": (302, 403, 403, 302, 404, 404),
    "consent": (302, 302, 403, 302, 404, 404),
    "override": (302, 403, 302, 403, 404, 404),
    "withdraw": (302, 403, 302, 403, 404, 404),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("request_name", list(REQUESTS))
def test_every_maturity_url_answers_each_persona_as_its_role_allows(
    personas: dict[str, Any], assessment: Round, request_name: str, persona: str
) -> None:
    name, args, form, state = REQUESTS[request_name]
    expected = EXPECTED[request_name][PERSONAS.index(persona)]
    if state:
        state(assessment)
    client = client_for(persona, personas)
    before = database_state()
    response = client.get(url(name, *args)) if form is None else client.post(url(name, *args), form)
    assert response.status_code == expected, response.content[:600]
    if form is not None and expected != 302:
        assert not changed_tables(before, database_state()), "a refused post wrote something"


def test_focal_point_of_another_jurisdiction_changes_nothing_in_kenya_s_plan(
    personas: dict[str, Any], assessment: Round
) -> None:
    sweden = client_for("other_focal_point", personas)
    before = database_state()
    for name, args, form in [
        ("maturity-plan-item", ("C01",), item_form()),
        ("maturity-plan-drop", ("C01",), {"version": "1"}),
        ("maturity-plan-add", (), {"capability": "C01"}),
        ("maturity-consent", (), {"peer_exchange": "yes"}),
    ]:
        assert sweden.post(url(name, *args), form).status_code == 404
    assert not changed_tables(before, database_state())
    assert not PlanItem.objects.exists()


def test_focal_point_cannot_change_another_jurisdiction_s_plan_through_its_own(
    personas: dict[str, Any], assessment: Round
) -> None:
    kenya = client_for("focal_point", personas)
    before = database_state()
    response = kenya.post(url("maturity-plan-item", "C01", jurisdiction="SE"), item_form())
    assert response.status_code == 404
    assert not changed_tables(before, database_state())


def test_consent_by_someone_neither_focal_point_nor_analyst_is_refused(
    personas: dict[str, Any], assessment: Round
) -> None:
    response = client_for("reviewer", personas).post(
        url("maturity-consent"), {"peer_exchange": "yes"}
    )
    assert response.status_code == 403
    assert not Consent.objects.exists()


def test_override_without_reason_is_refused_with_the_message_shown(
    personas: dict[str, Any], assessment: Round
) -> None:
    reviewer = client_for("reviewer", personas)
    before = database_state()
    response = reviewer.post(url("maturity-override", "C01"), {"phase": "3", "reason": "   "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was recorded: reason is required" in page
    assert 'id="phase-C01-phase"' in page  # the form is shown again, for the reason
    assert not changed_tables(before, database_state())
    assert not PhaseOverride.objects.exists()


def test_an_override_is_shown_beside_the_computed_phase(
    personas: dict[str, Any], assessment: Round
) -> None:
    reviewer = client_for("reviewer", personas)
    response = reviewer.post(
        url("maturity-override", "C01"), {"phase": "4", "reason": "Inspection reports show it."}
    )
    assert response.status_code == 302
    page = reviewer.get(url("maturity-phases")).content.decode()
    section = part(page, 'id="phase-C01"', "</section>")
    assert re.search(r"<dt>Phase</dt><dd><strong>4 Maturity</strong> \(override\)", section)
    assert re.search(r"<dt>Computed</dt><dd>2 Developing</dd>", section)
    assert "Overridden to phase 4 by reviewer" in section
    assert "Inspection reports show it." in section
    row = PhaseOverride.objects.get()
    assert (row.phase, row.computed_phase, row.by) == (4, 2, personas["reviewer"])


def test_an_override_of_a_capability_the_round_does_not_ask_says_so(
    personas: dict[str, Any], assessment: Round
) -> None:
    response = client_for("reviewer", personas).post(
        url("maturity-override", "C99"), {"phase": "3", "reason": "A reason."}
    )
    assert response.status_code == 400
    assert "Nothing was recorded: unknown capability" in response.content.decode()
    assert not PhaseOverride.objects.exists()


def test_withdrawing_needs_a_reason_too(personas: dict[str, Any], assessment: Round) -> None:
    overridden_c01(assessment)
    response = client_for("reviewer", personas).post(
        url("maturity-override", "C01"), {"withdraw": "1", "reason": ""}
    )
    assert response.status_code == 400
    assert "Nothing was withdrawn: reason is required" in response.content.decode()
    assert PhaseOverride.objects.count() == 1


def test_phases_page_shows_each_respondent_with_confidence_and_evidence(
    personas: dict[str, Any], assessment: Round
) -> None:
    page = client_for("focal_point", personas).get(url("maturity-phases")).content.decode()
    section = part(page, 'id="phase-C01"', "</section>")
    assert "Lead respondent" in section and "Police" in section
    assert section.count("Medium") == 2
    assert section.count("Synthetic evidence for the test.") == 2
    assert "Override C01" not in section  # a focal point does not override


def test_plan_is_read_only_for_reviewers_and_analysts(
    personas: dict[str, Any], assessment: Round
) -> None:
    for persona in ("reviewer", "analyst"):
        page = client_for(persona, personas).get(url("maturity-plan")).content.decode()
        assert 'name="owner"' not in page
        assert "Only the focal point of Kenya edits it." in page
    page = client_for("focal_point", personas).get(url("maturity-plan")).content.decode()
    assert 'name="owner"' in page and 'name="target_phase"' in page


def test_focal_point_edits_an_item_and_sees_it_with_its_history(
    personas: dict[str, Any], assessment: Round
) -> None:
    kenya = client_for("focal_point", personas)
    response = kenya.post(url("maturity-plan-item", "C01"), item_form(notes="First\r\nSecond"))
    assert response.status_code == 302
    assert response["Location"].endswith("#item-C01")
    row = PlanItem.objects.get(round=assessment, jurisdiction__code="KE", capability="C01")
    assert (row.owner, row.due.isoformat(), row.status, row.notes, row.version) == (
        "Ministry of the Interior",
        "2027-06-30",
        "in_progress",
        "First\nSecond",
        2,
    )
    page = kenya.get(url("maturity-plan")).content.decode()
    item = part(page, 'id="item-C01"', "</li>\n")
    assert 'value="Ministry of the Interior"' in item
    assert 'value="2027-06-30"' in item
    assert '<option value="in_progress" selected>' in item
    assert '<input type="hidden" name="version" value="2">' in item
    assert "History of C01 (4 changes)" in item
    assert re.search(
        r">Status</td>\s*<td[^>]*><span><del>Open</del> → <ins>In progress</ins>", item
    )
    assert "focal-ke" in item


def test_a_stale_version_shows_the_conflict_with_the_values_saved_meanwhile(
    personas: dict[str, Any], assessment: Round
) -> None:
    kenya = client_for("focal_point", personas)
    assert kenya.post(url("maturity-plan-item", "C01"), item_form()).status_code == 302
    response = kenya.post(
        url("maturity-plan-item", "C01"), item_form(owner="Ministry of Justice", status="done")
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Nothing was saved: focal-ke changed C01 while you were editing it" in page
    assert "you read version 1, it is now version 2" in page
    conflict = part(page, 'class="conflict"', "</div>")
    assert "<dd>Ministry of the Interior</dd>" in conflict and "<dd>In progress</dd>" in conflict
    # The user's own values stay in the form, which now saves against the current version.
    assert 'value="Ministry of Justice"' in page
    assert '<input type="hidden" name="version" value="2">' in page
    row = PlanItem.objects.get(capability="C01")
    assert (row.owner, row.status, row.version) == ("Ministry of the Interior", "in_progress", 2)


def test_a_bad_due_date_is_refused_with_its_message_and_nothing_is_written(
    personas: dict[str, Any], assessment: Round
) -> None:
    kenya = client_for("focal_point", personas)
    before = database_state()
    response = kenya.post(url("maturity-plan-item", "C01"), item_form(due="30/06/2027"))
    assert response.status_code == 400
    assert "due date &#x27;30/06/2027&#x27; is not a date" in response.content.decode()
    assert not changed_tables(before, database_state())


def test_a_target_not_above_the_current_phase_is_refused(
    personas: dict[str, Any], assessment: Round
) -> None:
    response = client_for("focal_point", personas).post(
        url("maturity-plan-item", "C01"), item_form(target_phase="2")
    )
    assert response.status_code == 400
    assert not PlanItem.objects.exists()


def test_drop_and_add_back_with_another_target(personas: dict[str, Any], assessment: Round) -> None:
    kenya = client_for("focal_point", personas)
    assert kenya.post(url("maturity-plan-drop", "C03"), {"version": "1"}).status_code == 302
    page = kenya.get(url("maturity-plan")).content.decode()
    assert 'id="item-C03"' not in page
    assert '<option value="C03">C03 Legislation (phase 1 Building)</option>' in page
    assert "Dropped from the plan" in page
    response = kenya.post(url("maturity-plan-add"), {"capability": "C03", "target_phase": "3"})
    assert response.status_code == 302
    row = PlanItem.objects.get(capability="C03")
    assert (row.dropped, row.target_phase) == (False, 3)
    page = kenya.get(url("maturity-plan")).content.decode()
    assert 'id="item-C03"' in page
    assert (
        '<td data-label="Field">Dropped</td>' in page
    )  # its history says it was dropped, then added back


def test_a_change_to_an_item_not_in_the_plan_is_refused_on_the_page(
    personas: dict[str, Any], assessment: Round
) -> None:
    dropped_c12(assessment)
    kenya = client_for("focal_point", personas)
    for capability, message in (("C12", "C12 is not in the action plan"), ("C99", "C99")):
        response = kenya.post(url("maturity-plan-item", capability), item_form())
        assert response.status_code == 400
        page = response.content.decode()
        assert re.search(
            rf'class="message error" role="alert">Nothing was saved: [^<]*{message}', page
        )
    assert not PlanItem.objects.filter(capability="C12", dropped=False).exists()


def test_adding_a_capability_in_the_plan_already_is_refused_on_the_page(
    personas: dict[str, Any], assessment: Round
) -> None:
    response = client_for("focal_point", personas).post(
        url("maturity-plan-add"), {"capability": "C01", "target_phase": ""}
    )
    assert response.status_code == 400
    assert "Nothing was added: C01 is in the action plan of KE already" in response.content.decode()
    assert not PlanItem.objects.exists()


def test_consent_shows_who_set_it_and_when(personas: dict[str, Any], assessment: Round) -> None:
    kenya = client_for("focal_point", personas)
    assert kenya.post(url("maturity-consent"), {"peer_exchange": "yes"}).status_code == 302
    page = kenya.get(url("maturity-plan")).content.decode()
    assert "<strong>Shared.</strong>" in page
    consent = Consent.objects.get()
    assert f"Set by focal-ke on {consent.at:%Y-%m-%d %H:%M} UTC." in page
    assert 'value="yes" checked' in page
    client_for("analyst", personas).post(url("maturity-consent"), {"peer_exchange": "no"})
    page = kenya.get(url("maturity-plan")).content.decode()
    assert "<strong>Not shared.</strong>" in page and "Set by analyst" in page


def test_consent_needs_a_choice(personas: dict[str, Any], assessment: Round) -> None:
    kenya = client_for("focal_point", personas)
    response = kenya.post(url("maturity-consent"), {"peer_exchange": "maybe"}, follow=True)
    assert "Consent not recorded: choose yes or no" in response.content.decode()
    assert not Consent.objects.exists()


def test_peers_are_the_consenting_jurisdictions_at_a_higher_phase(
    personas: dict[str, Any], assessment: Round
) -> None:
    kenya = client_for("focal_point", personas)
    page = kenya.get(url("maturity-plan")).content.decode()
    assert "No other jurisdiction of this round has agreed to share its phases yet." in page
    assert "Learn from peers" not in page
    actions.set_consent(assessment, place("SE"), True)
    actions.set_consent(assessment, place("GB-EAW"), True)  # at phase 1 of C01: no higher
    page = kenya.get(url("maturity-plan")).content.decode()
    assert "Learn from peers about C01" in page
    peers = kenya.get(url("maturity-peers", "C01")).content.decode()
    assert "<td>SE</td><td>Sweden</td><td>phase 3 Established</td>" in peers
    assert "England" not in peers
    actions.set_consent(assessment, place("SE"), False)
    assert "Sweden" not in kenya.get(url("maturity-peers", "C01")).content.decode()


def test_overview_sends_a_focal_point_to_its_own_jurisdiction(
    personas: dict[str, Any], assessment: Round
) -> None:
    for persona, code in (("focal_point", "KE"), ("other_focal_point", "SE")):
        response = client_for(persona, personas).get(url("maturity-round"))
        assert response.status_code == 302
        assert f"/maturity/{code}/" in response["Location"]


def test_a_round_without_phase_questions_has_no_maturity_pages(
    personas: dict[str, Any], review_round: Round
) -> None:
    analyst = client_for("analyst", personas)
    assert analyst.get(reverse("maturity-round", args=[review_round.code])).status_code == 404
    assert analyst.get(reverse("maturity-plan", args=[review_round.code, "KE"])).status_code == 404


def test_round_and_home_pages_link_the_maturity_pages_by_role(
    personas: dict[str, Any], assessment: Round
) -> None:
    overview = url("maturity-round")
    plan = url("maturity-plan")
    for persona, present, absent in [
        ("analyst", overview, plan),
        ("reviewer", overview, plan),
        ("focal_point", plan, overview),
        ("other_focal_point", url("maturity-plan", jurisdiction="SE"), plan),
    ]:
        client = client_for(persona, personas)
        for page in (reverse("round", args=[ROUND]), reverse("home")):
            content = client.get(page).content.decode()
            assert f'href="{present}"' in content, (persona, page)
            assert f'href="{absent}"' not in content, (persona, page)


def test_history_lists_changes_made_at_the_command_line_too(
    personas: dict[str, Any], assessment: Round
) -> None:
    actions.update_plan_item(
        assessment, place("KE"), "C01", {"owner": "Cabinet office"}, source="cli"
    )
    page = client_for("focal_point", personas).get(url("maturity-plan")).content.decode()
    assert re.search(r">operator \(cli\)</td>\s*<td[^>]*>Owner</td>", page)
    assert PlanItemChange.objects.count() == 1
