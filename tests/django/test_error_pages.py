"""Errors come out as styled pages of the site (403, 404 and 500 templates), not Django's bare
ones, and say what to do without disclosing what exists."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_page_that_does_not_exist_is_the_styled_404(
    personas: dict[str, Any], settings: Any
) -> None:
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "mnr/mnr.css" in html
    assert '<header class="site">' in html
    assert "<code>/no-such-page/</code>" in html


def test_a_submission_one_may_not_see_is_the_same_404(
    personas: dict[str, Any], review_round: Any, settings: Any
) -> None:
    from mnr.jurisdictions.models import Jurisdiction
    from mnr.surveys.actions import open_submission

    settings.DEBUG = False
    kenya = open_submission(review_round, Jurisdiction.objects.get(code="KE"), "government")
    client = Client()
    client.force_login(personas["other_focal_point"])
    response = client.get(reverse("submission", args=[kenya.pk]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Kenya" not in html


def test_a_refused_step_is_the_styled_403_with_the_reason(
    personas: dict[str, Any], review_round: Any, settings: Any
) -> None:
    from mnr.jurisdictions.models import Jurisdiction
    from mnr.surveys.actions import open_submission

    settings.DEBUG = False
    kenya = open_submission(review_round, Jurisdiction.objects.get(code="KE"), "government")
    client = Client()
    client.force_login(personas["reviewer"])
    response = client.post(reverse("submission-submit", args=[kenya.pk]), {"confirmed": "yes"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not do this" in html
    assert "You may not change the answers of this submission." in html
    assert "mnr/mnr.css" in html


def test_the_500_page_renders_without_a_request_or_a_database() -> None:
    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert "mnr/mnr.css" in html
