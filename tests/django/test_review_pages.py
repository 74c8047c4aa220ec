"""Review page: comments per question, the changes made since the last return, and the
confirmation step before a focal point submits."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.submissions import last_event, required_answers

from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import QuestionComment, Submission

pytestmark = pytest.mark.django_db


def client_for(persona: str, personas: dict[str, Any]) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(personas[persona])
    return client


def complete(submission: Submission) -> None:
    actions.save_answers(submission, required_answers(submission), source="test")


def submitted(submission: Submission) -> None:
    complete(submission)
    actions.submit(submission, source="test")


@pytest.fixture
def kenya(review_round: Any, personas: dict[str, Any]) -> Submission:
    return actions.open_submission(review_round, Jurisdiction.objects.get(code="KE"), "government")


def _comment(client: Client, submission: Submission, code: str, body: str) -> Any:
    return client.post(
        reverse("submission-comment", args=[submission.pk]), {"question": code, "body": body}
    )


def test_a_reviewer_comments_on_one_question_and_the_focal_point_sees_it_beside_it(
    personas: dict[str, Any], kenya: Submission
) -> None:
    submitted(kenya)
    reviewer = client_for("reviewer", personas)
    response = _comment(reviewer, kenya, "C11.status", "Which law says so?")
    assert response.status_code == 302
    assert response["Location"].endswith("#q-C11_status")
    comment = QuestionComment.objects.get(submission=kenya)
    assert (comment.question.code, comment.body, comment.by) == (
        "C11.status",
        "Which law says so?",
        personas["reviewer"],
    )
    event = last_event("submission.question_commented", kenya)
    assert event.detail["question"] == "C11.status"

    actions.return_for_changes(kenya, "see the comment on C11", source="test")
    page = client_for("focal_point", personas).get(
        reverse("submission", args=[kenya.pk]) + "?domain=D3"
    )
    html = page.content.decode()
    fieldset = html[html.index('id="q-C11_status"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert "Which law says so?" in fieldset
    assert "reviewer," in fieldset
    # Only the question commented on carries it.
    assert html.count("Which law says so?") == 1
    # The overview lists the questions commented on, each linked to where it is.
    overview = client_for("focal_point", personas).get(reverse("submission", args=[kenya.pk]))
    listed = overview.content.decode()
    listed = listed[listed.index("Reviewers commented on 1 question") :]
    assert f"{reverse('submission', args=[kenya.pk])}?domain=D3#q-C11_status" in listed


def test_the_review_page_offers_a_comment_form_per_question_only_while_under_review(
    personas: dict[str, Any], kenya: Submission
) -> None:
    complete(kenya)
    reviewer = client_for("reviewer", personas)
    url = reverse("submission-review", args=[kenya.pk])
    assert "Comment on C11.status" not in reviewer.get(url).content.decode()
    actions.submit(kenya, source="test")
    assert "Comment on C11.status" in reviewer.get(url).content.decode()


def test_an_empty_comment_is_refused_and_the_page_says_so_at_the_question(
    personas: dict[str, Any], kenya: Submission
) -> None:
    submitted(kenya)
    response = _comment(client_for("reviewer", personas), kenya, "C11.status", "   ")
    assert response.status_code == 400
    assert "Comment not saved" in response.content.decode()
    assert not QuestionComment.objects.exists()


def test_a_focal_point_cannot_comment(personas: dict[str, Any], kenya: Submission) -> None:
    submitted(kenya)
    response = _comment(client_for("focal_point", personas), kenya, "C11.status", "fine")
    assert response.status_code == 403
    assert not QuestionComment.objects.exists()


def test_changes_made_after_the_last_return_are_listed_on_the_review_page(
    personas: dict[str, Any], kenya: Submission
) -> None:
    complete(kenya)
    actions.save_answers(kenya, {"C02.status": AnswerInput(value="no")}, source="test")
    actions.submit(kenya, source="test")
    actions.return_for_changes(kenya, "check C11", source="test")
    reviewer = client_for("reviewer", personas)
    url = reverse("submission-review", args=[kenya.pk])
    page = reviewer.get(url).content.decode()
    since = page[page.index('id="since-return-title"') : page.index('id="answers-title"')]
    assert "No answer has changed since the submission was last returned." in since

    actions.save_answers(kenya, {"C11.status": AnswerInput(value="partial")}, source="test")
    actions.submit(kenya, source="test")
    page = reviewer.get(url).content.decode()
    since = page[page.index('id="since-return-title"') : page.index('id="answers-title"')]
    assert "<code>C11.status</code>" in since
    # Changes made before the return are not listed there.
    assert "<code>C02.status</code>" not in since


def test_a_submission_never_returned_has_no_changed_since_returned_section(
    personas: dict[str, Any], kenya: Submission
) -> None:
    submitted(kenya)
    page = client_for("reviewer", personas).get(reverse("submission-review", args=[kenya.pk]))
    assert 'id="since-return-title"' not in page.content.decode()


def test_submitting_asks_for_confirmation_first(
    personas: dict[str, Any], kenya: Submission
) -> None:
    complete(kenya)
    focal = client_for("focal_point", personas)
    overview = focal.get(reverse("submission", args=[kenya.pk])).content.decode()
    url = reverse("submission-submit", args=[kenya.pk])
    assert f'<form method="get" action="{url}"' in overview

    page = focal.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Submit these answers for review?" in html
    assert 'name="confirmed" value="yes"' in html
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.DRAFT

    # A POST without the confirmation shows the same question and submits nothing.
    assert "Submit these answers for review?" in focal.post(url).content.decode()
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.DRAFT

    assert focal.post(url, {"confirmed": "yes"}).status_code == 302
    kenya.refresh_from_db()
    assert kenya.status == Submission.Status.SUBMITTED


def test_the_confirmation_page_lists_what_is_still_missing_and_offers_no_button(
    personas: dict[str, Any], kenya: Submission
) -> None:
    actions.save_answers(kenya, {"C01.status": AnswerInput(value="yes")}, source="test")
    html = (
        client_for("focal_point", personas)
        .get(reverse("submission-submit", args=[kenya.pk]))
        .content.decode()
    )
    assert "Not ready:" in html
    assert "Confirm: submit for review" not in html
    for question in actions.missing_required(kenya)[:3]:
        assert f"<code>{question.code}</code>" in html
