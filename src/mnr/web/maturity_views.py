"""A jurisdiction's maturity profile in the browser, and the profile and action plan as files.

Who may see them is decided by ``mnr.maturity.service.require_maturity_view`` (the
jurisdiction's lead focal point, reviewers and analysts whose scope covers it); anyone else
gets 404, as for any record they may not see, and an anonymous visitor is sent to sign in.
The plan is edited on its own page (``rounds/<code>/maturity/<jurisdiction>/plan/``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mnr.audit.record import record_download
from mnr.errors import MnrError
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import service
from mnr.maturity.render.plan import plan_document, plan_pdf, plan_xlsx
from mnr.maturity.render.profile import profile_html, profile_page_context, profile_pdf
from mnr.maturity.render.texts import LANGUAGES
from mnr.surveys.access import get_round_for_user
from mnr.surveys.models import Round
from mnr.web.i18n import ui_language

PROFILE_FORMATS = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
PLAN_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

GROUP_LABELS: dict[str, Any] = {
    "income-group": gettext_lazy("its income group"),
    "region": gettext_lazy("its region"),
}


def _lang(request: HttpRequest) -> str:
    wanted = request.GET.get("lang") or ui_language()
    return wanted if wanted in LANGUAGES else "en"


def _group(request: HttpRequest) -> str | None:
    wanted = request.GET.get("group") or None
    return wanted if wanted in service.GROUP_BREAKDOWNS else None


def _target(request: HttpRequest, code: str, jurisdiction_code: str) -> tuple[Round, Jurisdiction]:
    """The round and the participating jurisdiction, or 404 when the user may not see its
    maturity (or it does not take part)."""
    round_ = get_round_for_user(request.user, code)
    jurisdiction = Jurisdiction.objects.filter(code=jurisdiction_code).first()
    if jurisdiction is None or not round_.participations.filter(jurisdiction=jurisdiction).exists():
        raise Http404(
            _("%(jurisdiction)s does not take part in round %(round)s")
            % {"jurisdiction": jurisdiction_code, "round": round_.code}
        )
    service.require_maturity_view(request.user, round_, jurisdiction)
    return round_, jurisdiction


def _profile(request: HttpRequest, round_: Round, jurisdiction: Jurisdiction) -> dict[str, object]:
    try:
        return service.profile(
            round_, jurisdiction, lang=_lang(request), user=request.user, group=_group(request)
        )
    except MnrError as error:  # a round that asks no phase
        raise Http404(str(error)) from error


def _filename(round_: Round, jurisdiction: Jurisdiction, what: str, extension: str) -> str:
    synthetic = "-synthetic" if round_.synthetic else ""
    return f"{round_.code}-{jurisdiction.code}-{what}{synthetic}.{extension}"


def _file(
    request: HttpRequest,
    place: Jurisdiction,
    what: str,
    content: bytes,
    mimetype: str,
    filename: str,
) -> HttpResponse:
    record_download(request, place, what=what, filename=filename)
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def maturity_profile(request: HttpRequest, code: str, jurisdiction: str) -> HttpResponse:
    round_, place = _target(request, code, jurisdiction)
    found = _profile(request, round_, place)
    context = profile_page_context(found)
    context.update(
        {
            "round": round_,
            "jurisdiction": place,
            "languages": LANGUAGES,
            "groups": [(group, GROUP_LABELS[group]) for group in service.GROUP_BREAKDOWNS],
            "chosen_group": _group(request),
        }
    )
    return render(request, "web/maturity_profile.html", context)


@login_required
def maturity_profile_download(
    request: HttpRequest, code: str, jurisdiction: str, file_format: str
) -> HttpResponse:
    if file_format not in PROFILE_FORMATS:
        raise Http404(f"no profile as {file_format}; use {', '.join(PROFILE_FORMATS)}")
    round_, place = _target(request, code, jurisdiction)
    found = _profile(request, round_, place)
    content = profile_pdf(found) if file_format == "pdf" else profile_html(found).encode("utf-8")
    name = _filename(round_, place, f"profile-{found['lang']}", file_format)
    return _file(request, place, "profile", content, PROFILE_FORMATS[file_format], name)


@login_required
def plan_download(
    request: HttpRequest, code: str, jurisdiction: str, file_format: str
) -> HttpResponse:
    if file_format not in PLAN_FORMATS:
        raise Http404(f"no plan as {file_format}; use {', '.join(PLAN_FORMATS)}")
    round_, place = _target(request, code, jurisdiction)
    lang = _lang(request)
    try:
        document = plan_document(round_, place, lang=lang, user=request.user)
    except MnrError as error:
        raise Http404(str(error)) from error
    content = plan_xlsx(document) if file_format == "xlsx" else plan_pdf(document)
    name = _filename(round_, place, f"plan-{lang}", file_format)
    return _file(request, place, "plan", content, PLAN_FORMATS[file_format], name)
