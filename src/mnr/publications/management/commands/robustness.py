"""``mnr robustness``: how far a round's figures and domain scores move under other coding
choices (mnr.core.robustness; the rules are in docs/robustness.md).

The operator runs it (no user: like the other commands it has the database), so by default it
recomputes the live round with every applicable assumption; ``--publication N`` reads that
publication's frozen answers and ``--public`` shows exactly what the public sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.core import robustness as core
from mnr.errors import MnrError
from mnr.publications import robustness as service
from mnr.publications.models import Publication, PublicationRobustness
from mnr.publications.reading import latest_publication
from mnr.surveys.lookups import round_by_code
from mnr.surveys.models import Round

LANG = "en"
SYNTHETIC_LINE = "Synthetic demonstration data: pseudonymous jurisdictions, invented answers."
# What may not be chosen for a public run: it is the publication's stored run, as computed.
SPEC_OPTIONS = ("assume", "fix", "concentration", "weight_sets", "floor")


def _assumption_options(given: str) -> tuple[str, tuple[str, ...]]:
    name, equals, options = given.partition("=")
    chosen = tuple(o.strip() for o in options.split(",") if o.strip())
    if not equals or not name.strip() or not chosen:
        raise MnrError(
            f"--assume {given!r}: write NAME=option,option (e.g. --assume partial=as-counted,half)"
        )
    return name.strip(), chosen


def _floor(given: str) -> float | None:
    if given.strip().lower() == "none":
        return None
    try:
        return float(given)
    except ValueError:
        raise MnrError(f"--floor {given!r}: give a positive number, or none for no floor") from None


def build_spec(problem: core.Problem, options: dict[str, Any]) -> core.Spec:
    """The command line's specification: every applicable assumption with all its options,
    changed by ``--assume`` and ``--fix``; the engine's check refuses what cannot run."""
    chosen = dict(core.default_spec(problem).options)
    assumed: dict[str, tuple[str, ...]] = {}
    for given in options["assume"] or ():
        name, values = _assumption_options(given)
        if name in assumed:
            raise MnrError(f"--assume {name}: given twice; list every option once")
        assumed[name] = values
    fixed = list(options["fix"] or ())
    for name in fixed:
        core.options_of(problem, name)  # an unknown assumption is refused, naming the known
        if name in assumed:
            raise MnrError(f"--fix {name} and --assume {name}: give one of them")
    chosen.update(assumed)
    for name in fixed:
        chosen.pop(name, None)
    defaults = core.Spec()
    concentration, weight_sets = options["concentration"], options["weight_sets"]
    return core.Spec(
        options=chosen,
        concentration=defaults.concentration if concentration is None else concentration,
        weight_sets=defaults.weight_sets if weight_sets is None else weight_sets,
        floor=defaults.floor if options["floor"] is None else _floor(options["floor"]),
    )


def _publication(round_: Round, number: int | None) -> Publication:
    if number is None:
        latest = latest_publication(round_)
        if latest is None:
            raise MnrError(
                f"round {round_.code} has no publication yet: --public shows a publication "
                f"as the public sees it (publish with mnr publish --round {round_.code})"
            )
        return latest
    found = Publication.objects.filter(round=round_, number=number).first()
    if found is None:
        numbers = Publication.objects.filter(round=round_).order_by("number")
        listed = ", ".join(str(n) for n in numbers.values_list("number", flat=True)) or "none"
        raise MnrError(
            f"round {round_.code} has no publication {number}; its publications: {listed}"
        )
    return found


def _stored(publication: Publication) -> core.Result | None:
    """The publication's stored public run when it is ready (read only: nothing is queued)."""
    row = PublicationRobustness.objects.filter(
        publication=publication, status=PublicationRobustness.Status.READY
    ).first()
    return None if row is None or row.result is None else core.Result.from_json(row.result)


def _check_public(options: dict[str, Any]) -> None:
    given = [
        f"--{name.replace('_', '-')}" for name in SPEC_OPTIONS if options[name] not in (None, [])
    ]
    for name, stored in (
        ("replications", service.PUBLICATION_REPLICATIONS),
        ("seed", service.PUBLICATION_SEED),
    ):
        if options[name] is not None and options[name] != stored:
            given.append(f"--{name} {options[name]}")
    if given:
        raise MnrError(
            f"--public shows the publication's public run as stored "
            f"({service.PUBLICATION_REPLICATIONS} replications, seed "
            f"{service.PUBLICATION_SEED}, the assumptions a public output may vary); leave out "
            f"{', '.join(given)}, or drop --public to choose them"
        )


# --- the table ----------------------------------------------------------------------------------


def _percent_range(low: float, high: float) -> str:
    return f"{round(low)}-{round(high)}%"


def _matters(sensitivity: Sequence[core.Sensitivity], *, still: str | None = None) -> str:
    most = service.matters_most(sensitivity)
    if most is None:
        return still or service.robustness_texts(LANG)["nothing_matters"]
    return service.assumption_label(most, LANG)


def _columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows padded into columns under a header and a rule; the last column is not padded."""
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header) - 1)]

    def line(cells: Sequence[str]) -> str:
        padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
        return "  ".join([*padded, cells[-1]]).rstrip()

    top = line(header)
    return [top, "-" * len(top), *(line(r) for r in rows)]


def _figure_rows(result: core.Result) -> list[list[str]]:
    rows = []
    for figure in result.figures:
        published = (
            f"{figure.percent}% ({figure.numerator} of {figure.denominator})"
            if figure.percent is not None
            else f"{figure.numerator} of {figure.denominator}"
        )
        rows.append(
            [
                figure.id,
                published,
                _percent_range(figure.low, figure.high),
                figure.phrase,
                f"{round(100 * figure.phrase_stable)}%",
                _matters(figure.sensitivity),
            ]
        )
    return rows


def _domain_rows(result: core.Result) -> list[list[str]]:
    # By jurisdiction code, domains in framework order (the order the run gives them within a
    # jurisdiction): never by score, which would rank jurisdictions.
    ordered = sorted(result.domains, key=lambda d: d.jurisdiction)
    return [
        [
            d.jurisdiction,
            d.domain,
            f"{d.nominal:.2f}",
            f"{d.low:.2f}-{d.high:.2f}",
            _matters(d.sensitivity, still="none (the score does not move)"),
        ]
        for d in ordered
    ]


def as_table(result: core.Result, round_: Round, source: str, *, public: bool = False) -> str:
    words = service.robustness_texts(LANG)
    lines = [SYNTHETIC_LINE] if round_.synthetic else []
    mark = " [SYNTHETIC DATA]" if round_.synthetic else ""
    varied = ", ".join(result.factors) or "none (every assumption as counted)"
    lines.append(
        f"robustness of round {result.round}{mark} ({source}): {result.replications} "
        f"replications, seed {result.seed}; assumptions varied: {varied}"
    )
    for name in result.factors:
        tried = result.spec.chosen(name)
        lines.append(f"  {name}: {service.assumption_label(name, LANG)} ({', '.join(tried)})")
    for name, tried in result.spec.options.items():
        nominal = core.OPTIONS.get(name, (core.CHANNEL_NOMINAL,))[0]
        if name not in result.factors and tried != (nominal,):
            label = service.assumption_label(name, LANG)
            lines.append(f"  {name}: {label} (held at {', '.join(tried)} in every replication)")
    if public:
        lines.append(words["held_fixed"])
    if result.figures:
        lines.append("")
        lines += _columns(
            [
                words["figure"].lower(),
                words["published"].lower(),
                "5th-95th",
                words["wording"].lower(),
                words["wording_stable"].lower(),
                words["matters_most"].lower(),
            ],
            _figure_rows(result),
        )
    if result.domains:
        lines.append("")
        lines += _columns(
            [
                "jurisdiction",
                words["domain"].lower(),
                words["score"].lower(),
                "5th-95th",
                words["matters_most"].lower(),
            ],
            _domain_rows(result),
        )
    if not result.figures and not result.domains:
        lines.append("no figure or domain score to show")
    return "\n".join(lines)


class Command(MnrCommand):
    help = (
        "Robustness of a round's headline figures and domain maturity scores: each recomputed "
        "under other coding choices (5th-95th percentile range, how often the wording stays, "
        "the choice that matters most). See docs/robustness.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", required=True, dest="round_code")
        parser.add_argument(
            "--replications",
            type=int,
            help=f"about this many replications (default {service.PUBLICATION_REPLICATIONS})",
        )
        parser.add_argument(
            "--seed", type=int, help=f"random seed (default {service.PUBLICATION_SEED})"
        )
        parser.add_argument(
            "--format", choices=["table", "json"], default="table", dest="output_format"
        )
        parser.add_argument(
            "--publication",
            type=int,
            metavar="N",
            help="the round's publication N (its frozen answers) instead of the live round",
        )
        parser.add_argument(
            "--public",
            action="store_true",
            help="the publication's public run, exactly as the public sees it (default: the "
            "latest publication)",
        )
        parser.add_argument(
            "--assume",
            action="append",
            metavar="NAME=OPTION,…",
            help="the options of an assumption to try (repeatable), e.g. partial=as-counted,half",
        )
        parser.add_argument(
            "--fix",
            action="append",
            metavar="NAME",
            help="hold an assumption at its nominal option (repeatable)",
        )
        parser.add_argument(
            "--concentration", type=float, help="Dirichlet concentration of the weights"
        )
        parser.add_argument("--weight-sets", type=int, help="number of Dirichlet weight sets")
        parser.add_argument(
            "--floor", help="floor of the geometric mean (a positive number, or none)"
        )
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=core.DEFAULT_CHUNK,
            help="replications evaluated at once (memory, never the results)",
        )

    def run(self, *args: Any, **options: Any) -> None:
        round_ = round_by_code(options["round_code"])
        try:
            result, source = self.result(round_, options)
        except core.RobustnessError as error:
            raise MnrError(f"robustness of round {round_.code}: {error}") from error
        if options["output_format"] == "json":
            self.write_json({**result.to_json(), "synthetic": round_.synthetic})
        else:
            self.stdout.write(as_table(result, round_, source, public=options["public"]))

    def result(self, round_: Round, options: dict[str, Any]) -> tuple[core.Result, str]:
        if options["public"]:
            _check_public(options)
            publication = _publication(round_, options["publication"])
            source = f"publication {publication.number}, as the public sees it"
            stored = _stored(publication)
            if stored is not None:
                return stored, source
            problem = service.publication_problem(publication, public=True)
            spec = service.public_spec(problem)
            replications, seed = service.PUBLICATION_REPLICATIONS, service.PUBLICATION_SEED
        else:
            if options["publication"] is not None:
                publication = _publication(round_, options["publication"])
                problem = service.publication_problem(publication, public=False)
                source = f"publication {publication.number}"
            else:
                problem = service.round_problem(round_)
                source = "live round"
            if not problem.figures and problem.maturity is None:
                raise MnrError(
                    f"round {round_.code} has no headline figures and no maturity phases: "
                    "nothing to recompute (headlines are set in the report editor)"
                )
            spec = build_spec(problem, options)
            replications = options["replications"]
            if replications is None:
                replications = service.PUBLICATION_REPLICATIONS
            seed = service.PUBLICATION_SEED if options["seed"] is None else options["seed"]
        result = core.run(
            problem, spec, replications=replications, seed=seed, chunk_size=options["chunk_size"]
        )
        return result, source
