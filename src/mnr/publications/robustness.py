"""A round's robustness problem as ``mnr.core.robustness`` takes it, from a publication (frozen)
or from the live round (``mnr robustness``), and the public form of a publication's run.

A publication's figures are its report's headlines; a public run recomputes only those
:func:`mnr.core.disclosure.public_robustness` allows and holds fixed what brings in answers
no public table holds (other channels, other respondents). Maturity comes from the live
round: self-assessments are not published, and their domain scores are shown only to those
who may see the jurisdiction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from mnr.core import robustness as core
from mnr.core.disclosure import FigureRequest, public_robustness
from mnr.findings.data import round_data
from mnr.maturity import data as maturity_data
from mnr.maturity.service import crosswalk, edition_of
from mnr.publications.actions import Content
from mnr.publications.models import Publication, PublicationRobustness
from mnr.reports.models import Headline
from mnr.reports.texts import texts
from mnr.surveys.models import Round

# What a publication's stored run uses: enough replications for steady 5th/95th percentiles
# and Sobol' indices of a few assumptions, in well under a second for the demo round.
PUBLICATION_REPLICATIONS = 10_000
PUBLICATION_SEED = 2022


def _figure(headline: dict[str, Any]) -> core.FigureSpec:
    return core.FigureSpec(
        id=headline["key"],
        question=headline["question"],
        counts_as=tuple(headline["counts_as"]),
        population=headline["population"],
        phrase=headline.get("phrase", ""),
    )


def publication_problem(publication: Publication, *, public: bool = True) -> core.Problem:
    """A publication's headline figures over its frozen answers; ``public``: only what
    disclosure control lets a public output recompute."""
    content = Content.of(publication)
    headlines = content.report["headlines"]
    figures = tuple(_figure(h) for h in headlines)
    if not public:
        shown = {key for key, f in content.protection.figures.items() if not f.suppressed}
        return core.Problem(
            round=publication.round.code,
            round_data=content.data,
            figures=tuple(f for f in figures if f.id in shown),
        )
    allowed = public_robustness(
        content.protection,
        [FigureRequest(f.id, f.question, f.counts_as, f.population) for f in figures],
    )
    return core.Problem(
        round=publication.round.code,
        round_data=content.data,
        figures=tuple(f for f in figures if f.id in allowed.figures),
        rate_groups=allowed.rate_groups,
    )


def public_spec(problem: core.Problem) -> core.Spec:
    """Every option of the assumptions a public run may vary."""
    spec = core.default_spec(problem)
    fixed = core.PUBLIC_FIXED
    return core.Spec(options={k: v for k, v in spec.options.items() if k not in fixed})


def maturity_input(round_: Round, only: Sequence[str] | None = None) -> core.MaturityInput | None:
    """The round's respondents' phases, overrides and the edition's domains (by the
    instrument's capability ids), or None when the instrument asks no phases. ``only``: the
    phases and overrides of these jurisdictions alone (a profile's; nothing else is read)."""
    questions = maturity_data.phase_questions(round_)
    if not questions:
        return None
    jurisdictions = maturity_data.participant_codes(round_)
    if only is not None:
        jurisdictions = [code for code in jurisdictions if code in only]
    answers = maturity_data.phase_answers(round_, None if only is None else jurisdictions)
    phases = maturity_data.respondent_phases(round_, answers, jurisdictions)
    edition = edition_of(round_)
    domain_of = {c.id: d.id for d in edition.domains for c in d.capabilities}
    stands_for = crosswalk(round_)
    domains: dict[str, list[str]] = {d.id: [] for d in edition.domains}
    for question in questions:
        edition_ids = stands_for.get(question.capability) or (question.capability,)
        domain = next((domain_of[c] for c in edition_ids if c in domain_of), None)
        if domain is not None and question.capability not in domains[domain]:
            domains[domain].append(question.capability)
    return core.MaturityInput(
        phases=tuple(phases),
        domains={d: tuple(caps) for d, caps in domains.items() if caps},
        overrides=tuple(
            maturity_data.current_overrides(round_, None if only is None else jurisdictions)
        ),
    )


def round_problem(round_: Round) -> core.Problem:
    """The live round, as those who run it see it: its headlines over every recorded answer
    and every jurisdiction's maturity phases."""
    headlines = Headline.objects.filter(round=round_).order_by("position")
    data = round_data(round_)
    return core.Problem(
        round=round_.code,
        round_data=data,
        figures=tuple(
            core.FigureSpec(h.key, h.question, tuple(h.counts_as), h.population, h.phrase)
            for h in headlines
        ),
        maturity=maturity_input(round_),
    )


# --- stored with the publication ------------------------------------------------------------

# A run pending longer than this is taken as lost (its worker stopped) and queued again; the
# demo round's takes well under a second.
STALE_RUN = timedelta(minutes=10)


def public_result(publication: Publication) -> core.Result:
    """Compute the publication's public robustness (what the stored row holds)."""
    problem = publication_problem(publication, public=True)
    return core.run(
        problem,
        public_spec(problem),
        replications=PUBLICATION_REPLICATIONS,
        seed=PUBLICATION_SEED,
    )


def queue_robustness(publication: Publication) -> PublicationRobustness:
    """Create the pending row and enqueue its run once the publication is committed."""
    row, _ = PublicationRobustness.objects.get_or_create(publication=publication)

    def enqueue() -> None:
        from mnr.publications.tasks import compute_robustness

        compute_robustness.enqueue(row.pk)

    transaction.on_commit(enqueue)
    return row


def compute(row: PublicationRobustness) -> None:
    """Run and store; a failure is stored too, with its reason, and raised."""
    try:
        result = public_result(row.publication)
    except Exception as error:
        row.status = PublicationRobustness.Status.FAILED
        row.error = f"{type(error).__name__}: {error}"
        row.save(update_fields=["status", "error"])
        raise
    row.result = result.to_json()
    row.status = PublicationRobustness.Status.READY
    row.error = ""
    row.built_at = timezone.now()
    row.save(update_fields=["result", "status", "error", "built_at"])


def stored_robustness(publication: Publication) -> PublicationRobustness:
    """The publication's row: ready, pending or failed. A publication from before robustness
    was computed, or whose run was lost, is queued (again) here."""
    row = PublicationRobustness.objects.filter(publication=publication).first()
    if row is None:
        return queue_robustness(publication)
    if row.status == PublicationRobustness.Status.PENDING and (
        PublicationRobustness.objects.filter(
            pk=row.pk, queued_at__lt=timezone.now() - STALE_RUN
        ).update(queued_at=timezone.now())
    ):
        return queue_robustness(publication)
    return row


def ready_result(publication: Publication) -> core.Result | None:
    """The stored public result, or None while it is being computed (or failed)."""
    row = stored_robustness(publication)
    row.refresh_from_db()  # an immediate task backend computes it once the publication commits
    if row.status != PublicationRobustness.Status.READY or row.result is None:
        return None
    return core.Result.from_json(row.result)


def ensure_result(publication: Publication) -> core.Result:
    """The stored public result, computed here and stored if it is not ready (a report build,
    itself a background task, never waits for another)."""
    row, _ = PublicationRobustness.objects.get_or_create(publication=publication)
    if row.status != PublicationRobustness.Status.READY or row.result is None:
        compute(row)
    assert row.result is not None
    return core.Result.from_json(row.result)


# --- wording ----------------------------------------------------------------------------------

ROBUSTNESS_TEXTS = Path(__file__).resolve().parent / "data" / "robustness-texts.yaml"
# A total-order index under this is noise of the estimate, not an assumption that matters.
MATTERS = 0.01


def robustness_texts(lang: str) -> dict[str, str]:
    """The fixed wording of robustness outputs in ``lang`` (English where not translated)."""
    return texts(lang, ROBUSTNESS_TEXTS)


def assumption_label(assumption: str, lang: str) -> str:
    return robustness_texts(lang)[f"assumption_{assumption}"]


def option_label(assumption: str, option: str, lang: str) -> str:
    """An option in words; a channel order other than the round's names its first channel."""
    wording = robustness_texts(lang)
    key = f"option_{assumption}_{option}"
    if key in wording:
        return wording[key]
    if assumption == "channel":
        return wording["option_channel_order"].format(channels=option.split(">")[0])
    raise ValueError(f"assumption {assumption!r} has no option {option!r}")


def matters_most(sensitivity: Sequence[core.Sensitivity]) -> str | None:
    """The assumption with the largest total-order index, or None when nothing moves the
    output (every index under :data:`MATTERS`)."""
    ranked = max(sensitivity, key=lambda s: s.total, default=None)
    return ranked.assumption if ranked is not None and ranked.total >= MATTERS else None
