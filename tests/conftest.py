"""Personas and rounds shared by the Django tests.

The test database is migrated once per session; migrating loads the shipped framework,
instruments and jurisdictions, as it does for a real installation."""

from __future__ import annotations

import os
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Real hashing costs a third of a second per user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _evidence_in_tmp(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    # Evidence uploads go to a folder of the test session, never to ./var/uploads.
    settings.EVIDENCE_ROOT = tmp_path_factory.getbasetemp() / "evidence"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    # Background tasks (report builds) run in the request, so that tests stay synchronous;
    # tests of the queue itself switch back to the database backend.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def make_user(db: Any) -> Any:
    from mnr.accounts.actions import assign_role, create_user
    from mnr.jurisdictions.models import Jurisdiction

    def make(
        username: str, role: str | None = None, jurisdiction: str | None = None, round_: Any = None
    ) -> Any:
        user = create_user(username, "pw-" + username, source="test")
        if role:
            place = Jurisdiction.objects.get(code=jurisdiction) if jurisdiction else None
            assign_role(user, role, jurisdiction=place, round_=round_, source="test")
        return user

    return make


@pytest.fixture
def review_round(db: Any) -> Any:
    """A round on the 2021 instrument with Kenya, Sweden and England and Wales taking part."""
    from mnr.surveys.actions import add_participants, create_round

    round_ = create_round("test-2021", instrument="mnr-review-2021", title="Test round")
    add_participants(round_, ["KE", "SE", "GB-EAW"])
    return round_


@pytest.fixture
def personas(make_user: Any, review_round: Any) -> dict[str, Any]:
    from django.contrib.auth.models import AnonymousUser

    return {
        "administrator": make_user("admin", "administrator"),
        "analyst": make_user("analyst", "analyst"),
        "reviewer": make_user("reviewer", "reviewer"),
        "focal_point": make_user("focal-ke", "focal_point", "KE"),
        "other_focal_point": make_user("focal-se", "focal_point", "SE"),
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def published_review_round(review_round: Any) -> Any:
    """``review_round`` with one answer from each participant, validated and published."""
    from tests.publishing import validate_and_publish

    from mnr.jurisdictions.models import Jurisdiction
    from mnr.surveys.actions import AnswerInput, open_submission, save_answers

    for code, value in (("KE", "yes"), ("SE", "partial"), ("GB-EAW", "no")):
        place = Jurisdiction.objects.get(code=code)
        submission = open_submission(review_round, place, "government")
        save_answers(submission, {"C11.status": AnswerInput(value=value)}, source="test")
    validate_and_publish(review_round)
    review_round.refresh_from_db()
    return review_round
