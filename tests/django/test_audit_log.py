"""The audit log is append-only (the model and the database refuse changes), administrators
browse and download it, and ``mnr audit export`` writes it (docs/audit.md)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from mnr.audit import log, record
from mnr.audit.models import AppendOnlyError, AuditEvent

ADDRESS = "198.51.100.4"


@pytest.fixture
def event(db: Any) -> AuditEvent:
    return record.record_event("reference-data", "reference-data", actor=None, source="test")


# --- Append-only -----------------------------------------------------------------------------


def test_the_model_refuses_to_change_or_delete_an_event(event: AuditEvent) -> None:
    event.verb = "something.else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="something.else")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["verb"])
    assert AuditEvent.objects.get(pk=event.pk).verb == "reference-data"


def test_the_database_refuses_an_update_in_plain_sql(event: AuditEvent) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET verb = %s WHERE id = %s", ["forged", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).verb == "reference-data"


def test_a_row_written_over_itself_unchanged_is_let_through(event: AuditEvent) -> None:
    # What Django's serialized_rollback does when it loads the database's copy over itself.
    for stored in serializers.deserialize("json", serializers.serialize("json", [event])):
        stored.save()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET verb = verb WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).verb == "reference-data"


def test_the_database_refuses_a_delete_in_plain_sql_on_postgresql(event: AuditEvent) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's trigger refuses UPDATE only: Django's flush empties it by DELETE")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_inserts_in_plain_sql_stay_possible_for_a_restore(db: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_username, source, kind, verb, object_type,"
            " object_id, address, detail) VALUES (%s, '', 'cli', 'change', 'restored', 'x', '',"
            " '', %s)",
            ["2026-01-01T00:00:00+00:00", "{}"],
        )
    assert AuditEvent.objects.filter(verb="restored").count() == 1


def test_removing_a_user_keeps_their_events_and_name(make_user: Any) -> None:
    user = make_user("leaving", "analyst")
    kept = record.record_event("round.create", "reference-data", actor=user, source="web")
    user.delete()
    event = AuditEvent.objects.get(pk=kept.pk)
    assert (event.actor_id, event.actor_username) == (kept.actor_id, "leaving")
    assert "leaving" in str(event)


# --- Browsing and downloading ----------------------------------------------------------------


def _signed_in(user: Any) -> Client:
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(user)
    return client


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_administrators_browse_the_log_with_filters_and_search(personas: dict[str, Any]) -> None:
    client = _signed_in(personas["administrator"])
    changelist = reverse("admin:audit_auditevent_changelist")
    response = client.get(changelist, {"kind__exact": "access", "q": ADDRESS})
    assert response.status_code == 200
    page = response.content.decode()
    assert "access.sign_in" in page and ADDRESS in page
    assert reverse("admin:audit_auditevent_export") in page
    assert client.get(changelist, {"actor": "admin", "at__year": "2026"}).status_code == 200
    # Each actor is offered once as a filter, however many events they have.
    Client(REMOTE_ADDR=ADDRESS).post(
        reverse("login"), {"username": "admin", "password": "pw-admin"}
    )
    page = client.get(changelist).content.decode()
    assert page.count('href="?actor=admin"') == 1
    event = AuditEvent.objects.filter(actor_username="admin").latest("pk")
    detail = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert detail.status_code == 200 and event.verb in detail.content.decode()


@pytest.mark.parametrize("persona", ["analyst", "reviewer", "focal_point", "other_focal_point"])
def test_nobody_else_browses_or_downloads_the_log(personas: dict[str, Any], persona: str) -> None:
    client = _signed_in(personas[persona])
    for name in ("admin:audit_auditevent_changelist", "admin:audit_auditevent_export"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert Client().get(reverse("admin:audit_auditevent_export")).status_code == 302


def test_the_csv_download_holds_exactly_the_filtered_events(personas: dict[str, Any]) -> None:
    for name in ("analyst", "reviewer"):  # a sign-in each, from ADDRESS
        Client(REMOTE_ADDR=ADDRESS).post(
            reverse("login"), {"username": name, "password": f"pw-{name}"}
        )
    client = _signed_in(personas["administrator"])
    wanted = AuditEvent.objects.filter(verb=record.SIGN_IN, actor_username="reviewer")
    response = client.get(
        reverse("admin:audit_auditevent_export"),
        {"verb__exact": record.SIGN_IN, "actor": "reviewer"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response.content)
    assert [int(row["id"]) for row in rows] == list(
        wanted.order_by("at", "id").values_list("pk", flat=True)
    )
    assert rows and {row["actor"] for row in rows} == {"reviewer"}
    assert rows[0]["address"] == ADDRESS and rows[0]["kind"] == "access"
    # The download itself is recorded, with the filters used.
    export = AuditEvent.objects.filter(verb=record.EXPORT, object_type="audit.auditevent").get()
    assert export.actor == personas["administrator"]
    assert export.detail["count"] == len(rows)
    assert "reviewer" in export.detail["filters"]


def test_the_log_cannot_be_changed_through_the_admin(personas: dict[str, Any]) -> None:
    client = _signed_in(personas["administrator"])
    event = AuditEvent.objects.latest("pk")
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- The command line ------------------------------------------------------------------------


def test_mnr_audit_export_writes_the_chosen_events(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    record.record_event("round.create", "reference-data", actor=None, source="cli", note="é")
    output = tmp_path / "audit.csv"
    out = io.StringIO()
    call_command("audit", "export", "-o", str(output), "--verb", "round.create", stdout=out)
    rows = _csv_rows(output.read_bytes())
    expected = AuditEvent.objects.filter(verb="round.create").order_by("at", "id")
    assert [int(row["id"]) for row in rows] == [e.pk for e in expected]
    assert json.loads(rows[-1]["detail"]) == {"note": "é"}
    assert f"{len(rows)} audit events" in out.getvalue()
    call_command("audit", "export", "-o", str(output), "--since", "2999-01-01", stdout=out)
    assert _csv_rows(output.read_bytes()) == []
    call_command("audit", "export", "-o", str(output), "--since", "2000-01-01", stdout=out)
    assert len(_csv_rows(output.read_bytes())) == AuditEvent.objects.count()


def test_mnr_audit_export_refuses_a_date_it_cannot_read(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--since: '1 May' is not a date"):
        call_command("audit", "export", "-o", str(tmp_path / "a.csv"), "--since", "1 May")
    assert log.since("2026-05-01").hour == 0
