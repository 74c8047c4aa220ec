"""Whether the header offers the administration pages (/manage/) to the signed-in user."""

from __future__ import annotations

from typing import Any

from django import template
from mnr.accounts.models import Role
from mnr.accounts.permissions import assignments, is_administrator

register = template.Library()


@register.filter
def may_manage(user: Any) -> bool:
    """Administrators, and analysts (who manage their rounds there)."""
    return is_administrator(user) or any(a.role == Role.ANALYST for a in assignments(user))
