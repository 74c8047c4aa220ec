"""Reading maturity for a user: consolidated phases, profile, plan, progress, peers and phase
distributions. Pages, commands and (later) the API call these; permission is checked here,
with the predicates of ``mnr.maturity.access``.

No function here orders jurisdictions by maturity: lists of jurisdictions are by code, and
distributions are counts per group through disclosure control (``docs/maturity.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from django.http import Http404

from mnr.audit.record import record_read
from mnr.core import framework as core_framework
from mnr.core import maturity as core
from mnr.core import plan as core_plan
from mnr.core.disclosure import protect
from mnr.core.findings import UNKNOWN, Participant
from mnr.errors import MnrError
from mnr.findings.data import participants as round_participants
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import access, data
from mnr.maturity.models import Consent, PlanItem
from mnr.surveys.models import Round

GROUP_BREAKDOWNS = ("income-group", "region")


def require_maturity_view(user: Any, round_: Round, jurisdiction: Jurisdiction) -> None:
    """Http404 unless the user may see the jurisdiction's maturity (the operator may)."""
    if user is not None and not access.can_see_maturity(user, round_, jurisdiction):
        raise Http404(f"No maturity record for {jurisdiction.code} in {round_.code}")
    record_read(user, jurisdiction, "maturity", round=round_.code)


@lru_cache(maxsize=8)
def _edition(edition_pk: int, version: int) -> core_framework.Edition:
    from mnr.frameworks.models import Edition

    row = Edition.objects.get(pk=edition_pk)
    return core_framework.edition_from_document(row.document, source=f"{row.code} (database)")


def edition_of(round_: Round) -> core_framework.Edition:
    edition = round_.instrument.edition
    return _edition(edition.pk, edition.version)


def crosswalk(round_: Round) -> dict[str, tuple[str, ...]]:
    """The round's phase capability ids → the edition capability ids each stands for."""
    return {q.capability: q.crosswalk for q in data.phase_questions(round_)}


def edition_phases(round_: Round, phases: dict[str, int | None]) -> dict[str, int | None]:
    """Phases by the round's capability ids → by edition capability ids (merged ids give
    their phase to every capability they stand for)."""
    walk = crosswalk(round_)
    found: dict[str, int | None] = {}
    for capability, phase in phases.items():
        for target in walk.get(capability, (capability,)):
            found[target] = phase
    return found


def jurisdiction_maturity(
    round_: Round, jurisdiction: Jurisdiction, *, user: Any = None
) -> core.RoundMaturity:
    require_maturity_view(user, round_, jurisdiction)
    return data.round_maturity(round_, [jurisdiction.code])


def require_phases(round_: Round) -> None:
    if not data.phase_questions(round_):
        raise MnrError(
            f"round {round_.code} asks no maturity phase: its instrument "
            f"{round_.instrument.code} has no phase question"
        )


# --- the plan ---------------------------------------------------------------------------------


def _phases_for_plan(round_: Round, jurisdiction: Jurisdiction) -> dict[str, int | None]:
    maturity = data.round_maturity(round_, [jurisdiction.code])
    return edition_phases(round_, maturity.jurisdiction_phases(jurisdiction.code))


def proposed_plan(round_: Round, jurisdiction: Jurisdiction, *, lang: str = "en") -> core_plan.Plan:
    edition = edition_of(round_)
    return core_plan.propose_plan(
        jurisdiction.code,
        round_.code,
        edition.capabilities(),
        _phases_for_plan(round_, jurisdiction),
        lang=lang,
    )


def plan_for(
    round_: Round, jurisdiction: Jurisdiction, *, lang: str = "en", user: Any = None
) -> core_plan.Plan:
    """The stored plan, or the proposal while nobody has edited it; dropped items left out."""
    require_maturity_view(user, round_, jurisdiction)
    require_phases(round_)
    stored = list(PlanItem.objects.filter(round=round_, jurisdiction=jurisdiction, dropped=False))
    if not stored and not PlanItem.objects.filter(round=round_, jurisdiction=jurisdiction):
        return proposed_plan(round_, jurisdiction, lang=lang)
    edition = edition_of(round_)
    phases = _phases_for_plan(round_, jurisdiction)
    items = [
        replace(
            core_plan.plan_item(
                row.capability,
                edition.capabilities(),
                phases,
                target_phase=row.target_phase,
                lang=lang,
                check=False,
            ),
            owner=row.owner or None,
            due=row.due,
            status=row.status,
        )
        for row in stored
    ]
    return core_plan.Plan(jurisdiction.code, round_.code, core_plan.order_items(items))


def stored_items(round_: Round, jurisdiction: Jurisdiction) -> dict[str, PlanItem]:
    """The stored rows by capability (dropped ones included): versions and notes for pages."""
    return {
        row.capability: row
        for row in PlanItem.objects.filter(round=round_, jurisdiction=jurisdiction)
    }


# --- progress ---------------------------------------------------------------------------------


def progress_for(
    jurisdiction: Jurisdiction, rounds: Sequence[Round], *, user: Any = None
) -> core.Progress:
    """The jurisdiction's phase per capability in each round, in the order given."""
    round_phases = []
    for round_ in rounds:
        require_maturity_view(user, round_, jurisdiction)
        taking_part = round_.participations.filter(jurisdiction=jurisdiction).exists()
        phases = (
            data.round_maturity(round_, [jurisdiction.code]).jurisdiction_phases(jurisdiction.code)
            if taking_part
            else {}
        )
        round_phases.append(core.RoundPhases(round_.code, phases, crosswalk(round_)))
    try:
        return core.progress(jurisdiction.code, round_phases)
    except ValueError as error:
        raise MnrError(str(error)) from error


def previous_round(round_: Round, jurisdiction: Jurisdiction) -> Round | None:
    """The latest earlier round the jurisdiction took part in that asked phases."""
    earlier = (
        Round.objects.filter(
            participations__jurisdiction=jurisdiction,
            instrument__questions__type="phase",
            created_at__lt=round_.created_at,
        )
        .exclude(pk=round_.pk)
        .distinct()
        .order_by("-opens_on", "-created_at")
    )
    return earlier.first()


# --- consent and peers ------------------------------------------------------------------------


def consenting(round_: Round) -> set[str]:
    """Codes of the round's jurisdictions whose consent in force says yes."""
    latest: dict[str, bool] = {}
    for row in (
        Consent.objects.filter(round=round_).select_related("jurisdiction").order_by("at", "id")
    ):
        latest[row.jurisdiction.code] = row.peer_exchange
    return {code for code, yes in latest.items() if yes}


def peers(
    round_: Round, jurisdiction: Jurisdiction, capability: str, *, user: Any = None
) -> list[dict[str, Any]]:
    """Jurisdictions at a higher consolidated phase of ``capability`` that consented to peer
    exchange, by code: ``[{"jurisdiction", "name", "phase"}]``. Nothing about a jurisdiction
    without consent is read into the answer."""
    require_maturity_view(user, round_, jurisdiction)
    require_phases(round_)
    known = [q.capability for q in data.phase_questions(round_)]
    if capability not in known:
        raise MnrError(
            f"unknown capability {capability!r} of round {round_.code}; valid values: "
            f"{', '.join(known)}"
        )
    own = data.round_maturity(round_, [jurisdiction.code]).jurisdiction_phases(jurisdiction.code)
    mine = own.get(capability) or 0
    others = sorted(consenting(round_) - {jurisdiction.code})
    if not others:
        return []
    maturity = data.round_maturity(round_, others)
    names = {j.code: j.name() for j in Jurisdiction.objects.filter(code__in=others)}
    found = []
    for code in others:
        phase = maturity.jurisdiction_phases(code).get(capability)
        if phase is not None and phase > mine:
            found.append({"jurisdiction": code, "name": names[code], "phase": phase})
    return found


# --- distributions ----------------------------------------------------------------------------


def distributions(
    round_: Round,
    *,
    user: Any = None,
    known: Sequence[str] = (),
    breakdowns: Sequence[str | None] = (None, *GROUP_BREAKDOWNS),
) -> dict[str, Any]:
    """Phase distributions per capability, whole round and by income group and region, through
    disclosure control: ``{"round", "k", "capabilities": {C: [cell]}}`` where a cell is
    ``{"by", "group", "size", "with_phase", "phases": {"1": n, …, "4": n}, "at_least": {"2": n,
    "3": n, "4": n}, "suppressed"}``; a withheld cell has ``None`` for every count.

    Counts only, per group; no jurisdiction is named. ``known``: jurisdictions whose phases
    the viewer knows (a focal point's own)."""
    if user is not None and not (
        access.can_see_distributions(user, round_) or (known and _sees_all(user, round_, known))
    ):
        raise Http404(f"No phase distribution for {round_.code}")
    require_phases(round_)
    maturity = data.round_maturity(round_)
    participants: tuple[Participant, ...] = round_participants(round_)
    round_data = core.distribution_round_data(maturity.phases, participants)
    protection = protect(
        round_data,
        k=round_.disclosure_threshold,
        breakdowns=list(breakdowns),
        known=known,
        any_participant=not known,
    )
    capabilities: dict[str, list[dict[str, Any]]] = {}
    for by, findings in protection.findings.items():
        for finding in findings:
            cell = _cell(by, finding)
            # How many participants a group has is public (the participant list): shown always.
            cell["size"] = _group_size(participants, by, finding.group)
            capabilities.setdefault(finding.question, []).append(cell)
    return {"round": round_.code, "k": protection.k, "capabilities": capabilities}


def _group_size(participants: Sequence[Participant], by: str | None, group: str | None) -> int:
    if by is None:
        return len(participants)
    return sum(
        1
        for p in participants
        if (p.income_group if by == "income-group" else p.region) == group
        or (group == UNKNOWN and (p.income_group if by == "income-group" else p.region) is None)
    )


def _cell(by: str | None, finding: Any) -> dict[str, Any]:
    levels = sorted(core.PHASE_CODES)
    if finding.suppressed:
        phases: dict[str, int | None] = {str(level): None for level in levels}
        at_least: dict[str, int | None] = {str(level): None for level in levels[1:]}
        with_phase = None
    else:
        counts = {
            level: int(finding.counts.get(code, 0)) for level, code in core.PHASE_CODES.items()
        }
        phases = {str(level): counts[level] for level in levels}
        at_least = {
            str(level): sum(counts[above] for above in levels if above >= level)
            for level in levels[1:]
        }
        with_phase = sum(counts.values())
    return {
        "by": by,
        "group": finding.group,
        "size": finding.size if not finding.suppressed else None,
        "with_phase": with_phase,
        "phases": phases,
        "at_least": at_least,
        "suppressed": finding.suppressed,
    }


def _sees_all(user: Any, round_: Round, codes: Sequence[str]) -> bool:
    return all(
        access.can_see_maturity(user, round_, j)
        for j in Jurisdiction.objects.filter(code__in=codes)
    )


# --- the profile ------------------------------------------------------------------------------

STRENGTH_FROM = 3
GAP_UP_TO = 1

PROFILE_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "strengths": "Strengths (phase {phase} or above): {items}.",
        "no_strengths": "No capability has reached phase {phase} yet.",
        "gaps": "Gaps (phase 1 or no phase yet): {items}.",
        "no_gaps": "Every capability is beyond phase 1.",
        "spread": "Respondents differ by two phases or more on {items}.",
        "no_phase": "no phase",
    },
    "fr": {
        "strengths": "Points forts (phase {phase} ou plus) : {items}.",
        "no_strengths": "Aucune capacité n'a encore atteint la phase {phase}.",
        "gaps": "Lacunes (phase 1 ou pas encore de phase) : {items}.",
        "no_gaps": "Toutes les capacités ont dépassé la phase 1.",
        "spread": "Les répondants diffèrent de deux phases ou plus sur {items}.",
        "no_phase": "pas de phase",
    },
    "es": {
        "strengths": "Fortalezas (fase {phase} o superior): {items}.",
        "no_strengths": "Ninguna capacidad ha alcanzado aún la fase {phase}.",
        "gaps": "Brechas (fase 1 o todavía sin fase): {items}.",
        "no_gaps": "Todas las capacidades han superado la fase 1.",
        "spread": "Los encuestados difieren en dos fases o más en {items}.",
        "no_phase": "sin fase",
    },
}


def _words(lang: str) -> dict[str, str]:
    return PROFILE_WORDS.get(lang) or PROFILE_WORDS["en"]


def phase_names(round_: Round, lang: str = "en") -> dict[int, str]:
    """Phase level → name, as administrators named them (``frameworks.actions.rename_phase``)."""
    from mnr.frameworks.models import Phase

    return {
        row.level: core_framework.text(row.name, lang)
        for row in Phase.objects.filter(edition_id=round_.instrument.edition_id)
    }


def profile(
    round_: Round,
    jurisdiction: Jurisdiction,
    *,
    lang: str = "en",
    user: Any = None,
    group: str | None = None,
) -> dict[str, Any]:
    """Everything the profile shows, as JSON-ready data (``docs/maturity.md``).

    ``group`` (``income-group`` or ``region``) adds the phase distribution of the
    jurisdiction's group, through disclosure control with the jurisdiction's own phases known.
    """
    require_maturity_view(user, round_, jurisdiction)
    require_phases(round_)
    if group is not None and group not in GROUP_BREAKDOWNS:
        raise MnrError(f"unknown group {group!r}; use one of {', '.join(GROUP_BREAKDOWNS)}")
    code = jurisdiction.code
    answers = data.phase_answers(round_, [code])
    by_unit = data.answers_by_unit(answers)
    maturity = data.round_maturity(round_, [code])
    results = {result.capability: result for result in maturity.phases}
    names = phase_names(round_, lang)
    edition = edition_of(round_)
    earlier = previous_round(round_, jurisdiction)
    before: dict[str, int | None] = {}
    if earlier is not None:
        earlier_phases = data.round_maturity(earlier, [code]).jurisdiction_phases(code)
        before = edition_phases(earlier, earlier_phases)
    walk = crosswalk(round_)
    asked = [q.capability for q in data.phase_questions(round_)]
    domains: list[dict[str, Any]] = []
    for domain in edition.domains:
        rows: list[dict[str, Any]] = []
        for capability in domain.capabilities:
            instrument_ids = [c for c in asked if capability.id in walk.get(c, (c,))]
            if not instrument_ids:
                continue
            result = results[instrument_ids[0]]
            previous = before.get(capability.id)
            rows.append(
                {
                    "capability": capability.id,
                    "name": core_framework.text(capability.name, lang),
                    "phase": result.phase,
                    "phase_name": names.get(result.phase) if result.phase else None,
                    **{
                        key: value
                        for key, value in result.to_json().items()
                        if key not in ("capability", "phase")
                    },
                    "answers": [
                        {
                            "respondent": a.respondent,
                            "label": a.respondent_label,
                            "phase": a.phase,
                            "confidence": a.confidence or None,
                            "evidence": a.evidence,
                            "evidence_url": a.evidence_url,
                        }
                        for a in sorted(
                            by_unit.get((code, result.capability), []), key=lambda a: a.respondent
                        )
                    ],
                    "previous_phase": previous,
                    "change": (
                        None
                        if previous is None or result.phase is None
                        else result.phase - previous
                    ),
                }
            )
        if rows:
            domains.append(
                {
                    "id": domain.id,
                    "name": core_framework.text(domain.name, lang),
                    "capabilities": rows,
                }
            )
    flat: list[dict[str, Any]] = [row for domain in domains for row in domain["capabilities"]]
    strengths = [row["capability"] for row in flat if (row["phase"] or 0) >= STRENGTH_FROM]
    gaps = [row["capability"] for row in flat if (row["phase"] or 0) <= GAP_UP_TO]
    spread = [row["capability"] for row in flat if (row["range"] or 0) >= 2]
    return {
        "round": round_.code,
        "round_title": round_.title,
        "synthetic": round_.synthetic,
        "jurisdiction": code,
        "name": jurisdiction.name(lang),
        "lang": lang,
        "phases": [{"level": level, "name": names[level]} for level in sorted(names)],
        "previous_round": earlier.code if earlier is not None else None,
        "domains": domains,
        "strengths": strengths,
        "gaps": gaps,
        "spread": spread,
        "summary": _summary(flat, strengths, gaps, spread, lang),
        "group": _group(round_, jurisdiction, group) if group else None,
        "robustness": _robustness(round_, jurisdiction, lang),
    }


def _robustness(round_: Round, jurisdiction: Jurisdiction, lang: str) -> dict[str, Any]:
    """The domain scores' intervals (``mnr.maturity.robustness``), with each domain's name."""
    # Imported here: mnr.publications.robustness reads this module's edition and crosswalk.
    from mnr.maturity.robustness import domain_robustness

    found = domain_robustness(round_, jurisdiction, lang)
    names = {d.id: core_framework.text(d.name, lang) for d in edition_of(round_).domains}
    for row in found["domains"]:
        row["name"] = names.get(row["domain"], "")
    return found


def _summary(
    flat: list[dict[str, Any]],
    strengths: list[str],
    gaps: list[str],
    spread: list[str],
    lang: str,
) -> list[str]:
    words = _words(lang)
    named = {row["capability"]: f"{row['capability']} {row['name']}" for row in flat}

    def listed(ids: list[str]) -> str:
        return "; ".join(named[i] for i in ids)

    lines = [
        words["strengths"].format(phase=STRENGTH_FROM, items=listed(strengths))
        if strengths
        else words["no_strengths"].format(phase=STRENGTH_FROM),
        words["gaps"].format(items=listed(gaps)) if gaps else words["no_gaps"],
    ]
    if spread:
        lines.append(words["spread"].format(items=listed(spread)))
    return lines


def _group(round_: Round, jurisdiction: Jurisdiction, by: str) -> dict[str, Any]:
    """The distribution of the jurisdiction's income group or region, with its own phases
    known to the viewer (they are the jurisdiction's)."""
    own = next(p for p in round_participants(round_) if p.jurisdiction == jurisdiction.code)
    group = own.income_group if by == "income-group" else own.region
    found = distributions(round_, known=[jurisdiction.code], breakdowns=[by])
    walk = crosswalk(round_)
    return {
        "by": by,
        "group": group,
        "k": found["k"],
        # By the edition's capability ids, as the profile's rows are (a merged instrument id
        # gives its cell to each capability it stands for).
        "capabilities": {
            edition_id: next((c for c in cells if c["group"] == group), None)
            for capability, cells in found["capabilities"].items()
            for edition_id in walk.get(capability, (capability,))
        },
    }
