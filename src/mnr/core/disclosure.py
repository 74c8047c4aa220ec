"""Small-cell suppression for findings shown to people who may not see jurisdiction answers.

A cell covering fewer than ``k`` jurisdictions could point at a single jurisdiction, so its
numbers are withheld. Within one breakdown, more cells are withheld where needed so that a
withheld cell cannot be recovered by subtracting the others from the round total. The rules
and their limits are written out in ``docs/counting-rules.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from mnr.core.findings import Finding

SMALL_CELL = "fewer than {k} jurisdictions"
COMPLEMENT = "withheld so that a smaller cell cannot be derived from the total"


def suppress(findings: Sequence[Finding], k: int = 3) -> list[Finding]:
    """The findings with small cells withheld, in the same order.

    Whole-round totals (no group, population ``all``) are withheld only when they cover fewer
    than ``k`` jurisdictions, that is when the round itself is that small.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    reasons: dict[int, str] = {}
    for index, finding in enumerate(findings):
        if _is_small(finding, k):
            reasons[index] = SMALL_CELL.format(k=k)
    for cells in _breakdowns(findings).values():
        for index in _complements(findings, cells, set(reasons), k):
            reasons[index] = COMPLEMENT
    return [
        withhold(finding, reasons[index]) if index in reasons else finding
        for index, finding in enumerate(findings)
    ]


def _is_small(finding: Finding, k: int) -> bool:
    if finding.suppressed:
        return True
    if finding.group is None and finding.population == "all":
        return finding.size < k
    return finding.size < k or (finding.denominator or 0) < k


def _breakdowns(findings: Sequence[Finding]) -> dict[tuple[object, ...], list[int]]:
    """Positions of the cells of each breakdown (one question, dimension, population)."""
    cells: dict[tuple[object, ...], list[int]] = {}
    for index, finding in enumerate(findings):
        if finding.group is not None:
            key = (finding.question, finding.by, finding.population, finding.counts_as)
            cells.setdefault(key, []).append(index)
    return cells


def _complements(
    findings: Sequence[Finding], cells: list[int], withheld: set[int], k: int
) -> list[int]:
    """Further cells to withhold so the withheld cells of a breakdown stay undisclosed.

    The round total minus the shown cells gives the sum of the withheld ones, so that sum
    must itself cover at least k jurisdictions and not be a single cell.
    """
    hidden = [i for i in cells if i in withheld]
    shown = sorted(
        (i for i in cells if i not in withheld),
        key=lambda i: (findings[i].size, findings[i].denominator or 0, i),
    )
    added: list[int] = []
    while hidden and shown and not _safe([findings[i] for i in hidden], k):
        index = shown.pop(0)
        hidden.append(index)
        added.append(index)
    return added


def _safe(hidden: Sequence[Finding], k: int) -> bool:
    """Whether the withheld cells together are big enough; a cell that came in already
    withheld was made safe by an earlier pass, so it is taken as big enough."""
    if any(f.suppressed for f in hidden):
        return len(hidden) >= 2
    size = sum(f.size for f in hidden)
    denominator = sum(f.denominator or 0 for f in hidden)
    return len(hidden) >= 2 and size >= k and denominator >= k


def withhold(finding: Finding, reason: str) -> Finding:
    """The finding with its counts and shares emptied and the reason recorded."""
    if finding.suppressed:
        return finding
    return replace(
        finding,
        counts={},
        numerator=None,
        denominator=None,
        percent=None,
        sentence=None,
        suppressed=True,
        suppression_reason=reason,
    )
