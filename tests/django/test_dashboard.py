"""The home page as a dashboard for each role: what needs my action, the response status per
round and channel (counts only, and no jurisdiction's status for anonymous visitors), and the
deadlines."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.submissions import in_state, opened

from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db


def home(personas: dict[str, Any], persona: str) -> str:
    client = Client()
    if persona != "anonymous":
        client.force_login(personas[persona])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, start: str, end: str = "</section>") -> str:
    part = html[html.index(start) :]
    return part[: part.index(end)]


def counts(card: str) -> dict[str, list[int]]:
    """The response status table of a round card: per status, the count per channel."""
    return {
        status: [int(n) for n in re.findall(r'<td class="number">(\d+)</td>', row)]
        for status, row in re.findall(r'<tr class="status-(\w+)">(.*?)</tr>', card)
    }


@pytest.fixture
def in_progress(review_round: Round, personas: dict[str, Any]) -> dict[str, Submission]:
    """Kenya returned, Sweden submitted, England and Wales validated; the round closes in ten
    days."""
    review_round.closes_on = timezone.localdate() + datetime.timedelta(days=10)
    review_round.save(update_fields=["closes_on"])
    return {
        "KE": in_state(review_round, "KE", Submission.Status.RETURNED),
        "SE": in_state(review_round, "SE", Submission.Status.SUBMITTED),
        "GB-EAW": in_state(review_round, "GB-EAW", Submission.Status.VALIDATED),
    }


def test_a_focal_point_sees_what_to_fix_with_the_deadline(
    personas: dict[str, Any], in_progress: dict[str, Submission]
) -> None:
    html = home(personas, "focal_point")
    action = section(html, 'id="needs-action-title"')
    fix = action[action.index("To fix") : action.index("</ul>")]
    assert f'href="{reverse("submission", args=[in_progress["KE"].pk])}"' in fix
    assert "Kenya · Government" in fix
    assert "(10 days left)" in fix
    # Another jurisdiction's work is not theirs.
    assert "Sweden" not in action
    assert "To review" not in action


def test_a_focal_point_sees_drafts_to_answer_and_submissions_to_start(
    review_round: Round, personas: dict[str, Any]
) -> None:
    draft = opened(review_round, "KE")
    action = section(home(personas, "focal_point"), 'id="needs-action-title"')
    answer = action[action.index("To answer") :]
    assert f'href="{reverse("submission", args=[draft.pk])}"' in answer
    # The round's other channel is not started yet.
    assert re.search(r"\d+ submissions? you can start", action)


def test_a_reviewer_sees_what_waits_for_review_and_what_changed_since_returned(
    personas: dict[str, Any], in_progress: dict[str, Submission]
) -> None:
    from mnr.surveys import actions

    kenya = in_progress["KE"]
    actions.submit(kenya, source="test")
    action = section(home(personas, "reviewer"), 'id="needs-action-title"')
    review = action[action.index("To review") :]
    assert f'href="{reverse("submission-review", args=[kenya.pk])}"' in review
    assert f'href="{reverse("submission-review", args=[in_progress["SE"].pk])}"' in review
    kenya_item = review[review.index("Review Kenya") :]
    kenya_item = kenya_item[: kenya_item.index("</li>")]
    assert "submitted again after a return" in kenya_item
    assert "England and Wales" not in review  # validated: nothing to do


def test_an_analyst_sees_rounds_ready_to_publish_with_validated_counts(
    personas: dict[str, Any], in_progress: dict[str, Submission]
) -> None:
    action = section(home(personas, "analyst"), 'id="needs-action-title"')
    rounds = action[action.index("Rounds you publish") :]
    assert "1 validated of 3 jurisdictions, 1 waiting for review" in rounds
    assert "not published yet" in rounds
    assert "ready to publish" in rounds


def test_a_published_round_is_ready_again_only_after_a_new_validation(
    personas: dict[str, Any], in_progress: dict[str, Submission]
) -> None:
    from mnr.publications.actions import publish
    from mnr.surveys import actions

    publish(in_progress["GB-EAW"].round, note="first", acting_user=None)
    rounds = section(home(personas, "analyst"), "Rounds you publish", "</ul>")
    assert "last published as publication 1" in rounds
    assert "ready to publish" not in rounds
    actions.validate(in_progress["SE"], source="test")
    rounds = section(home(personas, "analyst"), "Rounds you publish", "</ul>")
    assert "ready to publish" in rounds


def test_an_administrator_sees_a_summary(
    personas: dict[str, Any], in_progress: dict[str, Submission]
) -> None:
    summary = section(home(personas, "administrator"), 'id="summary-title"')
    assert "active of" in summary
    assert "1 submitted" in summary and "1 validated" in summary
    assert "1 returned for changes" in summary


def test_response_status_counts_per_channel(
    personas: dict[str, Any], in_progress: dict[str, Submission]
) -> None:
    card = section(home(personas, "analyst"), 'class="round-card"')
    head = card[card.index("<thead>") : card.index("</thead>")]
    assert head.index("Government") < head.index("UNICEF country office")  # priority order
    assert counts(card) == {
        "draft": [0, 0],
        "submitted": [1, 0],
        "returned": [1, 0],
        "validated": [1, 0],
    }
    # Labels, not codes.
    assert "unicef_country_office" not in card
    assert "UNICEF country office" in card


def test_anonymous_visitors_see_counts_only_and_no_jurisdiction(
    personas: dict[str, Any], in_progress: dict[str, Submission]
) -> None:
    from mnr.publications.actions import publish

    publish(in_progress["GB-EAW"].round, note="first", acting_user=None)
    html = home(personas, "anonymous")
    assert "Test round" in html
    card = section(html, 'class="round-card"')
    assert counts(card)["validated"] == [1, 0]
    code = in_progress["KE"].round.code
    assert f'href="{reverse("round-report-pdf", args=[code])}"' in card
    for name in ("Kenya", "Sweden", "England and Wales", "KE", "GB-EAW"):
        # As a word: the page's random CSRF token may hold "KE".
        assert not re.search(rf"\b{re.escape(name)}\b", html), name
    assert "Needs your action" not in html
    assert 'id="summary-title"' not in html


def test_anonymous_visitors_see_no_unpublished_round(
    personas: dict[str, Any], in_progress: dict[str, Submission]
) -> None:
    html = home(personas, "anonymous")
    assert "Test round" not in html
    assert "No rounds you can see yet." in html


def test_the_dashboard_takes_a_fixed_number_of_queries(
    review_round: Round, personas: dict[str, Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mnr.surveys.actions import add_participants

    client = Client()
    client.force_login(personas["reviewer"])
    in_state(review_round, "KE", Submission.Status.SUBMITTED)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    add_participants(review_round, ["FR", "DE", "IT"])
    for code in ("SE", "GB-EAW", "FR", "DE", "IT"):
        in_state(review_round, code, Submission.Status.SUBMITTED)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("home")).content.decode()
    assert html.count('class="task submitted"') == 6
    assert len(many) == len(few)
