"""The evidence files of a question on the answer and review pages, and their forms."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from django import template
from mnr.core.evidence import ACCEPTED_EXTENSIONS, FILE_TYPES
from mnr.core.limits import MAX_EVIDENCE_BYTES
from mnr.evidence.reading import evidence_by_question

register = template.Library()

ACCEPT = ",".join([*ACCEPTED_EXTENSIONS, *(kind.content_type for kind in FILE_TYPES)])
# ``mnr.core.evidence.ACCEPTED`` in the page's language (a test checks that the English agrees).
ACCEPTED_SHOWN = gettext_lazy(
    "PDF, PNG, JPEG, GIF or WebP images, Word, Excel or PowerPoint (DOCX, XLSX, PPTX) "
    "or OpenDocument (ODT, ODS, ODP) files"
)


@register.inclusion_tag("evidence/_files.html", takes_context=True)
def evidence_files(context: template.Context, entry: Any, editing: bool = False) -> dict[str, Any]:
    """The files attached to ``entry``'s answer, with download links; where the page edits
    answers, a remove button for each and the file input (both belong to the forms of
    ``evidence_forms``, outside the answers' form)."""
    submission = context["submission"]
    return {
        "entry": entry,
        "submission": submission,
        "files": evidence_by_question(submission).get(entry.code, []),
        "editing": editing,
        "accept": ACCEPT,
        "accepted": ACCEPTED_SHOWN,
        "max_mib": MAX_EVIDENCE_BYTES // 1024 // 1024,
    }


@register.inclusion_tag("evidence/_forms.html", takes_context=True)
def evidence_forms(context: template.Context, section: Any) -> dict[str, Any]:
    """One upload form per question of ``section`` and one removal form, empty: the inputs
    and buttons beside each question name them (HTML forms cannot nest)."""
    return {
        "submission": context["submission"],
        "section": section,
        "csrf_token": context.get("csrf_token"),
    }
