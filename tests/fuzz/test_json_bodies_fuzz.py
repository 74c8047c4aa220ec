"""Fuzzing the JSON endpoints with hostile bodies, sent as a focal point who may write: the
entry form's save-as-you-go endpoint (``/submissions/<pk>/save/``, the web app's one JSON
endpoint; the report editor and the maturity pages post forms) and the API's bulk answer
save. Wrong types, nulls, extra keys, deep nesting, long and unicode texts, invalid UTF-8 and
wrong content types: always a 4xx in the endpoint's error format (the save endpoint's
``{"error": ...}``, the API's ``{"error": {"code", "message", "details"}}``), never a 500
(the test client raises what a view raises), and a refused request writes nothing: answers,
their history and the audit log are as they were.

tests/api/test_schema_fuzz.py fuzzes every API operation from its OpenAPI schema; what it
cannot send (bytes that are not UTF-8, bodies that are not JSON, nesting deeper than the
schema, other content types) is sent here."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.mutations import FUZZ, hostile_text, json_values, nested
from tests.submissions import opened

from mnr.api.tokens import create_token
from mnr.audit.models import AuditEvent
from mnr.surveys.models import Answer, AnswerChange, Submission

pytestmark = pytest.mark.django_db

QUESTIONS = ["C11.status", "C01.good_practice", "C01.phase", "C99.none", ""]
FIELDS = ["value", "comment", "evidence_url", "publishable", "confidence", "expected_version"]

field_values = st.one_of(
    hostile_text,
    json_values,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(["yes", "no", "partial", "https://example.org/x", "high"]),
)
answer_fields = st.dictionaries(st.sampled_from(FIELDS) | hostile_text, field_values, max_size=4)
answers = st.dictionaries(st.sampled_from(QUESTIONS) | hostile_text, answer_fields, max_size=3)


@st.composite
def hostile_bodies(draw: st.DrawFn, wrap: bool) -> bytes:
    """A request body: the right shape with hostile contents, any JSON value, deep nesting,
    or bytes that are not JSON or not UTF-8."""
    kind = draw(st.sampled_from(["shaped", "shaped", "shaped", "any", "deep", "bytes"]))
    if kind == "shaped":
        given = draw(answers)
        document: Any = (
            {"answers": given}
            if wrap
            else [{"question": code, **fields} for code, fields in given.items()]
        )
        if wrap and draw(st.booleans()):
            document[draw(hostile_text)] = draw(json_values)
        text = json.dumps(document, ensure_ascii=draw(st.booleans()))
        return text.encode("utf-8", "surrogatepass")
    if kind == "any":
        return json.dumps(draw(json_values)).encode("utf-8", "surrogatepass")
    if kind == "deep":
        return nested(draw(st.integers(min_value=500, max_value=50_000))).encode()
    return draw(st.binary(max_size=64)) + b'\xff{"answers": {}}'


def written() -> tuple[int, int, int]:
    return Answer.objects.count(), AnswerChange.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def kenya(review_round: Any, personas: dict[str, Any]) -> Submission:
    return opened(review_round, "KE")


# Requests through the whole stack cost a quarter of a second each here: fewer examples.
DB_FUZZ = settings(FUZZ, max_examples=min(FUZZ.max_examples, 25))


@DB_FUZZ
@given(
    body=hostile_bodies(wrap=True),
    content_type=st.sampled_from(["application/json", "application/json", "text/plain", ""]),
)
def test_the_save_endpoint_refuses_any_hostile_body_with_a_json_error_and_writes_nothing(
    personas: dict[str, Any], kenya: Submission, body: bytes, content_type: str
) -> None:
    client = Client()
    client.force_login(personas["focal_point"])
    before = written()
    response = client.generic(
        "POST", reverse("submission-save", args=[kenya.pk]), body, content_type=content_type
    )
    assert response.status_code in (200, 400, 409, 413), response.content
    payload = response.json()
    if response.status_code == 200:
        assert set(payload) == {"changed", "versions", "progress"}
        return
    assert isinstance(payload["error"], str) and payload["error"], payload
    assert written() == before


@DB_FUZZ
@given(body=hostile_bodies(wrap=False), wrap=st.booleans())
def test_the_bulk_api_refuses_any_hostile_body_in_its_error_format_and_writes_nothing(
    personas: dict[str, Any], kenya: Submission, body: bytes, wrap: bool, settings: Any
) -> None:
    settings.MNR_API_RATE_SIGNED_IN = 10**9
    focal_point = personas["focal_point"]
    _, token = create_token(focal_point, "fuzz", scope="write", acting_user=focal_point)
    if wrap and body.startswith(b"["):
        body = b'{"answers": ' + body + b"}"
    before = written()
    response = Client().generic(
        "POST",
        f"/api/v1/submissions/{kenya.pk}/answers:bulk",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        error = response.json()["error"]
        assert set(error) == {"code", "message", "details"}, error
        assert error["message"]
        assert written() == before
