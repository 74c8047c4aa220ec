"""The submissions list of reviewers and analysts: filters, counts per status, completion,
sorting and search; the number of queries does not grow with the rows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.submissions import in_state, opened, required_answers

from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput, add_participants
from mnr.surveys.models import Submission
from mnr.web.submission_list import completion, folded

pytestmark = pytest.mark.django_db

COTE = "C\u00f4te d\u2019Ivoire"  # as the reference data spells it


@pytest.fixture
def listed(review_round: Any, personas: dict[str, Any]) -> dict[str, Submission]:
    """Kenya submitted, Sweden a half-answered draft, England and Wales validated, Côte
    d'Ivoire returned; a UNICEF country office draft of Kenya with nothing answered."""
    add_participants(review_round, ["CI"])
    sweden = opened(review_round, "SE")
    answers = required_answers(sweden)
    half = dict(list(answers.items())[: len(answers) // 2])
    actions.save_answers(sweden, half, source="test")
    return {
        "KE": in_state(review_round, "KE", Submission.Status.SUBMITTED),
        "SE": sweden,
        "GB-EAW": in_state(review_round, "GB-EAW", Submission.Status.VALIDATED),
        "CI": in_state(review_round, "CI", Submission.Status.RETURNED),
        "KE-unicef": opened(review_round, "KE", "unicef_country_office"),
    }


def page(personas: dict[str, Any], query: str = "", persona: str = "reviewer") -> str:
    client = Client()
    client.force_login(personas[persona])
    response = client.get(reverse("submissions") + query)
    assert response.status_code == 200
    return response.content.decode()


def rows(html: str) -> list[str]:
    """The jurisdiction cell of each row of the table, in order."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r'<td [^>]*class="jurisdiction">([^<]+) <span class="meta">', body)


def test_counts_per_status_follow_the_other_filters(
    personas: dict[str, Any], listed: dict[str, Submission]
) -> None:
    html = page(personas)
    counts = html[html.index('class="status-counts"') :]
    counts = counts[: counts.index("</ul>")]
    assert re.findall(r'<span class="count">(\d+)</span> ([a-z ]+)</a></li>', counts) == [
        ("2", "draft"),
        ("1", "submitted"),
        ("1", "returned for changes"),
        ("1", "validated"),
    ]
    unicef = page(personas, "?channel=unicef_country_office")
    assert '<span class="count">1</span> draft' in unicef
    assert '<span class="count">0</span> submitted' in unicef


def test_filters_by_status_round_channel_and_jurisdiction(
    personas: dict[str, Any], listed: dict[str, Submission]
) -> None:
    assert rows(page(personas, "?status=draft")) == ["Kenya", "Sweden"]
    assert rows(page(personas, "?jurisdiction=KE")) == ["Kenya", "Kenya"]
    assert rows(page(personas, "?channel=government&jurisdiction=KE")) == ["Kenya"]
    assert rows(page(personas, "?round=test-2021&status=validated")) == ["England and Wales"]
    html = page(personas, "?round=no-such-round")
    assert "No submission matches these filters." in html
    assert "1 of" not in html


def test_search_by_name_ignores_case_and_accents_and_finds_codes(
    personas: dict[str, Any], listed: dict[str, Submission]
) -> None:
    assert rows(page(personas, "?q=COTE")) == [COTE]
    assert rows(page(personas, "?q=côte")) == [COTE]
    assert rows(page(personas, "?q=gb-eaw")) == ["England and Wales"]
    assert rows(page(personas, "?q=wed")) == ["Sweden"]
    assert "1 of 5 submissions match." in page(personas, "?q=wed")


def test_sorting_by_each_column_and_reversed(
    personas: dict[str, Any], listed: dict[str, Submission]
) -> None:
    by_name = [COTE, "England and Wales", "Kenya", "Kenya", "Sweden"]
    assert rows(page(personas)) == by_name
    assert rows(page(personas, "?sort=-jurisdiction")) == list(reversed(by_name))
    assert rows(page(personas, "?sort=complete")) == [
        "Kenya",  # the UNICEF draft, nothing answered
        "Sweden",
        COTE,
        "England and Wales",
        "Kenya",
    ]
    assert rows(page(personas, "?sort=status")) == [
        "Kenya",
        "Sweden",
        "Kenya",
        COTE,
        "England and Wales",
    ]
    html = page(personas, "?sort=status&status=draft")
    # The header links keep the filters and turn the current sort around.
    assert 'href="?status=draft&amp;sort=-status"' in html
    # A status count shows that status only, and clears the filter when it is the filter.
    assert 'href="?status=submitted&amp;sort=status"' in html
    assert 'href="?sort=status"><span class="count">2</span> draft' in html
    assert 'aria-sort="ascending"' in html


def test_completion_counts_required_applicable_questions_as_submitting_does(
    listed: dict[str, Submission],
) -> None:
    submissions = list(Submission.objects.select_related("round", "jurisdiction"))
    counted = completion(submissions)
    for submission in submissions:
        missing = actions.missing_required(submission)
        assert counted[submission.pk].required - counted[submission.pk].answered == len(missing), (
            submission
        )
    assert counted[listed["GB-EAW"].pk].percent == 100
    assert counted[listed["KE-unicef"].pk].percent == 0
    assert 0 < counted[listed["SE"].pk].percent < 100


def test_completion_follows_skip_logic(review_round: Any, personas: dict[str, Any]) -> None:
    kenya = opened(review_round, "KE")
    answers = required_answers(kenya)
    actions.save_answers(kenya, answers, source="test")
    before = completion([kenya])[kenya.pk]
    assert before.percent == 100
    # C01.status "no": the questions that apply only to "yes"/"partial" are no longer counted.
    actions.save_answers(kenya, {"C01.status": AnswerInput(value="no")}, source="test")
    after = completion([Submission.objects.get(pk=kenya.pk)])[kenya.pk]
    assert after.required - after.answered == len(actions.missing_required(kenya))


def test_the_list_shows_per_cent_complete(
    personas: dict[str, Any], listed: dict[str, Submission]
) -> None:
    html = page(personas, "?jurisdiction=GB-EAW")
    assert 'value="100"' in html and "100%" in html


def test_the_number_of_queries_does_not_grow_with_the_rows(
    review_round: Any, personas: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(personas["analyst"])
    in_state(review_round, "KE", Submission.Status.SUBMITTED)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("submissions"))
    add_participants(review_round, ["CI", "FR", "DE", "IT", "ES", "PT"])
    for code in ("SE", "GB-EAW", "CI", "FR", "DE", "IT", "ES", "PT"):
        in_state(review_round, code, Submission.Status.SUBMITTED)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("submissions"))
    assert response.content.decode().count('class="submission-status') == 9
    assert len(many) == len(few)


def test_folding_for_search() -> None:
    assert folded(COTE) == "cote d\u2019ivoire"
    assert folded("ÅLAND") == "aland"
