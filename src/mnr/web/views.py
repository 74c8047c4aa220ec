from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mnr.accounts.permissions import is_administrator
from mnr.errors import MnrError
from mnr.frameworks.actions import rename_phase
from mnr.frameworks.models import Capability, Edition, Phase
from mnr.frameworks.presentation import edition_by_code
from mnr.publications.actions import publish
from mnr.publications.models import Publication
from mnr.reports.texts import LANGUAGES as REPORT_TEXTS
from mnr.surveys.access import can_manage_round, can_see_jurisdiction_data, get_round_for_user
from mnr.surveys.models import Round, Submission
from mnr.web import dashboard, entry
from mnr.web.action_messages import shown

# The languages a report is written in, named in their own language.
REPORT_LANGUAGES = [(code, name) for code, name in settings.LANGUAGES if code in REPORT_TEXTS]


def home(request: HttpRequest) -> HttpResponse:
    """A dashboard: what needs the user's action, and each round's response status by channel
    (counts only) with its deadline."""
    rounds = list(
        Round.objects.visible_to(request.user).select_related("instrument").annotate_counts()
    )
    editions = Edition.objects.order_by("code", "-version")
    startable = 0
    if request.user.is_authenticated:
        listed = list(Submission.objects.visible_to(request.user))
        startable = len(entry.startable(request.user, listed, entry.channel_labels()))
    return render(
        request,
        "web/home.html",
        {
            "rounds": rounds,
            "editions": editions,
            "channel_labels": entry.channel_labels(),
            "published": set(
                Publication.objects.filter(round__in=rounds).values_list("round_id", flat=True)
            ),
            "response_status": dashboard.response_status(rounds),
            "board": dashboard.dashboard(request.user, rounds, startable=startable),
        },
    )


def framework(request: HttpRequest, code: str) -> HttpResponse:
    try:
        edition = edition_by_code(code)
    except MnrError as error:
        raise Http404(str(error)) from error
    domains = edition.domains.prefetch_related(
        Prefetch(
            "capabilities",
            queryset=Capability.objects.prefetch_related("phase_descriptors", "questions"),
        )
    )
    return render(
        request,
        "web/framework.html",
        {
            "edition": edition,
            "domains": domains,
            "phases": edition.phases.all(),
            "can_rename_phases": is_administrator(request.user),
        },
    )


def round_detail(request: HttpRequest, code: str) -> HttpResponse:
    round_ = get_round_for_user(request.user, code)
    submissions = (
        Submission.objects.visible_to(request.user)
        .filter(round=round_)
        .select_related("jurisdiction")
    )
    manager = can_manage_round(request.user, round_)
    publications = list(Publication.objects.filter(round=round_).select_related("created_by"))
    return render(
        request,
        "web/round.html",
        {
            "round": round_,
            "submissions": submissions,
            "participants": round_.participations.count(),
            "jurisdiction_level": can_see_jurisdiction_data(request.user, round_),
            "can_publish": manager,
            "report_languages": REPORT_LANGUAGES,
            # The change log and the submissions left out are for the round's analysts: the
            # public reads the latest publication only.
            "publications": publications if manager else publications[:1],
        },
    )


@login_required
@require_POST
def round_publish(request: HttpRequest, code: str) -> HttpResponse:
    round_ = get_round_for_user(request.user, code, manage=True)
    try:
        publication = publish(round_, note=request.POST.get("note", ""), acting_user=request.user)
    except MnrError as error:
        messages.error(request, shown(error))
    else:
        changed = len(publication.changes)
        if publication.number == 1:  # nothing to compare with
            message = _("Published as publication %(number)s, the round's first.")
        else:
            message = ngettext(
                "Published as publication %(number)s; %(changed)s figure changed since the "
                "previous one.",
                "Published as publication %(number)s; %(changed)s figures changed since the "
                "previous one.",
                changed,
            )
        messages.success(request, message % {"number": publication.number, "changed": changed})
    return redirect("round", code=round_.code)


@login_required
@require_POST
def rename_phase_view(request: HttpRequest, code: str, level: int) -> HttpResponse:
    """Administrators replace the provisional names of maturity phases."""
    if not is_administrator(request.user):
        raise PermissionDenied(_("Only administrators rename maturity phases."))
    try:
        phase = edition_by_code(code).phases.get(level=level)
    except (MnrError, Phase.DoesNotExist) as error:
        raise Http404(str(error)) from error
    try:
        rename_phase(
            phase,
            request.POST.get("name", ""),
            provisional=request.POST.get("provisional") == "on",
            acting_user=request.user,
        )
    except MnrError as error:
        messages.error(request, shown(error))
    return redirect("framework", code=code)
