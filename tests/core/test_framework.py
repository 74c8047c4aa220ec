"""The shipped MNR edition and instruments, as mnr.core.framework reads them."""

from __future__ import annotations

import graphlib
import json
from pathlib import Path

import jsonschema
import pytest

from mnr.core.framework import (
    SCHEMA_PATH,
    Edition,
    FrameworkError,
    FrameworkProblem,
    Instrument,
    edition_from_document,
    load_channels,
    load_edition,
    load_instrument,
    load_shipped,
    read_document,
    shipped_edition_paths,
    shipped_instrument_paths,
    show_edition,
    text,
    validate_file,
)

DOMAINS = {
    "D1": ("Policy and Governance", ["C01", "C02", "C03"]),
    "D2": ("Criminal Justice", ["C04", "C05", "C06", "C07"]),
    "D3": ("Victim", ["C08", "C09", "C10", "C11"]),
    "D4": ("Societal", ["C12", "C13", "C14", "C15"]),
    "D5": ("Industry", ["C16", "C17", "C18", "C19"]),
    "D6": ("Media and Communications", ["C20", "C21"]),
}

CAPABILITIES = {
    "C01": "Leadership",
    "C02": "Research, Analysis and Monitoring",
    "C03": "Legislation",
    "C04": "Dedicated Law Enforcement",
    "C05": "Judiciary and Prosecutors",
    "C06": "Offender Management Process",
    "C07": "Access to Image Databases",
    "C08": "End-to-end Support",
    "C09": "Child Protection Workforce",
    "C10": "Compensation, Remedies and Complaints Arrangements",
    "C11": "Child Helpline",
    "C12": "CSEA Hotline",
    "C13": "Education Programme",
    "C14": "Child Participation",
    "C15": "Offender Support Systems",
    "C16": "Takedown Procedures",
    "C17": "CSEA Reporting",
    "C18": "Innovative Solution Development",
    "C19": "Corporate Social Responsibility",
    "C20": "Ethical and Informed Media Reporting",
    "C21": "Universal Terminology",
}

EXTRA_QUESTIONS = [
    "C01.governance_mechanism",
    "C01.national_strategy",
    "C03.criminalises_ocsea",
    "C03.criminalises_possession",
    "C03.isp_reporting_duty",
    "C03.laws_adequate",
    "C07.icse_connected",
    "C07.national_database",
]

# The questions the published findings of the 2021 review report figures on.
PUBLISHED_INDICATORS = [
    *EXTRA_QUESTIONS,
    *(f"C{n:02}.status" for n in range(2, 16) if n not in (3, 7)),
    "C16-17.status",
    "C18-19.status",
    "MNR.used_as_reference",
]

TEXT_QUESTIONS = ("good_practice", "challenges", "lessons_learned")


@pytest.fixture(scope="module")
def edition() -> Edition:
    return load_shipped()[0]["mnr-2016"]


@pytest.fixture(scope="module")
def review() -> Instrument:
    return load_shipped()[1]["mnr-review-2021"]


@pytest.fixture(scope="module")
def self_assessment() -> Instrument:
    return load_shipped()[1]["mnr-2016-self-assessment"]


def test_shipped_files_load() -> None:
    editions, instruments = load_shipped()

    assert set(editions) == {"mnr-2016"}
    assert set(instruments) == {"mnr-review-2021", "mnr-2016-self-assessment"}
    assert [path.name for path in shipped_edition_paths()] == ["mnr-2016.yaml"]
    assert len(shipped_instrument_paths()) == 2


def test_each_shipped_file_passes_validation_on_its_own() -> None:
    editions, _ = load_shipped()
    channels = load_channels()
    for path in (*shipped_edition_paths(), *shipped_instrument_paths()):
        assert validate_file(path, editions, channels).id == path.stem


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text("utf-8")))


def test_edition_has_six_domains_with_their_official_names(edition: Edition) -> None:
    assert [(d.id, text(d.name)) for d in edition.domains] == [
        (domain_id, name) for domain_id, (name, _) in DOMAINS.items()
    ]
    assert all(text(domain.outcome) for domain in edition.domains)


def test_edition_has_the_21_capabilities_with_their_official_names(edition: Edition) -> None:
    assert {c.id: text(c.name) for c in edition.capabilities()} == CAPABILITIES
    assert [c.id for c in edition.capabilities()] == list(CAPABILITIES)
    for domain_id, (_, capability_ids) in DOMAINS.items():
        assert [c.id for c in edition.domain(domain_id).capabilities] == capability_ids
        assert all(edition.capability(c).domain == domain_id for c in capability_ids)


def test_every_capability_is_described(edition: Edition) -> None:
    descriptions = [text(c.description) for c in edition.capabilities()]
    assert all(len(description) > 40 for description in descriptions)
    assert len(set(descriptions)) == 21


def test_phases_run_from_building_to_maturity_with_provisional_middle_names(
    edition: Edition,
) -> None:
    phases = [(p.level, text(p.name), p.provisional) for p in edition.phases]

    assert [level for level, _, _ in phases] == [1, 2, 3, 4]
    assert phases[0] == (1, "Building", False)
    assert phases[3] == (4, "Maturity", False)
    assert [provisional for _, _, provisional in phases] == [False, True, True, False]


def test_every_capability_has_its_own_descriptor_for_every_phase(edition: Edition) -> None:
    descriptors = [
        text(label) for c in edition.capabilities() for label in c.phase_descriptors.values()
    ]

    assert len(descriptors) == 84
    assert all(list(c.phase_descriptors) == [1, 2, 3, 4] for c in edition.capabilities())
    assert len(set(descriptors)) == 84


def test_status_lists_are_as_agreed(edition: Edition) -> None:
    def codes_and_labels(name: str) -> list[tuple[str, str]]:
        return [(c.code, text(c.label)) for c in edition.choice_lists[name]]

    assert codes_and_labels("status") == [
        ("yes", "Yes"),
        ("partial", "Partly"),
        ("no", "No"),
        ("dont_know", "Don't know"),
        ("not_applicable", "Not applicable"),
    ]
    assert [code for code, _ in codes_and_labels("yes_no")] == [
        "yes",
        "no",
        "dont_know",
        "not_applicable",
    ]


@pytest.mark.parametrize("capability_id", list(CAPABILITIES))
def test_every_capability_asks_status_phase_and_three_texts(
    edition: Edition, capability_id: str
) -> None:
    status = edition.question(f"{capability_id}.status")
    phase = edition.question(f"{capability_id}.phase")

    assert (status.type, status.choice_list, status.required) == ("select_one", "status", True)
    assert status.capabilities == (capability_id,)
    assert phase.type == "phase"
    assert phase.relevant is not None
    assert (phase.relevant.question, phase.relevant.values) == (status.id, ("yes", "partial"))
    assert [(c.code, text(c.label)) for c in phase.choices] == [
        ("1", "Building"),
        ("2", "Developing"),
        ("3", "Established"),
        ("4", "Maturity"),
    ]
    for name in TEXT_QUESTIONS:
        question = edition.question(f"{capability_id}.{name}")
        assert (question.type, question.required, question.choices) == ("text", False, ())


@pytest.mark.parametrize("question_id", [*EXTRA_QUESTIONS, "MNR.used_as_reference"])
def test_extra_questions_are_required_yes_no_questions(edition: Edition, question_id: str) -> None:
    question = edition.question(question_id)

    assert (question.type, question.choice_list, question.required) == (
        "select_one",
        "yes_no",
        True,
    )


def test_general_question_belongs_to_no_capability(edition: Edition) -> None:
    (general,) = edition.general_questions

    assert general.id == "MNR.used_as_reference"
    assert (general.capabilities, general.domain) == ((), None)
    assert edition.questions()[-1] == general


def test_question_labels_are_written_and_distinct(edition: Edition) -> None:
    labels = [text(q.label) for q in edition.questions()]

    assert len(labels) == 21 * 5 + len(EXTRA_QUESTIONS) + 1
    assert len(set(labels)) == len(labels)


def test_unknown_ids_are_key_errors(edition: Edition, review: Instrument) -> None:
    with pytest.raises(KeyError):
        edition.question("C22.status")
    with pytest.raises(KeyError):
        edition.capability("C22")
    with pytest.raises(KeyError):
        review.question("C16.status")


def test_review_2021_asks_takedown_and_reporting_together(review: Instrument) -> None:
    merged = review.question("C16-17.status")

    assert merged.capabilities == ("C16", "C17")
    assert (merged.choice_list, merged.domain) == ("status", "D5")
    for name in TEXT_QUESTIONS:
        assert review.question(f"C16-17.{name}").capabilities == ("C16", "C17")
    ids = {q.id for q in review.questions()}
    assert not ids & {f"{c}.{n}" for c in ("C16", "C17") for n in ("status", *TEXT_QUESTIONS)}


def test_review_2021_asks_innovation_and_responsibility_together(review: Instrument) -> None:
    assert review.question("C18-19.status").capabilities == ("C18", "C19")
    assert "C18.status" not in {q.id for q in review.questions()}


def test_review_2021_asks_adequacy_of_laws_only_of_unicef_country_offices(
    review: Instrument,
) -> None:
    assert review.question("C03.laws_adequate").channels == ("unicef_country_office",)
    assert "C03.laws_adequate" in {
        q.id for q in review.questions_for_channel("unicef_country_office")
    }
    assert "C03.laws_adequate" not in {q.id for q in review.questions_for_channel("government")}
    assert len(review.questions_for_channel("government")) == len(review.questions()) - 1


def test_review_2021_asks_no_maturity_phase(review: Instrument) -> None:
    assert review.channels == ("government", "unicef_country_office")
    assert not [q for q in review.questions() if q.type == "phase"]


def test_review_2021_crosswalk_covers_every_capability(
    edition: Edition, review: Instrument
) -> None:
    covered = {c for q in review.questions() for c in q.capabilities}

    assert covered == {c.id for c in edition.capabilities()}


def test_review_2021_sections_follow_the_domains(edition: Edition, review: Instrument) -> None:
    assert review.edition == edition.id
    assert [s.domain for s in review.sections] == list(DOMAINS)
    for section in review.sections:
        assert all(q.domain == section.domain for q in section.questions)
    assert [q.id for q in review.general] == ["MNR.used_as_reference"]


@pytest.mark.parametrize("question_id", PUBLISHED_INDICATORS)
def test_review_2021_asks_every_question_with_a_published_figure(
    review: Instrument, question_id: str
) -> None:
    assert review.question(question_id).type == "select_one"


def test_reused_questions_keep_the_edition_wording(edition: Edition, review: Instrument) -> None:
    assert review.question("C05.status") == edition.question("C05.status")


def test_self_assessment_asks_every_edition_question_of_governments(
    edition: Edition, self_assessment: Instrument
) -> None:
    assert self_assessment.channels == ("government",)
    assert [q.id for q in self_assessment.questions()] == [q.id for q in edition.questions()]
    assert self_assessment.questions_for_channel("government") == self_assessment.questions()


def test_asking_for_a_channel_the_instrument_lacks_is_an_error(review: Instrument) -> None:
    with pytest.raises(ValueError, match="civil_society"):
        review.questions_for_channel("civil_society")


def test_known_channels_have_labels() -> None:
    channels = load_channels()

    assert {code: text(label) for code, label in channels.items()} == {
        "government": "Government representatives",
        "unicef_country_office": "UNICEF country office",
        "civil_society": "Civil society organisation",
    }


def test_show_edition_outlines_domains_capabilities_questions_and_phases(
    edition: Edition,
) -> None:
    shown = show_edition(edition)

    assert set(shown) == {"edition", "domains", "phases", "general_questions"}
    assert shown["edition"] == "mnr-2016"
    first = shown["domains"][0]
    assert set(first) == {"id", "name", "capabilities"}
    assert (first["id"], first["name"]) == ("D1", "Policy and Governance")
    leadership = first["capabilities"][0]
    assert set(leadership) == {"id", "name", "depends_on", "questions"}
    assert leadership["depends_on"] == []
    assert leadership["questions"][0] == {
        "id": "C01.status",
        "type": "select_one",
        "choices": ["yes", "partial", "no", "dont_know", "not_applicable"],
    }
    assert leadership["questions"][1]["choices"] == ["1", "2", "3", "4"]
    assert {"id": "C01.challenges", "type": "text", "choices": []} in leadership["questions"]
    assert shown["phases"][1] == {"level": 2, "name": "Developing", "provisional": True}
    assert shown["general_questions"][0]["id"] == "MNR.used_as_reference"
    json.dumps(shown)


def test_text_falls_back_to_english() -> None:
    label = {"en": "Leadership", "fr": "Leadership (fr)"}

    assert text(label, "fr") == "Leadership (fr)"
    assert text(label, "fr-CA") == "Leadership (fr)"
    assert text(label, "es") == "Leadership"
    assert text(label) == "Leadership"


def test_a_json_copy_of_an_edition_loads_like_the_yaml(tmp_path: Path, edition: Edition) -> None:
    path = tmp_path / "mnr-2016.json"
    path.write_text(json.dumps(read_document(shipped_edition_paths()[0])), encoding="utf-8")

    assert load_edition(path) == edition


def test_instrument_loads_against_the_editions_it_is_given(tmp_path: Path) -> None:
    editions, _ = load_shipped()
    path = shipped_instrument_paths()[0]

    assert load_instrument(path, editions, load_channels()).edition == "mnr-2016"
    with pytest.raises(FrameworkError):
        load_instrument(path, {}, load_channels())


def test_problem_reads_file_path_message() -> None:
    problem = FrameworkProblem("mnr-2016.yaml", "domains[0].id", "duplicate id 'D1'")
    error = FrameworkError([problem, problem])

    assert str(problem) == "mnr-2016.yaml: domains[0].id: duplicate id 'D1'"
    assert str(error).splitlines() == [str(problem), str(problem)]
    assert error.problems == (problem, problem)


# --- Dependencies between capabilities --------------------------------------------------------


def enables(edition: Edition, enabler: str) -> set[str]:
    """The capabilities that need ``enabler``, directly or through others."""
    needs = {c.id: {d.capability for d in c.depends_on} for c in edition.capabilities()}
    found: set[str] = set()
    frontier = {enabler}
    while frontier:
        frontier = {c for c, its in needs.items() if its & frontier} - found
        found |= frontier
    return found


def test_shipped_dependencies_give_every_capability_but_leadership_enablers_with_reasons(
    edition: Edition,
) -> None:
    for capability in edition.capabilities():
        if capability.id == "C01":
            assert capability.depends_on == ()
            continue
        assert capability.depends_on, capability.id
        for dependency in capability.depends_on:
            assert dependency.capability in CAPABILITIES and dependency.capability != capability.id
            assert text(dependency.why) and "\n" not in text(dependency.why)
    order = graphlib.TopologicalSorter(
        {c.id: {d.capability for d in c.depends_on} for c in edition.capabilities()}
    )
    assert len(tuple(order.static_order())) == 21


def test_shipped_dependencies_follow_the_issue(edition: Edition) -> None:
    direct = {c.id: {d.capability for d in c.depends_on} for c in edition.capabilities()}

    assert {"C12", "C04"} <= direct["C16"]
    assert "C03" in direct["C17"]
    assert "C09" in direct["C08"]
    assert direct["C01"] == set()
    assert enables(edition, "C01") == set(CAPABILITIES) - {"C01"}
    assert len(enables(edition, "C03")) >= 8


def test_capability_without_depends_on_has_no_enablers() -> None:
    document = read_document(shipped_edition_paths()[0])
    leadership = document["domains"][0]["capabilities"][0]

    assert "depends_on" not in leadership
    assert edition_from_document(document).capability("C01").depends_on == ()


def test_show_edition_lists_the_enablers_of_every_capability(edition: Edition) -> None:
    shown = show_edition(edition)

    listed = {c["id"]: c["depends_on"] for d in shown["domains"] for c in d["capabilities"]}
    assert listed["C16"] == ["C12", "C04"]
    assert listed["C01"] == []
    assert listed == {c.id: [d.capability for d in c.depends_on] for c in edition.capabilities()}
