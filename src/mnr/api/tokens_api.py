"""The caller's own API tokens: listed and revoked here; made on the account page only, so
that a read token cannot make itself a write token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema

from mnr.api.auth import signed_in
from mnr.api.errors import COMMON_ERRORS
from mnr.api.models import ApiToken
from mnr.api.pagination import Page, Paging, paginate
from mnr.api.tokens import revoke_token

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    active: bool


def _token(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "active": token.active,
    }


@router.get("/tokens", response={200: Page[TokenOut], **COMMON_ERRORS})
def list_tokens(request: HttpRequest, paging: Query[Paging]) -> Any:
    """Your own tokens (never their text, which is shown once when made)."""
    user = signed_in(request)
    return paginate(ApiToken.objects.filter(user=user), paging, _token)


@router.delete("/tokens/{token_id}", response={200: TokenOut, **COMMON_ERRORS})
def delete_token(request: HttpRequest, token_id: int) -> Any:
    """Revoke one of your tokens; it stops working at once."""
    user = signed_in(request)
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise Http404(f"No token {token_id} of yours")
    revoke_token(token, acting_user=user, source="api")
    token.refresh_from_db()
    return _token(token)
