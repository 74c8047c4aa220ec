"""Round lifecycle, review locks and four eyes, through the action functions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from tests.submissions import events, in_state, last_event, opened, required_answers

from mnr.errors import MnrError
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Answer, AnswerChange, Participation, Round, Submission

pytestmark = pytest.mark.django_db

FROZEN = [Round.Status.CLOSED, Round.Status.PUBLISHED]


def set_status(round_: Round, status: str) -> Round:
    return actions.set_round_status(round_, status, source="test")


# --- Round lifecycle --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Round.Status.DRAFT, Round.Status.OPEN])
def test_draft_and_open_rounds_take_answers_and_submissions(
    review_round: Round, personas: dict[str, Any], status: str
) -> None:
    set_status(review_round, status)
    kenya = opened(review_round, "KE")
    focal_point = personas["focal_point"]
    assert kenya.editable
    actions.save_answers(kenya, required_answers(kenya), acting_user=focal_point)
    actions.submit(kenya, acting_user=focal_point)
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.SUBMITTED


@pytest.mark.parametrize("status", FROZEN)
@pytest.mark.parametrize("who", ["operator", "focal_point", "administrator"])
def test_saves_into_a_closed_or_published_round_are_refused_for_everyone(
    review_round: Round, personas: dict[str, Any], status: str, who: str
) -> None:
    kenya = opened(review_round, "KE")
    actions.save_answers(kenya, {"C01.status": AnswerInput(value="no")}, source="test")
    set_status(review_round, status)
    user = None if who == "operator" else personas[who]
    history = AnswerChange.objects.count()

    with pytest.raises(MnrError, match=rf"round test-2021 is {status}: changes to its answers"):
        actions.save_answers(kenya, {"C01.status": AnswerInput(value="yes")}, acting_user=user)

    assert Answer.objects.get(submission=kenya).value == "no"
    assert AnswerChange.objects.count() == history
    kenya.refresh_from_db()
    assert not kenya.editable


@pytest.mark.parametrize("status", FROZEN)
def test_submits_into_a_closed_or_published_round_are_refused(
    review_round: Round, personas: dict[str, Any], status: str
) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.DRAFT)
    set_status(review_round, status)
    for user in (None, personas["focal_point"]):
        with pytest.raises(MnrError, match=rf"is {status}: submissions are refused"):
            actions.submit(kenya, acting_user=user, allow_missing=user is None)
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.DRAFT
    assert not events("submission.submitted", kenya)


@pytest.mark.parametrize("status", FROZEN)
def test_no_submission_is_opened_in_a_closed_or_published_round(
    review_round: Round, status: str
) -> None:
    set_status(review_round, status)
    with pytest.raises(MnrError, match=rf"round test-2021 is {status}: answers are refused"):
        opened(review_round, "SE")
    assert not Submission.objects.exists()


@pytest.mark.parametrize("status", FROZEN)
def test_no_participant_is_added_to_a_closed_or_published_round(
    review_round: Round, status: str
) -> None:
    set_status(review_round, status)
    before = set(Participation.objects.values_list("jurisdiction__code", flat=True))
    recorded = len(events("round.add_participants", review_round))
    with pytest.raises(MnrError, match=rf"is {status}: new participants are refused"):
        actions.add_participants(review_round, ["NG"], source="test")
    assert set(Participation.objects.values_list("jurisdiction__code", flat=True)) == before
    assert len(events("round.add_participants", review_round)) == recorded


def test_a_reopened_round_takes_answers_again(review_round: Round) -> None:
    kenya = opened(review_round, "KE")
    set_status(review_round, Round.Status.CLOSED)
    with pytest.raises(MnrError, match="mnr round status test-2021 open"):
        actions.save_answers(kenya, {"C01.status": AnswerInput(value="yes")}, source="test")
    set_status(review_round, Round.Status.OPEN)
    changed = actions.save_answers(kenya, {"C01.status": AnswerInput(value="yes")}, source="test")
    assert changed == 1


# --- Review locks hold for the operator too ---------------------------------------------------


@pytest.mark.parametrize("status", [Submission.Status.SUBMITTED, Submission.Status.VALIDATED])
def test_the_operator_cannot_change_a_submitted_or_validated_submission(
    review_round: Round, status: str
) -> None:
    kenya = in_state(review_round, "KE", status)
    with pytest.raises(MnrError, match=f"is {status}; it can be changed again only after"):
        actions.save_answers(kenya, {"C01.status": AnswerInput(value="no")}, source="cli")
    assert Answer.objects.get(submission=kenya, question__code="C01.status").value == "yes"


def test_a_validated_submission_takes_no_amendment_either(review_round: Round) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.VALIDATED)
    with pytest.raises(MnrError, match="is validated"):
        actions.save_answers(
            kenya, {"C01.status": AnswerInput(value="no")}, source="import", amend_submitted=True
        )


def test_an_amendment_to_a_submitted_submission_is_flagged_for_its_reviewer(
    review_round: Round, personas: dict[str, Any]
) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.SUBMITTED)
    assert not kenya.changed_since_submitted

    changed = actions.save_answers(
        kenya, {"C01.status": AnswerInput(value="no")}, source="import", amend_submitted=True
    )

    kenya.refresh_from_db()
    assert changed == 1
    assert kenya.status == Submission.Status.SUBMITTED
    assert kenya.changed_since_submitted
    assert kenya.changed_since_submitted_at is not None
    event = last_event("answers.save", kenya)
    assert (event.actor, event.source, event.detail["changed_since_submitted"]) == (
        None,
        "import",
        True,
    )

    actions.validate(kenya, acting_user=personas["reviewer"], source="web")

    kenya.refresh_from_db()
    assert not kenya.changed_since_submitted
    validated = last_event("submission.validated", kenya)
    assert (validated.actor, validated.source) == (personas["reviewer"], "web")
    assert "changed_since_submitted_at" in validated.detail


def test_an_amendment_that_changes_nothing_does_not_flag(review_round: Round) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.SUBMITTED)
    same = {"C01.status": AnswerInput(value="yes")}
    assert actions.save_answers(kenya, same, source="import", amend_submitted=True) == 0
    kenya.refresh_from_db()
    assert not kenya.changed_since_submitted


def test_returning_clears_the_flag(review_round: Round, personas: dict[str, Any]) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.SUBMITTED)
    actions.save_answers(
        kenya, {"C02.status": AnswerInput(value="no")}, source="import", amend_submitted=True
    )
    actions.return_for_changes(kenya, "C02 changed: why?", acting_user=personas["reviewer"])
    kenya.refresh_from_db()
    assert (kenya.status, kenya.changed_since_submitted) == (Submission.Status.RETURNED, False)
    event = last_event("submission.returned", kenya)
    assert (event.actor, event.detail["comment"]) == (personas["reviewer"], "C02 changed: why?")


# --- Four eyes --------------------------------------------------------------------------------


def test_nobody_validates_a_submission_whose_answers_they_changed(
    review_round: Round, personas: dict[str, Any]
) -> None:
    administrator = personas["administrator"]
    kenya = opened(review_round, "KE")
    actions.save_answers(kenya, required_answers(kenya), source="test")
    actions.save_answers(
        kenya, {"C01.status": AnswerInput(value="partial")}, acting_user=administrator
    )
    actions.submit(kenya, acting_user=personas["focal_point"])

    with pytest.raises(MnrError, match=r"you changed answers of submission .*four eyes"):
        actions.validate(kenya, acting_user=administrator)

    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.SUBMITTED
    assert not events("submission.validated", kenya)
    actions.validate(kenya, acting_user=personas["reviewer"])
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.VALIDATED


def test_nobody_validates_a_submission_they_submitted(
    review_round: Round, personas: dict[str, Any]
) -> None:
    administrator = personas["administrator"]
    kenya = opened(review_round, "KE")
    actions.save_answers(kenya, required_answers(kenya), source="test")
    actions.submit(kenya, acting_user=administrator)
    with pytest.raises(MnrError, match=r"you submitted submission .*another reviewer must"):
        actions.validate(kenya, acting_user=administrator)
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.SUBMITTED


def test_a_reviewer_may_validate_after_editing_another_submission(
    review_round: Round, personas: dict[str, Any]
) -> None:
    administrator = personas["administrator"]
    sweden = opened(review_round, "SE")
    actions.save_answers(sweden, {"C01.status": AnswerInput(value="no")}, acting_user=administrator)
    kenya = in_state(review_round, "KE", Submission.Status.SUBMITTED)
    actions.validate(kenya, acting_user=administrator)
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.VALIDATED


def test_returning_your_own_work_is_allowed(review_round: Round, personas: dict[str, Any]) -> None:
    administrator = personas["administrator"]
    kenya = in_state(review_round, "KE", Submission.Status.SUBMITTED, by=administrator)
    actions.return_for_changes(kenya, "I mistyped C01", acting_user=administrator)
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.RETURNED


def test_the_operator_validates_and_is_recorded_as_no_user(review_round: Round) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.SUBMITTED)
    actions.validate(kenya, comment="checked by phone", source="cli")
    transition = kenya.transitions.get(to_status=Submission.Status.VALIDATED)
    assert (transition.by, transition.comment) == (None, "checked by phone")
    event = last_event("submission.validated", kenya)
    assert (event.actor, event.source, event.detail["from_status"]) == (None, "cli", "submitted")


def test_a_focal_point_still_cannot_validate(review_round: Round, personas: dict[str, Any]) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.SUBMITTED)
    with pytest.raises(PermissionDenied):
        actions.validate(kenya, acting_user=personas["focal_point"])
