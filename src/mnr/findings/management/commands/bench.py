from __future__ import annotations

import statistics
import time
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.core.findings import QuestionSpec
from mnr.core.framework import load_shipped
from mnr.core.synthetic import run_findings_benchmark
from mnr.errors import MnrError

# The target of the findings benchmark: 250 jurisdictions, three channels, every question.
FINDINGS_TARGET_SECONDS = 0.5
FINDINGS_TARGET_SIZE = 250
# The demo round's report, built from the database and rendered, its charts drawn anew
# (issue 11: HTML under 1.5 s, PDF under 5 s on the project's 2-core machine).
REPORT_HTML_TARGET_SECONDS = 1.5
REPORT_PDF_TARGET_SECONDS = 5.0
# Disclosure control of the demo round's publication (every breakdown and headline audited):
# paid once per publication, never per page.
DISCLOSURE_TARGET_SECONDS = 10.0
# The web app on the demo data: the findings page, a published report served from its stored
# rendering, and a focal point's save while anonymous visitors download the PDF.
WEB_FINDINGS_TARGET_SECONDS = 0.1
WEB_CACHED_REPORT_TARGET_SECONDS = 0.05
WEB_SAVE_TARGET_SECONDS = 0.5
WEB_PDF_VISITORS = 10
# The question the benchmark's focal point answers, yes and no in turn.
WEB_SAVE_QUESTION = "C11.status"
# Robustness (issue 13): a synthetic round of 250 jurisdictions x 21 capabilities, every
# assumption varied, and the demo publication's public run.
ROBUSTNESS_TARGET_PER_SECOND = 20_000
ROBUSTNESS_TARGET_JURISDICTIONS = 250
ROBUSTNESS_CAPABILITIES = 21
ROBUSTNESS_DEMO_REPLICATIONS = 10_000
ROBUSTNESS_DEMO_TARGET_SECONDS = 1.0


def _sizes(value: str) -> list[int]:
    return [int(part) for part in value.split(",") if part.strip()]


def edition_question_specs() -> list[QuestionSpec]:
    """Every counted question of the MNR edition (status, extras and phases), as specs."""
    edition = load_shipped()[0]["mnr-2016"]
    return [
        QuestionSpec(q.id, tuple(c.code for c in q.choices))
        for q in edition.questions()
        if q.type != "text"
    ]


class Command(MnrCommand):
    help = (
        "Benchmarks: 'findings' (counting, every breakdown), 'report' (HTML and PDF) and "
        "'disclosure' (the audit behind a publication), 'web' (pages as served) and "
        "'robustness' (Monte Carlo replications per second). Each "
        "prints the median of its runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="benchmark", required=True)
        findings = sub.add_parser("findings", help="findings plus all breakdowns")
        findings.add_argument("--sizes", type=_sizes, default=[250, 500, 1000])
        findings.add_argument("--channels", type=int, default=3)
        findings.add_argument("--repeat", type=int, default=5, help="best of this many runs")
        report = sub.add_parser("report", help="the demo round's report, HTML and PDF")
        report.add_argument("--repeat", type=int, default=3, help="median of this many runs")
        disclosure = sub.add_parser(
            "disclosure", help="disclosure control of the demo round's publication"
        )
        disclosure.add_argument("--repeat", type=int, default=5, help="median of this many runs")
        web = sub.add_parser(
            "web", help="findings page, cached report, a save during PDF downloads"
        )
        web.add_argument("--repeat", type=int, default=20, help="median of this many requests")
        robustness = sub.add_parser(
            "robustness",
            help="robustness runs of a synthetic 250 x 21 round and of the demo publication",
        )
        robustness.add_argument("--replications", type=int, default=100_000)
        robustness.add_argument("--repeat", type=int, default=5, help="median of this many runs")
        robustness.add_argument(
            "--jurisdictions",
            type=int,
            default=ROBUSTNESS_TARGET_JURISDICTIONS,
            help="size of the synthetic round (the target is at 250)",
        )

    def run(self, *args: Any, **options: Any) -> None:
        if options["benchmark"] in ("web", "report", "disclosure", "robustness"):
            # These load the demo, as `mnr demo` does: a fresh data directory is migrated first.
            from django.core.management import call_command

            call_command("migrate", interactive=False, verbosity=0)
        if options["benchmark"] == "web":
            from mnr.findings.web_bench import run_web_benchmark

            missed = run_web_benchmark(self.stdout.write, max(1, options["repeat"]))
            if missed:
                raise MnrError(f"the web benchmark missed its target for {', '.join(missed)}")
        elif options["benchmark"] == "report":
            self.report(options["repeat"])
        elif options["benchmark"] == "disclosure":
            self.disclosure(options["repeat"])
        elif options["benchmark"] == "robustness":
            from mnr.publications.robustness_bench import run_robustness_benchmark

            missed = run_robustness_benchmark(
                self.stdout.write,
                replications=options["replications"],
                repeat=max(1, options["repeat"]),
                jurisdictions=options["jurisdictions"],
            )
            if missed:
                raise MnrError(
                    f"the robustness benchmark missed its target for {', '.join(missed)}"
                )
        else:
            self.findings(options)

    def disclosure(self, repeat: int) -> None:
        """Protect the demo round's validated answers with every breakdown and headline, as
        publishing does (loading the demo first if needed)."""
        from mnr.demo import load_demo
        from mnr.publications.actions import current_content

        round_ = load_demo().round
        timings = []
        for _ in range(max(1, repeat)):
            started = time.perf_counter()
            content = current_content(round_)
            timings.append(time.perf_counter() - started)
        audit = content.protection.audit
        seconds = statistics.median(timings)
        verdict = "met" if seconds < DISCLOSURE_TARGET_SECONDS else "MISSED"
        self.stdout.write(
            f"disclosure: median {seconds:.2f} s of {len(timings)} (best {min(timings):.2f} s; "
            f"target under {DISCLOSURE_TARGET_SECONDS} s: {verdict}); {audit.cells} cells, "
            f"{audit.primary} withheld as small, {audit.secondary} more withheld, "
            f"{audit.programs} integer programs"
        )
        if seconds >= DISCLOSURE_TARGET_SECONDS:
            raise MnrError("the disclosure benchmark missed its target")

    def report(self, repeat: int) -> None:
        """Build and render the demo round's report (loading the demo first if needed).

        Each timed run draws its charts anew, as a report of changed answers does: the
        process's cache of drawings is emptied first. One untimed run before them pays what a
        running server has paid once (templates, vl-convert's and WeasyPrint's start). The
        same report with its drawings cached (a preview opened again, a PDF after its HTML)
        is printed for information."""
        from mnr.core.charts import forget_drawings
        from mnr.demo import load_demo
        from mnr.reports.builder import build_report
        from mnr.reports.render import render_html, render_pdf

        round_ = load_demo().round
        render_pdf(build_report(round_))
        repeat = max(1, repeat)
        missed = []
        for label, render, target in (
            ("html", render_html, REPORT_HTML_TARGET_SECONDS),
            ("pdf", render_pdf, REPORT_PDF_TARGET_SECONDS),
        ):
            timings, cached = [], []
            for _ in range(repeat):
                forget_drawings()
                started = time.perf_counter()
                size = len(render(build_report(round_)))
                timings.append(time.perf_counter() - started)
                started = time.perf_counter()
                render(build_report(round_))
                cached.append(time.perf_counter() - started)
            median = statistics.median(timings)
            verdict = "met" if median < target else "MISSED"
            self.stdout.write(
                f"report {label}: median {median:.2f} s of {repeat} (best {min(timings):.2f} s; "
                f"target under {target} s: {verdict}); {size} bytes; with its charts already "
                f"drawn: median {statistics.median(cached):.2f} s"
            )
            if median >= target:
                missed.append(label)
        if missed:
            raise MnrError(f"the report benchmark missed its target for {', '.join(missed)}")

    def findings(self, options: dict[str, Any]) -> None:
        sizes = sorted(set(options["sizes"]) | {FINDINGS_TARGET_SIZE})
        results = run_findings_benchmark(
            sizes, options["channels"], edition_question_specs(), repeat=options["repeat"]
        )
        self.stdout.write(
            f"{'jurisdictions':>13} {'channels':>8} {'questions':>9} {'answers':>8} "
            f"{'findings':>8} {'resolve s':>9} {'all s':>7} {'ms/100 jur.':>11}"
        )
        for row in results:
            per_hundred = 1000 * float(row["findings_seconds"]) * 100 / int(row["n_jurisdictions"])
            self.stdout.write(
                f"{row['n_jurisdictions']:>13} {row['channels']:>8} {row['questions']:>9} "
                f"{row['answer_rows']:>8} {row['findings']:>8} {row['resolve_seconds']:>9.4f} "
                f"{row['findings_seconds']:>7.4f} {per_hundred:>11.2f}"
            )
        at_target = next(r for r in results if r["n_jurisdictions"] == FINDINGS_TARGET_SIZE)
        seconds = float(at_target["findings_seconds"])
        verdict = "met" if seconds < FINDINGS_TARGET_SECONDS else "MISSED"
        self.stdout.write(
            f"target: findings and all breakdowns for {FINDINGS_TARGET_SIZE} jurisdictions in "
            f"under {FINDINGS_TARGET_SECONDS} s: {seconds:.4f} s, {verdict}"
        )
        if seconds >= FINDINGS_TARGET_SECONDS:
            raise MnrError("the findings benchmark missed its target")
