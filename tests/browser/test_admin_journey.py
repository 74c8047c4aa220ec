"""An administrator invites a focal point of one channel, who signs up through the mailed link;
the administrator then gives them a second role and withdraws it; a round is dated and opened.
Screenshots at 1280 and 390 px go to /tmp/admin-shots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from mnr.accounts.models import RoleAssignment
from mnr.surveys.models import Round

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
expect = pytest.importorskip("playwright.sync_api").expect

SHOTS = Path("/tmp/admin-shots")


def shoot(page: Any, name: str) -> None:
    """The page at 1280 and at 390 px wide; at neither is it wider than the window."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth") - width
        assert overflow <= 0, f"{name} is {overflow} px wider than a {width} px window"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_administrator_invites_and_assigns_a_role(
    live_server: Any, personas: dict[str, Any], review_round: Round, new_page: Any, sign_in: Any
) -> None:
    admin = new_page()
    sign_in(admin, "admin", "/")
    admin.locator("header.site").get_by_role("link", name="Manage", exact=True).click()
    admin.get_by_role("link", name="Users and invitations").first.click()
    expect(admin.get_by_role("heading", name="Users and invitations")).to_be_visible()

    # A mistake first: the form says where, and nothing is sent.
    admin.get_by_label("Email address").fill("amina.example.org")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.locator(".form-field.has-error").first).to_contain_text(
        "Enter a valid email address"
    )
    expect(admin.get_by_label("Email address")).to_have_attribute(
        "aria-describedby", re.compile("id_email_error")
    )
    shoot(admin, "1-invitation-error")
    assert mail.outbox == []

    admin.get_by_label("Email address").fill("amina@example.org")
    admin.get_by_label("Focal point").check()
    admin.get_by_label("Jurisdiction").select_option("KE")
    admin.get_by_label("Channel").select_option("government")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.locator(".message.success")).to_contain_text(
        "Invitation sent to amina@example.org"
    )
    expect(
        admin.get_by_text(
            "amina@example.org: Focal point, Kenya, Government representatives channel"
        )
    ).to_be_visible()
    shoot(admin, "2-invitation-sent")

    link = re.search(r"http://\S+/sign-up/\S+/", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    invitee = new_page()
    invitee.goto(link.group(0))
    expect(invitee.get_by_text("Choose a username and a password")).to_be_visible()
    invitee.get_by_label("Username").fill("amina")
    invitee.get_by_label("Password", exact=True).fill("a-long-passphrase")
    invitee.get_by_label("Password again").fill("a-long-passphrase")
    shoot(invitee, "3-sign-up")
    invitee.get_by_role("button", name="Create my account").click()
    expect(invitee).to_have_url(re.compile(r"/accounts/login/"))
    invitee.get_by_label("Username").fill("amina")
    invitee.get_by_label("Password").fill("a-long-passphrase")
    invitee.get_by_role("button", name="Sign in").click()
    expect(invitee.locator("header.site")).to_contain_text("amina")
    invitee.goto(f"{live_server.url}/submissions/")
    expect(
        invitee.get_by_role("button", name=re.compile(r"Start .*Kenya.*Government"))
    ).to_be_visible()
    expect(invitee.get_by_role("button", name=re.compile(r"Start .*UNICEF", re.I))).to_have_count(0)

    # The administrator gives the new user a second role, then withdraws it.
    admin.goto(f"{live_server.url}/manage/users/")
    admin.get_by_role("link", name="amina").click()
    admin.get_by_label("Role", exact=True).select_option("reviewer")
    admin.get_by_label("Round", exact=True).select_option(review_round.code)
    admin.get_by_role("button", name="Give the role").click()
    expect(admin.locator(".message.success")).to_contain_text("Role granted to amina")
    expect(admin.locator("ul.roles li")).to_have_count(2)
    shoot(admin, "4-user-roles")
    assert set(
        RoleAssignment.objects.filter(user__username="amina").values_list("role", flat=True)
    ) == {
        "focal_point",
        "reviewer",
    }
    admin.get_by_role("button", name=re.compile(r"Withdraw Reviewer")).click()
    expect(admin.locator("ul.roles li")).to_have_count(1)

    # A round: dates and opening.
    admin.goto(f"{live_server.url}/manage/rounds/{review_round.code}/")
    admin.get_by_label("Opens on").fill("2025-02-01")
    admin.get_by_label("Closes on").fill("2025-04-30")
    admin.get_by_role("button", name="Save the dates").click()
    expect(admin.locator(".message.success")).to_contain_text("Dates saved")
    admin.get_by_role("button", name="Open for answers").click()
    expect(admin.locator(".message.success")).to_contain_text("is now open for answers")
    shoot(admin, "5-round")
    admin.get_by_role("link", name="Phase names").click()
    expect(admin.get_by_role("heading", name="Phase names")).to_be_visible()
    shoot(admin, "6-phases")
    review_round.refresh_from_db()
    assert review_round.status == "open" and str(review_round.closes_on) == "2025-04-30"
