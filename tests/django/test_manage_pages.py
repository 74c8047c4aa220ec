"""The administration pages (/manage/): who may open and post to each, and what each does
through its action; invitations from the form to a signed-up user."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mnr.accounts.models import Invitation, RoleAssignment
from mnr.audit.models import AuditEvent
from mnr.frameworks.models import Phase
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

PERSONAS = ("administrator", "analyst", "reviewer", "focal_point", "anonymous")
ADMINISTRATORS = {"administrator"}
ROUND_MANAGERS = {"administrator", "analyst"}


def client_for(personas: dict[str, Any], persona: str) -> Client:
    client = Client()
    if personas[persona].is_authenticated:
        client.force_login(personas[persona])
    return client


def expected(persona: str, allowed: set[str], ok: int) -> int:
    if persona in allowed:
        return ok
    return 302 if persona == "anonymous" else 403


# Every page: its address, built from the personas and the round, and who may open it.
PAGES: dict[str, tuple[Callable[[dict[str, Any], Round], str], set[str]]] = {
    "manage": (lambda p, r: reverse("manage"), ROUND_MANAGERS),
    "manage-users": (lambda p, r: reverse("manage-users"), ADMINISTRATORS),
    "manage-user": (lambda p, r: reverse("manage-user", args=[p["reviewer"].pk]), ADMINISTRATORS),
    "manage-rounds": (lambda p, r: reverse("manage-rounds"), ROUND_MANAGERS),
    "manage-round": (lambda p, r: reverse("manage-round", args=[r.code]), ROUND_MANAGERS),
    "manage-phases": (lambda p, r: reverse("manage-phases"), ADMINISTRATORS),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_who_may_open_each_manage_page(
    personas: dict[str, Any], review_round: Round, persona: str, name: str
) -> None:
    url, allowed = PAGES[name]
    response = client_for(personas, persona).get(url(personas, review_round))
    assert response.status_code == expected(persona, allowed, 200)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def _phase() -> Phase:
    return Phase.objects.filter(edition__code="mnr-2016").order_by("level").last()  # type: ignore[return-value]


def _pending_invitation() -> Invitation:
    from mnr.accounts.actions import invite_user

    return invite_user("pending@example.org", ["reviewer"], sign_up_url="{token}", source="test")


def _own_assignment(personas: dict[str, Any]) -> RoleAssignment:
    return personas["reviewer"].role_assignments.get()


# Every form: its address, what it posts, who may post it (all of them redirect when done).
POSTS: dict[str, tuple[Callable[[dict[str, Any], Round], tuple[str, dict[str, Any]]], set[str]]] = {
    "invite": (
        lambda p, r: (
            reverse("manage-users"),
            {"email": "new@example.org", "roles": ["reviewer"]},
        ),
        ADMINISTRATORS,
    ),
    "withdraw-invitation": (
        lambda p, r: (reverse("manage-invitation-withdraw", args=[_pending_invitation().pk]), {}),
        ADMINISTRATORS,
    ),
    "grant": (
        lambda p, r: (
            reverse("manage-user", args=[p["reviewer"].pk]),
            {"role": "focal_point", "jurisdiction": "KE", "channel": "government"},
        ),
        ADMINISTRATORS,
    ),
    "revoke": (
        lambda p, r: (reverse("manage-role-revoke", args=[_own_assignment(p).pk]), {}),
        ADMINISTRATORS,
    ),
    "deactivate": (
        lambda p, r: (reverse("manage-user-active", args=[p["reviewer"].pk]), {"active": "0"}),
        ADMINISTRATORS,
    ),
    "create-round": (
        lambda p, r: (
            reverse("manage-rounds"),
            {
                "code": "new-round",
                "title": "New round",
                "instrument": "mnr-review-2021",
                "channels": "government",
                "income_fiscal_year": "2021",
            },
        ),
        ROUND_MANAGERS,
    ),
    "round-dates": (
        lambda p, r: (
            reverse("manage-round", args=[r.code]),
            {"form": "dates", "opens_on": "2025-01-01", "closes_on": "2025-03-31"},
        ),
        ROUND_MANAGERS,
    ),
    "round-participants": (
        lambda p, r: (
            reverse("manage-round", args=[r.code]),
            {"form": "participants", "jurisdictions": "FR"},
        ),
        ROUND_MANAGERS,
    ),
    "round-status": (
        lambda p, r: (
            reverse("manage-round", args=[r.code]),
            {"form": "status", "status": "open"},
        ),
        ROUND_MANAGERS,
    ),
    "rename-phase": (
        lambda p, r: (
            reverse("manage-phases"),
            {
                "phase": _phase().pk,
                f"phase-{_phase().pk}-name": "Sustained",
                f"phase-{_phase().pk}-provisional": "",
            },
        ),
        ADMINISTRATORS,
    ),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", sorted(POSTS))
def test_who_may_post_each_manage_form(
    personas: dict[str, Any], review_round: Round, persona: str, name: str
) -> None:
    build, allowed = POSTS[name]
    url, data = build(personas, review_round)
    # Signed in first: the sign-in is an (access) event of its own, not the post's.
    client = client_for(personas, persona)
    before = AuditEvent.objects.count()
    response = client.post(url, data)
    assert response.status_code == expected(persona, allowed, 302), response.content[:2000]
    written = AuditEvent.objects.count() - before
    if persona in allowed:
        assert written >= 1, f"{name} by {persona} recorded no event"
        assert "error" not in str(list(response.wsgi_request._messages))  # type: ignore[attr-defined]
    else:
        assert written == 0, f"{name} by {persona} wrote"


# --- Invitations -------------------------------------------------------------------------------


def _invite(client: Client, **extra: Any) -> Any:
    return client.post(
        reverse("manage-users"),
        {
            "email": "amina@example.org",
            "roles": ["focal_point"],
            "jurisdiction": "KE",
            "channel": "government",
            **extra,
        },
    )


def _link() -> str:
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["amina@example.org"]
    found = re.search(r"http://testserver(/sign-up/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_an_invitation_is_mailed_and_its_link_signs_the_invitee_up_once(
    personas: dict[str, Any],
) -> None:
    admin = client_for(personas, "administrator")
    assert _invite(admin).status_code == 302
    link = _link()
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and b"amina@example.org" in page.content
    response = visitor.post(
        link,
        {
            "username": "amina",
            "password": "a-long-passphrase",
            "password_again": "a-long-passphrase",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assignment = RoleAssignment.objects.get(user__username="amina")
    assert (assignment.role, assignment.jurisdiction.code, assignment.channel) == (
        "focal_point",
        "KE",
        "government",
    )
    assert visitor.login(username="amina", password="a-long-passphrase")
    # Used: the link no longer works, for anyone.
    again = Client().get(link)
    assert again.status_code == 410 and b"used already" in again.content
    refused = Client().post(
        link,
        {
            "username": "amina2",
            "password": "a-long-passphrase",
            "password_again": "a-long-passphrase",
        },
    )
    assert refused.status_code == 410
    assert not RoleAssignment.objects.filter(user__username="amina2").exists()


@pytest.mark.parametrize(
    ("lang", "subject", "says"),
    [
        ("en", "Your invitation to mnr", "You are invited to mnr as Focal point."),
        ("fr", "Votre invitation à mnr", "à rejoindre mnr en tant que Point focal."),
    ],
)
def test_the_invitation_mail_names_roles_and_jurisdiction_in_the_administrator_s_language(
    personas: dict[str, Any], lang: str, subject: str, says: str
) -> None:
    admin = client_for(personas, "administrator")
    admin.cookies["django_language"] = lang
    assert _invite(admin).status_code == 302
    _link()
    message = mail.outbox[0]
    assert message.subject == subject
    assert says in message.body
    assert "focal_point" not in message.body  # the role's name, never its code
    kenya = Jurisdiction.objects.get(code="KE")
    assert kenya.name(lang) in message.body


def test_an_expired_or_forged_link_is_refused(personas: dict[str, Any]) -> None:
    _invite(client_for(personas, "administrator"))
    link = _link()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().post(
        link,
        {
            "username": "late",
            "password": "a-long-passphrase",
            "password_again": "a-long-passphrase",
        },
    )
    assert response.status_code == 410 and b"expired" in response.content
    forged = Client().get(reverse("sign-up", args=["1:forged"]))
    assert forged.status_code == 410 and b"not valid" in forged.content
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="late").exists()


def test_sign_up_errors_show_beside_their_field_and_write_nothing(
    personas: dict[str, Any],
) -> None:
    _invite(client_for(personas, "administrator"))
    link = _link()
    before = AuditEvent.objects.count()
    page = (
        Client()
        .post(link, {"username": "amina", "password": "short", "password_again": "other"})
        .content.decode()
    )
    assert "The two passwords differ." in page
    page = (
        Client()
        .post(
            link,
            {
                "username": "analyst",
                "password": "a-long-passphrase",
                "password_again": "a-long-passphrase",
            },
        )
        .content.decode()
    )
    assert "exists already" in page
    assert AuditEvent.objects.count() == before


def test_an_invitation_form_with_errors_sends_nothing_and_says_where(
    personas: dict[str, Any],
) -> None:
    admin = client_for(personas, "administrator")
    page = _invite(admin, email="not-an-address").content.decode()
    assert 'id="id_email_error"' in page or "Enter a valid email address." in page
    page = _invite(admin, jurisdiction="").content.decode()
    assert "give the jurisdiction" in page
    page = _invite(admin, roles=["reviewer"]).content.decode()
    assert "only a focal point answers for one channel" in page
    assert mail.outbox == [] and not Invitation.objects.exists()


# --- Roles, users, rounds, phases --------------------------------------------------------------


def test_an_administrator_grants_and_withdraws_a_role_on_the_user_page(
    personas: dict[str, Any],
) -> None:
    admin = client_for(personas, "administrator")
    reviewer = personas["reviewer"]
    admin.post(
        reverse("manage-user", args=[reviewer.pk]),
        {"role": "focal_point", "jurisdiction": "SE", "channel": "unicef_country_office"},
    )
    granted = reviewer.role_assignments.get(role="focal_point")
    assert (granted.jurisdiction.code, granted.channel) == ("SE", "unicef_country_office")
    page = admin.get(reverse("manage-user", args=[reviewer.pk])).content.decode()
    assert "UNICEF country office channel" in page
    admin.post(reverse("manage-role-revoke", args=[granted.pk]))
    assert not reviewer.role_assignments.filter(role="focal_point").exists()
    assert AuditEvent.objects.filter(verb="role.revoke", actor=personas["administrator"]).exists()


def test_a_refused_grant_shows_its_error_and_writes_nothing(personas: dict[str, Any]) -> None:
    admin = client_for(personas, "administrator")
    reviewer = personas["reviewer"]
    before = RoleAssignment.objects.count()
    page = admin.post(
        reverse("manage-user", args=[reviewer.pk]), {"role": "focal_point"}
    ).content.decode()
    assert "give the jurisdiction" in page
    assert RoleAssignment.objects.count() == before


def test_a_deactivated_user_cannot_sign_in_until_reactivated(personas: dict[str, Any]) -> None:
    admin = client_for(personas, "administrator")
    reviewer = personas["reviewer"]
    admin.post(reverse("manage-user-active", args=[reviewer.pk]), {"active": "0"})
    assert not Client().login(username="reviewer", password="pw-reviewer")
    admin.post(reverse("manage-user-active", args=[reviewer.pk]), {"active": "1"})
    assert Client().login(username="reviewer", password="pw-reviewer")


def test_an_analyst_creates_dates_fills_opens_and_closes_a_round(
    personas: dict[str, Any],
) -> None:
    analyst = client_for(personas, "analyst")
    response = analyst.post(
        reverse("manage-rounds"),
        {
            "code": "self-2025",
            "title": "Self-assessment 2025",
            "instrument": "mnr-review-2021",
            "channels": "unicef_country_office, government",
            "income_fiscal_year": "2021",
            "synthetic": "on",
        },
    )
    assert response["Location"] == reverse("manage-round", args=["self-2025"])
    round_ = Round.objects.get(code="self-2025")
    assert round_.channels == ["unicef_country_office", "government"] and round_.synthetic
    url = reverse("manage-round", args=["self-2025"])
    analyst.post(url, {"form": "dates", "opens_on": "2025-02-01", "closes_on": "2025-04-30"})
    analyst.post(url, {"form": "participants", "jurisdictions": "KE, SE gb-eaw"})
    analyst.post(url, {"form": "status", "status": "open"})
    round_.refresh_from_db()
    assert (round_.opens_on, round_.closes_on) == (date(2025, 2, 1), date(2025, 4, 30))
    assert set(round_.participations.values_list("jurisdiction__code", flat=True)) == {
        "KE",
        "SE",
        "GB-EAW",
    }
    assert round_.status == "open"
    analyst.post(url, {"form": "status", "status": "closed"})
    round_.refresh_from_db()
    assert round_.status == "closed"
    page = analyst.get(url).content.decode()
    assert "takes no new participants" in page and reverse("round", args=["self-2025"]) in page


def test_round_form_errors_show_beside_their_field_and_write_nothing(
    personas: dict[str, Any], review_round: Round
) -> None:
    analyst = client_for(personas, "analyst")
    before = AuditEvent.objects.count()
    page = analyst.post(
        reverse("manage-rounds"),
        {"code": "bad", "title": "", "instrument": "mnr-review-2021", "income_fiscal_year": "2021"},
    ).content.decode()
    assert 'id="id_title_error"' in page
    page = analyst.post(
        reverse("manage-rounds"),
        {
            "code": "bad",
            "title": "Bad",
            "instrument": "mnr-review-2021",
            "channels": "post",
            "income_fiscal_year": "2021",
        },
    ).content.decode()
    assert "unknown channel" in page
    url = reverse("manage-round", args=[review_round.code])
    page = analyst.post(
        url, {"form": "dates", "opens_on": "2025-05-01", "closes_on": "2025-01-01"}
    ).content.decode()
    assert "cannot close" in page
    page = analyst.post(url, {"form": "dates", "opens_on": "1 May"}).content.decode()
    assert 'id="id_opens_on_error"' in page
    page = analyst.post(url, {"form": "participants", "jurisdictions": "XX"}).content.decode()
    assert "unknown jurisdiction code(s): XX" in page
    assert AuditEvent.objects.count() == before
    assert not Round.objects.filter(code="bad").exists()


def test_a_round_scoped_analyst_manages_only_their_round(
    make_user: Any, review_round: Round
) -> None:
    from mnr.surveys.actions import create_round

    other = create_round("other-2021", instrument="mnr-review-2021")
    client = Client()
    client.force_login(make_user("scoped", "analyst", round_=review_round))
    assert client.get(reverse("manage-round", args=[review_round.code])).status_code == 200
    assert client.get(reverse("manage-round", args=[other.code])).status_code == 404
    page = client.get(reverse("manage-rounds")).content.decode()
    assert review_round.title in page and "Create a round" not in page


def test_an_administrator_renames_a_phase(personas: dict[str, Any]) -> None:
    phase = _phase()
    response = client_for(personas, "administrator").post(
        reverse("manage-phases"),
        {
            "phase": phase.pk,
            f"phase-{phase.pk}-name": "Sustaining",
            f"phase-{phase.pk}-provisional": "on",
        },
    )
    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.name["en"] == "Sustaining" and phase.provisional
    page = client_for(personas, "administrator").post(
        reverse("manage-phases"), {"phase": phase.pk, f"phase-{phase.pk}-name": ""}
    )
    assert (
        page.status_code == 200 and f'id="id_phase-{phase.pk}-name_error"' in page.content.decode()
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_header_links_manage_for_administrators_and_analysts(
    personas: dict[str, Any], persona: str
) -> None:
    page = client_for(personas, persona).get(reverse("home")).content.decode()
    assert (f'href="{reverse("manage")}"' in page) == (persona in ROUND_MANAGERS)


def test_an_action_s_refusal_shows_beside_the_field_it_names(personas: dict[str, Any]) -> None:
    page = _invite(client_for(personas, "administrator"), roles=["reviewer"]).content.decode()
    channel_field = page.split('id="id_channel"')[0].rsplit('class="form-field', 1)[-1]
    assert "has-error" in channel_field
    assert "only a focal point answers for one channel" in page.split('id="id_channel"')[0]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_sign_up_link_opens_for_anyone_who_has_it(personas: dict[str, Any], persona: str) -> None:
    _invite(client_for(personas, "administrator"))
    link = _link()
    assert client_for(personas, persona).get(link).status_code == 200
    assert client_for(personas, persona).get(link + "x/").status_code == 404
    assert client_for(personas, persona).get(link[:-2] + "/").status_code == 410


def test_a_withdrawn_invitation_s_link_no_longer_works(personas: dict[str, Any]) -> None:
    admin = client_for(personas, "administrator")
    _invite(admin)
    link = _link()
    invitation = Invitation.objects.get()
    admin.post(reverse("manage-invitation-withdraw", args=[invitation.pk]))
    assert not Invitation.objects.exists()
    page = Client().get(link)
    assert page.status_code == 410 and b"withdrawn" in page.content


def test_an_administrator_is_not_offered_to_deactivate_themselves(
    personas: dict[str, Any],
) -> None:
    page = client_for(personas, "administrator").get(reverse("manage-users")).content.decode()
    assert reverse("manage-user-active", args=[personas["administrator"].pk]) not in page
    assert reverse("manage-user-active", args=[personas["reviewer"].pk]) in page
