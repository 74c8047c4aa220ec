"""Jurisdiction codes as users give them (alpha-2, alpha-3, numeric, non-country codes),
resolved against the database to the code a jurisdiction is stored under.

Every command, file reader and form that takes a jurisdiction code from a user goes through
here (files through ``mnr.core.interchange``'s ``ImportTarget``, which holds the same spellings).
The rules are those of ``mnr.core.codes``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mnr.core import codes
from mnr.errors import MnrError
from mnr.jurisdictions.models import Jurisdiction

_LISTED = "; mnr jurisdictions list shows the codes"


@dataclass(frozen=True)
class KnownCodes:
    """The stored codes and their other spellings, read once."""

    codes: frozenset[str]
    spellings: dict[str, str]

    def resolve(self, given: str) -> str | None:
        return codes.resolve(given, self.codes, self.spellings)

    def unknown(self, given: str, where: str) -> MnrError:
        hint = codes.hint(given, self.codes, self.spellings)
        return MnrError(f"{where}: unknown jurisdiction {given!r}{hint}{_LISTED}")


def known() -> KnownCodes:
    rows = list(Jurisdiction.objects.values_list("code", "alpha3", "numeric"))
    return KnownCodes(frozenset(code for code, _, _ in rows), codes.aliases(rows))


def aliases() -> dict[str, str]:
    """Alpha-3 and numeric spellings → stored code, for ``ImportTarget.jurisdiction_aliases``."""
    return known().spellings


def resolve(given: str, *, where: str) -> str:
    """The stored code of the jurisdiction ``given`` names; ``where`` says where it came from
    (``--jurisdiction``, ``file.csv: row 3``) for the error when it names none."""
    return resolve_all([given], where=where)[0]


def resolve_all(given: Iterable[str], *, where: str) -> list[str]:
    """Stored codes in the order given, without repeats; every unknown code is named at once."""
    given = list(given)
    index = known()
    resolved = {code: index.resolve(code) for code in given}
    unknown = [code for code, found in resolved.items() if found is None]
    if len(unknown) == 1:
        raise index.unknown(unknown[0], where)
    if unknown:
        listed = ", ".join(repr(code) for code in unknown)
        raise MnrError(
            f"{where}: unknown jurisdictions {listed}; use {codes.ACCEPTED}{_LISTED}"
        )
    return list(dict.fromkeys(code for code in resolved.values() if code is not None))


def get(given: str, *, where: str) -> Jurisdiction:
    """The jurisdiction ``given`` names (any accepted spelling)."""
    return Jurisdiction.objects.get(code=resolve(given, where=where))
