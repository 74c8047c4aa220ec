"""MNR framework editions and instruments, read from their data files and checked.

An *edition* is a version of the Model National Response: domains, capabilities, maturity
phases and the questions asked about each capability. An *instrument* is the questionnaire a
round actually used; each of its questions carries a crosswalk to the edition's capabilities.
The file format is described in ``docs/framework-format.md``.

A file is checked in two stages: first its structure against the JSON schema, then the
references between its parts (duplicate ids, unknown choice lists, questions, capabilities,
channels, missing phases and descriptors). Every problem of a stage is collected before
anything is refused, so that a user can fix a file in one go. Reference checks only run on a
file whose structure is right, because they rely on it.

Pure Python: no Django, no database.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

import jsonschema
import yaml

Label = Mapping[str, str]
"""A user-visible text by language code, for example ``{"en": "Leadership"}``."""

QuestionType = Literal["select_one", "phase", "text"]

SCHEMA_ID = "mnr-framework/1"
PHASE_LEVELS = (1, 2, 3, 4)
DATA_DIR = Path(__file__).resolve().parent.parent / "frameworks" / "data"
SCHEMA_PATH = DATA_DIR / "schema" / "framework.schema.json"
CHANNELS_PATH = DATA_DIR / "channels.yaml"


def text(label: Label, lang: str = "en") -> str:
    """The label in ``lang``, else in its base language (``fr`` for ``fr-CA``), else English."""
    return label.get(lang) or label.get(lang.split("-")[0]) or label.get("en") or ""


# --- Labels inside a parsed file ---------------------------------------------------------------

_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
"""A language code as the schema allows it in a label (``en``, ``fr``, ``zh-Hans``)."""


def is_label(value: object) -> bool:
    """Whether a parsed value is a label: a mapping of language codes to texts, with ``en``.

    No other part of a framework file has that shape (every other mapping has a key that is not
    a language code, such as ``code``, ``level`` or ``question``)."""
    return (
        isinstance(value, dict)
        and "en" in value
        and all(
            isinstance(key, str) and _LANGUAGE_CODE.fullmatch(key) and isinstance(words, str)
            for key, words in value.items()
        )
    )


def labels_in(document: object, path: str = "") -> Iterator[tuple[str, Label]]:
    """Every label of a parsed file with its key path (``domains[0].name``), in file order."""
    if is_label(document):
        yield path, cast(Label, document)
    elif isinstance(document, dict):
        for key, value in document.items():
            yield from labels_in(value, _at(path, str(key)))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from labels_in(value, _at(path, index))


def english_only(document: Any) -> Any:
    """The parsed file with every label reduced to its English text.

    This is what identifies a version of a file: translations can be added to, or corrected in,
    a loaded version without it becoming another version (``docs/framework-format.md``)."""
    if is_label(document):
        return {"en": document["en"]}
    if isinstance(document, dict):
        return {key: english_only(value) for key, value in document.items()}
    if isinstance(document, list):
        return [english_only(value) for value in document]
    return document


def missing_languages(
    document: Mapping[str, Any], languages: Iterable[str], *, source: str = "(document)"
) -> list[FrameworkProblem]:
    """A problem for each label of a parsed file that has no text (or only blanks) in one of
    ``languages``, for ``mnr framework validate --require-languages fr,es``."""
    wanted = tuple(dict.fromkeys(languages))
    problems = []
    for path, label in labels_in(document):
        lacking = [lang for lang in wanted if not str(label.get(lang, "")).strip()]
        if lacking:
            problems.append(
                FrameworkProblem(
                    source,
                    path or "(top level)",
                    f"label has no {_listing(repr(lang) for lang in lacking)} text "
                    f"(English: {_shorten(label['en'])!r})",
                )
            )
    return problems


def _shorten(value: str, width: int = 60) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


# --- The framework as plain data -------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    code: str
    label: Label


@dataclass(frozen=True)
class Relevance:
    """The question is applicable only when ``question`` was answered with one of ``values``."""

    question: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    label: Label
    # For a phase question, one choice per phase level: code "1" to "4", label the phase name.
    choices: tuple[Choice, ...] = ()
    required: bool = False
    relevant: Relevance | None = None
    # The crosswalk: the edition capabilities the question speaks to; () for general questions.
    capabilities: tuple[str, ...] = ()
    # The channels it is asked through; () means every channel of the instrument.
    channels: tuple[str, ...] = ()
    # The domain it belongs to (edition) or is asked in (instrument); None for general questions.
    domain: str | None = None
    # The name of the edition's choice list for a select_one question.
    choice_list: str | None = None
    # What an answer in place means, as a statement ("have a national child helpline") that
    # completes "<share> of participating jurisdictions …" in generated findings.
    finding: Label | None = None


@dataclass(frozen=True)
class Phase:
    level: int
    name: Label
    provisional: bool = False


@dataclass(frozen=True)
class Dependency:
    """The declaring capability needs ``capability`` (its enabler) in place; ``why`` says how."""

    capability: str
    why: Label


@dataclass(frozen=True)
class Capability:
    id: str
    name: Label
    description: Label
    domain: str
    phase_descriptors: Mapping[int, Label]
    questions: tuple[Question, ...]
    # The capabilities it builds on, in file order; an edition's dependencies have no cycle.
    depends_on: tuple[Dependency, ...] = ()


@dataclass(frozen=True)
class Domain:
    id: str
    name: Label
    outcome: Label
    capabilities: tuple[Capability, ...]


@dataclass(frozen=True)
class Edition:
    id: str
    version: int
    title: Label
    provenance: Label
    choice_lists: Mapping[str, tuple[Choice, ...]]
    phases: tuple[Phase, ...]
    domains: tuple[Domain, ...]
    general_questions: tuple[Question, ...] = ()

    def capabilities(self) -> tuple[Capability, ...]:
        return tuple(capability for domain in self.domains for capability in domain.capabilities)

    def questions(self) -> tuple[Question, ...]:
        """Every question in file order: capability questions, then general questions."""
        by_capability = (q for capability in self.capabilities() for q in capability.questions)
        return (*by_capability, *self.general_questions)

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if the edition has none."""
        return self._questions_by_id[question_id]

    def capability(self, capability_id: str) -> Capability:
        """The capability with this id; KeyError if the edition has none."""
        return self._capabilities_by_id[capability_id]

    def domain(self, domain_id: str) -> Domain:
        """The domain with this id; KeyError if the edition has none."""
        return self._domains_by_id[domain_id]

    @functools.cached_property
    def _questions_by_id(self) -> Mapping[str, Question]:
        return {question.id: question for question in self.questions()}

    @functools.cached_property
    def _capabilities_by_id(self) -> Mapping[str, Capability]:
        return {capability.id: capability for capability in self.capabilities()}

    @functools.cached_property
    def _domains_by_id(self) -> Mapping[str, Domain]:
        return {domain.id: domain for domain in self.domains}


@dataclass(frozen=True)
class Section:
    domain: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Instrument:
    id: str
    edition: str
    version: int
    title: Label
    channels: tuple[str, ...]
    sections: tuple[Section, ...]
    general: tuple[Question, ...] = ()
    provenance: Label = field(default_factory=dict)

    def questions(self) -> tuple[Question, ...]:
        """Every question in the order the questionnaire presents them."""
        return (*(q for section in self.sections for q in section.questions), *self.general)

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if the instrument has none."""
        return self._questions_by_id[question_id]

    def questions_for_channel(self, channel: str) -> tuple[Question, ...]:
        """The questions asked through ``channel``; ValueError if the instrument lacks it."""
        if channel not in self.channels:
            raise ValueError(
                f"instrument {self.id} has no channel {channel!r}; "
                f"its channels are {', '.join(self.channels)}"
            )
        return tuple(q for q in self.questions() if not q.channels or channel in q.channels)

    @functools.cached_property
    def _questions_by_id(self) -> Mapping[str, Question]:
        return {question.id: question for question in self.questions()}


# --- Problems ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkProblem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"


class FrameworkError(Exception):
    """A framework file was refused; ``problems`` lists everything found wrong with it."""

    def __init__(self, problems: Iterable[FrameworkProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class _Report:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[FrameworkProblem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(FrameworkProblem(self.file, path or "(top level)", message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise FrameworkError(self.problems)


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _listing(items: Iterable[object]) -> str:
    names = [str(item) for item in items]
    return ", ".join(names) if names else "none"


# --- Reading and structure --------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping (YAML keeps the last),
    and an alias of a whole list or mapping: nested aliases let a file of a few hundred bytes
    stand for billions of entries ("billion laughs"), which checking would walk one by one."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            anchored = self.anchors.get(event.anchor)
            if isinstance(anchored, yaml.SequenceNode | yaml.MappingNode):
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"the alias *{event.anchor} repeats a whole list or mapping, which framework "
                    "files may not do; write its entries out",
                    event.start_mark,
                )
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        first_line: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                continue
            if key in first_line:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {key!r} appears twice in one mapping (first on line {first_line[key]})",
                    key_node.start_mark,
                )
            first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _refuse(file: str, path: str, message: str) -> FrameworkError:
    return FrameworkError([FrameworkProblem(file, path, message)])


def read_document(path: str | Path) -> dict[str, Any]:
    """Parse a YAML (or, by its suffix, JSON) file into a mapping; FrameworkError if it cannot."""
    file = str(path)
    try:
        content = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise _refuse(file, "(file)", f"cannot read the file: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise _refuse(file, "(file)", "the file is not UTF-8 text") from error
    if Path(path).suffix.lower() == ".json":
        document = _parse_json(content, file)
    else:
        document = _parse_yaml(content, file)
    if not isinstance(document, dict):
        raise _refuse(
            file, "(top level)", f"expected a mapping of keys, found {_describe(document)}"
        )
    return document


def _parse_yaml(content: str, file: str) -> object:
    try:
        return yaml.load(content, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        context = f" ({error.context})" if error.context else ""
        raise _refuse(file, where, f"not valid YAML{context}: {error.problem}") from error
    except yaml.YAMLError as error:
        raise _refuse(file, "(file)", f"not valid YAML: {error}") from error
    except RecursionError as error:
        raise _refuse(file, "(file)", _TOO_DEEP) from error


def _parse_json(content: str, file: str) -> object:
    def refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key, value in pairs:
            if key in mapping:
                raise ValueError(f"key {key!r} appears twice in one object")
            mapping[key] = value
        return mapping

    try:
        return json.loads(content, object_pairs_hook=refuse_duplicates)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise _refuse(file, where, f"not valid JSON: {error.msg}") from error
    except ValueError as error:
        raise _refuse(file, "(file)", f"not valid JSON: {error}") from error
    except RecursionError as error:
        raise _refuse(file, "(file)", _TOO_DEEP) from error


_TOO_DEEP = "lists and mappings are nested too deeply to be a framework file"


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the YAML boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return cast(jsonschema.protocols.Validator, jsonschema.Draft202012Validator(schema))


def _schema_path(parts: Iterable[str | int]) -> str:
    path = ""
    for part in parts:
        path = _at(path, part)
    return path


def _sort_key(error: jsonschema.ValidationError) -> tuple[tuple[int, int, str], ...]:
    return tuple(
        (1, part, "") if isinstance(part, int) else (0, 0, str(part))
        for part in error.absolute_path
    )


def _schema_problems(error: jsonschema.ValidationError) -> list[tuple[str, str]]:
    """Turn one schema error into (path, message) pairs that say what to do."""
    path = _schema_path(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    validator = error.validator
    value: Any = error.validator_value  # the stubs allow Unset; schema errors always carry it
    if validator == "required" and schema.get("title") == "label":
        return [(path, "label has no English ('en') text; every label needs one")]
    if validator == "required":
        missing = [key for key in value if isinstance(instance, dict) and key not in instance]
        return [(_at(path, key), "required key is missing") for key in missing]
    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = schema.get("properties", {})
        extra = [key for key in instance if key not in allowed]
        hint = f"; allowed keys: {_listing(allowed)}" if allowed else ""
        return [(_at(path, key), f"unknown key{hint}") for key in extra]
    if validator == "type":
        found = _describe(instance)
        hint = " (put quotes around it)" if isinstance(instance, bool | int | float) else ""
        return [(path, f"expected {_article(value)}, found {found}{hint}")]
    if validator == "pattern":
        wanted = schema.get("description", f"text matching {value}")
        return [(path, f"{instance!r} is not a valid {wanted}")]
    if validator == "enum":
        return [(path, f"{instance!r} is not one of {_listing(value)}")]
    if validator == "const":
        return [(path, f"expected {value!r}, found {instance!r}")]
    if validator == "minimum":
        return [(path, f"must be at least {value}, found {instance}")]
    if validator == "maximum":
        return [(path, f"must be at most {value}, found {instance}")]
    if validator in ("minItems", "minLength"):
        return [(path, "must not be empty")]
    if validator == "uniqueItems":
        return [(path, "lists the same entry more than once")]
    return [(path, error.message)]


def _article(type_name: object) -> str:
    names = {
        "object": "a mapping",
        "array": "a list",
        "string": "text",
        "integer": "a whole number",
    }
    if isinstance(type_name, str):
        return names.get(type_name, f"a {type_name}")
    return " or ".join(_article(name) for name in cast(Sequence[object], type_name))


def _check_structure(document: Mapping[str, Any], file: str, kind: str | None) -> None:
    """Raise FrameworkError listing every schema problem (and a wrong ``kind``), if any."""
    report = _Report(file)
    for error in sorted(_validator().iter_errors(document), key=_sort_key):
        for path, message in _schema_problems(error):
            report.add(path, message)
    found = document.get("kind")
    if kind is not None and found != kind and not report.problems:
        report.add("kind", f"expected a file of kind {kind!r}, found {found!r}")
    report.raise_if_any()


# --- Checking and building questions ----------------------------------------------------------


class _QuestionOrder:
    """The questions of one file in the order asked: duplicate ids and conditions."""

    def __init__(
        self, report: _Report, all_ids: Collection[str], channels: tuple[str, ...]
    ) -> None:
        self.report = report
        self.all_ids = all_ids
        self.channels = channels
        self.asked: dict[str, Question] = {}
        self.first_at: dict[str, str] = {}

    def add(self, question: Question, path: str, id_key: str) -> None:
        if question.id in self.asked:
            self.report.add(
                _at(path, id_key),
                f"duplicate id {question.id!r} (first at {self.first_at[question.id]})",
            )
        else:
            self._check_relevance(question, path, inherited=id_key == "from")
            self.asked[question.id] = question
            self.first_at[question.id] = path

    def _check_relevance(self, question: Question, path: str, *, inherited: bool) -> None:
        relevance = question.relevant
        if relevance is None:
            return
        where = _at(path, "from") if inherited else _at(_at(path, "relevant"), "question")
        depends = (
            f"{question.id!r} inherits the condition on {relevance.question!r} from the edition"
            if inherited
            else f"the condition refers to {relevance.question!r}"
        )
        target = self.asked.get(relevance.question)
        if target is None:
            if relevance.question == question.id or relevance.question in self.all_ids:
                self.report.add(
                    where,
                    f"{depends}, which is not asked before this question; "
                    "a condition can only depend on an earlier question",
                )
            else:
                self.report.add(where, f"{depends}, which is an unknown question")
            return
        if target.type == "select_one" and not target.choices:
            return  # its unknown choice list is reported already
        if target.type == "text":
            self.report.add(
                where, f"{depends}, a text question; conditions need a select_one or phase question"
            )
            return
        codes = [choice.code for choice in target.choices]
        for index, value in enumerate(relevance.values):
            if value not in codes:
                self.report.add(
                    _at(_at(_at(path, "relevant"), "in"), index) if not inherited else where,
                    f"{value!r} is not an answer code of {target.id!r} (codes: {_listing(codes)})",
                )
        missing = set(question.channels or self.channels) - set(target.channels or self.channels)
        if missing:
            self.report.add(
                where,
                f"{question.id!r} is asked through {_listing(sorted(missing))}, "
                f"but {target.id!r}, which it depends on, is not",
            )


def _question(
    raw: Mapping[str, Any],
    path: str,
    report: _Report,
    *,
    choice_lists: Mapping[str, tuple[Choice, ...]],
    phase_choices: tuple[Choice, ...],
    capabilities: tuple[str, ...],
    channels: tuple[str, ...],
    domain: str | None,
) -> Question:
    question_type = cast(QuestionType, raw["type"])
    list_name: str | None = raw.get("choices")
    choices: tuple[Choice, ...] = ()
    if question_type == "select_one":
        if list_name is not None and list_name in choice_lists:
            choices = choice_lists[list_name]
        else:
            report.add(
                _at(path, "choices"),
                f"unknown choice list {list_name!r}; the edition has {_listing(choice_lists)}",
            )
    elif list_name is not None:
        report.add(
            _at(path, "choices"),
            f"only select_one questions take a choice list, this is a {question_type} question",
        )
    if question_type == "phase":
        choices = phase_choices
    raw_relevance = raw.get("relevant")
    relevance = (
        Relevance(raw_relevance["question"], tuple(raw_relevance["in"])) if raw_relevance else None
    )
    return Question(
        id=raw["id"],
        type=question_type,
        label=dict(raw["label"]),
        choices=choices,
        required=raw.get("required", False),
        relevant=relevance,
        capabilities=capabilities,
        channels=channels,
        domain=domain,
        choice_list=list_name if question_type == "select_one" else None,
        finding=dict(raw["finding"]) if "finding" in raw else None,
    )


def _first_time(
    seen: dict[Any, str], key: Any, path: str, key_path: str, report: _Report, what: str = "id"
) -> bool:
    """Record ``key`` as seen at ``path``; report it at ``key_path`` if it was seen before."""
    if key in seen:
        report.add(key_path, f"duplicate {what} {key!r} (first at {seen[key]})")
        return False
    seen[key] = path
    return True


# --- Editions ---------------------------------------------------------------------------------


def _phases(raw_phases: Sequence[Mapping[str, Any]], report: _Report) -> tuple[Phase, ...]:
    phases: dict[int, Phase] = {}
    first_at: dict[int, str] = {}
    for index, raw in enumerate(raw_phases):
        path = _at("phases", index)
        level = raw["level"]
        if level in phases:
            report.add(
                _at(path, "level"), f"duplicate phase level {level} (first at {first_at[level]})"
            )
            continue
        phases[level] = Phase(level, dict(raw["name"]), raw.get("provisional", False))
        first_at[level] = path
    for level in PHASE_LEVELS:
        if level not in phases:
            report.add("phases", f"phase {level} is missing; an edition defines phases 1 to 4")
    return tuple(phases[level] for level in sorted(phases))


def _choice_lists(
    raw_lists: Mapping[str, Sequence[Mapping[str, Any]]], report: _Report
) -> dict[str, tuple[Choice, ...]]:
    choice_lists: dict[str, tuple[Choice, ...]] = {}
    for name, raw_choices in raw_lists.items():
        seen: dict[str, str] = {}
        choices = []
        for index, raw in enumerate(raw_choices):
            path = _at(_at("choice_lists", name), index)
            if _first_time(seen, raw["code"], path, _at(path, "code"), report, "code"):
                choices.append(Choice(raw["code"], dict(raw["label"])))
        choice_lists[name] = tuple(choices)
    return choice_lists


def _descriptors(
    raw_descriptors: Sequence[Mapping[str, Any]],
    path: str,
    phases: tuple[Phase, ...],
    report: _Report,
) -> dict[int, Label]:
    descriptors: dict[int, Label] = {}
    first_at: dict[int, str] = {}
    for index, raw in enumerate(raw_descriptors):
        item_path = _at(path, index)
        level = raw["level"]
        if level in descriptors:
            report.add(
                _at(item_path, "level"),
                f"duplicate phase level {level} (first at {first_at[level]})",
            )
            continue
        descriptors[level] = dict(raw["text"])
        first_at[level] = item_path
    names = {phase.level: f" ({text(phase.name)})" for phase in phases}
    for level in PHASE_LEVELS:
        if level not in descriptors:
            report.add(
                path,
                f"no descriptor for phase {level}{names.get(level, '')}; "
                "every capability needs one for each phase",
            )
    return dict(sorted(descriptors.items()))


def _check_dependencies(
    declared: Sequence[tuple[str, str, tuple[Dependency, ...]]],
    capability_ids: Collection[str],
    edition_id: str,
    report: _Report,
) -> None:
    """Report unknown, self- and duplicate dependencies, then every cycle the others form."""
    enablers: dict[str, list[tuple[str, str]]] = {}  # capability -> [(enabler, path)]
    for capability_id, path, depends_on in declared:
        seen: dict[str, str] = {}
        edges = enablers.setdefault(capability_id, [])
        for index, dependency in enumerate(depends_on):
            item_path = _at(path, index)
            enabler_path = _at(item_path, "capability")
            enabler = dependency.capability
            if enabler == capability_id:
                report.add(enabler_path, f"capability {capability_id} cannot depend on itself")
            elif enabler not in capability_ids:
                report.add(
                    enabler_path,
                    f"unknown capability {enabler!r} in depends_on; "
                    f"edition {edition_id} has {_listing(capability_ids)}",
                )
            elif _first_time(seen, enabler, item_path, enabler_path, report, "dependency on"):
                edges.append((enabler, enabler_path))
    for cycle, path in _cycles(enablers):
        report.add(
            path,
            f"dependency cycle {' → '.join(cycle)}: a capability cannot need itself, through "
            "others, to be in place first; remove one of these dependencies",
        )


def _cycles(enablers: Mapping[str, Sequence[tuple[str, str]]]) -> list[tuple[list[str], str]]:
    """Each cycle closed by a dependency back onto the current chain, and that dependency's
    path, searching depth first in file order (so a fixed file always reports the same)."""
    done: set[str] = set()
    chain: list[str] = []
    found: list[tuple[list[str], str]] = []

    def visit(capability_id: str) -> None:
        chain.append(capability_id)
        for enabler, path in enablers.get(capability_id, ()):
            if enabler in chain:
                found.append(([*chain[chain.index(enabler) :], enabler], path))
            elif enabler not in done:
                visit(enabler)
        chain.pop()
        done.add(capability_id)

    for capability_id in enablers:
        if capability_id not in done:
            visit(capability_id)
    return found


def _edition_question_ids(document: Mapping[str, Any]) -> set[str]:
    ids = {
        raw["id"]
        for domain in document["domains"]
        for capability in domain["capabilities"]
        for raw in capability["questions"]
    }
    return ids | {raw["id"] for raw in document.get("general_questions", [])}


class _EditionBuilder:
    """Builds an edition from its (structurally valid) file, reporting broken references."""

    def __init__(self, document: Mapping[str, Any], report: _Report) -> None:
        self.document = document
        self.report = report
        self.phases = _phases(document["phases"], report)
        self.choice_lists = _choice_lists(document["choice_lists"], report)
        self.phase_choices = tuple(Choice(str(p.level), p.name) for p in self.phases)
        self.order = _QuestionOrder(report, _edition_question_ids(document), channels=())
        self.domain_ids: dict[str, str] = {}
        self.capability_ids: dict[str, str] = {}
        # Per capability: its id, the path of its depends_on list and what it declares there.
        self.declared: list[tuple[str, str, tuple[Dependency, ...]]] = []

    def edition(self) -> Edition:
        document = self.document
        domains = tuple(
            self._domain(raw, _at("domains", index))
            for index, raw in enumerate(document["domains"])
        )
        # Only now are all capability ids known: a capability may depend on a later one.
        _check_dependencies(self.declared, self.capability_ids, document["id"], self.report)
        general = self._questions(
            document.get("general_questions", []), "general_questions", "MNR", None
        )
        return Edition(
            id=document["id"],
            version=document["version"],
            title=dict(document["title"]),
            provenance=dict(document["provenance"]),
            choice_lists=self.choice_lists,
            phases=self.phases,
            domains=domains,
            general_questions=general,
        )

    def _domain(self, raw: Mapping[str, Any], path: str) -> Domain:
        _first_time(self.domain_ids, raw["id"], path, _at(path, "id"), self.report)
        capabilities = tuple(
            self._capability(capability, _at(_at(path, "capabilities"), index), raw["id"])
            for index, capability in enumerate(raw["capabilities"])
        )
        return Domain(raw["id"], dict(raw["name"]), dict(raw["outcome"]), capabilities)

    def _capability(self, raw: Mapping[str, Any], path: str, domain: str) -> Capability:
        capability_id = raw["id"]
        first = _first_time(self.capability_ids, capability_id, path, _at(path, "id"), self.report)
        descriptors_path = _at(path, "phase_descriptors")
        depends_on = tuple(
            Dependency(raw_dependency["capability"], dict(raw_dependency["why"]))
            for raw_dependency in raw.get("depends_on", ())
        )
        self.declared.append((capability_id, _at(path, "depends_on"), depends_on))
        return Capability(
            id=capability_id,
            name=dict(raw["name"]),
            description=dict(raw["description"]),
            domain=domain,
            phase_descriptors=_descriptors(
                raw["phase_descriptors"], descriptors_path, self.phases, self.report
            ),
            # Under a duplicated capability id every question would look misnamed: say it once.
            questions=self._questions(
                raw["questions"], _at(path, "questions"), capability_id, domain, check_ids=first
            ),
            depends_on=depends_on,
        )

    def _questions(
        self,
        raw_questions: Sequence[Mapping[str, Any]],
        path: str,
        owner: str,
        domain: str | None,
        *,
        check_ids: bool = True,
    ) -> tuple[Question, ...]:
        """``owner`` is the capability id, or MNR for general questions (``domain`` None)."""
        built = []
        for index, raw in enumerate(raw_questions):
            question_path = _at(path, index)
            if check_ids and not raw["id"].startswith(f"{owner}."):
                whose = "general questions" if owner == "MNR" else "questions of this capability"
                self.report.add(
                    _at(question_path, "id"),
                    f"question id {raw['id']!r} must start with '{owner}.', as {whose} do",
                )
            question = _question(
                raw,
                question_path,
                self.report,
                choice_lists=self.choice_lists,
                phase_choices=self.phase_choices,
                capabilities=(owner,) if domain else (),
                channels=(),
                domain=domain,
            )
            self.order.add(question, question_path, "id")
            built.append(question)
        return tuple(built)


def edition_from_document(document: Mapping[str, Any], *, source: str = "(document)") -> Edition:
    """Check a parsed edition file and build the edition; ``source`` names it in problems."""
    _check_structure(document, source, "edition")
    report = _Report(source)
    edition = _EditionBuilder(document, report).edition()
    report.raise_if_any()
    return edition


def load_edition(path: str | Path) -> Edition:
    return edition_from_document(read_document(path), source=str(path))


# --- Instruments ------------------------------------------------------------------------------


class _InstrumentQuestions:
    """Builds an instrument's questions from its file, reporting what does not fit the edition."""

    def __init__(
        self,
        document: Mapping[str, Any],
        edition: Edition,
        channels: tuple[str, ...],
        report: _Report,
    ) -> None:
        self.edition = edition
        self.channels = channels
        self.report = report
        self.phase_choices = tuple(Choice(str(p.level), p.name) for p in edition.phases)
        self.edition_question_ids = {question.id for question in edition.questions()}
        self.domain_ids = {domain.id for domain in edition.domains}
        raw_questions = [
            *(raw for section in document["sections"] for raw in section["questions"]),
            *document.get("general", []),
        ]
        all_ids = {raw.get("from") or raw["id"] for raw in raw_questions}
        self.order = _QuestionOrder(report, all_ids, channels)

    def add(self, raw: Mapping[str, Any], path: str, domain: str | None) -> Question | None:
        """Build one question; ``domain`` is None for a general question."""
        if "from" in raw:
            question = self._reused(raw, path, domain)
            id_key = "from"
        else:
            question = self._own(raw, path, domain)
            id_key = "id"
        if question is not None:
            self.order.add(question, path, id_key)
        return question

    def _reused(self, raw: Mapping[str, Any], path: str, domain: str | None) -> Question | None:
        question_id = raw["from"]
        try:
            source = self.edition.question(question_id)
        except KeyError:
            self.report.add(
                _at(path, "from"),
                f"unknown question {question_id!r}; edition {self.edition.id} has no such question",
            )
            return None
        if source.domain != domain and self._placement_matters(domain):
            if source.domain is None:
                where = "it is a general question, so list it under 'general'"
            else:
                where = f"it belongs to domain {source.domain}, so ask it in that section"
            self.report.add(_at(path, "from"), f"{question_id!r} is misplaced: {where}")
        return replace(source, channels=self._channels(raw, path))

    def _own(self, raw: Mapping[str, Any], path: str, domain: str | None) -> Question:
        question_id = raw["id"]
        if question_id in self.edition_question_ids:
            self.report.add(
                _at(path, "id"),
                f"{question_id!r} is a question of edition {self.edition.id}; "
                f"reuse it with 'from: {question_id}' instead of defining it again",
            )
        capabilities = tuple(raw["capabilities"])
        for index, capability_id in enumerate(capabilities):
            self._check_crosswalk(capability_id, _at(_at(path, "capabilities"), index), domain)
        if domain is not None and not capabilities:
            self.report.add(
                _at(path, "capabilities"),
                "a question in a domain section needs the capabilities it covers (the crosswalk)",
            )
        return _question(
            raw,
            path,
            self.report,
            choice_lists=self.edition.choice_lists,
            phase_choices=self.phase_choices,
            capabilities=capabilities,
            channels=self._channels(raw, path),
            domain=domain,
        )

    def _check_crosswalk(self, capability_id: str, path: str, domain: str | None) -> None:
        try:
            capability = self.edition.capability(capability_id)
        except KeyError:
            known = [capability.id for capability in self.edition.capabilities()]
            self.report.add(
                path,
                f"unknown capability {capability_id!r} in the crosswalk; "
                f"edition {self.edition.id} has {_listing(known)}",
            )
            return
        if domain is not None and capability.domain != domain and self._placement_matters(domain):
            self.report.add(
                path,
                f"capability {capability_id} belongs to domain {capability.domain}, "
                f"not to this section's domain {domain}",
            )

    def _placement_matters(self, domain: str | None) -> bool:
        """False in the section of an unknown domain, which is reported once, not per question."""
        return domain is None or domain in self.domain_ids

    def _channels(self, raw: Mapping[str, Any], path: str) -> tuple[str, ...]:
        channels = tuple(raw.get("channels", ()))
        for index, channel in enumerate(channels):
            if channel not in self.channels:
                self.report.add(
                    _at(_at(path, "channels"), index),
                    f"channel {channel!r} is not one of this instrument's channels "
                    f"({_listing(self.channels)})",
                )
        return channels


def _instrument(
    document: Mapping[str, Any],
    editions: Mapping[str, Edition],
    known_channels: Collection[str],
    report: _Report,
) -> Instrument | None:
    channels = tuple(document["channels"])
    for index, channel in enumerate(channels):
        if channel not in known_channels:
            report.add(
                _at("channels", index),
                f"unknown channel {channel!r}; known channels: {_listing(sorted(known_channels))}",
            )
    edition = editions.get(document["edition"])
    if edition is None:
        report.add(
            "edition",
            f"unknown edition {document['edition']!r}; loaded editions: "
            f"{_listing(sorted(editions))}. Load the edition before its instruments",
        )
        return None
    builder = _InstrumentQuestions(document, edition, channels, report)
    section_domains: dict[str, str] = {}
    sections = []
    for index, raw_section in enumerate(document["sections"]):
        path = _at("sections", index)
        domain: str = raw_section["domain"]
        _first_time(
            section_domains, domain, path, _at(path, "domain"), report, "section for domain"
        )
        if domain not in builder.domain_ids:
            report.add(
                _at(path, "domain"),
                f"unknown domain {domain!r}; edition {edition.id} has "
                f"{_listing(d.id for d in edition.domains)}",
            )
        questions = [
            builder.add(raw, _at(_at(path, "questions"), position), domain)
            for position, raw in enumerate(raw_section["questions"])
        ]
        sections.append(Section(domain, tuple(q for q in questions if q is not None)))
    general = [
        builder.add(raw, _at("general", index), None)
        for index, raw in enumerate(document.get("general", []))
    ]
    return Instrument(
        id=document["id"],
        edition=edition.id,
        version=document["version"],
        title=dict(document["title"]),
        channels=channels,
        sections=tuple(sections),
        general=tuple(q for q in general if q is not None),
        provenance=dict(document.get("provenance", {})),
    )


def instrument_from_document(
    document: Mapping[str, Any],
    editions: Mapping[str, Edition],
    channels: Collection[str],
    *,
    source: str = "(document)",
) -> Instrument:
    """Check a parsed instrument file against its edition and the known channels, and build it."""
    _check_structure(document, source, "instrument")
    report = _Report(source)
    instrument = _instrument(document, editions, channels, report)
    report.raise_if_any()
    assert instrument is not None  # an unknown edition is a reported problem
    return instrument


def load_instrument(
    path: str | Path, editions: Mapping[str, Edition], channels: Collection[str]
) -> Instrument:
    return instrument_from_document(read_document(path), editions, channels, source=str(path))


# --- Files ------------------------------------------------------------------------------------


def validate_file(
    path: str | Path, editions: Mapping[str, Edition], channels: Collection[str]
) -> Edition | Instrument:
    """Check an edition or instrument file, whichever its ``kind`` says, and build it."""
    document = read_document(path)
    kind = document.get("kind")
    if kind == "edition":
        return edition_from_document(document, source=str(path))
    if kind == "instrument":
        return instrument_from_document(document, editions, channels, source=str(path))
    _check_structure(document, str(path), None)
    raise _refuse(
        str(path), "kind", f"expected an edition or an instrument file, found kind {kind!r}"
    )


def load_channels(path: str | Path = CHANNELS_PATH) -> dict[str, Label]:
    """The known answer channels, code to label, in file order."""
    file = str(path)
    document = read_document(path)
    _check_structure(document, file, "channels")
    report = _Report(file)
    seen: dict[str, str] = {}
    channels: dict[str, Label] = {}
    for index, raw in enumerate(document["channels"]):
        item_path = _at("channels", index)
        if _first_time(seen, raw["code"], item_path, _at(item_path, "code"), report, "code"):
            channels[raw["code"]] = dict(raw["label"])
    report.raise_if_any()
    return channels


def shipped_edition_paths() -> tuple[Path, ...]:
    return tuple(sorted((DATA_DIR / "editions").glob("*.yaml")))


def shipped_instrument_paths() -> tuple[Path, ...]:
    return tuple(sorted((DATA_DIR / "instruments").glob("*.yaml")))


@functools.cache
def load_shipped() -> tuple[Mapping[str, Edition], Mapping[str, Instrument]]:
    """Every edition and instrument shipped with mnr, by id (read once, then cached)."""
    channels = load_channels()
    editions: dict[str, Edition] = {}
    for path in shipped_edition_paths():
        edition = load_edition(path)
        if edition.id in editions:
            raise _refuse(str(path), "id", f"another shipped edition has the id {edition.id!r}")
        editions[edition.id] = edition
    instruments: dict[str, Instrument] = {}
    for path in shipped_instrument_paths():
        instrument = load_instrument(path, editions, channels)
        if instrument.id in instruments:
            raise _refuse(
                str(path), "id", f"another shipped instrument has the id {instrument.id!r}"
            )
        instruments[instrument.id] = instrument
    return MappingProxyType(editions), MappingProxyType(instruments)


# --- Display ----------------------------------------------------------------------------------


def _show_question(question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "type": question.type,
        "choices": [choice.code for choice in question.choices],
    }


def show_edition(edition: Edition, lang: str = "en") -> dict[str, Any]:
    """An outline of the edition for display (``mnr framework show``)."""
    return {
        "edition": edition.id,
        "domains": [
            {
                "id": domain.id,
                "name": text(domain.name, lang),
                "capabilities": [
                    {
                        "id": capability.id,
                        "name": text(capability.name, lang),
                        "depends_on": [d.capability for d in capability.depends_on],
                        "questions": [_show_question(q) for q in capability.questions],
                    }
                    for capability in domain.capabilities
                ],
            }
            for domain in edition.domains
        ],
        "phases": [
            {"level": phase.level, "name": text(phase.name, lang), "provisional": phase.provisional}
            for phase in edition.phases
        ],
        "general_questions": [_show_question(q) for q in edition.general_questions],
    }
