"""The lead's focal point adds another body of their government as a respondent, in the app."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mnr.accounts.actions import assign_role
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add(client: Client, code: str, name: str = "", jurisdiction: str = "KE") -> Any:
    return client.post(
        reverse("submissions"),
        {
            "round": "test-2021",
            "jurisdiction": jurisdiction,
            "channel": "government",
            "respondent": code,
            "respondent_name": name,
        },
        follow=True,
    )


def test_the_leads_focal_point_adds_a_named_respondent(review_round: Round, make_user: Any) -> None:
    lead = signed_in(make_user("fp-ke", "focal_point", "KE"))
    page = lead.get(reverse("submissions")).content.decode()
    assert "Add a respondent" in page

    response = add(lead, "police", "National police")

    submission = Submission.objects.get(respondent="police")
    assert submission.respondent_name == "National police"
    assert submission.jurisdiction.code == "KE"
    assert response.redirect_chain[-1][0] == reverse("submission", args=[submission.pk])


def test_a_bad_respondent_code_is_refused_with_a_message_and_nothing_written(
    review_round: Round, make_user: Any
) -> None:
    lead = signed_in(make_user("fp-ke", "focal_point", "KE"))

    response = add(lead, "Police Unit")

    assert "Police Unit" in response.content.decode()
    assert not Submission.objects.exists()


def test_a_focal_point_limited_to_one_respondent_cannot_add_another(
    review_round: Round, make_user: Any
) -> None:
    user = make_user("fp-ke-police")
    assign_role(
        user,
        "focal_point",
        jurisdiction=Jurisdiction.objects.get(code="KE"),
        respondent="police",
        source="test",
    )
    police = signed_in(user)
    assert "Add a respondent" not in police.get(reverse("submissions")).content.decode()

    response = add(police, "justice")

    assert response.status_code == 403
    assert not Submission.objects.filter(respondent="justice").exists()


def test_a_focal_point_cannot_add_a_respondent_to_another_jurisdiction(
    review_round: Round, make_user: Any
) -> None:
    lead = signed_in(make_user("fp-ke", "focal_point", "KE"))

    response = add(lead, "police", jurisdiction="SE")

    assert response.status_code == 403
    assert not Submission.objects.exists()
