"""Everything the report shows, gathered from a round as plain data.

The report is public output: it is built from a publication (or, for the analysts' preview,
from what publishing now would freeze), with the disclosure decisions stored with it; no
jurisdiction is named, and quotations are attributed only to groups that disclosure control
allows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html import escape

from django.db.models import Prefetch

from mnr.core import charts
from mnr.core.findings import (
    Finding,
    PopulationFilter,
    RoundData,
    SnapshotRow,
    parse_population,
    snapshot_rows,
)
from mnr.core.framework import text
from mnr.core.narrative import DEFAULT_SUBJECT, chosen_phrase, sentence_parts
from mnr.frameworks.models import Capability, Channel, Domain, InstrumentQuestion
from mnr.publications.actions import Content, current_content
from mnr.publications.models import Publication
from mnr.publications.reading import require_publication
from mnr.publications.robustness import robustness_texts
from mnr.reports.actions import DEFAULT_SNAPSHOT_EXCLUDE
from mnr.reports.markup import html_blocks
from mnr.reports.models import ReportSettings
from mnr.reports.robustness import RobustnessAnnex, robustness_annex
from mnr.reports.structure import (
    CapabilitySection,
    Endnote,
    Method,
    capability_sections,
    method_facts,
    number_endnotes,
    quotes_by_capability,
    report_date,
)
from mnr.reports.texts import texts
from mnr.surveys.models import Round


@dataclass(frozen=True)
class Sentence:
    """A finding sentence split around its figures, so the figures can link to the annex."""

    lead: str
    figures: str
    rest: str

    def __str__(self) -> str:
        return f"{self.lead} {self.figures} {self.rest}"


@dataclass(frozen=True)
class FigureRow:
    key: str
    domain: str
    question: str
    question_label: str
    population: str
    rule: str
    counted: str
    numerator: int | None
    denominator: int | None
    percent: int | None
    suppressed: str | None
    sentence: Sentence | None
    callout: bool
    statement: str
    # The number of its endnote (mnr.reports.structure), when it has one.
    note: int | None = None


@dataclass(frozen=True)
class Quote:
    text: str
    attribution: str
    capability: str
    # The language the respondent wrote in (answers carry none yet: English, as the review's
    # were), so that a French or Spanish report marks the quotation as quoted original.
    lang: str = "en"


@dataclass(frozen=True)
class RenderedChart:
    title: str
    svg: str
    alt_text: str
    spec: dict[str, object]


@dataclass
class DomainSection:
    id: str
    name: str
    outcome: str
    figures: list[FigureRow] = field(default_factory=list)
    chart: RenderedChart | None = None
    good_practice: list[Quote] = field(default_factory=list)
    challenges: list[Quote] = field(default_factory=list)
    # The sub-heading of each capability with its findings, and the findings about none.
    capabilities: list[CapabilitySection] = field(default_factory=list)
    other_figures: list[FigureRow] = field(default_factory=list)

    @property
    def callouts(self) -> list[FigureRow]:
        return [f for f in self.figures if f.callout and f.percent is not None]


@dataclass(frozen=True)
class CountRow:
    key: str
    label: str
    count: int
    # The row as the annex states it, e.g. "answered through UNICEF country offices".
    words: str = ""


@dataclass
class ReportContext:
    round: Round
    lang: str
    t: dict[str, str]
    generated_on: str
    participants: int
    channels: list[CountRow]
    income_mix: list[CountRow]
    region_mix: list[CountRow]
    key_figures: list[FigureRow]
    domains: list[DomainSection]
    snapshot_chart: RenderedChart | None
    snapshot_rows: list[tuple[str, str, SnapshotRow]]
    snapshot_excluded: list[str]
    narrative: dict[str, list[str]]
    annex_figures: list[FigureRow]
    annex_all: list[FigureRow]
    instrument_title: str
    # The round's title in the report's language (report_title).
    title: str
    method: Method | None = None
    endnotes: list[Endnote] = field(default_factory=list)
    # The robustness annex of a publication's report; a preview has none, only a note that
    # the annex comes with publishing (it describes the published figures).
    robustness: RobustnessAnnex | None = None
    robustness_preview: str = ""

    @property
    def direction(self) -> str:
        return "rtl" if self.lang == "ar" else "ltr"


def _counted(counts_as: tuple[str, ...], t: dict[str, str]) -> str:
    return t["or"].join(t.get(code, code) for code in counts_as)


def region_words(region: str, form: str, t: dict[str, str]) -> str:
    """A region with the preposition or article it needs (``form``: ``region_in``, where
    jurisdictions are; ``region_of``, after a noun), e.g. "in the Americas", « des Amériques »."""
    return t.get(f"{form}.{region}") or t[f"{form}_other"].format(region=t.get(region, region))


def channel_words(channel: str, t: dict[str, str], labels: dict[str, str]) -> str:
    """How answers came through a channel, e.g. "through UNICEF country offices"."""
    return t.get(f"channel_through.{channel}") or t["channel_through_other"].format(
        channel=labels.get(channel, channel)
    )


def _filter_words(rule: PopulationFilter, t: dict[str, str], channels: dict[str, str]) -> str:
    """The group a filter names, in the words its templates take."""
    if rule.dimension == "region":
        return region_words(rule.value, "region_in", t)
    if rule.dimension == "channel":
        return channel_words(rule.value, t, channels)
    return t.get(rule.value, rule.value)


def _base_words(rule: PopulationFilter, t: dict[str, str], channels: dict[str, str]) -> str:
    if rule.dimension is None:
        return t["pop_all"]
    if rule.dimension == "region":
        region = region_words(rule.value, "region_of", t)
        if rule.negated:
            return t["pop_not_region"].format(population=t["pop_all"], region=region)
        return t["pop_region_of"].format(region=region)
    words = _filter_words(rule, t, channels)
    if rule.dimension == "channel":
        if rule.negated:
            return t["pop_not_channel"].format(population=t["pop_all"], channel=words)
        return t["pop_channel_through"].format(channel=words)
    if rule.negated:
        return t["pop_not_income"].format(population=t["pop_all"], group=words)
    return t["pop_income"].format(group=words)


def population_text(
    population: str, counts_as: tuple[str, ...], t: dict[str, str], channels: dict[str, str]
) -> str:
    """The population rule in words, e.g. "participating jurisdictions that answered; of those
    answering no, the share that are not high-income" for ``all;then income!=HIC``. The rule is
    read by :func:`mnr.core.findings.parse_population`, the one parser of the rule language;
    each kind of filter has its template in the report's texts."""
    rule = parse_population(population)
    base = _base_words(rule.base, t, channels)
    if rule.then is None or rule.then.dimension is None:
        return base
    kind = "income" if rule.then.dimension in ("income", "income-group") else rule.then.dimension
    condition = t[f"cond_{'not_' if rule.then.negated else ''}{kind}"].format(
        **{"group" if kind == "income" else kind: _filter_words(rule.then, t, channels)}
    )
    return t["pop_share_of"].format(
        population=base, counted=_counted(counts_as, t), condition=condition
    )


def _figure_row(
    key: str,
    domain: str,
    finding: Finding,
    *,
    question_label: str,
    population: str,
    rule: str,
    counted: str,
    statement: str,
    subject: str,
    callout: bool,
    lang: str,
    t: dict[str, str],
    phrase: str = "",
) -> FigureRow:
    """``phrase``: the headline's chosen phrase (empty: the default for the share; one that no
    longer fits the published share falls back to the default)."""
    sentence = None
    if finding.percent is not None and not finding.suppressed and statement:
        assert finding.numerator is not None and finding.denominator is not None
        sentence = Sentence(
            *sentence_parts(
                chosen_phrase(phrase, finding.numerator, finding.denominator),
                subject,
                statement,
                finding.numerator,
                finding.denominator,
                finding.percent,
                lang,
            )
        )
    return FigureRow(
        key=key,
        domain=domain,
        question=finding.question,
        question_label=question_label,
        population=population,
        rule=rule,
        counted=counted,
        numerator=None if finding.suppressed else finding.numerator,
        denominator=None if finding.suppressed else finding.denominator,
        percent=None if finding.suppressed else finding.percent,
        suppressed=t["suppressed"].format(reason=finding.suppression_reason)
        if finding.suppressed
        else None,
        sentence=sentence,
        callout=callout,
        statement=statement,
    )


def headline_rows(
    content: Content, lang: str, t: dict[str, str], channels: dict[str, str]
) -> list[FigureRow]:
    rows = []
    for headline in content.report["headlines"]:
        counts_as = tuple(headline["counts_as"])
        finding = content.protection.figures[headline["key"]]
        subject = text(headline["subject"], lang) or DEFAULT_SUBJECT.get(
            lang, DEFAULT_SUBJECT["en"]
        )
        rows.append(
            _figure_row(
                headline["key"],
                headline["domain"],
                finding,
                question_label=text(content.questions.labels.get(headline["question"], {}), lang),
                population=population_text(headline["population"], counts_as, t, channels),
                rule=headline["population"],
                counted=_counted(counts_as, t),
                statement=text(headline["statement"], lang),
                subject=subject,
                callout=headline["callout"],
                lang=lang,
                t=t,
                # Publications from before phrases were chosen have none: the default.
                phrase=headline.get("phrase", ""),
            )
        )
    return rows


def _mix(values: list[str | None], order: list[str], t: dict[str, str]) -> list[CountRow]:
    counts = Counter(value or "unknown" for value in values)
    keys = [key for key in order if key in counts] + sorted(set(counts) - set(order))
    return [CountRow(key, t.get(key, key), counts[key]) for key in keys]


def _answering_channels(round_: Round, data: RoundData, labels: dict[str, str]) -> list[CountRow]:
    """How many jurisdictions answered through each channel: the highest-priority channel
    through which a jurisdiction gave any answer."""
    answered = data.answers.dropna(subset=["value"])
    answered = answered[answered["value"] != ""]
    channels_of = answered.groupby("jurisdiction")["channel"].agg(set).to_dict()
    used: Counter[str] = Counter()
    for participant in data.participants:
        given = channels_of.get(participant.jurisdiction, set())
        first = next((c for c in data.channels if c in given), None)
        if first:
            used[first] += 1
    return [CountRow(c, labels.get(c, c), used[c]) for c in data.channels]


def capability_questions(round_: Round) -> list[tuple[str, str]]:
    """(capability, status question) pairs in framework order, through the crosswalk, so that a
    merged question (C16-17.status) stands for each capability it covers."""
    pairs = []
    questions = InstrumentQuestion.objects.filter(
        instrument_id=round_.instrument_id, code__endswith=".status", type="select_one"
    ).prefetch_related("capabilities")
    by_capability = {c.code: q.code for q in questions for c in q.capabilities.all()}
    for capability in Capability.objects.filter(edition_id=round_.instrument.edition_id).order_by(
        "position"
    ):
        if capability.code in by_capability:
            pairs.append((capability.code, by_capability[capability.code]))
    return pairs


def _render(chart: charts.Chart) -> RenderedChart:
    svg = titled_svg(charts.render_svg(chart), chart.alt_text)
    return RenderedChart(chart.title, svg, chart.alt_text, chart.spec)


def titled_svg(svg: str, alt_text: str) -> str:
    """The SVG as an image named by its text alternative: ``role="img"`` and a first child
    ``<title>``, which browsers give screen readers and WeasyPrint writes as the tagged PDF's Alt
    of the figure (a printed paragraph would be read as body text)."""
    start = svg.index("<svg")
    end = svg.index(">", start)
    return f'{svg[:end]} role="img"><title>{escape(alt_text)}</title>{svg[end + 1 :]}'


# Enough to illustrate each capability without turning the report into a list of answers.
QUOTES_PER_CAPABILITY = 2


def _quotes(content: Content, t: dict[str, str]) -> dict[tuple[str, str], list[Quote]]:
    """The publication's quotable good practice and challenges by (domain, kind), with the
    attribution disclosure control allowed; at most ``QUOTES_PER_CAPABILITY`` different texts
    per capability."""
    quotes: dict[tuple[str, str], list[Quote]] = {}
    taken: Counter[tuple[str, str]] = Counter()
    seen: set[str] = set()
    for quote in content.quotes:
        capability = quote["question"].partition(".")[0]
        kind = quote["kind"]
        if quote["text"] in seen or taken[capability, kind] >= QUOTES_PER_CAPABILITY:
            continue
        taken[capability, kind] += 1
        seen.add(quote["text"])
        quotes.setdefault((quote["domain"], kind), []).append(
            Quote(quote["text"], quote_attribution(quote, t), capability)
        )
    return quotes


def quote_attribution(quote: dict[str, object], t: dict[str, str]) -> str:
    """Who a quote is from, in the report's words: the group disclosure control allowed
    (``income_group`` and ``region`` of a publication's quote), never a jurisdiction. Each case
    is a whole phrase of the report's texts, with the article each income group takes ("an
    upper-middle-income jurisdiction in the Americas")."""
    income, region = quote["income_group"], quote["region"]
    place = region_words(str(region), "region_of", t) if region else ""
    if income:
        jurisdiction = t.get(f"jurisdiction_income.{income}", t["quote_from_any"])
        if region:
            return t["quote_income_region"].format(jurisdiction=jurisdiction, region=place)
        return jurisdiction
    if region:
        return t["quote_region"].format(region=place)
    return t["quote_from_any"]


@dataclass(frozen=True)
class Snapshot:
    rows: list[SnapshotRow]
    labels: list[charts.CapabilityLabel]
    excluded: list[str]
    # None when every capability's total is withheld (a round too small to show anything).
    chart: charts.Chart | None


def _domains(round_: Round) -> list[Domain]:
    return list(
        Domain.objects.filter(edition_id=round_.instrument.edition_id).prefetch_related(
            Prefetch("capabilities", queryset=Capability.objects.order_by("position"))
        )
    )


def snapshot_exclusions(round_: Round) -> list[str]:
    """Capabilities the snapshot leaves out: the round's setting, else legislation."""
    settings_row = ReportSettings.objects.filter(round=round_).first()
    return list(settings_row.snapshot_exclude if settings_row else DEFAULT_SNAPSHOT_EXCLUDE)


def round_snapshot(
    round_: Round,
    totals: Sequence[Finding],
    lang: str = "en",
    domains: list[Domain] | None = None,
    excluded: Sequence[str] | None = None,
) -> Snapshot:
    """The capability snapshot (the data and its chart) from whole-round findings as the
    reader may see them, leaving out the capabilities the report settings exclude
    (``excluded``; by default the round's live setting, legislation unless changed)."""
    excluded = list(snapshot_exclusions(round_) if excluded is None else excluded)
    labels = [
        charts.CapabilityLabel(c.code, text(c.name, lang), d.code, text(d.name, lang))
        for d in (domains if domains is not None else _domains(round_))
        for c in d.capabilities.all()
    ]
    rows = snapshot_rows(totals, capability_questions(round_), exclude=excluded)
    shown = [label for label in labels if label.id not in excluded]
    chart = charts.snapshot_chart(rows, shown, lang, synthetic=round_.synthetic) if rows else None
    return Snapshot(rows, labels, excluded, chart)


def build_report(
    round_: Round,
    lang: str = "en",
    *,
    now: datetime | None = None,
    preview: bool = False,
    publication: Publication | None = None,
) -> ReportContext:
    """The report of ``publication`` (by default the round's latest); ``preview``: of what
    publishing now would freeze (the analysts' preview). MnrError when there is no
    publication."""
    if preview:
        content = current_content(round_)
    else:
        publication = publication or require_publication(round_)
        content = Content.of(publication)
    t = texts(lang)
    questions = content.questions
    data = content.data
    channel_labels = {c.code: text(c.label, lang) for c in Channel.objects.all()}
    # The threshold the publication was made with, as its disclosure decisions were.
    k = content.settings["disclosure_threshold"]
    participants = data.participants
    protection = content.protection
    totals = protection.findings[None]

    figures = headline_rows(content, lang, t, channel_labels)
    domains = _domains(round_)
    shot = round_snapshot(round_, totals, lang, domains, content.report["snapshot_exclude"])
    names = {label.id: label.name for label in shot.labels}
    excluded_names = [f"{code} {names.get(code, '')}".strip() for code in shot.excluded]

    by_income = {(f.question, f.group): f for f in protection.findings["income"]}
    status_questions = dict(capability_questions(round_))
    quotes = _quotes(content, t)
    sections = []
    for domain in domains:
        section = DomainSection(domain.code, text(domain.name, lang), text(domain.outcome, lang))
        section.figures = [f for f in figures if f.domain == domain.code]
        chart_questions = list(
            dict.fromkeys(
                f.question for f in section.figures if f.rule == "all" and f.percent is not None
            )
        )
        cells = [
            by_income[q, g] for q in chart_questions for g in ("HIC", "LMIC") if (q, g) in by_income
        ]
        if cells:
            labels = {
                q: text(questions.findings.get(q) or questions.labels.get(q, {}), lang)
                for q in chart_questions
            }
            section.chart = _render(
                charts.breakdown_chart(cells, labels, lang, synthetic=round_.synthetic)
            )
        section.good_practice = quotes.get((domain.code, "good_practice"), [])
        section.challenges = quotes.get((domain.code, "challenges"), [])
        _capability_structure(section, domain, content, status_questions, lang, t)
        sections.append(section)
    key_figures, endnotes = _endnotes(
        [f for f in figures if not f.domain], sections, content, lang, t
    )

    all_rows = [
        _figure_row(
            f.question,
            "",
            f,
            question_label=text(questions.labels.get(f.question, {}), lang),
            population=t["pop_all"],
            rule="all",
            counted=_counted(f.counts_as, t),
            statement="",
            subject="",
            callout=False,
            lang=lang,
            t=t,
        )
        for f in totals
    ]
    narrative = {
        key: html_blocks(text(block_text, lang))
        for key, block_text in content.report["narrative"].items()
    }
    generated_on = (now or datetime.now(UTC)).date().isoformat()
    answering = [
        replace(
            row,
            words=t["answered_channel"].format(channel=channel_words(row.key, t, channel_labels)),
        )
        for row in _answering_channels(round_, data, channel_labels)
    ]
    t = {
        **t,
        "generated": t["generated"].format(
            date=report_date(generated_on, lang, t), round=round_.code
        ),
        "income_mix": t["income_mix"].format(year=round_.income_fiscal_year),
        "snapshot_note": (
            t["snapshot_note"].format(excluded=", ".join(excluded_names))
            if excluded_names
            else t["snapshot_note_all"]
        ),
        "disclosure_text": t["disclosure_text"].format(k=k),
    }
    return ReportContext(
        round=round_,
        lang=lang,
        t=t,
        generated_on=generated_on,
        participants=len(participants),
        channels=answering,
        income_mix=_mix([p.income_group for p in participants], ["HIC", "UMC", "LMC", "LIC"], t),
        region_mix=_mix([p.region for p in participants], [], t),
        key_figures=key_figures,
        domains=sections,
        snapshot_chart=_render(shot.chart) if shot.chart else None,
        snapshot_rows=[(row.capability, names.get(row.capability, ""), row) for row in shot.rows],
        snapshot_excluded=excluded_names,
        narrative=narrative,
        annex_figures=figures,
        annex_all=all_rows,
        instrument_title=text(round_.instrument.title, lang),
        title=report_title(content, lang),
        method=method_facts(
            content.settings,
            answering,
            text(round_.instrument.title, lang),
            lang,
            t,
        ),
        endnotes=endnotes,
        robustness=None
        if preview or publication is None
        else robustness_annex(publication, content, [f.key for f in figures], lang),
        robustness_preview=robustness_texts(lang)["preview_note"] if preview else "",
    )


def report_title(content: Content, lang: str) -> str:
    """The round's title as the report gives it in ``lang``: its narrative block ``title`` as
    frozen with the publication (English where that language has none), else the round's own
    title as published."""
    block = content.report["narrative"].get("title", {})
    return " ".join(text(block, lang).split()) or str(content.settings["title"])


def _generated_row(
    question: str, heading: str, domain: str, content: Content, lang: str, t: dict[str, str]
) -> FigureRow | None:
    """The sentence of a capability's status question over the whole round (its answers in
    place), for a capability no headline is about."""
    finding = next((f for f in content.protection.findings[None] if f.question == question), None)
    if finding is None:
        return None
    statement = text(content.questions.findings.get(question, {}), lang) or t[
        "capability_in_place"
    ].format(capability=heading)
    return _figure_row(
        f"q-{question}",
        domain,
        finding,
        question_label=text(content.questions.labels.get(question, {}), lang),
        population=t["pop_all"],
        rule="all",
        counted=_counted(finding.counts_as, t),
        statement=statement,
        subject=DEFAULT_SUBJECT.get(lang, DEFAULT_SUBJECT["en"]),
        callout=False,
        lang=lang,
        t=t,
    )


def _capability_structure(
    section: DomainSection,
    domain: Domain,
    content: Content,
    status_questions: dict[str, str],
    lang: str,
    t: dict[str, str],
) -> None:
    """Sub-headings per capability with their findings and quotes; what belongs to none stays
    at the level of the domain."""
    section.capabilities, section.other_figures = capability_sections(
        [(c.code, text(c.name, lang)) for c in domain.capabilities.all()],
        status_questions,
        section.figures,
        content.questions.capabilities,
        lambda question, heading: _generated_row(question, heading, domain.code, content, lang, t),
        t,
    )
    section.good_practice = quotes_by_capability(
        section.capabilities, section.good_practice, "good_practice"
    )
    section.challenges = quotes_by_capability(
        section.capabilities, section.challenges, "challenges"
    )


def _endnotes(
    key_figures: list[FigureRow],
    sections: list[DomainSection],
    content: Content,
    lang: str,
    t: dict[str, str],
) -> tuple[list[FigureRow], list[Endnote]]:
    """Number the endnotes in the order the report shows the sentences, and give each
    sentence the number of its note (key findings, then each domain's own findings and its
    capabilities')."""
    default = DEFAULT_SUBJECT.get(lang, DEFAULT_SUBJECT["en"])
    findings = {f"q-{f.question}": f for f in content.protection.findings[None]}
    findings.update(content.protection.figures)
    subjects = {f"q-{f.question}": default for f in content.protection.findings[None]}
    subjects.update(
        (h["key"], text(h["subject"], lang) or default) for h in content.report["headlines"]
    )
    shown = [*key_figures]
    for section in sections:
        shown += section.other_figures
        for capability in section.capabilities:
            shown += capability.figures
    endnotes = number_endnotes(shown, findings, subjects, t)
    number = {note.key: note.number for note in endnotes}

    def noted(rows: list[FigureRow]) -> list[FigureRow]:
        return [replace(row, note=number[row.key]) if row.key in number else row for row in rows]

    for section in sections:
        section.other_figures = noted(section.other_figures)
        for capability in section.capabilities:
            capability.figures = noted(capability.figures)
    return noted(key_figures), endnotes
