"""Administration pages under /manage/: users and invitations, role assignments, rounds and the
names of maturity phases.

Users, roles and phases are for administrators; rounds also for the analysts who manage them.
Every change goes through an action (which checks permission again, runs in one transaction and
records its audit event); a form with an error writes nothing and shows the error beside its
field, or at the top for what only the action can tell."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from django import forms
from mnr.accounts import actions as accounts
from mnr.accounts.models import Invitation, Role, RoleAssignment
from mnr.accounts.permissions import has_role, is_administrator
from mnr.errors import MnrError
from mnr.frameworks.actions import rename_phase
from mnr.frameworks.models import Edition, Phase
from mnr.surveys import actions as surveys
from mnr.surveys.access import can_manage_round, get_round_for_user
from mnr.surveys.models import Round
from mnr.web.action_messages import shown
from mnr.web.manage_forms import (
    DatesForm,
    GrantForm,
    InvitationForm,
    ParticipantsForm,
    PhaseForm,
    RoundForm,
    SignUpForm,
)

View = Callable[..., HttpResponse]

# Rounds the manage pages offer to change status to, with the button's words.
STATUS_BUTTONS = {
    Round.Status.OPEN: gettext_lazy("Open for answers"),
    Round.Status.CLOSED: gettext_lazy("Close"),
    Round.Status.DRAFT: gettext_lazy("Back to draft"),
}


def administrators_only(view: View) -> View:
    @login_required
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_administrator(request.user):
            raise PermissionDenied(_("Only administrators manage users, roles and phases."))
        return view(request, *args, **kwargs)

    guarded.__name__ = view.__name__
    guarded.__doc__ = view.__doc__
    return guarded


def round_managers_only(view: View) -> View:
    """Administrators and analysts (of some round; each round is checked again)."""

    @login_required
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not has_role(request.user, (Role.ANALYST,), round_id=None) and not any(
            can_manage_round(request.user, r) for r in Round.objects.visible_to(request.user)
        ):
            raise PermissionDenied(_("Only administrators and analysts manage rounds."))
        return view(request, *args, **kwargs)

    guarded.__name__ = view.__name__
    guarded.__doc__ = view.__doc__
    return guarded


def _page(
    request: HttpRequest, template: str, section: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request,
        f"web/manage/{template}",
        {**context, "section": section, "administrator": is_administrator(request.user)},
        status=status,
    )


def _refused(form: forms.Form, error: MnrError) -> None:
    """What an action refused, shown beside the field its message names first (``unknown
    channel of round …``: the channel), else above the form."""
    message = str(error)
    named = [
        (found.start(), name)
        for name in form.fields
        if (found := re.search(rf"\b{re.escape(name.replace('_', ' '))}\b", message))
    ]
    form.add_error(min(named)[1] if named else None, shown(error))


# --- Overview ----------------------------------------------------------------------------------


@round_managers_only
def manage_home(request: HttpRequest) -> HttpResponse:
    return _page(request, "home.html", "home", {"rounds": _managed_rounds(request)})


def _managed_rounds(request: HttpRequest) -> list[Round]:
    return [
        r
        for r in Round.objects.visible_to(request.user).select_related("instrument")
        if can_manage_round(request.user, r)
    ]


# --- Users and invitations ---------------------------------------------------------------------


@administrators_only
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = accounts.invite_user(
                form.cleaned_data["email"],
                form.cleaned_data["roles"],
                scope=accounts.Scope(**_scope(form)),
                sign_up_url=_sign_up_url(request),
                acting_user=request.user,
                source="web",
            )
        except MnrError as error:
            _refused(form, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("manage-users")
    people = (
        get_user_model()
        .objects.order_by("username")
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.select_related("jurisdiction", "round"),
            )
        )
    )
    return _page(
        request,
        "users.html",
        "users",
        {
            "people": people,
            "form": form,
            "invitations": Invitation.objects.filter(
                accepted_at__isnull=True, expires_at__gt=timezone.now()
            ).select_related("jurisdiction", "round", "invited_by"),
        },
    )


def _sign_up_url(request: HttpRequest) -> str:
    """The sign-up link with ``{token}`` where the action puts the token (reverse quotes it)."""
    return unquote(request.build_absolute_uri(reverse("sign-up", args=["{token}"])))


def _scope(form: forms.Form) -> dict[str, Any]:
    values = form.scope_values()  # type: ignore[attr-defined]
    return {
        "jurisdiction": values["jurisdiction"],
        "round": values["round"],
        "respondent": values["respondent"],
        "channel": values["channel"],
    }


@administrators_only
@require_POST
def withdraw_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        accounts.withdraw_invitation(invitation, acting_user=request.user, source="web")
    except MnrError as error:
        messages.error(request, shown(error))
    else:
        messages.success(
            request,
            _("The invitation of %(email)s is withdrawn.") % {"email": invitation.email},
        )
    return redirect("manage-users")


@administrators_only
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        accounts.set_user_active(person, active, acting_user=request.user, source="web")
    except MnrError as error:
        messages.error(request, shown(error))
    else:
        done = _("%(username)s can sign in again.") if active else _("%(username)s deactivated.")
        messages.success(request, done % {"username": person.get_username()})
    return redirect(request.POST.get("next") or "manage-users")


@administrators_only
@require_http_methods(["GET", "POST"])
def user_roles(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=pk)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scope = _scope(form)
        try:
            accounts.assign_role(
                person,
                form.cleaned_data["role"],
                jurisdiction=scope["jurisdiction"],
                round_=scope["round"],
                respondent=scope["respondent"],
                channel=scope["channel"],
                acting_user=request.user,
                source="web",
            )
        except MnrError as error:
            _refused(form, error)
        else:
            messages.success(
                request, _("Role granted to %(username)s.") % {"username": person.get_username()}
            )
            return redirect("manage-user", pk=person.pk)
    return _page(
        request,
        "user.html",
        "users",
        {
            "person": person,
            # In the order given within each role (the model orders by user and role only,
            # which PostgreSQL and SQLite break differently).
            "assignments": person.role_assignments.select_related("jurisdiction", "round").order_by(
                "role", "pk"
            ),
            "form": form,
        },
    )


@administrators_only
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(RoleAssignment.objects.select_related("user"), pk=pk)
    try:
        accounts.revoke_role(assignment, acting_user=request.user, source="web")
    except MnrError as error:
        messages.error(request, shown(error))
    else:
        messages.success(
            request,
            _("Role withdrawn from %(username)s.") % {"username": assignment.user.get_username()},
        )
    return redirect("manage-user", pk=assignment.user_id)


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest, token: str) -> HttpResponse:
    """The page the invitation's link opens: the invitee chooses a username and password."""
    try:
        invitation = accounts.invitation_for_token(token)
    except MnrError as error:
        return render(request, "web/manage/sign_up.html", {"refused": shown(error)}, status=410)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.accept_invitation(
                token, form.cleaned_data["username"], form.cleaned_data["password"], source="web"
            )
        except MnrError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Your account is ready: sign in with your new username."))
            return redirect("login")
    return render(request, "web/manage/sign_up.html", {"form": form, "invitation": invitation})


# --- Rounds ------------------------------------------------------------------------------------


@round_managers_only
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = surveys.create_round(
                data["code"],
                instrument=data["instrument"],
                title=data["title"],
                channels=data["channels"],
                income_fiscal_year=data["income_fiscal_year"],
                synthetic=data["synthetic"],
                acting_user=request.user,
                source="web",
            )
        except MnrError as error:
            _refused(form, error)
        else:
            messages.success(
                request, _("Round %(round)s created as a draft.") % {"round": round_.code}
            )
            return redirect("manage-round", code=round_.code)
    return _page(
        request,
        "rounds.html",
        "rounds",
        {
            "rounds": _managed_rounds(request),
            "form": form,
            "may_create": has_role(request.user, (Role.ANALYST,)),
        },
    )


@round_managers_only
@require_http_methods(["GET", "POST"])
def round_page(request: HttpRequest, code: str) -> HttpResponse:
    round_ = get_round_for_user(request.user, code, manage=True)
    dates = DatesForm(
        request.POST if request.POST.get("form") == "dates" else None,
        initial={"opens_on": round_.opens_on, "closes_on": round_.closes_on},
    )
    participants = ParticipantsForm(
        request.POST if request.POST.get("form") == "participants" else None
    )
    if request.method == "POST":
        done = _round_post(request, round_, dates, participants)
        if done:
            return redirect("manage-round", code=round_.code)
    return _page(
        request,
        "round.html",
        "rounds",
        {
            "round": round_,
            "dates": dates,
            "participants_form": participants,
            "participants": round_.participations.select_related("jurisdiction"),
            "statuses": [
                (status, label)
                for status, label in STATUS_BUTTONS.items()
                if status != round_.status
            ],
        },
    )


def _round_post(
    request: HttpRequest, round_: Round, dates: DatesForm, participants: ParticipantsForm
) -> bool:
    """Carry out one of the round page's forms; True when it was done."""
    which = request.POST.get("form")
    try:
        if which == "dates" and dates.is_valid():
            surveys.update_round(
                round_,
                opens_on=dates.cleaned_data["opens_on"],
                closes_on=dates.cleaned_data["closes_on"],
                acting_user=request.user,
                source="web",
            )
            messages.success(request, _("Dates saved."))
            return True
        if which == "participants" and participants.is_valid():
            added = surveys.add_participants(
                round_,
                participants.cleaned_data["jurisdictions"],
                acting_user=request.user,
                source="web",
            )
            messages.success(
                request,
                ngettext(
                    "%(count)s participant(s) added.", "%(count)s participant(s) added.", len(added)
                )
                % {"count": len(added)},
            )
            return True
        if which == "status":
            status = request.POST.get("status", "")
            if status not in STATUS_BUTTONS:
                raise MnrError(
                    _("choose open, closed or draft; a round is published from its page")
                )
            surveys.set_round_status(round_, status, acting_user=request.user, source="web")
            now = round_.get_status_display().lower()
            messages.success(
                request,
                _("Round %(round)s is now %(status)s.") % {"round": round_.code, "status": now},
            )
            return True
    except MnrError as error:
        form = dates if which == "dates" else participants if which == "participants" else None
        if form is None:
            messages.error(request, shown(error))
            return True
        _refused(form, error)
    return False


# --- Phases ------------------------------------------------------------------------------------


@administrators_only
@require_http_methods(["GET", "POST"])
def phases(request: HttpRequest) -> HttpResponse:
    forms_by_phase: dict[int, PhaseForm] = {}
    if request.method == "POST":
        phase = get_object_or_404(Phase, pk=request.POST.get("phase") or 0)
        form = PhaseForm(request.POST, prefix=f"phase-{phase.pk}")
        forms_by_phase[phase.pk] = form
        if form.is_valid():
            try:
                rename_phase(
                    phase,
                    form.cleaned_data["name"],
                    provisional=form.cleaned_data["provisional"],
                    acting_user=request.user,
                    source="web",
                )
            except MnrError as error:
                _refused(form, error)
            else:
                messages.success(request, _("Phase %(level)s renamed.") % {"level": phase.level})
                return redirect("manage-phases")
    editions = []
    for edition in Edition.objects.order_by("code", "-version").prefetch_related("phases"):
        rows = []
        for phase in edition.phases.all():
            form = forms_by_phase.get(phase.pk) or PhaseForm(
                initial={"name": phase.name.get("en", ""), "provisional": phase.provisional},
                prefix=f"phase-{phase.pk}",
            )
            rows.append((phase, form))
        editions.append((edition, rows))
    if not editions:
        raise Http404(_("No framework edition is loaded."))
    return _page(request, "phases.html", "phases", {"editions": editions})
