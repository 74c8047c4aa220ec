"""The Django admin: administrators (by role, not only superusers) browse it; nobody writes
through it, since writes there would bypass the actions' checks and audit events."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import Client

from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

PERSONAS = ("administrator", "analyst", "reviewer", "focal_point", "anonymous")


def client_for(personas: dict[str, Any], persona: str) -> Client:
    client = Client()
    if personas[persona].is_authenticated:
        client.force_login(personas[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_administrators_enter_the_admin(personas: dict[str, Any], persona: str) -> None:
    response = client_for(personas, persona).get("/admin/")
    if persona == "administrator":
        assert response.status_code == 200
        assert b"Role assignments" in response.content
    else:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_administrator_browses_but_cannot_change(
    personas: dict[str, Any], review_round: Round
) -> None:
    client = client_for(personas, "administrator")
    assert client.get("/admin/surveys/round/").status_code == 200
    page = client.get(f"/admin/surveys/round/{review_round.pk}/change/")
    assert page.status_code == 200 and b'type="submit"' not in page.content.split(b"<main")[-1]
    assert client.get("/admin/surveys/round/add/").status_code == 403
    response = client.post(
        f"/admin/surveys/round/{review_round.pk}/change/", {"title": "Changed in the admin"}
    )
    assert response.status_code == 403
    review_round.refresh_from_db()
    assert review_round.title == "Test round"
    delete = client.post(f"/admin/surveys/round/{review_round.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403 and Round.objects.filter(pk=review_round.pk).exists()


def test_every_registered_model_is_read_only(rf: Any, personas: dict[str, Any]) -> None:
    request = rf.get("/admin/")
    request.user = personas["administrator"]
    for model, model_admin in admin.site._registry.items():
        # Third-party apps' pages (background tasks) keep their own view rule; none writes.
        if model.__module__.startswith(("mnr.", "django.contrib.auth.")):
            assert model_admin.has_view_permission(request), model
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model


def test_users_are_listed_without_their_password_hash(personas: dict[str, Any]) -> None:
    client = client_for(personas, "administrator")
    reviewer = personas["reviewer"]
    assert b"reviewer" in client.get("/admin/auth/user/").content
    page = client.get(f"/admin/auth/user/{reviewer.pk}/change/").content.decode()
    assert reviewer.password not in page and "md5$" not in page
