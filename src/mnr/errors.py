"""Errors whose message is meant for the user who gave the input."""

from __future__ import annotations

from collections.abc import Iterable


class MnrError(Exception):
    """Bad input or a refused operation; the message says where, what, and what to do."""


def unknown(kind: str, value: object, valid: Iterable[object]) -> MnrError:
    """An unknown identifier, with the list of valid values."""
    choices = ", ".join(sorted(str(v) for v in valid)) or "(none loaded)"
    return MnrError(f"unknown {kind} {value!r}; valid values: {choices}")
