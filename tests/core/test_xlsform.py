"""The XLSForm built from an instrument for one channel, and the names it gives questions."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import replace

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyxform.parsing.expression import is_xml_tag
from pyxform.xls2xform import convert

from mnr.core.framework import (
    Edition,
    Instrument,
    Label,
    Question,
    Relevance,
    Section,
    load_shipped,
)
from mnr.core.xlsform import (
    QUESTION_ID,
    XLSFormSheets,
    build_xlsform,
    form_id,
    form_version,
    question_id_from_name,
    write_xlsx,
    xlsform_name,
)

LANGUAGES = ("en", "fr", "es")
LABEL_COLUMNS = ("label::English (en)", "label::French (fr)", "label::Spanish (es)")
HINT_COLUMNS = ("hint::English (en)", "hint::French (fr)", "hint::Spanish (es)")
PARTICIPANTS: Sequence[tuple[str, Label]] = (
    ("KE", {"en": "Kenya"}),
    ("GB-EAW", {"en": "England and Wales", "fr": "Angleterre et pays de Galles"}),
)


def shipped(instrument_id: str) -> tuple[Instrument, Edition]:
    editions, instruments = load_shipped()
    instrument = instruments[instrument_id]
    return instrument, editions[instrument.edition]


def build(
    instrument_id: str = "mnr-review-2021",
    channel: str = "government",
    *,
    languages: Sequence[str] = LANGUAGES,
    phase_names: Mapping[int, Label] | None = None,
    instrument: Instrument | None = None,
) -> XLSFormSheets:
    shipped_instrument, edition = shipped(instrument_id)
    return build_xlsform(
        instrument or shipped_instrument,
        edition,
        channel=channel,
        round_code="review-2021",
        participants=PARTICIPANTS,
        languages=languages,
        phase_names=phase_names,
    )


def survey_row(sheets: XLSFormSheets, name: str) -> Mapping[str, str]:
    return next(row for row in sheets.survey.rows if row["name"] == name)


def names(sheets: XLSFormSheets) -> list[str]:
    return [row["name"] for row in sheets.survey.rows]


def choices(sheets: XLSFormSheets, list_name: str) -> list[tuple[str, str]]:
    return [
        (row["name"], row["label::English (en)"])
        for row in sheets.choices.rows
        if row["list_name"] == list_name
    ]


# --- The form's own fields and settings -------------------------------------------------------


def test_form_opens_with_a_required_jurisdiction_question_listing_the_participants() -> None:
    sheets = build()
    first = sheets.survey.rows[0]
    assert (first["type"], first["name"], first["required"]) == (
        "select_one jurisdictions",
        "jurisdiction",
        "yes",
    )
    assert choices(sheets, "jurisdictions") == [("KE", "Kenya"), ("GB-EAW", "England and Wales")]
    gb = next(row for row in sheets.choices.rows if row["name"] == "GB-EAW")
    assert gb["label::French (fr)"] == "Angleterre et pays de Galles"
    assert gb["label::Spanish (es)"] == "England and Wales"


def test_hidden_fields_carry_round_channel_and_version() -> None:
    sheets = build(channel="unicef_country_office")
    calculated = {
        row["name"]: row["calculation"] for row in sheets.survey.rows if row["type"] == "calculate"
    }
    assert calculated == {
        "round": "'review-2021'",
        "channel": "'unicef_country_office'",
        "mnr_version": "'review-2021.mnr-review-2021.v1.unicef_country_office'",
    }


def test_settings_name_the_form_its_version_and_default_language() -> None:
    settings = build(channel="unicef_country_office").settings
    assert settings.columns == ("form_title", "form_id", "version", "default_language")
    (row,) = settings.rows
    assert row["form_id"] == "mnr_review_2021_unicef_country_office"
    assert row["version"] == "review-2021.mnr-review-2021.v1.unicef_country_office"
    assert row["default_language"] == "English (en)"
    assert row["form_title"].startswith("Review of the Model National Response, 2021")


def test_first_language_is_the_default() -> None:
    sheets = build(languages=("fr", "en"))
    assert sheets.settings.rows[0]["default_language"] == "French (fr)"
    assert sheets.survey.columns[2:4] == ("label::French (fr)", "label::English (en)")


def test_form_without_participants_is_refused() -> None:
    instrument, edition = shipped("mnr-review-2021")
    with pytest.raises(ValueError, match="no participants"):
        build_xlsform(
            instrument,
            edition,
            channel="government",
            round_code="r",
            participants=(),
            languages=["en"],
        )


def test_unknown_channel_is_refused_with_the_instrument_channels() -> None:
    with pytest.raises(ValueError, match="its channels are government, unicef_country_office"):
        build(channel="civil_society")


# --- Questions, groups, notes and hints -------------------------------------------------------


def test_questions_are_grouped_by_domain_in_instrument_order() -> None:
    sheets = build()
    groups = [row["name"] for row in sheets.survey.rows if row["type"] == "begin_group"]
    assert groups == ["D1", "D2", "D3", "D4", "D5", "D6", "general"]
    ends = [row["name"] for row in sheets.survey.rows if row["type"] == "end_group"]
    assert ends == groups
    assert survey_row(sheets, "D1")["label::English (en)"] == "D1 Policy and Governance"
    instrument, _ = shipped("mnr-review-2021")
    asked = [name for name in names(sheets) if name[0].isupper() and "_" in name]
    expected = [xlsform_name(q.id) for q in instrument.questions_for_channel("government")]
    assert asked == expected


def test_laws_adequate_is_asked_only_of_unicef_country_offices() -> None:
    assert "C03_laws_adequate" not in names(build(channel="government"))
    assert "C03_laws_adequate" in names(build(channel="unicef_country_office"))


def test_each_capability_is_described_in_a_note_before_its_first_question() -> None:
    sheets = build()
    order = names(sheets)
    note = survey_row(sheets, "about_C01")
    assert note["type"] == "note"
    assert "Leadership" in note["label::English (en)"]
    assert "national body with a clear mandate" in note["label::English (en)"]
    assert order.index("about_C01") < order.index("C01_status")
    # The merged question of the 2021 review speaks to two capabilities: both are described.
    merged = order.index("C16_17_status")
    assert order.index("about_C16") < merged
    assert order.index("about_C17") < merged
    notes = [row["name"] for row in sheets.survey.rows if row["type"] == "note"]
    assert len(notes) == len(set(notes)) == 21


def test_question_types_required_and_appearance() -> None:
    sheets = build()
    status = survey_row(sheets, "C01_status")
    assert (status["type"], status["required"]) == ("select_one status", "yes")
    assert survey_row(sheets, "C01_governance_mechanism")["type"] == "select_one yes_no"
    practice = survey_row(sheets, "C01_good_practice")
    assert (practice["type"], practice["appearance"]) == ("text", "multiline")
    assert "required" not in practice


def test_phase_question_is_relevant_when_in_place_and_shows_descriptors() -> None:
    sheets = build("mnr-2016-self-assessment")
    phase = survey_row(sheets, "C01_phase")
    assert phase["type"] == "select_one phases"
    assert (
        phase["relevant"] == "selected(${C01_status}, 'yes') or selected(${C01_status}, 'partial')"
    )
    hint = phase["hint::English (en)"]
    assert "**1 Building**: The problem is recognised" in hint
    assert "**4 Maturity**: " in hint
    french = phase["hint::French (fr)"]
    assert french.startswith("Choisissez la phase dont la description correspond le mieux")
    assert "**1 Mise en place**: Certains responsables reconnaissent le problème" in french
    assert choices(sheets, "phases") == [
        ("1", "Building"),
        ("2", "Developing"),
        ("3", "Established"),
        ("4", "Maturity"),
    ]


def test_renamed_phases_name_the_choices_and_the_hints() -> None:
    sheets = build("mnr-2016-self-assessment", phase_names={2: {"en": "Emerging"}})
    assert choices(sheets, "phases")[1] == ("2", "Emerging")
    assert "**2 Emerging**: " in survey_row(sheets, "C01_phase")["hint::English (en)"]


def test_only_the_choice_lists_in_use_are_written() -> None:
    review = {row["list_name"] for row in build().choices.rows}
    assert review == {"jurisdictions", "status", "yes_no"}
    assessment = {row["list_name"] for row in build("mnr-2016-self-assessment").choices.rows}
    assert assessment == {"jurisdictions", "status", "yes_no", "phases", "confidence"}


def test_the_respondent_is_asked_second_as_a_code_blank_for_the_lead() -> None:
    sheets = build()
    respondent = sheets.survey.rows[1]
    assert (respondent["type"], respondent["name"]) == ("text", "respondent")
    assert "required" not in respondent
    assert respondent["constraint"] == "regex(., '^[a-z0-9][a-z0-9_-]{0,59}$')"
    assert "lower-case" in respondent["constraint_message::English (en)"]
    assert "lead respondent" in respondent["hint::English (en)"]
    assert "répondant principal" in respondent["hint::French (fr)"]
    assert "persona encuestada principal" in respondent["hint::Spanish (es)"]


def test_each_phase_question_is_followed_by_the_confidence_in_it() -> None:
    sheets = build("mnr-2016-self-assessment")
    order = names(sheets)
    phases = [name for name in order if name.endswith("_phase") and name[:1].isupper()]
    assert phases
    for phase in phases:
        confidence = survey_row(sheets, f"confidence_{phase}")
        assert order.index(f"confidence_{phase}") == order.index(phase) + 1
        assert confidence["type"] == "select_one confidence"
        assert confidence["relevant"] == f"${{{phase}}} != ''"
    assert choices(sheets, "confidence") == [("low", "Low"), ("medium", "Medium"), ("high", "High")]
    assert not any(name.startswith("confidence_") for name in names(build()))


def test_confidence_fields_are_no_questions() -> None:
    instrument, _ = shipped("mnr-2016-self-assessment")
    assert question_id_from_name("confidence_C01_phase", instrument) is None
    assert question_id_from_name("D1/confidence_C01_phase", instrument) is None


def test_every_label_column_is_filled_with_english_where_no_translation_exists() -> None:
    sheets = build(languages=("en", "ar"))
    arabic = "label::Arabic (ar)"
    for row in sheets.survey.rows:
        if row["type"] in ("calculate", "end_group"):
            continue
        assert row["label::English (en)"], row["name"]
        assert row[arabic] == row["label::English (en)"]
    for row in sheets.choices.rows:
        assert row[arabic] == row["label::English (en)"]
    assert "hint::Arabic (ar)" in sheets.survey.columns


def test_every_label_and_hint_is_written_in_french_and_spanish() -> None:
    sheets = build("mnr-2016-self-assessment")
    assert set(HINT_COLUMNS) <= set(sheets.survey.columns)
    for row in (*sheets.survey.rows, *sheets.choices.rows):
        if row.get("type") in ("calculate", "end_group") or row.get("list_name") == "jurisdictions":
            continue
        for kind in ("label", "hint"):
            english = row.get(f"{kind}::English (en)")
            if not english or english.isdigit():
                continue
            for language in ("French (fr)", "Spanish (es)"):
                assert row[f"{kind}::{language}"], (row["name"], kind, language)
                # Only names that are the same in every language (Leadership) may be equal.
                if row.get("type", "").startswith(("select_one", "text", "note", "begin_group")):
                    assert row[f"{kind}::{language}"] != english, (row["name"], kind, language)
    status = survey_row(sheets, "C01_status")
    assert status["label::French (fr)"].startswith("Existe-t-il un organisme national")
    assert status["label::Spanish (es)"].startswith("¿Existe un organismo nacional")
    french_choices = {
        (row["list_name"], row["name"]): row["label::French (fr)"] for row in sheets.choices.rows
    }
    assert french_choices["status", "partial"] == "En partie"
    assert french_choices["phases", "3"] == "Consolidation"
    assert french_choices["confidence", "high"] == "Élevé"


def test_a_translated_label_is_used_in_its_language() -> None:
    instrument, _ = shipped("mnr-review-2021")
    status = instrument.question("C01.status")
    translated = replace(status, label={"en": status.label["en"], "fr": "Existe-t-il un organe ?"})
    first = instrument.sections[0]
    sections = (
        Section(first.domain, (translated, *first.questions[1:])),
        *instrument.sections[1:],
    )
    sheets = build(instrument=replace(instrument, sections=sections))
    row = survey_row(sheets, "C01_status")
    assert row["label::French (fr)"] == "Existe-t-il un organe ?"
    assert row["label::Spanish (es)"] == row["label::English (en)"] == status.label["en"]


def test_condition_on_a_question_the_channel_is_not_asked_is_refused() -> None:
    instrument, _ = shipped("mnr-review-2021")
    dependent = replace(
        instrument.question("C03.good_practice"),
        relevant=Relevance("C03.laws_adequate", ("yes",)),
    )
    first = instrument.sections[0]
    questions = tuple(dependent if q.id == dependent.id else q for q in first.questions)
    changed = replace(
        instrument, sections=(Section(first.domain, questions), *instrument.sections[1:])
    )
    with pytest.raises(ValueError, match=r"'C03\.laws_adequate', which this channel is not asked"):
        build(instrument=changed, channel="government")


# --- Conversion with pyxform and ODK Validate -------------------------------------------------


@pytest.mark.parametrize(
    ("instrument_id", "channel"),
    [
        ("mnr-review-2021", "government"),
        ("mnr-review-2021", "unicef_country_office"),
        ("mnr-2016-self-assessment", "government"),
    ],
)
def test_every_shipped_form_converts_and_passes_odk_validate(
    instrument_id: str, channel: str
) -> None:
    warnings: list[str] = []
    result = convert(write_xlsx(build(instrument_id, channel)), warnings=warnings, validate=True)
    assert warnings == []
    assert 'version="review-2021.' in result.xform
    assert '<translation lang="Spanish (es)">' in result.xform


def test_workbook_has_the_three_sheets_with_their_headers() -> None:
    sheets = build()
    workbook = openpyxl.load_workbook(io.BytesIO(write_xlsx(sheets)))
    assert workbook.sheetnames == ["survey", "choices", "settings"]
    header = [cell.value for cell in workbook["survey"][1]]
    assert header == list(sheets.survey.columns)
    assert workbook["survey"].max_row == len(sheets.survey.rows) + 1
    assert [cell.value for cell in workbook["settings"][2]][1] == "mnr_review_2021_government"


def test_workbook_refuses_a_cell_outside_the_columns() -> None:
    sheets = build()
    bad = replace(sheets, settings=replace(sheets.settings, rows=({"style": "pages"},)))
    with pytest.raises(ValueError, match="settings row has cells outside its columns"):
        write_xlsx(bad)


# --- Names and version ------------------------------------------------------------------------

question_ids = st.from_regex(QUESTION_ID, fullmatch=True)
# Prefixes as instruments use them (C01, C16-17, MNR): no lower-case letter after a hyphen.
capability_style_ids = st.from_regex(
    r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*\.[a-z][a-z0-9_]*", fullmatch=True
)


def instrument_asking(question_ids: Sequence[str]) -> Instrument:
    questions = tuple(Question(id=q_id, type="text", label={"en": q_id}) for q_id in question_ids)
    return Instrument(
        id="test",
        edition="mnr-2016",
        version=1,
        title={"en": "Test"},
        channels=("government",),
        sections=(Section("D1", questions),),
    )


def test_name_examples() -> None:
    assert xlsform_name("C01.status") == "C01_status"
    assert xlsform_name("C16-17.status") == "C16_17_status"
    assert xlsform_name("MNR.used_as_reference") == "MNR_used_as_reference"


@given(question_ids)
def test_every_question_name_is_an_xml_name_apart_from_the_forms_own(question_id: str) -> None:
    name = xlsform_name(question_id)
    assert is_xml_tag(name)
    assert name[0].isupper() and "_" in name


@given(st.lists(capability_style_ids, unique=True, max_size=30))
def test_names_of_capability_style_ids_are_distinct(ids: list[str]) -> None:
    assert len({xlsform_name(q_id) for q_id in ids}) == len(ids)


@given(st.lists(capability_style_ids, unique=True, min_size=1, max_size=30))
def test_names_map_back_to_their_question_ids(ids: list[str]) -> None:
    instrument = instrument_asking(ids)
    for q_id in ids:
        assert question_id_from_name(xlsform_name(q_id), instrument) == q_id
        assert question_id_from_name(f"/data/D1/{xlsform_name(q_id)}", instrument) == q_id
        assert question_id_from_name(f"D1-{xlsform_name(q_id)}", instrument) == q_id


@given(st.lists(question_ids, unique=True, min_size=1, max_size=30))
def test_any_ids_map_back_exactly_or_the_instrument_is_refused(ids: list[str]) -> None:
    instrument = instrument_asking(ids)
    if len({xlsform_name(q_id) for q_id in ids}) < len(ids):
        with pytest.raises(ValueError, match="would both be named"):
            question_id_from_name(xlsform_name(ids[0]), instrument)
        return
    assert [question_id_from_name(xlsform_name(q_id), instrument) for q_id in ids] == ids


def test_colliding_names_are_refused_when_building() -> None:
    instrument, _ = shipped("mnr-review-2021")
    colliding = replace(instrument.question("C01.good_practice"), id="C01-good.practice")
    first = instrument.sections[0]
    changed = replace(
        instrument,
        sections=(Section(first.domain, (*first.questions, colliding)), *instrument.sections[1:]),
    )
    assert xlsform_name("C01-good.practice") == xlsform_name("C01.good_practice")
    with pytest.raises(
        ValueError, match=r"'C01\.good_practice' and 'C01-good\.practice' would both"
    ):
        build(instrument=changed)


def test_the_forms_own_fields_and_platform_fields_are_no_questions() -> None:
    instrument, _ = shipped("mnr-review-2021")
    own = ("jurisdiction", "round", "channel", "mnr_version", "D1", "general", "D1/about_C01")
    added = ("_uuid", "__version__", "meta-instanceID", "/data/meta/instanceID", "start")
    for name in (*own, *added):
        assert question_id_from_name(name, instrument) is None
    with pytest.raises(KeyError, match="'C99_status' names no question"):
        question_id_from_name("C99_status", instrument)


@pytest.mark.parametrize("instrument_id", ["mnr-review-2021", "mnr-2016-self-assessment"])
def test_every_name_in_a_shipped_form_is_unique(instrument_id: str) -> None:
    rows = build(instrument_id).survey.rows
    form_names = [row["name"] for row in rows if row["type"] != "end_group"]
    assert len(form_names) == len(set(form_names))


@pytest.mark.parametrize("question_id", ["c01.status", "C01", "C01.Status", "C01.status x"])
def test_a_malformed_question_id_has_no_name(question_id: str) -> None:
    with pytest.raises(ValueError, match="is not a question id"):
        xlsform_name(question_id)


@given(
    st.from_regex(r"[a-z0-9]+(-[a-z0-9]+)*", fullmatch=True),
    st.from_regex(r"[a-z0-9]+(-[a-z0-9]+)*", fullmatch=True),
    st.integers(min_value=1, max_value=999),
    st.from_regex(r"[a-z][a-z0-9_]*", fullmatch=True),
)
def test_form_version_splits_into_its_parts(
    round_code: str, instrument_code: str, version: int, channel: str
) -> None:
    parts = form_version(round_code, instrument_code, version, channel).split(".")
    assert parts == [round_code, instrument_code, f"v{version}", channel]


def test_form_version_refuses_a_code_with_a_dot() -> None:
    with pytest.raises(ValueError, match="has a dot"):
        form_version("2021.1", "mnr-review-2021", 1, "government")


def test_form_id_keeps_only_letters_digits_and_underscores() -> None:
    assert (
        form_id("review-2021", "unicef_country_office") == "mnr_review_2021_unicef_country_office"
    )
