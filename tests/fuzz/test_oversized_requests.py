"""Oversized request bodies are refused with a message (mnr.web.request_limits), before anything
reads them: the evidence upload goes back to the answer page with the evidence limit, the
entry form's save script gets a JSON error, every other page a 413 page saying what happened,
the API its own JSON error; too many form fields get a page too, not a bare "Bad Request".

The bodies are declared by ``Content-Length`` and only a few bytes are sent: the refusal must
come before a byte is read (the test client's payload raises when read past its end), and the
tests never allocate hundreds of megabytes. Client(enforce_csrf_checks=True) stands in for a
browser, since the CSRF check is what would otherwise read a form post's body first."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.submissions import opened

from mnr.audit.models import AuditEvent
from mnr.evidence.models import Evidence
from mnr.surveys.models import Answer, AnswerChange
from mnr.web.request_limits import evidence_request_limit, max_request_bytes

pytestmark = pytest.mark.django_db

GIB = 1024**3


def signed_in(personas: dict[str, Any], persona: str = "focal_point") -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas[persona])
    # A browser holds the CSRF cookie of an earlier page: the check then reads the body.
    client.get(reverse("home"))
    return client


def declared(client: Client, url: str, size: int, content_type: str, **extra: Any) -> Any:
    """A POST that says it carries ``size`` bytes and sends a few."""
    return client.generic(
        "POST", url, b"x=1", content_type=content_type, CONTENT_LENGTH=str(size), **extra
    )


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Answer, AnswerChange, Evidence, AuditEvent))


def test_an_evidence_upload_of_a_gigabyte_goes_back_with_the_evidence_limit(
    personas: dict[str, Any], review_round: Any
) -> None:
    kenya = opened(review_round, "KE")
    client = signed_in(personas)
    before = counts()
    response = declared(
        client,
        reverse("evidence-upload", args=[kenya.pk]),
        GIB,
        "multipart/form-data; boundary=BoUnDaRy",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("submission", args=[kenya.pk])
    page = client.get(response["Location"]).content.decode()
    assert "evidence files may be at most 10 MiB. Nothing was attached." in page
    assert f"{GIB:,} bytes" in page
    assert counts() == before


def test_an_evidence_upload_within_its_limit_still_attaches_through_the_csrf_check(
    personas: dict[str, Any], review_round: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from tests import evidence_files as files

    kenya = opened(review_round, "KE")
    client = signed_in(personas)
    client.get(reverse("submission", args=[kenya.pk]))
    response = client.post(
        reverse("evidence-upload", args=[kenya.pk]),
        {
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
            "question": "C11.status",
            "file": SimpleUploadedFile("law.pdf", files.PDF),
        },
    )
    assert response.status_code == 302
    assert Evidence.objects.get().original_name == "law.pdf"
    assert max_request_bytes() == evidence_request_limit() > 10 * 1024 * 1024


def test_a_form_post_over_the_limit_is_a_413_page_with_the_limit(
    personas: dict[str, Any], review_round: Any, settings: Any
) -> None:
    settings.DEBUG = False
    kenya = opened(review_round, "KE")
    client = signed_in(personas)
    before = counts()
    response = declared(
        client,
        reverse("submission", args=[kenya.pk]) + "?domain=D3",
        GIB,
        "application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert "Too much sent at once" in html
    assert f"at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes are accepted" in html
    assert '<header class="site">' in html
    assert counts() == before


def test_a_real_body_just_over_a_lowered_limit_is_refused_and_saves_nothing(
    personas: dict[str, Any], review_round: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    kenya = opened(review_round, "KE")
    client = signed_in(personas)
    client.get(reverse("submission", args=[kenya.pk]))
    token = client.cookies["csrftoken"].value
    before = counts()
    response = client.post(
        reverse("submission", args=[kenya.pk]) + "?domain=D3",
        {"csrfmiddlewaretoken": token, "C11.status": "yes", "C11.comment": "y" * 20_001},
    )
    assert response.status_code == 413
    assert "at most 20,000 bytes are accepted" in response.content.decode()
    assert counts() == before


def test_the_save_script_gets_a_json_error_it_shows(
    personas: dict[str, Any], review_round: Any
) -> None:
    kenya = opened(review_round, "KE")
    client = signed_in(personas)
    before = counts()
    response = declared(
        client, reverse("submission-save", args=[kenya.pk]), GIB, "application/json"
    )
    assert response.status_code == 413
    assert "Nothing was saved" in response.json()["error"]
    assert counts() == before


def test_the_page_is_in_the_reader_s_language(personas: dict[str, Any], review_round: Any) -> None:
    kenya = opened(review_round, "KE")
    client = signed_in(personas)
    response = declared(
        client,
        reverse("submission", args=[kenya.pk]),
        GIB,
        "application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 413
    assert 'lang="fr"' in response.content.decode()


def test_the_api_answers_413_in_its_own_format(personas: dict[str, Any], review_round: Any) -> None:
    from mnr.api.tokens import create_token

    kenya = opened(review_round, "KE")
    _, token = create_token(
        personas["focal_point"], "t", scope="write", acting_user=personas["focal_point"]
    )
    response = Client().generic(
        "POST",
        f"/api/v1/submissions/{kenya.pk}/answers:bulk",
        b"[]",
        content_type="application/json",
        CONTENT_LENGTH=str(GIB),
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 413, response.content
    assert response.json()["error"]["code"] == "too_large"


def test_too_many_form_fields_are_a_page_with_a_message(
    personas: dict[str, Any], review_round: Any, settings: Any
) -> None:
    settings.DEBUG = False
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    kenya = opened(review_round, "KE")
    client = signed_in(personas)
    before = counts()
    client.get(reverse("submission", args=[kenya.pk]))
    # The CSRF check is what reads the fields first, as it does for a browser's post.
    fields = {f"field{number}": "x" for number in range(60)}
    fields["csrfmiddlewaretoken"] = client.cookies["csrftoken"].value
    response = client.post(reverse("submission", args=[kenya.pk]) + "?domain=D3", fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The form sent more than 50 fields; nothing was saved." in html
    assert counts() == before


def test_a_save_request_too_large_for_django_is_json_too(
    personas: dict[str, Any], review_round: Any, settings: Any
) -> None:
    # Just over the limit for real: the JSON body itself, not only its declared length.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 5_000
    kenya = opened(review_round, "KE")
    client = Client()
    client.force_login(personas["focal_point"])
    body = json.dumps({"answers": {"C11.comment": {"value": "z" * 6_000}}})
    response = client.post(
        reverse("submission-save", args=[kenya.pk]), body, content_type="application/json"
    )
    assert response.status_code == 413
    assert "at most 5,000 bytes" in response.json()["error"]
    assert not Answer.objects.exists()


def test_a_value_the_database_refuses_is_a_400_page_not_a_500(
    personas: dict[str, Any], settings: Any, monkeypatch: Any
) -> None:
    # PostgreSQL refuses a NUL anywhere in a query; SQLite does not, so the refusal is made
    # to happen here on both, in the answer page's lookup.
    from django.db import DataError

    from mnr.web import entry

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")

    monkeypatch.setattr(entry, "get_submission_for_user", refuse)
    settings.DEBUG = False
    client = signed_in(personas)
    before = counts()
    response = client.get(reverse("submission", args=[1]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "The database refused a value you sent" in html
    assert "Not saved" in html
    assert counts() == before
