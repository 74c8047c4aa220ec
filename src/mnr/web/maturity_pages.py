"""Pages for a round's maturity records: a jurisdiction's action plan (edited by its focal
point), consent to peer exchange and what consenting peers share, the consolidated phases
with reviewers' overrides, and the round's overview.

Every page reads through ``mnr.maturity.service``, which turns "may not see" into 404 (for
anonymous visitors too: nothing says whether a jurisdiction has a record); every form calls
one action of ``mnr.maturity.actions``, which refuses with PermissionDenied (a 403) or with an
``MnrError`` that the page shows beside the form, nothing written. Jurisdictions are listed by
code, never by maturity (``docs/maturity.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from mnr.core import framework as core_framework
from mnr.core import plan as core_plan
from mnr.core.framework import PHASE_LEVELS
from mnr.errors import MnrError
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import access, actions, data, service
from mnr.maturity.models import PhaseOverride, PlanItem, PlanItemChange
from mnr.surveys.access import get_round_for_user
from mnr.surveys.models import Round, Submission
from mnr.web.i18n import ui_language
from mnr.web.labels import group_name
from mnr.web.questionnaire import confidence_label

# A stored plan item starts at version 1 (``PlanItem.version``); an item of the proposal,
# not stored yet, is posted as version 1 too, so that a writer who read the proposal is
# refused once someone else has changed that item (the first change stores the proposal).
PROPOSAL_VERSION = 1
ITEM_FIELDS = ("owner", "due", "status", "notes", "target_phase")
FIELD_LABELS: Mapping[str, Any] = {
    "owner": gettext_lazy("Owner"),
    "due": gettext_lazy("Due date"),
    "status": gettext_lazy("Status"),
    "notes": gettext_lazy("Notes"),
    "target_phase": gettext_lazy("Target phase"),
    "dropped": gettext_lazy("Dropped"),
}


def _lang() -> str:
    return ui_language()


def _round_and_jurisdiction(
    user: Any, code: str, jurisdiction_code: str
) -> tuple[Round, Jurisdiction]:
    """The round and one of its jurisdictions whose maturity the user may see, else 404."""
    round_ = get_round_for_user(user, code)
    jurisdiction = Jurisdiction.objects.filter(
        code=jurisdiction_code, participations__round=round_
    ).first()
    if jurisdiction is None:
        raise Http404(
            _("No jurisdiction %(jurisdiction)r in round %(round)s")
            % {"jurisdiction": jurisdiction_code, "round": round_.code}
        )
    service.require_maturity_view(user, round_, jurisdiction)
    try:
        service.require_phases(round_)
    except MnrError as error:
        raise Http404(str(error)) from error
    return round_, jurisdiction


def profile_url(round_: Round, jurisdiction: Jurisdiction) -> str | None:
    """The jurisdiction's profile page, when the profile pages are installed."""
    try:
        return reverse("maturity-profile", args=[round_.code, jurisdiction.code])
    except NoReverseMatch:
        return None


def _capability_names(round_: Round, lang: str) -> dict[str, str]:
    edition = service.edition_of(round_)
    names = {c.id: core_framework.text(c.name, lang) for c in edition.capabilities()}
    for question in data.phase_questions(round_):
        # A merged capability of the instrument (C16-17) is named after what it stands for.
        if question.capability not in names:
            names[question.capability] = " / ".join(
                names.get(target, target) for target in question.crosswalk
            )
    return names


def _phase_label(phase: int | None, names: Mapping[int, str]) -> str:
    if phase is None:
        return _("no phase yet")
    return (_("phase %(level)s %(name)s") % {"level": phase, "name": names.get(phase, "")}).rstrip()


def _int_or_text(given: str) -> int | str:
    """A posted phase: a whole number when it is one, else the text (the action refuses it
    with a message that names it)."""
    given = given.strip()
    return int(given) if given.isascii() and given.isdecimal() else given


def _version(given: str | None) -> int | None:
    return int(given) if given and given.isascii() and given.isdecimal() else None


def _posted_text(request: HttpRequest, name: str) -> str:
    # Browsers send textarea line breaks as CRLF; stored text uses LF.
    return request.POST.get(name, "").replace("\r\n", "\n")


def _tell(request: HttpRequest, text: str, at: str, *, level: int = messages.SUCCESS) -> None:
    """A message for the next page, shown at the part ``at`` (an anchor) it is about: after
    a save the page opens there, above the messages at its top."""
    messages.add_message(request, level, text, extra_tags=at)


def _told(request: HttpRequest) -> dict[str, list[Message]]:
    """The messages for this page by the part they are about ("" for the page itself)."""
    told: dict[str, list[Message]] = {}
    for message in messages.get_messages(request):
        told.setdefault(message.extra_tags or "", []).append(message)
    return told


# --- The action plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeView:
    """One field of a plan item that changed, in words."""

    change: PlanItemChange
    label: str
    old: str
    new: str

    @classmethod
    def of(cls, change: PlanItemChange) -> ChangeView:
        def shown(value: str) -> str:
            if change.field == "status" and value in PlanItem.Status.values:
                return str(PlanItem.Status(value).label)
            if change.field == "dropped":
                return {"True": _("yes"), "False": _("no")}.get(value, value)
            return value

        label = str(FIELD_LABELS.get(change.field, change.field))
        return cls(change, label, shown(change.old), shown(change.new))

    @property
    def changed_at(self) -> Any:
        return self.change.changed_at

    @property
    def changed_by(self) -> Any:
        return self.change.changed_by

    @property
    def source(self) -> str:
        return self.change.source


@dataclass
class ItemView:
    """One item of the plan as the page shows it, with its form."""

    number: int
    item: core_plan.PlanItem
    name: str
    current: str
    target: str
    enablers: list[tuple[str, str]]
    version: int
    form: dict[str, str]
    targets: list[tuple[int, str]]
    history: list[ChangeView]
    stored: PlanItem | None
    error: str = ""
    conflict: PlanItem | None = None
    notes: list[Message] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"item-{self.item.capability}"

    @property
    def status_label(self) -> str:
        return str(PlanItem.Status(self.item.status).label)


@dataclass
class Problem:
    """What went wrong with a form of the plan page, to show beside it."""

    capability: str
    message: str
    posted: dict[str, str] = field(default_factory=dict)
    conflict: PlanItem | None = None


def _stored_form(item: core_plan.PlanItem, stored: PlanItem | None) -> dict[str, str]:
    return {
        "owner": item.owner or "",
        "due": item.due.isoformat() if item.due else "",
        "status": item.status,
        "notes": stored.notes if stored else "",
        "target_phase": str(item.target_phase),
    }


def _plan_context(
    request: HttpRequest, round_: Round, jurisdiction: Jurisdiction, problem: Problem | None = None
) -> dict[str, Any]:
    lang = _lang()
    user = request.user
    told = _told(request)
    plan = service.plan_for(round_, jurisdiction, lang=lang, user=user)
    stored = service.stored_items(round_, jurisdiction)
    phase_names = service.phase_names(round_, lang)
    names = _capability_names(round_, lang)
    history: dict[int, list[ChangeView]] = {}
    for change in PlanItemChange.objects.filter(
        item__round=round_, item__jurisdiction=jurisdiction
    ).select_related("changed_by"):
        history.setdefault(change.item_id, []).append(ChangeView.of(change))
    items = []
    for number, item in enumerate(plan.items, start=1):
        row = stored.get(item.capability)
        view = ItemView(
            number=number,
            item=item,
            name=names.get(item.capability, item.capability),
            current=_phase_label(item.current_phase, phase_names),
            target=_phase_label(item.target_phase, phase_names),
            enablers=[(c, names.get(c, c)) for c in item.depends_on],
            version=row.version if row else PROPOSAL_VERSION,
            form=_stored_form(item, row),
            targets=[
                (level, phase_names.get(level, ""))
                for level in PHASE_LEVELS
                if level > (item.current_phase or 0)
            ],
            history=history.get(row.pk, []) if row else [],
            stored=row,
            notes=told.get(f"item-{item.capability}", []),
        )
        if problem is not None and problem.capability == item.capability:
            view.error = problem.message
            view.form.update(problem.posted)
            if problem.conflict is not None:
                view.conflict = problem.conflict
                view.version = problem.conflict.version
        items.append(view)
    phases = service.jurisdiction_maturity(round_, jurisdiction, user=user).jurisdiction_phases(
        jurisdiction.code
    )
    planned = {item.capability for item in plan.items}
    addable = [
        (capability, names.get(capability, capability), _phase_label(phase, phase_names))
        for capability, phase in phases.items()
        if capability not in planned and (phase or 0) < max(PHASE_LEVELS)
    ]
    dropped = [
        (row, names.get(row.capability, row.capability), history.get(row.pk, []))
        for row in stored.values()
        if row.dropped
    ]
    consent = actions.current_consent(round_, jurisdiction)
    return {
        "round": round_,
        "jurisdiction": jurisdiction,
        "jurisdiction_name": jurisdiction.name(lang),
        "items": items,
        "addable": addable,
        "dropped": dropped,
        "phase_names": sorted(phase_names.items()),
        "statuses": PlanItem.Status.choices,
        "editing": access.can_edit_plan(user, round_, jurisdiction),
        "proposal": not stored,
        "consent": consent,
        "may_set_consent": access.can_set_consent(user, round_, jurisdiction),
        "peers_consented": bool(service.consenting(round_) - {jurisdiction.code}),
        "profile_url": profile_url(round_, jurisdiction),
        "problem": problem,
        "add_problem": problem if problem is not None and problem.capability == "" else None,
        # A problem with an item the page does not show (dropped, or unknown) goes on top.
        "page_problem": problem
        if problem is not None and problem.capability not in {"", *planned}
        else None,
        "page_notes": told.get("", []),
        "consent_notes": told.get("consent", []),
    }


def _plan_page(
    request: HttpRequest,
    round_: Round,
    jurisdiction: Jurisdiction,
    *,
    problem: Problem | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _plan_context(request, round_, jurisdiction, problem)
    return render(request, "web/maturity/plan.html", context, status=status)


def _plan_url(round_: Round, jurisdiction: Jurisdiction, capability: str = "") -> str:
    url = reverse("maturity-plan", args=[round_.code, jurisdiction.code])
    return f"{url}#item-{capability}" if capability else url


@require_GET
def plan_page(request: HttpRequest, code: str, jurisdiction: str) -> HttpResponse:
    round_, place = _round_and_jurisdiction(request.user, code, jurisdiction)
    return _plan_page(request, round_, place)


def _posted_item(request: HttpRequest) -> dict[str, str]:
    return {
        "owner": request.POST.get("owner", ""),
        "due": request.POST.get("due", ""),
        "status": request.POST.get("status", ""),
        "notes": _posted_text(request, "notes"),
        "target_phase": request.POST.get("target_phase", ""),
    }


def _changes(posted: dict[str, str], item: core_plan.PlanItem | None) -> dict[str, Any]:
    """What the item form asks to change. The target goes only when it is another one, so
    that saving the owner does not re-check a target the phases have caught up with."""
    changes: dict[str, Any] = {name: posted[name] for name in ("owner", "due", "status", "notes")}
    if item is not None and posted["target_phase"] != str(item.target_phase):
        changes["target_phase"] = _int_or_text(posted["target_phase"])
    return changes


@require_POST
def plan_item_save(
    request: HttpRequest, code: str, jurisdiction: str, capability: str
) -> HttpResponse:
    round_, place = _round_and_jurisdiction(request.user, code, jurisdiction)
    posted = _posted_item(request)
    plan = service.plan_for(round_, place, user=request.user)
    item = next((i for i in plan.items if i.capability == capability), None)
    expected = _version(request.POST.get("version"))
    try:
        saved = actions.update_plan_item(
            round_,
            place,
            capability,
            _changes(posted, item),
            expected_version=expected,
            acting_user=request.user,
            source="web",
        )
    except actions.StalePlanItem as stale:
        by = stale.by
        message = _(
            "Nothing was saved: %(user)s changed %(capability)s while you were editing it (you "
            "read version %(read)s, it is now version %(version)s). What is saved now is shown "
            "below; your values are still in the form. Save again to replace it with yours, or "
            "reload the plan to keep it."
        ) % {
            "user": by,
            "capability": capability,
            "read": stale.expected,
            "version": stale.item.version,
        }
        problem = Problem(capability, message, posted, conflict=stale.item)
        return _plan_page(request, round_, place, problem=problem, status=409)
    except MnrError as error:
        problem = Problem(capability, _("Nothing was saved: %(error)s") % {"error": error}, posted)
        return _plan_page(request, round_, place, problem=problem, status=400)
    unchanged = expected is not None and saved.version == expected
    _tell(
        request,
        (_("Nothing changed in %(capability)s.") if unchanged else _("Saved %(capability)s."))
        % {"capability": capability},
        f"item-{capability}",
    )
    return redirect(_plan_url(round_, place, capability))


@require_POST
def plan_item_drop(
    request: HttpRequest, code: str, jurisdiction: str, capability: str
) -> HttpResponse:
    round_, place = _round_and_jurisdiction(request.user, code, jurisdiction)
    try:
        actions.drop_plan_item(
            round_,
            place,
            capability,
            expected_version=_version(request.POST.get("version")),
            acting_user=request.user,
            source="web",
        )
    except actions.StalePlanItem as stale:
        by = stale.by
        message = _(
            "%(capability)s was not dropped: %(user)s changed it while you were reading it (it "
            "is now version %(version)s). Look at what is saved now, shown below, and drop it "
            "again if you still want to."
        ) % {"capability": capability, "user": by, "version": stale.item.version}
        problem = Problem(capability, message, conflict=stale.item)
        return _plan_page(request, round_, place, problem=problem, status=409)
    except MnrError as error:
        problem = Problem(capability, _("Nothing was dropped: %(error)s") % {"error": error})
        return _plan_page(request, round_, place, problem=problem, status=400)
    _tell(
        request,
        _("Dropped %(capability)s from the plan. Its history is kept; you can add it back.")
        % {"capability": capability},
        "",
    )
    return redirect(_plan_url(round_, place))


@require_POST
def plan_item_add(request: HttpRequest, code: str, jurisdiction: str) -> HttpResponse:
    round_, place = _round_and_jurisdiction(request.user, code, jurisdiction)
    capability = request.POST.get("capability", "")
    target = request.POST.get("target_phase", "").strip()
    # Blank: the next phase. Anything else goes to the action, which names what it refuses.
    target_phase: Any = _int_or_text(target) if target else None
    try:
        actions.add_plan_item(
            round_,
            place,
            capability,
            target_phase=target_phase,
            acting_user=request.user,
            source="web",
        )
    except MnrError as error:
        posted = {"capability": capability, "target_phase": target}
        problem = Problem("", _("Nothing was added: %(error)s") % {"error": error}, posted)
        return _plan_page(request, round_, place, problem=problem, status=400)
    _tell(
        request,
        _("Added %(capability)s to the plan.") % {"capability": capability},
        f"item-{capability}",
    )
    return redirect(_plan_url(round_, place, capability))


# --- Consent and peers -----------------------------------------------------------------------

CONSENT_CHOICES = {"yes": True, "no": False}


@require_POST
def consent_save(request: HttpRequest, code: str, jurisdiction: str) -> HttpResponse:
    round_, place = _round_and_jurisdiction(request.user, code, jurisdiction)
    given = request.POST.get("peer_exchange", "")
    try:
        if given not in CONSENT_CHOICES:
            raise MnrError(
                _("choose yes or no: may peers learn your phases for knowledge exchange?")
            )
        actions.set_consent(
            round_, place, CONSENT_CHOICES[given], acting_user=request.user, source="web"
        )
    except MnrError as error:
        _tell(
            request,
            _("Consent not recorded: %(error)s") % {"error": error},
            "consent",
            level=messages.ERROR,
        )
    else:
        recorded = (
            _("Recorded: peers may learn your phases.")
            if CONSENT_CHOICES[given]
            else _("Recorded: nothing about your phases is shown to peers.")
        )
        _tell(request, recorded, "consent")
    return redirect(_plan_url(round_, place) + "#consent")


@require_GET
def peers_page(request: HttpRequest, code: str, jurisdiction: str, capability: str) -> HttpResponse:
    """Jurisdictions at a higher phase of one capability that agreed to share, by code."""
    round_, place = _round_and_jurisdiction(request.user, code, jurisdiction)
    lang = _lang()
    try:
        found = service.peers(round_, place, capability, user=request.user)
    except MnrError as error:
        raise Http404(str(error)) from error
    phase_names = service.phase_names(round_, lang)
    edition = service.edition_of(round_)
    descriptors: dict[int, str] = {}
    if capability in {c.id for c in edition.capabilities()}:
        descriptors = {
            level: core_framework.text(label, lang)
            for level, label in edition.capability(capability).phase_descriptors.items()
        }
    own = (
        service.jurisdiction_maturity(round_, place, user=request.user)
        .jurisdiction_phases(place.code)
        .get(capability)
    )
    return render(
        request,
        "web/maturity/peers.html",
        {
            "round": round_,
            "jurisdiction": place,
            "jurisdiction_name": place.name(lang),
            "capability": capability,
            "capability_name": _capability_names(round_, lang).get(capability, capability),
            "own_phase": _phase_label(own, phase_names),
            "peers": [
                {**peer, "phase_label": _phase_label(peer["phase"], phase_names)} for peer in found
            ],
            "descriptors": sorted(descriptors.items()),
            "plan_url": _plan_url(round_, place, capability),
        },
    )


# --- Consolidated phases and overrides -------------------------------------------------------


@dataclass
class PhaseRow:
    capability: str
    name: str
    result: Any
    answers: list[dict[str, Any]]
    history: list[PhaseOverride]
    error: str = ""
    posted: dict[str, str] = field(default_factory=dict)
    notes: list[Message] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"phase-{self.capability}"

    @property
    def placed(self) -> bool:
        """Whether anything is known of it: a respondent's record, or an override."""
        return bool(self.answers or self.history)


def _answer_row(round_: Round, answer: data.PhaseAnswer) -> dict[str, Any]:
    first_channel = round_.channels[0] if round_.channels else answer.channel
    return {
        "respondent": answer.respondent_label
        + ("" if answer.channel == first_channel else f" ({answer.channel})"),
        "phase": answer.phase,
        "confidence": confidence_label(answer.confidence),
        "evidence": answer.evidence,
        "evidence_url": answer.evidence_url,
        "status": Submission.Status(answer.status).label,
    }


def _phases_page(
    request: HttpRequest,
    round_: Round,
    jurisdiction: Jurisdiction,
    *,
    problem: Problem | None = None,
    status: int = 200,
) -> HttpResponse:
    lang = _lang()
    told = _told(request)
    maturity = service.jurisdiction_maturity(round_, jurisdiction, user=request.user)
    by_unit = data.answers_by_unit(data.phase_answers(round_, [jurisdiction.code]))
    names = _capability_names(round_, lang)
    history: dict[str, list[PhaseOverride]] = {}
    overrides = PhaseOverride.objects.filter(round=round_, jurisdiction=jurisdiction)
    for override in overrides.order_by("at", "id"):
        history.setdefault(override.capability, []).append(override)
    rows = []
    for result in maturity.phases:
        row = PhaseRow(
            capability=result.capability,
            name=names.get(result.capability, result.capability),
            result=result,
            answers=[
                _answer_row(round_, answer)
                for answer in sorted(
                    by_unit.get((jurisdiction.code, result.capability), []),
                    key=lambda answer: answer.respondent,
                )
            ],
            history=history.get(result.capability, []),
            notes=told.get(f"phase-{result.capability}", []),
        )
        if problem is not None and problem.capability == result.capability:
            row.error, row.posted = problem.message, problem.posted
        rows.append(row)
    context = {
        "round": round_,
        "jurisdiction": jurisdiction,
        "jurisdiction_name": jurisdiction.name(lang),
        "rows": rows,
        "phase_names": sorted(service.phase_names(round_, lang).items()),
        "may_override": access.can_override(request.user, round_, jurisdiction),
        "profile_url": profile_url(round_, jurisdiction),
        "problem": problem,
        "page_notes": told.get("", []),
        "page_problem": problem
        if problem is not None and problem.capability not in {row.capability for row in rows}
        else None,
        "unplaced": [row for row in rows if not row.placed],
    }
    return render(request, "web/maturity/phases.html", context, status=status)


@require_GET
def phases_page(request: HttpRequest, code: str, jurisdiction: str) -> HttpResponse:
    round_, place = _round_and_jurisdiction(request.user, code, jurisdiction)
    return _phases_page(request, round_, place)


@require_POST
def override_save(
    request: HttpRequest, code: str, jurisdiction: str, capability: str
) -> HttpResponse:
    """Record a reviewer's override, or withdraw the one in force (``withdraw``)."""
    round_, place = _round_and_jurisdiction(request.user, code, jurisdiction)
    withdraw = "withdraw" in request.POST
    posted = {"phase": request.POST.get("phase", ""), "reason": _posted_text(request, "reason")}
    phase: Any = None if withdraw else _int_or_text(posted["phase"])
    try:
        actions.override_phase(
            round_,
            place,
            capability,
            phase,
            posted["reason"],
            acting_user=request.user,
            source="web",
        )
    except MnrError as error:
        refused = (
            _("Nothing was withdrawn: %(error)s")
            if withdraw
            else _("Nothing was recorded: %(error)s")
        )
        problem = Problem(capability, refused % {"error": error}, posted)
        return _phases_page(request, round_, place, problem=problem, status=400)
    _tell(
        request,
        (
            _("Withdrew the override of %(capability)s: the computed phase applies again.")
            if withdraw
            else _("Overrode the phase of %(capability)s; the computed phase is shown beside it.")
        )
        % {"capability": capability},
        f"phase-{capability}",
    )
    url = reverse("maturity-phases", args=[round_.code, place.code])
    return redirect(f"{url}#phase-{capability}")


# --- The round's overview --------------------------------------------------------------------


# The phases the distribution counts jurisdictions at or above (``service.distributions``).
AT_LEAST = ("2", "3", "4")
# The breakdowns of the overview's tables (``service.GROUP_BREAKDOWNS``), as its links name them.
BREAKDOWN_LABELS: Mapping[str, Any] = {
    "income-group": gettext_lazy("By income group"),
    "region": gettext_lazy("By region"),
}


def _participants(round_: Round) -> list[Jurisdiction]:
    """The round's jurisdictions, by code."""
    return list(Jurisdiction.objects.filter(participations__round=round_).order_by("code"))


def _distribution_rows(
    round_: Round,
    found: Mapping[str, Any],
    alphas: Mapping[str, float | None],
    by: str | None,
    names: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Per capability (in questionnaire order), its cells of breakdown ``by`` (None: the whole
    round), groups by name, and the respondents' agreement on it."""
    rows = []
    for question in data.phase_questions(round_):
        cells = [c for c in found["capabilities"].get(question.capability, []) if c["by"] == by]
        rows.append(
            {
                "capability": question.capability,
                "name": names.get(question.capability, question.capability),
                "alpha": alphas.get(question.capability),
                "cells": [
                    {
                        "group": group_name(cell["group"], by) if cell["group"] else "",
                        "size": cell.get("size"),
                        "with_phase": cell["with_phase"],
                        "at_least": [cell["at_least"].get(level) for level in AT_LEAST],
                    }
                    for cell in sorted(cells, key=lambda cell: cell["group"] or "")
                ],
            }
        )
    return rows


@require_GET
def round_overview(request: HttpRequest, code: str) -> HttpResponse:
    """Analysts: phase distributions and agreement, and the jurisdictions by code. Reviewers:
    the jurisdictions they review. A focal point goes to their own jurisdiction's profile."""
    user = request.user
    round_ = get_round_for_user(user, code)
    try:
        service.require_phases(round_)
    except MnrError as error:
        raise Http404(str(error)) from error
    visible = [j for j in _participants(round_) if access.can_see_maturity(user, round_, j)]
    if not visible:
        raise Http404(_("No maturity overview of %(round)s") % {"round": round_.code})
    analyst = access.can_see_distributions(user, round_)
    if not analyst and not any(access.can_override(user, round_, j) for j in visible):
        own = visible[0]
        return redirect(profile_url(round_, own) or _plan_url(round_, own))
    lang = _lang()
    names = _capability_names(round_, lang)
    by = request.GET.get("by") or None
    if by not in (None, *service.GROUP_BREAKDOWNS):
        by = None
    context: dict[str, Any] = {
        "round": round_,
        "analyst": analyst,
        "jurisdictions": [
            {
                "code": j.code,
                "name": j.name(lang),
                "profile_url": profile_url(round_, j),
                "phases_url": reverse("maturity-phases", args=[round_.code, j.code]),
                "plan_url": _plan_url(round_, j),
            }
            for j in visible
        ],
        "by": by,
        "breakdowns": [(b, BREAKDOWN_LABELS.get(b, b)) for b in service.GROUP_BREAKDOWNS],
    }
    if analyst:
        # Every breakdown goes through disclosure control together, whichever one is shown,
        # so that the cells withheld do not depend on the table asked for.
        found = service.distributions(round_, user=user)
        agreement = data.round_maturity(round_).agreement
        context.update(
            overall_alpha=agreement.overall,
            rows=_distribution_rows(round_, found, agreement.capabilities, by, names),
            k=found["k"],
        )
    return render(request, "web/maturity/round.html", context)
