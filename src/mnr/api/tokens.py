"""Creating, revoking and checking personal API tokens (the actions, and the lookup the API's
authentication makes)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from mnr.accounts.permissions import require
from mnr.api.models import ApiToken
from mnr.audit.record import record_event
from mnr.errors import MnrError

PREFIX = "mnr_"
# last_used_at is written at most this often per token: not one write per request.
_LAST_USED_PRECISION = timedelta(minutes=1)


def digest(token: str) -> str:
    """A token's stored form. Tokens carry 256 random bits, so one SHA-256 round is enough (no
    salt or slow hash: there is nothing to guess)."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_token(
    user: Any,
    name: str,
    *,
    scope: str = ApiToken.Scope.READ,
    expires_at: datetime | None = None,
    acting_user: Any,
    source: str = "web",
) -> tuple[ApiToken, str]:
    """A new token for ``user``, made by that user; returns it with the token text, which is
    shown this once and never again."""
    require(acting_user, acting_user == user, gettext("You may create tokens for yourself only."))
    name = name.strip()
    if not name or len(name) > 100:
        raise MnrError(gettext("A token needs a name of 1 to 100 characters."))
    if scope not in ApiToken.Scope.values:
        raise MnrError(
            gettext("Unknown token scope %(scope)r: read or write.") % {"scope": scope}
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise MnrError(gettext("A token's expiry must lie in the future."))
    text = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=text[: len(PREFIX) + 6],
        digest=digest(text),
        scope=scope,
        expires_at=expires_at,
    )
    record_event(
        "api_token.create",
        token,
        actor=acting_user,
        source=source,
        name=name,
        scope=scope,
        expires_at=expires_at.isoformat() if expires_at else None,
    )
    return token, text


@transaction.atomic
def revoke_token(token: ApiToken, *, acting_user: Any, source: str = "web") -> None:
    """Revoke ``token`` (its owner does): it stops working at once and stays listed as
    revoked."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    require(
        acting_user,
        acting_user is not None and token.user_id == acting_user.pk,
        gettext("You may revoke your own tokens only."),
    )
    if token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event("api_token.revoke", token, actor=acting_user, source=source, name=token.name)


def token_for(text: str) -> ApiToken | None:
    """The active token whose text is ``text``, its last use recorded; None when there is no
    such token or it was revoked or has expired."""
    token = (
        ApiToken.objects.select_related("user").filter(digest=digest(text)).first()
        if text.startswith(PREFIX)
        else None
    )
    if token is None or not token.active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
