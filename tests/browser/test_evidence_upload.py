"""A focal point attaches a PDF to an answer and sees it listed; a reviewer downloads it.

Screenshots of the answer with its file, at 1280 and 390 px, go to ``MNR_SCREENSHOTS`` (default
/tmp/upload-shots)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests import evidence_files as files

from mnr.evidence.models import Evidence
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.models import Submission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SHOTS = Path(os.environ.get("MNR_SCREENSHOTS", "/tmp/upload-shots"))
OVERFLOWS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture
def kenya(personas: dict[str, Any], review_round: Any) -> Submission:
    return actions.open_submission(review_round, Jurisdiction.objects.get(code="KE"), "government")


def test_a_focal_point_uploads_a_pdf_and_a_reviewer_downloads_it(
    new_page: Any,
    sign_in: Any,
    kenya: Submission,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.EVIDENCE_ROOT = tmp_path / "uploads"
    law = tmp_path / "Synthetic child protection law.pdf"
    law.write_bytes(files.PDF)
    page = new_page()
    sign_in(page, "focal-ke", f"/submissions/{kenya.pk}/?domain=D3")
    question = page.locator("#q-C11_status")
    question.get_by_label("Attach an evidence file to C11.status").set_input_files(str(law))
    question.get_by_role("button", name="Upload").click()
    expect(
        page.get_by_text("C11.status: attached Synthetic child protection law.pdf")
    ).to_be_visible()
    files_list = page.locator("#q-C11_status-files")
    expect(
        files_list.get_by_role("link", name="Synthetic child protection law.pdf")
    ).to_be_visible()
    assert Evidence.objects.get().uploaded_by.username == "focal-ke"

    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        question.scroll_into_view_if_needed()
        assert not page.evaluate(OVERFLOWS), f"the answer page is wider than {width} px"
        question.screenshot(path=str(SHOTS / f"evidence-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    # A hostile file is refused with the reason, and the list stays as it was.
    page_named_pdf = tmp_path / "notes.pdf"
    page_named_pdf.write_bytes(files.HTML)
    question.get_by_label("Attach an evidence file to C11.status").set_input_files(
        str(page_named_pdf)
    )
    question.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Nothing was attached.")).to_be_visible()
    expect(page.get_by_text("'notes.pdf' is an HTML, SVG or XML page")).to_be_visible()
    expect(files_list.get_by_role("listitem")).to_have_count(1)

    actions.submit(kenya, source="test", allow_missing=True)
    reviewer = new_page()
    sign_in(reviewer, "reviewer", f"/submissions/{kenya.pk}/review/")
    link = reviewer.locator("#q-C11_status").get_by_role(
        "link", name="Synthetic child protection law.pdf"
    )
    with reviewer.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "Synthetic child protection law.pdf"
    assert Path(download.value.path()).read_bytes() == files.PDF
    reviewer.set_viewport_size({"width": 390, "height": 900})
    reviewer.locator("#q-C11_status").scroll_into_view_if_needed()
    reviewer.locator("#q-C11_status").screenshot(path=str(SHOTS / "evidence-review-390.png"))
