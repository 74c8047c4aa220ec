"""``mnr bench robustness``: replications per second of the robustness engine.

- a synthetic round (:mod:`mnr.core.robustness_bench`) of 250 jurisdictions x 21 capabilities
  with every assumption varied (``default_spec``), against 20,000 replications per second;
- the demo publication's public run (10,000 replications, what publishing computes) against
  one second.

Each timed run is a whole ``core.run``: design, every figure and domain score, percentiles and
Sobol' indices. One small untimed run first pays what a running worker has paid once (SALib's
and SciPy's imports). Peak memory is measured on one more run, untimed, since tracing
allocations slows it down.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable

from mnr.core import robustness as core
from mnr.core.framework import load_shipped
from mnr.core.robustness_bench import capability_ids, synthetic_problem
from mnr.errors import MnrError
from mnr.findings.management.commands import bench
from mnr.publications import robustness as service
from mnr.publications.reading import require_publication

SEED = service.PUBLICATION_SEED


def edition_domains(capabilities: int) -> dict[str, tuple[str, ...]] | None:
    """The MNR 2016 edition's capabilities by domain, when the synthetic round has as many
    capabilities as the edition (None: the generator spreads them itself)."""
    edition = load_shipped()[0]["mnr-2016"]
    domains = {d.id: tuple(c.id for c in d.capabilities) for d in edition.domains}
    ids = [c for caps in domains.values() for c in caps]
    return domains if ids == list(capability_ids(capabilities)) else None


def _timed_run(problem: core.Problem, spec: core.Spec, replications: int) -> tuple[float, int]:
    started = time.perf_counter()
    result = core.run(problem, spec, replications=replications, seed=SEED)
    return time.perf_counter() - started, result.replications


def _peak_bytes(problem: core.Problem, spec: core.Spec, replications: int) -> int:
    tracemalloc.start()
    try:
        core.run(problem, spec, replications=replications, seed=SEED)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _max_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux, in bytes on macOS.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (2**20 if sys.platform == "darwin" else 2**10)


def run_robustness_benchmark(
    write: Callable[[str], object], *, replications: int, repeat: int, jurisdictions: int
) -> list[str]:
    """Print each run, the medians and targets, the peak memory; the last line is the
    headline figure. Returns what missed its target (the synthetic target only counts at its
    size)."""
    capabilities = bench.ROBUSTNESS_CAPABILITIES
    size = f"{jurisdictions} x {capabilities}"
    try:
        problem = synthetic_problem(
            jurisdictions, capabilities, seed=SEED, domains=edition_domains(capabilities)
        )
        spec = core.default_spec(problem)
        factors = core.check(problem, spec, replications)
    except ValueError as error:  # a RobustnessError too
        raise MnrError(f"mnr bench robustness: {error}") from error
    write(
        f"synthetic round {problem.round}: {jurisdictions} invented jurisdictions x "
        f"{capabilities} capabilities, {len(problem.figures)} figures, assumptions varied: "
        f"{', '.join(factors)}"
    )
    warm_up = core.MIN_BASE_ROWS * (len(factors) + 2)
    core.run(problem, spec, replications=warm_up, seed=SEED)
    rates = []
    for number in range(1, repeat + 1):
        seconds, done = _timed_run(problem, spec, replications)
        rates.append(done / seconds)
        write(f"run {number}: {done} replications in {seconds:.3f} s, {done / seconds:,.0f}/s")
    median = statistics.median(rates)
    missed = []
    target = bench.ROBUSTNESS_TARGET_PER_SECOND
    at_target = jurisdictions == bench.ROBUSTNESS_TARGET_JURISDICTIONS
    verdict = ("met" if median >= target else "MISSED") if at_target else "not at its size"
    if at_target and median < target:
        missed.append(size)
    write(
        f"median {median:,.0f} replications/s of {repeat} run(s) (target at least {target:,} "
        f"at {bench.ROBUSTNESS_TARGET_JURISDICTIONS} x {capabilities}: {verdict})"
    )
    peak = _peak_bytes(problem, spec, replications)
    write(
        f"peak memory of one run of {replications} replications: {peak / 2**20:.1f} MiB "
        f"allocated (tracemalloc peak); process maximum resident set {_max_rss_mib():.0f} MiB "
        "(getrusage ru_maxrss, including Django and the libraries)"
    )
    if not _demo(write):
        missed.append("demo")
    write(f"robustness: {round(median)} replications/s at {size}")
    return missed


def _demo(write: Callable[[str], object]) -> bool:
    """Time the demo publication's public run; whether it met its target."""
    from mnr.demo import load_demo

    publication = require_publication(load_demo().round)
    problem = service.publication_problem(publication, public=True)
    spec = service.public_spec(problem)
    replications = bench.ROBUSTNESS_DEMO_REPLICATIONS
    seconds, done = _timed_run(problem, spec, replications)
    target = bench.ROBUSTNESS_DEMO_TARGET_SECONDS
    met = seconds < target
    write(
        f"demo publication {publication.round.code} {publication.number} (synthetic data), "
        f"public run: {done} replications of {len(problem.figures)} figures in {seconds:.3f} s "
        f"(target under {target} s: {'met' if met else 'MISSED'})"
    )
    return met
