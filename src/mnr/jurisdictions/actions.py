"""Loading the shipped jurisdiction reference data and World Bank income classifications."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from mnr.accounts.permissions import is_administrator, require
from mnr.audit.record import record_event
from mnr.core import reference
from mnr.errors import MnrError
from mnr.jurisdictions.models import IncomeClassification, Jurisdiction

_NAME_COLUMNS = {
    "en": "name_en",
    "fr": "name_fr",
    "es": "name_es",
    "ar": "name_ar",
    "ru": "name_ru",
    "zh": "name_zh",
}


def _check_admin(acting_user: Any) -> None:
    require(
        acting_user, is_administrator(acting_user), "Only administrators change reference data."
    )


@transaction.atomic
def load_reference(*, acting_user: Any = None, source: str = "cli") -> tuple[int, int]:
    """Create or update every shipped jurisdiction and income classification (idempotent).

    Returns the numbers of jurisdictions and classifications created."""
    _check_admin(acting_user)
    records = reference.read_jurisdictions()
    existing = {j.code: j for j in Jurisdiction.objects.all()}
    created = 0
    for record in sorted(records, key=lambda r: bool(r.parent_code)):  # parents first
        fields = {
            "alpha3": record.alpha3,
            "numeric": record.numeric,
            "kind": record.kind,
            "parent": existing.get(record.parent_code) if record.parent_code else None,
            "names": {
                lang: getattr(record, column)
                for lang, column in _NAME_COLUMNS.items()
                if getattr(record, column)
            },
            "region_code": record.region_code,
            "region": record.region,
            "subregion_code": record.subregion_code,
            "subregion": record.subregion,
            "source": record.source,
        }
        jurisdiction = existing.get(record.code)
        if jurisdiction is None:
            existing[record.code] = Jurisdiction.objects.create(code=record.code, **fields)
            created += 1
        elif any(getattr(jurisdiction, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(jurisdiction, name, value)
            jurisdiction.save()
    classified = _store_income(reference.read_income_groups(), existing)
    if created or classified:
        record_event(
            "reference.load",
            "reference-data",
            actor=acting_user,
            source=source,
            jurisdictions=created,
            income_classifications=classified,
        )
    return created, classified


def _store_income(
    records: Iterable[reference.IncomeRecord], jurisdictions: dict[str, Jurisdiction]
) -> int:
    records = list(records)
    unknown = sorted({r.code for r in records if r.code not in jurisdictions})
    if unknown:
        raise MnrError(
            f"income classification for unknown jurisdiction code(s): {', '.join(unknown)}"
        )
    current = {
        (c.jurisdiction.code, c.fiscal_year): c
        for c in IncomeClassification.objects.select_related("jurisdiction").filter(
            fiscal_year__in={r.fiscal_year for r in records}
        )
    }
    changed = 0
    for record in records:
        row = current.get((record.code, record.fiscal_year))
        if row is None:
            IncomeClassification.objects.create(
                jurisdiction=jurisdictions[record.code],
                fiscal_year=record.fiscal_year,
                income_group=record.income_group,
                source=record.source,
            )
            changed += 1
        elif (row.income_group, row.source) != (record.income_group, record.source):
            row.income_group, row.source = record.income_group, record.source
            row.save()
            changed += 1
    return changed


@dataclass(frozen=True)
class IncomeImport:
    """What importing a World Bank workbook did."""

    changed: int
    skipped: tuple[reference.UnknownEconomy, ...]


@transaction.atomic
def import_income_workbook(
    path: Path,
    fiscal_year: int,
    *,
    skip_unknown: bool = False,
    acting_user: Any = None,
    source: str = "cli",
) -> IncomeImport:
    """Read a World Bank classification workbook and store its groups for ``fiscal_year``.

    The workbook is read whole and checked before anything is written. Rows for economies the
    reference data does not know (historical ones such as SCG) refuse the file, all of them
    listed; with ``skip_unknown`` the other rows are stored and the skipped ones returned."""
    _check_admin(acting_user)
    reading = reference.read_world_bank_workbook(path, fiscal_year, skip_unknown=skip_unknown)
    jurisdictions = {j.code: j for j in Jurisdiction.objects.all()}
    changed = _store_income(reading.records, jurisdictions)
    record_event(
        "income.import",
        "reference-data",
        actor=acting_user,
        source=source,
        file=str(path),
        fiscal_year=fiscal_year,
        changed=changed,
        skipped=[economy.code for economy in reading.skipped],
    )
    return IncomeImport(changed, reading.skipped)


@transaction.atomic
def create_synthetic_jurisdictions(
    jurisdictions: Iterable[tuple[str, str | Mapping[str, str], str, str]],
    fiscal_year: int,
    *,
    acting_user: Any = None,
    source: str = "demo",
) -> list[Jurisdiction]:
    """Pseudonymous jurisdictions ``(code, name, M49 region, income group)`` for demo and
    benchmark rounds, the name one English text or a text per language; existing ones are
    returned unchanged."""
    _check_admin(acting_user)
    rows = []
    for code, name, region, income_group in jurisdictions:
        if income_group not in reference.INCOME_GROUPS:
            raise MnrError(f"synthetic jurisdiction {code}: unknown income group {income_group!r}")
        jurisdiction, created = Jurisdiction.objects.get_or_create(
            code=code,
            defaults={
                "kind": Jurisdiction.Kind.SYNTHETIC,
                "names": {"en": name} if isinstance(name, str) else dict(name),
                "region": region,
                "source": "synthetic",
            },
        )
        if jurisdiction.kind != Jurisdiction.Kind.SYNTHETIC:
            raise MnrError(f"{code} is a real jurisdiction's code; synthetic codes must differ")
        if created:
            IncomeClassification.objects.create(
                jurisdiction=jurisdiction,
                fiscal_year=fiscal_year,
                income_group=income_group,
                source="synthetic",
            )
        rows.append(jurisdiction)
    record_event(
        "jurisdictions.synthetic",
        "reference-data",
        actor=acting_user,
        source=source,
        count=len(rows),
    )
    return rows
