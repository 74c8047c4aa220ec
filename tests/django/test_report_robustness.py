"""The report's robustness annex: one row per figure of the publication's stored public run,
with the stored numbers, in English, French and Spanish; no row for a figure the public run
leaves out (withheld), only a count; a report built while the run is pending computes and
stores it; a preview has no annex, only a note."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
import yaml
from django.db import transaction
from tests.publishing import validate_and_publish

from mnr.core.numbers import percent_text
from mnr.demo import load_demo
from mnr.publications.models import Publication, PublicationRobustness
from mnr.publications.robustness import ROBUSTNESS_TEXTS, robustness_texts
from mnr.reports.actions import HeadlineSpec, set_headlines
from mnr.reports.builder import ReportContext, build_report
from mnr.reports.render import render_html
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db
LANGUAGES = ("en", "fr", "es")
# Words of the English annex that French and Spanish write the same way.
SHARED = {"sobol"}


@dataclass(frozen=True)
class Built:
    report: ReportContext
    html: str


@dataclass(frozen=True)
class Demo:
    published: dict[str, Built]
    previews: dict[str, Built]
    # The publication's stored run, as the row holds it after the reports were built.
    status: str
    result: dict[str, Any]
    # Stored runs before and after the previews were built.
    runs: tuple[int, int]


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Demo:
    """The demo's published report and its preview in each language, built once (slow)."""
    with django_db_blocker.unblock(), transaction.atomic():
        round_ = load_demo().round
        published = {}
        for lang in LANGUAGES:
            report = build_report(round_, lang)
            published[lang] = Built(report, render_html(report))
        stored = PublicationRobustness.objects.get(publication=latest(round_))
        before = PublicationRobustness.objects.count()
        previews = {}
        for lang in LANGUAGES:
            report = build_report(round_, lang, preview=True)
            previews[lang] = Built(report, render_html(report))
        runs = (before, PublicationRobustness.objects.count())
        assert stored.result is not None
        built = Demo(published, previews, stored.status, stored.result, runs)
        transaction.set_rollback(True)
    return built


@pytest.fixture
def demo_round() -> Round:
    return load_demo().round


def latest(round_: Round) -> Publication:
    return Publication.objects.filter(round=round_).order_by("-number").first()  # type: ignore[return-value]


def section(html: str) -> str:
    found = re.search(
        r'<section class="annex robustness" id="robustness">(.*?)</section>', html, re.S
    )
    assert found, "no robustness annex"
    return found.group(1)


def rows(html: str) -> dict[str, list[str]]:
    """Each robustness row's cells as text, by figure id, in the order printed."""
    found = re.findall(r'<tr id="robustness-([\w.-]+)">(.*?)</tr>', section(html), re.S)
    return {
        key: [
            re.sub(r"[ \t\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", cell))).strip()
            for cell in re.findall(r"<td>(.*?)</td>", cells, re.S)
        ]
        for key, cells in found
    }


def whole(value: float) -> int:
    return int(value + 0.5)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_annex_lists_the_figures_of_the_stored_run_with_its_numbers(
    demo: Demo, lang: str
) -> None:
    built = demo.published[lang]
    assert demo.status == PublicationRobustness.Status.READY
    figures = demo.result["figures"]
    assert len(figures) == 26
    printed = rows(built.html)
    # The report's order (its figures' annex), which is the stored run's.
    order = [row.key for row in built.report.annex_figures if row.key in printed]
    assert list(printed) == [f["id"] for f in figures] == order
    for figure in figures:
        key, published, interval, _, stable, _ = printed[figure["id"]]
        assert key == figure["id"]
        share = percent_text(figure["percent"], lang)
        assert share in published
        counts = re.findall(r"\d+", published.replace(share, ""))
        assert counts == [str(figure["numerator"]), str(figure["denominator"])]
        assert re.findall(r"\d+", interval) == [
            str(whole(figure["low"])),
            str(whole(figure["high"])),
        ]
        assert percent_text(whole(100 * figure["phrase_stable"]), lang) in stable
    # Each row's id leads to the figure's row in the annex of figures and rules.
    for key in printed:
        assert f'<a class="figure-link" href="#annex-{key}">{key}</a>' in section(built.html)
        assert f'<tr id="annex-{key}"' in built.html
    title = robustness_texts(lang)["title"]
    assert f'<a href="#robustness">{title}</a>' in unescape(built.html)


def test_the_choice_that_matters_most_is_named_in_the_reports_language(demo: Demo) -> None:
    printed = {lang: rows(demo.published[lang].html) for lang in LANGUAGES}
    for figure in demo.result["figures"]:
        most = max(figure["sensitivity"], key=lambda s: s["total"])
        for lang in LANGUAGES:
            t = robustness_texts(lang)
            moves = most["total"] >= 0.01
            expected = t[f"assumption_{most['assumption']}"] if moves else t["nothing_matters"]
            assert printed[lang][figure["id"]][5] == expected, (lang, figure["id"])
    # The demo has both: figures that move and figures that do not.
    assert {cells[5] for cells in printed["en"].values()} >= {
        robustness_texts("en")["nothing_matters"],
        robustness_texts("en")["assumption_partial"],
    }


def test_the_notes_say_what_matters_most_means_and_what_is_held_as_counted(demo: Demo) -> None:
    for lang in LANGUAGES:
        annex = unescape(section(demo.published[lang].html))
        t = robustness_texts(lang)
        intro = t["intro"].format(replications="", seed=demo.result["seed"]).split("{")[0]
        assert t["sensitivity_note"] in annex and t["held_fixed"] in annex
        assert str(demo.result["seed"]) in annex and intro[:30] in annex
        # Every figure of the demo has its row: no sentence about figures without one.
        assert t["not_shown"].split("{")[0] not in annex


def test_the_annex_reads_the_stored_row_and_does_not_count_again(demo_round: Round) -> None:
    build_report(demo_round)
    stored = PublicationRobustness.objects.get(publication=latest(demo_round))
    assert stored.result is not None
    first = stored.result["figures"][0]
    first.update(low=12.3, high=97.6, phrase_stable=0.314)
    stored.save(update_fields=["result"])
    cells = rows(render_html(build_report(demo_round)))[first["id"]]
    assert cells[2] == "12 to 98 per cent" and cells[4] == "31% of the time"


def test_a_report_built_while_the_run_is_pending_computes_it_and_a_withheld_figure_has_no_row(
    demo_round: Round,
) -> None:
    set_headlines(
        demo_round,
        [
            HeadlineSpec("Y1", "C11.status", ("yes", "partial"), {"en": "have a helpline"}),
            HeadlineSpec(
                "X1",
                "C11.status",
                ("yes", "partial"),
                {"en": "have a helpline"},
                population="region=Oceania",
            ),
        ],
        source="test",
    )
    publication = validate_and_publish(demo_round)
    # Publishing queues the run once the transaction commits; a test's never does.
    stored = PublicationRobustness.objects.get(publication=publication)
    assert stored.status == PublicationRobustness.Status.PENDING and stored.result is None
    for lang in LANGUAGES:
        report = build_report(demo_round, lang)
        stored.refresh_from_db()
        assert stored.status == PublicationRobustness.Status.READY and stored.result
        assert [f["id"] for f in stored.result["figures"]] == ["Y1"]
        assert [row.key for row in report.annex_figures if row.suppressed] == ["X1"]
        html = render_html(report)
        assert list(rows(html)) == ["Y1"]
        annex = unescape(section(html))
        assert robustness_texts(lang)["not_shown"].format(count=1, total=2) in annex
        # The withheld figure is counted, never named or described.
        assert "X1" not in annex and "Oceania" not in annex


def annex_words(html: str) -> set[str]:
    text = unescape(re.sub(r"<[^>]+>", " ", section(html)))
    return {word.lower() for word in re.findall(r"(?<![\w])[^\W\d_]{2,}(?![\w])", text)}


def test_the_french_and_spanish_annex_has_no_english_left(demo: Demo) -> None:
    english = annex_words(demo.published["en"].html)
    assert {"figure", "published", "wording", "counted", "answer"} <= english
    every = yaml.safe_load(ROBUSTNESS_TEXTS.read_text(encoding="utf-8"))
    for lang in ("fr", "es"):
        translated = annex_words(demo.published[lang].html)
        # Words of the language's own robustness texts (not the English fallback) are its
        # words, even where English spells them the same.
        own = {
            word.lower()
            for key, value in every[lang].items()
            if value != every["en"].get(key)
            for word in re.findall(r"(?<![\w])[^\W\d_]{2,}(?![\w])", value)
        }
        assert len(translated) > 40
        assert translated & english - own - SHARED == set(), lang


def test_a_preview_has_no_robustness_annex_only_a_note(demo: Demo) -> None:
    for lang in LANGUAGES:
        built = demo.previews[lang]
        assert built.report.robustness is None
        assert 'id="robustness"' not in built.html and 'href="#robustness"' not in built.html
        assert unescape(built.html).count(robustness_texts(lang)["preview_note"]) == 1
        published = unescape(demo.published[lang].html)
        assert robustness_texts(lang)["preview_note"] not in published
    # A preview counts nothing again and queues nothing.
    assert demo.runs[0] == demo.runs[1]


def test_a_run_that_cannot_be_made_is_stored_as_failed_and_the_report_says_so(
    demo_round: Round, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mnr.core.robustness import RobustnessError
    from mnr.publications import robustness

    def fails(publication: Publication) -> None:
        raise RobustnessError("figure Y1: a replication has no one to count")

    publication = latest(demo_round)
    PublicationRobustness.objects.filter(publication=publication).delete()
    monkeypatch.setattr(robustness, "public_result", fails)
    html = render_html(build_report(demo_round, "es"))
    annex = unescape(section(html))
    assert robustness_texts("es")["failed"] in annex and rows(html) == {}
    stored = PublicationRobustness.objects.get(publication=publication)
    assert stored.status == PublicationRobustness.Status.FAILED and "no one" in stored.error
