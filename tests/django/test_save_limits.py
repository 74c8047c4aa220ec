"""The web form's JSON save endpoint against hostile bodies: every one a 400 that names the
field, never a 500, and nothing saved."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from mnr.core.limits import MAX_SAVE_BYTES
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.models import Answer, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def kenya(review_round: Any) -> Submission:
    return actions.open_submission(
        review_round, Jurisdiction.objects.get(code="KE"), "government", source="test"
    )


@pytest.fixture
def save(personas: dict[str, Any], kenya: Submission) -> Any:
    client = Client()
    client.force_login(personas["focal_point"])
    url = reverse("submission-save", args=[kenya.pk])

    def post(body: str | bytes) -> Any:
        return client.post(url, data=body, content_type="application/json")

    return post


def answers(**fields: dict[str, str]) -> str:
    """A save body; ``json.dumps`` writes NUL and lone surrogates as ``\\u`` escapes."""
    return json.dumps({"answers": fields})


def refused(response: Any) -> str:
    assert response.status_code == 400
    assert not Answer.objects.exists()
    error: str = response.json()["error"]
    return error


def test_a_lone_surrogate_in_a_value_is_a_400_naming_the_field(save: Any) -> None:
    error = refused(save('{"answers": {"C01.status": {"value": "\\ud800"}}}'))
    assert error == (
        "answers.C01.status.value: value contains a lone surrogate (not valid Unicode text); "
        "correct the encoding"
    )


def test_a_lone_surrogate_in_a_comment_is_a_400_naming_the_field(save: Any) -> None:
    error = refused(save('{"answers": {"C01.status": {"value": "yes", "comment": "a\\udc00"}}}'))
    assert error.startswith("answers.C01.status.comment: comment contains a lone surrogate")


def test_a_nul_in_a_value_is_a_400_naming_the_field(save: Any) -> None:
    error = refused(save('{"answers": {"C01.good_practice": {"value": "a\\u0000b"}}}'))
    assert error == "answers.C01.good_practice.value: value contains a NUL character; remove it"


def test_a_nul_in_an_evidence_url_is_a_400_naming_the_field(save: Any) -> None:
    body = '{"answers": {"C01.status": {"evidence_url": "https://example.org/\\u0000"}}}'
    assert refused(save(body)).startswith("answers.C01.status.evidence_url: evidence_url contains")


def test_a_lone_surrogate_in_a_question_code_is_a_400(save: Any) -> None:
    error = refused(save('{"answers": {"C01\\ud800": {"value": "yes"}}}'))
    assert error.startswith("answers: a question code is refused: question contains a lone")


def test_a_value_over_the_limit_is_a_400_naming_the_field(save: Any) -> None:
    error = refused(save(answers(**{"C01.good_practice": {"value": "v" * 10_001}})))
    assert error == (
        "answers.C01.good_practice.value: value is 10001 characters long; at most 10000 are "
        "allowed"
    )


def test_an_evidence_url_over_500_characters_is_a_400(save: Any) -> None:
    url = "https://example.org/" + "u" * 481
    error = refused(save(answers(**{"C01.status": {"evidence_url": url}})))
    assert error == (
        "answers.C01.status.evidence_url: evidence_url is 501 characters long; at most 500 are "
        "allowed"
    )


def test_an_evidence_url_of_500_characters_is_saved(save: Any) -> None:
    url = "https://example.org/" + "u" * 480
    response = save(answers(**{"C01.status": {"value": "yes", "evidence_url": url}}))
    assert response.status_code == 200
    assert Answer.objects.get(question__code="C01.status").evidence_url == url


@pytest.mark.parametrize("opening", ["[", '{"answers":', '{"answers": {"C01.status": ['])
def test_deeply_nested_json_is_a_400(save: Any, opening: str) -> None:
    assert refused(save(opening * 20_000)).startswith("the request body is nested too deeply")


def test_a_body_over_the_limit_is_a_400(save: Any) -> None:
    padding = "x" * (MAX_SAVE_BYTES + 1)
    error = refused(save(answers(**{"C01.good_practice": {"value": padding}})))
    assert error.startswith("the request body is 2,097,")
    assert "at most 2,097,152 are accepted at once" in error


def test_a_body_django_refuses_to_read_is_a_413_with_a_message_not_a_500(save: Any) -> None:
    # Refused by mnr.web.request_limits on its length, before it is read.
    response = save(b"[" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert "Nothing was saved" in response.json()["error"]
    assert not Answer.objects.exists()


def test_a_body_that_is_not_utf8_is_a_400(save: Any) -> None:
    error = refused(save(b'{"answers": {"C01.status": {"value": "\xff\xfe"}}}'))
    assert error.startswith("the request body is not JSON")
