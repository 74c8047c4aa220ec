"""Every chart of synthetic data draws SYNTHETIC DATA in its own language inside the image: the
findings explorer's chart and the maturity profile's heat strip (the report's charts are checked
on the demo report in tests/django/test_report_synthetic_charts.py)."""

from __future__ import annotations

import copy

import pytest
import vl_convert
from tests.core.test_charts import svg_texts
from tests.core.test_explorer_chart import income_rows
from tests.core.test_profile_chart import profile

from mnr.core.charts import VEGA_LITE_VERSION, explorer_chart
from mnr.maturity.render.chart import profile_chart, profile_svg

MARKS = {"en": "SYNTHETIC DATA", "fr": "DONNÉES SYNTHÉTIQUES", "es": "DATOS SINTÉTICOS"}


def drawn(spec: dict[str, object]) -> str:
    """All the texts vl-convert draws for ``spec``, as one string."""
    fixed = copy.deepcopy(spec)
    if fixed.get("width") == "container":
        fixed["width"] = 600  # no container to follow outside a page
    svg: str = vl_convert.vegalite_to_svg(fixed, vl_version=VEGA_LITE_VERSION)
    return " | ".join(svg_texts(svg))


@pytest.mark.parametrize("lang", sorted(MARKS))
def test_the_explorer_chart_draws_the_mark_in_its_language(lang: str) -> None:
    assert MARKS[lang] in drawn(explorer_chart(income_rows(), lang, synthetic=True).spec)
    assert MARKS[lang] not in drawn(explorer_chart(income_rows(), lang).spec)


@pytest.mark.parametrize("lang", sorted(MARKS))
def test_the_profile_chart_draws_the_mark_in_its_language(lang: str) -> None:
    assert MARKS[lang] in drawn(profile_chart(profile(lang=lang)))
    assert MARKS[lang] in " ".join(svg_texts(profile_svg(profile(lang=lang))))
    assert MARKS[lang] not in drawn(profile_chart(profile(synthetic=False, lang=lang)))
