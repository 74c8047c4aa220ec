"""The permission matrix: every URL of the site, what each persona gets from it.

One row per request (``CASES``): the URL name, how it is called (GET, a form POST or a JSON
POST), the address built from a :class:`World` of test objects, and what each persona gets,
in the order of :data:`PERSONAS`. Outcomes are a status code, :data:`LOGIN` (a redirect to the
sign-in page) or :data:`ADMIN_LOGIN` (the Django admin's own sign-in page).

The rule the site follows (``mnr.surveys.access``): what a user may not see is not found
(404), so that nothing says whether it exists; what they may see but not change is refused
(403); an anonymous visitor is sent to sign in for pages behind a login, and gets 404 where the
page does not say whether there is anything behind it (the maturity pages, an unpublished
round). A refused POST writes nothing; an accepted one records an audit event.

Adding a page: add its case here; ``test_url_matrix`` fails for a URL name without one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from tests.evidence_files import PDF
from tests.maturity import self_assessment_round
from tests.publishing import validate_and_publish

from mnr.accounts.models import Invitation, RoleAssignment
from mnr.frameworks.models import Phase
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round, Submission

PERSONAS = ("administrator", "analyst", "reviewer", "focal_point", "other_focal_point", "anonymous")
LOGIN = "login"
ADMIN_LOGIN = "admin-login"
Outcome = int | str

# The Django admin is one application of ~100 URLs with one rule (administrators only): its
# index and one model list stand for it.
ADMIN_NAMESPACE = "admin"
ADMIN_STANDS_FOR = ("admin:index", "admin:auth_user_changelist")
# The JSON API's endpoints: every operation of its OpenAPI schema for every persona is in
# tests/api/permission_matrix.py, which fails for an operation without a row.
API_NAMESPACE = "api-v1"

EVIDENCE_QUESTION = "C11.status"
MATURITY_ROUND = "sa-matrix"
MATURITY_PHASES = {
    "KE": {"": {"C01": 2, "C03": 1, "C12": 3}, "police": {"C01": 3, "C03": 2}},
    "SE": {"": {"C01": 3, "C03": 2}},
    "GB-EAW": {"": {"C01": 1}},
}


# --- The objects the addresses point at ------------------------------------------------------


@dataclass
class World:
    """What the matrix's addresses point at. ``review_round`` (Kenya, Sweden, England and
    Wales) is not published; ``published_round`` (the same three) is; ``others_round`` (France)
    is neither focal point's. ``kenya`` is a
    submission of the focal point's jurisdiction, ``sweden`` one of the other focal point's."""

    personas: dict[str, Any]
    review_round: Round
    published_round: Round
    others_round: Round
    kenya: Submission
    sweden: Submission
    evidence_id: int
    maturity_round: Round
    invitation: Invitation
    sign_up_token: str
    reviewer_assignment: RoleAssignment
    last_phase: Phase

    def submission(self, pk: int | None = None) -> Submission:
        return Submission.objects.get(pk=pk or self.kenya.pk)


def make_personas() -> dict[str, Any]:
    """The personas of tests/conftest.py, made the same way (that fixture is per test)."""
    from django.contrib.auth.models import AnonymousUser

    from mnr.accounts.actions import assign_role, create_user

    def make(username: str, role: str, jurisdiction: str | None = None) -> Any:
        user = create_user(username, "pw-" + username, source="test")
        place = Jurisdiction.objects.get(code=jurisdiction) if jurisdiction else None
        assign_role(user, role, jurisdiction=place, source="test")
        return user

    return {
        "administrator": make("admin", "administrator"),
        "analyst": make("analyst", "analyst"),
        "reviewer": make("reviewer", "reviewer"),
        "focal_point": make("focal-ke", "focal_point", "KE"),
        "other_focal_point": make("focal-se", "focal_point", "SE"),
        "anonymous": AnonymousUser(),
    }


def build_world() -> World:
    from mnr.accounts.actions import invitation_token, invite_user
    from mnr.evidence.actions import attach_evidence

    personas = make_personas()
    review_round = actions.create_round(
        "test-2021", instrument="mnr-review-2021", title="Test round", source="test"
    )
    actions.add_participants(review_round, ["KE", "SE", "GB-EAW"], source="test")
    kenya = actions.open_submission(
        review_round, Jurisdiction.objects.get(code="KE"), "government", source="test"
    )
    sweden = actions.open_submission(
        review_round, Jurisdiction.objects.get(code="SE"), "government", source="test"
    )
    evidence = attach_evidence(
        kenya, EVIDENCE_QUESTION, SimpleUploadedFile("law.pdf", PDF), source="test"
    )
    published = actions.create_round(
        "test-2019", instrument="mnr-review-2021", title="Published test round", source="test"
    )
    actions.add_participants(published, ["KE", "SE", "GB-EAW"], source="test")
    for code, value in (("KE", "yes"), ("SE", "partial"), ("GB-EAW", "no")):
        submission = actions.open_submission(
            published, Jurisdiction.objects.get(code=code), "government", source="test"
        )
        actions.save_answers(submission, {"C11.status": AnswerInput(value=value)}, source="test")
    validate_and_publish(published)
    others = actions.create_round(
        "test-others", instrument="mnr-review-2021", title="Round of others", source="test"
    )
    actions.add_participants(others, ["FR"], source="test")
    invitation = invite_user("pending@example.org", ["reviewer"], sign_up_url="{token}")
    return World(
        personas=personas,
        review_round=review_round,
        published_round=published,
        others_round=others,
        kenya=kenya,
        sweden=sweden,
        evidence_id=evidence.pk,
        maturity_round=self_assessment_round(MATURITY_ROUND, MATURITY_PHASES),
        invitation=invitation,
        sign_up_token=invitation_token(invitation),
        reviewer_assignment=personas["reviewer"].role_assignments.get(),
        last_phase=Phase.objects.filter(edition__code="mnr-2016").order_by("-level")[0],
    )


# States a case puts the world in before its request (in the persona's savepoint).


def _required_answers(submission: Submission) -> dict[str, AnswerInput]:
    return {
        q.code: AnswerInput(value=q.choice_codes[0] if q.choice_codes else "Some text.")
        for q in submission.round.instrument.questions.filter(required=True)
        if q.asked_of(submission.channel)
    }


def complete(world: World) -> None:
    submission = world.submission()
    actions.save_answers(submission, _required_answers(submission), source="test")


def submitted(world: World) -> None:
    complete(world)
    actions.submit(world.submission(), source="test")


def validated(world: World) -> None:
    submitted(world)
    actions.validate(world.submission(), source="test")


def kenya_c12_dropped(world: World) -> None:
    from mnr.maturity.actions import drop_plan_item

    drop_plan_item(world.maturity_round, Jurisdiction.objects.get(code="KE"), "C12", source="test")


def kenya_c01_overridden(world: World) -> None:
    from mnr.maturity.actions import override_phase

    override_phase(
        world.maturity_round, Jurisdiction.objects.get(code="KE"), "C01", 3, "Seen in the files."
    )


def kenya_token_made(world: World) -> None:
    from mnr.api.tokens import create_token

    focal_point = world.personas["focal_point"]
    create_token(focal_point, "Kenya's script", acting_user=focal_point, source="test")


def kenya_token(world: World) -> int:
    """The focal point's latest API token (``kenya_token_made``)."""
    return int(world.personas["focal_point"].api_tokens.latest("pk").pk)


def report_editor_post(world: World) -> dict[str, Any]:
    """The report editor's form as the administrator is shown it, with a new introduction."""
    from django.test import Client
    from tests.report_editor import editor_fields

    client = Client()
    client.force_login(world.personas["administrator"])
    fields = editor_fields(client.get(reverse("round-report-edit", args=[world.review_round.code])))
    return {**fields, "narrative-introduction": "A new introduction."}


# --- The table -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One request of the matrix. ``writes``: an accepted request records an audit event (a
    refused one must change nothing either way)."""

    name: str
    expected: tuple[Outcome, ...]
    url: Callable[[World], str]
    method: str = "get"
    data: Callable[[World], dict[str, Any]] = field(default=lambda world: {})
    state: Callable[[World], None] | None = None
    writes: bool = True

    def __post_init__(self) -> None:
        assert len(self.expected) == len(PERSONAS), self.name


def _url(name: str, *args: Callable[[World], Any]) -> Callable[[World], str]:
    return lambda world: reverse(name, args=[arg(world) for arg in args])


def _const(value: Any) -> Callable[[World], Any]:
    return lambda world: value


UNPUBLISHED = lambda world: world.review_round.code  # noqa: E731
PUBLISHED = lambda world: world.published_round.code  # noqa: E731
OTHERS = lambda world: world.others_round.code  # noqa: E731
MATURITY = lambda world: world.maturity_round.code  # noqa: E731
KENYA = lambda world: world.kenya.pk  # noqa: E731
SWEDEN = lambda world: world.sweden.pk  # noqa: E731
KE = _const("KE")
EDITION = _const("mnr-2016")

EVERYONE = (200,) * 6
MANAGERS_GET = (200, 200, 403, 403, 403, LOGIN)
MANAGERS_POST = (302, 302, 403, 403, 403, LOGIN)
ADMIN_GET = (200, 403, 403, 403, 403, LOGIN)
ADMIN_POST = (302, 403, 403, 403, 403, LOGIN)
# Who may see Kenya's submission: everyone signed in but the other jurisdiction's focal point.
KENYA_READERS = (200, 200, 200, 200, 404, LOGIN)
KENYA_ANSWERERS_POST = (302, 403, 403, 302, 404, LOGIN)
# Kenya's maturity records: its focal point, reviewers and analysts (administrators hold every
# role); the pages say nothing to anyone else, anonymous visitors included.
KENYA_MATURITY = (200, 200, 200, 200, 404, 404)
KENYA_MATURITY_FILES = (200, 200, 200, 200, 404, LOGIN)

CASES: dict[str, Case] = {
    # Signing in and out, languages, scripts: the same for everyone.
    "login": Case("login", EVERYONE, _url("login")),
    "logout": Case("logout", (302,) * 6, _url("logout"), "post", writes=False),
    "set-language": Case(
        "set_language",
        (302,) * 6,
        _url("set_language"),
        "post",
        lambda world: {"language": "fr", "next": "/library/"},
        writes=False,
    ),
    "javascript-catalog": Case("javascript-catalog", EVERYONE, _url("javascript-catalog")),
    "vega-embed": Case("vega-embed-js", EVERYONE, _url("vega-embed-js")),
    # The health check: the same unauthenticated "ok" for everyone, no data.
    "healthz": Case("healthz", EVERYONE, _url("healthz")),
    # The API's docs page; the API's own endpoints have their own matrix (tests/api).
    "api-docs": Case("api-docs", EVERYONE, _url("api-docs")),
    "api-unknown": Case("api-unknown", (404,) * 6, _url("api-unknown", _const("no-such-thing"))),
    # The framework and what is public of every round.
    "home": Case("home", EVERYONE, _url("home")),
    "framework": Case("framework", EVERYONE, _url("framework", EDITION)),
    "capability": Case("capability", EVERYONE, _url("capability", EDITION, _const("C11"))),
    "library": Case("library", EVERYONE, _url("library")),
    "rename-phase": Case(
        "framework-phase",
        ADMIN_POST,
        _url("framework-phase", EDITION, _const(2)),
        "post",
        lambda world: {"name": "Emerging"},
    ),
    # Rounds: a published one is public (its latest publication); an unpublished one is for
    # those whose roles name it, and does not exist for anyone else.
    "round-published": Case("round", EVERYONE, _url("round", PUBLISHED)),
    "round-unpublished": Case("round", (200, 200, 200, 200, 200, 404), _url("round", UNPUBLISHED)),
    # A round neither focal point's jurisdiction takes part in.
    "round-of-others": Case("round", (200, 200, 200, 404, 404, 404), _url("round", OTHERS)),
    "findings-published": Case("round-findings", EVERYONE, _url("round-findings", PUBLISHED)),
    "findings-unpublished": Case(
        "round-findings", (200, 200, 200, 200, 200, 404), _url("round-findings", UNPUBLISHED)
    ),
    "findings-csv-published": Case(
        "round-findings-download",
        EVERYONE,
        _url("round-findings-download", PUBLISHED, _const("csv")),
    ),
    "findings-xlsx-unpublished": Case(
        "round-findings-download",
        (200, 200, 200, 200, 200, 404),
        _url("round-findings-download", UNPUBLISHED, _const("xlsx")),
    ),
    "report-published": Case("round-report", EVERYONE, _url("round-report", PUBLISHED)),
    # Before publication only the round's analysts read the report (as a preview).
    "report-unpublished": Case(
        "round-report", (200, 200, 404, 404, 404, 404), _url("round-report", UNPUBLISHED)
    ),
    "report-pdf-published": Case("round-report-pdf", EVERYONE, _url("round-report-pdf", PUBLISHED)),
    "report-pdf-unpublished": Case(
        "round-report-pdf", (200, 200, 404, 404, 404, 404), _url("round-report-pdf", UNPUBLISHED)
    ),
    "report-edit": Case("round-report-edit", MANAGERS_GET, _url("round-report-edit", UNPUBLISHED)),
    "report-edit-post": Case(
        "round-report-edit",
        MANAGERS_POST,
        _url("round-report-edit", UNPUBLISHED),
        "post",
        lambda world: report_editor_post(world),
    ),
    "publish": Case(
        "round-publish",
        MANAGERS_POST,
        _url("round-publish", UNPUBLISHED),
        "post",
        lambda world: {"note": "Matrix test."},
        state=validated,
    ),
    # Answer entry and review of Kenya's submission.
    "submissions": Case("submissions", (200, 200, 200, 200, 200, LOGIN), _url("submissions")),
    "start": Case(
        "submissions",
        (302, 302, 403, 302, 403, LOGIN),
        _url("submissions"),
        "post",
        lambda world: {
            "round": world.review_round.code,
            "jurisdiction": "KE",
            "channel": "unicef_country_office",
        },
    ),
    "submission": Case("submission", KENYA_READERS, _url("submission", KENYA)),
    "submission-of-sweden": Case(
        "submission", (200, 200, 200, 404, 200, LOGIN), _url("submission", SWEDEN)
    ),
    "submission-form": Case(
        "submission",
        KENYA_ANSWERERS_POST,
        _url("submission", KENYA),
        "post",
        lambda world: {"question": "MNR.used_as_reference", "MNR.used_as_reference:value": "yes"},
    ),
    "save": Case(
        "submission-save",
        (200, 403, 403, 200, 404, 401),
        _url("submission-save", KENYA),
        "json",
        lambda world: {"answers": {"C01.status": {"value": "yes"}}},
    ),
    "confirm-submit": Case(
        "submission-submit",
        (200, 403, 403, 200, 404, LOGIN),
        _url("submission-submit", KENYA),
        state=complete,
    ),
    "submit": Case(
        "submission-submit",
        KENYA_ANSWERERS_POST,
        _url("submission-submit", KENYA),
        "post",
        lambda world: {"confirmed": "yes"},
        state=complete,
    ),
    "review": Case(
        "submission-review",
        (200, 200, 200, 403, 404, LOGIN),
        _url("submission-review", KENYA),
        state=submitted,
    ),
    "comment": Case(
        "submission-comment",
        (302, 302, 302, 403, 404, LOGIN),
        _url("submission-comment", KENYA),
        "post",
        lambda world: {"question": "C11.status", "body": "Is this in law?"},
        state=submitted,
    ),
    "return": Case(
        "submission-return",
        (302, 403, 302, 403, 404, LOGIN),
        _url("submission-return", KENYA),
        "post",
        lambda world: {"comment": "Please check C11."},
        state=submitted,
    ),
    "validate": Case(
        "submission-validate",
        (302, 403, 302, 403, 404, LOGIN),
        _url("submission-validate", KENYA),
        "post",
        state=submitted,
    ),
    "reopen": Case(
        "submission-reopen",
        (302, 302, 403, 403, 404, LOGIN),
        _url("submission-reopen", KENYA),
        "post",
        lambda world: {"comment": "One more answer is needed."},
        state=validated,
    ),
    "history": Case("submission-history", KENYA_READERS, _url("submission-history", KENYA)),
    # Evidence files of Kenya's answers: read with the answer, changed by who answers.
    "evidence-upload": Case(
        "evidence-upload",
        KENYA_ANSWERERS_POST,
        _url("evidence-upload", KENYA),
        "post",
        lambda world: {
            "question": EVIDENCE_QUESTION,
            "file": SimpleUploadedFile("more.pdf", PDF),
        },
    ),
    "evidence-remove": Case(
        "evidence-remove",
        KENYA_ANSWERERS_POST,
        _url("evidence-remove", KENYA),
        "post",
        lambda world: {"evidence": str(world.evidence_id)},
    ),
    "evidence-download": Case(
        "evidence-download",
        KENYA_READERS,
        lambda world: reverse("evidence-download", args=[world.kenya.pk, world.evidence_id]),
    ),
    # Maturity records of Kenya in the self-assessment round.
    "maturity-round": Case(
        "maturity-round", (200, 200, 200, 302, 302, 404), _url("maturity-round", MATURITY)
    ),
    "maturity-profile": Case(
        "maturity-profile", KENYA_MATURITY_FILES, _url("maturity-profile", MATURITY, KE)
    ),
    "maturity-profile-download": Case(
        "maturity-profile-download",
        KENYA_MATURITY_FILES,
        _url("maturity-profile-download", MATURITY, KE, _const("html")),
    ),
    "plan-download": Case(
        "plan-download",
        KENYA_MATURITY_FILES,
        _url("plan-download", MATURITY, KE, _const("xlsx")),
    ),
    "maturity-plan": Case("maturity-plan", KENYA_MATURITY, _url("maturity-plan", MATURITY, KE)),
    "maturity-phases": Case(
        "maturity-phases", KENYA_MATURITY, _url("maturity-phases", MATURITY, KE)
    ),
    "maturity-peers": Case(
        "maturity-peers", KENYA_MATURITY, _url("maturity-peers", MATURITY, KE, _const("C01"))
    ),
    "maturity-plan-item": Case(
        "maturity-plan-item",
        (302, 403, 403, 302, 404, 404),
        _url("maturity-plan-item", MATURITY, KE, _const("C01")),
        "post",
        lambda world: {
            "owner": "Ministry of the Interior",
            "due": "2027-06-30",
            "status": "in_progress",
            "notes": "",
            "target_phase": "3",
            "version": "1",
        },
    ),
    "maturity-plan-drop": Case(
        "maturity-plan-drop",
        (302, 403, 403, 302, 404, 404),
        _url("maturity-plan-drop", MATURITY, KE, _const("C03")),
        "post",
        lambda world: {"version": "1"},
    ),
    "maturity-plan-add": Case(
        "maturity-plan-add",
        (302, 403, 403, 302, 404, 404),
        _url("maturity-plan-add", MATURITY, KE),
        "post",
        lambda world: {"capability": "C12", "target_phase": "4"},
        state=kenya_c12_dropped,
    ),
    "maturity-consent": Case(
        "maturity-consent",
        (302, 302, 403, 302, 404, 404),
        _url("maturity-consent", MATURITY, KE),
        "post",
        lambda world: {"peer_exchange": "yes"},
    ),
    "maturity-override": Case(
        "maturity-override",
        (302, 403, 302, 403, 404, 404),
        _url("maturity-override", MATURITY, KE, _const("C03")),
        "post",
        lambda world: {"phase": "2", "reason": "In the files."},
    ),
    "maturity-override-withdraw": Case(
        "maturity-override",
        (302, 403, 302, 403, 404, 404),
        _url("maturity-override", MATURITY, KE, _const("C01")),
        "post",
        lambda world: {"withdraw": "1", "reason": "The lead's view holds."},
        state=kenya_c01_overridden,
    ),
    # Administration under /manage/: users, roles and phases for administrators; rounds also
    # for analysts.
    "manage": Case("manage", MANAGERS_GET, _url("manage")),
    "manage-users": Case("manage-users", ADMIN_GET, _url("manage-users")),
    "invite": Case(
        "manage-users",
        ADMIN_POST,
        _url("manage-users"),
        "post",
        lambda world: {"email": "new@example.org", "roles": ["reviewer"]},
    ),
    "manage-user": Case(
        "manage-user",
        ADMIN_GET,
        lambda world: reverse("manage-user", args=[world.personas["reviewer"].pk]),
    ),
    "grant": Case(
        "manage-user",
        ADMIN_POST,
        lambda world: reverse("manage-user", args=[world.personas["reviewer"].pk]),
        "post",
        lambda world: {"role": "focal_point", "jurisdiction": "KE", "channel": "government"},
    ),
    "deactivate": Case(
        "manage-user-active",
        ADMIN_POST,
        lambda world: reverse("manage-user-active", args=[world.personas["reviewer"].pk]),
        "post",
        lambda world: {"active": "0"},
    ),
    "withdraw-invitation": Case(
        "manage-invitation-withdraw",
        ADMIN_POST,
        lambda world: reverse("manage-invitation-withdraw", args=[world.invitation.pk]),
        "post",
    ),
    "revoke": Case(
        "manage-role-revoke",
        ADMIN_POST,
        lambda world: reverse("manage-role-revoke", args=[world.reviewer_assignment.pk]),
        "post",
    ),
    "manage-rounds": Case("manage-rounds", MANAGERS_GET, _url("manage-rounds")),
    "create-round": Case(
        "manage-rounds",
        MANAGERS_POST,
        _url("manage-rounds"),
        "post",
        lambda world: {
            "code": "new-round",
            "title": "New round",
            "instrument": "mnr-review-2021",
            "channels": "government",
            "income_fiscal_year": "2021",
        },
    ),
    "manage-round": Case("manage-round", MANAGERS_GET, _url("manage-round", UNPUBLISHED)),
    "round-dates": Case(
        "manage-round",
        MANAGERS_POST,
        _url("manage-round", UNPUBLISHED),
        "post",
        lambda world: {"form": "dates", "opens_on": "2025-01-01", "closes_on": "2025-03-31"},
    ),
    "manage-phases": Case("manage-phases", ADMIN_GET, _url("manage-phases")),
    "rename-phase-manage": Case(
        "manage-phases",
        ADMIN_POST,
        _url("manage-phases"),
        "post",
        lambda world: {
            "phase": world.last_phase.pk,
            f"phase-{world.last_phase.pk}-name": "Sustained",
            f"phase-{world.last_phase.pk}-provisional": "",
        },
    ),
    # Signing up through an invitation: the link is the credential, whoever follows it.
    "sign-up": Case(
        "sign-up", EVERYONE, lambda world: reverse("sign-up", args=[world.sign_up_token])
    ),
    "sign-up-forged": Case("sign-up", (410,) * 6, _url("sign-up", _const("1:forged"))),
    "sign-up-post": Case(
        "sign-up",
        (302,) * 6,
        lambda world: reverse("sign-up", args=[world.sign_up_token]),
        "post",
        lambda world: {
            "username": "invited",
            "password": "a-long-pass-phrase-9",
            "password_again": "a-long-pass-phrase-9",
        },
    ),
    # Personal API tokens: each signed-in user's own; another's is not found.
    "api-tokens": Case("api-tokens", (200,) * 5 + (LOGIN,), _url("api-tokens")),
    "api-token-create": Case(
        "api-tokens",
        (200,) * 5 + (LOGIN,),
        _url("api-tokens"),
        "post",
        lambda world: {"name": "Matrix script", "scope": "write", "expires_on": ""},
    ),
    "api-token-revoke-confirm": Case(
        "api-token-revoke",
        (404, 404, 404, 200, 404, LOGIN),
        lambda world: reverse("api-token-revoke", args=[kenya_token(world)]),
        state=kenya_token_made,
    ),
    "api-token-revoke": Case(
        "api-token-revoke",
        (404, 404, 404, 302, 404, LOGIN),
        lambda world: reverse("api-token-revoke", args=[kenya_token(world)]),
        "post",
        lambda world: {"confirmed": "yes"},
        state=kenya_token_made,
    ),
    # Each signed-in user's own security pages (docs/security.md); a wrong code changes nothing.
    "security": Case("security", (200,) * 5 + (LOGIN,), _url("security")),
    "password-change": Case("password-change", (200,) * 5 + (LOGIN,), _url("password-change")),
    "password-change-wrong": Case(
        "password-change",
        (200,) * 5 + (LOGIN,),
        _url("password-change"),
        "post",
        lambda world: {
            "old_password": "not-the-password",
            "new_password1": "a-long-pass-phrase-9",
            "new_password2": "a-long-pass-phrase-9",
        },
        writes=False,
    ),
    "two-factor-setup": Case("two-factor-setup", (200,) * 5 + (LOGIN,), _url("two-factor-setup")),
    "two-factor-setup-wrong": Case(
        "two-factor-setup",
        (200,) * 5 + (LOGIN,),
        _url("two-factor-setup"),
        "post",
        lambda world: {"code": "not a code"},
        writes=False,
    ),
    # Without two-factor there is no code to ask: back to the page asked for.
    "two-factor-verify": Case(
        "two-factor-verify", (302,) * 5 + (LOGIN,), _url("two-factor-verify")
    ),
    "two-factor-recovery-codes": Case(
        "two-factor-recovery-codes",
        (302,) * 5 + (LOGIN,),
        _url("two-factor-recovery-codes"),
        "post",
        lambda world: {"code": "123456"},
        writes=False,
    ),
    "two-factor-disable": Case(
        "two-factor-disable",
        (302,) * 5 + (LOGIN,),
        _url("two-factor-disable"),
        "post",
        lambda world: {"code": "123456"},
        writes=False,
    ),
    # The Django admin, read only, for administrators.
    "admin": Case("admin:index", (200, *(ADMIN_LOGIN,) * 5), _url("admin:index")),
    "admin-users": Case(
        "admin:auth_user_changelist", (200, *(ADMIN_LOGIN,) * 5), _url("admin:auth_user_changelist")
    ),
    # The audit log and its CSV download (docs/audit.md): administrators only.
    "admin-audit": Case(
        "admin:audit_auditevent_changelist",
        (200, *(ADMIN_LOGIN,) * 5),
        _url("admin:audit_auditevent_changelist"),
    ),
    "admin-audit-export": Case(
        "admin:audit_auditevent_export",
        (200, *(ADMIN_LOGIN,) * 5),
        lambda world: reverse("admin:audit_auditevent_export") + "?kind__exact=access",
    ),
}


# --- The resolver ----------------------------------------------------------------------------


def url_names() -> set[str]:
    """Every URL pattern of the site by name (``namespace:name``), or by its route when it has
    no name."""
    return set(_walk(get_resolver().url_patterns, "", ""))


def _walk(patterns: list[Any], route: str, namespace: str) -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, route + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield namespace + (pattern.name or route + str(pattern.pattern))


def covered(name: str) -> bool:
    """Whether the table answers for ``name``."""
    if name.startswith(f"{API_NAMESPACE}:"):
        return True
    if name.startswith(f"{ADMIN_NAMESPACE}:"):
        return all(
            any(case.name == wanted for case in CASES.values()) for wanted in ADMIN_STANDS_FOR
        )
    return any(case.name == name for case in CASES.values())


def anonymous_may_open(name: str) -> bool:
    """Whether some case of the table lets an anonymous visitor read ``name`` (status 200)."""
    anonymous = PERSONAS.index("anonymous")
    return any(
        case.name == name and case.method == "get" and case.expected[anonymous] == 200
        for case in CASES.values()
    )


def post_json(client: Any, url: str, body: object) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@contextmanager
def shared_world(django_db_blocker: Any, evidence_root: Path) -> Iterator[World]:
    """One world for a module's tests (each test's changes are rolled back at its end, as
    usual), itself rolled back after the last one, with the settings tests/conftest.py gives
    each test."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EVIDENCE_ROOT=evidence_root,
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        ),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)
