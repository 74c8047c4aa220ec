"""Every action records its audit event: what was done (verb), to which object (target), by
whom (actor: the signed-in user, or None for the operator at the command line) and from where
(source).

The registry test finds every action by itself: the public functions of every ``mnr.*.actions``
module that run in ``transaction.atomic`` or record an event, plus the few actions that live
elsewhere (``EXTRA_ACTIONS``). Each needs an entry in ``CASES``, so an action added without an
audit case fails the suite, naming it. Each case calls its action as a user with the right role
(source ``web``) and as the operator (source ``cli``), and checks the events it recorded, exactly;
and makes refused calls (no permission, bad input), which must record nothing and change nothing
in the database. With ``record_event`` silenced every case fails, so none of them is vacuous.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from tests import evidence_files
from tests.audit import (
    Expected,
    assert_records,
    changed_tables,
    database_state,
    events_after,
    last_event_id,
)
from tests.maturity import self_assessment_round
from tests.submissions import in_state, opened, required_answers
from tests.world_bank import CLASS_2006, class_workbook_as_published

import mnr
from mnr.accounts import actions as accounts
from mnr.accounts.models import Invitation, RoleAssignment
from mnr.audit import record
from mnr.core.interchange import AnswerRow
from mnr.errors import MnrError
from mnr.evidence import actions as evidence
from mnr.frameworks import actions as frameworks
from mnr.frameworks.models import Channel, Instrument, Phase
from mnr.jurisdictions import actions as jurisdictions
from mnr.jurisdictions.models import IncomeClassification, Jurisdiction
from mnr.maturity import actions as maturity
from mnr.publications import actions as publications
from mnr.publications.models import Publication
from mnr.reports import actions as reports
from mnr.reports.models import NarrativeBlock
from mnr.surveys import actions as surveys
from mnr.surveys import imports
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round, Submission

pytestmark = pytest.mark.django_db

# Actions outside the ``actions`` modules: entry points that change state through actions.
EXTRA_ACTIONS = (imports.import_answers,)

# Function calls that write the database (model and queryset methods).
WRITES = frozenset(
    [
        "save",
        "delete",
        "create",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
        "update",
    ]
)


# --- Finding the actions ---------------------------------------------------------------------


def action_modules() -> list[ModuleType]:
    """Every ``mnr`` module named ``actions`` (or inside a package named so)."""

    def refuse(name: str) -> None:
        raise ImportError(f"cannot import package {name} while looking for actions modules")

    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(mnr.__path__, "mnr.", onerror=refuse)
        if "actions" in info.name.split(".")
    ]


def runs_in_transaction(function: Callable[..., Any]) -> bool:
    """Whether ``function`` is decorated with ``transaction.atomic``: the decorator returns a
    wrapper (with ``__wrapped__``) that closes over the ``Atomic`` context manager."""
    return hasattr(function, "__wrapped__") and any(
        isinstance(cell.cell_contents, transaction.Atomic) for cell in function.__closure__ or ()
    )


def calls(function: Callable[..., Any]) -> Iterator[tuple[str, Any]]:
    """The calls in ``function``'s own body: the name called, and what it refers to in the
    function's module (``name(…)`` and ``module.name(…)``; None when it cannot be told)."""
    body = inspect.unwrap(function)
    namespace = body.__globals__
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(body)))):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name):
            yield node.func.id, namespace.get(node.func.id)
        elif isinstance(node.func, ast.Attribute):
            owner = node.func.value
            base = namespace.get(owner.id) if isinstance(owner, ast.Name) else None
            yield node.func.attr, getattr(base, node.func.attr, None) if base else None


def called_names(function: Callable[..., Any]) -> set[str]:
    return {name for name, _ in calls(function)}


def public_functions(module: ModuleType) -> Iterator[Callable[..., Any]]:
    """The public functions ``module`` defines (not the ones it imports)."""
    for name, function in inspect.getmembers(module, inspect.isfunction):
        if not name.startswith("_") and function.__module__ == module.__name__:
            yield function


def qualified(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__name__}"


def discovered_actions() -> dict[str, Callable[..., Any]]:
    found = {
        qualified(function): function
        for module in action_modules()
        for function in public_functions(module)
        if runs_in_transaction(function) or "record_event" in called_names(function)
    }
    return {**found, **{qualified(function): function for function in EXTRA_ACTIONS}}


def test_the_action_finder_recognises_transaction_atomic() -> None:
    @transaction.atomic
    def decorated() -> None: ...

    @transaction.atomic(savepoint=False)
    def configured() -> None: ...

    def plain() -> None: ...

    assert runs_in_transaction(decorated)
    assert runs_in_transaction(configured)
    assert not runs_in_transaction(plain)
    assert "mnr.surveys.actions.save_answers" in discovered_actions()


def test_every_action_has_an_audit_case() -> None:
    actions = set(discovered_actions())
    missing = sorted(actions - set(CASES))
    assert not missing, (
        "actions without an audit case (add one to CASES in tests/django/test_audit_trail.py): "
        + ", ".join(missing)
    )
    stale = sorted(set(CASES) - actions)
    assert not stale, "audit cases for functions that are no longer actions: " + ", ".join(stale)


def test_every_action_runs_in_one_transaction() -> None:
    outside = sorted(
        name for name, action in discovered_actions().items() if not runs_in_transaction(action)
    )
    assert not outside, "actions not wrapped in transaction.atomic: " + ", ".join(outside)


def writes(function: Callable[..., Any], actions: dict[str, Callable[..., Any]]) -> set[str]:
    """The calls of ``function`` that write: model and queryset writes, and actions."""
    known = set(actions.values())
    return {name for name, called in calls(function) if name in WRITES or called in known}


def test_every_public_function_of_an_actions_module_that_writes_is_an_action() -> None:
    """A function that writes outside ``transaction.atomic`` would escape the registry above
    (and the one-transaction rule); the writing calls are found in its source."""
    actions = discovered_actions()
    outside = sorted(
        f"{qualified(function)} calls {', '.join(sorted(names))}"
        for module in action_modules()
        for function in public_functions(module)
        if qualified(function) not in actions and (names := writes(function, actions))
    )
    assert not outside, "functions that write outside an action: " + "; ".join(outside)


# --- The cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    round: Round
    personas: dict[str, Any]
    tmp_path: Path

    def __getitem__(self, persona: str) -> Any:
        return self.personas[persona]


@dataclass(frozen=True)
class Refusal:
    """A call the action must refuse with ``error``, writing nothing."""

    why: str
    error: type[Exception]
    call: Callable[[], Any]
    match: str | None = None  # what the error says (PermissionDenied says enough)


@dataclass(frozen=True)
class Scene:
    """One action, prepared: ``run(acting_user, source)`` calls it; ``events(result)`` are the
    events that call must record, and ``refusals`` calls it must refuse. ``source`` overrides
    the source expected, for an action that names its own."""

    run: Callable[[Any, str], Any]
    events: Callable[[Any], Sequence[Expected]]
    refusals: Sequence[Refusal] = ()
    source: str | None = None


@dataclass(frozen=True)
class Case:
    role: str  # the persona who calls the action through the web
    prepare: Callable[[World], Scene]
    # Known gaps, by the test that shows them ("web", "cli", "refused", "never-vacuous"): that
    # test is expected to fail (strictly: it fails the suite once the gap is closed).
    gaps: dict[str, str] = field(default_factory=dict)


CASES: dict[str, Case] = {}


def case(
    action: Callable[..., Any], role: str, **gaps: str
) -> Callable[[Callable[[World], Scene]], Callable[[World], Scene]]:
    def register(prepare: Callable[[World], Scene]) -> Callable[[World], Scene]:
        name = qualified(action)
        assert name not in CASES, f"two audit cases for {name}"
        CASES[name] = Case(role, prepare, gaps)
        return prepare

    return register


def place(code: str) -> Jurisdiction:
    return Jurisdiction.objects.get(code=code)


# surveys: rounds


@case(surveys.create_round, "analyst")
def _create_round(world: World) -> Scene:
    def create(user: Any, source: str, code: str = "audit-new", **options: Any) -> Round:
        options = {"instrument": "mnr-review-2021", **options}
        return surveys.create_round(code, acting_user=user, source=source, **options)

    return Scene(
        run=create,
        events=lambda round_: [("round.create", round_)],
        refusals=[
            Refusal("a focal point", PermissionDenied, lambda: create(world["focal_point"], "web")),
            Refusal(
                "a code in use",
                MnrError,
                lambda: create(world["analyst"], "web", "test-2021"),
                match="exists already",
            ),
            Refusal(
                "an unknown channel",
                MnrError,
                lambda: create(world["analyst"], "web", channels=["government", "post"]),
                match="unknown channel 'post'",
            ),
        ],
    )


@case(surveys.add_participants, "analyst")
def _add_participants(world: World) -> Scene:
    def add(user: Any, source: str, codes: Sequence[str] = ("FR",)) -> Any:
        return surveys.add_participants(world.round, codes, acting_user=user, source=source)

    return Scene(
        run=add,
        events=lambda added: [("round.add_participants", world.round)],
        refusals=[
            Refusal("a focal point", PermissionDenied, lambda: add(world["focal_point"], "web")),
            Refusal(
                "one unknown code among known ones",
                MnrError,
                lambda: add(world["analyst"], "web", ["FR", "XX"]),
                match="unknown jurisdiction code.*XX",
            ),
        ],
    )


@case(surveys.set_round_status, "analyst")
def _set_round_status(world: World) -> Scene:
    def set_status(user: Any, source: str, status: str = Round.Status.OPEN) -> Round:
        return surveys.set_round_status(world.round, status, acting_user=user, source=source)

    return Scene(
        run=set_status,
        events=lambda round_: [("round.status", world.round)],
        refusals=[
            Refusal("a reviewer", PermissionDenied, lambda: set_status(world["reviewer"], "web")),
            Refusal(
                "an unknown status",
                MnrError,
                lambda: set_status(world["analyst"], "web", "over"),
                match="unknown round status",
            ),
        ],
    )


@case(surveys.update_round, "analyst")
def _update_round(world: World) -> Scene:
    def update(user: Any, source: str, **changes: Any) -> Round:
        changes = changes or {"title": "Test round (renamed)", "disclosure_threshold": 2}
        return surveys.update_round(world.round, acting_user=user, source=source, **changes)

    return Scene(
        run=update,
        events=lambda round_: [("round.update", world.round)],
        refusals=[
            Refusal("a focal point", PermissionDenied, lambda: update(world["focal_point"], "web")),
            Refusal(
                "a threshold of 0",
                MnrError,
                lambda: update(world["analyst"], "web", title="Renamed", disclosure_threshold=0),
                match="disclosure threshold",
            ),
        ],
    )


# surveys: submissions and answers


@case(surveys.open_submission, "focal_point")
def _open_submission(world: World) -> Scene:
    def open_(
        user: Any, source: str, channel: str = "government", respondent: str = ""
    ) -> Submission:
        return surveys.open_submission(
            world.round,
            place("KE"),
            channel,
            respondent=respondent,
            acting_user=user,
            source=source,
        )

    return Scene(
        run=open_,
        events=lambda submission: [("submission.create", submission)],
        refusals=[
            Refusal(
                "another jurisdiction's focal point",
                PermissionDenied,
                lambda: open_(world["other_focal_point"], "web"),
            ),
            Refusal(
                "a channel the round has not",
                MnrError,
                lambda: open_(world["focal_point"], "web", "post"),
                match="unknown channel of round",
            ),
            Refusal(
                "a respondent that is not a code",
                MnrError,
                lambda: open_(world["focal_point"], "web", respondent="Police Force"),
                match="not a respondent code",
            ),
        ],
    )


@case(surveys.save_answers, "focal_point")
def _save_answers(world: World) -> Scene:
    kenya = opened(world.round, "KE")

    def save(user: Any, source: str, value: str = "yes", confidence: str | None = None) -> int:
        answers = {
            "C11.status": AnswerInput(
                value=value, comment="synthetic test comment", confidence=confidence
            )
        }
        return surveys.save_answers(kenya, answers, acting_user=user, source=source)

    return Scene(
        run=save,
        events=lambda changed: [("answers.save", kenya)],
        refusals=[
            Refusal(
                "another jurisdiction's focal point",
                PermissionDenied,
                lambda: save(world["other_focal_point"], "web"),
            ),
            Refusal(
                "a value not among the choices",
                MnrError,
                lambda: save(world["focal_point"], "web", "maybe"),
                match="'maybe' is not among the choices",
            ),
            Refusal(
                "a confidence level on a question that is not a phase",
                MnrError,
                lambda: save(world["focal_point"], "web", confidence="high"),
                match="for phase questions only",
            ),
        ],
    )


@case(surveys.submit, "focal_point")
def _submit(world: World) -> Scene:
    kenya = in_state(world.round, "KE", Submission.Status.DRAFT)
    unanswered = opened(world.round, "KE", "unicef_country_office")
    return Scene(
        run=lambda user, source: surveys.submit(kenya, acting_user=user, source=source),
        events=lambda submission: [("submission.submitted", kenya)],
        refusals=[
            Refusal(
                "another jurisdiction's focal point",
                PermissionDenied,
                lambda: surveys.submit(kenya, acting_user=world["other_focal_point"]),
            ),
            Refusal(
                "a user recording missing answers",
                PermissionDenied,
                lambda: surveys.submit(kenya, acting_user=world["focal_point"], allow_missing=True),
                match="Only the operator",
            ),
            Refusal(
                "required questions unanswered",
                MnrError,
                lambda: surveys.submit(unanswered, acting_user=world["focal_point"]),
                match="required questions are unanswered",
            ),
        ],
    )


@case(surveys.return_for_changes, "reviewer")
def _return_for_changes(world: World) -> Scene:
    kenya = in_state(world.round, "KE", Submission.Status.SUBMITTED)

    def return_(user: Any, source: str, comment: str = "please check C11") -> Submission:
        return surveys.return_for_changes(kenya, comment, acting_user=user, source=source)

    return Scene(
        run=return_,
        events=lambda submission: [("submission.returned", kenya)],
        refusals=[
            Refusal(
                "a focal point", PermissionDenied, lambda: return_(world["focal_point"], "web")
            ),
            Refusal(
                "no comment",
                MnrError,
                lambda: return_(world["reviewer"], "web", " "),
                match="needs a comment",
            ),
        ],
    )


@case(surveys.validate, "reviewer")
def _validate(world: World) -> Scene:
    kenya = in_state(world.round, "KE", Submission.Status.SUBMITTED)
    administrator = world["administrator"]
    own_work = in_state(world.round, "SE", Submission.Status.SUBMITTED, by=administrator)
    return Scene(
        run=lambda user, source: surveys.validate(kenya, acting_user=user, source=source),
        events=lambda submission: [("submission.validated", kenya)],
        refusals=[
            Refusal(
                "a focal point",
                PermissionDenied,
                lambda: surveys.validate(kenya, acting_user=world["focal_point"]),
            ),
            Refusal(
                "four eyes: an administrator who answered and submitted it",
                MnrError,
                lambda: surveys.validate(own_work, acting_user=administrator),
                match="four eyes",
            ),
        ],
    )


@case(surveys.reopen, "analyst")
def _reopen(world: World) -> Scene:
    kenya = in_state(world.round, "KE", Submission.Status.VALIDATED)

    def reopen(user: Any, source: str, comment: str = "a correction came in") -> Submission:
        return surveys.reopen(kenya, comment, acting_user=user, source=source)

    return Scene(
        run=reopen,
        events=lambda submission: [("submission.returned", kenya)],
        refusals=[
            Refusal("a reviewer", PermissionDenied, lambda: reopen(world["reviewer"], "web")),
            Refusal(
                "no comment",
                MnrError,
                lambda: reopen(world["analyst"], "web", ""),
                match="needs a comment",
            ),
        ],
    )


@case(surveys.comment_on_question, "reviewer")
def _comment_on_question(world: World) -> Scene:
    kenya = in_state(world.round, "KE", Submission.Status.SUBMITTED)
    draft = opened(world.round, "SE")

    def comment(
        user: Any, source: str, code: str = "C11.status", body: str = "is this in law?"
    ) -> Any:
        return surveys.comment_on_question(kenya, code, body, acting_user=user, source=source)

    return Scene(
        run=comment,
        events=lambda question_comment: [("submission.question_commented", kenya)],
        refusals=[
            Refusal(
                "a focal point", PermissionDenied, lambda: comment(world["focal_point"], "web")
            ),
            Refusal(
                "an empty comment",
                MnrError,
                lambda: comment(world["reviewer"], "web", body="  "),
                match="the comment is empty",
            ),
            Refusal(
                "an unknown question",
                MnrError,
                lambda: comment(world["reviewer"], "web", code="C99.nothing"),
                match="no question 'C99.nothing'",
            ),
            Refusal(
                "a draft nobody submitted",
                MnrError,
                lambda: surveys.comment_on_question(
                    draft, "C11.status", "too early", acting_user=world["reviewer"]
                ),
                match="needs it to be submitted or returned",
            ),
        ],
    )


# evidence


def pdf(name: str = "synthetic-law.pdf", content: bytes = evidence_files.PDF) -> Any:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@case(evidence.attach_evidence, "focal_point")
def _attach_evidence(world: World) -> Scene:
    kenya = opened(world.round, "KE")
    submitted = in_state(world.round, "SE", Submission.Status.SUBMITTED)

    def attach(user: Any, source: str, upload: Any = None, code: str = "C11.status") -> Any:
        return evidence.attach_evidence(
            kenya, code, upload or pdf(), acting_user=user, source=source
        )

    return Scene(
        run=attach,
        events=lambda attached: [("evidence.attach", kenya)],
        refusals=[
            Refusal(
                "another jurisdiction's focal point",
                PermissionDenied,
                lambda: attach(world["other_focal_point"], "web"),
            ),
            Refusal(
                "a reviewer",
                PermissionDenied,
                lambda: attach(world["reviewer"], "web"),
            ),
            Refusal(
                "a program named as a PDF",
                MnrError,
                lambda: attach(world["focal_point"], "web", pdf("law.pdf", evidence_files.EXE)),
                match="'law.pdf' is a Windows program",
            ),
            Refusal(
                "an unknown question",
                MnrError,
                lambda: attach(world["focal_point"], "web", code="C99.nothing"),
                match="no question 'C99.nothing'",
            ),
            Refusal(
                "a submitted submission",
                MnrError,
                lambda: evidence.attach_evidence(
                    submitted, "C11.status", pdf(), acting_user=world["other_focal_point"]
                ),
                match="is submitted: evidence files are refused",
            ),
        ],
    )


@case(evidence.remove_evidence, "focal_point")
def _remove_evidence(world: World) -> Scene:
    kenya = opened(world.round, "KE")
    attached = evidence.attach_evidence(kenya, "C11.status", pdf(), source="test")
    sweden = opened(world.round, "SE")

    def remove(user: Any, source: str, submission: Submission = kenya) -> Any:
        return evidence.remove_evidence(submission, attached.pk, acting_user=user, source=source)

    return Scene(
        run=remove,
        events=lambda removed: [("evidence.remove", kenya)],
        refusals=[
            Refusal(
                "another jurisdiction's focal point",
                PermissionDenied,
                lambda: remove(world["other_focal_point"], "web"),
            ),
            Refusal(
                "a file of another submission",
                MnrError,
                lambda: remove(world["other_focal_point"], "web", sweden),
                match="has no evidence file",
            ),
        ],
    )


def kenya_rows(round_: Round, value: str = "yes") -> list[AnswerRow]:
    """A file's rows answering every required question for Kenya through government."""
    kenya = Submission(round=round_, jurisdiction=place("KE"), channel="government")
    return [
        AnswerRow(number, round_.code, "KE", "government", code, value)
        for number, code in enumerate(required_answers(kenya), start=2)
    ]


@case(imports.import_answers, "focal_point")
def _import_answers(world: World) -> Scene:
    def import_(user: Any, rows: Sequence[AnswerRow] | None = None) -> Any:
        return imports.import_answers(
            world.round, rows or kenya_rows(world.round), acting_user=user
        )

    def kenya() -> Submission:
        return Submission.objects.get(round=world.round, jurisdiction__code="KE")

    return Scene(
        run=lambda user, source: import_(user),
        events=lambda result: [
            ("submission.create", kenya()),
            ("answers.save", kenya()),
            ("submission.submitted", kenya()),
        ],
        refusals=[
            Refusal(
                "another jurisdiction's focal point",
                PermissionDenied,
                lambda: import_(world["other_focal_point"]),
            ),
            Refusal(
                "a value not among the choices",
                imports.ImportRefused,
                lambda: import_(world["focal_point"], kenya_rows(world.round, "maybe")),
                match="'maybe' is not among the choices",
            ),
        ],
        source=imports.SOURCE,
    )


# reports


@case(reports.set_headlines, "analyst")
def _set_headlines(world: World) -> Scene:
    def set_(user: Any, source: str, question: str = "C11.status") -> Any:
        specs = [reports.HeadlineSpec("H1", question, ("yes",), {"en": "have a helpline"})]
        return reports.set_headlines(world.round, specs, acting_user=user, source=source)

    return Scene(
        run=set_,
        events=lambda headlines: [("report.headlines", world.round)],
        refusals=[
            Refusal("a focal point", PermissionDenied, lambda: set_(world["focal_point"], "web")),
            Refusal(
                "an unknown question",
                MnrError,
                lambda: set_(world["analyst"], "web", "C99.none"),
                match="C99.none",
            ),
        ],
    )


@case(reports.save_narrative, "analyst")
def _save_narrative(world: World) -> Scene:
    def save(user: Any, source: str, key: str = NarrativeBlock.Key.INTRODUCTION) -> Any:
        return reports.save_narrative(
            world.round, key, "A *synthetic* introduction.", acting_user=user, source=source
        )

    return Scene(
        run=save,
        events=lambda block: [("report.narrative", block)],
        refusals=[
            Refusal("a focal point", PermissionDenied, lambda: save(world["focal_point"], "web")),
            Refusal(
                "an unknown block",
                MnrError,
                lambda: save(world["analyst"], "web", "preface"),
                match="unknown narrative block",
            ),
        ],
    )


@case(reports.set_snapshot_exclude, "analyst")
def _set_snapshot_exclude(world: World) -> Scene:
    def set_(user: Any, source: str, capabilities: Sequence[str] = ("C05",)) -> Any:
        return reports.set_snapshot_exclude(
            world.round, capabilities, acting_user=user, source=source
        )

    return Scene(
        run=set_,
        events=lambda settings: [("report.snapshot_exclude", world.round)],
        refusals=[
            Refusal("a focal point", PermissionDenied, lambda: set_(world["focal_point"], "web")),
            Refusal(
                "an unknown capability",
                MnrError,
                lambda: set_(world["analyst"], "web", ["C99"]),
                match="unknown capability 'C99'",
            ),
        ],
    )


@case(reports.save_report_edit, "analyst")
def _save_report_edit(world: World) -> Scene:
    key = NarrativeBlock.Key.KEY_MESSAGES
    reports.save_narrative(world.round, key, "Stored text.", source="test")
    snapshot = reports.SnapshotEdit(("C05",), tuple(reports.DEFAULT_SNAPSHOT_EXCLUDE))

    def edit(user: Any, source: str, loaded: str = "Stored text.", version: int = 1) -> Any:
        form = reports.ReportEdit(
            "en",
            blocks=(reports.BlockEdit(key, "Edited text.", loaded, version),),
            snapshot=snapshot,
        )
        return reports.save_report_edit(world.round, form, acting_user=user, source=source)

    def block() -> NarrativeBlock:
        return NarrativeBlock.objects.get(round=world.round, key=key)

    return Scene(
        run=edit,
        events=lambda saved: [
            ("report.narrative", block()),
            ("report.snapshot_exclude", world.round),
        ],
        refusals=[
            Refusal("a focal point", PermissionDenied, lambda: edit(world["focal_point"], "web")),
            Refusal(
                "a stale form (its snapshot edit is not written either)",
                reports.ReportConflicts,
                lambda: edit(world["analyst"], "web", "An older text.", 0),
                match="was changed after you opened it",
            ),
        ],
    )


# publications


@case(publications.publish, "analyst")
def _publish(world: World) -> Scene:
    in_state(world.round, "KE", Submission.Status.VALIDATED)
    unvalidated = surveys.create_round("audit-empty", instrument="mnr-review-2021")
    surveys.add_participants(unvalidated, ["KE"])
    in_state(unvalidated, "KE", Submission.Status.SUBMITTED)

    def publish(user: Any, source: str, round_: Round = world.round) -> Publication:
        return publications.publish(round_, note="audit", acting_user=user, source=source)

    return Scene(
        run=publish,
        events=lambda publication: [
            ("round.status", world.round),
            ("round.publish", publication),
        ],
        refusals=[
            Refusal("a reviewer", PermissionDenied, lambda: publish(world["reviewer"], "web")),
            Refusal(
                "a round without a validated submission",
                MnrError,
                lambda: publish(world["analyst"], "web", unvalidated),
                match="no validated submission",
            ),
        ],
    )


# accounts


@case(accounts.assign_role, "administrator")
def _assign_role(world: World) -> Scene:
    person = accounts.create_user("audit-person", "pw-audit-person", source="test")

    def assign(user: Any, source: str, role: str = "reviewer", **scope: Any) -> Any:
        return accounts.assign_role(person, role, acting_user=user, source=source, **scope)

    return Scene(
        run=assign,
        events=lambda assignment: [("role.assign", assignment)],
        refusals=[
            Refusal("an analyst", PermissionDenied, lambda: assign(world["analyst"], "web")),
            Refusal(
                "an unknown role",
                MnrError,
                lambda: assign(world["administrator"], "web", "chief"),
                match="unknown role",
            ),
            Refusal(
                "a focal point without a jurisdiction",
                MnrError,
                lambda: assign(world["administrator"], "web", "focal_point"),
                match="give the jurisdiction",
            ),
            Refusal(
                "a respondent for a reviewer",
                MnrError,
                lambda: assign(world["administrator"], "web", respondent="police"),
                match="only a focal point answers for one respondent",
            ),
        ],
    )


@case(accounts.revoke_role, "administrator")
def _revoke_role(world: World) -> Scene:
    person = accounts.create_user("audit-revoked", "pw-audit-revoked", source="test")
    assignment = accounts.assign_role(
        person, "focal_point", jurisdiction=place("KE"), channel="government", source="test"
    )
    own = world["administrator"].role_assignments.get(role="administrator")
    # A second copy keeps its id once the revoked one is deleted (Django clears the id).
    as_granted = RoleAssignment.objects.get(pk=assignment.pk)

    def revoke(user: Any, source: str, target: Any = assignment) -> None:
        accounts.revoke_role(target, acting_user=user, source=source)

    return Scene(
        run=revoke,
        events=lambda _: [("role.revoke", as_granted)],
        refusals=[
            Refusal("an analyst", PermissionDenied, lambda: revoke(world["analyst"], "web")),
            Refusal(
                "an administrator's own administrator role",
                MnrError,
                lambda: revoke(world["administrator"], "web", own),
                match="your own administrator role",
            ),
        ],
    )


@case(accounts.set_user_active, "administrator")
def _set_user_active(world: World) -> Scene:
    person = world["reviewer"]

    def deactivate(user: Any, source: str, target: Any = person) -> Any:
        return accounts.set_user_active(target, False, acting_user=user, source=source)

    return Scene(
        run=deactivate,
        events=lambda user: [("user.deactivate", user)],
        refusals=[
            Refusal("an analyst", PermissionDenied, lambda: deactivate(world["analyst"], "web")),
            Refusal(
                "oneself",
                MnrError,
                lambda: deactivate(world["administrator"], "web", world["administrator"]),
                match="cannot deactivate yourself",
            ),
        ],
    )


@case(accounts.invite_user, "administrator")
def _invite_user(world: World) -> Scene:
    def invite(user: Any, source: str, email: str = "new@example.org", **scope: Any) -> Any:
        return accounts.invite_user(
            email,
            ["focal_point"],
            scope=accounts.Scope(**{"jurisdiction": place("KE"), **scope}),
            sign_up_url="http://testserver/sign-up/{token}/",
            acting_user=user,
            source=source,
        )

    return Scene(
        run=invite,
        events=lambda invitation: [("invitation.create", invitation)],
        refusals=[
            Refusal("an analyst", PermissionDenied, lambda: invite(world["analyst"], "web")),
            Refusal(
                "not an email address",
                MnrError,
                lambda: invite(world["administrator"], "web", "someone"),
                match="not an email address",
            ),
            Refusal(
                "a focal point without a jurisdiction",
                MnrError,
                lambda: invite(world["administrator"], "web", jurisdiction=None),
                match="give the jurisdiction",
            ),
        ],
    )


@case(accounts.withdraw_invitation, "administrator")
def _withdraw_invitation(world: World) -> Scene:
    def invited(email: str) -> Invitation:
        return accounts.invite_user(email, ["reviewer"], sign_up_url="{token}", source="test")

    pending = invited("pending@example.org")
    as_sent = Invitation.objects.get(pk=pending.pk)
    used = invited("used@example.org")
    accounts.accept_invitation(accounts.invitation_token(used), "used-one", "a-long-passphrase")
    used.refresh_from_db()

    def withdraw(user: Any, source: str, invitation: Invitation = pending) -> None:
        accounts.withdraw_invitation(invitation, acting_user=user, source=source)

    return Scene(
        run=withdraw,
        events=lambda _: [("invitation.withdraw", as_sent)],
        refusals=[
            Refusal("an analyst", PermissionDenied, lambda: withdraw(world["analyst"], "web")),
            Refusal(
                "a used invitation",
                MnrError,
                lambda: withdraw(world["administrator"], "web", used),
                match="used already",
            ),
        ],
    )


@case(accounts.accept_invitation, "administrator")
def _accept_invitation(world: World) -> Scene:
    """The events of a sign-up name the inviting administrator (the operator for an invitation
    from the command line): each run invites, as the persona, then accepts."""
    used = accounts.invite_user(
        "used@example.org",
        ["reviewer"],
        sign_up_url="{token}",
        acting_user=world["administrator"],
        source="test",
    )
    accounts.accept_invitation(accounts.invitation_token(used), "used-one", "a-long-passphrase")
    expired = accounts.invite_user(
        "late@example.org",
        ["reviewer"],
        sign_up_url="{token}",
        acting_user=world["administrator"],
        source="test",
    )
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    open_one = accounts.invite_user(
        "open@example.org", ["reviewer"], sign_up_url="{token}", source="test"
    )

    def accept(token: str, username: str = "invited-one", password: str = "a-long-passphrase"):
        return lambda: accounts.accept_invitation(token, username, password)

    def run(user: Any, source: str) -> Any:
        invitation = accounts.invite_user(
            "invited@example.org",
            ["analyst", "reviewer"],
            sign_up_url="{token}",
            acting_user=user,
            source=source,
        )
        signed_up = accounts.accept_invitation(
            accounts.invitation_token(invitation), "invited-one", "a-long-passphrase", source=source
        )
        return invitation, signed_up

    return Scene(
        run=run,
        events=lambda result: [
            ("invitation.create", result[0]),
            ("user.create", result[1]),
            *[("role.assign", a) for a in result[1].role_assignments.all()],
            ("invitation.accept", result[0]),
        ],
        refusals=[
            Refusal("a used link", MnrError, accept(accounts.invitation_token(used)), "used"),
            Refusal(
                "an expired link", MnrError, accept(accounts.invitation_token(expired)), "expired"
            ),
            Refusal("a forged link", MnrError, accept(f"{open_one.pk}:forged"), "not valid"),
            Refusal(
                "a short password",
                MnrError,
                accept(accounts.invitation_token(open_one), password="short"),
                "too short",
            ),
            Refusal(
                "a username in use",
                MnrError,
                accept(accounts.invitation_token(open_one), username="analyst"),
                "exists already",
            ),
        ],
    )


@case(accounts.create_user, "administrator")
def _create_user(world: World) -> Scene:
    def create(user: Any, source: str, username: str = "audit-new-user") -> Any:
        return accounts.create_user(username, "pw-audit", acting_user=user, source=source)

    return Scene(
        run=create,
        events=lambda user: [("user.create", user)],
        refusals=[
            Refusal("an analyst", PermissionDenied, lambda: create(world["analyst"], "web")),
            Refusal(
                "a username in use",
                MnrError,
                lambda: create(world["administrator"], "web", "analyst"),
                match="exists already",
            ),
        ],
    )


# frameworks


@case(frameworks.load_channels, "administrator")
def _load_channels(world: World) -> Scene:
    Channel.objects.filter(code="unicef_country_office").delete()
    return Scene(
        run=lambda user, source: frameworks.load_channels(acting_user=user, source=source),
        events=lambda created: [
            ("channel.load", Channel.objects.get(code="unicef_country_office"))
        ],
        refusals=[
            Refusal(
                "a focal point",
                PermissionDenied,
                lambda: frameworks.load_channels(acting_user=world["focal_point"]),
            )
        ],
    )


SHIPPED_SELF_ASSESSMENT = (
    Path(frameworks.__file__).parent / "data" / "instruments" / "mnr-2016-self-assessment.yaml"
)


def self_assessment_file(folder: Path, old: str, new: str) -> Path:
    """The shipped self-assessment instrument with ``old`` replaced by ``new``."""
    text = SHIPPED_SELF_ASSESSMENT.read_text(encoding="utf-8")
    assert old in text
    folder.mkdir()
    path = folder / "self-assessment.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@case(frameworks.load_file, "administrator")
def _load_file(world: World) -> Scene:
    version_2 = self_assessment_file(world.tmp_path / "v2", "version: 1", "version: 2")
    changed_1 = self_assessment_file(
        world.tmp_path / "changed", "self-assessment (2016 edition)", "self-assessment (changed)"
    )

    def load(user: Any, source: str, path: Path = version_2) -> Any:
        return frameworks.load_file(path, acting_user=user, source=source)

    return Scene(
        run=load,
        events=lambda instrument: [("instrument.load", instrument)],
        refusals=[
            Refusal("an analyst", PermissionDenied, lambda: load(world["analyst"], "web")),
            Refusal(
                "a loaded version with other content",
                MnrError,
                lambda: load(world["administrator"], "web", changed_1),
                match="loaded already with other content",
            ),
        ],
    )


@case(frameworks.load_shipped, "administrator")
def _load_shipped(world: World) -> Scene:
    Instrument.objects.filter(code="mnr-2016-self-assessment").delete()
    return Scene(
        run=lambda user, source: frameworks.load_shipped(acting_user=user, source=source),
        events=lambda rows: [
            ("instrument.load", Instrument.objects.get(code="mnr-2016-self-assessment"))
        ],
        refusals=[
            Refusal(
                "an analyst",
                PermissionDenied,
                lambda: frameworks.load_shipped(acting_user=world["analyst"]),
            )
        ],
    )


@case(frameworks.rename_phase, "administrator")
def _rename_phase(world: World) -> Scene:
    phase = Phase.objects.get(edition__code="mnr-2016", level=2)

    def rename(user: Any, source: str, name: str = "Emerging") -> Phase:
        return frameworks.rename_phase(phase, name, acting_user=user, source=source)

    return Scene(
        run=rename,
        events=lambda renamed: [("phase.rename", phase)],
        refusals=[
            Refusal("an analyst", PermissionDenied, lambda: rename(world["analyst"], "web")),
            Refusal(
                "an empty name",
                MnrError,
                lambda: rename(world["administrator"], "web", " "),
                match="cannot be empty",
            ),
        ],
    )


# jurisdictions


@case(jurisdictions.load_reference, "administrator")
def _load_reference(world: World) -> Scene:
    # A classification edited by hand since the last load: loading the reference data again
    # puts the shipped one back.
    shipped = IncomeClassification.objects.filter(jurisdiction__code="KE").first()
    assert shipped is not None
    IncomeClassification.objects.filter(pk=shipped.pk).update(source="edited by hand")
    return Scene(
        run=lambda user, source: jurisdictions.load_reference(acting_user=user, source=source),
        events=lambda counts: [("reference.load", "reference-data")],
        refusals=[
            Refusal(
                "an analyst",
                PermissionDenied,
                lambda: jurisdictions.load_reference(acting_user=world["analyst"]),
            )
        ],
    )


@case(jurisdictions.import_income_workbook, "administrator")
def _import_income_workbook(world: World) -> Scene:
    known = [row for row in CLASS_2006 if row[1] in ("KEN", "SWE")]
    (world.tmp_path / "known").mkdir()
    (world.tmp_path / "all").mkdir()
    workbook = class_workbook_as_published(world.tmp_path / "known", *known)
    with_unknown = class_workbook_as_published(world.tmp_path / "all", *CLASS_2006)

    def import_(user: Any, source: str, path: Path = workbook) -> Any:
        return jurisdictions.import_income_workbook(path, 2006, acting_user=user, source=source)

    return Scene(
        run=import_,
        events=lambda result: [("income.import", "reference-data")],
        refusals=[
            Refusal("an analyst", PermissionDenied, lambda: import_(world["analyst"], "web")),
            Refusal(
                "historical economies without --skip-unknown",
                MnrError,
                lambda: import_(world["administrator"], "web", with_unknown),
                match="economies the jurisdiction",
            ),
        ],
    )


@case(jurisdictions.create_synthetic_jurisdictions, "administrator")
def _create_synthetic_jurisdictions(world: World) -> Scene:
    def create(user: Any, source: str, income_group: str = "HIC") -> Any:
        rows = [("ZAUD001", "Synthetic place 1", "Europe", income_group)]
        return jurisdictions.create_synthetic_jurisdictions(
            rows, 2021, acting_user=user, source=source
        )

    return Scene(
        run=create,
        events=lambda rows: [("jurisdictions.synthetic", "reference-data")],
        refusals=[
            Refusal("an analyst", PermissionDenied, lambda: create(world["analyst"], "web")),
            Refusal(
                "an unknown income group",
                MnrError,
                lambda: create(world["administrator"], "web", "RICH"),
                match="unknown income group",
            ),
        ],
    )


# maturity: overrides, consent and the action plan


def assessment() -> Round:
    """A self-assessment round: Kenya with two respondents (C01 at phase 2, C03 at 1), Sweden."""
    return self_assessment_round(
        "audit-sa",
        {"KE": {"": {"C01": 2, "C03": 1}, "police": {"C01": 3}}, "SE": {"": {"C01": 3}}},
    )


def plan_target(round_: Round, code: str = "KE") -> str:
    """What the first change of a plan records storing the proposal on."""
    return f"plan {round_.code} {code}"


@case(maturity.override_phase, "reviewer")
def _override_phase(world: World) -> Scene:
    round_ = assessment()

    def override(
        user: Any, source: str, phase: int | None = 3, reason: str = "The police see more."
    ) -> Any:
        return maturity.override_phase(
            round_, place("KE"), "C01", phase, reason, acting_user=user, source=source
        )

    def override_then_withdraw(user: Any, source: str) -> Any:
        return override(user, source), override(user, source, None, "The lead's view holds.")

    return Scene(
        run=override_then_withdraw,
        events=lambda rows: [
            ("maturity.override", rows[0]),
            ("maturity.override_withdrawn", rows[1]),
        ],
        refusals=[
            Refusal(
                "a focal point", PermissionDenied, lambda: override(world["focal_point"], "web")
            ),
            Refusal(
                "no reason",
                MnrError,
                lambda: override(world["reviewer"], "web", reason="  "),
                match="reason is required",
            ),
            Refusal(
                "a phase outside 1-4",
                MnrError,
                lambda: override(world["reviewer"], "web", phase=5),
                match="not a maturity phase",
            ),
            Refusal(
                "a withdrawal with no override in force",
                MnrError,
                lambda: override(world["reviewer"], "web", phase=None),
                match="no override to withdraw",
            ),
        ],
    )


@case(maturity.set_consent, "focal_point")
def _set_consent(world: World) -> Scene:
    round_ = assessment()

    def consent(user: Any, source: str, given: Any = True, code: str = "KE") -> Any:
        return maturity.set_consent(round_, place(code), given, acting_user=user, source=source)

    return Scene(
        run=consent,
        events=lambda row: [("maturity.consent", row)],
        refusals=[
            Refusal("a reviewer", PermissionDenied, lambda: consent(world["reviewer"], "web")),
            Refusal(
                "another jurisdiction's focal point",
                PermissionDenied,
                lambda: consent(world["other_focal_point"], "web"),
            ),
            Refusal(
                "neither yes nor no",
                MnrError,
                lambda: consent(world["focal_point"], "web", "yes"),
                match="peer exchange is yes or no",
            ),
            Refusal(
                "a jurisdiction that does not take part",
                MnrError,
                lambda: consent(world["analyst"], "web", code="FR"),
                match="FR does not take part",
            ),
        ],
    )


@case(maturity.update_plan_item, "focal_point")
def _update_plan_item(world: World) -> Scene:
    round_ = assessment()

    def update(
        user: Any, source: str, changes: dict[str, Any] | None = None, version: int | None = 1
    ) -> Any:
        return maturity.update_plan_item(
            round_,
            place("KE"),
            "C01",
            changes or {"owner": "Cabinet office", "due": "2027-06-30", "status": "in_progress"},
            expected_version=version,
            acting_user=user,
            source=source,
        )

    return Scene(
        run=update,
        # The first change stores the proposed plan, then changes the item.
        events=lambda item: [("plan.store", plan_target(round_)), ("plan.item_update", item)],
        refusals=[
            Refusal(
                "another jurisdiction's focal point",
                PermissionDenied,
                lambda: update(world["other_focal_point"], "web"),
            ),
            Refusal("a reviewer", PermissionDenied, lambda: update(world["reviewer"], "web")),
            Refusal(
                "a due date that is not a date",
                MnrError,
                lambda: update(world["focal_point"], "web", {"due": "30/06/2027"}),
                match="is not a date",
            ),
            Refusal(
                "a target not above the current phase (the proposal is not stored either)",
                MnrError,
                lambda: update(world["focal_point"], "web", {"target_phase": 2}),
                match="must be above its current phase 2",
            ),
            Refusal(
                "a stale version",
                maturity.StalePlanItem,
                lambda: update(world["focal_point"], "web", version=7),
                match="changed since you read it",
            ),
        ],
    )


@case(maturity.drop_plan_item, "focal_point")
def _drop_plan_item(world: World) -> Scene:
    round_ = assessment()

    def drop(user: Any, source: str, capability: str = "C03", version: int | None = 1) -> Any:
        return maturity.drop_plan_item(
            round_,
            place("KE"),
            capability,
            expected_version=version,
            acting_user=user,
            source=source,
        )

    return Scene(
        run=drop,
        events=lambda item: [("plan.store", plan_target(round_)), ("plan.item_drop", item)],
        refusals=[
            Refusal(
                "another jurisdiction's focal point",
                PermissionDenied,
                lambda: drop(world["other_focal_point"], "web"),
            ),
            Refusal(
                "a capability the round does not ask",
                MnrError,
                lambda: drop(world["focal_point"], "web", "C99"),
                match="unknown capability",
            ),
            Refusal(
                "a stale version",
                maturity.StalePlanItem,
                lambda: drop(world["focal_point"], "web", version=3),
                match="changed since you read it",
            ),
        ],
    )


@case(maturity.add_plan_item, "focal_point")
def _add_plan_item(world: World) -> Scene:
    round_ = assessment()
    maturity.drop_plan_item(round_, place("KE"), "C03", source="test")

    def add(user: Any, source: str, capability: str = "C03", target: int | None = 3) -> Any:
        return maturity.add_plan_item(
            round_, place("KE"), capability, target_phase=target, acting_user=user, source=source
        )

    return Scene(
        run=add,
        events=lambda item: [("plan.item_add", item)],
        refusals=[
            Refusal(
                "another jurisdiction's focal point",
                PermissionDenied,
                lambda: add(world["other_focal_point"], "web"),
            ),
            Refusal(
                "a capability in the plan already",
                MnrError,
                lambda: add(world["focal_point"], "web", "C01"),
                match="in the action plan of KE already",
            ),
            Refusal(
                "a target not above the current phase",
                MnrError,
                lambda: add(world["focal_point"], "web", target=1),
                match="must be above its current phase 1",
            ),
        ],
    )


# --- The tests -------------------------------------------------------------------------------


@pytest.fixture
def world(personas: dict[str, Any], review_round: Round, tmp_path: Path) -> World:
    return World(review_round, personas, tmp_path)


def params(kind: str) -> list[Any]:
    return [
        pytest.param(
            name,
            id=name.removeprefix("mnr."),
            marks=[pytest.mark.xfail(strict=True, reason=CASES[name].gaps[kind])]
            if kind in CASES[name].gaps
            else [],
        )
        for name in sorted(CASES)
    ]


def check(name: str, world: World, acting_user: Any, source: str) -> Any:
    """Prepare the case ``name`` and check the events its call records."""
    scene = CASES[name].prepare(world)
    return assert_records(
        lambda: scene.run(acting_user, source),
        scene.events,
        actor=acting_user,
        source=scene.source or source,
    )


@pytest.mark.parametrize("name", params("web"))
def test_a_signed_in_user_s_action_records_its_event(name: str, world: World) -> None:
    check(name, world, world[CASES[name].role], "web")


@pytest.mark.parametrize("name", params("cli"))
def test_the_operator_s_action_records_its_event_without_a_user(name: str, world: World) -> None:
    check(name, world, None, "cli")


@pytest.mark.parametrize("name", params("refused"))
def test_a_refused_action_records_nothing_and_changes_nothing(name: str, world: World) -> None:
    scene = CASES[name].prepare(world)
    assert scene.refusals, f"{name} has no refused call"
    for refusal in scene.refusals:
        before, last = database_state(), last_event_id()
        with pytest.raises(refusal.error, match=refusal.match):
            refusal.call()
        assert events_after(last) == [], f"{name}, refused ({refusal.why}), recorded events"
        changed = changed_tables(before, database_state())
        assert not changed, f"{name}, refused ({refusal.why}), changed {', '.join(changed)}"


def silence_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every module that recorded events through ``record_event`` record nothing."""
    faithful = record.record_event
    for module in list(sys.modules.values()):
        if getattr(module, "record_event", None) is faithful:
            monkeypatch.setattr(module, "record_event", lambda *args, **kwargs: None)


@pytest.mark.parametrize("name", params("never-vacuous"))
def test_every_case_fails_when_its_action_stops_recording(
    name: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    silence_audit(monkeypatch)
    with pytest.raises(AssertionError, match="audit events recorded differ"):
        check(name, world, world[CASES[name].role], "web")


def test_the_check_fails_when_an_action_records_the_wrong_actor_or_source(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyst = world["analyst"]
    faithful = record.record_event

    def as_operator(*args: Any, **kwargs: Any) -> Any:
        return faithful(*args, **{**kwargs, "actor": None})

    def from_cli(*args: Any, **kwargs: Any) -> Any:
        return faithful(*args, **{**kwargs, "source": "cli"})

    def on_another_object(verb: str, target: Any, **kwargs: Any) -> Any:
        return faithful(verb, "reference-data", **kwargs)

    def rename(title: str) -> Callable[[], Round]:
        return lambda: surveys.update_round(
            world.round, title=title, acting_user=analyst, source="web"
        )

    def expected(round_: Round) -> list[Expected]:
        return [("round.update", world.round)]

    for wrong in (as_operator, from_cli, on_another_object):
        monkeypatch.setattr(surveys, "record_event", wrong)
        with pytest.raises(AssertionError, match="audit events recorded differ"):
            assert_records(
                rename(f"Renamed ({wrong.__name__})"), expected, actor=analyst, source="web"
            )
    monkeypatch.setattr(surveys, "record_event", faithful)
    assert_records(rename("Renamed faithfully"), expected, actor=analyst, source="web")
