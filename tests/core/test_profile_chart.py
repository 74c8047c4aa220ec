"""The profile's heat strip: a valid Vega-Lite spec that renders offline, one row per domain,
the phase printed in every cell, readable in grayscale, with a text alternative."""

from __future__ import annotations

import io
import itertools
import re
from collections import Counter
from typing import Any

import numpy as np
import vl_convert
from PIL import Image

from mnr.core.charts import VEGA_LITE_VERSION
from mnr.maturity.render.chart import (
    NO_PHASE_MARK,
    PHASE_FILL,
    PHASE_INK,
    profile_chart,
    profile_chart_alt,
    profile_svg,
)

DOMAINS = {
    "D1": ("Policy and Governance", ["C01", "C02", "C03"]),
    "D2": ("Criminal Justice", ["C04", "C05", "C06", "C07"]),
    "D3": ("Victim", ["C08", "C09", "C10", "C11"]),
    "D4": ("Societal", ["C12", "C13", "C14", "C15"]),
    "D5": ("Industry", ["C16", "C17", "C18", "C19"]),
    "D6": ("Media and Communications", ["C20", "C21"]),
}
PHASE_NAMES = {1: "Building", 2: "Developing", 3: "Established", 4: "Maturity"}
LONG_NAME = "Compensation, Remedies and Complaints Arrangements"


def row(capability: str, phase: int | None, *, override: int | None = None) -> dict[str, Any]:
    shown = override if override is not None else phase
    return {
        "capability": capability,
        "name": LONG_NAME if capability == "C10" else f"Capability {capability[1:]}",
        "phase": shown,
        "phase_name": PHASE_NAMES.get(shown) if shown else None,
        "computed_phase": phase,
        "respondents": 0 if phase is None else 1,
        "range": None if phase is None else 0,
        "override": (
            None
            if override is None
            else {"phase": override, "reason": "seen", "by": "rev", "at": "2026-01-02T00:00:00Z"}
        ),
        "answers": [],
        "previous_phase": None,
        "change": None,
    }


def profile(
    phases: dict[str, int | None] | None = None,
    *,
    synthetic: bool = True,
    lang: str = "en",
    overrides: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A profile as ``mnr.maturity.service.profile`` gives it, phases 1 to 4 in turn by default
    and C05 without a phase."""
    everyone = [c for _, members in DOMAINS.values() for c in members]
    chosen: dict[str, int | None] = {c: n % 4 + 1 for n, c in enumerate(everyone)}
    chosen["C05"] = None
    chosen.update(phases or {})
    overrides = overrides or {}
    return {
        "round": "sa-test",
        "round_title": "Test",
        "synthetic": synthetic,
        "jurisdiction": "KE",
        "name": "Kenya",
        "lang": lang,
        "phases": [{"level": level, "name": name} for level, name in PHASE_NAMES.items()],
        "previous_round": None,
        "domains": [
            {
                "id": domain,
                "name": name,
                "capabilities": [row(c, chosen[c], override=overrides.get(c)) for c in members],
            }
            for domain, (name, members) in DOMAINS.items()
        ],
        "strengths": [],
        "gaps": [],
        "spread": [],
        "summary": [],
        "group": None,
    }


def svg_texts(svg: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", text) for text in re.findall(r"<text[^>]*>(.*?)</text>", svg)]


def layer_texts(svg: str, layer: int) -> list[str]:
    """The texts one layer of the chart draws, in the order of its data (the cells)."""
    group = re.search(rf'<g class="mark-text role-mark layer_{layer}_marks"[^>]*>(.*?)</g>', svg)
    assert group is not None, f"layer {layer} draws no text"
    return svg_texts(group.group(1))


def phases_printed(svg: str) -> dict[str, str]:
    """Capability id → what its cell prints as its phase (layers 2 and 3: ids, phases)."""
    return dict(zip(layer_texts(svg, 2), layer_texts(svg, 3), strict=True))


def render_svg(spec: dict[str, Any]) -> str:
    svg: str = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION)
    return svg


def test_spec_is_valid_vega_lite_and_renders() -> None:
    spec = profile_chart(profile())
    assert f"/vega-lite/v{VEGA_LITE_VERSION}." in spec["$schema"]
    vega = vl_convert.vegalite_to_vega(spec, vl_version=VEGA_LITE_VERSION)
    assert vega["marks"]
    assert render_svg(spec).startswith("<svg")


def test_one_row_per_domain_in_framework_order() -> None:
    spec = profile_chart(profile())
    order = [label.replace("\n", " ") for label in spec["encoding"]["y"]["sort"]]
    assert order == [f"{domain} {name}" for domain, (name, _) in DOMAINS.items()]
    cells = spec["data"]["values"]
    assert [c["capability"] for c in cells] == [f"C{n:02d}" for n in range(1, 22)]
    for domain, (_, members) in DOMAINS.items():
        slots = [c["slot"] for c in cells if c["capability"] in members]
        assert slots == list(range(len(members))), domain


def test_every_cell_prints_its_capability_and_phase() -> None:
    svg = render_svg(profile_chart(profile()))
    expected = {
        cell["capability"]: NO_PHASE_MARK if cell["phase"] is None else str(cell["phase"])
        for domain in profile()["domains"]
        for cell in domain["capabilities"]
    }
    assert phases_printed(svg) == expected
    names = layer_texts(svg, 4)
    assert "Compensation, Remedies" in " ".join(names)  # wrapped, not cut
    assert not [text for text in svg_texts(svg) if "…" in text]


def test_an_overridden_phase_is_marked_and_explained() -> None:
    chart = profile_chart(profile({"C02": 1}, overrides={"C02": 3}))
    assert phases_printed(render_svg(chart))["C02"] == "3*"
    assert any("Set by a reviewer" in line for line in chart["title"]["subtitle"])
    assert "C02 Capability 02 phase 3 Established (set by a reviewer; computed 1)" in (
        profile_chart_alt(profile({"C02": 1}, overrides={"C02": 3}))
    )
    assert not any("reviewer" in line for line in profile_chart(profile())["title"]["subtitle"])


def title(chart: dict[str, Any]) -> str:
    return " / ".join(chart["title"]["text"])


def test_synthetic_data_are_labelled_in_the_chart() -> None:
    # First on the title's second line, where a long name cannot push it out of the chart.
    assert title(profile_chart(profile())).startswith("Phase of each capability: Kenya / SYNTHETIC")
    assert any("SYNTHETIC DATA" in text for text in svg_texts(render_svg(profile_chart(profile()))))
    assert "SYNTHETIC" not in title(profile_chart(profile(synthetic=False)))


def test_text_alternative_gives_every_capability_its_phase() -> None:
    alt = profile_chart_alt(profile())
    assert alt.startswith("Maturity profile of Kenya, round sa-test")
    assert "Synthetic data." in alt
    assert "D1 Policy and Governance: C01 Capability 01 phase 1 Building;" in alt
    assert "C05 Capability 05 no phase" in alt
    assert "C21 Capability 21 phase 1 Building." in alt
    assert profile_chart(profile())["description"] == alt


def test_inline_svg_is_an_image_named_by_its_text_alternative() -> None:
    svg = profile_svg(profile())
    assert svg.startswith(
        '<svg id="profile-chart" role="img" aria-labelledby="profile-chart-title"'
    )
    title = re.search(r'<title id="profile-chart-title">([^<]*)</title>', svg)
    assert title is not None and "C05 Capability 05 no phase" in title.group(1)


def test_fixed_texts_follow_the_language() -> None:
    chart = profile_chart(profile(lang="fr"))
    assert title(chart) == "Phase de chaque capacité : Kenya / DONNÉES SYNTHÉTIQUES · Cycle sa-test"
    assert "Pas de phase" in chart["layer"][0]["encoding"]["fill"]["scale"]["domain"]
    assert "pas de phase" in profile_chart_alt(profile(lang="fr"))


# --- grayscale ---------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def _luma(colour: str) -> float:
    """Gray level 0-255 as Pillow's "L" conversion computes it (ITU-R 601-2)."""
    r, g, b = _rgb(colour)
    return (r * 299 + g * 587 + b * 114) / 1000


def _relative_luminance(colour: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_shades_darken_from_no_phase_to_phase_4() -> None:
    lumas = [_luma(PHASE_FILL[key]) for key in ("none", "1", "2", "3", "4")]
    assert all(earlier - later >= 40 for earlier, later in itertools.pairwise(lumas)), lumas


def test_printed_phases_contrast_with_their_cell() -> None:
    for key, fill in PHASE_FILL.items():
        lighter, darker = sorted(
            (_relative_luminance(fill), _relative_luminance(PHASE_INK[key])), reverse=True
        )
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, key


def test_rendered_cells_keep_their_order_in_grayscale() -> None:
    png = vl_convert.vegalite_to_png(profile_chart(profile()), vl_version=VEGA_LITE_VERSION)
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    colour = np.asarray(picture)
    gray = np.asarray(picture.convert("L")).astype(int)
    levels = {}
    for key in ("1", "2", "3", "4"):
        drawn = np.all(colour == _rgb(PHASE_FILL[key]), axis=2)
        assert drawn.sum() > 1000, f"phase {key} is not drawn"
        levels[key] = Counter(gray[drawn].tolist()).most_common(1)[0][0]
    ordered = [levels[key] for key in ("1", "2", "3", "4")]
    assert ordered == sorted(ordered, reverse=True), levels
    assert min(a - b for a, b in itertools.pairwise(ordered)) >= 40, levels
    assert 255 - levels["1"] >= 35  # phase 1 stands apart from a blank (white) cell


def test_a_cell_without_a_phase_is_outlined_dashed() -> None:
    svg = render_svg(profile_chart(profile()))
    assert svg.count('stroke-dasharray="4,3"') == 1  # C05 only
    none = profile({"C05": 2, "C06": None, "C07": None})
    assert render_svg(profile_chart(none)).count('stroke-dasharray="4,3"') == 2
