"""The framework as loaded, in the shape ``mnr framework show`` prints and pages display."""

from __future__ import annotations

from typing import Any

from mnr.core import framework as core
from mnr.core.framework import text
from mnr.errors import unknown
from mnr.frameworks.models import Edition


def edition_by_code(code: str) -> Edition:
    """The newest loaded version of an edition."""
    edition = Edition.objects.filter(code=code).order_by("-version").first()
    if edition is None:
        raise unknown("edition", code, Edition.objects.values_list("code", flat=True).distinct())
    return edition


def show_edition(edition: Edition, lang: str = "en") -> dict[str, Any]:
    """``{"edition", "domains": [{"id", "name", "capabilities": [{"id", "name", "depends_on",
    "questions": [{"id", "type", "choices"}]}]}], "phases": [{"level", "name", "provisional"}]}``
    for the loaded edition, with the phase names as administrators last set them."""
    shown = core.show_edition(core.edition_from_document(edition.document), lang)
    shown["version"] = edition.version
    shown["phases"] = [
        {"level": phase.level, "name": text(phase.name, lang), "provisional": phase.provisional}
        for phase in edition.phases.all()
    ]
    return shown


def edition_outline(shown: dict[str, Any]) -> str:
    """A readable outline of ``show_edition``'s result for the terminal."""
    lines = [f"{shown['edition']} (version {shown['version']})", "Phases:"]
    lines += [
        f"  {p['level']} {p['name']}{' (provisional)' if p['provisional'] else ''}"
        for p in shown["phases"]
    ]
    for domain in shown["domains"]:
        lines.append(f"{domain['id']} {domain['name']}")
        for capability in domain["capabilities"]:
            lines.append(f"  {capability['id']} {capability['name']}")
            lines += [f"    {q['id']} [{q['type']}]" for q in capability["questions"]]
    if shown["general_questions"]:
        lines.append("General")
        lines += [f"    {q['id']} [{q['type']}]" for q in shown["general_questions"]]
    return "\n".join(lines)
