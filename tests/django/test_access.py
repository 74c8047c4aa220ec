from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.access import (
    can_see_jurisdiction_data,
    get_round_for_user,
    get_submission_for_user,
)
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def submissions(review_round: Any) -> dict[str, Submission]:
    return {
        code: actions.open_submission(review_round, Jurisdiction.objects.get(code=code), channel)
        for code, channel in (("KE", "unicef_country_office"), ("SE", "government"))
    }


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("administrator", {"KE", "SE"}),
        ("analyst", {"KE", "SE"}),
        ("reviewer", {"KE", "SE"}),
        ("focal_point", {"KE"}),
        ("other_focal_point", {"SE"}),
        ("anonymous", set()),
    ],
)
def test_each_persona_sees_only_the_submissions_in_its_scope(
    personas: dict[str, Any], submissions: dict[str, Submission], persona: str, visible: set[str]
) -> None:
    seen = Submission.objects.visible_to(personas[persona]).values_list(
        "jurisdiction__code", flat=True
    )
    assert set(seen) == visible


def test_focal_point_cannot_open_another_jurisdictions_submission(
    personas: dict[str, Any], submissions: dict[str, Submission]
) -> None:
    with pytest.raises(Http404):
        get_submission_for_user(personas["focal_point"], submissions["SE"].pk)
    assert get_submission_for_user(personas["focal_point"], submissions["KE"].pk, write=True)


def test_reviewer_can_read_but_not_answer(
    personas: dict[str, Any], submissions: dict[str, Submission]
) -> None:
    assert get_submission_for_user(personas["reviewer"], submissions["KE"].pk)
    with pytest.raises(PermissionDenied):
        get_submission_for_user(personas["reviewer"], submissions["KE"].pk, write=True)


def test_anonymous_visitors_see_only_published_rounds(
    personas: dict[str, Any], review_round: Round, request: pytest.FixtureRequest
) -> None:
    with pytest.raises(Http404):
        get_round_for_user(personas["anonymous"], review_round.code)
    # The status alone publishes nothing: a publication does.
    review_round.status = Round.Status.PUBLISHED
    review_round.save()
    with pytest.raises(Http404):
        get_round_for_user(personas["anonymous"], review_round.code)
    review_round.status = Round.Status.DRAFT
    review_round.save()
    request.getfixturevalue("published_review_round")
    assert get_round_for_user(personas["anonymous"], review_round.code) == review_round
    assert not can_see_jurisdiction_data(personas["anonymous"], review_round)


def test_focal_point_sees_the_round_but_not_other_jurisdictions_data(
    personas: dict[str, Any], review_round: Round
) -> None:
    assert get_round_for_user(personas["focal_point"], review_round.code) == review_round
    assert not can_see_jurisdiction_data(personas["focal_point"], review_round)
    assert can_see_jurisdiction_data(personas["analyst"], review_round)


def test_only_analysts_manage_a_round(personas: dict[str, Any], review_round: Round) -> None:
    with pytest.raises(PermissionDenied):
        get_round_for_user(personas["reviewer"], review_round.code, manage=True)
    assert get_round_for_user(personas["analyst"], review_round.code, manage=True) == review_round


def test_a_round_scoped_analyst_does_not_see_other_rounds(
    make_user: Any, review_round: Round
) -> None:
    other = actions.create_round("other", instrument="mnr-review-2021")
    analyst = make_user("analyst-other", "analyst", round_=other)
    assert list(Round.objects.visible_to(analyst)) == [other]
