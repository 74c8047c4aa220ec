"""Granting and withdrawing roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from mnr.accounts.models import Role, RoleAssignment
from mnr.accounts.permissions import forget_assignments, is_administrator, require
from mnr.audit.record import record_event
from mnr.core.respondents import LEAD, respondent_problem
from mnr.errors import MnrError, unknown
from mnr.frameworks.models import Channel
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.models import Round


@transaction.atomic
def assign_role(
    user: Any,
    role: str,
    *,
    jurisdiction: Jurisdiction | None = None,
    round_: Round | None = None,
    respondent: str = LEAD,
    channel: str = "",
    acting_user: Any = None,
    source: str = "cli",
) -> RoleAssignment:
    """Give ``user`` a role, limited to a jurisdiction and/or round when given; a focal point's
    ``respondent`` limits them to that respondent's submissions (blank: every respondent of
    the jurisdiction, the lead's focal point), and their ``channel`` to the submissions of that
    channel (blank: every channel of the round)."""
    require(acting_user, is_administrator(acting_user), "Only administrators grant roles.")
    if role not in Role.values:
        raise unknown("role", role, Role.values)
    if role == Role.FOCAL_POINT and jurisdiction is None:
        raise MnrError("a focal point speaks for one jurisdiction: give the jurisdiction")
    if problem := respondent_problem(respondent):
        raise MnrError(problem)
    if respondent != LEAD and role != Role.FOCAL_POINT:
        raise MnrError(
            f"only a focal point answers for one respondent; a {role} has no respondent "
            "(leave it out)"
        )
    if channel:
        if role != Role.FOCAL_POINT:
            raise MnrError(
                f"only a focal point answers for one channel; a {role} sees every channel "
                "(leave the channel out)"
            )
        known = Channel.objects.values_list("code", flat=True)
        if channel not in known:
            raise unknown("channel", channel, known)
        if round_ is not None and channel not in round_.channels:
            raise unknown(f"channel of round {round_.code}", channel, round_.channels)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        jurisdiction=jurisdiction,
        round=round_,
        respondent=respondent,
        channel=channel,
    )
    if created:
        record_event(
            "role.assign",
            assignment,
            actor=acting_user,
            source=source,
            user=user.get_username(),
            role=role,
            jurisdiction=jurisdiction.code if jurisdiction else None,
            round=round_.code if round_ else None,
            respondent=respondent,
            channel=channel,
        )
    forget_assignments(user)
    return assignment


@transaction.atomic
def revoke_role(
    assignment: RoleAssignment, *, acting_user: Any = None, source: str = "cli"
) -> None:
    """Withdraw one role assignment. An administrator may not withdraw their own
    administrator role: someone else has to (so that the last one cannot lock everyone out)."""
    require(acting_user, is_administrator(acting_user), "Only administrators withdraw roles.")
    if (
        acting_user is not None
        and assignment.user_id == acting_user.pk
        and assignment.role == Role.ADMINISTRATOR
    ):
        raise MnrError("you cannot withdraw your own administrator role; ask another administrator")
    user = assignment.user
    record_event(
        "role.revoke",
        assignment,
        actor=acting_user,
        source=source,
        user=user.get_username(),
        role=assignment.role,
        jurisdiction=assignment.jurisdiction.code if assignment.jurisdiction else None,
        round=assignment.round.code if assignment.round else None,
        respondent=assignment.respondent,
        channel=assignment.channel,
    )
    assignment.delete()
    forget_assignments(user)


@transaction.atomic
def set_user_active(
    user: Any, active: bool, *, acting_user: Any = None, source: str = "cli"
) -> Any:
    """Deactivate a user (they can no longer sign in; their history stays theirs) or
    reactivate them. Nobody deactivates themselves."""
    require(
        acting_user, is_administrator(acting_user), "Only administrators deactivate users."
    )
    if not active and acting_user is not None and user.pk == acting_user.pk:
        raise MnrError("you cannot deactivate yourself; ask another administrator")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        record_event(
            "user.reactivate" if active else "user.deactivate",
            user,
            actor=acting_user,
            source=source,
        )
    return user


@transaction.atomic
def create_user(
    username: str, password: str, *, email: str = "", acting_user: Any = None, source: str = "cli"
) -> Any:
    require(acting_user, is_administrator(acting_user), "Only administrators create users.")
    users = get_user_model()
    if users.objects.filter(username=username).exists():
        raise MnrError(f"a user {username!r} exists already")
    user = users.objects.create_user(username=username, password=password, email=email)
    record_event("user.create", user, actor=acting_user, source=source)
    return user
