"""Uploading, removing and downloading evidence files.

Uploads and removals are plain form posts (they work without JavaScript) that come back to
the question on the answer page with a message. Downloads go to those who may see the answer
(``get_submission_for_user``: 404 for everyone else), as attachments, with the content type
the file was checked to be and ``nosniff``, so that a browser never runs one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mnr.audit.record import record_download
from mnr.core.limits import MAX_EVIDENCE_BYTES
from mnr.errors import MnrError
from mnr.evidence import actions, storage
from mnr.evidence.models import Evidence
from mnr.surveys.access import get_submission_for_user
from mnr.surveys.models import Submission

# Room for the form's other fields and the multipart boundaries around the file.
_FORM_OVERHEAD = 64 * 1024


def _back(submission: Submission, request: HttpRequest, question: str = "") -> HttpResponse:
    url = reverse("submission", args=[submission.pk])
    domain = request.POST.get("domain", "")
    if domain and domain != "general" and domain.isascii() and domain.isalnum():
        url += f"?domain={domain}"
    if question:
        url += "#q-" + question.replace(".", "_")
    return redirect(url)


@login_required
@require_POST
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request.user, pk, write=True)
    # Refused before the body is read: a file far over the limit is not stored anywhere.
    length = request.META.get("CONTENT_LENGTH", "")
    if length.isdecimal() and int(length) > MAX_EVIDENCE_BYTES + _FORM_OVERHEAD:
        messages.error(
            request,
            _(
                "The file is about %(size)s bytes; evidence files may be at most %(limit)s MiB. "
                "Nothing was attached."
            )
            % {"size": f"{int(length):,}", "limit": MAX_EVIDENCE_BYTES // 1024 // 1024},
        )
        return _back(submission, request)
    question = request.POST.get("question", "")
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(
            request,
            _("%(question)s: choose a file to attach, then upload it.") % {"question": question},
        )
        return _back(submission, request, question)
    try:
        evidence = actions.attach_evidence(
            submission, question, uploaded, acting_user=request.user, source="web"
        )
    except MnrError as error:
        messages.error(request, _("Nothing was attached. %(error)s") % {"error": error})
        return _back(submission, request, question)
    messages.success(
        request,
        _("%(question)s: attached %(file)s.")
        % {"question": question, "file": evidence.original_name},
    )
    return _back(submission, request, question)


@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request.user, pk, write=True)
    given = request.POST.get("evidence", "")
    if not given.isdecimal():
        raise Http404(_("No such evidence file"))
    try:
        evidence = actions.remove_evidence(
            submission, int(given), acting_user=request.user, source="web"
        )
    except MnrError as error:
        messages.error(request, str(error))
        return _back(submission, request)
    question = evidence.answer.question.code
    messages.success(
        request,
        _("%(question)s: removed %(file)s.")
        % {"question": question, "file": evidence.original_name},
    )
    return _back(submission, request, question)


@login_required
@require_GET
def download(request: HttpRequest, pk: int, evidence_id: int) -> FileResponse:
    submission = get_submission_for_user(request.user, pk)
    evidence = (
        Evidence.objects.attached().filter(pk=evidence_id, answer__submission=submission).first()
    )
    if evidence is None:
        raise Http404(_("No such evidence file"))
    try:
        stream = storage.path_of(evidence.stored_as).open("rb")
    except (OSError, ValueError) as error:
        raise Http404(_("The evidence file is missing from the server's storage")) from error
    record_download(
        request,
        evidence,
        what="evidence",
        filename=evidence.original_name,
        jurisdiction=submission.jurisdiction.code,
    )
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response
