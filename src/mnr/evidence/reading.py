"""The evidence files a page shows, read once per page."""

from __future__ import annotations

from collections import defaultdict

from mnr.evidence.models import Evidence
from mnr.surveys.models import Submission

_CACHE = "_evidence_by_question"


def evidence_by_question(submission: Submission) -> dict[str, list[Evidence]]:
    """The files attached to the answers of ``submission`` (removed ones left out), by question
    code, oldest first. Read with one query the first time a page asks, then kept on the
    submission object for the rest of the page."""
    cached: dict[str, list[Evidence]] | None = submission.__dict__.get(_CACHE)
    if cached is not None:
        return cached
    files: dict[str, list[Evidence]] = defaultdict(list)
    for evidence in (
        Evidence.objects.attached()
        .filter(answer__submission_id=submission.pk)
        .select_related("answer__question", "uploaded_by")
        .order_by("uploaded_at", "id")
    ):
        files[evidence.answer.question.code].append(evidence)
    found = dict(files)
    submission.__dict__[_CACHE] = found
    return found
