"""The round's report in the browser, its PDF, and the analysts' page that edits what it says."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from mnr.audit.record import record_download
from mnr.core.charts import vega_embed_bundle
from mnr.core.framework import text
from mnr.errors import MnrError
from mnr.frameworks.models import Capability
from mnr.publications.models import Publication, RenderedReport
from mnr.publications.reading import latest_publication_identity
from mnr.reports.actions import (
    BlockEdit,
    HeadlinesEdit,
    HeadlineSpec,
    ReportConflicts,
    ReportEdit,
    SnapshotEdit,
    StaleHeadlines,
    StaleSnapshotExclude,
    StaleText,
    current_snapshot_exclude,
    editor_headlines,
    headlines_digest,
    save_report_edit,
)
from mnr.reports.builder import ReportContext, build_report
from mnr.reports.cache import rendered_report
from mnr.reports.models import NarrativeBlock, ReportSettings
from mnr.reports.render import render_html, render_pdf
from mnr.reports.texts import LANGUAGES
from mnr.security import allow_stored_styles
from mnr.surveys.access import can_manage_round, get_round_for_user
from mnr.surveys.models import Round
from mnr.web.headline_form import (
    HeadlineFormSet,
    headline_choices,
    headline_initial,
    row_in_words,
    row_previews,
)
from mnr.web.i18n import ui_language

# How often the page of a report being prepared reloads itself.
PENDING_REFRESH_SECONDS = 3


def _lang(request: HttpRequest) -> str:
    wanted = request.GET.get("lang") or ui_language()
    return wanted if wanted in LANGUAGES else "en"


def _report_source(request: HttpRequest, code: str) -> tuple[Round, str, Publication | None]:
    """The latest publication whose report is asked for, or None for the live preview:
    analysts of the round may ask for the preview of what publishing now would freeze
    (``?preview=1``), and get it while nothing is published."""
    round_ = get_round_for_user(request.user, code)
    lang = _lang(request)
    manager = can_manage_round(request.user, round_)
    publication = latest_publication_identity(round_)
    if manager and (request.GET.get("preview") == "1" or publication is None):
        return round_, lang, None
    if publication is None:
        raise Http404(_("Round %(round)s has not been published yet.") % {"round": round_.code})
    return round_, lang, publication


def _preview(round_: Round, lang: str) -> ReportContext:
    try:
        return build_report(round_, lang, preview=True)
    except MnrError as error:
        raise Http404(str(error)) from error


def _pending(request: HttpRequest, round_: Round, rendering: RenderedReport) -> HttpResponse:
    """The page shown while the stored rendering is built; it reloads itself until it is."""
    failed = rendering.status == RenderedReport.Status.FAILED
    response = render(
        request,
        "web/report_pending.html",
        {"round": round_, "rendering": rendering, "failed": failed},
        status=500 if failed else 202,
    )
    if not failed:
        response["Refresh"] = str(PENDING_REFRESH_SECONDS)
    return response


def round_report(request: HttpRequest, code: str) -> HttpResponse:
    """The report holds aggregates only, so whoever may open the round may read it."""
    round_, lang, publication = _report_source(request, code)
    if publication is None:
        document = render_html(_preview(round_, lang)).encode("utf-8")
    else:
        rendering = rendered_report(publication, lang, RenderedReport.Format.HTML)
        if rendering.status != RenderedReport.Status.READY:
            return _pending(request, round_, rendering)
        document = bytes(rendering.content)
    return allow_stored_styles(HttpResponse(document), document)


def round_report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    round_, lang, publication = _report_source(request, code)
    if publication is None:
        content = render_pdf(_preview(round_, lang))
    else:
        rendering = rendered_report(publication, lang, RenderedReport.Format.PDF)
        if rendering.status != RenderedReport.Status.READY:
            return _pending(request, round_, rendering)
        content = bytes(rendering.content)
    filename = f"{round_.code}-report-{lang}.pdf"
    record_download(
        request,
        publication if publication is not None else round_,
        what="report preview" if publication is None else "report",
        filename=filename,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@cache_control(max_age=86400, public=True)
def vega_embed_js(request: HttpRequest) -> HttpResponse:
    """vega-embed with Vega and Vega-Lite, served from here: no CDN."""
    return HttpResponse(vega_embed_bundle(), content_type="text/javascript")


# What each narrative block is for and where the report shows it, under its label.
BLOCK_HINTS = {
    NarrativeBlock.Key.TITLE: gettext_lazy(
        "The round's title as the report's cover and page headers give it, on one line; "
        "empty: the round's own title."
    ),
    NarrativeBlock.Key.ACKNOWLEDGEMENTS: gettext_lazy(
        "Who made the review possible; shown first, after the contents."
    ),
    NarrativeBlock.Key.INTRODUCTION: gettext_lazy(
        "Why the round was run and how to read the report."
    ),
    NarrativeBlock.Key.AIMS: gettext_lazy(
        "What the review sets out to do; a numbered list reads well. Shown before the method, "
        "which the report writes itself from the round."
    ),
    NarrativeBlock.Key.KEY_MESSAGES: gettext_lazy(
        "The few messages a reader should take away; shown after the key findings."
    ),
    NarrativeBlock.Key.CHALLENGES: gettext_lazy(
        "What stands in the way across the domains; shown after the domain sections."
    ),
    NarrativeBlock.Key.CALL_TO_ACTION: gettext_lazy(
        "The priorities as a numbered list (1. …), each opening with its title in **bold**; "
        "a paragraph before the list introduces them."
    ),
    NarrativeBlock.Key.CLOSING: gettext_lazy("The closing words, after the call to action."),
}

# What a form that has been shown a conflict says about it: the user keeps their own text or
# takes the one saved meanwhile.
MINE, THEIRS = "mine", "theirs"


@dataclass
class BlockField:
    """One narrative block on the editor page: what the textarea holds, and the text and
    version it was loaded with (sent back in hidden inputs)."""

    key: str
    label: str
    body: str
    loaded: str
    version: int
    english: str = ""
    conflict: StaleText | None = None
    hint: str = ""


@dataclass
class EditorState:
    blocks: list[BlockField]
    headlines_digest: str
    headlines_version: int
    snapshot_exclude: str
    snapshot_loaded: str
    headlines_conflict: StaleHeadlines | None = None
    theirs_headlines: list[HeadlineSpec] | None = None
    snapshot_conflict: StaleSnapshotExclude | None = None


def _headline_rows(specs: list[HeadlineSpec], lang: str) -> list[dict[str, object]]:
    return [
        {
            "key": spec.key,
            "domain": spec.domain,
            "question": spec.question,
            "counts_as": "|".join(spec.counts_as),
            "population": spec.population,
            "subject": spec.subject.get(lang, ""),
            "statement": spec.statement.get(lang, ""),
            "callout": spec.callout,
            "phrase": spec.phrase,
        }
        for spec in specs
    ]


def _specs_from(formset: Any, lang: str) -> tuple[HeadlineSpec, ...]:
    return tuple(
        HeadlineSpec(
            key=row["key"],
            domain=row["domain"],
            question=row["question"],
            counts_as=tuple(row["counts_as"]),
            population=row["population"],
            subject={lang: row["subject"]} if row["subject"] else {},
            statement={lang: row["statement"]},
            callout=row["callout"],
            phrase=row.get("phrase") or "",
        )
        for row in formset.cleaned_data
        if row and not row.get("DELETE")
    )


def _codes(*values: str) -> tuple[str, ...]:
    """Capability codes from checkbox values (or comma-separated text, as the hidden inputs
    carry them)."""
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


def _posted_snapshot(post: QueryDict) -> tuple[str, ...]:
    """The capabilities ticked, in the order they were loaded in when the same ones are ticked
    (the boxes are in framework order), so that an untouched list is not rewritten."""
    ticked = _codes(*post.getlist("snapshot_exclude"))
    loaded = _codes(post.get("snapshot_exclude-loaded", ""))
    return loaded if set(ticked) == set(loaded) else ticked


def _stored_state(round_: Round, lang: str) -> EditorState:
    """The editor as loaded from the database."""
    stored = {block.key: block for block in NarrativeBlock.objects.filter(round=round_)}
    blocks = []
    for key, label in NarrativeBlock.Key.choices:
        block = stored.get(key)
        body = block.text.get(lang, "") if block else ""
        english = block.text.get("en", "") if block and lang != "en" and not body else ""
        version = block.version if block else 0
        hint = str(BLOCK_HINTS.get(NarrativeBlock.Key(key), ""))
        blocks.append(BlockField(key, str(label), body, body, version, english, hint=hint))
    report_settings = ReportSettings.objects.filter(round=round_).first()
    snapshot = ", ".join(current_snapshot_exclude(round_))
    return EditorState(
        blocks=blocks,
        headlines_digest=headlines_digest(editor_headlines(round_, lang), lang),
        headlines_version=report_settings.headlines_version if report_settings else 0,
        snapshot_exclude=snapshot,
        snapshot_loaded=snapshot,
    )


def _version(post: QueryDict, name: str) -> int | None:
    """A version from a hidden input; None when a form does not carry one (a page opened
    before versions existed, or a damaged form): every difference then counts as a conflict."""
    value = post.get(name, "")
    return int(value) if value.isdecimal() else None


def _posted_state(round_: Round, lang: str, post: QueryDict) -> EditorState:
    """The editor as the user posted it: their texts, and what each part was loaded with."""
    stored = _stored_state(round_, lang)
    blocks = [
        BlockField(
            block.key,
            block.label,
            post.get(f"narrative-{block.key}", ""),
            post.get(f"narrative-{block.key}-loaded", ""),
            _version(post, f"narrative-{block.key}-version") or 0,
            block.english,
            hint=block.hint,
        )
        for block in stored.blocks
    ]
    return EditorState(
        blocks=blocks,
        headlines_digest=post.get("headlines-digest", ""),
        headlines_version=_version(post, "headlines-version") or 0,
        snapshot_exclude=", ".join(_posted_snapshot(post)),
        snapshot_loaded=post.get("snapshot_exclude-loaded", ""),
    )


def _posted_edit(post: QueryDict, lang: str, specs: tuple[HeadlineSpec, ...]) -> ReportEdit:
    """What the form asks to save; a part shown in conflict is saved as the user chose."""
    blocks = []
    for key in NarrativeBlock.Key.values:
        loaded_text = post.get(f"narrative-{key}-loaded")
        choice = post.get(f"narrative-{key}-choice")
        if choice == THEIRS:
            continue
        blocks.append(
            BlockEdit(
                key=key,
                text=post.get(f"narrative-{key}", ""),
                loaded_text=loaded_text,
                loaded_version=_version(post, f"narrative-{key}-version"),
            )
        )
    headlines = None
    if post.get("headlines-choice") != THEIRS:
        headlines = HeadlinesEdit(
            specs=specs,
            loaded_digest=post.get("headlines-digest", ""),
            loaded_version=_version(post, "headlines-version"),
        )
    snapshot = None
    if post.get("snapshot_exclude-choice") != THEIRS:
        loaded = post.get("snapshot_exclude-loaded")
        snapshot = SnapshotEdit(
            capabilities=_posted_snapshot(post),
            loaded=_codes(loaded) if loaded is not None else None,
        )
    return ReportEdit(lang=lang, blocks=tuple(blocks), headlines=headlines, snapshot=snapshot)


def _unchosen(post: QueryDict) -> list[str]:
    """Parts shown in conflict for which the user chose neither text."""
    names = [f"narrative-{key}" for key in NarrativeBlock.Key.values]
    return [
        name
        for name in [*names, "headlines", "snapshot_exclude"]
        if post.get(f"{name}-conflict") and post.get(f"{name}-choice") not in (MINE, THEIRS)
    ]


def _show_conflicts(
    state: EditorState, conflicts: list[Any], round_: Round, lang: str
) -> EditorState:
    """Mark each conflicting part and rebase it on the current version, so that saving again
    saves the user's choice; the other parts keep what they were loaded with."""
    by_key = {c.key: c for c in conflicts if isinstance(c, StaleText)}
    for block in state.blocks:
        conflict = by_key.get(block.key)
        if conflict is not None:
            block.conflict = conflict
            block.loaded = conflict.text
            block.version = conflict.version
    for conflict in conflicts:
        if isinstance(conflict, StaleHeadlines):
            state.headlines_conflict = conflict
            state.theirs_headlines = editor_headlines(round_, lang)
            state.headlines_digest = headlines_digest(state.theirs_headlines, lang)
            state.headlines_version = conflict.version
        elif isinstance(conflict, StaleSnapshotExclude):
            state.snapshot_conflict = conflict
            state.snapshot_loaded = ", ".join(conflict.current)
    return state


def _current_conflicts(round_: Round, lang: str, parts: list[str]) -> list[Any]:
    """The conflicts of ``parts`` as they stand now, to show them again."""
    conflicts: list[Any] = []
    stored = {block.key: block for block in NarrativeBlock.objects.filter(round=round_)}
    for part in parts:
        key = part.removeprefix("narrative-")
        if key in NarrativeBlock.Key.values:
            block = stored.get(key) or NarrativeBlock(round=round_, key=key)
            conflicts.append(StaleText(block, lang, block.version))
        elif part == "headlines":
            version = _stored_state(round_, lang).headlines_version
            conflicts.append(StaleHeadlines(version, version))
        else:
            current = current_snapshot_exclude(round_)
            conflicts.append(StaleSnapshotExclude(current, current))
    return conflicts


@login_required
@require_http_methods(["GET", "POST"])
def round_report_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Analysts choose the headlines and write the narrative blocks (one language at a time).

    The form carries what each part was loaded with; saving writes only what the user changed,
    and a part someone else saved meanwhile comes back as a conflict showing both versions."""
    round_ = get_round_for_user(request.user, code, manage=True)
    lang = _lang(request)
    choices = {"choices": headline_choices(round_, lang)}
    if request.method != "POST":
        state = _stored_state(round_, lang)
        initial = [
            headline_initial(row, choices["choices"])
            for row in _headline_rows(editor_headlines(round_, lang), lang)
        ]
        formset = HeadlineFormSet(initial=initial, form_kwargs=choices)
        return _editor_page(request, round_, lang, state, formset)
    formset = HeadlineFormSet(request.POST, form_kwargs=choices)
    state = _posted_state(round_, lang, request.POST)
    if request.POST.get("preview"):
        # The preview button (and the page's script) shows the sentences; nothing is saved.
        return _editor_page(request, round_, lang, state, formset)
    unchosen = _unchosen(request.POST)
    if unchosen:
        messages.error(request, _("Nothing was saved: choose which text to keep where marked."))
        conflicts = _current_conflicts(round_, lang, unchosen)
        return _editor_page(
            request, round_, lang, _show_conflicts(state, conflicts, round_, lang), formset
        )
    if not formset.is_valid():
        messages.error(request, _("Nothing was saved: correct the headline rows marked below."))
        return _editor_page(request, round_, lang, state, formset)
    edit = _posted_edit(request.POST, lang, _specs_from(formset, lang))
    try:
        saved = save_report_edit(round_, edit, acting_user=request.user)
    except ReportConflicts as refused:
        messages.error(
            request,
            _(
                "Nothing was saved: someone else changed the parts marked below while you were "
                "editing. Both versions are shown; choose one for each and save again."
            ),
        )
        return _editor_page(
            request,
            round_,
            lang,
            _show_conflicts(state, refused.conflicts, round_, lang),
            formset,
        )
    except MnrError as error:
        messages.error(request, _("Nothing was saved: %(error)s") % {"error": error})
        return _editor_page(request, round_, lang, state, formset)
    labels = dict(NarrativeBlock.Key.choices)
    names = {"headlines": _("headlines"), "snapshot_exclude": _("snapshot exclusions")}
    if saved:
        changed = ", ".join(str(labels.get(part, names.get(part, part))) for part in saved)
        messages.success(request, _("Saved: %(parts)s.") % {"parts": changed})
    else:
        messages.info(request, _("Nothing had changed; nothing was saved."))
    return redirect(f"{request.path}?lang={lang}")


def _editor_page(
    request: HttpRequest, round_: Round, lang: str, state: EditorState, formset: Any
) -> HttpResponse:
    choices = formset.form_kwargs["choices"]
    left_out = set(_codes(state.snapshot_exclude))
    capabilities = [
        (capability.code, text(capability.name, lang), capability.code in left_out)
        for capability in Capability.objects.filter(edition_id=round_.instrument.edition_id)
    ]
    return render(
        request,
        "web/report_edit.html",
        {
            "round": round_,
            "lang": lang,
            "languages": LANGUAGES,
            "state": state,
            "formset": formset,
            "snapshot_capabilities": capabilities,
            "headline_rows": list(zip(formset, row_previews(round_, formset, lang), strict=True)),
            "theirs_rows": [
                row_in_words(row, choices)
                for row in _headline_rows(state.theirs_headlines or [], lang)
            ],
            "MINE": MINE,
            "THEIRS": THEIRS,
        },
    )
