"""Several respondents per jurisdiction: their submissions, names, roles and the confidence in a
phase answer, through the actions that write them."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from tests.submissions import events, last_event

from mnr.accounts.actions import assign_role
from mnr.accounts.models import Role, RoleAssignment
from mnr.errors import MnrError
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Answer, AnswerChange, Round, Submission

pytestmark = pytest.mark.django_db


def kenya() -> Jurisdiction:
    return Jurisdiction.objects.get(code="KE")


def open_kenya(round_: Round, respondent: str = "", **options: Any) -> Submission:
    return actions.open_submission(
        round_, kenya(), "government", respondent=respondent, source="test", **options
    )


@pytest.fixture
def assessment(db: Any) -> Round:
    """A self-assessment round (phase questions) with Kenya and Sweden taking part."""
    round_ = actions.create_round("assess-2024", instrument="mnr-2016-self-assessment")
    actions.add_participants(round_, ["KE", "SE"])
    return round_


# --- Submissions per respondent --------------------------------------------------------------


def test_a_submission_without_a_respondent_is_the_leads(review_round: Round) -> None:
    lead = open_kenya(review_round)
    assert (lead.respondent, lead.respondent_name) == ("", "")
    assert lead.is_lead
    assert lead.respondent_label == "Lead respondent"
    assert str(lead) == "test-2021 KE government"


def test_each_respondent_has_its_own_submission_next_to_the_leads(review_round: Round) -> None:
    lead = open_kenya(review_round)
    police = open_kenya(review_round, "police", respondent_name="National Police (synthetic)")
    assert police.pk != lead.pk
    assert not police.is_lead
    assert police.respondent_label == "National Police (synthetic)"
    assert str(police) == "test-2021 KE government police"
    assert open_kenya(review_round, "police") == police
    assert open_kenya(review_round) == lead
    assert last_event("submission.create", police).detail == {}


def test_a_respondent_without_a_name_is_shown_by_its_code(review_round: Round) -> None:
    assert open_kenya(review_round, "justice").respondent_label == "justice"


def test_the_lead_comes_first_then_respondents_by_code(review_round: Round) -> None:
    for respondent in ("police", "", "civil_society"):
        open_kenya(review_round, respondent)
    listed = Submission.objects.filter(round=review_round).values_list("respondent", flat=True)
    assert list(listed) == ["", "civil_society", "police"]


def test_the_database_keeps_one_submission_per_respondent(review_round: Round) -> None:
    open_kenya(review_round, "police")
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            round=review_round, jurisdiction=kenya(), channel="government", respondent="police"
        )


@pytest.mark.parametrize(
    ("respondent", "said"),
    [
        ("Police", "respondent 'Police' is not a respondent code: use lower-case letters"),
        ("civil society", "(did you mean 'civil_society'?)"),
        ("_police", "starting with a letter or digit"),
        ("p" * 61, "it is 61 characters long; at most 60 are allowed"),
    ],
)
def test_a_respondent_that_is_not_a_code_is_refused_and_nothing_written(
    review_round: Round, respondent: str, said: str
) -> None:
    with pytest.raises(MnrError, match="not a respondent code") as refused:
        open_kenya(review_round, respondent)
    assert said in str(refused.value)
    assert not Submission.objects.exists()


def test_a_new_name_renames_the_respondent_and_is_recorded(review_round: Round) -> None:
    police = open_kenya(review_round, "police", respondent_name="Police")
    renamed = open_kenya(review_round, "police", respondent_name="National Police")
    assert renamed.pk == police.pk
    police.refresh_from_db()
    assert police.respondent_name == "National Police"
    assert last_event("submission.rename", police).detail == {
        "old": "Police",
        "new": "National Police",
    }
    # Opening it again without a name keeps the name and records nothing.
    open_kenya(review_round, "police")
    police.refresh_from_db()
    assert police.respondent_name == "National Police"
    assert len(events("submission.rename", police)) == 1


def test_a_name_longer_than_200_characters_is_refused(review_round: Round) -> None:
    with pytest.raises(MnrError, match="at most 200 characters"):
        open_kenya(review_round, "police", respondent_name="x" * 201)
    assert not Submission.objects.exists()


def test_opening_an_existing_submission_needs_the_same_permission_as_creating_it(
    review_round: Round, personas: dict[str, Any]
) -> None:
    lead = open_kenya(review_round)
    for persona in ("other_focal_point", "reviewer"):
        with pytest.raises(PermissionDenied):
            actions.open_submission(
                review_round, kenya(), "government", acting_user=personas[persona]
            )
    kenya_focal_point = personas["focal_point"]
    opened = actions.open_submission(
        review_round, kenya(), "government", acting_user=kenya_focal_point
    )
    assert opened == lead


def test_a_respondents_focal_point_opens_only_that_respondents_submission(
    review_round: Round, make_user: Any
) -> None:
    police_focal_point = make_user("focal-ke-police")
    assign_role(
        police_focal_point, Role.FOCAL_POINT, jurisdiction=kenya(), respondent="police"
    )
    police = actions.open_submission(
        review_round, kenya(), "government", respondent="police", acting_user=police_focal_point
    )
    assert police.respondent == "police"
    for respondent in ("", "justice"):
        with pytest.raises(PermissionDenied):
            actions.open_submission(
                review_round,
                kenya(),
                "government",
                respondent=respondent,
                acting_user=police_focal_point,
            )
    assert list(Submission.objects.values_list("respondent", flat=True)) == ["police"]


# --- Confidence in a phase answer ------------------------------------------------------------


def test_confidence_is_saved_with_a_phase_answer_and_kept_in_its_history(
    assessment: Round,
) -> None:
    lead = open_kenya(assessment)
    given = {
        "C01.status": AnswerInput(value="partial"),
        "C01.phase": AnswerInput(
            value="2",
            confidence="medium",
            comment="Synthetic: a national strategy is drafted.",
            evidence_url="https://example.org/strategy",
        ),
    }
    assert actions.save_answers(lead, given, source="test") == 5
    phase = Answer.objects.get(submission=lead, question__code="C01.phase")
    assert (phase.value, phase.confidence, phase.version) == ("2", "medium", 1)

    changed = actions.save_answers(
        lead, {"C01.phase": AnswerInput(confidence="high", expected_version=1)}, source="test"
    )
    assert changed == 1
    phase.refresh_from_db()
    assert (phase.confidence, phase.version) == ("high", 2)
    history = AnswerChange.objects.filter(answer=phase, field="confidence")
    assert [(c.old, c.new) for c in history] == [("", "medium"), ("medium", "high")]
    assert last_event("answers.save", lead).detail["versions"] == {"C01.phase": 2}


def test_the_same_confidence_again_changes_nothing(assessment: Round) -> None:
    lead = open_kenya(assessment)
    given = {"C01.phase": AnswerInput(value="3", confidence="low")}
    actions.save_answers(lead, given, source="test")
    assert actions.save_answers(lead, given, source="test") == 0


def test_a_confidence_on_a_question_that_is_not_a_phase_is_refused(assessment: Round) -> None:
    lead = open_kenya(assessment)
    with pytest.raises(MnrError) as refused:
        actions.save_answers(
            lead, {"C01.status": AnswerInput(value="yes", confidence="high")}, source="test"
        )
    assert str(refused.value) == (
        "C01.status: a confidence level is given for phase questions only; "
        "C01.status is a select_one question"
    )
    assert not Answer.objects.exists()


def test_a_confidence_that_is_not_a_level_is_refused(assessment: Round) -> None:
    lead = open_kenya(assessment)
    with pytest.raises(MnrError, match="confidence 'sure' is not one of low, medium, high"):
        actions.save_answers(
            lead, {"C01.phase": AnswerInput(value="2", confidence="sure")}, source="test"
        )
    assert not Answer.objects.exists()


def test_a_blank_confidence_is_fine_on_any_question(assessment: Round) -> None:
    lead = open_kenya(assessment)
    given = {"C01.status": AnswerInput(value="yes", confidence="")}
    assert actions.save_answers(lead, given, source="test") == 1


# --- Focal points per respondent -------------------------------------------------------------


def test_a_focal_point_may_be_limited_to_one_respondent(make_user: Any) -> None:
    person = make_user("focal-police")
    assignment = assign_role(
        person, Role.FOCAL_POINT, jurisdiction=kenya(), respondent="police", source="test"
    )
    assert assignment.respondent == "police"
    assert last_event("role.assign", assignment).detail["respondent"] == "police"
    lead = assign_role(person, Role.FOCAL_POINT, jurisdiction=kenya(), source="test")
    assert lead.pk != assignment.pk
    again = assign_role(
        person, Role.FOCAL_POINT, jurisdiction=kenya(), respondent="police", source="test"
    )
    assert again.pk == assignment.pk


def test_only_a_focal_point_has_a_respondent(make_user: Any) -> None:
    person = make_user("reviewer-police")
    with pytest.raises(MnrError, match="only a focal point answers for one respondent"):
        assign_role(person, Role.REVIEWER, jurisdiction=kenya(), respondent="police")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=person, role=Role.REVIEWER, respondent="police")
    assert not RoleAssignment.objects.filter(user=person).exists()


def test_a_role_for_a_respondent_that_is_not_a_code_is_refused(make_user: Any) -> None:
    person = make_user("focal-bad")
    with pytest.raises(MnrError, match="respondent 'Police Force' is not a respondent code"):
        assign_role(person, Role.FOCAL_POINT, jurisdiction=kenya(), respondent="Police Force")
    assert not RoleAssignment.objects.filter(user=person).exists()


def test_the_role_command_grants_a_focal_point_for_one_respondent(make_user: Any) -> None:
    person = make_user("focal-cli")
    out = StringIO()
    call_command(
        "role",
        "grant",
        "focal-cli",
        "focal_point",
        "--jurisdiction",
        "KEN",
        "--respondent",
        "police",
        stdout=out,
    )
    assert out.getvalue().strip() == "focal-cli is focal_point for respondent police"
    assignment = RoleAssignment.objects.get(user=person)
    assert (assignment.jurisdiction.code, assignment.respondent) == ("KE", "police")
    listing = StringIO()
    call_command("role", "list", stdout=listing)
    assert any(
        line.split() == ["focal-cli", "focal_point", "KE", "*", "police"]
        for line in listing.getvalue().splitlines()
    )


def test_the_review_command_names_a_respondents_submission(review_round: Round) -> None:
    lead = open_kenya(review_round)
    police = open_kenya(review_round, "police")
    for submission in (lead, police):
        actions.submit(submission, source="test", allow_missing=True)
    out = StringIO()
    call_command(
        "review",
        "validate",
        "--round",
        "test-2021",
        "--jurisdiction",
        "KE",
        "--channel",
        "government",
        "--respondent",
        "police",
        stdout=out,
    )
    assert out.getvalue().strip() == "test-2021 KE government police is now validated"
    lead.refresh_from_db()
    police.refresh_from_db()
    assert (lead.status, police.status) == ("submitted", "validated")
    with pytest.raises(CommandError, match="through government by respondent 'justice'"):
        call_command(
            "review",
            "return",
            "--round",
            "test-2021",
            "--jurisdiction",
            "KE",
            "--channel",
            "government",
            "--respondent",
            "justice",
            "--comment",
            "x",
        )
