"""Reading an SDMX file of a publication back with sdmx1 and checking it cell for cell."""

from __future__ import annotations

from typing import Any

from sdmx.model import common

from mnr.core.findings import BREAKDOWNS, COUNT_KEYS
from mnr.exporters import sdmx as mnr_sdmx
from mnr.findings.service import round_findings
from mnr.publications.models import Publication


def expected_cells(publication: Publication) -> dict[tuple[str, ...], dict[str, Any]]:
    """Every cell of the publication's findings as the public reads them, keyed as SDMX."""
    findings = round_findings(
        publication.round, breakdowns=[None, *BREAKDOWNS], public=True, publication=publication
    )
    cells: dict[tuple[str, ...], dict[str, Any]] = {}
    for finding in findings:
        base = (
            publication.round.code,
            finding.question.replace(".", "_"),
            finding.by or "_T",
            finding.group or "_T",
        )
        for response in (*COUNT_KEYS, "COUNTED"):
            if finding.suppressed:
                value = None
            elif response == "COUNTED":
                value = finding.numerator
            else:
                value = finding.counts.get(response, 0)
            cells[(*base, response)] = {
                "value": value,
                "suppressed": finding.suppressed,
                "denominator": finding.denominator,
                "percent": finding.percent if response == "COUNTED" else None,
            }
    return cells


def attribute(obs: Any, name: str) -> str | None:
    value = obs.attached_attribute.get(name)
    if value is None:
        return None
    raw = value.value
    text = str(raw.id if isinstance(raw, common.Code) else raw)
    return text or None  # SDMX-CSV reads an absent attribute as an empty field


def read_cells(dataset: Any) -> dict[tuple[str, ...], Any]:
    cells = {}
    for obs in dataset.obs:
        key = tuple(str(obs.dimension[dim].value) for dim in mnr_sdmx.DIMENSIONS)
        assert key not in cells, f"{key} twice"
        cells[key] = obs
    return cells


def check_against(
    cells: dict[tuple[str, ...], Any], expected: dict[tuple[str, ...], dict[str, Any]], dsd: Any
) -> None:
    assert set(cells) == set(expected)
    codelists = {dim.id: dim.local_representation.enumerated for dim in dsd.dimensions.components}
    for key, obs in cells.items():
        # The data validates against the DSD: every dimension value is a code of its list.
        for dim, value in zip(mnr_sdmx.DIMENSIONS, key, strict=True):
            assert value in codelists[dim], f"{dim}={value} is not in {codelists[dim].id}"
        want = expected[key]
        status = attribute(obs, "OBS_STATUS")
        if want["suppressed"]:
            assert status == "C"
            assert obs.value in (None, "") or str(obs.value) == "nan"
            assert attribute(obs, "DENOMINATOR") is None
            assert attribute(obs, "PERCENT") is None
        else:
            assert status == "A"
            assert int(float(obs.value)) == want["value"], key
            if want["denominator"] is not None:
                assert int(float(attribute(obs, "DENOMINATOR") or "")) == want["denominator"]
            if want["percent"] is not None:
                assert int(float(attribute(obs, "PERCENT") or "")) == want["percent"]
