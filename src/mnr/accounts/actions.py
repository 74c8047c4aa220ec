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
    acting_user: Any = None,
    source: str = "cli",
) -> RoleAssignment:
    """Give ``user`` a role, limited to a jurisdiction and/or round when given; a focal point's
    ``respondent`` limits them to that respondent's submissions (blank: every respondent of
    the jurisdiction, the lead's focal point)."""
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
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, jurisdiction=jurisdiction, round=round_, respondent=respondent
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
        )
    forget_assignments(user)
    return assignment


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
