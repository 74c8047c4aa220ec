"""How far one jurisdiction's domain scores depend on the choices behind them: its respondents'
phases recomputed with ``mnr.core.robustness`` under every option of the maturity assumptions
(respondent rule, capability weights, aggregation), for its maturity profile.

Only that jurisdiction's phases and overrides go in, so the run says nothing about any other
jurisdiction and costs little (computed with the profile, never stored). Callers check access
first: the profile is shown only to those who may see the jurisdiction
(``mnr.maturity.service.require_maturity_view``). Rows keep the framework's domain order; they
are never sorted by score.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mnr.core import robustness as core
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.robustness import assumption_label, matters_most, maturity_input
from mnr.surveys.models import Round

# 2,048 base rows of the Saltelli design with the three maturity assumptions varied: steady
# 5th/95th percentiles, and about 0.1 s for one jurisdiction of 21 capabilities.
PROFILE_REPLICATIONS = 2048 * 5
PROFILE_SEED = 2022


def jurisdiction_problem(round_: Round, jurisdiction: Jurisdiction) -> core.Problem | None:
    """The round's maturity problem restricted to ``jurisdiction``'s phases and overrides
    (no figures), or None when the round asks no phases or it has none."""
    code = jurisdiction.code
    maturity = maturity_input(round_, only=[code])
    if maturity is None:
        return None
    phases = tuple(p for p in maturity.phases if p.jurisdiction == code)
    if not phases:
        return None
    # Read for this jurisdiction only; filtered again so that nothing else can reach its run.
    own = replace(
        maturity,
        phases=phases,
        overrides=tuple(o for o in maturity.overrides if o.jurisdiction == code),
    )
    return core.Problem(round=round_.code, maturity=own)


def domain_robustness(round_: Round, jurisdiction: Jurisdiction, lang: str) -> dict[str, Any]:
    """JSON-ready: the run's size and seed, and per domain (framework order) the nominal score,
    its 5th-95th percentile range and the assumption that matters most (its label in ``lang``;
    None when nothing moves the score). ``domains`` is empty when the jurisdiction has no
    phases; ``error`` says why a run could not be made."""
    problem = jurisdiction_problem(round_, jurisdiction)
    empty: dict[str, Any] = {
        "replications": 0,
        "seed": PROFILE_SEED,
        "factors": [],
        "domains": [],
        "error": None,
    }
    if problem is None:
        return empty
    try:
        result = core.run(
            problem,
            core.default_spec(problem),
            replications=PROFILE_REPLICATIONS,
            seed=PROFILE_SEED,
        )
    except core.RobustnessError as error:
        # The profile still shows; the section says the scores' robustness is not available.
        return {**empty, "error": str(error)}
    rows = []
    for domain in result.jurisdiction_domains(jurisdiction.code):
        most = matters_most(domain.sensitivity)
        rows.append(
            {
                "domain": domain.domain,
                "nominal": domain.nominal,
                "low": domain.low,
                "high": domain.high,
                "matters_most": most,
                "matters_most_label": assumption_label(most, lang) if most else None,
                "sensitivity": [s.to_json() for s in domain.sensitivity],
            }
        )
    return {
        "replications": result.replications,
        "seed": result.seed,
        "factors": list(result.factors),
        "domains": rows,
        "error": None,
    }
