"""A focal point's role may name the channel they answer for: the government's focal point of a
jurisdiction neither sees nor answers nor starts the UNICEF country office's submission."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.test import Client
from django.urls import reverse

from mnr.accounts.actions import assign_role, create_user
from mnr.accounts.models import RoleAssignment
from mnr.errors import MnrError
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.access import can_edit_answers, get_submission_for_user
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def government_focal_point(review_round: Round) -> Any:
    user = create_user("focal-ke-gov", "pw-focal-ke-gov", source="test")
    assign_role(
        user,
        "focal_point",
        jurisdiction=Jurisdiction.objects.get(code="KE"),
        channel="government",
        source="test",
    )
    return user


@pytest.fixture
def kenya(review_round: Round) -> dict[str, Submission]:
    place = Jurisdiction.objects.get(code="KE")
    return {
        channel: actions.open_submission(review_round, place, channel)
        for channel in ("government", "unicef_country_office")
    }


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_government_focal_point_cannot_open_the_unicef_submission(
    government_focal_point: Any, kenya: dict[str, Submission]
) -> None:
    unicef = kenya["unicef_country_office"]
    with pytest.raises(Http404):
        get_submission_for_user(government_focal_point, unicef.pk)
    assert not can_edit_answers(government_focal_point, unicef)
    assert get_submission_for_user(government_focal_point, kenya["government"].pk, write=True)
    seen = Submission.objects.visible_to(government_focal_point).values_list("channel", flat=True)
    assert list(seen) == ["government"]


def test_a_government_focal_point_cannot_answer_the_unicef_submission_on_the_web(
    government_focal_point: Any, kenya: dict[str, Submission]
) -> None:
    client = client_for(government_focal_point)
    unicef = kenya["unicef_country_office"]
    assert client.get(reverse("submission", args=[unicef.pk])).status_code == 404
    response = client.post(
        reverse("submission-save", args=[unicef.pk]),
        data='{"answers": {"C01.status": {"value": "no"}}}',
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not unicef.answers.exists()
    assert client.get(reverse("submission", args=[kenya["government"].pk])).status_code == 200


def test_the_unicef_submission_is_not_offered_to_start_and_starting_it_is_refused(
    government_focal_point: Any, review_round: Round
) -> None:
    client = client_for(government_focal_point)
    page = client.get(reverse("submissions")).content.decode()
    assert 'name="channel" value="government"' in page
    assert 'name="channel" value="unicef_country_office"' not in page
    response = client.post(
        reverse("submissions"),
        {"round": review_round.code, "jurisdiction": "KE", "channel": "unicef_country_office"},
    )
    assert response.status_code == 403
    assert not Submission.objects.filter(channel="unicef_country_office").exists()
    with pytest.raises(PermissionDenied):
        actions.open_submission(
            review_round,
            Jurisdiction.objects.get(code="KE"),
            "unicef_country_office",
            acting_user=government_focal_point,
            source="web",
        )


def test_a_focal_point_without_a_channel_still_answers_every_channel(
    personas: dict[str, Any], kenya: dict[str, Submission]
) -> None:
    for submission in kenya.values():
        assert can_edit_answers(personas["focal_point"], submission)


def test_only_a_focal_point_s_role_names_a_channel_and_only_a_known_one(
    review_round: Round,
) -> None:
    user = create_user("someone", "pw-someone", source="test")
    kenya = Jurisdiction.objects.get(code="KE")
    with pytest.raises(MnrError, match="only a focal point answers for one channel"):
        assign_role(user, "reviewer", channel="government", source="test")
    with pytest.raises(MnrError, match="unknown channel"):
        assign_role(user, "focal_point", jurisdiction=kenya, channel="post", source="test")
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_mnr_role_grant_names_the_channel() -> None:
    create_user("cli-focal", "pw-cli-focal", source="test")
    out = io.StringIO()
    call_command(
        "role",
        "grant",
        "cli-focal",
        "focal_point",
        "--jurisdiction",
        "KE",
        "--channel",
        "government",
        stdout=out,
    )
    assert "for channel government" in out.getvalue()
    assignment = RoleAssignment.objects.get(user__username="cli-focal")
    assert (assignment.jurisdiction.code, assignment.channel) == ("KE", "government")
    call_command("role", "list", stdout=out)
    assert "channel=government" in out.getvalue()
