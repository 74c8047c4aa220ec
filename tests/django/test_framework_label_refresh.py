"""Translations of a loaded framework version: they refresh its labels, they are not a new version.

A database loaded before the shipped files had French and Spanish keeps its edition version 2,
its answers and its publications; loading the translated files (``mnr migrate`` does) gives the
loaded rows the new labels. A change of English is still a new version."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mnr.audit.models import AuditEvent
from mnr.core import framework as core
from mnr.errors import MnrError
from mnr.frameworks import actions
from mnr.frameworks.models import (
    Capability,
    Channel,
    Domain,
    Edition,
    Instrument,
    InstrumentQuestion,
    Phase,
    PhaseDescriptor,
    Question,
)

pytestmark = pytest.mark.django_db

EDITION = core.read_document(core.shipped_edition_paths()[0])
SELF_ASSESSMENT = next(
    core.read_document(path)
    for path in core.shipped_instrument_paths()
    if path.name == "mnr-2016-self-assessment.yaml"
)
LABEL_FIELDS: dict[Any, tuple[str, ...]] = {
    Edition: ("title", "provenance"),
    Domain: ("name", "outcome"),
    Capability: ("name", "description"),
    Phase: ("name",),
    PhaseDescriptor: ("text",),
    Question: ("label", "finding"),
    InstrumentQuestion: ("label", "finding"),
    Instrument: ("title",),
    Channel: ("label",),
}


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    return path


def test_the_english_file_keeps_the_checksum_it_was_loaded_with() -> None:
    # What a database loaded before translations holds: the digest of the whole English file.
    english = core.english_only(EDITION)
    as_before = hashlib.sha256(
        json.dumps(english, sort_keys=True, default=str).encode()
    ).hexdigest()
    assert actions._checksum(english) == as_before
    assert actions._checksum(EDITION) == as_before
    assert Edition.objects.get(code="mnr-2016", version=2).checksum == as_before


def as_loaded_before_translations() -> None:
    """Turn the test database into one loaded from the English-only files."""
    for model, fields in LABEL_FIELDS.items():
        for row in model.objects.all():
            for field in fields:
                value = getattr(row, field)
                setattr(row, field, {"en": value["en"]} if value else value)
            if model in (Question, InstrumentQuestion):
                row.choices = [
                    {"code": c["code"], "label": {"en": c["label"]["en"]}} for c in row.choices
                ]
            if model in (Edition, Instrument):
                row.document = core.english_only(row.document)
            row.save()


def test_loading_the_translated_files_into_an_english_database_refreshes_its_labels() -> None:
    as_loaded_before_translations()
    rows = {model: model.objects.count() for model in LABEL_FIELDS}
    edition = Edition.objects.get(code="mnr-2016", version=2)
    checksum = edition.checksum
    assert "fr" not in Question.objects.get(edition=edition, code="C01.status").label

    actions.load_shipped(source="test")

    assert {model: model.objects.count() for model in LABEL_FIELDS} == rows
    edition.refresh_from_db()
    assert edition.checksum == checksum
    assert edition.document == EDITION
    status = Question.objects.get(edition=edition, code="C01.status")
    assert status.label == EDITION["domains"][0]["capabilities"][0]["questions"][0]["label"]
    assert status.label["fr"].startswith("Existe-t-il un organisme national")
    assert [c["label"]["es"] for c in status.choices][:3] == ["Sí", "En parte", "No"]
    assert Domain.objects.get(edition=edition, code="D2").name["fr"] == "Justice pénale"
    descriptor = PhaseDescriptor.objects.get(capability__code="C11", level=4)
    assert descriptor.text["es"].startswith("La línea de ayuda funciona las 24 horas")
    # The instruments' questions, reused from the edition, follow it.
    asked = InstrumentQuestion.objects.get(instrument__code="mnr-review-2021", code="C01.status")
    assert asked.label == status.label
    assert asked.choices == status.choices
    phase = InstrumentQuestion.objects.get(
        instrument__code="mnr-2016-self-assessment", code="C01.phase"
    )
    assert phase.choices[0]["label"]["fr"] == "Mise en place"
    assert Channel.objects.get(code="government").label.get("fr")
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"edition.translations", "channel.translations"} <= verbs


def test_an_administrators_phase_name_survives_a_refresh() -> None:
    as_loaded_before_translations()
    phase = Phase.objects.get(edition__code="mnr-2016", level=2)
    actions.rename_phase(phase, "Emerging", source="test")
    actions.load_shipped(source="test")
    phase.refresh_from_db()
    assert phase.name["en"] == "Emerging"
    assert phase.name["fr"] == "Développement"


def test_a_changed_translation_refreshes_and_a_copy_without_it_changes_nothing(
    tmp_path: Path,
) -> None:
    corrected = json.loads(json.dumps(EDITION))
    corrected["domains"][0]["name"]["fr"] = "Politique et gouvernance"
    actions.load_file(write(tmp_path / "corrected.yaml", corrected), source="test")
    domain = Domain.objects.get(edition__code="mnr-2016", code="D1")
    assert domain.name["fr"] == "Politique et gouvernance"

    # An older, English-only copy of the same version: the loaded translations stay.
    older = write(tmp_path / "older.yaml", core.english_only(EDITION))
    actions.load_file(older, source="test")
    domain.refresh_from_db()
    assert domain.name["fr"] == "Politique et gouvernance"
    assert Edition.objects.filter(code="mnr-2016").count() == 1


def test_a_change_of_english_is_still_refused_under_the_same_version(tmp_path: Path) -> None:
    changed = json.loads(json.dumps(EDITION))
    changed["domains"][0]["name"]["en"] = "Governance"
    changed["domains"][0]["name"]["fr"] = "Gouvernance"
    with pytest.raises(MnrError, match="loaded already with other content"):
        actions.load_file(write(tmp_path / "changed.yaml", changed), source="test")
    assert Domain.objects.get(edition__code="mnr-2016", code="D1").name["fr"] != "Gouvernance"


def test_an_instrument_file_with_new_translations_refreshes_its_own_questions(
    tmp_path: Path,
) -> None:
    document = json.loads(json.dumps(SELF_ASSESSMENT))
    document["title"]["fr"] = "Titre corrigé"
    actions.load_file(write(tmp_path / "self.yaml", document), source="test")
    instrument = Instrument.objects.get(code="mnr-2016-self-assessment", version=1)
    assert instrument.title["fr"] == "Titre corrigé"
    assert instrument.document == document
    assert Instrument.objects.filter(code="mnr-2016-self-assessment").count() == 1


# --- The questionnaire and the validator in the chosen language ------------------------------


@pytest.mark.parametrize(
    ("lang", "question", "choice", "english_question"),
    [
        ("fr", "Existe-t-il un organisme national qui dirige", "En partie", "Is there a national"),
        ("es", "¿Existe un organismo nacional que dirija", "En parte", "Is there a national"),
    ],
)
def test_the_questionnaire_shows_questions_and_choices_in_the_chosen_language(
    personas: dict[str, Any],
    review_round: Any,
    lang: str,
    question: str,
    choice: str,
    english_question: str,
) -> None:
    from django.test import Client
    from django.urls import reverse
    from tests.submissions import opened

    kenya = opened(review_round, "KE", "government")
    client = Client(headers={"accept-language": lang})
    client.force_login(personas["focal_point"])
    page = client.get(reverse("submission", args=[kenya.pk]) + "?domain=D1").content.decode()
    assert question in page
    assert f"> {choice}</label>" in page
    assert english_question not in page
    english = Client(headers={"accept-language": "en"})
    english.force_login(personas["focal_point"])
    page = english.get(reverse("submission", args=[kenya.pk]) + "?domain=D1").content.decode()
    assert "Is there a national body that leads and oversees the response" in page
    assert question not in page


def test_validate_can_require_languages(tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    path = core.shipped_edition_paths()[0]
    call_command("framework", "validate", str(path), "--require-languages", "fr,es", stdout=out)
    assert "valid edition mnr-2016 version 2 in en, fr, es" in out.getvalue()
    lacking = json.loads(json.dumps(EDITION))
    del lacking["domains"][2]["capabilities"][1]["phase_descriptors"][3]["text"]["es"]
    broken = write(tmp_path / "lacking.yaml", lacking)
    call_command("framework", "validate", str(broken), stdout=StringIO())  # English suffices
    with pytest.raises(
        CommandError,
        match=r"lacking\.yaml: domains\[2\]\.capabilities\[1\]\.phase_descriptors\[3\]\.text: "
        r"label has no 'es' text",
    ):
        call_command("framework", "validate", str(broken), "--require-languages", "fr,es")
