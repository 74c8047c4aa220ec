"""Users, invitations, granting and withdrawing roles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext

from mnr.accounts.models import Invitation, Role, RoleAssignment
from mnr.accounts.permissions import forget_assignments, is_administrator, require
from mnr.audit.record import record_event
from mnr.core.respondents import LEAD, respondent_problem
from mnr.errors import MnrError, unknown
from mnr.frameworks.models import Channel
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.models import Round


@dataclass(frozen=True)
class Scope:
    """Where a role holds: a jurisdiction and/or round (``None``: every one), and for a focal
    point a respondent (blank: every respondent, the lead's focal point) and a channel (blank:
    every channel of the round)."""

    jurisdiction: Jurisdiction | None = None
    round: Round | None = None
    respondent: str = LEAD
    channel: str = ""


def _check_role(role: str, scope: Scope) -> None:
    if role not in Role.values:
        raise unknown("role", role, Role.values)
    if role == Role.FOCAL_POINT and scope.jurisdiction is None:
        raise MnrError("a focal point speaks for one jurisdiction: give the jurisdiction")
    if problem := respondent_problem(scope.respondent):
        raise MnrError(problem)
    if scope.respondent != LEAD and role != Role.FOCAL_POINT:
        raise MnrError(
            f"only a focal point answers for one respondent; a {role} has no respondent "
            "(leave it out)"
        )
    if scope.channel:
        if role != Role.FOCAL_POINT:
            raise MnrError(
                f"only a focal point answers for one channel; a {role} sees every channel "
                "(leave the channel out)"
            )
        known = Channel.objects.values_list("code", flat=True)
        if scope.channel not in known:
            raise unknown("channel", scope.channel, known)
        if scope.round is not None and scope.channel not in scope.round.channels:
            raise unknown(
                f"channel of round {scope.round.code}", scope.channel, scope.round.channels
            )


def _grant(user: Any, role: str, scope: Scope, *, actor: Any, source: str) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        jurisdiction=scope.jurisdiction,
        round=scope.round,
        respondent=scope.respondent,
        channel=scope.channel,
    )
    if created:
        record_event(
            "role.assign",
            assignment,
            actor=actor,
            source=source,
            user=user.get_username(),
            role=role,
            jurisdiction=scope.jurisdiction.code if scope.jurisdiction else None,
            round=scope.round.code if scope.round else None,
            respondent=scope.respondent,
            channel=scope.channel,
        )
    forget_assignments(user)
    return assignment


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
    require(acting_user, is_administrator(acting_user), gettext("Only administrators grant roles."))
    scope = Scope(jurisdiction, round_, respondent, channel)
    _check_role(role, scope)
    return _grant(user, role, scope, actor=acting_user, source=source)


@transaction.atomic
def revoke_role(
    assignment: RoleAssignment, *, acting_user: Any = None, source: str = "cli"
) -> None:
    """Withdraw one role assignment. An administrator may not withdraw their own
    administrator role: someone else has to (so that the last one cannot lock everyone out)."""
    require(
        acting_user, is_administrator(acting_user), gettext("Only administrators withdraw roles.")
    )
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
        acting_user, is_administrator(acting_user), gettext("Only administrators deactivate users.")
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
    require(
        acting_user, is_administrator(acting_user), gettext("Only administrators create users.")
    )
    return _create_user(username, password, email=email, actor=acting_user, source=source)


def _create_user(username: str, password: str, *, email: str, actor: Any, source: str) -> Any:
    """The password is not checked against the password validators here: the users created
    directly are the demo's synthetic ones and those of tests. People choose their own
    password through an invitation (accept_invitation), ``mnr createsuperuser`` or the
    password change page, all of which check it."""
    users = get_user_model()
    if users.objects.filter(username=username).exists():
        raise MnrError(f"a user {username!r} exists already")
    user = users.objects.create_user(username=username, password=password, email=email)
    record_event("user.create", user, actor=actor, source=source)
    return user


# --- Invitations ------------------------------------------------------------------------------

INVITATION_DAYS = 7
_INVITATION_SALT = "mnr.accounts.invitation"


def invitation_token(invitation: Invitation) -> str:
    """The signed token of the sign-up link: it names the invitation and cannot be forged."""
    return signing.dumps(invitation.pk, salt=_INVITATION_SALT)


def invitation_for_token(token: str) -> Invitation:
    """The open invitation a token names, or an MnrError saying why the link does not work."""
    try:
        pk = signing.loads(token, salt=_INVITATION_SALT)
    except signing.BadSignature as error:
        raise MnrError("this sign-up link is not valid; ask an administrator for a new one") from (
            error
        )
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None:
        raise MnrError("this invitation was withdrawn; ask an administrator for a new one")
    if invitation.accepted_at is not None:
        raise MnrError("this sign-up link was used already; sign in with your username")
    if invitation.expires_at <= timezone.now():
        raise MnrError(
            f"this sign-up link expired on {invitation.expires_at:%Y-%m-%d %H:%M} UTC; "
            "ask an administrator for a new one"
        )
    return invitation


@transaction.atomic
def invite_user(
    email: str,
    roles: Sequence[str],
    *,
    scope: Scope = Scope(),
    sign_up_url: str,
    acting_user: Any = None,
    source: str = "cli",
) -> Invitation:
    """Invite someone to sign up with ``roles`` (each held in ``scope``): the link to the
    sign-up page, ``sign_up_url`` with the token in place of ``{token}``, is mailed to
    ``email``. The mail is sent inside the transaction, so an invitation that could not be sent
    is not kept."""
    require(
        acting_user, is_administrator(acting_user), gettext("Only administrators invite users.")
    )
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise MnrError(f"{email!r} is not an email address") from error
    if not roles:
        raise MnrError("choose at least one role for the invited user")
    for role in roles:
        _check_role(role, scope)
    invitation = Invitation.objects.create(
        email=email,
        roles=list(dict.fromkeys(roles)),
        jurisdiction=scope.jurisdiction,
        round=scope.round,
        respondent=scope.respondent,
        channel=scope.channel,
        invited_by=acting_user if acting_user is not None else None,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    record_event(
        "invitation.create", invitation, actor=acting_user, source=source, roles=invitation.roles
    )
    link = sign_up_url.replace("{token}", invitation_token(invitation))
    subject, body = invitation_mail(invitation, link)
    send_mail(subject, body, None, [email])
    return invitation


def invitation_mail(invitation: Invitation, link: str) -> tuple[str, str]:
    """The invitation's subject and text, in the active language (the inviting administrator's
    page language), the roles by their names."""
    roles = ", ".join(str(Role(code).label) for code in invitation.roles)
    body = gettext("You are invited to mnr as %(roles)s.") % {"roles": roles}
    if invitation.jurisdiction is not None:
        body += " " + gettext("You will work for %(jurisdiction)s.") % {
            "jurisdiction": invitation.jurisdiction.name((get_language() or "en").split("-")[0])
        }
    body += "\n\n" + gettext(
        "Choose a username and password here (the link works once, until %(expires)s UTC):"
    ) % {"expires": f"{invitation.expires_at:%Y-%m-%d %H:%M}"}
    return gettext("Your invitation to mnr"), f"{body}\n{link}\n"


@transaction.atomic
def withdraw_invitation(
    invitation: Invitation, *, acting_user: Any = None, source: str = "cli"
) -> None:
    """Cancel an invitation not used yet: its link stops working."""
    require(
        acting_user,
        is_administrator(acting_user),
        gettext("Only administrators withdraw invitations."),
    )
    if invitation.accepted_at is not None:
        raise MnrError(
            f"the invitation of {invitation.email} was used already; deactivate the user instead"
        )
    record_event(
        "invitation.withdraw", invitation, actor=acting_user, source=source, email=invitation.email
    )
    invitation.delete()


@transaction.atomic
def accept_invitation(token: str, username: str, password: str, *, source: str = "web") -> Any:
    """Sign up through an invitation: the user is created with the invitation's roles, and the
    link stops working. The events name the inviting administrator as their actor (who
    authorised the account) and the invitation."""
    invitation = invitation_for_token(token)
    Invitation.objects.select_for_update().get(pk=invitation.pk)
    username = username.strip()
    if not username:
        raise MnrError("choose a username")
    users = get_user_model()
    try:
        users.username_validator(username)
        # The rules of AUTH_PASSWORD_VALIDATORS, as for changing the password.
        validate_password(password, users(username=username, email=invitation.email))
    except ValidationError as error:
        raise MnrError(" ".join(error.messages)) from error
    actor = invitation.invited_by
    user = _create_user(username, password, email=invitation.email, actor=actor, source=source)
    scope = Scope(
        invitation.jurisdiction, invitation.round, invitation.respondent, invitation.channel
    )
    for role in invitation.roles:
        _grant(user, role, scope, actor=actor, source=source)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    record_event("invitation.accept", invitation, actor=actor, source=source, user=username)
    return user
