"""A capability's page: its definition, what each maturity phase looks like, what it builds on,
and its findings across the rounds the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from mnr.core import framework as core
from mnr.core.findings import Finding
from mnr.core.framework import text
from mnr.errors import MnrError
from mnr.findings.data import round_questions
from mnr.findings.service import reads_live, round_findings
from mnr.frameworks.models import Capability, Edition, InstrumentQuestion
from mnr.frameworks.presentation import edition_by_code
from mnr.surveys.models import Round
from mnr.web.i18n import ui_language


@dataclass(frozen=True)
class RoundFinding:
    round: Round
    question: str
    label: str
    # None when the round could not say (its findings are not readable to the user).
    finding: Finding | None
    # Where the figure comes from, in words.
    source: str
    # Other edition capabilities the round asked about in the same question (C16+C17).
    merged_with: tuple[str, ...]


def status_questions(round_: Round, capability: Capability) -> list[InstrumentQuestion]:
    """The round's status questions the crosswalk maps to the capability."""
    return list(
        InstrumentQuestion.objects.filter(
            instrument_id=round_.instrument_id,
            type="select_one",
            code__endswith=".status",
            capabilities=capability,
        )
        .prefetch_related("capabilities")
        .order_by("position")
    )


def findings_across_rounds(user: Any, capability: Capability, lang: str) -> list[RoundFinding]:
    """For each round the user may see whose instrument asks about the capability, the share in
    place as the findings service lets the user see it (the latest publication for the public;
    withheld cells stay withheld)."""
    shown = []
    rounds = Round.objects.visible_to(user).filter(instrument__edition_id=capability.edition_id)
    for round_ in rounds.select_related("instrument").order_by("-created_at", "code"):
        asked = status_questions(round_, capability)
        if not asked:
            continue
        questions = round_questions(round_)
        try:
            totals = {f.question: f for f in round_findings(round_, user=user, questions=questions)}
        except MnrError:
            totals = {}
        if reads_live(user, round_, public=False):
            source = _("live answers")
        elif round_.publications.exists():
            source = _("latest publication")
        else:
            source = _("answers so far, cells that could identify a jurisdiction withheld")
        for question in asked:
            shown.append(
                RoundFinding(
                    round=round_,
                    question=question.code,
                    label=text(question.label, lang),
                    finding=totals.get(question.code),
                    source=source,
                    merged_with=tuple(
                        c.code for c in question.capabilities.all() if c.pk != capability.pk
                    ),
                )
            )
    return shown


def _dependencies(edition: Edition, code: str, lang: str) -> list[dict[str, str]]:
    declared = core.edition_from_document(edition.document)
    names = {c.code: text(c.name, lang) for c in edition.capabilities.all()}
    for domain in declared.domains:
        for capability in domain.capabilities:
            if capability.id == code:
                return [
                    {
                        "code": dependency.capability,
                        "name": names.get(dependency.capability, ""),
                        "why": text(dependency.why, lang),
                    }
                    for dependency in capability.depends_on
                ]
    return []


def capability_page(request: HttpRequest, code: str, capability: str) -> HttpResponse:
    try:
        edition = edition_by_code(code)
    except MnrError as error:
        raise Http404(str(error)) from error
    found = (
        Capability.objects.filter(edition=edition, code=capability)
        .select_related("domain")
        .prefetch_related("phase_descriptors")
        .first()
    )
    if found is None:
        raise Http404(
            _("No capability %(capability)r in edition %(edition)r")
            % {"capability": capability, "edition": code}
        )
    lang = ui_language()
    phases = {phase.level: phase for phase in edition.phases.all()}
    return render(
        request,
        "web/capability.html",
        {
            "edition": edition,
            "capability": found,
            "descriptors": [
                (phases.get(d.level), d.level, d.text) for d in found.phase_descriptors.all()
            ],
            "depends_on": _dependencies(edition, found.code, lang),
            "round_findings": findings_across_rounds(request.user, found, lang),
        },
    )
