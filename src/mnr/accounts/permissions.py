"""Permission predicates. Role assignments are data; these are the only rules read from them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from mnr.accounts.models import Role, RoleAssignment
from mnr.core.respondents import LEAD

_CACHE_ATTRIBUTE = "_mnr_role_assignments"


def assignments(user: Any) -> list[RoleAssignment]:
    """The user's role assignments, read once per request (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user))
        setattr(user, _CACHE_ATTRIBUTE, cached)
    return cached


def forget_assignments(user: Any) -> None:
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def is_administrator(user: Any) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser) or any(a.role == Role.ADMINISTRATOR for a in assignments(user))


def require(acting_user: Any, allowed: bool, message: str) -> None:
    """The one check every action makes: the operator at the command line (``acting_user``
    None, who has the database anyway), or a user for whom ``allowed`` holds; otherwise
    PermissionDenied with ``message``."""
    if acting_user is not None and not allowed:
        raise PermissionDenied(message)


def covers_respondent(assignment: RoleAssignment, respondent: str) -> bool:
    """The respondent rule, the only one: an assignment without a respondent (the lead's
    focal point, and every other role) covers every respondent of its jurisdiction; one with a
    respondent covers that respondent only."""
    return assignment.respondent == LEAD or assignment.respondent == respondent


def covers_channel(assignment: RoleAssignment, channel: str | None) -> bool:
    """The channel rule, the only one: an assignment without a channel covers every channel;
    one with a channel (a focal point of the government) covers that channel's submissions
    only. ``None`` is a scope that is not about one channel (a jurisdiction's maturity, its
    findings), which every assignment covers."""
    return not assignment.channel or channel is None or assignment.channel == channel


def has_role(
    user: Any,
    roles: Collection[str],
    *,
    jurisdiction_id: int | None = None,
    round_id: int | None = None,
    respondent: str = LEAD,
    channel: str | None = None,
) -> bool:
    """True when one of the user's assignments has one of ``roles`` and covers the scope.

    An assignment without a jurisdiction (or round) covers every jurisdiction (or round).
    ``respondent`` is the respondent the scope is about (:func:`covers_respondent`); the
    default, the lead, is the jurisdiction as a whole, which a focal point limited to one
    respondent does not speak for. ``channel`` is the channel the scope is about
    (:func:`covers_channel`; ``None``: no one channel). Administrators hold every role
    everywhere."""
    if is_administrator(user):
        return True
    return any(
        a.role in roles
        and (a.jurisdiction_id is None or a.jurisdiction_id == jurisdiction_id)
        and (a.round_id is None or a.round_id == round_id)
        and covers_respondent(a, respondent)
        and covers_channel(a, channel)
        for a in assignments(user)
    )


def focal_point_respondents(user: Any, *, jurisdiction_id: int, round_id: int) -> list[str]:
    """The respondents the user's focal-point assignments for the jurisdiction and round name,
    in code order (``""``: the lead's focal point, who also answers for every other respondent).
    Administrators, focal points everywhere by their role, name none."""
    return sorted(
        {
            a.respondent
            for a in assignments(user)
            if a.role == Role.FOCAL_POINT
            and a.jurisdiction_id == jurisdiction_id
            and (a.round_id is None or a.round_id == round_id)
        }
    )


def scope_filter(
    user: Any,
    roles: Collection[str],
    *,
    prefix: str = "",
    respondent_field: str | None = None,
    channel_field: str | None = None,
) -> Q | None:
    """A filter matching the (round, jurisdiction) pairs ``roles`` give the user, and, with
    ``respondent_field`` (the filtered model's respondent, e.g. ``"respondent"`` for
    submissions), the respondents :func:`covers_respondent` lets them see, and with
    ``channel_field`` (``"channel"`` for submissions) the channels :func:`covers_channel` does.

    ``None`` means no restriction (administrators); an impossible filter means nothing."""
    if is_administrator(user):
        return None
    condition = Q(pk__in=[])
    for a in assignments(user):
        if a.role not in roles:
            continue
        limited_respondent = respondent_field is not None and a.respondent != LEAD
        limited_channel = channel_field is not None and bool(a.channel)
        if (
            a.round_id is None
            and a.jurisdiction_id is None
            and not limited_respondent
            and not limited_channel
        ):
            return None  # an unlimited assignment: nothing to filter (an empty Q would be dropped)
        part = Q()
        if a.round_id is not None:
            part &= Q(**{f"{prefix}round_id": a.round_id})
        if a.jurisdiction_id is not None:
            part &= Q(**{f"{prefix}jurisdiction_id": a.jurisdiction_id})
        if limited_respondent:
            part &= Q(**{f"{prefix}{respondent_field}": a.respondent})
        if limited_channel:
            part &= Q(**{f"{prefix}{channel_field}": a.channel})
        condition |= part
    return condition


ALL_ROLES = tuple(Role.values)
# Who may see every jurisdiction of a round (subject to their round scope).
ROUND_WIDE_ROLES = (Role.ANALYST, Role.REVIEWER)
