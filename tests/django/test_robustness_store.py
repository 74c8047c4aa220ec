"""A publication's public robustness run: queued on publishing, computed in the background,
stored in its own row (the publication itself never changes), queued again when lost, and
read back by the pages (``ready_result``) and report builds (``ensure_result``). Against the
demo's publication: the stored run reproduces every published figure, and a change that
leaves every public table alone leaves the public run alone too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from tests.core.test_robustness_disclosure import undetermined_reads
from tests.publishing import validate_and_publish

from mnr.audit.models import AuditEvent
from mnr.core import robustness as core
from mnr.core.disclosure import FigureRequest, protect, public_robustness
from mnr.demo import load_demo
from mnr.errors import MnrError
from mnr.jurisdictions.actions import create_synthetic_jurisdictions
from mnr.publications import robustness as stored
from mnr.publications.actions import Content, frozen_round_data
from mnr.publications.models import Publication, PublicationRobustness
from mnr.publications.reading import require_publication
from mnr.reports.actions import HeadlineSpec, set_headlines
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CHANNELS = ["government", "unicef_country_office"]
STATUS = ("yes", "partial", "no", "dont_know", "yes", "no")


@pytest.fixture
def queued(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks queued in the database, as in production, for a worker run inside the test (the
    worker's closing of connections outside autocommit, as the test's is, left out)."""
    from django_tasks_db.management.commands import db_worker

    settings.TASKS = DATABASE_TASKS
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def answered_round(code: str = "rob") -> Round:
    """Sixteen synthetic jurisdictions answering C11 (every status code, some "don't know")
    through the government channel, and headlines over everyone, over high income and over
    the jurisdictions answering through UNICEF (none: withheld)."""
    round_ = actions.create_round(
        code, instrument="mnr-review-2021", channels=CHANNELS, synthetic=True
    )
    places = create_synthetic_jurisdictions(
        (
            (f"Z{code[:3].upper()}{n:03d}", f"Place {n}", ("Europe", "Asia")[n % 2], income)
            for n, income in enumerate(["HIC", "UMC"] * 8)
        ),
        2021,
    )
    actions.add_participants(round_, [p.code for p in places])
    for n, place in enumerate(places):
        submission = actions.open_submission(round_, place, "government")
        answer = {"C11.status": AnswerInput(value=STATUS[n % len(STATUS)])}
        actions.save_answers(submission, answer, source="test")
    set_headlines(
        round_,
        [
            HeadlineSpec("H1", "C11.status", ("yes", "partial"), {"en": "have a helpline"}),
            HeadlineSpec(
                "H2", "C11.status", ("yes",), {"en": "have a helpline"}, population="income=HIC"
            ),
            # No UNICEF office answered: withheld, so it has no public robustness either.
            HeadlineSpec(
                "H3",
                "C11.status",
                ("yes",),
                {"en": "have a helpline"},
                population="channel=unicef_country_office",
            ),
        ],
        source="test",
    )
    return round_


def publish_committed(round_: Round, capture: Callable[..., Any], **options: Any) -> Publication:
    """Publish, then run what waits for the commit (the test's transaction never commits)."""
    with capture(execute=True):
        publication = validate_and_publish(round_, **options)
    return publication


def row_of(publication: Publication) -> PublicationRobustness:
    return PublicationRobustness.objects.get(publication=publication)


def task_rows() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.count()


# --- queued on publishing, computed, stored -------------------------------------------------------


def test_publishing_computes_the_public_run_and_stores_it_beside_the_publication(
    django_capture_on_commit_callbacks: Any,
) -> None:
    publication = publish_committed(answered_round(), django_capture_on_commit_callbacks)
    row = row_of(publication)
    assert row.status == PublicationRobustness.Status.READY
    assert row.error == "" and row.built_at is not None
    expected = stored.public_result(publication).to_json()
    assert row.result == expected
    assert Content.of(publication).protection.figures["H3"].suppressed
    assert [f["id"] for f in expected["figures"]] == ["H1", "H2"]
    assert expected["domains"] == []  # domain scores are never in a public run
    assert stored.ready_result(publication) == core.Result.from_json(expected)
    assert (
        AuditEvent.objects.filter(verb="round.publish", object_id=str(publication.pk)).count() == 1
    )


def test_publishing_queues_the_run_and_the_page_waits_for_it(
    queued: None, django_capture_on_commit_callbacks: Any
) -> None:
    publication = publish_committed(answered_round(), django_capture_on_commit_callbacks)
    assert row_of(publication).status == PublicationRobustness.Status.PENDING
    assert task_rows() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert stored.ready_result(publication) is None
    assert task_rows() == 1  # asking while it is computed queues nothing more


def test_the_worker_computes_a_queued_run(
    queued: None, django_capture_on_commit_callbacks: Any
) -> None:
    from mnr.reports.worker import make_worker

    publication = publish_committed(answered_round(), django_capture_on_commit_callbacks)
    make_worker(once=True).run()
    row = row_of(publication)
    assert row.status == PublicationRobustness.Status.READY
    assert row.result == stored.public_result(publication).to_json()
    result = stored.ready_result(publication)
    assert result is not None and [f.id for f in result.figures] == ["H1", "H2"]


def test_a_failing_run_is_stored_as_failed_with_its_reason_and_raised(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def broken(publication: Publication) -> core.Result:
        raise core.RobustnessError("replication 7 failed: figure H1 has no value")

    monkeypatch.setattr(stored, "public_result", broken)
    # The publication is made all the same, with its audit event; its run failed.
    publication = publish_committed(answered_round(), django_capture_on_commit_callbacks)
    assert AuditEvent.objects.filter(verb="round.publish", object_id=str(publication.pk)).exists()
    row = row_of(publication)
    assert row.status == PublicationRobustness.Status.FAILED
    assert "RobustnessError: replication 7 failed" in row.error
    assert row.result is None
    assert stored.ready_result(publication) is None
    with pytest.raises(core.RobustnessError, match="replication 7"):
        stored.compute(row)
    with pytest.raises(core.RobustnessError, match="replication 7"):
        stored.ensure_result(publication)
    assert row_of(publication).status == PublicationRobustness.Status.FAILED


def test_a_run_lost_with_its_worker_is_queued_again_once_stale_and_only_once(
    queued: None, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    publication = publish_committed(answered_round(), django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()  # the worker stopped during the run
    with django_capture_on_commit_callbacks(execute=True):
        stored.stored_robustness(publication)
    assert task_rows() == 0  # not stale yet: nothing queued again

    lost = timezone.now() - stored.STALE_RUN - timedelta(seconds=1)
    PublicationRobustness.objects.update(queued_at=lost)
    with django_capture_on_commit_callbacks(execute=True):
        row = stored.stored_robustness(publication)
    assert row.status == PublicationRobustness.Status.PENDING
    assert task_rows() == 1
    assert row_of(publication).queued_at > lost
    with django_capture_on_commit_callbacks(execute=True):
        stored.stored_robustness(publication)
    assert task_rows() == 1  # queued again once, not on every request
    assert PublicationRobustness.objects.count() == 1


def test_a_publication_from_before_robustness_is_queued_when_first_asked(
    django_capture_on_commit_callbacks: Any,
) -> None:
    publication = publish_committed(answered_round(), django_capture_on_commit_callbacks)
    PublicationRobustness.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert stored.ready_result(publication) is None  # queued now, computed at the commit
    assert stored.ready_result(publication) == stored.public_result(publication)


def test_ensure_result_computes_a_pending_run_and_stores_it(queued: None) -> None:
    publication = validate_and_publish(answered_round())  # never committed: its run waits
    assert row_of(publication).status == PublicationRobustness.Status.PENDING
    assert stored.ready_result(publication) is None
    result = stored.ensure_result(publication)
    assert result.to_json() == stored.public_result(publication).to_json()
    assert row_of(publication).status == PublicationRobustness.Status.READY
    assert stored.ready_result(publication) == result


def test_computing_the_run_never_changes_the_publication(
    django_capture_on_commit_callbacks: Any,
) -> None:
    publication = validate_and_publish(answered_round())
    fields = [f.name for f in Publication._meta.concrete_fields]
    before = Publication.objects.filter(pk=publication.pk).values(*fields).get()
    stored.ensure_result(publication)
    with django_capture_on_commit_callbacks(execute=True):
        stored.stored_robustness(publication)
    assert Publication.objects.filter(pk=publication.pk).values(*fields).get() == before
    with pytest.raises(MnrError, match="never changed"):
        publication.save()


# --- the demo's publication -----------------------------------------------------------------------


def analyst_run(publication: Publication) -> core.Result:
    """What an analyst's run shows: every shown figure under every assumption."""
    problem = stored.publication_problem(publication, public=False)
    return core.run(
        problem,
        core.default_spec(problem),
        replications=stored.PUBLICATION_REPLICATIONS,
        seed=stored.PUBLICATION_SEED,
    )


def turned_around(publication: Publication) -> list[dict[str, Any]]:
    """The publication's answers with those of the UNICEF office of every jurisdiction that
    answered through both channels turned around, where its government answered too: the
    counting rules use the government's."""
    given = {
        (a["jurisdiction"], a["channel"], a["question"]) for a in publication.answers if a["value"]
    }
    return [
        {**a, "value": "no" if a["value"] in ("yes", "partial") else "yes"}
        if a["channel"] == "unicef_country_office"
        and (a["jurisdiction"], "government", a["question"]) in given
        else a
        for a in publication.answers
    ]


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> dict[str, Any]:
    """The demo's publication and its runs, and those of a copy whose lower-priority answers
    were turned around (computed once; the database rolled back)."""
    with django_db_blocker.unblock(), transaction.atomic():
        publication = require_publication(load_demo().round)
        content = Content.of(publication)
        requests = [
            FigureRequest(h["key"], h["question"], tuple(h["counts_as"]), h["population"])
            for h in content.report["headlines"]
        ]
        answers = turned_around(publication)
        data = frozen_round_data(publication.round_settings, answers, content.questions)
        protection = protect(data, k=publication.round.disclosure_threshold, figures=requests)
        other = Publication(
            round=publication.round,
            number=publication.number,
            round_settings=publication.round_settings,
            submissions=publication.submissions,
            left_out=publication.left_out,
            answers=answers,
            protection=protection.to_json(),
            report=publication.report,
            quotes=publication.quotes,
        )
        view = {
            "headlines": [h["key"] for h in content.report["headlines"]],
            "protection": content.protection,
            "allowed": public_robustness(content.protection, requests),
            "stored": stored.ensure_result(publication),
            "analyst": analyst_run(publication),
            "turned": sum(a != b for a, b in zip(answers, publication.answers, strict=True)),
            "stored_tables": {k: publication.protection[k] for k in ("findings", "figures")},
            "other_tables": {k: other.protection[k] for k in ("findings", "figures")},
            "other_public": stored.public_result(other),
            "other_analyst": analyst_run(other),
            "undetermined": undetermined_reads(
                stored.publication_problem(publication, public=True), content.protection
            ),
            "withheld_groups": sum(
                f.suppressed for f in content.protection.findings["income-group"]
            ),
        }
        transaction.set_rollback(True)
    return view


def test_the_stored_run_reproduces_every_published_figure(demo: dict[str, Any]) -> None:
    result: core.Result = demo["stored"]
    assert [f.id for f in result.figures] == [
        key for key in demo["headlines"] if key in demo["allowed"].figures
    ]
    assert len(result.figures) == 26
    for figure in result.figures:
        published = demo["protection"].figures[figure.id]
        assert (figure.numerator, figure.denominator, figure.percent) == (
            published.numerator,
            published.denominator,
            published.percent,
        )
        assert 0 <= figure.low <= figure.high <= 100
    assert set(result.factors) == {"partial", "dont_know", "blank"}
    assert result.domains == ()


def test_every_count_the_demos_public_run_reads_is_worked_out_from_its_tables(
    demo: dict[str, Any],
) -> None:
    # The linear-algebra attack of tests/core/test_robustness_disclosure.py on real-sized data.
    assert demo["withheld_groups"] > 0
    assert demo["undetermined"] == []


def test_another_lower_priority_answer_changes_no_public_output_of_the_demo(
    demo: dict[str, Any],
) -> None:
    assert demo["turned"] > 0
    assert demo["other_tables"] == demo["stored_tables"]
    assert demo["other_public"].to_json() == demo["stored"].to_json()
    # An analyst's run tries the other channel first, and so tells the two apart.
    assert "channel" in demo["analyst"].factors
    assert demo["other_analyst"].to_json() != demo["analyst"].to_json()
