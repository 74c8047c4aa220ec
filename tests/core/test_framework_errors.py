"""Broken framework files are refused with the file, the path and the problem.

Each test loads a shipped file, breaks a copy of it in tmp_path and checks what is reported.
"""

from __future__ import annotations

import graphlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mnr.core.framework import (
    DATA_DIR,
    Edition,
    FrameworkError,
    edition_from_document,
    load_channels,
    load_edition,
    load_instrument,
    load_shipped,
    read_document,
    shipped_edition_paths,
    validate_file,
)

Document = dict[str, Any]

REVIEW_PATH = DATA_DIR / "instruments" / "mnr-review-2021.yaml"
SELF_ASSESSMENT_PATH = DATA_DIR / "instruments" / "mnr-2016-self-assessment.yaml"
CHANNELS = ("government", "unicef_country_office", "civil_society")


@pytest.fixture
def edition_document() -> Document:
    return read_document(shipped_edition_paths()[0])


@pytest.fixture
def review_document() -> Document:
    return read_document(REVIEW_PATH)


@pytest.fixture
def editions() -> dict[str, Edition]:
    return dict(load_shipped()[0])


def write(tmp_path: Path, document: Document, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
    return path


def refusal(load: Callable[[], object]) -> FrameworkError:
    with pytest.raises(FrameworkError) as caught:
        load()
    return caught.value


def edition_refusal(tmp_path: Path, document: Document) -> tuple[Path, FrameworkError]:
    path = write(tmp_path, document)
    return path, refusal(lambda: load_edition(path))


def instrument_refusal(
    tmp_path: Path, document: Document, editions: dict[str, Edition]
) -> tuple[Path, FrameworkError]:
    path = write(tmp_path, document)
    return path, refusal(lambda: load_instrument(path, editions, CHANNELS))


def assert_reported(error: FrameworkError, file: Path, path: str, *words: str) -> None:
    """Some problem of ``error`` is about ``file`` at ``path`` and its message has ``words``."""
    at_path = [p for p in error.problems if p.path == path]
    assert at_path, f"nothing reported at {path!r}:\n{error}"
    assert all(p.file == str(file) for p in error.problems)
    assert any(all(w in p.message for w in words) for p in at_path), str(error)
    assert f"{file}: {path}: " in str(error)


def capability(document: Document, domain: int, index: int) -> Document:
    found: Document = document["domains"][domain]["capabilities"][index]
    return found


# --- Not YAML, not a mapping, not readable ----------------------------------------------------


def test_file_that_is_not_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("schema: mnr-framework/1\nkind: edition\n  id: [mnr\n", "utf-8")

    error = refusal(lambda: load_edition(path))

    assert_reported(error, path, "line 3, column 5", "not valid YAML")


def test_key_given_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("schema: mnr-framework/1\nkind: edition\nkind: instrument\n", "utf-8")

    error = refusal(lambda: read_document(path))

    assert_reported(error, path, "line 3, column 1", "'kind' appears twice", "line 2")


def test_json_file_with_a_syntax_error_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"schema": "mnr-framework/1",\n "kind": }', "utf-8")

    error = refusal(lambda: read_document(path))

    assert_reported(error, path, "line 2, column 10", "not valid JSON")


def test_file_that_is_a_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("- kind: edition\n", "utf-8")

    error = refusal(lambda: load_edition(path))

    assert_reported(error, path, "(top level)", "expected a mapping", "a list")


def test_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"

    error = refusal(lambda: load_edition(path))

    assert_reported(error, path, "(file)", "cannot read the file")


# --- Not of the schema ------------------------------------------------------------------------


def test_missing_key_is_refused_with_its_path(tmp_path: Path, edition_document: Document) -> None:
    del capability(edition_document, 0, 1)["description"]

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(error, path, "domains[0].capabilities[1].description", "required")


def test_unknown_key_is_refused_with_its_path(tmp_path: Path, edition_document: Document) -> None:
    edition_document["domains"][2]["owner"] = "someone"

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(error, path, "domains[2].owner", "unknown key", "outcome")


def test_unquoted_yes_is_refused_with_a_hint(tmp_path: Path) -> None:
    source = shipped_edition_paths()[0].read_text("utf-8")
    path = tmp_path / "broken.yaml"
    path.write_text(source.replace('{code: "yes"', "{code: yes", 1), "utf-8")

    error = refusal(lambda: load_edition(path))

    assert_reported(error, path, "choice_lists.status[0].code", "YAML boolean true", "quotes")


def test_label_without_english_is_refused_with_its_path(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 1, 2)["name"] = {"fr": "Gestion des délinquants"}

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(error, path, "domains[1].capabilities[2].name", "no English ('en') text")


def test_phase_level_outside_one_to_four_is_refused(
    tmp_path: Path, edition_document: Document
) -> None:
    edition_document["phases"][3]["level"] = 5
    capability(edition_document, 0, 0)["phase_descriptors"][0]["level"] = 0

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(error, path, "phases[3].level", "at most 4", "5")
    assert_reported(
        error, path, "domains[0].capabilities[0].phase_descriptors[0].level", "at least 1"
    )


def test_malformed_id_is_refused_with_the_expected_form(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 0, 0)["id"] = "Leadership"

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(error, path, "domains[0].capabilities[0].id", "'Leadership'", "such as C01")


def test_unknown_kind_is_refused(tmp_path: Path, edition_document: Document) -> None:
    edition_document["kind"] = "editon"

    path = write(tmp_path, edition_document)
    error = refusal(lambda: validate_file(path, {}, CHANNELS))

    assert_reported(error, path, "kind", "'editon' is not one of edition, instrument")


def test_instrument_file_is_not_loaded_as_an_edition() -> None:
    error = refusal(lambda: load_edition(REVIEW_PATH))

    assert_reported(error, REVIEW_PATH, "kind", "expected a file of kind 'edition'")


def test_channel_list_is_not_validated_as_an_edition_or_instrument(
    editions: dict[str, Edition],
) -> None:
    path = DATA_DIR / "channels.yaml"

    error = refusal(lambda: validate_file(path, editions, CHANNELS))

    assert_reported(error, path, "kind", "found kind 'channels'")


def test_several_schema_problems_are_all_reported(
    tmp_path: Path, edition_document: Document
) -> None:
    del edition_document["title"]
    edition_document["version"] = "one"
    edition_document["domains"][5]["name"] = {}

    path, error = edition_refusal(tmp_path, edition_document)

    assert len(error.problems) == 3
    assert_reported(error, path, "title", "required")
    assert_reported(error, path, "version", "expected a whole number", "'one'")
    assert_reported(error, path, "domains[5].name", "no English")


# --- Duplicate ids ----------------------------------------------------------------------------


def test_duplicate_domain_id_is_refused_with_its_path(
    tmp_path: Path, edition_document: Document
) -> None:
    edition_document["domains"][3]["id"] = "D2"

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(error, path, "domains[3].id", "duplicate id 'D2'", "first at domains[1]")


def drop_dependencies(document: Document) -> None:
    """Tests that rename C03 would otherwise also see the unknown enabler of each capability
    that depends on it."""
    for domain in document["domains"]:
        for each in domain["capabilities"]:
            each.pop("depends_on", None)


def test_duplicate_capability_id_is_refused_with_its_path(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 0, 2)["id"] = "C02"
    drop_dependencies(edition_document)

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error,
        path,
        "domains[0].capabilities[2].id",
        "duplicate id 'C02'",
        "first at domains[0].capabilities[1]",
    )
    assert len(error.problems) == 1


def test_duplicate_question_id_is_refused_with_its_path(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 0, 0)["questions"][6]["id"] = "C01.challenges"

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error,
        path,
        "domains[0].capabilities[0].questions[6].id",
        "duplicate id 'C01.challenges'",
        "first at domains[0].capabilities[0].questions[5]",
    )


def test_duplicate_choice_code_is_refused_with_its_path(
    tmp_path: Path, edition_document: Document
) -> None:
    edition_document["choice_lists"]["yes_no"].append({"code": "no", "label": {"en": "Nope"}})

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error, path, "choice_lists.yes_no[4].code", "duplicate code 'no'", "choice_lists.yes_no[1]"
    )


def test_duplicate_phase_level_is_refused_with_its_path(
    tmp_path: Path, edition_document: Document
) -> None:
    edition_document["phases"][2]["level"] = 2

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(error, path, "phases[2].level", "duplicate phase level 2", "first at phases[1]")
    assert_reported(error, path, "phases", "phase 3 is missing")


def test_duplicate_phase_descriptor_is_refused_with_its_path(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 4, 1)["phase_descriptors"][3]["level"] = 3

    path, error = edition_refusal(tmp_path, edition_document)

    descriptors = "domains[4].capabilities[1].phase_descriptors"
    assert_reported(error, path, f"{descriptors}[3].level", "duplicate phase level 3")
    assert_reported(error, path, descriptors, "no descriptor for phase 4 (Maturity)")


# --- Phases and descriptors -------------------------------------------------------------------


def test_missing_phase_is_refused(tmp_path: Path, edition_document: Document) -> None:
    del edition_document["phases"][1]

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(error, path, "phases", "phase 2 is missing")
    assert len(error.problems) == 1


def test_capability_without_a_descriptor_for_a_phase_is_refused(
    tmp_path: Path, edition_document: Document
) -> None:
    del capability(edition_document, 2, 3)["phase_descriptors"][1]

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error,
        path,
        "domains[2].capabilities[3].phase_descriptors",
        "no descriptor for phase 2 (Developing)",
    )


SHIPPED_EDITION = read_document(shipped_edition_paths()[0])
CAPABILITY_PATHS = [
    (domain, index)
    for domain, raw in enumerate(SHIPPED_EDITION["domains"])
    for index in range(len(raw["capabilities"]))
]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(CAPABILITY_PATHS), st.sampled_from([0, 1, 2, 3]))
def test_any_missing_descriptor_is_reported_at_its_capability(
    where: tuple[int, int], position: int
) -> None:
    document = read_document(shipped_edition_paths()[0])
    descriptors = capability(document, *where)["phase_descriptors"]
    level = descriptors.pop(position)["level"]

    error = refusal(lambda: edition_from_document(document, source="edited in memory"))

    assert [str(p) for p in error.problems] == [
        f"edited in memory: domains[{where[0]}].capabilities[{where[1]}].phase_descriptors: "
        f"no descriptor for phase {level} ({SHIPPED_EDITION['phases'][level - 1]['name']['en']}); "
        "every capability needs one for each phase"
    ]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(CAPABILITY_PATHS), st.integers(min_value=1, max_value=8))
def test_any_repeated_question_id_is_reported_with_its_first_place(
    where: tuple[int, int], offset: int
) -> None:
    document = read_document(shipped_edition_paths()[0])
    questions = capability(document, *where)["questions"]
    first, second = 2, min(2 + offset, len(questions) - 1)
    questions[second]["id"] = questions[first]["id"]

    error = refusal(lambda: edition_from_document(document, source="edited in memory"))

    base = f"domains[{where[0]}].capabilities[{where[1]}].questions"
    assert [(p.path, p.message) for p in error.problems] == [
        (
            f"{base}[{second}].id",
            f"duplicate id {questions[first]['id']!r} (first at {base}[{first}])",
        )
    ]


# --- Dangling references in an edition --------------------------------------------------------


def test_unknown_choice_list_is_refused(tmp_path: Path, edition_document: Document) -> None:
    capability(edition_document, 1, 0)["questions"][0]["choices"] = "stat"

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error,
        path,
        "domains[1].capabilities[0].questions[0].choices",
        "unknown choice list 'stat'",
        "status, yes_no",
    )
    assert len(error.problems) == 1


def test_choice_list_on_a_text_question_is_refused(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 5, 0)["questions"][2]["choices"] = "status"

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error, path, "domains[5].capabilities[0].questions[2].choices", "only select_one"
    )


def test_question_named_after_another_capability_is_refused(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 0, 1)["questions"][2]["id"] = "C01.good_practice_too"

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error, path, "domains[0].capabilities[1].questions[2].id", "must start with 'C02.'"
    )


def test_condition_on_a_later_question_is_refused(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 0, 0)["questions"][1]["relevant"]["question"] = "C01.challenges"

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error,
        path,
        "domains[0].capabilities[0].questions[1].relevant.question",
        "'C01.challenges'",
        "earlier question",
    )


def test_condition_on_an_unknown_question_is_refused(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 3, 0)["questions"][1]["relevant"]["question"] = "C99.status"

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error,
        path,
        "domains[3].capabilities[0].questions[1].relevant.question",
        "'C99.status'",
        "unknown question",
    )


def test_condition_on_an_unknown_answer_code_is_refused(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 0, 1)["questions"][1]["relevant"]["in"] = ["yes", "maybe"]

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error,
        path,
        "domains[0].capabilities[1].questions[1].relevant.in[1]",
        "'maybe' is not an answer code of 'C02.status'",
    )


def test_condition_on_a_text_question_is_refused(
    tmp_path: Path, edition_document: Document
) -> None:
    questions = capability(edition_document, 0, 1)["questions"]
    questions[-1]["relevant"] = {"question": "C02.good_practice", "in": ["yes"]}

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error,
        path,
        f"domains[0].capabilities[1].questions[{len(questions) - 1}].relevant.question",
        "a text question",
    )


def test_several_reference_problems_are_all_reported(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 0, 2)["id"] = "C02"
    drop_dependencies(edition_document)
    capability(edition_document, 1, 0)["questions"][0]["choices"] = "stat"
    del capability(edition_document, 2, 0)["phase_descriptors"][1]
    del edition_document["phases"][2]

    path, error = edition_refusal(tmp_path, edition_document)

    assert [p.path for p in error.problems] == [
        "phases",
        "domains[0].capabilities[2].id",
        "domains[1].capabilities[0].questions[0].choices",
        "domains[2].capabilities[0].phase_descriptors",
    ]
    assert {p.file for p in error.problems} == {str(path)}
    assert all(str(p) in str(error) for p in error.problems)


# --- Dependencies between capabilities --------------------------------------------------------

# Where each capability sits in the shipped edition file: C05 is domains[1].capabilities[1].
WHERE = {
    raw["id"]: (domain, index)
    for domain, raw_domain in enumerate(SHIPPED_EDITION["domains"])
    for index, raw in enumerate(raw_domain["capabilities"])
}


def depends_on_path(capability_id: str) -> str:
    domain, index = WHERE[capability_id]
    return f"domains[{domain}].capabilities[{index}].depends_on"


def depends_on(document: Document, capability_id: str, *enablers: str) -> str:
    """Declare ``enablers`` for the capability; the path of its depends_on list."""
    capability(document, *WHERE[capability_id])["depends_on"] = [
        {"capability": enabler, "why": {"en": f"{capability_id} builds on {enabler}"}}
        for enabler in enablers
    ]
    return depends_on_path(capability_id)


def test_dependency_on_an_unknown_capability_is_refused(
    tmp_path: Path, edition_document: Document
) -> None:
    at = depends_on(edition_document, "C04", "C03", "C22")

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error, path, f"{at}[1].capability", "unknown capability 'C22'", "has C01, C02", "C21"
    )
    assert len(error.problems) == 1


def test_capability_depending_on_itself_is_refused(
    tmp_path: Path, edition_document: Document
) -> None:
    at = depends_on(edition_document, "C05", "C05")

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(error, path, f"{at}[0].capability", "C05 cannot depend on itself")
    assert len(error.problems) == 1  # not a cycle as well


def test_dependency_listed_twice_is_refused_with_its_first_place(
    tmp_path: Path, edition_document: Document
) -> None:
    at = depends_on(edition_document, "C16", "C12", "C04", "C12")

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error,
        path,
        f"{at}[2].capability",
        "duplicate dependency on 'C12'",
        f"first at {at}[0]",
    )
    assert len(error.problems) == 1


def test_two_capabilities_depending_on_each_other_are_refused_as_a_cycle(
    tmp_path: Path, edition_document: Document
) -> None:
    depends_on(edition_document, "C05", "C03", "C08")
    closing = depends_on(edition_document, "C08", "C05")

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(
        error,
        path,
        f"{closing}[0].capability",
        "dependency cycle C05 → C08 → C05",
        "remove one of these dependencies",
    )
    assert len(error.problems) == 1


def test_cycle_through_several_capabilities_is_refused_with_the_whole_cycle(
    tmp_path: Path, edition_document: Document
) -> None:
    drop_dependencies(edition_document)
    depends_on(edition_document, "C03", "C16")
    depends_on(edition_document, "C16", "C04", "C12")
    closing = depends_on(edition_document, "C12", "C03")

    _, error = edition_refusal(tmp_path, edition_document)

    assert [(p.path, p.message.split(":")[0]) for p in error.problems] == [
        (f"{closing}[0].capability", "dependency cycle C03 → C16 → C12 → C03")
    ]


def test_dependency_without_a_reason_is_refused(tmp_path: Path, edition_document: Document) -> None:
    at = depends_on(edition_document, "C17", "C03")
    del capability(edition_document, *WHERE["C17"])["depends_on"][0]["why"]
    capability(edition_document, *WHERE["C17"])["depends_on"].append({"capability": "law"})

    path, error = edition_refusal(tmp_path, edition_document)

    assert_reported(error, path, f"{at}[0].why", "required")
    assert_reported(error, path, f"{at}[1].capability", "'law'", "such as C01")


def test_dependency_problems_are_reported_with_the_others(
    tmp_path: Path, edition_document: Document
) -> None:
    capability(edition_document, 1, 0)["questions"][0]["choices"] = "stat"
    depends_on(edition_document, "C20", "C21", "C99")
    depends_on(edition_document, "C21", "C20")

    _, error = edition_refusal(tmp_path, edition_document)

    assert [p.path for p in error.problems] == [
        "domains[1].capabilities[0].questions[0].choices",
        "domains[5].capabilities[0].depends_on[1].capability",
        "domains[5].capabilities[1].depends_on[0].capability",
    ]
    assert "dependency cycle C20 → C21 → C20" in error.problems[2].message


def has_cycle(edges: set[tuple[str, str]]) -> bool:
    """The reference: the standard library's topological sorter."""
    graph: dict[str, set[str]] = {}
    for dependent, enabler in edges:
        graph.setdefault(dependent, set()).add(enabler)
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError:
        return True
    return False


@st.composite
def dependency_graphs(draw: st.DrawFn) -> set[tuple[str, str]]:
    """(dependent, enabler) pairs over the shipped capabilities, acyclic about half the time."""
    ids = sorted(WHERE)
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])
    edges = draw(st.sets(pairs, max_size=30))
    if draw(st.booleans()):
        edges = {(a, b) for a, b in edges if a > b}
    return edges


@settings(max_examples=60, deadline=None)
@given(dependency_graphs())
def test_an_edition_is_refused_exactly_when_its_dependencies_have_a_cycle(
    edges: set[tuple[str, str]],
) -> None:
    document = read_document(shipped_edition_paths()[0])
    drop_dependencies(document)
    enablers = {a: sorted(b for x, b in edges if x == a) for a, _ in edges}
    for dependent, its_enablers in enablers.items():
        depends_on(document, dependent, *its_enablers)

    if not has_cycle(edges):
        edition = edition_from_document(document)
        assert {(c.id, d.capability) for c in edition.capabilities() for d in c.depends_on} == edges
        return
    error = refusal(lambda: edition_from_document(document, source="edited in memory"))
    assert error.problems
    for problem in error.problems:
        assert problem.message.startswith("dependency cycle ")
        cycle = problem.message.removeprefix("dependency cycle ").split(":")[0].split(" → ")
        assert cycle[0] == cycle[-1]
        assert len(set(cycle)) == len(cycle) - 1
        assert all(pair in edges for pair in itertools.pairwise(cycle))
        # Reported at the dependency that closes the cycle.
        closing = enablers[cycle[-2]].index(cycle[-1])
        assert problem.path == f"{depends_on_path(cycle[-2])}[{closing}].capability"


# --- Dangling references in an instrument -----------------------------------------------------


def test_instrument_on_an_unknown_edition_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["edition"] = "mnr-2099"

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(error, path, "edition", "unknown edition 'mnr-2099'", "mnr-2016")


def test_unknown_channel_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["channels"].append("ngo_survey")

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(error, path, "channels[2]", "unknown channel 'ngo_survey'", "government")


def test_question_channel_outside_the_instrument_channels_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["sections"][0]["questions"][14]["channels"] = ["civil_society"]

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(
        error,
        path,
        "sections[0].questions[14].channels[0]",
        "'civil_society' is not one of this instrument's channels",
    )


def test_unknown_from_question_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["sections"][1]["questions"][0]["from"] = "C04.budget"

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(error, path, "sections[1].questions[0].from", "unknown question 'C04.budget'")


def test_unknown_capability_in_the_crosswalk_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["sections"][4]["questions"][0]["capabilities"] = ["C16", "C22"]

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(
        error, path, "sections[4].questions[0].capabilities[1]", "unknown capability 'C22'"
    )


def test_crosswalk_to_a_capability_of_another_domain_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["sections"][4]["questions"][0]["capabilities"] = ["C16", "C04"]

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(
        error, path, "sections[4].questions[0].capabilities[1]", "C04 belongs to domain D2"
    )


def test_instrument_question_without_a_crosswalk_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["sections"][4]["questions"][0]["capabilities"] = []

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(error, path, "sections[4].questions[0].capabilities", "crosswalk")


def test_second_section_for_a_domain_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["sections"][1]["domain"] = "D1"

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(
        error, path, "sections[1].domain", "duplicate section for domain 'D1'", "sections[0]"
    )


def test_reused_question_in_the_wrong_section_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    moved = review_document["sections"][0]["questions"].pop(6)
    review_document["sections"][1]["questions"].append(moved)

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(
        error, path, "sections[1].questions[18].from", "'C02.status' is misplaced", "D1"
    )


def test_redefining_an_edition_question_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["sections"][4]["questions"][0]["id"] = "C16.status"

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(error, path, "sections[4].questions[0].id", "reuse it with 'from: C16.status'")


def test_question_asked_twice_in_an_instrument_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["sections"][0]["questions"].append({"from": "C01.status"})

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(
        error, path, "sections[0].questions[18].from", "duplicate id 'C01.status'", "questions[0]"
    )


def test_reused_question_whose_condition_is_not_asked_is_refused(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["sections"][0]["questions"].insert(0, {"from": "C01.phase"})

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert_reported(
        error, path, "sections[0].questions[0].from", "'C01.status'", "earlier question"
    )


def test_condition_on_a_question_not_asked_through_the_same_channel_is_refused(
    tmp_path: Path, editions: dict[str, Edition]
) -> None:
    document = read_document(SELF_ASSESSMENT_PATH)
    document["channels"] = ["government", "civil_society"]
    document["sections"][0]["questions"][0]["channels"] = ["government"]

    path, error = instrument_refusal(tmp_path, document, editions)

    assert_reported(
        error, path, "sections[0].questions[1].from", "through civil_society", "'C01.status'"
    )


def test_several_instrument_problems_are_all_reported(
    tmp_path: Path, review_document: Document, editions: dict[str, Edition]
) -> None:
    review_document["channels"].append("ngo_survey")
    review_document["sections"][1]["questions"][0]["from"] = "C04.budget"
    review_document["sections"][4]["questions"][0]["capabilities"] = ["C16", "C22"]
    review_document["sections"][5]["domain"] = "D7"

    path, error = instrument_refusal(tmp_path, review_document, editions)

    assert [p.path for p in error.problems] == [
        "channels[2]",
        "sections[1].questions[0].from",
        "sections[4].questions[0].capabilities[1]",
        "sections[5].domain",
    ]
    assert {p.file for p in error.problems} == {str(path)}


# --- Channel list -----------------------------------------------------------------------------


def test_duplicate_channel_code_is_refused(tmp_path: Path) -> None:
    document = read_document(DATA_DIR / "channels.yaml")
    document["channels"].append({"code": "government", "label": {"en": "Ministries"}})
    path = write(tmp_path, document, "channels.yaml")

    error = refusal(lambda: load_channels(path))

    assert_reported(error, path, "channels[3].code", "duplicate code 'government'")
