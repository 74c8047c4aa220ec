"""Jurisdiction codes as users have them, resolved to the one code mnr stores.

A jurisdiction is stored under its ISO 3166-1 alpha-2 code (``KE``), the user-assigned ``XK``
(Kosovo) or a non-country code (``GB-EAW``). Files and commands may also name it by its
alpha-3 code (``KEN``, ``XKX``; KoboToolbox and World Bank files use these) or its numeric code,
with or without leading zeros (``404``; ``8`` and ``008`` are Albania, as a spreadsheet that
dropped the zeros shows it). Codes are matched as written: ``ke`` is not ``KE``, and callers
suggest the upper-case spelling instead of guessing.

Pure Python: callers give the jurisdictions they know, as ``(code, alpha3, numeric)``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping

ACCEPTED = "an ISO 3166-1 alpha-2, alpha-3 or numeric code, or a listed non-country code"
_NUMERIC = re.compile(r"[0-9]{1,3}")


def aliases(jurisdictions: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """The other spellings of each code (alpha-3, three-digit numeric) → the stored code.

    A spelling that is itself a stored code keeps naming that jurisdiction."""
    jurisdictions = list(jurisdictions)
    stored = {code for code, _alpha3, _numeric in jurisdictions}
    spellings: dict[str, str] = {}
    for code, alpha3, numeric in jurisdictions:
        for spelling in (alpha3, numeric.zfill(3) if numeric else ""):
            if spelling and spelling not in stored:
                spellings.setdefault(spelling, code)
    return spellings


def resolve(given: str, codes: Collection[str], spellings: Mapping[str, str]) -> str | None:
    """The stored code ``given`` names, or None when it names no known jurisdiction."""
    text = given.strip()
    if text in codes:
        return text
    if _NUMERIC.fullmatch(text):
        text = text.zfill(3)
    return spellings.get(text)


def hint(given: str, codes: Collection[str], spellings: Mapping[str, str]) -> str:
    """What to say after "unknown jurisdiction 'x'": a likely spelling, or what is accepted."""
    upper = given.strip().upper()
    if upper != given.strip() and resolve(upper, codes, spellings) is not None:
        return f" (did you mean {upper!r}?)"
    return f"; use {ACCEPTED}"
