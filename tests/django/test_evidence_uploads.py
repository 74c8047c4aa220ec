"""Evidence files on the answer pages: who may upload, download and remove them, hostile files
refused with nothing stored, the answer's history, and the submission's lifecycle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests import evidence_files as files
from tests.submissions import in_state, opened

from mnr.errors import MnrError
from mnr.evidence import actions
from mnr.evidence.models import Evidence
from mnr.surveys.models import Answer, AnswerChange, Submission

pytestmark = pytest.mark.django_db

QUESTION = "C11.status"
LOGIN = "login"


@pytest.fixture
def uploads(settings: Any, tmp_path: Path) -> Path:
    """The folder evidence goes to, this test's own: what is on disk can be counted."""
    settings.EVIDENCE_ROOT = tmp_path / "uploads"
    return settings.EVIDENCE_ROOT


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def client_for(persona: str, personas: dict[str, Any]) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(personas[persona])
    return client


def upload(
    client: Client, submission: Submission, name: str = "law.pdf", content: bytes = files.PDF
) -> Any:
    return client.post(
        reverse("evidence-upload", args=[submission.pk]),
        {"question": QUESTION, "domain": "D3", "file": SimpleUploadedFile(name, content)},
    )


def attached(submission: Submission, name: str = "law.pdf") -> Evidence:
    return actions.attach_evidence(
        submission, QUESTION, SimpleUploadedFile(name, files.PDF), source="test"
    )


# What each persona gets for the Kenyan draft: upload, download, remove (a status code, or
# LOGIN for a redirect to the sign-in page; 302 for an upload or removal done).
PERMISSIONS = {
    "focal_point": (302, 200, 302),
    "other_focal_point": (404, 404, 404),
    "reviewer": (403, 200, 403),
    "analyst": (403, 200, 403),
    "administrator": (302, 200, 302),
    "anonymous": (LOGIN, LOGIN, LOGIN),
}


def outcome(response: Any) -> int | str:
    if response.status_code == 302 and reverse(LOGIN) in response["Location"]:
        return LOGIN
    return int(response.status_code)


@pytest.mark.parametrize("persona", sorted(PERMISSIONS))
def test_who_may_upload_download_and_remove_evidence(
    persona: str, personas: dict[str, Any], review_round: Any, uploads: Path
) -> None:
    kenya = opened(review_round, "KE")
    existing = attached(kenya, "existing.pdf")
    client = client_for(persona, personas)
    may_upload, may_download, may_remove = PERMISSIONS[persona]

    assert outcome(upload(client, kenya, "new.pdf")) == may_upload
    names = set(Evidence.objects.values_list("original_name", flat=True))
    assert ("new.pdf" in names) == (may_upload == 302)

    download = client.get(reverse("evidence-download", args=[kenya.pk, existing.pk]))
    assert outcome(download) == may_download
    if may_download == 200:
        assert b"".join(download.streaming_content) == files.PDF
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"] == 'attachment; filename="existing.pdf"'
        assert download["X-Content-Type-Options"] == "nosniff"

    removal = client.post(reverse("evidence-remove", args=[kenya.pk]), {"evidence": existing.pk})
    assert outcome(removal) == may_remove
    existing.refresh_from_db()
    assert existing.removed == (may_remove == 302)


def test_the_answer_page_lists_files_with_an_upload_control_and_remove_buttons(
    personas: dict[str, Any], review_round: Any, uploads: Path
) -> None:
    kenya = opened(review_round, "KE")
    evidence = attached(kenya, "Loi & décret.pdf")
    client = client_for("focal_point", personas)
    page = client.get(reverse("submission", args=[kenya.pk]) + "?domain=D3").content.decode()
    download = reverse("evidence-download", args=[kenya.pk, evidence.pk])
    assert f'href="{download}"' in page
    assert "Loi &amp; décret.pdf" in page
    assert 'for="q-C11_status-file">Attach an evidence file to C11.status</label>' in page
    assert 'form="evidence-upload-q-C11_status"' in page
    assert 'enctype="multipart/form-data"' in page
    assert f'form="evidence-remove" name="evidence" value="{evidence.pk}"' in page


def test_reviewers_see_and_download_files_on_the_review_page(
    personas: dict[str, Any], review_round: Any, uploads: Path
) -> None:
    kenya = opened(review_round, "KE")
    evidence = attached(kenya)
    actions_done = in_state(review_round, "KE", Submission.Status.SUBMITTED)
    assert actions_done.pk == kenya.pk
    page = client_for("reviewer", personas).get(reverse("submission-review", args=[kenya.pk]))
    html = page.content.decode()
    assert reverse("evidence-download", args=[kenya.pk, evidence.pk]) in html
    assert "evidence-upload" not in html
    assert ">Remove<" not in html


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.pdf", files.EXE, "&#x27;setup.pdf&#x27; is a Windows program"),
        ("page.pdf", files.HTML, "is an HTML, SVG or XML page"),
        ("policy.docx", files.docx_bomb(), "refused as a zip bomb"),
        ("empty.pdf", b"", "is empty (0 bytes)"),
        ("photo.pdf", files.PNG, "is a PNG image but its name ends in .pdf"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(
    name: str,
    content: bytes,
    message: str,
    personas: dict[str, Any],
    review_round: Any,
    uploads: Path,
) -> None:
    kenya = opened(review_round, "KE")
    client = client_for("focal_point", personas)
    response = upload(client, kenya, name, content)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was attached" in page and message in page
    assert not Evidence.objects.exists()
    assert not AnswerChange.objects.filter(field=actions.EVIDENCE_FIELD).exists()
    assert not Answer.objects.filter(submission=kenya).exists()
    assert stored_files(uploads) == []


def test_an_oversized_upload_is_refused_before_it_is_read(
    personas: dict[str, Any], review_round: Any, uploads: Path, settings: Any
) -> None:
    kenya = opened(review_round, "KE")
    client = client_for("focal_point", personas)
    big = files.PDF + b"\x00" * (10 * 1024 * 1024 + 1)
    response = upload(client, kenya, "big.pdf", big)
    page = client.get(response["Location"]).content.decode()
    assert "evidence files may be at most 10 MiB" in page
    assert not Evidence.objects.exists() and stored_files(uploads) == []


def test_a_path_in_the_uploaded_name_is_dropped_and_the_file_stays_in_the_store(
    personas: dict[str, Any], review_round: Any, uploads: Path
) -> None:
    kenya = opened(review_round, "KE")
    upload(client_for("focal_point", personas), kenya, "../../outside.pdf")
    evidence = Evidence.objects.get()
    assert evidence.original_name == "outside.pdf"
    [stored] = stored_files(uploads)
    assert stored.parent.parent == uploads and evidence.sha256 in stored.name
    assert not (uploads.parent / "outside.pdf").exists()


def test_the_action_refuses_control_characters_in_the_name(
    review_round: Any, uploads: Path
) -> None:
    # Django's uploaded files drop any path from their names themselves (the core checks
    # refuse paths too: tests/core/test_evidence.py).
    kenya = opened(review_round, "KE")
    for name in ("x\x00.pdf", "x\n.pdf"):
        with pytest.raises(MnrError, match=r"C11\.status: .*(NUL|control characters)"):
            actions.attach_evidence(kenya, QUESTION, SimpleUploadedFile(name, files.PDF))
    assert stored_files(uploads) == []


def test_attaching_and_removing_are_in_the_answer_s_history(
    personas: dict[str, Any], review_round: Any, uploads: Path
) -> None:
    kenya = opened(review_round, "KE")
    focal_point = personas["focal_point"]
    evidence = actions.attach_evidence(
        kenya, QUESTION, SimpleUploadedFile("law.pdf", files.PDF), acting_user=focal_point
    )
    answer = Answer.objects.get(submission=kenya, question__code=QUESTION)
    # An answer made only to carry the file reads as no answer saved: version 0, blank.
    assert (answer.version, answer.value) == (0, "")
    [path] = stored_files(uploads)
    assert path.read_bytes() == files.PDF

    with pytest.raises(MnrError, match="has no evidence file"):
        actions.remove_evidence(kenya, evidence.pk + 1000, acting_user=focal_point)
    actions.remove_evidence(kenya, evidence.pk, acting_user=focal_point)
    changes = list(
        AnswerChange.objects.filter(answer=answer).values_list("field", "old", "new", "changed_by")
    )
    described = f"law.pdf ({len(files.PDF):,} bytes)"
    assert changes == [
        ("evidence_file", "", described, focal_point.pk),
        ("evidence_file", described, "", focal_point.pk),
    ]
    evidence.refresh_from_db()
    assert evidence.removed_by == focal_point and evidence.removed_at is not None
    history = client_for("focal_point", personas).get(
        reverse("submission-history", args=[kenya.pk])
    )
    assert history.content.decode().count("Evidence file") == 2
    with pytest.raises(MnrError, match="was removed already"):
        actions.remove_evidence(kenya, evidence.pk, acting_user=focal_point)


def test_removed_files_are_no_longer_served(
    personas: dict[str, Any], review_round: Any, uploads: Path
) -> None:
    kenya = opened(review_round, "KE")
    evidence = attached(kenya)
    actions.remove_evidence(kenya, evidence.pk)
    url = reverse("evidence-download", args=[kenya.pk, evidence.pk])
    assert client_for("focal_point", personas).get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_removal_keeps_the_bytes_so_nothing_entered_is_lost(
    review_round: Any, uploads: Path
) -> None:
    kenya = opened(review_round, "KE")
    evidence = attached(kenya)
    assert len(stored_files(uploads)) == 1
    actions.remove_evidence(kenya, evidence.pk)
    assert len(stored_files(uploads)) == 1
    assert Evidence.objects.filter(pk=evidence.pk, removed_at__isnull=False).exists()


@pytest.mark.parametrize("status", [Submission.Status.SUBMITTED, Submission.Status.VALIDATED])
def test_a_submitted_or_validated_submission_refuses_uploads_and_removals(
    status: str, personas: dict[str, Any], review_round: Any, uploads: Path
) -> None:
    kenya = opened(review_round, "KE")
    evidence = attached(kenya)
    in_state(review_round, "KE", status)
    client = client_for("focal_point", personas)
    response = upload(client, kenya, "late.pdf")
    assert (
        f"is {status}: evidence files are refused"
        in client.get(response["Location"]).content.decode()
    )
    with pytest.raises(MnrError, match=f"is {status}"):
        actions.remove_evidence(kenya, evidence.pk)
    assert list(Evidence.objects.values_list("original_name", "removed_at")) == [("law.pdf", None)]
    assert len(stored_files(uploads)) == 1


def test_a_returned_submission_takes_files_again(
    personas: dict[str, Any], review_round: Any, uploads: Path
) -> None:
    kenya = in_state(review_round, "KE", Submission.Status.RETURNED)
    upload(client_for("focal_point", personas), kenya, "fixed.pdf")
    assert Evidence.objects.get().original_name == "fixed.pdf"


def test_a_closed_round_refuses_uploads(review_round: Any, uploads: Path) -> None:
    from mnr.surveys.actions import set_round_status

    kenya = opened(review_round, "KE")
    set_round_status(review_round, "closed")
    with pytest.raises(MnrError, match="round test-2021 is closed"):
        attached(kenya)
    assert stored_files(uploads) == []


def test_a_file_of_another_submission_is_not_served_under_one_s_own(
    personas: dict[str, Any], review_round: Any, uploads: Path
) -> None:
    kenya_file = attached(opened(review_round, "KE"))
    sweden = opened(review_round, "SE")
    client = client_for("other_focal_point", personas)
    url = reverse("evidence-download", args=[sweden.pk, kenya_file.pk])
    assert client.get(url).status_code == 404
    removal = client.post(reverse("evidence-remove", args=[sweden.pk]), {"evidence": kenya_file.pk})
    assert "has no evidence file" in client.get(removal["Location"]).content.decode()
    kenya_file.refresh_from_db()
    assert not kenya_file.removed


def test_an_answer_takes_at_most_so_many_files(review_round: Any, uploads: Path) -> None:
    from mnr.core.limits import MAX_EVIDENCE_FILES

    kenya = opened(review_round, "KE")
    for number in range(MAX_EVIDENCE_FILES):
        attached(kenya, f"part-{number}.pdf")
    with pytest.raises(MnrError, match=f"{MAX_EVIDENCE_FILES} files are attached already"):
        attached(kenya, "one-more.pdf")
    assert len(stored_files(uploads)) == MAX_EVIDENCE_FILES
