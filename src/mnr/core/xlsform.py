"""An instrument as an XLSForm for KoboToolbox and ODK Central: one form per round and channel.

The form asks the questions of one channel, grouped by domain, with each capability's
description as a note, the phase descriptors as hints on phase questions (each followed by the
respondent's confidence in it), the web form's relevance rules and required flags, and a label
and a hint column per language (English text where a translation is missing). It opens with the
jurisdiction answered for and the respondent (blank: the lead) and carries the round, the
channel and the form version in hidden fields, because KoboToolbox replaces the ``version``
setting with its own on deployment. ``docs/xlsform.md`` describes the form.

XLSForm names must be XML names, so question ids are mapped by ``xlsform_name`` and read back
by ``question_id_from_name``. Every other name in the form starts with a lower-case letter or
has no underscore, and every question name starts with a capital and has one, so they never
meet.

Pure Python: no Django, no database.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook

from mnr.core.framework import Capability, Choice, Edition, Instrument, Label, Question, text
from mnr.core.respondents import CONFIDENCE_LEVELS, RESPONDENT_PATTERN

QUESTION_ID = re.compile(r"[A-Z][A-Za-z0-9-]*\.[a-z][a-z0-9_]*")
"""The shape of an instrument question id (``instrument_question_id`` in the framework schema)."""

# The form's own fields and lists; none of these names can be a question's.
JURISDICTION = "jurisdiction"
RESPONDENT = "respondent"
ROUND = "round"
CHANNEL = "channel"
FORM_VERSION = "mnr_version"
GENERAL_GROUP = "general"
JURISDICTION_LIST = "jurisdictions"
PHASE_LIST = "phases"
CONFIDENCE_LIST = "confidence"
CONFIDENCE_PREFIX = "confidence_"
"""``confidence_C01_phase`` holds the confidence in the answer to ``C01_phase``: lower case
first, so no question can have the name."""

# English language names for the column headers, which ODK wants as "Name (code)"; a language
# not listed here is named by its code.
LANGUAGE_NAMES: Mapping[str, str] = {
    "ar": "Arabic",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "ru": "Russian",
    "zh": "Chinese",
}

# The form's own texts around the framework's content, in the languages the framework ships in
# (a form in another language shows them in English, like an untranslated framework label).
_JURISDICTION_LABEL: Label = {"en": "Jurisdiction", "fr": "Juridiction", "es": "Jurisdicción"}
_JURISDICTION_HINT: Label = {
    "en": "The country or other jurisdiction these answers are about.",
    "fr": "Le pays ou l'autre juridiction sur lequel portent ces réponses.",
    "es": "El país u otra jurisdicción a la que se refieren estas respuestas.",
}
_GENERAL_LABEL: Label = {
    "en": "General questions",
    "fr": "Questions générales",
    "es": "Preguntas generales",
}
_PHASE_HINT: Label = {
    "en": "Choose the phase whose description fits best today.",
    "fr": "Choisissez la phase dont la description correspond le mieux à la situation actuelle.",
    "es": "Elija la fase cuya descripción se ajuste mejor a la situación actual.",
}
_RESPONDENT_LABEL: Label = {"en": "Respondent", "fr": "Répondant", "es": "Persona encuestada"}
_RESPONDENT_HINT: Label = {
    "en": "Leave empty when you answer as the jurisdiction's lead respondent. Otherwise the "
    "code of your organisation that was agreed with the review team, such as police or "
    "civil_society.",
    "fr": "Laissez ce champ vide si vous répondez en tant que répondant principal de la "
    "juridiction. Sinon, indiquez le code de votre organisation convenu avec l'équipe de "
    "l'examen, par exemple police ou civil_society.",
    "es": "Deje este campo vacío si responde como persona encuestada principal de la "
    "jurisdicción. De lo contrario, indique el código de su organización acordado con el "
    "equipo del examen, por ejemplo police o civil_society.",
}
_RESPONDENT_MESSAGE: Label = {
    "en": "Use lower-case letters, digits, _ and -, starting with a letter or digit (at most "
    "60 characters), or leave it empty.",
    "fr": "Utilisez des lettres minuscules, des chiffres, _ et -, en commençant par une lettre "
    "ou un chiffre (60 caractères au plus), ou laissez le champ vide.",
    "es": "Utilice letras minúsculas, dígitos, _ y -, empezando por una letra o un dígito (60 "
    "caracteres como máximo), o deje el campo vacío.",
}
_CONFIDENCE_LABEL: Label = {
    "en": "How confident are you of this phase?",
    "fr": "Quel est votre degré de confiance dans cette phase\u00a0?",
    "es": "¿Qué grado de confianza tiene en esta fase?",
}
_CONFIDENCE_TRANSLATIONS: Mapping[str, Mapping[str, str]] = {
    "low": {"fr": "Faible", "es": "Bajo"},
    "medium": {"fr": "Moyen", "es": "Medio"},
    "high": {"fr": "Élevé", "es": "Alto"},
}
_CONFIDENCE_CHOICES = tuple(
    Choice(code, {"en": label, **_CONFIDENCE_TRANSLATIONS.get(code, {})})
    for code, label in CONFIDENCE_LEVELS.items()
)

SURVEY_FIELDS = ("type", "name")
SURVEY_RULES = ("required", "relevant", "appearance", "calculation", "constraint")

Row = Mapping[str, str]


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its header row, then its rows (a column missing from a row is empty)."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class XLSFormSheets:
    survey: Sheet
    choices: Sheet
    settings: Sheet


# --- Names, identifiers and version -----------------------------------------------------------


def xlsform_name(question_id: str) -> str:
    """The XLSForm name of a question: ``.`` and ``-`` become ``_``, so ``C01.status`` is
    ``C01_status`` and ``C16-17.status`` is ``C16_17_status``.

    The name starts with the id's capital letter and holds at least one underscore. Two ids
    share a name only if one has a hyphen before a lower-case letter (``Ab-cd.x`` and
    ``Ab.cd_x``); ``build_xlsform`` refuses an instrument where that happens, so within an
    exported instrument ``question_id_from_name`` reverses the mapping exactly."""
    if not QUESTION_ID.fullmatch(question_id):
        raise ValueError(f"{question_id!r} is not a question id such as C01.status")
    return question_id.replace(".", "_").replace("-", "_")


def confidence_name(question_id: str) -> str:
    """The name of the field holding the confidence in a phase answer: ``confidence_C01_phase``."""
    return CONFIDENCE_PREFIX + xlsform_name(question_id)


def question_id_from_name(name: str, instrument: Instrument) -> str | None:
    """The id of the instrument's question named ``name`` in the form.

    None for a name no question can have: the form's own fields, groups and notes, and what
    KoboToolbox and ODK Central add (``_uuid``, ``__version__``, ``meta-instanceID``). KeyError
    for a question name the instrument lacks: the file is from another instrument.

    ``name`` may carry its groups as submissions and exports give them: ``/data/D1/C01_status``
    (XML, KoboToolbox) or ``D1-C01_status`` (ODK Central's CSV); no name holds ``/`` or ``-``."""
    bare = re.split(r"[/-]", name)[-1]
    if not bare[:1].isupper() or "_" not in bare:
        return None
    names = _question_names(instrument.questions())
    if bare not in names:
        raise KeyError(f"{bare!r} names no question of instrument {instrument.id}")
    return names[bare]


def form_version(
    round_code: str, instrument_code: str, instrument_version: int, channel: str
) -> str:
    """``<round>.<instrument>.v<version>.<channel>``, e.g. ``r2021.mnr-review-2021.v1.government``.

    The codes hold no dots, so an importer can split the version into its four parts."""
    for part in (round_code, instrument_code, channel):
        if not part or "." in part:
            raise ValueError(f"{part!r} cannot be part of a form version: it is empty or has a dot")
    return f"{round_code}.{instrument_code}.v{instrument_version}.{channel}"


def form_id(round_code: str, channel: str) -> str:
    """``mnr_<round>_<channel>``, every character but ASCII letters, digits and ``_`` made ``_``."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"mnr_{round_code}_{channel}")


def language_column(lang: str) -> str:
    """How XLSForm column headers name a language, e.g. ``English (en)``."""
    name = LANGUAGE_NAMES.get(lang) or LANGUAGE_NAMES.get(lang.split("-")[0]) or lang
    return f"{name} ({lang})"


def _question_names(questions: Iterable[Question]) -> dict[str, str]:
    """XLSForm name to question id; ValueError if two questions would share a name."""
    names: dict[str, str] = {}
    for question in questions:
        name = xlsform_name(question.id)
        if name in names:
            raise ValueError(
                f"questions {names[name]!r} and {question.id!r} would both be named {name!r} "
                "in an XLSForm; rename one of them in the instrument file"
            )
        names[name] = question.id
    return names


# --- Building ---------------------------------------------------------------------------------


class _Languages:
    """The form's languages, first the default, and the label cells for each."""

    def __init__(self, languages: Sequence[str]) -> None:
        self.codes = tuple(dict.fromkeys(languages))
        if not self.codes:
            raise ValueError("an XLSForm needs at least one language")
        self.default = language_column(self.codes[0])

    def headers(self, kind: str) -> tuple[str, ...]:
        return tuple(f"{kind}::{language_column(lang)}" for lang in self.codes)

    def cells(self, kind: str, label: Label) -> dict[str, str]:
        return {f"{kind}::{language_column(lang)}": text(label, lang) for lang in self.codes}


def _xpath_string(value: str) -> str:
    if "'" in value:
        raise ValueError(f"{value!r} cannot be quoted in an XPath expression: it holds a quote")
    return f"'{value}'"


class _Form:
    def __init__(
        self,
        instrument: Instrument,
        edition: Edition,
        channel: str,
        languages: _Languages,
        phase_names: Mapping[int, Label],
    ) -> None:
        self.edition = edition
        self.languages = languages
        self.phase_names = phase_names
        self.questions = instrument.questions_for_channel(channel)
        # Checked over the whole instrument: an importer maps names back with all its questions.
        self.names = {q_id: name for name, q_id in _question_names(instrument.questions()).items()}
        self.survey: list[Row] = []
        self.lists: dict[str, tuple[Choice, ...]] = {}
        self.described: set[str] = set()

    def row(self, type_: str, name: str, **cells: str) -> None:
        self.survey.append({"type": type_, "name": name, **cells})

    def group(self, name: str, label: Label, questions: Sequence[Question]) -> None:
        if not questions:
            return
        self.row("begin_group", name, **self.languages.cells("label", label))
        for question in questions:
            for capability_id in question.capabilities:
                self.describe(self.edition.capability(capability_id))
            self.question(question)
        self.row("end_group", name)

    def describe(self, capability: Capability) -> None:
        """A note with the capability's description, before the first question about it."""
        if capability.id in self.described:
            return
        self.described.add(capability.id)
        label = {
            lang: f"**{capability.id} {text(capability.name, lang)}**\n\n"
            f"{text(capability.description, lang)}"
            for lang in self.languages.codes
        }
        self.row("note", f"about_{capability.id}", **self.languages.cells("label", label))

    def question(self, question: Question) -> None:
        cells = self.languages.cells("label", question.label)
        if question.type == "text":
            type_ = "text"
            cells["appearance"] = "multiline"
        elif question.type == "phase":
            type_ = f"select_one {PHASE_LIST}"
            self.add_list(PHASE_LIST, self.phase_choices())
            cells.update(self.languages.cells("hint", self.phase_hint(question)))
        else:
            assert question.choice_list is not None  # the framework gives every select_one one
            type_ = f"select_one {question.choice_list}"
            self.add_list(question.choice_list, question.choices)
        if question.required:
            cells["required"] = "yes"
        if question.relevant is not None:
            cells["relevant"] = self.relevant(question)
        self.row(type_, self.names[question.id], **cells)
        if question.type == "phase":
            self.confidence(question)

    def confidence(self, question: Question) -> None:
        """How sure the respondent is of the phase, asked once a phase is chosen."""
        self.add_list(CONFIDENCE_LIST, _CONFIDENCE_CHOICES)
        self.row(
            f"select_one {CONFIDENCE_LIST}",
            confidence_name(question.id),
            relevant=f"${{{self.names[question.id]}}} != ''",
            **self.languages.cells("label", _CONFIDENCE_LABEL),
        )

    def relevant(self, question: Question) -> str:
        """The web form's rule: applicable when the earlier question has one of the values."""
        assert question.relevant is not None
        target = question.relevant.question
        if target not in {q.id for q in self.questions}:
            raise ValueError(
                f"{question.id!r} depends on {target!r}, which this channel is not asked"
            )
        return " or ".join(
            f"selected(${{{self.names[target]}}}, {_xpath_string(value)})"
            for value in question.relevant.values
        )

    def phase_choices(self) -> tuple[Choice, ...]:
        return tuple(
            Choice(str(phase.level), self.phase_names.get(phase.level) or phase.name)
            for phase in self.edition.phases
        )

    def phase_hint(self, question: Question) -> Label:
        capabilities = [self.edition.capability(c) for c in question.capabilities]

        def lines(lang: str) -> Iterator[str]:
            yield text(_PHASE_HINT, lang)
            for capability in capabilities:
                if len(capabilities) > 1:
                    yield f"{capability.id} {text(capability.name, lang)}:"
                for choice in self.phase_choices():
                    descriptor = capability.phase_descriptors[int(choice.code)]
                    yield f"**{choice.code} {text(choice.label, lang)}**: {text(descriptor, lang)}"

        return {lang: "\n".join(lines(lang)) for lang in self.languages.codes}

    def add_list(self, list_name: str, choices: tuple[Choice, ...]) -> None:
        known = self.lists.setdefault(list_name, choices)
        if known != choices:
            raise ValueError(f"two different choice lists are named {list_name!r}")

    def choice_rows(self) -> tuple[Row, ...]:
        return tuple(
            {
                "list_name": list_name,
                "name": choice.code,
                **self.languages.cells("label", choice.label),
            }
            for list_name, choices in self.lists.items()
            for choice in choices
        )


def build_xlsform(
    instrument: Instrument,
    edition: Edition,
    *,
    channel: str,
    round_code: str,
    participants: Sequence[tuple[str, Label]],
    languages: Sequence[str],
    phase_names: Mapping[int, Label] | None = None,
) -> XLSFormSheets:
    """The XLSForm asking ``instrument``'s questions through ``channel`` in ``round_code``.

    ``participants`` are the jurisdictions to choose from, (code, name), in the order shown;
    ``languages`` are codes, the first the form's default; ``phase_names`` override the
    edition's names of the maturity phases (administrators may have renamed them).
    ValueError if the instrument lacks the channel or the round has no participants."""
    if not participants:
        raise ValueError(f"round {round_code} has no participants to choose from")
    if instrument.edition != edition.id:
        raise ValueError(
            f"instrument {instrument.id} is built on {instrument.edition}, not on {edition.id}"
        )
    for reserved in (JURISDICTION_LIST, PHASE_LIST, CONFIDENCE_LIST):
        if reserved in edition.choice_lists:
            raise ValueError(
                f"edition {edition.id} has a choice list named {reserved!r}, "
                "a name the XLSForm needs for its own list"
            )
    langs = _Languages(languages)
    form = _Form(instrument, edition, channel, langs, phase_names or {})
    version = form_version(round_code, instrument.id, instrument.version, channel)
    form.add_list(JURISDICTION_LIST, tuple(Choice(code, name) for code, name in participants))
    form.row(
        f"select_one {JURISDICTION_LIST}",
        JURISDICTION,
        required="yes",
        **langs.cells("label", _JURISDICTION_LABEL),
        **langs.cells("hint", _JURISDICTION_HINT),
    )
    form.row(
        "text",
        RESPONDENT,
        constraint=f"regex(., {_xpath_string('^' + RESPONDENT_PATTERN + '$')})",
        **langs.cells("label", _RESPONDENT_LABEL),
        **langs.cells("hint", _RESPONDENT_HINT),
        **langs.cells("constraint_message", _RESPONDENT_MESSAGE),
    )
    for name, value in ((ROUND, round_code), (CHANNEL, channel), (FORM_VERSION, version)):
        form.row("calculate", name, calculation=_xpath_string(value))
    asked = {question.id for question in form.questions}
    for section in instrument.sections:
        domain = edition.domain(section.domain)
        label = {lang: f"{domain.id} {text(domain.name, lang)}" for lang in langs.codes}
        form.group(domain.id, label, [q for q in section.questions if q.id in asked])
    form.group(GENERAL_GROUP, _GENERAL_LABEL, [q for q in instrument.general if q.id in asked])
    survey_columns = (
        *SURVEY_FIELDS,
        *langs.headers("label"),
        *langs.headers("hint"),
        *langs.headers("constraint_message"),
        *SURVEY_RULES,
    )
    settings = {
        "form_title": f"{text(instrument.title, langs.codes[0])} ({round_code}, {channel})",
        "form_id": form_id(round_code, channel),
        "version": version,
        "default_language": langs.default,
    }
    return XLSFormSheets(
        survey=Sheet(survey_columns, tuple(form.survey)),
        choices=Sheet(("list_name", "name", *langs.headers("label")), form.choice_rows()),
        settings=Sheet(tuple(settings), (settings,)),
    )


def write_xlsx(sheets: XLSFormSheets) -> bytes:
    """The sheets as an Excel workbook, as KoboToolbox and ODK Central take it."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, sheet in (
        ("survey", sheets.survey),
        ("choices", sheets.choices),
        ("settings", sheets.settings),
    ):
        worksheet = workbook.create_sheet(title)
        worksheet.append(list(sheet.columns))
        for row in sheet.rows:
            unknown = set(row) - set(sheet.columns)
            if unknown:
                raise ValueError(f"{title} row has cells outside its columns: {sorted(unknown)}")
            worksheet.append([row.get(column) or None for column in sheet.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
