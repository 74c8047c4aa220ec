"""The API's foundation: tokens, the error format, pagination, versions and rate limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from mnr.api.models import ApiToken
from mnr.api.tokens import create_token, digest, revoke_token
from mnr.audit.models import AuditEvent
from mnr.errors import MnrError

pytestmark = pytest.mark.django_db


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]


def test_token_is_stored_as_digest_only_and_shown_once(personas: dict[str, Any]) -> None:
    user = personas["analyst"]
    token, text = create_token(user, "dashboard", acting_user=user)
    stored = ApiToken.objects.get(pk=token.pk)
    assert text.startswith("mnr_") and len(text) > 40
    assert stored.digest == digest(text) and text not in (stored.digest, stored.prefix)
    assert text.startswith(stored.prefix)
    event = AuditEvent.objects.get(verb="api_token.create", object_id=str(token.pk))
    assert event.actor == user and text not in str(event.detail)


def test_nobody_makes_tokens_for_someone_else(personas: dict[str, Any]) -> None:
    with pytest.raises(Exception, match="yourself"):
        create_token(personas["focal_point"], "x", acting_user=personas["administrator"])


@pytest.mark.parametrize(
    ("name", "scope", "days", "problem"),
    [("", "read", None, "name"), ("x", "admin", None, "scope"), ("x", "read", -1, "future")],
)
def test_bad_token_settings_are_refused(
    personas: dict[str, Any], name: str, scope: str, days: int | None, problem: str
) -> None:
    user = personas["analyst"]
    expires = timezone.now() + timedelta(days=days) if days is not None else None
    with pytest.raises(MnrError, match=problem):
        create_token(user, name, scope=scope, expires_at=expires, acting_user=user)
    assert not ApiToken.objects.exists()


def test_revoked_and_expired_tokens_are_refused(api: Any, personas: dict[str, Any]) -> None:
    user = personas["analyst"]
    token, text = create_token(user, "old", acting_user=user)
    assert api.client.get("/api/v1/frameworks", headers={"Authorization": f"Bearer {text}"})
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    revoke_token(token, acting_user=user)
    assert AuditEvent.objects.filter(verb="api_token.revoke", object_id=str(token.pk)).exists()
    refused = api.client.get("/api/v1/frameworks", headers={"Authorization": f"Bearer {text}"})
    assert refused.status_code == 401 and _error(refused)["code"] == "invalid_token"

    expiring, text = create_token(
        user, "soon", expires_at=timezone.now() + timedelta(hours=1), acting_user=user
    )
    ApiToken.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(1))
    refused = api.client.get("/api/v1/frameworks", headers={"Authorization": f"Bearer {text}"})
    assert refused.status_code == 401


def test_only_the_owner_revokes_a_token(personas: dict[str, Any]) -> None:
    token, _ = create_token(personas["analyst"], "mine", acting_user=personas["analyst"])
    with pytest.raises(Exception, match="own tokens"):
        revoke_token(token, acting_user=personas["administrator"])
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.parametrize("header", ["Bearer mnr_unknown", "Basic dXNlcjpwdw==", "Bearer "])
def test_bad_credentials_are_refused_not_taken_for_anonymous(api: Any, header: str) -> None:
    response = api.client.get("/api/v1/frameworks", headers={"Authorization": header})
    assert response.status_code == 401
    assert _error(response)["code"] == "invalid_token"


def test_read_token_may_not_write(api: Any, personas: dict[str, Any]) -> None:
    user = personas["analyst"]
    reader, text = create_token(user, "reader", scope="read", acting_user=user)
    response = api.client.delete(
        f"/api/v1/tokens/{reader.pk}", headers={"Authorization": f"Bearer {text}"}
    )
    assert response.status_code == 403 and _error(response)["code"] == "token_scope"
    assert ApiToken.objects.get(pk=reader.pk).revoked_at is None
    listed = api.client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {text}"})
    assert [t["name"] for t in listed.json()["items"]] == ["test analyst", "reader"]


def test_a_token_revokes_itself_but_not_others(api: Any, personas: dict[str, Any]) -> None:
    theirs, _ = create_token(personas["reviewer"], "theirs", acting_user=personas["reviewer"])
    assert api.delete(f"/tokens/{theirs.pk}", as_="analyst").status_code == 404
    mine = ApiToken.objects.get(user=personas["analyst"])
    revoked = api.delete(f"/tokens/{mine.pk}", as_="analyst")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert api.get("/tokens", as_="analyst").status_code == 401
    assert api.get("/tokens").status_code == 401


def test_session_writes_need_the_csrf_token(personas: dict[str, Any]) -> None:
    from django.test import Client

    user = personas["analyst"]
    token, _ = create_token(user, "mine", acting_user=user)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 403 and _error(response)["code"] == "csrf_failed"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert browser.get("/api/v1/tokens").status_code == 200
    browser.get("/accounts/login/")
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.delete(f"/api/v1/tokens/{token.pk}", headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 200


def test_unknown_object_is_404_in_the_error_format(api: Any) -> None:
    response = api.get("/jurisdictions/XX-NOPE")
    assert response.status_code == 404 and _error(response)["code"] == "not_found"


def test_schema_problems_name_the_field(api: Any) -> None:
    response = api.get("/jurisdictions?limit=0")
    error = _error(response)
    assert response.status_code == 422 and error["code"] == "invalid"
    assert [d["field"] for d in error["details"]] == ["query.limit"]


def test_cursor_pages_cover_the_list_once(api: Any) -> None:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "?limit=37" + (f"&cursor={cursor}" if cursor else "")
        page = api.get("/jurisdictions" + query).json()
        assert len(page["items"]) <= 37
        seen += [item["code"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    everything = api.get("/jurisdictions?limit=500").json()
    assert everything["next_cursor"] is None
    assert seen == [item["code"] for item in everything["items"]]
    assert len(seen) == len(set(seen)) and pages == -(-len(seen) // 37)


def test_foreign_cursor_is_refused(api: Any) -> None:
    response = api.get("/jurisdictions?cursor=bm9wZQ")
    assert response.status_code == 422
    assert _error(response)["details"][0]["field"] == "query.cursor"


def test_anonymous_callers_are_rate_limited(api: Any, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.MNR_API_RATE_ANONYMOUS = 3
    statuses = [api.get("/frameworks").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/frameworks")
    assert _error(limited)["code"] == "rate_limited" and int(limited["Retry-After"]) >= 1
    # A token has its own allowance.
    assert api.get("/frameworks", as_="analyst").status_code == 200
    cache.clear()


def test_token_allowance_is_per_token(api: Any, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.MNR_API_RATE_SIGNED_IN = 2
    assert [api.get("/frameworks", as_="analyst").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert api.get("/frameworks", as_="reviewer").status_code == 200
    cache.clear()


def test_docs_are_served_offline(client: Any) -> None:
    page = client.get("/api/docs")
    html = page.content.decode()
    assert page.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert "/api/v1/openapi.json" in html
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")


def test_unknown_api_address_is_404_in_the_error_format(client: Any) -> None:
    response = client.get("/api/v1/no-such-thing/3")
    assert response.status_code == 404 and _error(response)["code"] == "not_found"
    assert "/api/docs" in _error(response)["message"]


def test_operation_ids_are_unique_function_names() -> None:
    from mnr.api.main import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    ids = [
        operation["operationId"]
        for item in schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    assert "get_jurisdiction" in ids
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
