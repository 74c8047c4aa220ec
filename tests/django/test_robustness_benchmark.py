"""`mnr bench robustness` run small: its lines, its last line's form, and a non-zero exit when
a target is missed. No timing is asserted."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mnr.findings.management.commands import bench

pytestmark = pytest.mark.django_db


def test_the_robustness_benchmark_ends_with_its_headline_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert bench.ROBUSTNESS_TARGET_PER_SECOND == 20_000
    assert bench.ROBUSTNESS_DEMO_TARGET_SECONDS == 1.0
    # A demo target nobody meets, so the verdict and the exit status do not depend on the
    # machine; the synthetic target does not count away from its size (250 x 21).
    monkeypatch.setattr(bench, "ROBUSTNESS_DEMO_TARGET_SECONDS", 0.0)
    monkeypatch.setattr(bench, "ROBUSTNESS_DEMO_REPLICATIONS", 600)
    out = StringIO()
    with pytest.raises(CommandError, match=r"missed its target for demo$"):
        call_command(
            "bench",
            "robustness",
            "--jurisdictions",
            "6",
            "--replications",
            "900",
            "--repeat",
            "2",
            stdout=out,
        )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("synthetic round synthetic-robustness-bench: 6 invented")
    assert [line.split(":")[0] for line in lines[1:3]] == ["run 1", "run 2"]
    assert "(target at least 20,000 at 250 x 21: not at its size)" in lines[3]
    assert "tracemalloc peak" in lines[4] and "ru_maxrss" in lines[4]
    assert "demo publication review-2021 1 (synthetic data)" in lines[5]
    assert "target under 0.0 s: MISSED" in lines[5]
    assert re.fullmatch(r"robustness: \d+ replications/s at 6 x 21", lines[-1])


def test_too_few_replications_for_the_benchmark_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="too few for the sensitivity design"):
        call_command("bench", "robustness", "--jurisdictions", "6", "--replications", "10")
