"""Respondents within a jurisdiction, and a respondent's confidence in a phase answer.

A submission is one jurisdiction, channel and respondent. The respondent is an organisation
within the jurisdiction (``police``, ``justice``, ``civil_society``) named by a code; the blank
code is the lead respondent, who speaks for the jurisdiction where one answer per jurisdiction
is counted (``docs/counting-rules.md``). The same rule for the code holds on every path that
names a respondent: actions, role assignments, answer files and the XLSForm's constraint.

Pure Python: no Django, no database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

LEAD = ""
"""The lead respondent's code."""
LEAD_LABEL = "Lead respondent"
MAX_RESPONDENT_LENGTH = 60
MAX_RESPONDENT_NAME_LENGTH = 200

RESPONDENT_PATTERN = f"[a-z0-9][a-z0-9_-]{{0,{MAX_RESPONDENT_LENGTH - 1}}}"
"""A respondent code: lower-case ASCII letters, digits, ``_`` and ``-``, starting with a letter or
a digit, at most 60 characters (a Django slug, lower case). Also the XLSForm's constraint."""
_RESPONDENT = re.compile(RESPONDENT_PATTERN)

CONFIDENCE_LEVELS: Mapping[str, str] = {"low": "Low", "medium": "Medium", "high": "High"}
"""A respondent's confidence in a phase answer, code → label, from least to most confident;
blank means not said."""


def respondent_problem(code: str) -> str | None:
    """Why ``code`` cannot name a respondent, or None when it can (the blank lead included)."""
    if code == LEAD or _RESPONDENT.fullmatch(code):
        return None
    shown = repr(code[:MAX_RESPONDENT_LENGTH]) + ("…" if len(code) > MAX_RESPONDENT_LENGTH else "")
    if len(code) > MAX_RESPONDENT_LENGTH:
        why = f"it is {len(code)} characters long; at most {MAX_RESPONDENT_LENGTH} are allowed"
    else:
        why = (
            "use lower-case letters, digits, '_' and '-', starting with a letter or digit "
            "(such as police or civil_society); leave it empty for the lead respondent"
        )
    suggestion = re.sub(r"[^a-z0-9_-]+", "_", code.strip().lower()).strip("_-")
    hint = (
        f" (did you mean {suggestion!r}?)"
        if suggestion and suggestion != code and _RESPONDENT.fullmatch(suggestion)
        else ""
    )
    return f"respondent {shown} is not a respondent code: {why}{hint}"


def confidence_problem(level: str) -> str | None:
    """Why ``level`` is not a confidence level, or None when it is one (or blank)."""
    if level == "" or level in CONFIDENCE_LEVELS:
        return None
    return f"confidence {level[:20]!r} is not one of {', '.join(CONFIDENCE_LEVELS)} (or empty)"


def respondent_label(code: str, name: str = "") -> str:
    """How a respondent is shown: its name, else its code; the lead as "Lead respondent"."""
    return name or (LEAD_LABEL if code == LEAD else code)
