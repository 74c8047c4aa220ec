"""What a field of an answer may hold, checked the same way on every path that writes one.

The web form, the JSON save endpoint, imports and the command line all call
:func:`text_problem`; the limits are documented in ``docs/interchange.md``.
"""

from __future__ import annotations

MAX_ANSWER_LENGTH = 10_000
"""Characters in one answer (a choice code, a number or free text)."""
MAX_COMMENT_LENGTH = 5_000
"""Characters in one comment (a respondent's note or a reviewer's comment)."""
MAX_URL_LENGTH = 500
"""Characters in one evidence address."""
MAX_SAVE_BYTES = 2 * 1024 * 1024
"""Bytes in one request to the web form's JSON save endpoint (2 MiB). The page sends one
answer at a time, or on leaving the changes it still holds: far less than this. (Django itself
refuses request bodies over 2.5 MB.)"""

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
"""Bytes in one evidence file attached to an answer (10 MiB); see ``mnr.core.evidence``."""
MAX_EVIDENCE_NAME_LENGTH = 200
"""Characters in the name of an evidence file."""
MAX_EVIDENCE_FILES = 20
"""Files attached to one answer at a time."""

LIMITS: dict[str, int] = {
    "value": MAX_ANSWER_LENGTH,
    "answer": MAX_ANSWER_LENGTH,
    "comment": MAX_COMMENT_LENGTH,
    "evidence_url": MAX_URL_LENGTH,
}


def text_problem(field: str, value: str) -> str | None:
    """Why ``value`` cannot be stored in ``field``, or None when it can.

    Refused: text longer than the field's limit, NUL characters (PostgreSQL cannot store
    them) and lone surrogates (not Unicode text; they cannot be encoded as UTF-8)."""
    limit = LIMITS.get(field)
    if limit is not None and len(value) > limit:
        return f"{field} is {len(value)} characters long; at most {limit} are allowed"
    if "\x00" in value:
        return f"{field} contains a NUL character; remove it"
    if any("\ud800" <= char <= "\udfff" for char in value):
        return f"{field} contains a lone surrogate (not valid Unicode text); correct the encoding"
    return None
