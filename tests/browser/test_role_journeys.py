"""One journey per role, in Chromium, asserting what the user sees at each step; full-page
screenshots of the key steps go to the artifacts folder (``MNR_ARTIFACTS``, see
screenshots.py) as ``<role>-<NN>-<step>.png``.

- administrator: invites a focal point, who signs up through the mailed link, then gives them
  a second role for another channel in one round;
- focal point: answers, reloads and sees the answers, attaches an evidence file, submits after
  the confirmation step;
- reviewer: comments on a question and on the submission, returns it; the focal point fixes
  it; the reviewer reads what changed since the return and validates;
- analyst: publishes the round and downloads the report (and the findings where the page
  offers files);
- anonymous visitor: reads the published findings, the report, the library and a capability
  page, and finds no unpublished round.

Each journey starts from its own data, made through the actions."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core import mail
from tests import evidence_files as files
from tests.browser.answering import answer_required_questions, domains, saved
from tests.publishing import validate_all
from tests.submissions import in_state

from mnr.evidence.models import Evidence
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.actions import publish
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round, Submission

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

# Six jurisdictions: enough that disclosure control (three) lets the totals through.
SIX = ["KE", "SE", "GB-EAW", "FR", "DE", "IT"]
GOOD_PRACTICE = "A free helpline, open day and night, refers children to social services."


@pytest.fixture
def validated_round(review_round: Round, personas: dict[str, Any]) -> Round:
    """Six government submissions, validated, not published: C11.status is "yes" for two
    jurisdictions, "partly" for two and "no" for two (in place: 4 of 6); each gave a good
    practice that may be quoted."""
    actions.add_participants(review_round, SIX[3:])
    for number, code in enumerate(SIX):
        submission = actions.open_submission(
            review_round, Jurisdiction.objects.get(code=code), "government"
        )
        actions.save_answers(
            submission,
            {
                "C11.status": AnswerInput(value=("yes", "partial", "no")[number % 3]),
                "C11.good_practice": AnswerInput(
                    value=f"{GOOD_PRACTICE} (synthetic, {number + 1})", publishable=True
                ),
            },
            source="test",
        )
    validate_all(review_round)
    return review_round


def findings_row(page: Any, question: str) -> Any:
    """The row of the findings table that starts with ``question``."""
    return page.locator("table tr", has=page.locator("th", has_text=question)).first


def download(page: Any, link: Any) -> tuple[str, bytes]:
    """Click ``link``; the file's suggested name and content. A report's first PDF is built
    in the request (tests run background tasks at once): on a busy machine that takes a while."""
    with page.expect_download(timeout=60_000) as started:
        link.click(timeout=60_000)
    arrived = started.value
    return arrived.suggested_filename, Path(arrived.path()).read_bytes()


# What each type of file offered starts with.
STARTS = {".pdf": b"%PDF-", ".xlsx": b"PK\x03\x04", ".csv": b""}


def check_file(name: str, content: bytes, suffix: str, *, holds: str = "") -> None:
    """A file of the type its name says, not empty; a table file holds a cell ``holds``."""
    assert name.endswith(suffix), name
    assert len(content) > 100, f"{name} holds {len(content)} bytes"
    assert content.startswith(STARTS[suffix]), (name, content[:20])
    if suffix == ".csv":
        cells = {
            cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row
        }
    elif suffix == ".xlsx":
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        cells = {
            str(c)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for c in row
        }
    else:
        return
    assert holds in cells, f"no cell {holds!r} in {name}"


# --- Administrator -----------------------------------------------------------------------------


def test_administrator_invites_a_focal_point_and_gives_a_role_in_a_round(
    live_server: Any,
    personas: dict[str, Any],
    review_round: Round,
    new_page: Any,
    sign_in: Any,
    screenshots: Any,
) -> None:
    shoot = screenshots("administrator")
    admin = new_page()
    sign_in(admin, "admin", "/")
    expect(admin.get_by_role("heading", name="Your work")).to_be_visible()
    expect(admin.locator(".admin-summary")).to_contain_text("5 active of 5")
    shoot(admin, "dashboard")

    # 1. The invitation: a focal point of Sweden for the government channel of one round.
    admin.get_by_role("link", name="Manage users, roles and rounds").click()
    admin.get_by_role("link", name="Users and invitations").first.click()
    admin.get_by_label("Email address").fill("farah@example.org")
    admin.get_by_label("Focal point").check()
    admin.get_by_label("Jurisdiction").select_option("SE")
    admin.get_by_label("Round", exact=True).select_option(review_round.code)
    admin.get_by_label("Channel").select_option("government")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.locator(".message.success")).to_contain_text(
        "Invitation sent to farah@example.org"
    )
    pending = admin.locator("ul.invitations li")
    expect(pending).to_have_count(1)
    expect(pending).to_contain_text(
        "farah@example.org: Focal point, Sweden, Test round, Government representatives channel"
    )
    shoot(admin, "invitation-sent")

    # 2. The invitee follows the link from the mail, chooses a password and signs in.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["farah@example.org"]
    link = re.search(r"http://\S+/sign-up/\S+/", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    invitee = new_page()
    invitee.goto(link.group(0))
    expect(invitee.get_by_text("Choose a username and a password")).to_be_visible()
    invitee.get_by_label("Username").fill("farah")
    invitee.get_by_label("Password", exact=True).fill("a-long-passphrase")
    invitee.get_by_label("Password again").fill("a-long-passphrase")
    shoot(invitee, "invitee-signs-up")
    invitee.get_by_role("button", name="Create my account").click()
    expect(invitee).to_have_url(re.compile(r"/accounts/login/"))
    invitee.get_by_label("Username").fill("farah")
    invitee.get_by_label("Password").fill("a-long-passphrase")
    invitee.get_by_role("button", name="Sign in").click()
    expect(invitee.get_by_role("heading", name="Your work")).to_be_visible()
    expect(invitee.locator(".needs-action")).to_contain_text("1 submission you can start")
    shoot(invitee, "invitee-first-dashboard")
    invitee.get_by_role("link", name="start on My submissions").click()
    starts = invitee.get_by_role("button", name=re.compile(r"^Start "))
    expect(starts).to_have_count(1)
    expect(starts).to_have_accessible_name(re.compile(r"Sweden.*Government"))

    # 3. A second role: the same jurisdiction's UNICEF country office channel, this round only.
    admin.goto(f"{live_server.url}/manage/users/")
    expect(admin.locator("ul.invitations")).to_have_count(0)  # used: no longer pending
    admin.get_by_role("link", name="farah", exact=True).click()
    roles = admin.locator("ul.roles li")
    expect(roles).to_have_count(1)
    expect(roles).to_contain_text("Focal point · Sweden · Test round · Government")
    admin.get_by_label("Role", exact=True).select_option("focal_point")
    admin.get_by_label("Jurisdiction").select_option("SE")
    admin.get_by_label("Round", exact=True).select_option(review_round.code)
    admin.get_by_label("Channel").select_option("unicef_country_office")
    admin.get_by_role("button", name="Give the role").click()
    expect(admin.locator(".message.success")).to_contain_text("Role granted to farah")
    expect(roles).to_have_count(2)
    expect(roles.nth(1)).to_contain_text("Focal point · Sweden · Test round · UNICEF")
    shoot(admin, "second-role-given")

    invitee.reload()
    expect(starts).to_have_count(2)
    expect(
        invitee.get_by_role("button", name=re.compile(r"Start .*Sweden.*UNICEF"))
    ).to_be_visible()
    expect(invitee.get_by_role("button", name=re.compile(r"Kenya"))).to_have_count(0)
    shoot(invitee, "invitee-can-start-both")


# --- Focal point -------------------------------------------------------------------------------


def test_focal_point_answers_attaches_evidence_and_submits(
    live_server: Any,
    personas: dict[str, Any],
    review_round: Round,
    new_page: Any,
    sign_in: Any,
    screenshots: Any,
    tmp_path: Path,
) -> None:
    shoot = screenshots("focal-point")
    focal = new_page()
    sign_in(focal, "focal-ke", "/")
    expect(focal.locator(".needs-action")).to_contain_text("submissions you can start")
    focal.get_by_role("link", name="start on My submissions").click()
    focal.get_by_role("button", name=re.compile(r"Start .*Kenya, Government")).click()
    submission = Submission.objects.get(jurisdiction__code="KE", channel="government")
    overview = f"{live_server.url}/submissions/{submission.pk}/"
    expect(focal).to_have_url(overview)
    expect(focal.locator(".submission-status")).to_have_text("Draft")

    # 1. Several answers, each saved as it is given; after a reload they are all still there.
    focal.goto(overview + "?domain=D1")
    focal.locator("#q-C01_status").get_by_label("Partly").check()
    saved(focal)
    focal.locator("#q-C01_good_practice textarea").fill(
        "An inter-ministerial task force meets every month (synthetic)."
    )
    saved(focal)
    focal.locator("#q-C02_status").get_by_label("Yes").check()
    saved(focal)
    focal.reload()
    expect(focal.locator("#q-C01_status").get_by_label("Partly")).to_be_checked()
    expect(focal.locator("#q-C02_status").get_by_label("Yes")).to_be_checked()
    expect(focal.locator("#q-C01_good_practice textarea")).to_have_value(
        "An inter-ministerial task force meets every month (synthetic)."
    )
    expect(focal.locator('[data-progress="D1"] [data-count]')).to_contain_text(re.compile(r"^2/"))
    shoot(focal, "answers-after-reload")

    # 2. An evidence file on the helpline question.
    law = tmp_path / "Synthetic helpline decree.pdf"
    law.write_bytes(files.PDF)
    focal.goto(overview + "?domain=D3")
    helpline = focal.locator("#q-C11_status")
    helpline.get_by_label("Yes").check()
    saved(focal)
    helpline.get_by_label("Attach an evidence file to C11.status").set_input_files(str(law))
    helpline.get_by_role("button", name="Upload").click()
    expect(focal.get_by_text("C11.status: attached Synthetic helpline decree.pdf")).to_be_visible()
    expect(
        focal.locator("#q-C11_status-files").get_by_role(
            "link", name="Synthetic helpline decree.pdf"
        )
    ).to_be_visible()
    expect(focal.locator("#q-C11_status").get_by_label("Yes")).to_be_checked()
    shoot(focal, "evidence-attached")

    # 3. The rest of the required questions, then the confirmation step, then submitted.
    for domain in ["", *domains(focal)]:
        focal.goto(overview + (f"?domain={domain}" if domain else ""))
        answer_required_questions(focal)
    focal.goto(overview)
    expect(focal.locator('[data-progress="overall"] [data-count]')).to_have_text(
        re.compile(r"^(\d+)/\1$")
    )
    focal.get_by_role("button", name="Submit for review").click()
    expect(focal.get_by_role("heading", name="Submit these answers for review?")).to_be_visible()
    expect(focal.locator(".confirm-submit")).to_contain_text(
        re.compile(r"(\d+) of \1 required questions are answered")
    )
    expect(focal.locator(".submission-status")).to_have_text("Draft")  # not yet
    shoot(focal, "confirm-submit")
    focal.get_by_role("button", name="Confirm: submit for review").click()
    expect(focal.locator(".submission-status")).to_have_text("Submitted")
    expect(focal.locator(".lock-notice")).to_contain_text("Submitted for review.")
    expect(focal.locator("ol.transitions li")).to_contain_text("focal-ke Draft → Submitted")
    shoot(focal, "submitted")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    evidence = Evidence.objects.get(answer__submission=submission)
    assert (evidence.answer.question.code, evidence.uploaded_by) == (
        "C11.status",
        personas["focal_point"],
    )


# --- Reviewer ----------------------------------------------------------------------------------


def test_reviewer_comments_returns_and_validates_the_fixed_submission(
    live_server: Any,
    personas: dict[str, Any],
    review_round: Round,
    new_page: Any,
    sign_in: Any,
    screenshots: Any,
) -> None:
    shoot = screenshots("reviewer")
    kenya = in_state(
        review_round, "KE", Submission.Status.SUBMITTED, by=personas["focal_point"]
    )  # every required question answered "yes"
    reviewer = new_page()
    sign_in(reviewer, "reviewer", "/")
    expect(reviewer.get_by_role("heading", name="To review (1)")).to_be_visible()
    shoot(reviewer, "dashboard")
    reviewer.get_by_role("link", name=re.compile(r"Review Kenya · Government")).click()
    expect(reviewer.locator(".submission-status")).to_have_text("Submitted")
    expect(reviewer.locator("#q-C11_status")).to_contain_text("Yes")

    # 1. A comment on one question, then the submission returned with what needs changing.
    helpline = reviewer.locator("#q-C11_status")
    helpline.get_by_text("Comment on C11.status", exact=True).click()
    helpline.get_by_label("What should the focal point look at in C11.status?").fill(
        "Is the helpline free of charge and open at night?"
    )
    helpline.get_by_role("button", name="Save comment on C11.status").click()
    expect(reviewer.locator(".messages")).to_contain_text("Comment on C11.status saved")
    expect(reviewer.locator("#q-C11_status .question-comments")).to_contain_text(
        "Is the helpline free of charge"
    )
    reviewer.get_by_label("What needs changing (required)").fill(
        "Please check the helpline (C11) and give its evidence."
    )
    reviewer.get_by_role("button", name="Return for changes").click()
    expect(reviewer.locator(".messages")).to_contain_text("Returned to the focal point")
    expect(reviewer.locator(".submission-status")).to_have_text("Returned for changes")
    shoot(reviewer, "returned")

    # 2. The focal point finds it under "To fix", reads both comments and fixes the answer.
    focal = new_page()
    sign_in(focal, "focal-ke", "/")
    expect(focal.get_by_role("heading", name="To fix: returned to you (1)")).to_be_visible()
    focal.get_by_role("link", name=re.compile(r"Kenya · Government")).first.click()
    expect(focal.locator(".return-comment")).to_contain_text(
        "Please check the helpline (C11) and give its evidence."
    )
    expect(focal.get_by_role("heading", name="Reviewers commented on 1 question")).to_be_visible()
    focal.locator("ul.commented").get_by_role("link", name=re.compile(r"^C11\.status")).click()
    expect(focal).to_have_url(re.compile(r"\?domain=D3#q-C11_status$"))
    fixed = focal.locator("#q-C11_status")
    expect(fixed.locator(".question-comments")).to_contain_text(
        "Is the helpline free of charge and open at night?"
    )
    fixed.get_by_label("Partly").check()
    saved(focal)
    fixed.get_by_text("Comment and evidence").click()
    fixed.get_by_label(re.compile("Evidence")).fill("https://example.org/synthetic-helpline")
    fixed.get_by_label(re.compile("Evidence")).press("Tab")
    saved(focal)
    fixed.scroll_into_view_if_needed()
    shoot(focal, "focal-point-fixes-the-answer")
    focal.goto(f"{live_server.url}/submissions/{kenya.pk}/")
    focal.get_by_role("button", name="Submit for review").click()
    expect(focal.locator(".confirm-submit")).to_contain_text(
        "the changes you made since they were returned are shown to the reviewer first"
    )
    focal.get_by_role("button", name="Confirm: submit for review").click()
    expect(focal.locator(".submission-status")).to_have_text("Submitted")

    # 3. The reviewer reads what changed since the return, and validates.
    reviewer.goto(f"{live_server.url}/")
    expect(reviewer.locator(".task.submitted")).to_contain_text("Review Kenya")
    reviewer.get_by_role("link", name=re.compile(r"Review Kenya")).click()
    changed = reviewer.locator(".since-return")
    expect(
        changed.get_by_role("heading", name=re.compile("Changed since returned"))
    ).to_be_visible()
    expect(changed).to_contain_text("C11.status")
    expect(changed).to_contain_text("https://example.org/synthetic-helpline")
    expect(changed).not_to_contain_text("C01.status")  # unchanged answers are not listed
    expect(reviewer.locator("#q-C11_status")).to_contain_text("Partly")
    shoot(reviewer, "changed-since-returned")
    reviewer.get_by_label("Comment (optional)").fill("Thank you, the helpline is documented.")
    reviewer.get_by_role("button", name="Validate").click()
    expect(reviewer.locator(".messages")).to_contain_text("Validated")
    expect(reviewer.locator(".submission-status")).to_have_text("Validated")
    expect(reviewer.get_by_text("Validated. Only an analyst can reopen it.")).to_be_visible()
    expect(reviewer.locator("ol.transitions li")).to_have_text(
        [
            re.compile("Draft → Submitted"),
            re.compile(r"Submitted → Returned for changes\s+Please check the helpline"),
            re.compile("Returned for changes → Submitted"),
            re.compile(r"Submitted → Validated\s+Thank you, the helpline is documented"),
        ]
    )
    shoot(reviewer, "validated")
    kenya.refresh_from_db()
    assert list(kenya.transitions.values_list("to_status", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "validated",
    ]


# --- Analyst -----------------------------------------------------------------------------------


def test_analyst_publishes_the_round_and_downloads_the_report(
    live_server: Any,
    validated_round: Round,
    new_page: Any,
    sign_in: Any,
    screenshots: Any,
) -> None:
    shoot = screenshots("analyst")
    analyst = new_page()
    sign_in(analyst, "analyst", "/")
    to_publish = analyst.locator(".task", has_text="Test round")
    expect(to_publish).to_contain_text("6 validated of 6 jurisdictions")
    expect(to_publish).to_contain_text("not published yet")
    expect(to_publish.locator(".flag")).to_have_text("ready to publish")
    shoot(analyst, "dashboard")

    # 1. Publish now, with a note.
    to_publish.get_by_role("link", name="Test round").click()
    expect(analyst.get_by_role("heading", name="Test round", exact=True)).to_be_visible()
    expect(
        analyst.get_by_text("Not published yet: nothing of this round is public.")
    ).to_be_visible()
    analyst.get_by_label("Note for this publication").fill("First publication (synthetic test).")
    shoot(analyst, "before-publishing")
    analyst.get_by_role("button", name="Publish now").click()
    expect(analyst.locator(".messages")).to_contain_text("Published as publication 1")
    publications = analyst.locator("table.publications tbody tr")
    expect(publications).to_have_count(1)
    expect(publications).to_contain_text("First publication (synthetic test).")
    expect(publications).to_contain_text("first publication")
    expect(analyst.locator(".round-report")).to_contain_text("The report of publication 1")
    shoot(analyst, "published")

    # 2. The report's PDF in English arrives as a PDF.
    english = analyst.locator(".report-links li[lang=en]")
    name, content = download(analyst, english.get_by_role("link", name="PDF"))
    check_file(name, content, ".pdf")
    assert name == f"{validated_round.code}-report-en.pdf"

    # 3. The findings of the round: the helpline's figure, and its files where offered.
    analyst.get_by_role("link", name="Findings", exact=True).first.click()
    expect(analyst.get_by_role("heading", name=re.compile(r"^Findings"))).to_contain_text(
        "Test round"
    )
    expect(findings_row(analyst, "C11.status")).to_contain_text("4 of 6")
    shoot(analyst, "findings")
    # The explorer's downloads of what it shows, as CSV and as XLSX.
    for link_name, suffix in (("CSV", ".csv"), ("XLSX (Excel)", ".xlsx")):
        name, content = download(analyst, analyst.get_by_role("link", name=link_name, exact=True))
        check_file(name, content, suffix, holds="C11.status")


# --- Anonymous visitor -------------------------------------------------------------------------


def test_anonymous_visitor_reads_what_is_published_and_nothing_else(
    live_server: Any, validated_round: Round, new_page: Any, screenshots: Any
) -> None:
    shoot = screenshots("anonymous")
    publish(validated_round, note="first", source="test")
    unpublished = actions.create_round(
        "unpublished-2023", instrument="mnr-review-2021", title="Unpublished round"
    )
    actions.add_participants(unpublished, ["KE", "SE", "FR"])
    in_state(unpublished, "KE", Submission.Status.VALIDATED)
    visitor = new_page()

    # 1. The home page: the published round with its findings and report, no other round.
    visitor.goto(live_server.url + "/")
    expect(visitor.get_by_role("heading", name="Model National Response reviews")).to_be_visible()
    card = visitor.locator(".round-card", has_text="Test round")
    expect(card.get_by_role("link", name="Report", exact=True)).to_be_visible()
    expect(visitor.get_by_text("Unpublished round")).to_have_count(0)
    shoot(visitor, "home")

    # 2. The published findings: totals only, in the publication's figures.
    card.get_by_role("link", name="Findings").click()
    expect(visitor.get_by_role("heading", name=re.compile(r"^Findings"))).to_contain_text(
        "Test round"
    )
    expect(findings_row(visitor, "C11.status")).to_contain_text("4 of 6")
    assert "Kenya" not in visitor.content()
    expect(visitor.get_by_role("link", name="XLSX (Excel)", exact=True)).to_be_visible()
    shoot(visitor, "findings")
    name, content = download(visitor, visitor.get_by_role("link", name="CSV", exact=True))
    check_file(name, content, ".csv", holds="C11.status")
    assert b"Kenya" not in content

    # 3. The report.
    visitor.goto(live_server.url + "/")
    card.get_by_role("link", name="Report", exact=True).click()
    expect(visitor.get_by_role("heading", level=1)).to_be_visible()
    expect(visitor.locator("body")).to_contain_text("Test round")
    assert "Kenya" not in visitor.content()
    shoot(visitor, "report")

    # 4. The library: the quotable texts, attributed to a group, never to a jurisdiction.
    visitor.goto(live_server.url + "/")
    visitor.locator("header.site").get_by_role("link", name="Library").click()
    expect(visitor.get_by_role("heading", name="Good-practice library")).to_be_visible()
    expect(visitor.get_by_role("status")).to_have_text("6 texts found.")
    first = visitor.locator(".library-item").first
    expect(first).to_contain_text(GOOD_PRACTICE)
    expect(first).to_contain_text("published")
    assert "Kenya" not in visitor.content() and "Sweden" not in visitor.content()
    shoot(visitor, "library")

    # 5. A capability page, from the library's link.
    first.get_by_role("link", name="C11").click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("C11")
    expect(visitor.get_by_role("heading", name="Maturity phases")).to_be_visible()
    findings = visitor.locator("table.capability-findings")
    expect(findings.locator("tr", has_text="Test round")).to_contain_text("4 of 6")
    expect(findings).not_to_contain_text("Unpublished round")
    shoot(visitor, "capability")

    # 6. The unpublished round is not there: a styled "not found" page.
    for path in ("", "findings/", "report/"):
        response = visitor.goto(f"{live_server.url}/rounds/{unpublished.code}/{path}")
        assert response is not None and response.status == 404, path
        expect(visitor.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(visitor.locator("header.site")).to_be_visible()
    expect(visitor.get_by_role("link", name="Back to the home page")).to_be_visible()
    styled = "[...document.styleSheets].some(sheet => sheet.cssRules.length > 0)"
    assert visitor.evaluate(styled), "the not-found page has no style"
    shoot(visitor, "unpublished-round-not-found")
