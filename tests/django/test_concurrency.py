"""Two writers at the same time: nothing is lost, and the one that loses is told.

These run real concurrent transactions in threads, each with its own database connection, on
PostgreSQL (``DATABASE_URL=postgres:///…``). SQLite is skipped: pytest-django's in-memory
SQLite test database is shared between connections through SQLite's shared cache, whose table
locks fail at once ("database table is locked") instead of waiting, so a race there tests
SQLite's test setup rather than the application; a real SQLite file serialises writers anyway
(``transaction_mode`` IMMEDIATE in ``mnr.settings``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from tests.submissions import opened, required_answers

from mnr.core.interchange import AnswerRow
from mnr.errors import MnrError
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput, StaleAnswer
from mnr.surveys.imports import import_answers
from mnr.surveys.models import Answer, AnswerChange, Round, Submission

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need PostgreSQL (see the module docstring); "
        "run with DATABASE_URL=postgres:///mnr_<name>",
    ),
]

RACES = 20


def in_threads(*work: Callable[[], Any]) -> list[Any]:
    """Run each callable in its own thread and connection, released together by a barrier;
    return what each returned or raised."""
    barrier = threading.Barrier(len(work))
    outcomes: list[Any] = [None] * len(work)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            outcomes[index] = work[index]()
        except Exception as error:
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a writer never finished (deadlock?)"
    return outcomes


def user(username: str) -> Any:
    """A fresh user object per thread (role assignments are cached on the object)."""
    return get_user_model().objects.get(username=username)


def version(submission: Submission, question: str) -> int:
    stored = Answer.objects.filter(submission=submission, question__code=question).first()
    return stored.version if stored else 0


def saver(submission: Submission, username: str, question: str, text: str, read: int) -> Any:
    def save() -> int:
        return actions.save_answers(
            submission,
            {question: AnswerInput(comment=text, expected_version=read)},
            acting_user=user(username),
            source="web",
        )

    return save


@pytest.fixture
def kenya(review_round: Round, personas: dict[str, Any]) -> Submission:
    return opened(review_round, "KE")


def test_two_writers_of_one_answer_one_saves_and_the_other_is_told(kenya: Submission) -> None:
    writers = ("focal-ke", "admin")
    winners = []
    for race in range(RACES):
        read = version(kenya, "C01.status")
        texts = [f"race {race}: {name}" for name in writers]

        outcomes = in_threads(
            *(
                saver(kenya, name, "C01.status", text, read)
                for name, text in zip(writers, texts, strict=True)
            )
        )

        saved = [i for i, outcome in enumerate(outcomes) if outcome == 1]
        stale = [outcome for outcome in outcomes if isinstance(outcome, StaleAnswer)]
        assert len(saved) == 1 and len(stale) == 1, outcomes
        winner = saved[0]
        winners.append((texts[winner], writers[winner]))
        # The loser is shown what the winner saved, at the version after the one it read.
        told = stale[0].current["C01.status"]
        assert (told.comment, told.version, told.updated_by) == (
            texts[winner],
            read + 1,
            writers[winner],
        )
        stored = Answer.objects.get(submission=kenya, question__code="C01.status")
        assert (stored.comment, stored.version) == (texts[winner], read + 1)

    history = list(
        AnswerChange.objects.filter(answer__submission=kenya, field="comment")
        .order_by("changed_at", "id")
        .values_list("new", "changed_by__username")
    )
    assert history == winners, "every saved comment is in the history, nothing else"


def test_two_writers_of_different_answers_of_one_submission_both_save(kenya: Submission) -> None:
    for race in range(RACES // 2):
        reads = {code: version(kenya, code) for code in ("C01.status", "C02.status")}

        outcomes = in_threads(
            saver(kenya, "focal-ke", "C01.status", f"C01 in race {race}", reads["C01.status"]),
            saver(kenya, "admin", "C02.status", f"C02 in race {race}", reads["C02.status"]),
        )

        assert outcomes == [1, 1]
        stored = dict(kenya.answers.values_list("question__code", "comment"))
        assert stored == {"C01.status": f"C01 in race {race}", "C02.status": f"C02 in race {race}"}
    assert AnswerChange.objects.filter(answer__submission=kenya).count() == RACES


def wait_until_it_waits_for_a_lock(writer: threading.Thread, outcome: list[Any]) -> None:
    """Until ``writer``, on another connection, waits for a row lock (one we hold)."""
    deadline = time.monotonic() + 60
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            if not writer.is_alive():
                pytest.fail(f"the other writer did not wait for the lock: {outcome}")
            # Activity statistics are read once per transaction unless the snapshot is cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    pytest.fail("the other writer never waited for the lock")


def in_background(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(work())
        except Exception as error:
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_web_save_waiting_for_an_import_is_refused_not_applied(kenya: Submission) -> None:
    actions.save_answers(kenya, required_answers(kenya), acting_user=user("focal-ke"))
    read = version(kenya, "C01.status")
    row = AnswerRow(2, "test-2021", "KE", "government", "C01.status", "partial")

    with transaction.atomic():
        import_answers(kenya.round, [row])
        thread, outcome = in_background(
            lambda: actions.save_answers(
                kenya,
                {"C01.status": AnswerInput(value="no", expected_version=read)},
                acting_user=user("focal-ke"),
            )
        )
        wait_until_it_waits_for_a_lock(thread, outcome)
    thread.join(timeout=60)

    assert isinstance(outcome[0], MnrError), outcome
    assert "is submitted" in str(outcome[0])
    stored = Answer.objects.get(submission=kenya, question__code="C01.status")
    assert (stored.value, stored.version) == ("partial", read + 1)
    assert list(
        AnswerChange.objects.filter(answer=stored, field="value").values_list("new", "source")
    ) == [("yes", "web"), ("partial", "import")]


def test_an_import_waiting_for_a_web_save_compares_against_what_it_saved(
    kenya: Submission,
) -> None:
    actions.save_answers(kenya, required_answers(kenya), acting_user=user("focal-ke"))
    row = AnswerRow(2, "test-2021", "KE", "government", "C01.status", "partial")

    with transaction.atomic():
        actions.save_answers(
            kenya,
            {"C01.status": AnswerInput(value="no", expected_version=1)},
            acting_user=user("focal-ke"),
        )
        thread, outcome = in_background(lambda: import_answers(kenya.round, [row]))
        wait_until_it_waits_for_a_lock(thread, outcome)
    thread.join(timeout=60)

    result = outcome[0]
    assert not isinstance(result, Exception), result
    assert [(change.old, change.new) for change in result.changes] == [("no", "partial")]
    stored = Answer.objects.get(submission=kenya, question__code="C01.status")
    assert (stored.value, stored.version) == ("partial", 3)
    assert list(
        AnswerChange.objects.filter(answer=stored, field="value").values_list("old", "new")
    ) == [("", "yes"), ("yes", "no"), ("no", "partial")]
