"""Changing what a round's report says: headlines, narrative blocks, snapshot settings."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from mnr.audit.record import record_event
from mnr.core.findings import compute_figure
from mnr.core.framework import Label
from mnr.errors import MnrError, unknown
from mnr.findings.data import round_data
from mnr.frameworks.models import Capability
from mnr.reports.models import Headline, NarrativeBlock, ReportSettings
from mnr.surveys.access import can_manage_round
from mnr.surveys.models import Round

DEFAULT_SNAPSHOT_EXCLUDE = ("C03",)
HEADLINE_COLUMNS = (
    "key",
    "domain",
    "question",
    "counts_as",
    "population",
    "subject",
    "statement",
    "callout",
)


@dataclass(frozen=True)
class HeadlineSpec:
    key: str
    question: str
    counts_as: tuple[str, ...]
    statement: Label
    population: str = "all"
    domain: str = ""
    subject: Label = field(default_factory=dict)
    callout: bool = False


def _check_manager(acting_user: Any, round_: Round) -> None:
    if acting_user is not None and not can_manage_round(acting_user, round_):
        raise PermissionDenied("Only analysts of this round edit its report.")


@transaction.atomic
def set_headlines(
    round_: Round, specs: Sequence[HeadlineSpec], *, acting_user: Any = None, source: str = "web"
) -> list[Headline]:
    """Replace the round's headlines; every spec is checked first and nothing is stored when
    one is wrong."""
    _check_manager(acting_user, round_)
    domains = set(
        Capability.objects.filter(edition_id=round_.instrument.edition_id).values_list(
            "domain__code", flat=True
        )
    )
    data = round_data(round_)
    problems: list[str] = []
    keys: set[str] = set()
    for number, spec in enumerate(specs, start=1):
        where = f"headline {number} ({spec.key})"
        if spec.key in keys:
            problems.append(f"{where}: the key is used twice")
        keys.add(spec.key)
        try:
            # The counting rules check the question, the codes counted and the population; a
            # headline they would refuse at report time is refused now.
            compute_figure(data, spec.question, spec.counts_as, spec.population)
        except ValueError as error:
            problems.append(f"{where}: {error}")
        if spec.domain and spec.domain not in domains:
            problems.append(f"{where}: unknown domain {spec.domain!r}")
        if not spec.statement.get("en"):
            problems.append(f"{where}: the statement needs an English text")
    if problems:
        raise MnrError("; ".join(problems))
    Headline.objects.filter(round=round_).delete()
    headlines = Headline.objects.bulk_create(
        Headline(
            round=round_,
            key=spec.key,
            position=position,
            domain=spec.domain,
            question=spec.question,
            counts_as=list(spec.counts_as),
            population=spec.population,
            subject=dict(spec.subject),
            statement=dict(spec.statement),
            callout=spec.callout,
        )
        for position, spec in enumerate(specs, start=1)
    )
    record_event(
        "report.headlines",
        round_,
        actor=acting_user,
        source=source,
        keys=[spec.key for spec in specs],
    )
    return headlines


def read_headlines_csv(path: Path) -> list[HeadlineSpec]:
    """Headline specs from a CSV with the columns of ``HEADLINE_COLUMNS`` (English texts)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in HEADLINE_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise MnrError(f"{path}: missing column(s) {', '.join(missing)}")
            return [
                HeadlineSpec(
                    key=row["key"],
                    domain=row["domain"],
                    question=row["question"],
                    counts_as=tuple(code for code in row["counts_as"].split("|") if code),
                    population=row["population"] or "all",
                    subject={"en": row["subject"]} if row["subject"] else {},
                    statement={"en": row["statement"]},
                    callout=row["callout"].strip().lower() in ("yes", "true", "1"),
                )
                for row in reader
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise MnrError(f"{path}: cannot read headlines: {error}") from error


@transaction.atomic
def save_narrative(
    round_: Round,
    key: str,
    text: str,
    *,
    lang: str = "en",
    acting_user: Any = None,
    source: str = "web",
) -> NarrativeBlock:
    _check_manager(acting_user, round_)
    if key not in NarrativeBlock.Key.values:
        raise unknown("narrative block", key, NarrativeBlock.Key.values)
    block, _ = NarrativeBlock.objects.get_or_create(round=round_, key=key)
    old = block.text.get(lang, "")
    if old == text:
        return block
    block.text = {**block.text, lang: text}
    block.updated_by = (
        acting_user if acting_user is not None and acting_user.is_authenticated else None
    )
    block.save()
    record_event(
        "report.narrative",
        block,
        actor=acting_user,
        source=source,
        key=key,
        lang=lang,
        old=old,
        new=text,
    )
    return block


@transaction.atomic
def set_snapshot_exclude(
    round_: Round, capabilities: Sequence[str], *, acting_user: Any = None, source: str = "web"
) -> ReportSettings:
    _check_manager(acting_user, round_)
    known = set(
        Capability.objects.filter(edition_id=round_.instrument.edition_id).values_list(
            "code", flat=True
        )
    )
    for code in capabilities:
        if code not in known:
            raise unknown("capability", code, known)
    report_settings, _ = ReportSettings.objects.get_or_create(
        round=round_, defaults={"snapshot_exclude": list(DEFAULT_SNAPSHOT_EXCLUDE)}
    )
    report_settings.snapshot_exclude = list(capabilities)
    report_settings.save()
    record_event(
        "report.snapshot_exclude",
        round_,
        actor=acting_user,
        source=source,
        capabilities=list(capabilities),
    )
    return report_settings
