"""Whether the header offers the administration pages (/manage/) to the signed-in user, and the
names those pages show for role and channel codes."""

from __future__ import annotations

from typing import Any

from django import template
from mnr.accounts.models import Role
from mnr.accounts.permissions import assignments, is_administrator
from mnr.core.framework import text as label_text
from mnr.frameworks.models import Channel
from mnr.web.i18n import ui_language

register = template.Library()


@register.filter
def may_manage(user: Any) -> bool:
    """Administrators, and analysts (who manage their rounds there)."""
    return is_administrator(user) or any(a.role == Role.ANALYST for a in assignments(user))


@register.filter
def role_names(codes: list[str]) -> str:
    return ", ".join(str(Role(code).label) for code in codes if code in Role.values)


@register.filter
def channel_name(code: str) -> str:
    channel = Channel.objects.filter(code=code).first()
    return (label_text(channel.label, ui_language()) if channel else "") or code
