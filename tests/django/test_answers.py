from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from mnr.errors import MnrError
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import AnswerChange, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def kenya(review_round: Any) -> Submission:
    return actions.open_submission(
        review_round, Jurisdiction.objects.get(code="KE"), "unicef_country_office"
    )


def test_every_change_is_kept_with_who_when_old_and_new(
    kenya: Submission, personas: dict[str, Any]
) -> None:
    focal_point = personas["focal_point"]
    actions.save_answers(
        kenya, {"C01.status": AnswerInput(value="partial")}, acting_user=focal_point
    )
    actions.save_answers(
        kenya,
        {"C01.status": AnswerInput(value="yes", comment="strategy adopted")},
        acting_user=focal_point,
    )
    changes = list(
        AnswerChange.objects.filter(answer__submission=kenya).values_list("field", "old", "new")
    )
    assert changes == [
        ("value", "", "partial"),
        ("value", "partial", "yes"),
        ("comment", "", "strategy adopted"),
    ]
    assert all(c.changed_by == focal_point for c in AnswerChange.objects.all())


def test_saving_the_same_answer_again_records_nothing(kenya: Submission) -> None:
    assert actions.save_answers(kenya, {"C02.status": AnswerInput(value="no")}, source="test") == 1
    assert actions.save_answers(kenya, {"C02.status": AnswerInput(value="no")}, source="test") == 0
    assert AnswerChange.objects.count() == 1


def test_answer_not_among_the_choices_is_refused_and_nothing_saved(kenya: Submission) -> None:
    with pytest.raises(MnrError, match=r"'maybe' is not among the choices of C04\.status"):
        actions.save_answers(
            kenya,
            {"C01.status": AnswerInput(value="yes"), "C04.status": AnswerInput(value="maybe")},
            source="test",
        )
    assert not kenya.answers.exists()


def test_question_not_asked_of_the_channel_is_refused(review_round: Any) -> None:
    sweden = actions.open_submission(
        review_round, Jurisdiction.objects.get(code="SE"), "government"
    )
    not_asked = r"C03\.laws_adequate is not asked through channel government"
    with pytest.raises(MnrError, match=not_asked):
        actions.save_answers(sweden, {"C03.laws_adequate": AnswerInput(value="no")}, source="test")


def test_focal_point_cannot_answer_for_another_jurisdiction(
    kenya: Submission, personas: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied):
        actions.save_answers(
            kenya,
            {"C01.status": AnswerInput(value="yes")},
            acting_user=personas["other_focal_point"],
        )


def test_review_workflow_locks_a_validated_submission_until_an_analyst_reopens_it(
    kenya: Submission, personas: dict[str, Any]
) -> None:
    focal_point, reviewer, analyst = (
        personas["focal_point"],
        personas["reviewer"],
        personas["analyst"],
    )
    with pytest.raises(MnrError, match=r"required questions are unanswered: .*C01\.status"):
        actions.submit(kenya, acting_user=focal_point)
    required = kenya.round.instrument.questions.filter(required=True)
    actions.save_answers(
        kenya,
        {q.code: AnswerInput(value="yes") for q in required if q.asked_of(kenya.channel)},
        acting_user=focal_point,
    )
    actions.submit(kenya, acting_user=focal_point)
    with pytest.raises(PermissionDenied):
        actions.validate(kenya, acting_user=focal_point)
    actions.return_for_changes(kenya, "Please add evidence for C11.", acting_user=reviewer)
    actions.save_answers(
        kenya,
        {"C11.status": AnswerInput(evidence_url="https://example.org/helpline")},
        acting_user=focal_point,
    )
    actions.submit(kenya, acting_user=focal_point)
    actions.validate(kenya, acting_user=reviewer)
    with pytest.raises(MnrError, match="is validated"):
        actions.save_answers(
            kenya, {"C11.status": AnswerInput(value="no")}, acting_user=focal_point
        )
    with pytest.raises(PermissionDenied):
        actions.reopen(kenya, "correction", acting_user=reviewer)
    actions.reopen(kenya, "A figure was mistyped.", acting_user=analyst)
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.RETURNED
    assert list(kenya.transitions.values_list("to_status", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "validated",
        "returned",
    ]


def test_returning_without_a_comment_is_refused(kenya: Submission) -> None:
    kenya.status = Submission.Status.SUBMITTED
    kenya.save()
    with pytest.raises(MnrError, match="needs a comment"):
        actions.return_for_changes(kenya, "  ", source="test")
