"""The report follows the review's structure: acknowledgements, aims, method, a sub-heading and
findings per capability, challenges, the call to action's priorities, closing text and endnotes.
The narrative parts are edited by the round's analysts like the other blocks; the method and
the endnotes are generated from the publication; all of it is frozen with each publication."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from tests.publishing import validate_and_publish
from tests.report_editor import editor_fields, textarea

from mnr.audit.models import AuditEvent
from mnr.core.framework import text
from mnr.core.synthetic import load_figures
from mnr.demo import DEMO_CLOSES_ON, DEMO_OPENS_ON, load_demo
from mnr.frameworks.models import Domain
from mnr.publications.models import Publication
from mnr.reports.actions import StaleText, save_narrative
from mnr.reports.builder import ReportContext, build_report
from mnr.reports.models import NarrativeBlock
from mnr.reports.render import render_html, render_pdf
from mnr.reports.texts import texts
from mnr.surveys.actions import update_round
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

NEW_PARTS = ("acknowledgements", "aims", "challenges", "closing")
# Where each narrative part is shown in the report.
SECTION_OF = {
    "acknowledgements": "acknowledgements",
    "aims": "aims",
    "challenges": "challenges",
    "closing": "closing",
    "call_to_action": "call-to-action",
}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_url(round_: Round, lang: str) -> str:
    return reverse("round-report-edit", args=[round_.code]) + f"?lang={lang}"


def section(html: str, section_id: str) -> str:
    """The HTML of the section with this id, up to its end (or its first inner section's)."""
    start = html.rindex("<section", 0, html.index(f'id="{section_id}"'))
    return html[start : html.index("</section>", start)]


@pytest.fixture
def demo_round() -> Round:
    return load_demo().round


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("key", NEW_PARTS)
def test_each_new_part_is_saved_edited_and_a_stale_edit_refused_in_each_language(
    make_user: Any, review_round: Round, key: str, lang: str
) -> None:
    a = client_for(make_user("analyst-a", "analyst", round_=review_round))
    b = client_for(make_user("analyst-b", "analyst", round_=review_round))
    form_a = editor_fields(a.get(edit_url(review_round, lang)))
    form_b = editor_fields(b.get(edit_url(review_round, lang)))
    assert form_a[f"narrative-{key}"] == "" and form_a[f"narrative-{key}-version"] == "0"
    form_a[f"narrative-{key}"] = f"First {key} ({lang})."
    assert a.post(edit_url(review_round, lang), form_a).status_code == 302
    block = NarrativeBlock.objects.get(round=review_round, key=key)
    assert (block.text, block.version) == ({lang: f"First {key} ({lang})."}, 1)
    event = AuditEvent.objects.filter(verb="report.narrative").latest("pk")
    assert (event.detail["key"], event.detail["lang"]) == (key, lang)
    # B loaded the page before A saved: B's text is refused and both are shown.
    form_b[f"narrative-{key}"] = f"B's {key}."
    response = b.post(edit_url(review_round, lang), form_b)
    assert response.status_code == 200
    assert textarea(response, f"narrative-{key}-theirs") == f"First {key} ({lang})."
    block.refresh_from_db()
    assert (block.text[lang], block.version) == (f"First {key} ({lang}).", 1)
    # A edits again from the page as reloaded: accepted, version 2.
    again = editor_fields(a.get(edit_url(review_round, lang)))
    again[f"narrative-{key}"] = f"Second {key}."
    assert a.post(edit_url(review_round, lang), again).status_code == 302
    block.refresh_from_db()
    assert (block.text[lang], block.version) == (f"Second {key}.", 2)
    with pytest.raises(StaleText):
        save_narrative(review_round, key, "Stale.", lang=lang, expected_version=1, source="test")


@pytest.mark.parametrize("key", [*NEW_PARTS, "call_to_action"])
def test_only_the_rounds_managers_write_the_new_parts(
    personas: dict[str, Any], make_user: Any, review_round: Round, key: str
) -> None:
    for persona in ("reviewer", "focal_point", "other_focal_point"):
        with pytest.raises(PermissionDenied):
            save_narrative(review_round, key, "No.", acting_user=personas[persona])
        data = {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0", f"narrative-{key}": "x"}
        response = client_for(personas[persona]).post(edit_url(review_round, "en"), data)
        assert response.status_code == 403
    assert not NarrativeBlock.objects.exists()
    save_narrative(review_round, key, "Yes.", acting_user=personas["analyst"])
    assert NarrativeBlock.objects.get(key=key).text == {"en": "Yes."}


def test_the_demo_report_shows_every_part_in_the_review_s_order_and_in_the_contents(
    demo_round: Round,
) -> None:
    for lang in ("en", "fr", "es"):
        t = texts(lang)
        report = build_report(demo_round, lang)
        html = render_html(report)
        order = [
            "acknowledgements",
            "introduction",
            "aims",
            "method",
            "key-findings",
            "D1",
            "D6",
            "challenges",
            "call-to-action",
            "closing",
            "endnotes",
            "annex",
        ]
        positions = [html.index(f'id="{part}"') for part in order]
        assert positions == sorted(positions)
        contents = html[html.index('<nav class="toc"') : html.index("</nav>")]
        for part, heading in (
            ("acknowledgements", t["acknowledgements"]),
            ("aims", t["aims"]),
            ("method", t["method_section"]),
            ("challenges", t["challenges_section"]),
            ("call-to-action", t["call_to_action"]),
            ("closing", t["closing"]),
            ("endnotes", t["endnotes"]),
        ):
            assert f'<a href="#{part}">{escape(heading)}</a>' in contents
        # The demo's narrative parts are written in each language, not left in English.
        for key in NEW_PARTS:
            assert lang in NarrativeBlock.objects.get(round=demo_round, key=key).text
            assert report.narrative[key]
            for block in report.narrative[key]:
                assert block in section(html, SECTION_OF[key])
        priorities = section(html, "call-to-action")
        assert "<ol>" in priorities and priorities.count("<li>") == 5


def test_a_published_report_keeps_its_parts_when_the_round_changes_later(
    demo_round: Round,
) -> None:
    first = Publication.objects.get(round=demo_round, number=1)
    before = build_report(demo_round, "fr", publication=first)
    for key in (*NEW_PARTS, "call_to_action"):
        save_narrative(demo_round, key, f"Rewritten {key}.", lang="fr", source="test")
    update_round(
        demo_round,
        opens_on=date(2021, 1, 4),
        closes_on=date(2021, 6, 30),
        disclosure_threshold=5,
        source="test",
    )
    frozen = build_report(demo_round, "fr", publication=first)
    for key in (*NEW_PARTS, "call_to_action"):
        assert frozen.narrative[key] == before.narrative[key]
        assert "Rewritten" not in "".join(frozen.narrative[key])
    assert frozen.method == before.method
    assert "1er février 2021" in frozen.method.dates  # type: ignore[union-attr]
    assert [n.text for n in frozen.endnotes] == [n.text for n in before.endnotes]
    # What publishing now would freeze has the new texts and dates, and so does the next
    # publication, while the first one still reads as it did.
    preview = build_report(demo_round, "fr", preview=True)
    assert preview.narrative["closing"] == ["<p>Rewritten closing.</p>"]
    assert "4 janvier 2021" in preview.method.dates  # type: ignore[union-attr]
    second = validate_and_publish(demo_round)
    assert build_report(demo_round, "fr", publication=second).narrative["aims"] == [
        "<p>Rewritten aims.</p>"
    ]
    html = render_html(build_report(demo_round, "fr", publication=first))
    assert "Rewritten" not in html and "1er février 2021" in html


def _method_checks(report: ReportContext, round_: Round) -> None:
    method = report.method
    assert method is not None
    assert method.participants == report.participants == round_.participations.count()
    assert [row.key for row in method.channels] == list(round_.channels)
    assert method.threshold == round_.disclosure_threshold


def test_the_method_is_the_round_s_channels_dates_counts_and_rules(demo_round: Round) -> None:
    report = build_report(demo_round)
    _method_checks(report, demo_round)
    method = report.method
    assert method is not None
    counts = {row.key: row.count for row in method.channels}
    # The review's split: 17 through government representatives, 25 through UNICEF offices.
    assert counts == {"government": 17, "unicef_country_office": 25}
    assert (demo_round.opens_on, demo_round.closes_on) == (DEMO_OPENS_ON, DEMO_CLOSES_ON)
    assert method.dates == "1 February 2021 \u2013 31 March 2021"
    html = section(render_html(report), "method")
    assert "Government representatives (17), then UNICEF country office (25)" in html
    assert "from 1 February 2021 to 31 March 2021" in html
    assert "not set" not in html
    t = texts("en")
    for rule in ("rule_denominator", "rule_left_out", "rule_rounding"):
        assert t[rule] in html
    assert "fewer than 3 jurisdictions" in html
    french = section(render_html(build_report(demo_round, "fr")), "method")
    assert "du 1er février 2021 au 31 mars 2021" in french


def test_a_round_without_dates_says_so_instead_of_not_set(published_review_round: Round) -> None:
    report = build_report(published_review_round)
    _method_checks(report, published_review_round)
    assert report.method is not None and report.method.dates == ""
    html = render_html(report)
    assert "not set" not in html
    assert escape(texts("en")["method_no_dates"]) in section(html, "method")
    assert f'<th scope="row">{texts("en")["dates"]}</th>' not in html


FIGURES = {figure.figure_id: figure for figure in load_figures()}


def test_endnotes_stand_exactly_where_a_denominator_is_not_everyone_it_is_about(
    demo_round: Round,
) -> None:
    report = build_report(demo_round)
    html = render_html(report)
    groups = {"all": 42, "income=HIC": 15, "channel=unicef_country_office": 25}
    expected = [
        key
        for key, figure in FIGURES.items()
        if figure.population in groups and figure.denominator != groups[figure.population]
    ]
    noted = [note.key for note in report.endnotes]
    assert set(expected) <= set(noted) and expected
    # The other notes are Domain 6's generated sentences (no headline there), none else.
    assert set(noted) - set(expected) == {"q-C20.status", "q-C21.status"}
    for note in report.endnotes:
        if note.key in FIGURES:
            figure = FIGURES[note.key]
            assert note.text.startswith(
                f"{figure.numerator} of {figure.denominator} participating jurisdictions "
                "that answered the question"
            )
            assert f"of the {groups[figure.population]} left it blank" in note.text
    # Numbered 1, 2, 3 … in reading order; each reference and its note link to each other.
    references = re.findall(r'<a href="#note-(\d+)" id="note-ref-(\d+)" role="doc-noteref"', html)
    assert [int(n) for n, _ in references] == list(range(1, len(report.endnotes) + 1))
    assert all(n == back for n, back in references)
    notes = section(html, "endnotes")
    for note in report.endnotes:
        assert f'<li id="note-{note.number}">' in notes
        assert f'href="#note-ref-{note.number}"' in notes
        sentence = re.search(
            rf'<p class="finding" id="finding-{re.escape(note.key)}">(.*?)</p>', html
        )
        assert sentence is not None and f'id="note-ref-{note.number}"' in sentence.group(1)
    # A figure whose denominator is everyone (32 of 42) carries no note.
    sentence = re.search(r'<p class="finding" id="finding-F01">(.*?)</p>', html)
    assert sentence is not None and "note-ref" not in sentence.group(1)
    # 35 of 39 in the pattern of the review's own footnote.
    assert report.endnotes[0].text.startswith(
        "35 of 39 participating jurisdictions that answered the question"
    )


def test_every_domain_and_capability_has_its_heading_and_sentences(demo_round: Round) -> None:
    domains = list(Domain.objects.filter(edition_id=demo_round.instrument.edition_id))
    for lang in ("en", "fr", "es"):
        report = build_report(demo_round, lang)
        html = render_html(report)
        for domain in domains:
            body = html[html.index(f'<section class="domain" id="{domain.code}">') :]
            body = body[: body.index('<section class="domain"', 1)] if domain.code != "D6" else body
            headings = re.findall(r'<h3 id="cap-[^"]+-heading">([^<]+)</h3>', body)
            capabilities = list(domain.capabilities.order_by("position"))
            for capability in capabilities:
                name = f"{capability.code} {text(capability.name, lang)}".replace("'", "&#x27;")
                assert any(name in heading for heading in headings), (lang, name)
            assert body.count('<p class="finding"') >= 1
        d6 = next(d for d in report.domains if d.id == "D6")
        sentences = [f.sentence for c in d6.capabilities for f in c.figures if f.sentence]
        assert len(sentences) == 2  # C20 and C21, from their status findings
        assert all("(" in str(s) and ")" in str(s) for s in sentences)
    english = build_report(demo_round)
    d5 = next(d for d in english.domains if d.id == "D5")
    # The 2021 questionnaire asked C16 with C17: one sub-heading names both.
    first = d5.capabilities[0].heading
    assert first == "C16 Takedown Procedures and C17 CSEA Reporting"


def test_the_pdf_carries_the_parts_the_note_references_and_the_notes(
    demo_round: Round, tmp_path: Path
) -> None:
    report = build_report(demo_round)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_pdf(report))
    words = " ".join(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    t = texts("en")
    for heading in (t["acknowledgements"], t["aims"], t["method_section"], t["endnotes"]):
        assert heading in words
    assert "(90 per cent, 35 of 39)1" in words
    assert report.endnotes[0].text.split(";")[0] in words


def test_the_editor_offers_every_part_in_the_report_s_order_with_what_it_is_for(
    make_user: Any, review_round: Round
) -> None:
    from mnr.web.report_views import BLOCK_HINTS

    client = client_for(make_user("analyst-a", "analyst", round_=review_round))
    page = client.get(edit_url(review_round, "en")).content.decode()
    positions = [page.index(f'id="narrative-{key}"') for key in NarrativeBlock.Key.values]
    assert positions == sorted(positions)
    for key, label in NarrativeBlock.Key.choices:
        assert f'<label for="narrative-{key}">{escape(label)}</label>' in page
        assert escape(str(BLOCK_HINTS[NarrativeBlock.Key(key)])) in page
        assert f'aria-describedby="narrative-{key}-hint"' in page


def test_the_method_of_a_round_with_one_channel_and_only_an_opening_date() -> None:
    from mnr.reports.builder import CountRow
    from mnr.reports.structure import method_facts

    settings = {
        "participants": [{"jurisdiction": code} for code in ("KE", "SE", "GB-EAW")],
        "disclosure_threshold": 5,
        "opens_on": "2024-03-01",
        "closes_on": None,
    }
    channels = [CountRow("government", "Représentants du gouvernement", 3)]
    t = texts("fr")
    method = method_facts(settings, channels, "Questionnaire", "fr", t)
    assert method.dates == "à partir du 1er mars 2024"
    assert (method.participants, method.threshold) == (3, 5)
    assert method.summary[1] == t["method_channel_one"].format(
        order="Représentants du gouvernement (3)"
    )
    assert method.summary[2] == t["method_opens"].format(opens="1er mars 2024")
    assert t["rule_one_channel"] in method.rules
    assert not any("{" in line for line in [*method.summary, *method.rules])


@pytest.mark.parametrize(
    ("rule", "size", "denominator", "noted"),
    [
        ("all", 42, 39, True),
        ("all", 42, 42, False),
        ("income=HIC", 15, 14, True),
        # A conditional share's denominator is the first count, not who answered.
        ("all;then income!=HIC", 42, 12, False),
    ],
)
def test_an_endnote_only_where_some_of_the_group_did_not_answer(
    rule: str, size: int, denominator: int, noted: bool
) -> None:
    from types import SimpleNamespace

    from mnr.core.findings import Finding
    from mnr.reports.structure import endnote_text, needs_endnote

    counts = {"yes": 5, "no": denominator - 5, "blank": size - denominator}
    finding = Finding("C11.status", None, counts, ("yes",), 5, denominator, 50)
    row: Any = SimpleNamespace(sentence="…", rule=rule, numerator=5, denominator=denominator)
    assert needs_endnote(row, finding) is noted
    if noted:
        text = endnote_text(row, finding, "participating jurisdictions", texts("es"))
        assert text.startswith(
            f"5 de las {denominator} participating jurisdictions que respondieron"
        )
        assert f"de {size} la dej" in text


def test_capability_sub_headings_group_what_was_asked_together_and_say_what_was_not_asked() -> None:
    from types import SimpleNamespace

    from mnr.reports.structure import capability_sections

    def row(key: str, question: str) -> Any:
        return SimpleNamespace(key=key, question=question)

    capabilities = [("C01", "Lead"), ("C02", "Research"), ("C16", "Takedown"), ("C17", "Report")]
    status = {"C01": "C01.status", "C16": "C16-17.status", "C17": "C16-17.status"}
    headlines = [row("F1", "C17.reporting_duty"), row("F2", "MNR.used_as_reference")]
    asked: list[str] = []

    def generated(question: str, heading: str) -> Any:
        asked.append(question)
        return row(f"q-{question}", question)

    t = texts("en")
    sections, others = capability_sections(
        capabilities, status, headlines, {"C17.reporting_duty": ("C17",)}, generated, t
    )
    assert [(s.id, s.heading) for s in sections] == [
        ("C01", "C01 Lead"),
        ("C02", "C02 Research"),
        ("C16", "C16 Takedown and C17 Report"),
    ]
    assert [f.key for f in sections[0].figures] == ["q-C01.status"]
    assert (sections[1].figures, sections[1].not_asked) == ([], t["capability_not_asked"])
    assert [f.key for f in sections[2].figures] == ["F1"]
    assert asked == ["C01.status"]  # the pair has a headline: no generated sentence
    assert [f.key for f in others] == ["F2"]
