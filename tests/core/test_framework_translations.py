"""The shipped framework speaks English, French and Spanish: every label of every shipped file
(edition, instruments, channels) has a text in each, and the check says which one is missing."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from scripts.framework_translations import add_translations, check_english_unchanged

from mnr.core import framework as core

LANGUAGES = ("en", "fr", "es")
SHIPPED = (*core.shipped_edition_paths(), *core.shipped_instrument_paths(), core.CHANNELS_PATH)


def shipped_labels() -> list[tuple[str, str, core.Label]]:
    return [
        (path.name, label_path, label)
        for path in SHIPPED
        for label_path, label in core.labels_in(core.read_document(path))
    ]


def test_every_shipped_label_has_english_french_and_spanish() -> None:
    labels = shipped_labels()
    assert len(labels) > 300  # the edition alone has 326
    untranslated = [
        f"{file}: {path}: no {lang}"
        for file, path, label in labels
        for lang in LANGUAGES
        if not label.get(lang, "").strip()
    ]
    assert untranslated == []
    for path in SHIPPED:
        assert core.missing_languages(core.read_document(path), LANGUAGES[1:]) == []


def test_a_label_that_loses_its_french_is_reported_where_it_is() -> None:
    document = core.read_document(core.shipped_edition_paths()[0])
    changed = copy.deepcopy(document)
    del changed["domains"][1]["capabilities"][2]["questions"][0]["label"]["fr"]
    changed["phases"][0]["name"]["es"] = "  "
    problems = [str(p) for p in core.missing_languages(changed, ["fr", "es"], source="e.yaml")]
    assert problems == [
        "e.yaml: phases[0].name: label has no 'es' text (English: 'Building')",
        "e.yaml: domains[1].capabilities[2].questions[0].label: label has no 'fr' text "
        "(English: 'Are there processes to manage and rehabilitate offenders so…')",
    ]


def test_the_loaded_framework_has_every_text_in_each_language() -> None:
    """Through the reader, as the pages and forms use it: no text falls back to English."""
    editions, instruments = core.load_shipped()
    edition = editions["mnr-2016"]
    labels: list[core.Label] = [edition.title, *(p.name for p in edition.phases)]
    for domain in edition.domains:
        labels += [domain.name, domain.outcome]
        for capability in domain.capabilities:
            labels += [capability.name, capability.description]
            labels += list(capability.phase_descriptors.values())
            labels += [d.why for d in capability.depends_on]
    for instrument in instruments.values():
        labels.append(instrument.title)
        for question in instrument.questions():
            labels += [question.label, *(c.label for c in question.choices)]
            labels += [question.finding] if question.finding else []
    labels += list(core.load_channels().values())
    for label in labels:
        assert all(core.text(label, lang) == label[lang] != "" for lang in LANGUAGES), label
    assert core.text(edition.domain("D2").name, "fr") == "Justice pénale"
    assert core.text(edition.domain("D2").name, "es-MX") == "Justicia penal"


def test_french_texts_follow_french_typography() -> None:
    """A no-break space before ? ! : ; and inside « », as in the interface's catalogue."""
    for file, path, label in shipped_labels():
        french = label["fr"]
        assert not re.search(r"[^\u00a0][?!:;»]|«[^\u00a0]", french), (file, path, french)
        assert "\u00a0" not in label["es"], (file, path)


def test_findings_complete_the_sentence_in_each_language() -> None:
    """A finding completes "<share> of participating jurisdictions …": lower case, no stop."""
    edition = core.load_shipped()[0]["mnr-2016"]
    for question in edition.questions():
        if question.finding is None:
            continue
        for lang in LANGUAGES:
            finding = question.finding[lang]
            assert finding[:1].islower() and not finding.endswith("."), (question.id, lang)


# --- The merge tool ----------------------------------------------------------------------------

SAMPLE = """\
# A comment that stays.
schema: mnr-framework/1
kind: channels
provenance:
  en: >-
    Written for a test,
    over two lines.
channels:
  - code: government
    label: {en: Government representatives}   # stays too
  - code: civil_society
    label:
      en: "Civil society organisation"
"""
COMPENDIUM = {
    "Written for a test, over two lines.": {"fr": "Écrit pour un test :", "es": "Escrito"},
    "Government representatives": {"fr": "Représentants du gouvernement", "es": "Gobierno"},
    "Civil society organisation": {"fr": "Société civile"},
}


def test_merging_keeps_the_layout_and_adds_languages_beside_english() -> None:
    merged, untranslated = add_translations(SAMPLE, COMPENDIUM, ["fr", "es"], "sample.yaml")
    assert merged == (
        "# A comment that stays.\n"
        "schema: mnr-framework/1\n"
        "kind: channels\n"
        "provenance:\n"
        "  en: >-\n"
        "    Written for a test,\n"
        "    over two lines.\n"
        '  fr: "Écrit pour un test :"\n'
        '  es: "Escrito"\n'
        "channels:\n"
        "  - code: government\n"
        '    label: {en: Government representatives, fr: "Représentants du gouvernement", '
        'es: "Gobierno"}   # stays too\n'
        "  - code: civil_society\n"
        "    label:\n"
        '      en: "Civil society organisation"\n'
        '      fr: "Société civile"\n'
    )
    assert untranslated == [
        "sample.yaml: channels[1].label: no es for 'Civil society organisation'"
    ]
    assert check_english_unchanged(SAMPLE, merged, "sample.yaml") == []


def test_merging_again_changes_nothing_and_english_changes_are_caught(tmp_path: Path) -> None:
    for path in SHIPPED:
        content = path.read_text(encoding="utf-8")
        assert add_translations(content, COMPENDIUM, ["fr", "es"], path.name) == (content, [])
    edition = core.shipped_edition_paths()[0].read_text(encoding="utf-8")
    changed = edition.replace('{en: "Criminal Justice"', '{en: "Justice"', 1)
    assert check_english_unchanged(edition, changed, "e.yaml") == [
        "e.yaml: the merge changed more than translations (a bug in this script)"
    ]


def test_the_english_only_view_of_a_file_drops_translations_and_nothing_else() -> None:
    document: dict[str, Any] = yaml.safe_load(core.shipped_edition_paths()[0].read_text())
    english = core.english_only(document)
    assert all(set(label) == {"en"} for _, label in core.labels_in(english))
    assert [path for path, _ in core.labels_in(english)] == [
        path for path, _ in core.labels_in(document)
    ]
    assert english["domains"][0]["capabilities"][0]["questions"][1]["relevant"] == {
        "question": "C01.status",
        "in": ["yes", "partial"],
    }


@pytest.mark.parametrize("value", [{"en": "x", "in": ["a"]}, {"question": "Q", "en": "x"}, {}])
def test_only_language_mappings_with_english_are_labels(value: dict[str, Any]) -> None:
    assert not core.is_label(value)
