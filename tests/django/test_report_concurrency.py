"""Two analysts saving the report editor at the same moment lose nothing (PostgreSQL only:
SQLite runs one writer at a time, so it cannot show the race)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from mnr.audit.models import AuditEvent
from mnr.reports.actions import (
    BlockEdit,
    HeadlinesEdit,
    HeadlineSpec,
    ReportConflicts,
    ReportEdit,
    StaleHeadlines,
    StaleText,
    editor_headlines,
    headlines_digest,
    save_narrative,
    save_report_edit,
    set_headlines,
)
from mnr.reports.models import Headline, NarrativeBlock, ReportSettings
from mnr.surveys.models import Round

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres:///…)"
    ),
]

ROUNDS = 8


def at_once(*saves: Callable[[], Any]) -> list[Any]:
    """Run ``saves`` in threads released together; each result is a return value or the
    exception raised."""
    barrier = threading.Barrier(len(saves))
    results: list[Any] = [None] * len(saves)

    def run(index: int, save: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = save()
        except Exception as error:  # the test looks at what each writer got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, save)) for n, save in enumerate(saves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def analysts(make_user: Any, review_round: Round) -> tuple[Any, Any]:
    return (
        make_user("analyst-a", "analyst", round_=review_round),
        make_user("analyst-b", "analyst", round_=review_round),
    )


def test_two_analysts_saving_one_block_from_one_version_lose_nothing(
    analysts: tuple[Any, Any], review_round: Round
) -> None:
    save_narrative(review_round, "introduction", "Version one.", source="test")
    for attempt in range(ROUNDS):
        block = NarrativeBlock.objects.get(key="introduction")
        loaded, version = block.text["en"], block.version
        texts = [f"attempt {attempt} by {analyst.username}" for analyst in analysts]
        edits = [
            ReportEdit("en", (BlockEdit("introduction", new, loaded, version),)) for new in texts
        ]
        results = at_once(
            *(
                lambda analyst=analyst, edit=edit: save_report_edit(
                    review_round, edit, acting_user=analyst
                )
                for analyst, edit in zip(analysts, edits, strict=True)
            )
        )
        won = [n for n, result in enumerate(results) if result == ["introduction"]]
        lost = [n for n, result in enumerate(results) if isinstance(result, ReportConflicts)]
        assert len(won) == 1 and len(lost) == 1, results
        winner, loser = won[0], lost[0]
        (conflict,) = results[loser].conflicts
        assert isinstance(conflict, StaleText)
        # The loser is told what the winner saved, at the version the winner wrote.
        assert (conflict.text, conflict.version) == (texts[winner], version + 1)
        block.refresh_from_db()
        assert (block.text["en"], block.version) == (texts[winner], version + 1)
        # Zero lost updates: every stored version has its event, with the text it replaced.
        event = AuditEvent.objects.filter(verb="report.narrative").latest("pk")
        assert (event.actor, event.detail["old"], event.detail["new"]) == (
            analysts[winner],
            loaded,
            texts[winner],
        )
    events = AuditEvent.objects.filter(verb="report.narrative").order_by("pk")
    chain = [(e.detail["old"], e.detail["new"]) for e in events]
    assert len(chain) == ROUNDS + 1
    assert all(chain[n][1] == chain[n + 1][0] for n in range(len(chain) - 1))


@pytest.mark.parametrize("key", ["call_to_action", "acknowledgements", "closing"])
def test_a_new_block_created_by_two_analysts_at_once_has_one_winner(
    analysts: tuple[Any, Any], review_round: Round, key: str
) -> None:
    results = at_once(
        *(
            lambda analyst=analyst: save_narrative(
                review_round,
                key,
                f"1. written by {analyst.username}",
                expected_version=0,
                acting_user=analyst,
            )
            for analyst in analysts
        )
    )
    assert sorted(type(result).__name__ for result in results) == ["NarrativeBlock", "StaleText"]
    block = NarrativeBlock.objects.get(key=key)
    assert block.version == 1
    assert AuditEvent.objects.filter(verb="report.narrative").count() == 1


def test_two_analysts_changing_different_blocks_at_once_both_land(
    analysts: tuple[Any, Any], review_round: Round
) -> None:
    for key in ("introduction", "call_to_action"):
        save_narrative(review_round, key, f"{key} v1", source="test")
    edits = [
        ReportEdit("en", (BlockEdit("introduction", "introduction by A", "introduction v1", 1),)),
        ReportEdit(
            "en", (BlockEdit("call_to_action", "call_to_action by B", "call_to_action v1", 1),)
        ),
    ]
    results = at_once(
        *(
            lambda analyst=analyst, edit=edit: save_report_edit(
                review_round, edit, acting_user=analyst
            )
            for analyst, edit in zip(analysts, edits, strict=True)
        )
    )
    assert results == [["introduction"], ["call_to_action"]]
    texts = dict(NarrativeBlock.objects.values_list("key", "text"))
    assert texts == {
        "introduction": {"en": "introduction by A"},
        "call_to_action": {"en": "call_to_action by B"},
    }


def test_two_analysts_replacing_the_headlines_at_once_have_one_winner(
    analysts: tuple[Any, Any], review_round: Round
) -> None:
    set_headlines(
        review_round,
        [HeadlineSpec("H1", "C11.status", ("yes", "partial"), {"en": "have a helpline"})],
        source="test",
    )
    loaded = editor_headlines(review_round, "en")
    digest = headlines_digest(loaded, "en")
    edits = [
        HeadlinesEdit(
            (HeadlineSpec("H1", "C11.status", ("yes",), {"en": f"helpline ({analyst.username})"}),),
            digest,
            1,
        )
        for analyst in analysts
    ]
    results = at_once(
        *(
            lambda analyst=analyst, edit=edit: save_report_edit(
                review_round, ReportEdit("en", headlines=edit), acting_user=analyst
            )
            for analyst, edit in zip(analysts, edits, strict=True)
        )
    )
    won = [n for n, result in enumerate(results) if result == ["headlines"]]
    assert len(won) == 1
    (conflict,) = results[1 - won[0]].conflicts
    assert isinstance(conflict, StaleHeadlines) and conflict.version == 2
    assert Headline.objects.get().statement == {"en": f"helpline ({analysts[won[0]].username})"}
    assert ReportSettings.objects.get().headlines_version == 2
    assert AuditEvent.objects.filter(verb="report.headlines").count() == 2
