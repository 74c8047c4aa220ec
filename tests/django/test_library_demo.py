"""The library and capability pages over the demo: an anonymous visitor reads the published
demo round's quotable texts without any pseudonymous jurisdiction name, and the demo's analyst
reads them named."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from mnr.accounts.models import RoleAssignment
from mnr.demo import load_demo
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

PSEUDONYM = re.compile(r"Jurisdiction \d+")


def test_anonymous_library_and_capability_pages_name_no_demo_jurisdiction() -> None:
    load_demo()
    published = Round.objects.filter(publications__isnull=False).distinct()
    assert published.exists()
    client = Client()
    for url in (
        "/library/",
        "/library/?kind=good_practice",
        "/library/?page=2",
        "/framework/mnr-2016/capabilities/C11/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not PSEUDONYM.search(response.content.decode()), url
    assert "texts found" in client.get("/library/").content.decode()
    assert "0 texts found" not in client.get("/library/").content.decode()


def test_demo_analyst_reads_texts_named_by_pseudonym() -> None:
    load_demo()
    client = Client()
    analyst = RoleAssignment.objects.filter(role="analyst").select_related("user").first()
    assert analyst is not None
    client.force_login(analyst.user)
    assert PSEUDONYM.search(client.get("/library/").content.decode())
