"""The round's report in the browser, its PDF, and the analysts' page that edits what it says."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from django import forms
from mnr.core.charts import vega_embed_bundle
from mnr.core.framework import text
from mnr.errors import MnrError
from mnr.reports.actions import HeadlineSpec, save_narrative, set_headlines, set_snapshot_exclude
from mnr.reports.builder import build_report, snapshot_exclusions
from mnr.reports.models import Headline, NarrativeBlock
from mnr.reports.render import render_html, render_pdf
from mnr.reports.texts import LANGUAGES
from mnr.surveys.access import get_round_for_user


def _lang(request: HttpRequest) -> str:
    wanted = request.GET.get("lang") or (get_language() or "en").split("-")[0]
    return wanted if wanted in LANGUAGES else "en"


def round_report(request: HttpRequest, code: str) -> HttpResponse:
    """The report holds aggregates only, so whoever may open the round may read it."""
    round_ = get_round_for_user(request.user, code)
    return HttpResponse(render_html(build_report(round_, _lang(request))))


def round_report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    round_ = get_round_for_user(request.user, code)
    lang = _lang(request)
    response = HttpResponse(render_pdf(build_report(round_, lang)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{round_.code}-report-{lang}.pdf"'
    return response


@cache_control(max_age=86400, public=True)
def vega_embed_js(request: HttpRequest) -> HttpResponse:
    """vega-embed with Vega and Vega-Lite, served from here: no CDN."""
    return HttpResponse(vega_embed_bundle(), content_type="text/javascript")


class HeadlineForm(forms.Form):
    key = forms.SlugField(max_length=40)
    domain = forms.CharField(max_length=20, required=False)
    question = forms.CharField(max_length=60)
    counts_as = forms.CharField(max_length=60, initial="yes|partial", help_text="codes joined by |")
    population = forms.CharField(max_length=100, initial="all")
    subject = forms.CharField(max_length=200, required=False)
    statement = forms.CharField(max_length=300)
    callout = forms.BooleanField(required=False)


HeadlineFormSet = forms.formset_factory(HeadlineForm, extra=2, can_delete=True)


def _initial(round_code: str, lang: str) -> list[dict[str, object]]:
    return [
        {
            "key": h.key,
            "domain": h.domain,
            "question": h.question,
            "counts_as": "|".join(h.counts_as),
            "population": h.population,
            "subject": text(h.subject, lang),
            "statement": text(h.statement, lang),
            "callout": h.callout,
        }
        for h in Headline.objects.filter(round__code=round_code)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def round_report_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Analysts choose the headlines and write the narrative blocks (one language at a time)."""
    round_ = get_round_for_user(request.user, code, manage=True)
    lang = _lang(request)
    blocks = {
        block.key: text(block.text, lang) for block in NarrativeBlock.objects.filter(round=round_)
    }
    formset = HeadlineFormSet(request.POST or None, initial=_initial(round_.code, lang))
    if request.method == "POST" and formset.is_valid():
        specs = [
            HeadlineSpec(
                key=row["key"],
                domain=row["domain"],
                question=row["question"],
                counts_as=tuple(c for c in row["counts_as"].split("|") if c),
                population=row["population"],
                subject={lang: row["subject"]} if row["subject"] else {},
                statement={lang: row["statement"]},
                callout=row["callout"],
            )
            for row in formset.cleaned_data
            if row and not row.get("DELETE")
        ]
        try:
            # Headlines and narrative are one save: either both are stored or neither.
            with transaction.atomic():
                set_headlines(round_, specs, acting_user=request.user)
                excluded = request.POST.get("snapshot_exclude", "")
                set_snapshot_exclude(
                    round_,
                    [code.strip() for code in excluded.split(",") if code.strip()],
                    acting_user=request.user,
                )
                for key in NarrativeBlock.Key.values:
                    save_narrative(
                        round_,
                        key,
                        request.POST.get(f"narrative-{key}", "").strip(),
                        lang=lang,
                        acting_user=request.user,
                    )
        except MnrError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Report settings saved.")
            return redirect(f"{request.path}?lang={lang}")
    return render(
        request,
        "web/report_edit.html",
        {
            "round": round_,
            "snapshot_exclude": ", ".join(snapshot_exclusions(round_)),
            "formset": formset,
            "lang": lang,
            "languages": LANGUAGES,
            "blocks": [
                (key, label, blocks.get(key, "")) for key, label in NarrativeBlock.Key.choices
            ],
        },
    )
