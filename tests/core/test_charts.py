"""Charts: valid specs that render offline, readable in grayscale, with full text alternatives."""

from __future__ import annotations

import io
import itertools
import random
import re
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Any

import numpy as np
import pytest
import vl_convert
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from mnr.core.charts import (
    EMBED_GLOBALS,
    GROUP_COLOURS,
    SNAPSHOT_CATEGORIES,
    SNAPSHOT_COLOURS,
    SNAPSHOT_INK,
    TEXTS,
    VEGA_LITE_VERSION,
    CapabilityLabel,
    Chart,
    breakdown_chart,
    forget_drawings,
    render_png,
    render_svg,
    snapshot_chart,
    texts,
    vega_embed_bundle,
)
from mnr.core.disclosure import protect
from mnr.core.findings import (
    AnswerRecord,
    Finding,
    Participant,
    QuestionSpec,
    RoundData,
    SnapshotRow,
    percent,
    snapshot,
)
from mnr.core.framework import DATA_DIR, load_edition, text

STATUS = ("yes", "partial", "no", "dont_know", "not_applicable")
CHANNEL = "government"


# --- fixtures -------------------------------------------------------------------------------


def capability_labels(lang: str = "en") -> list[CapabilityLabel]:
    edition = load_edition(DATA_DIR / "editions" / "mnr-2016.yaml")
    return [
        CapabilityLabel(c.id, text(c.name, lang), d.id, text(d.name, lang))
        for d in edition.domains
        for c in d.capabilities
    ]


def realistic_round(seed: int = 2021) -> RoundData:
    """42 jurisdictions (17 high-income) answering the 21 status questions, made up."""
    rng = random.Random(seed)
    participants = [
        Participant(f"J{n:02}", "HIC" if n <= 17 else rng.choice(["UMC", "LMC", "LIC"]))
        for n in range(1, 43)
    ]
    codes = (*STATUS, None)
    answers = []
    for capability in capability_labels():
        yes = rng.uniform(0.15, 0.6)
        weights = [yes, rng.uniform(0.1, 0.85 - yes), 0.12, 0.06, 0.02, 0.03]
        for participant in participants:
            value = rng.choices(codes, weights)[0]
            answers.append(
                AnswerRecord(participant.jurisdiction, CHANNEL, f"{capability.id}.status", value)
            )
    questions = [QuestionSpec(f"{c.id}.status", STATUS) for c in capability_labels()]
    return RoundData.from_records(questions, participants, (CHANNEL,), answers)


def realistic_snapshot() -> list[SnapshotRow]:
    pairs = [(c.id, f"{c.id}.status") for c in capability_labels()]
    return snapshot(realistic_round(), pairs)


@pytest.fixture(scope="module")
def rows() -> list[SnapshotRow]:
    return realistic_snapshot()


@pytest.fixture(scope="module")
def chart(rows: list[SnapshotRow]) -> Chart:
    return snapshot_chart(rows, capability_labels())


@pytest.fixture(scope="module")
def svg(chart: Chart) -> str:
    return render_svg(chart)


@pytest.fixture(scope="module")
def png(chart: Chart) -> bytes:
    return render_png(chart)


def svg_texts(svg: str) -> list[str]:
    """The visible texts of an SVG, the lines of a multi-line text joined by a space."""
    root = ET.fromstring(svg)
    return [
        " ".join(part.strip() for part in element.itertext() if part.strip())
        for element in root.iter("{http://www.w3.org/2000/svg}text")
    ]


def row(capability: str, **counts: int) -> SnapshotRow:
    full = {code: counts.get(code, 0) for code in (*STATUS, "blank")}
    in_place = full["yes"] + full["partial"]
    denominator = sum(full[code] for code in STATUS) - full["not_applicable"]
    return SnapshotRow(
        capability,
        f"{capability}.status",
        full,
        in_place,
        denominator,
        percent(in_place, denominator),
    )


def finding(question: str, group: str, numerator: int, denominator: int) -> Finding:
    return Finding(
        question=question,
        group=group,
        counts={"yes": numerator, "no": denominator - numerator},
        counts_as=("yes",),
        numerator=numerator,
        denominator=denominator,
        percent=percent(numerator, denominator),
        by="income",
    )


HELPLINE = CapabilityLabel("C11", "Child Helpline", "D3", "Victim")
LEADERSHIP = CapabilityLabel("C01", "Leadership", "D1", "Policy and Governance")


def layer_values(chart: Chart, layer: int, block: int | None = None) -> list[dict[str, Any]]:
    """The data of one layer of a block (of every block when None), inline in the spec."""
    blocks = chart.spec["vconcat"] if block is None else [chart.spec["vconcat"][block]]
    values = []
    for spec in blocks:
        data = spec["layer"][layer].get("data") or spec["data"]  # layers may share the data
        values.extend(data["values"] if "values" in data else chart.spec["datasets"][data["name"]])
    return values


def bar_values(chart: Chart) -> list[dict[str, Any]]:
    """The data of the bars of every block, in block order."""
    return layer_values(chart, 0)


# --- the snapshot ---------------------------------------------------------------------------


def test_snapshot_spec_is_valid_vega_lite(chart: Chart) -> None:
    assert f"/vega-lite/v{VEGA_LITE_VERSION}." in chart.spec["$schema"]
    vega = vl_convert.vegalite_to_vega(chart.spec, vl_version=VEGA_LITE_VERSION)
    assert vega["marks"]


def test_snapshot_svg_shows_every_capability_domain_and_answer_category(svg: str) -> None:
    shown = svg_texts(svg)
    for capability in capability_labels():
        assert capability.label in shown
        assert f"{capability.domain_id} {capability.domain_name}" in shown
    for category in SNAPSHOT_CATEGORIES:
        assert texts("en")[category] in shown
    assert "Jurisdictions" in shown
    assert not [t for t in shown if "…" in t], "a label was cut short"


def test_snapshot_groups_capabilities_by_domain_in_framework_order(chart: Chart) -> None:
    headings = [block["title"]["text"] for block in chart.spec["vconcat"]]
    assert headings == [
        "D1 Policy and Governance",
        "D2 Criminal Justice",
        "D3 Victim",
        "D4 Societal",
        "D5 Industry",
        "D6 Media and Communications",
    ]
    order = [
        label
        for block in chart.spec["vconcat"]
        for label in block["layer"][0]["encoding"]["y"]["sort"]
    ]
    assert [label.replace("\n", " ") for label in order] == [c.label for c in capability_labels()]


def test_snapshot_png_has_a_readable_size_and_is_not_blank(png: bytes) -> None:
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    height, width, _ = image.shape
    assert 1200 <= width <= 2400  # scale 2 of about 600 to 1200 CSS pixels
    assert 1000 <= height <= 2400
    white = np.all(image == 255, axis=2)
    assert white.mean() < 0.9
    for colour in SNAPSHOT_COLOURS.values():
        assert np.all(image == _rgb(colour), axis=2).sum() > 500, f"{colour} is not drawn"


def test_a_drawing_is_reused_for_the_same_spec_and_never_for_a_changed_one() -> None:
    chart = snapshot_chart([row("C11", yes=3, no=1)], [HELPLINE])
    first = render_svg(chart)
    assert render_svg(chart) is first
    # Same content built again: the cache goes by what the spec says, not by the object.
    assert render_svg(snapshot_chart([row("C11", yes=3, no=1)], [HELPLINE])) is first
    chart.spec["vconcat"][0]["layer"][0]["data"]["values"][0]["count"] = 7
    changed = render_svg(chart)
    assert changed != first
    forget_drawings()
    assert render_svg(chart) == changed and render_svg(chart) is not changed


def test_long_capability_names_are_wrapped_not_cut() -> None:
    long = CapabilityLabel(
        "C10", "Compensation, Remedies and Complaints Arrangements", "D3", "Victim"
    )
    chart = snapshot_chart([row("C10", yes=20, no=5), row("C11", yes=3)], [long, HELPLINE])
    element = next(
        e
        for e in ET.fromstring(render_svg(chart)).iter("{http://www.w3.org/2000/svg}text")
        if "".join(e.itertext()).startswith("C10")
    )
    lines = [t for t in element.itertext() if t.strip()]
    assert lines == ["C10 Compensation, Remedies and Complaints", "Arrangements"]


def _cut_to_width(spec: Any) -> Any:
    """``spec`` with Vega's truncation of the row labels at their reserved width (what the
    charts did before they were spared measuring every label once more)."""
    if isinstance(spec, dict):
        if "labelExpr" in spec and "minExtent" in spec:
            return {**spec, "labelLimit": spec["minExtent"] - 8}
        return {key: _cut_to_width(value) for key, value in spec.items()}
    if isinstance(spec, list):
        return [_cut_to_width(value) for value in spec]
    return spec


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_no_capability_or_group_name_is_too_wide_for_its_place(lang: str) -> None:
    # Row labels are not truncated by Vega: each wrapped name of the edition, and each income
    # group's name, fits the width left of the bars, so cutting them there changes nothing.
    labels = capability_labels(lang)
    snapshot = snapshot_chart([row(c.id, yes=1) for c in labels], labels, lang)
    groups = [finding("C11.status", group, 1, 2) for group in GROUP_COLOURS]
    breakdown = breakdown_chart(groups, {}, lang)
    for chart in (snapshot, breakdown):
        limited = _cut_to_width(chart.spec)
        assert limited != chart.spec
        cut = vl_convert.vegalite_to_svg(limited, vl_version=VEGA_LITE_VERSION)
        assert render_svg(chart) == cut


def test_counts_are_printed_in_segments_wide_enough(chart: Chart, rows: list[SnapshotRow]) -> None:
    printed = [(v["capability"], v["answer"], v["count"]) for v in layer_values(chart, 1)]
    assert printed, "no count is printed in any segment"
    # One of 42 jurisdictions is a sliver about 9 pixels wide: no room for its count.
    assert all(count >= 2 for _, _, count in printed)
    wide = [(r.capability, r.counts["yes"]) for r in rows if r.counts["yes"] >= 5]
    labels = {c.id: c.label for c in capability_labels()}
    for capability, count in wide:
        assert (labels[capability], "Yes", count) in printed


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries({code: st.integers(0, 30) for code in (*STATUS, "blank")}),
        min_size=1,
        max_size=4,
    )
)
def test_segments_add_up_to_every_jurisdiction_and_alt_text_says_so(
    counts: list[dict[str, int]],
) -> None:
    capabilities = capability_labels()[: len(counts)]
    rows = [row(c.id, **n) for c, n in zip(capabilities, counts, strict=True)]
    chart = snapshot_chart(rows, capabilities)
    values = bar_values(chart)
    for capability, snapshot_row in zip(capabilities, rows, strict=True):
        pieces = [v for v in values if v["capability"] == capability.label]
        assert sum(v["count"] for v in pieces) == sum(snapshot_row.counts.values())
        assert all(v["count"] > 0 and v["end"] - v["start"] == v["count"] for v in pieces)
        starts = [v["start"] for v in pieces]
        assert starts == sorted(starts)
        if snapshot_row.denominator:
            expected = (
                f"{capability.label}: {snapshot_row.in_place} of {snapshot_row.denominator} "
                "in place"
            )
        else:
            expected = f"{capability.label}: no jurisdiction answered"
        assert expected in chart.alt_text


def test_blank_and_not_applicable_share_the_last_segment() -> None:
    chart = snapshot_chart([row("C11", yes=30, no=2, not_applicable=3, blank=7)], [HELPLINE])
    last = bar_values(chart)[-1]
    assert (last["answer"], last["count"]) == ("No answer or not applicable", 10)
    # The text alternative keeps the two apart.
    assert "3 not applicable, 7 no answer" in chart.alt_text


def test_capability_without_label_is_refused() -> None:
    with pytest.raises(ValueError, match="C99"):
        snapshot_chart([row("C99", yes=1)], [HELPLINE])


# --- text alternatives ----------------------------------------------------------------------


def test_alt_text_gives_each_capability_its_numbers() -> None:
    rows = [
        row("C01", yes=20, partial=10, no=8, dont_know=2, blank=2),
        row("C11", yes=35, partial=5, no=1, not_applicable=1),
    ]
    chart = snapshot_chart(rows, [LEADERSHIP, HELPLINE])
    assert chart.alt_text == (
        "Capabilities in place. Answers of 42 jurisdictions. In place: yes or partly, of the "
        "jurisdictions that answered (not applicable left out). "
        "D1 Policy and Governance. "
        "C01 Leadership: 30 of 40 in place (75 per cent; 20 yes, 10 partly), 8 no, "
        "2 don't know, 2 no answer. "
        "D3 Victim. "
        "C11 Child Helpline: 40 of 41 in place (98 per cent; 35 yes, 5 partly), 1 no, "
        "1 not applicable."
    )
    assert chart.spec["description"] == chart.alt_text


def test_alt_text_mentions_every_capability_of_a_real_snapshot(
    chart: Chart, rows: list[SnapshotRow]
) -> None:
    for capability, snapshot_row in zip(capability_labels(), rows, strict=True):
        match = re.search(re.escape(capability.label) + r": ([^.]*)\.", chart.alt_text)
        assert match, capability.label
        details = match.group(1)
        assert details.startswith(f"{snapshot_row.in_place} of {snapshot_row.denominator} in place")
        for code, word in (("yes", "yes"), ("no", "no"), ("blank", "no answer")):
            if snapshot_row.counts[code]:
                assert f"{snapshot_row.counts[code]} {word}" in details


# --- grayscale ------------------------------------------------------------------------------


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


def test_palette_gets_lighter_from_yes_to_no_answer() -> None:
    lumas = [_luma(SNAPSHOT_COLOURS[category]) for category in SNAPSHOT_CATEGORIES]
    steps = [later - earlier for earlier, later in itertools.pairwise(lumas)]
    assert min(steps) >= 35, dict(zip(SNAPSHOT_CATEGORIES, lumas, strict=True))


@pytest.mark.parametrize(
    "groups", [("HIC", "LMIC", "unknown"), ("HIC", "UMC", "LMC", "LIC", "unknown")]
)
def test_income_group_shades_differ_in_grayscale(groups: tuple[str, ...]) -> None:
    lumas = sorted(_luma(GROUP_COLOURS[group]) for group in groups)
    assert min(b - a for a, b in itertools.pairwise(lumas)) >= 25, lumas


def test_printed_counts_contrast_with_their_segment() -> None:
    for category in SNAPSHOT_CATEGORIES:
        fill = _relative_luminance(SNAPSHOT_COLOURS[category])
        ink = _relative_luminance(SNAPSHOT_INK[category])
        ratio = (max(fill, ink) + 0.05) / (min(fill, ink) + 0.05)
        assert ratio >= 4.5, category


def test_rendered_segments_stay_distinguishable_in_grayscale() -> None:
    chart = snapshot_chart([row("C11", yes=10, partial=10, no=8, dont_know=8, blank=6)], [HELPLINE])
    picture = Image.open(io.BytesIO(render_png(chart, scale=1))).convert("RGB")
    colour = np.asarray(picture)
    gray = np.asarray(picture.convert("L")).astype(int)
    grays = {}
    for category in SNAPSHOT_CATEGORIES:
        drawn = np.all(colour == _rgb(SNAPSHOT_COLOURS[category]), axis=2)
        assert drawn.sum() > 100, f"{category} is not drawn"
        levels = Counter(gray[drawn].tolist())
        grays[category] = levels.most_common(1)[0][0]
    ordered = [grays[category] for category in SNAPSHOT_CATEGORIES]
    assert ordered == sorted(ordered), grays
    assert min(b - a for a, b in itertools.pairwise(ordered)) >= 35, grays


# --- the breakdown by income group ----------------------------------------------------------


def small_group_round() -> RoundData:
    """10 high-income jurisdictions, 2 lower-income ones and 3 without an income group."""
    participants = [
        *(Participant(f"H{n}", "HIC") for n in range(10)),
        *(Participant(f"L{n}", "LIC") for n in range(2)),
        *(Participant(f"U{n}") for n in range(3)),
    ]
    answers = [
        AnswerRecord(p.jurisdiction, CHANNEL, "C07.icse", "yes" if n % 3 else "no")
        for n, p in enumerate(participants)
    ]
    questions = [QuestionSpec("C07.icse", ("yes", "no", "dont_know", "not_applicable"))]
    return RoundData.from_records(questions, participants, (CHANNEL,), answers)


def test_breakdown_shows_percent_and_n_of_d_per_group() -> None:
    findings = [finding("C11.status", "HIC", 16, 17), finding("C11.status", "LMIC", 20, 25)]
    chart = breakdown_chart(findings, {"C11.status": "National child helpline"})
    shown = svg_texts(render_svg(chart))
    assert "94% (16 of 17)" in shown
    assert "80% (20 of 25)" in shown
    assert {"High income", "Low and middle income", "National child helpline"} <= set(shown)
    assert chart.alt_text == (
        "Share in place by income group. Per cent of the jurisdictions in each group that "
        "answered. National child helpline: high income 94 per cent (16 of 17); low and middle "
        "income 80 per cent (20 of 25)."
    )


def test_withheld_cell_is_absent_with_a_note_never_zero() -> None:
    findings = protect(small_group_round(), k=3, any_participant=False).findings["income"]
    assert [(f.group, f.suppressed) for f in findings] == [
        ("HIC", False),
        ("LMIC", True),
        ("unknown", True),
    ]
    chart = breakdown_chart(findings, {"C07.icse": "Linked to the ICSE database"})

    values = layer_values(chart, 0, block=0)
    assert [v["percent"] for v in values] == [60, None, None]
    scenegraph = vl_convert.vegalite_to_scenegraph(chart.spec, vl_version=VEGA_LITE_VERSION)
    bars = [item["description"] for item in _mark_items(scenegraph, "rect")]
    assert len(bars) == 1 and "High income" in bars[0]

    shown = svg_texts(render_svg(chart))
    assert shown.count("withheld*") == 2
    assert any(t.startswith("* Withheld:") for t in shown)
    assert not [t for t in shown if re.match(r"0%", t)]
    assert "low income withheld" not in chart.alt_text  # the group is LMIC, not LIC
    assert "low and middle income withheld" in chart.alt_text
    assert "income group not known withheld" in chart.alt_text
    assert " 0 per cent" not in chart.alt_text
    assert "Withheld: too few jurisdictions" in chart.alt_text


def test_note_appears_only_when_a_cell_is_withheld() -> None:
    chart = breakdown_chart([finding("C11.status", "HIC", 1, 2)], {})
    assert not [t for t in svg_texts(render_svg(chart)) if "Withheld" in t]
    assert "Withheld" not in chart.alt_text
    assert "C11.status" in chart.alt_text  # no label given: the question id is shown


def test_group_without_answers_says_so_and_draws_nothing() -> None:
    unanswered = Finding("C11.status", "LMIC", {"blank": 5}, ("yes",), 0, 0, None, by="income")
    chart = breakdown_chart([finding("C11.status", "HIC", 16, 17), unanswered], {})
    shown = svg_texts(render_svg(chart))
    assert "no answers" in shown
    assert not [t for t in shown if re.match(r"0\s?%", t)]
    assert "low and middle income no answers" in chart.alt_text


def test_breakdown_by_other_dimensions_is_refused() -> None:
    regional = Finding("C11.status", "Europe", {}, ("yes",), 1, 2, 50, by="region")
    with pytest.raises(ValueError, match="region"):
        breakdown_chart([regional], {})


def _mark_items(node: Any, marktype: str) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        if node.get("marktype") == marktype and node.get("role") == "mark":
            found.extend(node.get("items", []))
        for value in node.values():
            found.extend(_mark_items(value, marktype))
    elif isinstance(node, list):
        for value in node:
            found.extend(_mark_items(value, marktype))
    return found


# --- languages ------------------------------------------------------------------------------


def test_every_language_has_every_text() -> None:
    for lang, table in TEXTS.items():
        assert table.keys() == TEXTS["en"].keys(), lang


def test_unknown_languages_fall_back() -> None:
    assert texts("de") is TEXTS["en"]
    assert texts("fr-CA") is TEXTS["fr"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", {"Oui", "En partie", "Non", "Ne sait pas", "Juridictions", "Capacités en place"}),
        ("es", {"Sí", "En parte", "No", "No sabe", "Jurisdicciones", "Sin respuesta o no aplica"}),
    ],
)
def test_snapshot_fixed_texts_are_translated(lang: str, expected: set[str]) -> None:
    rows = [row("C11", yes=10, partial=10, no=8, dont_know=8, blank=6)]
    chart = snapshot_chart(rows, [HELPLINE], lang=lang)
    shown = set(svg_texts(render_svg(chart)))
    assert expected <= shown
    assert "Yes" not in shown and "Jurisdictions" not in shown
    assert chart.title == TEXTS[lang]["snapshot.title"]


def test_breakdown_fixed_texts_are_translated() -> None:
    findings = [finding("C11.status", "HIC", 16, 17), finding("C11.status", "LMIC", 20, 25)]
    chart = breakdown_chart(findings, {"C11.status": "Ligne d'assistance"}, lang="fr")
    shown = set(svg_texts(render_svg(chart)))
    assert {"94\u00a0% (16 sur 17)", "Revenu élevé", "Pour cent en place"} <= shown
    assert (
        "Ligne d'assistance\u00a0: revenu élevé 94 pour cent (16 sur 17)\u00a0;" in chart.alt_text
    )


# --- synthetic data -------------------------------------------------------------------------

SYNTHETIC_MARKS = {"en": "SYNTHETIC DATA", "fr": "DONNÉES SYNTHÉTIQUES", "es": "DATOS SINTÉTICOS"}


def synthetic_charts(lang: str, synthetic: bool) -> list[Chart]:
    findings = [finding("C11.status", "HIC", 16, 17), finding("C11.status", "LMIC", 20, 25)]
    return [
        snapshot_chart([row("C11", yes=10, no=8, blank=6)], [HELPLINE], lang, synthetic=synthetic),
        breakdown_chart(findings, {"C11.status": "Helpline"}, lang, synthetic=synthetic),
    ]


@pytest.mark.parametrize("lang", sorted(SYNTHETIC_MARKS))
def test_a_synthetic_chart_draws_the_mark_in_its_language(lang: str) -> None:
    for chart in synthetic_charts(lang, synthetic=True):
        # The title's second line, not a word lost in the subtitle (svg_texts joins lines).
        assert f"{chart.title} {SYNTHETIC_MARKS[lang]}" in svg_texts(render_svg(chart))
        assert TEXTS[lang]["alt_synthetic"] in chart.alt_text
        # The chart's title as the page names it stays the plain title.
        assert chart.title in (TEXTS[lang]["snapshot.title"], TEXTS[lang]["breakdown.title"])


@pytest.mark.parametrize("lang", sorted(SYNTHETIC_MARKS))
def test_a_chart_of_real_data_draws_no_synthetic_mark(lang: str) -> None:
    for chart in synthetic_charts(lang, synthetic=False):
        shown = " ".join(svg_texts(render_svg(chart)))
        assert SYNTHETIC_MARKS[lang] not in shown
        assert TEXTS[lang]["alt_synthetic"] not in chart.alt_text


# --- the web app's bundle -------------------------------------------------------------------


def test_vega_embed_bundle_is_self_contained_and_built_once() -> None:
    bundle = vega_embed_bundle()
    assert bundle is vega_embed_bundle()
    assert len(bundle) > 100_000
    assert bundle.rstrip().endswith(";") and "window.vegaEmbed" in bundle
    assert "window.vegaEmbed = vegaEmbed" in EMBED_GLOBALS
    # No module loader or import of anything outside the bundle.
    assert not re.search(r"""\bimport\s*(\(|["'{*])""", bundle)
