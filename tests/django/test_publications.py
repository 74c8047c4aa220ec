"""Publications: what is public is frozen, numbered and reviewed; edits afterwards change
nothing public until an analyst publishes again, and the change log says what moved."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from tests.publishing import validate_all, validate_and_publish

from mnr.audit.models import AuditEvent
from mnr.errors import MnrError
from mnr.jurisdictions.actions import create_synthetic_jurisdictions
from mnr.publications.actions import publish
from mnr.publications.models import Publication
from mnr.reports.actions import HeadlineSpec, set_headlines
from mnr.reports.builder import build_report
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db


def answered_round(code: str = "pub", size: int = 12) -> Round:
    """``size`` synthetic jurisdictions (HIC and UMC in two regions), each answering C11 and
    C01 through the government channel; submissions stay drafts."""
    round_ = actions.create_round(code, instrument="mnr-review-2021", synthetic=True)
    places = create_synthetic_jurisdictions(
        (
            (f"Z{code[:3].upper()}{n:03d}", f"Place {n}", ("Europe", "Asia")[n % 2], income)
            for n, income in enumerate(["HIC", "UMC"] * (size // 2))
        ),
        2021,
    )
    actions.add_participants(round_, [p.code for p in places])
    for n, place in enumerate(places):
        submission = actions.open_submission(round_, place, "government")
        answers = {
            "C11.status": AnswerInput(value=("yes", "partial", "no")[n % 3]),
            "C01.governance_mechanism": AnswerInput(value="yes" if n % 4 else "no"),
        }
        actions.save_answers(submission, answers, source="test")
    set_headlines(
        round_,
        [HeadlineSpec("H1", "C11.status", ("yes", "partial"), {"en": "have a helpline"})],
        source="test",
    )
    return round_


def public_findings(round_: Round, by: str | None = None) -> list[dict[str, Any]]:
    out = StringIO()
    args = ["findings", "--round", round_.code, "--public", "--format", "json"]
    call_command(*args, *(["--by", by] if by else []), stdout=out)
    rows: list[dict[str, Any]] = json.loads(out.getvalue())
    return rows


def total(rows: list[dict[str, Any]], question: str) -> dict[str, Any]:
    return next(r for r in rows if r["question"] == question and r["group"] is None)


def test_publishing_freezes_the_validated_answers_and_numbers_the_publication() -> None:
    round_ = answered_round()
    validate_all(round_)
    first = publish(round_, note="First look", source="cli")
    assert (first.number, first.note, first.left_out) == (1, "First look", [])
    assert len(first.submissions) == 12
    assert {a["question"] for a in first.answers} >= {"C11.status", "C01.governance_mechanism"}
    round_.refresh_from_db()
    assert round_.status == Round.Status.PUBLISHED
    event = AuditEvent.objects.get(verb="round.publish")
    assert (event.object_type, event.object_id, event.source) == (
        "publications.publication",
        str(first.pk),
        "cli",
    )
    assert event.actor is None and event.detail["number"] == 1


def test_edits_after_publishing_change_nothing_public_until_published_again() -> None:
    round_ = answered_round()
    validate_and_publish(round_)
    before_rows = public_findings(round_)
    report = build_report(round_)
    before_report = [(r.key, r.numerator, r.denominator) for r in report.annex_figures]

    actions.set_round_status(round_, Round.Status.OPEN, source="test")
    for submission in Submission.objects.filter(round=round_).order_by("pk")[:4]:
        actions.reopen(submission, "recheck the helpline", source="test")
        actions.save_answers(submission, {"C11.status": AnswerInput(value="no")}, source="test")
    # A draft edit, a reopened submission, a new report text: none of it is public yet.
    set_headlines(
        round_,
        [HeadlineSpec("H2", "C11.status", ("no",), {"en": "lack a helpline"})],
        source="test",
    )
    assert public_findings(round_) == before_rows
    assert [
        (r.key, r.numerator, r.denominator) for r in build_report(round_).annex_figures
    ] == before_report
    # The analysts' preview shows what publishing now would give: the 4 reopened are left out.
    preview = build_report(round_, preview=True)
    assert [r.key for r in preview.annex_figures] == ["H2"]

    validate_all(round_)
    second = publish(round_, note="Corrected helplines", source="cli")
    assert second.number == 2
    after_rows = public_findings(round_)
    assert total(after_rows, "C11.status") != total(before_rows, "C11.status")
    moved = {(c.get("question"), c.get("by"), c.get("group")) for c in second.changes}
    assert ("C11.status", None, None) in moved
    assert ("C01.governance_mechanism", None, None) not in moved
    assert {c["figure"] for c in second.changes if "figure" in c} == {"H1", "H2"}


def test_submissions_not_validated_are_left_out_and_listed_for_analysts() -> None:
    round_ = answered_round()
    submissions = list(Submission.objects.filter(round=round_).order_by("jurisdiction__code"))
    for submission in submissions[1:]:
        actions.submit(submission, source="test", allow_missing=True)
        actions.validate(submission, source="test")
    publication = publish(round_, source="cli")
    left = submissions[0]
    assert publication.left_out == [
        {
            "jurisdiction": left.jurisdiction.code,
            "channel": "government",
            "respondent": "",
            "status": "draft",
        }
    ]
    assert left.jurisdiction.code in publication.full_note
    assert {s["jurisdiction"] for s in publication.submissions} == {
        s.jurisdiction.code for s in submissions[1:]
    }
    assert not any(a["jurisdiction"] == left.jurisdiction.code for a in publication.answers)


def test_round_without_a_validated_submission_is_not_published() -> None:
    round_ = answered_round()
    with pytest.raises(MnrError, match="no validated submission"):
        publish(round_, source="cli")
    assert not Publication.objects.exists()


def test_a_publication_is_never_changed_or_deleted() -> None:
    publication = validate_and_publish(answered_round())
    publication.note = "rewritten"
    with pytest.raises(MnrError, match="never changed"):
        publication.save()
    with pytest.raises(MnrError, match="never deleted"):
        publication.delete()
    publication.refresh_from_db()
    assert publication.note == ""


def test_only_analysts_of_the_round_publish(make_user: Any) -> None:
    round_ = answered_round()
    validate_all(round_)
    for name, role in (("fp", "focal_point"), ("rev", "reviewer")):
        user = make_user(name, role, None if role == "reviewer" else "KE")
        with pytest.raises(PermissionDenied):
            publish(round_, acting_user=user)
    analyst = make_user("an", "analyst")
    publication = publish(round_, acting_user=analyst)
    assert publication.created_by == analyst
    assert AuditEvent.objects.get(verb="round.publish").actor == analyst


def test_analyst_publishes_from_the_round_page_and_sees_the_change_log(make_user: Any) -> None:
    round_ = answered_round()
    validate_all(round_)
    client = Client()
    client.force_login(make_user("an", "analyst"))
    response = client.post(reverse("round-publish", args=[round_.code]), {"note": "From the web"})
    assert response.status_code == 302
    assert Publication.objects.get(round=round_).note == "From the web"
    page = client.get(reverse("round", args=[round_.code])).content.decode()
    assert "From the web" in page and "first publication" in page
    assert "Published as publication 1, the round&#x27;s first." in page
    assert "figures changed" not in page  # nothing to compare a first publication with
    client.post(reverse("round-publish", args=[round_.code]), {"note": "Again"})
    again = client.get(reverse("round", args=[round_.code])).content.decode()
    assert "Published as publication 2; 0 figures changed since the previous one." in again
    anonymous = Client().get(reverse("round", args=[round_.code])).content.decode()
    assert "publication 2" in anonymous and "Publish now" not in anonymous


def test_publish_command_reports_the_publication() -> None:
    round_ = answered_round()
    validate_all(round_)
    out = StringIO()
    call_command("publish", "--round", round_.code, "--note", "CLI", stdout=out)
    assert f"published {round_.code} as publication 1: 12 validated submissions" in out.getvalue()
