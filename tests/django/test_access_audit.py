"""The audit of access (docs/audit.md): sign-ins, failures, sign-outs, lockouts, downloads and
exports, and reads of a jurisdiction's answers by someone outside it, each with its actor,
address and object; the jurisdiction's own focal point's reads are not recorded."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from tests.audit import last_event_id
from tests.evidence_files import PDF
from tests.maturity import self_assessment_round
from tests.submissions import opened

from mnr.audit import receivers, record
from mnr.audit.models import AuditEvent
from mnr.evidence.actions import attach_evidence
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.models import Publication

ADDRESS = "203.0.113.7"  # TEST-NET-3: an address no one has


def access_after(event_id: int) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(id__gt=event_id, kind=AuditEvent.Kind.ACCESS).order_by("id")
    )


def as_user(user: Any) -> Client:
    client = Client(REMOTE_ADDR=ADDRESS)
    if user.is_authenticated:
        client.force_login(user)
    return client


def only(events: list[AuditEvent], verb: str) -> AuditEvent:
    found = [event for event in events if event.verb == verb]
    assert len(found) == 1, [(e.verb, e.object_type, e.object_id) for e in events]
    return found[0]


def target(event: AuditEvent) -> tuple[str, str]:
    return event.object_type, event.object_id


# --- Signing in and out ----------------------------------------------------------------------


def test_sign_in_is_recorded_with_the_user_and_address(personas: dict[str, Any]) -> None:
    before = last_event_id()
    response = Client(REMOTE_ADDR=ADDRESS).post(
        reverse("login"), {"username": "analyst", "password": "pw-analyst"}
    )
    assert response.status_code == 302
    event = only(access_after(before), record.SIGN_IN)
    assert event.actor == personas["analyst"]
    assert (event.actor_username, event.address, event.source) == ("analyst", ADDRESS, "web")
    assert target(event) == ("auth.user", str(personas["analyst"].pk))


def test_failed_sign_in_keeps_the_name_tried_and_never_the_password(
    personas: dict[str, Any],
) -> None:
    before = last_event_id()
    secret = "Wrong-Horse-Battery-9"
    response = Client(REMOTE_ADDR=ADDRESS).post(
        reverse("login"), {"username": "analyst", "password": secret}
    )
    assert response.status_code == 200
    event = only(access_after(before), record.SIGN_IN_FAILED)
    assert event.actor is None
    assert (event.actor_username, event.object_id, event.address) == ("analyst", "analyst", ADDRESS)
    stored = AuditEvent.objects.filter(pk=event.pk).values_list()[0]
    assert not any(secret in str(value) for value in stored)


def test_sign_out_is_recorded(personas: dict[str, Any]) -> None:
    client = as_user(personas["reviewer"])
    before = last_event_id()
    assert client.post(reverse("logout")).status_code == 302
    event = only(access_after(before), record.SIGN_OUT)
    assert (event.actor, event.address) == (personas["reviewer"], ADDRESS)


def test_lockout_is_recorded_with_the_name_and_address(db: Any) -> None:
    request = RequestFactory().post(reverse("login"), REMOTE_ADDR=ADDRESS)
    before = last_event_id()
    if apps.is_installed("axes"):
        from axes.signals import user_locked_out

        user_locked_out.send("axes", request=request, username="mallory", ip_address=ADDRESS)
    else:  # before django-axes is configured: what its signal would call
        receivers._locked_out("axes", request=request, username="mallory", ip_address=ADDRESS)
    event = only(access_after(before), record.LOCKED_OUT)
    assert (event.actor, event.actor_username, event.address) == (None, "mallory", ADDRESS)


@pytest.mark.skipif(not apps.is_installed("axes"), reason="django-axes is not configured")
def test_repeated_failures_lock_the_account_out_and_say_so(
    personas: dict[str, Any], settings: Any
) -> None:
    address = "203.0.113.99"  # its own, in case the attempts outlive the test
    client = Client(REMOTE_ADDR=address)
    before = last_event_id()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "reviewer", "password": "not-it"})
    events = access_after(before)
    assert [e.verb for e in events].count(record.SIGN_IN_FAILED) == settings.AXES_FAILURE_LIMIT
    locked = only(events, record.LOCKED_OUT)
    assert (locked.actor_username, locked.address) == ("reviewer", address)


# --- Reads of a jurisdiction's answers -------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        ("analyst", "submission"),
        ("reviewer", "submission-review"),
        ("administrator", "submission-history"),
    ],
)
def test_an_outsiders_read_of_a_submission_is_recorded_once_per_page(
    personas: dict[str, Any], review_round: Any, persona: str, url_name: str
) -> None:
    submission = opened(review_round, "KE")
    client = as_user(personas[persona])
    before = last_event_id()
    assert client.get(reverse(url_name, args=[submission.pk])).status_code == 200
    event = only(access_after(before), record.READ)
    assert event.actor == personas[persona]
    assert target(event) == ("surveys.submission", str(submission.pk))
    assert event.detail["jurisdiction"] == "KE"
    assert event.detail["path"] == reverse(url_name, args=[submission.pk])
    assert event.address == ADDRESS


def test_an_outsiders_read_through_the_api_is_recorded(
    personas: dict[str, Any], review_round: Any
) -> None:
    submission = opened(review_round, "KE")
    client = as_user(personas["analyst"])
    before = last_event_id()
    response = client.get(f"/api/v1/submissions/{submission.pk}/answers")
    assert response.status_code == 200
    event = only(access_after(before), record.READ)
    assert (event.source, event.actor, target(event)) == (
        "api",
        personas["analyst"],
        ("surveys.submission", str(submission.pk)),
    )


def test_the_jurisdictions_own_focal_point_is_not_recorded_reading_it(
    personas: dict[str, Any], review_round: Any
) -> None:
    submission = opened(review_round, "KE")
    client = as_user(personas["focal_point"])
    other = as_user(personas["other_focal_point"])
    before = last_event_id()
    assert client.get(reverse("submission", args=[submission.pk])).status_code == 200
    assert client.get(f"/api/v1/submissions/{submission.pk}").status_code == 200
    assert access_after(before) == []
    # The other jurisdiction's focal point is not shown it, so nothing was read.
    assert other.get(reverse("submission", args=[submission.pk])).status_code == 404
    assert access_after(before) == []


def test_an_outsiders_read_of_a_maturity_profile_is_recorded(
    personas: dict[str, Any], make_user: Any
) -> None:
    round_ = self_assessment_round("sa-audit", {"KE": {"": {"C01": 2}}, "SE": {"": {"C01": 3}}})
    url = reverse("maturity-profile", args=[round_.code, "KE"])
    focal_point, reviewer = as_user(personas["focal_point"]), as_user(personas["reviewer"])
    analyst = as_user(personas["analyst"])
    before = last_event_id()
    assert focal_point.get(url).status_code == 200
    assert access_after(before) == []
    assert reviewer.get(url).status_code == 200
    event = only(access_after(before), record.READ)
    kenya = Jurisdiction.objects.get(code="KE")
    assert (event.actor, target(event)) == (
        personas["reviewer"],
        ("jurisdictions.jurisdiction", str(kenya.pk)),
    )
    assert event.detail["what"] == "maturity"
    assert (event.detail["jurisdiction"], event.detail["round"]) == ("KE", "sa-audit")
    plan = reverse("plan-download", args=[round_.code, "KE", "xlsx"])
    before = last_event_id()
    assert analyst.get(plan).status_code == 200
    events = access_after(before)
    assert only(events, record.READ).detail["what"] == "maturity"
    download = only(events, record.DOWNLOAD)
    assert (download.detail["what"], download.actor) == ("plan", personas["analyst"])
    assert download.detail["filename"].endswith(".xlsx")


def test_the_api_list_of_a_rounds_maturity_records_one_read_naming_the_jurisdictions(
    personas: dict[str, Any],
) -> None:
    round_ = self_assessment_round("sa-list", {"KE": {"": {"C01": 2}}, "SE": {"": {"C01": 3}}})
    analyst, focal_point = as_user(personas["analyst"]), as_user(personas["focal_point"])
    before = last_event_id()
    assert focal_point.get(f"/api/v1/rounds/{round_.code}/maturity").status_code == 200
    assert access_after(before) == []
    assert analyst.get(f"/api/v1/rounds/{round_.code}/maturity").status_code == 200
    event = only(access_after(before), record.READ)
    assert target(event) == ("surveys.round", str(round_.pk))
    assert (event.detail["what"], event.detail["jurisdictions"]) == ("maturity", ["KE", "SE"])


def test_exports_at_the_command_line_are_recorded(review_round: Any, tmp_path: Any) -> None:
    opened(review_round, "KE")
    output = tmp_path / "answers.csv"
    before = last_event_id()
    call_command("export", "answers", "--round", review_round.code, "-o", str(output))
    event = only(access_after(before), record.EXPORT)
    assert (event.actor, event.source, event.address) == (None, "cli", "")
    assert (event.detail["exporter"], event.detail["output"]) == ("answers", str(output))
    assert target(event) == ("surveys.round", str(review_round.pk))


# --- Downloads and exports -------------------------------------------------------------------


def test_evidence_downloads_are_recorded_and_an_outsiders_read_too(
    personas: dict[str, Any], review_round: Any
) -> None:
    submission = opened(review_round, "KE")
    evidence = attach_evidence(
        submission, "C11.status", SimpleUploadedFile("law.pdf", PDF), source="test"
    )
    url = reverse("evidence-download", args=[submission.pk, evidence.pk])
    focal_point, analyst = as_user(personas["focal_point"]), as_user(personas["analyst"])
    before = last_event_id()
    assert focal_point.get(url).status_code == 200
    events = access_after(before)
    assert [e.verb for e in events] == [record.DOWNLOAD]
    assert target(events[0]) == ("evidence.evidence", str(evidence.pk))
    assert events[0].detail["filename"] == "law.pdf"
    before = last_event_id()
    assert analyst.get(url).status_code == 200
    events = access_after(before)
    assert sorted(e.verb for e in events) == sorted([record.DOWNLOAD, record.READ])
    assert only(events, record.READ).detail["jurisdiction"] == "KE"


def test_anonymous_downloads_of_published_files_are_recorded(
    published_review_round: Any,
) -> None:
    round_ = published_review_round
    publication = Publication.objects.filter(round=round_).latest("number")
    anonymous = Client(REMOTE_ADDR=ADDRESS)
    before = last_event_id()
    findings = reverse("round-findings-download", args=[round_.code, "csv"])
    assert anonymous.get(findings).status_code == 200
    sdmx = anonymous.get(f"/api/v1/publications/{publication.pk}/sdmx?format=csv")
    assert sdmx.status_code == 200
    export = anonymous.get(f"/api/v1/rounds/{round_.code}/exports/findings?format=csv")
    assert export.status_code == 200
    fake = b"%PDF-1.7\n% drawn by the audit test\n"
    with mock.patch("mnr.reports.cache.pdf_of_html", return_value=fake):
        assert anonymous.get(reverse("round-report-pdf", args=[round_.code])).status_code == 200
    events = access_after(before)
    assert all(e.actor is None and e.address == ADDRESS for e in events)
    downloads = {e.detail["what"]: e for e in events if e.verb == record.DOWNLOAD}
    assert set(downloads) == {"findings", "sdmx", "report"}
    assert target(downloads["findings"]) == ("surveys.round", str(round_.pk))
    assert target(downloads["sdmx"]) == ("publications.publication", str(publication.pk))
    assert target(downloads["report"]) == ("publications.publication", str(publication.pk))
    exported = only(events, record.EXPORT)
    assert (exported.detail["exporter"], exported.detail["format"], exported.source) == (
        "findings",
        "csv",
        "api",
    )


def test_a_signed_in_export_names_its_user(personas: dict[str, Any], review_round: Any) -> None:
    opened(review_round, "KE")
    before = last_event_id()
    client = as_user(personas["analyst"])
    response = client.get(f"/api/v1/rounds/{review_round.code}/exports/answers?format=csv")
    assert response.status_code == 200
    event = only(access_after(before), record.EXPORT)
    assert (event.actor, event.detail["exporter"]) == (personas["analyst"], "answers")
    assert event.detail["filename"] in response["Content-Disposition"]


# --- The helper itself -----------------------------------------------------------------------


def test_record_read_outside_a_request_records_each_call_and_skips_the_operator(
    personas: dict[str, Any], review_round: Any
) -> None:
    submission = opened(review_round, "KE")
    kenya = submission.jurisdiction
    before = last_event_id()
    assert record.record_read(None, kenya, "submission", target=submission) is None
    assert record.record_read(personas["focal_point"], kenya, "submission") is None
    event = record.record_read(personas["other_focal_point"], kenya, "submission")
    assert event is not None and event.actor_username == "focal-se"
    assert (event.source, event.address) == ("cli", "")
    with record.serving({"REMOTE_ADDR": ADDRESS, "PATH_INFO": "/x/", "REQUEST_METHOD": "GET"}):
        record.record_read(personas["analyst"], kenya, "submission", target=submission)
        record.record_read(personas["analyst"], kenya, "submission", target=submission)
    with record.serving({"REMOTE_ADDR": ADDRESS, "REQUEST_METHOD": "POST"}):
        assert record.record_read(personas["analyst"], kenya, "submission") is None
    events = access_after(before)
    assert [(e.actor_username, e.address) for e in events] == [
        ("focal-se", ""),
        ("analyst", ADDRESS),
    ]


def test_changes_made_in_a_request_carry_its_address(
    personas: dict[str, Any], review_round: Any
) -> None:
    submission = opened(review_round, "KE")
    client = as_user(personas["focal_point"])
    before = last_event_id()
    response = client.post(
        reverse("submission-save", args=[submission.pk]),
        data='{"answers": {"C11.status": {"value": "yes"}}}',
        content_type="application/json",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(pk__gt=before, verb="answers.save")
    assert (event.kind, event.address, event.actor_username) == ("change", ADDRESS, "focal-ke")
