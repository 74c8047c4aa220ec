"""The findings explorer (``/rounds/<code>/findings/``): a round's findings filtered by
domain, capability, breakdown and, for those who read the live round, submission status; a
table, a chart of exactly the table's rows, and downloads (CSV, XLSX) of exactly the table.

What a user may see is decided by the findings service alone
(:func:`mnr.findings.service.round_findings`: the latest publication for the public,
disclosure control for focal points, the live round for analysts). This module only chooses
rows among the findings it returns and writes them out; a withheld cell stays withheld, with
its reason, in the page, the chart and every download.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from mnr.audit.record import record_download
from mnr.core import charts
from mnr.core.findings import BREAKDOWNS, COUNT_KEYS, Finding
from mnr.core.framework import text as label_text
from mnr.core.tables import XLSX_MIMETYPE, Cell, csv_bytes, xlsx_bytes
from mnr.errors import MnrError
from mnr.findings.data import RoundQuestions, round_questions
from mnr.findings.service import reads_live, round_findings
from mnr.frameworks.models import Capability, Channel
from mnr.publications.models import Publication
from mnr.publications.reading import latest_publication_identity
from mnr.surveys.access import can_manage_round, get_round_for_user
from mnr.surveys.models import Round, Submission
from mnr.web import labels
from mnr.web.i18n import ui_language
from mnr.web.robustness_panel import Panel, figures_panel

FORMATS: Mapping[str, str] = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MIMETYPE}


class FilterError(MnrError):
    """A filter value the round does not have (the page says which and offers the rest)."""


@dataclass(frozen=True)
class Filters:
    domain: str = ""
    capability: str = ""
    by: str | None = None
    status: str = ""

    def query(self) -> str:
        """The filters as a query string (empty ones left out), for the download links."""
        pairs = [
            ("domain", self.domain),
            ("capability", self.capability),
            ("by", self.by or ""),
            ("status", self.status),
        ]
        return urlencode([(key, value) for key, value in pairs if value])


@dataclass(frozen=True)
class Area:
    """A domain or capability of the round's edition that has counted questions."""

    code: str
    name: str
    domain: str = ""

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}".strip()


@dataclass(frozen=True)
class Outline:
    """The round's domains and capabilities, and the questions each capability's findings
    are read from (through the instrument's crosswalk)."""

    domains: tuple[Area, ...]
    capabilities: tuple[Area, ...]
    questions: Mapping[str, frozenset[str]]

    def domain(self, code: str) -> Area:
        return next(area for area in self.domains if area.code == code)

    def capability(self, code: str) -> Area:
        return next(area for area in self.capabilities if area.code == code)

    def in_domain(self, domain: str) -> list[Area]:
        return [area for area in self.capabilities if not domain or area.domain == domain]


@dataclass(frozen=True)
class Row:
    """A row of the table: a finding with its question's text and its group's name."""

    finding: Finding
    label: str
    group: str
    # The question's robustness panel on the page ("" when it has none).
    robust_anchor: str = ""

    @property
    def reason(self) -> str:
        if not self.finding.suppressed:
            return ""
        return labels.suppression_reason(self.finding.suppression_reason) or _("withheld")


@dataclass
class Explorer:
    round: Round
    filters: Filters
    outline: Outline
    live: bool
    publication: int | None
    breakdowns: list[tuple[str, str]]
    statuses: list[tuple[str, str]]
    rows: list[Row] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    robustness: Panel | None = None

    @property
    def source(self) -> str:
        """Which answers the figures come from, as the downloads' title line names them."""
        if self.publication is not None:
            return _("publication %(number)s") % {"number": self.publication}
        return _("live")

    def description(self) -> str:
        """The title line of a download: the round, its source, the filters, synthetic."""
        round_ = self.round
        filters = self.filters
        parts = [
            _("Findings of %(title)s (%(code)s)") % {"title": round_.title, "code": round_.code},
            self.source,
            _("domain: %(domain)s")
            % {
                "domain": self.outline.domain(filters.domain).label
                if filters.domain
                else _("every domain")
            },
            _("capability: %(capability)s")
            % {
                "capability": self.outline.capability(filters.capability).label
                if filters.capability
                else _("every capability")
            },
            _("breakdown: %(breakdown)s") % {"breakdown": breakdown_names()[filters.by or ""]},
        ]
        if self.statuses:
            status = dict(self.statuses).get(filters.status, _("every status"))
            parts.append(_("submissions counted: %(status)s") % {"status": status})
        if self.live:
            parts.append(_("every cell shown"))
        else:
            parts.append(_("withheld cells are empty, with the reason"))
        if round_.synthetic:
            parts.append(_("Synthetic data"))
        return " · ".join(parts)

    def filename(self, file_format: str) -> str:
        """``<round>-findings[-domain][-capability][-by-…][-status]-<publication-N|live>
        [-synthetic].<format>``."""
        filters = self.filters
        parts = [self.round.code, "findings", filters.domain, filters.capability]
        parts += [f"by-{filters.by}" if filters.by else "", filters.status]
        parts.append(f"publication-{self.publication}" if self.publication else "live")
        parts.append("synthetic" if self.round.synthetic else "")
        return "-".join(part for part in parts if part) + f".{file_format}"

    def columns(self) -> list[str]:
        return [
            _("Question"),
            _("Question text"),
            _("Group"),
            _("Yes"),
            _("Partly"),
            _("No"),
            _("Don’t know"),  # noqa: RUF001 (the table's heading)
            _("N/A"),
            _("No answer"),
            _("Share (%)"),
            _("In place"),
            _("Answered"),
            _("Withheld because"),
            _("Finding"),
        ]

    def table(self) -> list[list[Cell]]:
        """The rows as the downloads hold them. Disclosure control has emptied a withheld
        finding's numbers already; its row gives the reason."""
        lines: list[list[Cell]] = []
        for row in self.rows:
            finding = row.finding
            counts: list[Cell] = [finding.counts.get(code) for code in COUNT_KEYS]
            lines.append(
                [
                    finding.question,
                    row.label,
                    row.group,
                    *counts,
                    finding.percent,
                    finding.numerator,
                    finding.denominator,
                    row.reason,
                    finding.sentence or "",
                ]
            )
        return lines

    def chart(self) -> charts.Chart | None:
        if not self.rows:
            return None
        rows = [
            charts.ExplorerRow(row.finding, None if row.finding.by is None else row.group)
            for row in self.rows
        ]
        return charts.explorer_chart(rows, ui_language(), synthetic=self.round.synthetic)


def outline_of(round_: Round, questions: RoundQuestions) -> Outline:
    """The edition's domains and capabilities that the round's counted questions speak to,
    in framework order."""
    lang = ui_language()
    wanted: dict[str, set[str]] = {}
    for question, codes in questions.capabilities.items():
        for code in codes:
            wanted.setdefault(code, set()).add(question)
    capabilities = list(
        Capability.objects.filter(edition_id=round_.instrument.edition_id, code__in=wanted)
        .select_related("domain")
        .order_by("domain__position", "position")
    )
    domains = {
        c.domain.code: Area(c.domain.code, label_text(c.domain.name, lang)) for c in capabilities
    }
    return Outline(
        domains=tuple(domains.values()),
        capabilities=tuple(
            Area(c.code, label_text(c.name, lang), c.domain.code) for c in capabilities
        ),
        questions={code: frozenset(found) for code, found in wanted.items()},
    )


def breakdown_names() -> dict[str, str]:
    """Each breakdown as a noun, for a line that names it ("breakdown: region")."""
    return {
        "": _("all jurisdictions"),
        "income": _("income (high, low and middle)"),
        "income-group": _("World Bank income group"),
        "region": _("region"),
        "channel": _("channel"),
    }


def breakdown_choices(round_: Round) -> list[tuple[str, str]]:
    """The breakdowns the round allows, by name: by channel only when it has several."""
    names = {
        "income": _("By income (high, low and middle)"),
        "income-group": _("By World Bank income group"),
        "region": _("By region"),
        "channel": _("By channel"),
    }
    allowed = [b for b in BREAKDOWNS if b != "channel" or len(round_.channels) > 1]
    return [("", _("All jurisdictions")), *((b, names[b]) for b in allowed)]


def read_filters(
    query: QueryDict,
    outline: Outline,
    breakdowns: Sequence[tuple[str, str]],
    statuses: Sequence[tuple[str, str]],
) -> tuple[Filters, list[str]]:
    """The filters asked for, and notices of what was changed to fit: a capability outside
    the chosen domain is dropped (the domain was just changed). FilterError for a value the
    round does not have."""
    domain = query.get("domain", "").strip()
    capability = query.get("capability", "").strip()
    by = query.get("by", "").strip()
    status = query.get("status", "").strip()
    if domain and domain not in {area.code for area in outline.domains}:
        raise FilterError(
            _("This round has no domain “%(value)s”. Choose one of: %(choices)s.")
            % {"value": domain, "choices": ", ".join(a.label for a in outline.domains)}
        )
    if capability and capability not in {area.code for area in outline.capabilities}:
        raise FilterError(
            _("This round has no capability “%(value)s”. Choose one of: %(choices)s.")
            % {"value": capability, "choices": ", ".join(a.code for a in outline.capabilities)}
        )
    if by not in dict(breakdowns):
        raise FilterError(
            _("This round has no breakdown “%(value)s”. Choose one of: %(choices)s.")
            % {"value": by, "choices": ", ".join(name for _code, name in breakdowns)}
        )
    if status and status not in dict(statuses):
        # Who reads a publication reads its validated submissions; the status filter is the
        # live round's (as before, an unknown status counts every submission).
        status = ""
    notices = []
    if capability and domain and outline.capability(capability).domain != domain:
        notices.append(
            _("%(capability)s is not in %(domain)s: every capability of the domain is shown.")
            % {
                "capability": outline.capability(capability).label,
                "domain": outline.domain(domain).label,
            }
        )
        capability = ""
    return Filters(domain, capability, by or None, status), notices


def group_name(finding: Finding, channels: Mapping[str, Mapping[str, str]]) -> str:
    """A row's group as the table names it: income groups, regions and channels by name."""
    if finding.group is None:
        return _("all")
    if finding.by == "channel":
        return label_text(channels.get(finding.group) or {}, ui_language()) or finding.group
    return labels.group_name(finding.group, finding.by)


def explore(request: HttpRequest, round_: Round, *, robustness: bool = False) -> Explorer:
    """The explorer of ``round_`` as the user may see it, filtered as the request asks, with
    the robustness panel when asked (the page's, not the downloads'). FilterError for an
    unknown filter value; MnrError when the user may not read the round's findings (an
    unpublished round for the public)."""
    user = request.user
    lang = ui_language()
    questions = round_questions(round_)
    live = reads_live(user, round_, public=False)
    outline = outline_of(round_, questions)
    breakdowns = breakdown_choices(round_)
    statuses = [(value, str(label)) for value, label in Submission.Status.choices] if live else []
    filters, notices = read_filters(request.GET, outline, breakdowns, statuses)
    explorer = Explorer(
        round=round_,
        filters=filters,
        outline=outline,
        live=live,
        publication=None,
        breakdowns=breakdowns,
        statuses=statuses,
        notices=notices,
    )
    # Looked up once: the findings shown are those of the publication the page names.
    publication = None if live else latest_publication_identity(round_)
    if publication is not None:
        explorer.publication = publication.number
    findings = round_findings(
        round_,
        breakdowns=[filters.by],
        user=user,
        lang=lang,
        questions=questions,
        statuses=[filters.status] if filters.status else None,
        publication=publication,
    )
    kept = _kept_questions(filters, outline)
    channels = dict(Channel.objects.values_list("code", "label")) if filters.by == "channel" else {}
    explorer.rows = [
        Row(f, label_text(questions.labels.get(f.question) or {}, lang), group_name(f, channels))
        for f in findings
        if kept is None or f.question in kept
    ]
    if robustness:
        _add_robustness(
            explorer, latest_publication_identity(round_) if live else publication, lang
        )
    return explorer


def _add_robustness(explorer: Explorer, publication: Publication | None, lang: str) -> None:
    """The latest publication's stored public robustness, for live readers too: a page never
    shows robustness of the live round."""
    explorer.robustness = figures_panel(
        publication,
        [row.finding.question for row in explorer.rows],
        {row.finding.question: row.label for row in explorer.rows},
        lang,
        channels=explorer.round.channels,
    )
    if explorer.robustness is not None:
        anchors = explorer.robustness.anchors()
        explorer.rows = [
            replace(row, robust_anchor=anchors[row.finding.question])
            if row.finding.group is None and row.finding.question in anchors
            else row
            for row in explorer.rows
        ]


def _kept_questions(filters: Filters, outline: Outline) -> frozenset[str] | None:
    """The questions the filters keep (None: every question, general ones included)."""
    if filters.capability:
        return outline.questions[filters.capability]
    if filters.domain:
        return frozenset().union(
            *(outline.questions[area.code] for area in outline.in_domain(filters.domain))
        )
    return None


def _page(
    request: HttpRequest, round_: Round, explorer: Explorer | None, error: str = ""
) -> HttpResponse:
    chart = explorer.chart() if explorer else None
    context: dict[str, Any] = {
        "round": round_,
        "explorer": explorer,
        "error": error,
        "can_edit_report": can_manage_round(request.user, round_),
        "chart_spec": chart.spec if chart else None,
        "chart_alt": chart.alt_text if chart else "",
    }
    if explorer is not None:
        context.update(
            {
                "rows": explorer.rows,
                "filters": explorer.filters,
                "by": explorer.filters.by,
                "status": explorer.filters.status,
                "status_label": dict(explorer.statuses).get(explorer.filters.status, ""),
                "suppressing": not explorer.live,
                "capability_options": explorer.outline.in_domain(explorer.filters.domain),
                "all_capabilities": [
                    {"code": a.code, "label": a.label, "domain": a.domain}
                    for a in explorer.outline.capabilities
                ],
                "download_query": explorer.filters.query(),
                "robustness": explorer.robustness,
            }
        )
    return render(request, "web/findings.html", context, status=400 if error else 200)


def findings_page(request: HttpRequest, code: str) -> HttpResponse:
    """Aggregates only: counts and shares per question, as the findings service lets the user
    see them (the latest publication for the public)."""
    round_ = get_round_for_user(request.user, code)
    try:
        explorer = explore(request, round_, robustness=True)
    except FilterError as error:
        return _page(request, round_, None, str(error))
    except MnrError as error:
        raise Http404(str(error)) from error
    return _page(request, round_, explorer)


def findings_download(request: HttpRequest, code: str, file_format: str) -> HttpResponse:
    """Exactly the table the page shows with the same filters, as CSV or XLSX."""
    if file_format not in FORMATS:
        raise Http404(f"No findings download as {file_format!r}")
    round_ = get_round_for_user(request.user, code)
    try:
        explorer = explore(request, round_)
    except FilterError as error:
        return _page(request, round_, None, str(error))
    except MnrError as error:
        raise Http404(str(error)) from error
    title = explorer.description()
    if file_format == "csv":
        content = csv_bytes([explorer.columns(), *explorer.table()], title=title)
    else:
        content = xlsx_bytes(_("Findings"), [explorer.columns(), *explorer.table()], title=title)
    filename = explorer.filename(file_format)
    record_download(request, round_, what="findings", filename=filename, live=explorer.live)
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Live figures are the analysts' own: never kept by a shared cache.
    if explorer.live:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, private=True)
    return response
