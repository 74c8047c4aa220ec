"""Fuzzing the evidence upload (``/submissions/<pk>/evidence/``, as a focal point who may
write) with hostile question codes, file names and contents, and the report narrative markup
(mnr.reports.markup) with any text: an upload is attached or refused with a message on the
answer page, never a 500, and a refused one stores nothing (no Evidence row, no history, no
audit event, no file on disk); any narrative text is stored cleaned or refused with MnrError
naming its block, and renders without raw HTML.

tests/core/test_evidence.py fuzzes the content check alone; tests/django/test_evidence_uploads.py
has the hand-written hostile files; tests/django/test_report_markup.py the markup's rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from tests import evidence_files as files
from tests.mutations import FUZZ, hostile_text, spoiled_bytes
from tests.submissions import opened

from mnr.audit.models import AuditEvent
from mnr.errors import MnrError
from mnr.evidence.models import Evidence
from mnr.reports.markup import MAX_NARRATIVE_LENGTH, clean_text, html_blocks
from mnr.surveys.models import AnswerChange, Submission

DB_FUZZ = settings(FUZZ, max_examples=min(FUZZ.max_examples, 25))


def stored_files(root: Path) -> int:
    return sum(1 for path in root.rglob("*") if path.is_file()) if root.exists() else 0


@pytest.fixture
def kenya(review_round: Any) -> Submission:
    return opened(review_round, "KE")


@pytest.mark.django_db
@DB_FUZZ
@given(
    # Found by this test on PostgreSQL: a NUL in the question code was a 500 (DataError).
    question=st.one_of(
        st.sampled_from(["C11.status", "C01.good_practice", "C11.status\x00", "\x00"]),
        hostile_text,
    ),
    name=st.one_of(st.sampled_from(["law.pdf", "scan.png", "a.docx"]), hostile_text),
    content=st.one_of(st.just(files.PDF), spoiled_bytes(files.PDF), st.binary(max_size=200)),
)
def test_any_hostile_upload_is_attached_or_refused_with_a_message_storing_nothing(
    personas: dict[str, Any],
    kenya: Submission,
    settings: Any,
    question: str,
    name: str,
    content: bytes,
) -> None:
    # What a client can send: text that is UTF-8 (a lone surrogate is not).
    question, name = (text.encode("utf-8", "replace").decode() for text in (question, name))
    client = Client()
    client.force_login(personas["focal_point"])
    root = Path(settings.EVIDENCE_ROOT)
    before = (Evidence.objects.count(), AnswerChange.objects.count(), AuditEvent.objects.count())
    files_before = stored_files(root)
    upload = SimpleUploadedFile(name.replace("\x00", "") or "x", content)
    response = client.post(
        reverse("evidence-upload", args=[kenya.pk]), {"question": question, "file": upload}
    )
    assert response.status_code == 302, response.content
    page = client.get(response["Location"])
    assert page.status_code == 200
    if Evidence.objects.count() == before[0]:
        html = page.content.decode()
        # An empty file is no file to a browser's form, nor to Django's parser.
        assert "Nothing was attached" in html or "choose a file to attach" in html
        after = (Evidence.objects.count(), AnswerChange.objects.count(), AuditEvent.objects.count())
        assert after == before
        assert stored_files(root) == files_before


@FUZZ
@given(text=st.one_of(hostile_text, st.text(max_size=300), st.just("<script>x</script>")))
def test_any_narrative_text_is_stored_cleaned_or_refused_naming_its_block(text: str) -> None:
    try:
        cleaned = clean_text(text, where="headline 3 (fr)")
    except MnrError as refused:
        assert str(refused).startswith("headline 3 (fr): ")
        return
    assert len(cleaned) <= MAX_NARRATIVE_LENGTH
    assert "\r" not in cleaned
    rendered = "".join(html_blocks(cleaned))
    assert "<script" not in rendered
