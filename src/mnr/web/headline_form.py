"""The report editor's headline rows as structured choices: the question, the answers counted
and the population are picked from lists, and each row previews the sentence it makes.

Population rules are read and written by :func:`mnr.core.findings.parse_population` only; a
stored rule that the lists cannot show exactly is kept as it is, as one more choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from django import forms
from mnr.core.charts import texts as chart_texts
from mnr.core.findings import (
    INCOME_GROUPS,
    Population,
    PopulationFilter,
    RoundData,
    compute_figure,
    parse_population,
)
from mnr.core.framework import text
from mnr.core.narrative import (
    DEFAULT_SUBJECT,
    chosen_phrase,
    finding_sentence,
    phrase_keys,
    phrase_label,
    phrase_misfit,
)
from mnr.findings.data import participants, round_data, round_questions
from mnr.frameworks.models import Channel, Domain
from mnr.surveys.models import Round
from mnr.web.labels import region_name

Choices = list[tuple[str, Any]]

# The answers a headline may count, in the order the rule is written.
COUNTED_ANSWERS: Choices = [
    ("yes", _("Yes")),
    ("partial", _("Partly")),
    ("no", _("No")),
    ("dont_know", _("Don't know")),
]
_ANSWER_ORDER = [code for code, _label in COUNTED_ANSWERS]
NO_CONDITION = ""


@dataclass(frozen=True)
class HeadlineChoices:
    """What the lists of one round's headline rows offer."""

    domains: Choices
    questions: Choices
    populations: Choices
    conditions: Choices
    # The phrase table's phrases in the report's language, after "the default for the share".
    phrases: Choices


def _filter_groups(round_: Round, lang: str) -> Choices:
    names = chart_texts(lang)
    channels = dict(Channel.objects.values_list("code", "label"))

    def options(dimension: str, groups: list[tuple[str, str]]) -> list[tuple[str, str]]:
        rows = []
        for value, name in groups:
            rows.append((str(PopulationFilter(dimension, value)), str(name)))
            rows.append(
                (
                    str(PopulationFilter(dimension, value, True)),
                    str(_("Other than %(group)s") % {"group": name}),
                )
            )
        return rows

    income = [(code, names.get(f"group.{code}", code)) for code in ("HIC", "LMIC")]
    groups = [(code, names.get(f"group.{code}", code)) for code in INCOME_GROUPS]
    regions = sorted({p.region for p in participants(round_) if p.region})
    return [
        (str(_("By income: high vs. low and middle")), options("income", income)),
        (str(_("By income group")), options("income-group", groups)),
        (str(_("By region")), options("region", [(r, region_name(r)) for r in regions])),
        (
            str(_("By channel answered through")),
            options("channel", [(c, channels.get(c, c)) for c in round_.channels]),
        ),
    ]


def headline_choices(round_: Round, lang: str) -> HeadlineChoices:
    questions = round_questions(round_)
    filters = _filter_groups(round_, lang)
    domains = Domain.objects.filter(edition_id=round_.instrument.edition_id)
    return HeadlineChoices(
        domains=[("", _("None"))] + [(d.code, f"{d.code} {text(d.name, lang)}") for d in domains],
        questions=[
            ("", _("Pick a question")),
            *(
                (
                    spec.id,
                    f"{spec.id} · {text(questions.labels.get(spec.id, {}), lang)}".rstrip(" ·"),
                )
                for spec in questions.specs
            ),
        ],
        populations=[("all", _("All participating jurisdictions")), *filters],
        conditions=[(NO_CONDITION, _("No condition: a share of the population")), *filters],
        phrases=[
            ("", _("Default for the share")),
            *((key, phrase_label(key, lang)) for key in phrase_keys()),
        ],
    )


def _offered(choices: Choices) -> set[str]:
    values: set[str] = set()
    for value, label in choices:
        if isinstance(label, list | tuple):
            values.update(v for v, _label in label)
        else:
            values.add(value)
    return values


def split_population(rule: str, choices: HeadlineChoices) -> tuple[str, str]:
    """The two lists' values for a stored rule, or (rule, "") when the lists cannot show it
    exactly: then the rule itself is offered, so that saving unchanged keeps it."""
    try:
        population = parse_population(rule)
    except ValueError:
        return rule, NO_CONDITION
    base = str(population.base)
    condition = str(population.then) if population.then is not None else NO_CONDITION
    shown = base in _offered(choices.populations) and condition in _offered(choices.conditions)
    if str(population) != rule or not shown:
        return rule, NO_CONDITION
    return base, condition


def join_population(base: str, condition: str) -> str:
    """The rule the two lists make; text that is not a rule is passed on for the action to
    refuse with its reason."""
    if not condition:
        return base
    try:
        return str(Population(parse_population(base).base, parse_population(condition).base))
    except ValueError:
        return f"{base};then {condition}"


def _with_value(choices: Choices, value: str, label: str) -> Choices:
    """``choices``, plus ``value`` as kept from before when no choice is it."""
    if not value or value in _offered(choices):
        return choices
    return [*choices, (value, label % {"value": value})]


class HeadlineForm(forms.Form):
    key = forms.SlugField(max_length=40, label=_("Key"))
    domain = forms.CharField(max_length=20, required=False, label=_("Domain"))
    question = forms.CharField(max_length=60, label=_("Question"))
    counts_as = forms.MultipleChoiceField(
        choices=COUNTED_ANSWERS,
        initial=["yes", "partial"],
        widget=forms.CheckboxSelectMultiple,
        label=_("Answers counted"),
        help_text=_("Yes and Partly: the share in place; No: the share without."),
    )
    population = forms.CharField(max_length=100, initial="all", label=_("Population"))
    condition = forms.CharField(
        max_length=100, required=False, label=_("Then, of those counted, the share that are")
    )
    phrase = forms.CharField(max_length=40, required=False, label=_("Phrase"))
    subject = forms.CharField(max_length=200, required=False, label=_("Subject"))
    statement = forms.CharField(max_length=300, label=_("Statement"))
    callout = forms.BooleanField(required=False, label=_("Call-out"))

    def __init__(self, *args: Any, choices: HeadlineChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kept = str(_("%(value)s (as stored)"))
        value = self._value
        for name, offered in (
            ("domain", choices.domains),
            ("question", choices.questions),
            ("population", choices.populations),
            ("condition", choices.conditions),
            ("phrase", choices.phrases),
        ):
            self.fields[name].widget = forms.Select(choices=_with_value(offered, value(name), kept))

    def _value(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name), ""))
        return str(self.initial.get(name) or self.fields[name].initial or "")

    def clean_counts_as(self) -> list[str]:
        counted: list[str] = self.cleaned_data["counts_as"]
        return sorted(counted, key=_ANSWER_ORDER.index)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "population" in cleaned:
            cleaned["population"] = join_population(
                cleaned["population"], cleaned.get("condition") or NO_CONDITION
            )
        return cleaned


class BaseHeadlineFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    # The formset adds its own DELETE field; HeadlineForm labels it itself.
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove this row")


HeadlineFormSet = forms.formset_factory(
    HeadlineForm, formset=BaseHeadlineFormSet, extra=1, can_delete=True
)


def _label_of(choices: Choices, value: str) -> str:
    for code, label in choices:
        if isinstance(label, list | tuple):
            found = _label_of(list(label), value)
            if found:
                return found
        elif code == value:
            return str(label)
    return ""


def row_in_words(row: dict[str, Any], choices: HeadlineChoices) -> dict[str, Any]:
    """A headline row as the lists name its choices (for the headlines saved meanwhile)."""
    counted = [c for c in str(row["counts_as"]).split("|") if c]
    population, condition = split_population(str(row["population"]), choices)
    words = _label_of(choices.populations, population) or population
    if condition:
        words += " · " + str(
            _("then: %(condition)s") % {"condition": _label_of(choices.conditions, condition)}
        )
    return {
        **row,
        "counts_as": ", ".join(_label_of(COUNTED_ANSWERS, c) or c for c in counted),
        "population": words,
        "question": _label_of(choices.questions, str(row["question"])) or row["question"],
        "phrase": _label_of(choices.phrases, str(row.get("phrase", ""))),
    }


def headline_initial(row: dict[str, Any], choices: HeadlineChoices) -> dict[str, Any]:
    """A stored headline row as the form's initial values."""
    population, condition = split_population(str(row["population"]), choices)
    counted = [code for code in str(row["counts_as"]).split("|") if code]
    return {**row, "counts_as": counted, "population": population, "condition": condition}


def preview_sentence(
    data: RoundData,
    *,
    question: str,
    counts_as: tuple[str, ...],
    population: str,
    subject: str,
    statement: str,
    lang: str,
    phrase: str = "",
) -> str:
    """The sentence a headline row makes with the round's answers as they stand now (the
    report states the published figures, which may differ); a chosen ``phrase`` that does not
    fit the share says why instead, as saving would refuse it."""
    if not statement.strip():
        return str(_("Write the statement to see the sentence."))
    try:
        finding = compute_figure(data, question, counts_as, population)
    except ValueError as error:
        return str(_("No sentence: %(reason)s") % {"reason": error})
    if finding.numerator is None or finding.denominator is None or finding.percent is None:
        return str(_("No sentence: nobody in this population answered the question."))
    try:
        misfit = phrase_misfit(phrase, finding.numerator, finding.denominator) if phrase else None
    except ValueError as error:
        misfit = str(error)
    if misfit:
        return str(_("No sentence: %(reason)s") % {"reason": misfit})
    return finding_sentence(
        chosen_phrase(phrase, finding.numerator, finding.denominator),
        subject or DEFAULT_SUBJECT.get(lang, DEFAULT_SUBJECT["en"]),
        statement,
        finding.numerator,
        finding.denominator,
        finding.percent,
        lang,
    )


def row_previews(round_: Round, formset: Any, lang: str) -> list[str]:
    """One preview per form of the formset, from what the form holds (posted or initial)."""
    data = round_data(round_)
    previews = []
    for form in formset:
        if form.is_bound:
            counted = form.data.getlist(form.add_prefix("counts_as"))
            population = join_population(
                form.data.get(form.add_prefix("population"), ""),
                form.data.get(form.add_prefix("condition"), ""),
            )
            value = form.data.get
            question, subject, statement, phrase = (
                value(form.add_prefix(name), "")
                for name in ("question", "subject", "statement", "phrase")
            )
        else:
            if not form.initial:
                previews.append("")
                continue
            counted = form.initial["counts_as"]
            population = join_population(form.initial["population"], form.initial["condition"])
            question, subject, statement, phrase = (
                form.initial.get(name, "")
                for name in ("question", "subject", "statement", "phrase")
            )
        ordered = tuple(sorted((c for c in counted if c in _ANSWER_ORDER), key=_ANSWER_ORDER.index))
        previews.append(
            preview_sentence(
                data,
                question=question,
                counts_as=ordered,
                population=population,
                subject=subject,
                statement=statement,
                lang=lang,
                phrase=phrase,
            )
        )
    return previews
