"""The "API tokens" page: a user lists, makes and revokes their own tokens; a new token's text
is shown once, on the page that made it, and never again."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.audit import events_after, last_event_id

from mnr.api.models import ApiToken
from mnr.api.tokens import create_token, token_for
from mnr.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

TOKEN_TEXT = re.compile(r"mnr_[A-Za-z0-9_-]{20,}")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make(client: Client, **fields: str) -> Any:
    data = {"name": "Dashboard sync", "scope": "read", "expires_on": "", **fields}
    return client.post(reverse("api-tokens"), data)


def test_anonymous_visitor_is_sent_to_sign_in(client: Client) -> None:
    for url in (reverse("api-tokens"), reverse("api-token-revoke", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_navigation_links_to_the_page(personas: dict[str, Any]) -> None:
    page = signed_in(personas["focal_point"]).get(reverse("submissions")).content.decode()
    assert f'href="{reverse("api-tokens")}"' in page


def test_a_new_token_is_shown_once_and_works(personas: dict[str, Any]) -> None:
    user = personas["focal_point"]
    client = signed_in(user)
    before = last_event_id()
    response = make(client, name="Kobo webhook", scope="write")
    assert response.status_code == 200
    page = response.content.decode()
    shown = TOKEN_TEXT.findall(page)
    assert len(set(shown)) == 1, shown
    text = shown[0]
    assert "will not be shown again" in page
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.scope, token.expires_at) == ("Kobo webhook", "write", None)
    assert text not in {token.digest, token.prefix} and text.startswith(token.prefix)
    found = token_for(text)
    assert found is not None and found.pk == token.pk
    [event] = events_after(before)
    assert (event.verb, event.object_id, event.actor_id, event.source) == (
        "api_token.create",
        str(token.pk),
        user.pk,
        "web",
    )
    # Never again: neither the list nor any later page carries it, only its prefix.
    later = client.get(reverse("api-tokens")).content.decode()
    assert text not in later and TOKEN_TEXT.search(later) is None
    assert f"{token.prefix}…" in later and "Kobo webhook" in later
    confirm = client.get(reverse("api-token-revoke", args=[token.pk])).content.decode()
    assert text not in confirm


def test_the_list_shows_each_token_and_its_state(personas: dict[str, Any]) -> None:
    user = personas["analyst"]
    kept, _ = create_token(user, "Kept", acting_user=user)
    gone, _ = create_token(user, "Gone", scope="write", acting_user=user)
    ApiToken.objects.filter(pk=gone.pk).update(revoked_at=gone.created_at)
    create_token(personas["reviewer"], "Not mine", acting_user=personas["reviewer"])
    page = signed_in(user).get(reverse("api-tokens")).content.decode()
    assert "Kept" in page and "Gone" in page and "Not mine" not in page
    assert "Read and write" in page and "revoked" in page
    assert page.count('/revoke/"') == 1  # only the active one has a button
    assert reverse("api-token-revoke", args=[kept.pk]) in page


def test_revoking_asks_first_then_stops_the_token(personas: dict[str, Any]) -> None:
    user = personas["focal_point"]
    token, text = create_token(user, "Old script", scope="write", acting_user=user)
    client = signed_in(user)
    url = reverse("api-token-revoke", args=[token.pk])
    asked = client.post(url)
    assert asked.status_code == 200 and 'name="confirmed"' in asked.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None and token_for(text) is not None
    before = last_event_id()
    done = client.post(url, {"confirmed": "yes"}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("api-tokens")
    assert "is revoked" in done.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token_for(text) is None
    [event] = events_after(before)
    assert (event.verb, event.object_id, event.actor_id, event.source) == (
        "api_token.revoke",
        str(token.pk),
        user.pk,
        "web",
    )


def test_revoking_needs_the_csrf_token(personas: dict[str, Any]) -> None:
    user = personas["focal_point"]
    token, _ = create_token(user, "Script", acting_user=user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("api-token-revoke", args=[token.pk]), {"confirmed": "yes"})
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_another_users_token_cannot_be_revoked(personas: dict[str, Any]) -> None:
    owner = personas["focal_point"]
    token, text = create_token(owner, "Kenya's", acting_user=owner)
    before = last_event_id()
    for persona in ("other_focal_point", "administrator"):
        client = signed_in(personas[persona])
        url = reverse("api-token-revoke", args=[token.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"confirmed": "yes"}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and token_for(text) is not None
    assert not AuditEvent.objects.filter(pk__gt=before, verb="api_token.revoke").exists()


def test_an_expiry_in_the_past_is_refused_with_a_message(personas: dict[str, Any]) -> None:
    user = personas["focal_point"]
    client = signed_in(user)
    before = last_event_id()
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    response = make(client, expires_on=yesterday)
    assert response.status_code == 400
    page = response.content.decode()
    assert "expiry must lie in the future" in page
    assert TOKEN_TEXT.search(page) is None
    assert not ApiToken.objects.filter(user=user).exists()
    assert events_after(before) == []


def test_an_expiry_date_lasts_to_the_end_of_that_day(personas: dict[str, Any]) -> None:
    user = personas["reviewer"]
    day = date.today() + timedelta(days=30)
    assert make(signed_in(user), expires_on=day.isoformat()).status_code == 200
    token = ApiToken.objects.get(user=user)
    assert token.expires_at is not None
    assert token.expires_at.date() == day + timedelta(days=1)
    assert (token.expires_at.hour, token.expires_at.minute) == (0, 0)


def test_a_token_without_a_name_is_refused_beside_the_field(personas: dict[str, Any]) -> None:
    user = personas["reviewer"]
    response = make(signed_in(user), name="", scope="admin")
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=user).exists()
    assert response.context["form"].errors.keys() == {"name", "scope"}


def test_the_page_is_in_french(personas: dict[str, Any]) -> None:
    client = signed_in(personas["reviewer"])
    client.cookies["django_language"] = "fr"
    page = client.get(reverse("api-tokens"), headers={"Accept-Language": "fr"}).content
    assert "Jetons d’API" in page.decode()  # noqa: RUF001 (French typography)
