"""The load test's users, run by `mnr loadtest` (which writes the plan MNR_LOADTEST_PLAN names).

Every request goes through a simulated TLS proxy (``X-Forwarded-Proto: https``), as production
(MNR_ENV=production, MNR_PROXY_SSL_HEADER) expects. Anything but the expected status is a
failure: a report still being built (202) too, since the runner built it beforehand."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["MNR_LOADTEST_PLAN"]).read_text())
PROXY = {"X-Forwarded-Proto": "https"}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_FIELD = re.compile(r'name="([^"]+):version" value="(\d+)"')
_unclaimed = list(PLAN["focal_points"])


class _ThroughProxy(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.headers.update(PROXY)
        self.origin = f"https://{urlsplit(str(self.host)).netloc}"

    def expect(self, method: str, path: str, name: str, status: int = 200, **kwargs: Any) -> Any:
        with self.client.request(
            method, path, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            if response.status_code != status:
                response.failure(f"{response.status_code} instead of {status}")
            # Production's cookies are Secure; the proxy would carry them over https, so this
            # client must send them over the loopback's plain http.
            for cookie in self.client.cookies:
                cookie.secure = False
            return response


class PublicVisitor(_ThroughProxy):
    """Reads what the public sees of the published demo round, a page every 2 to 8 seconds."""

    wait_time = between(2, 8)

    @task(4)
    def findings(self) -> None:
        self.expect("GET", f"/rounds/{PLAN['round']}/findings/", "findings page")

    @task(2)
    def report(self) -> None:
        self.expect("GET", f"/rounds/{PLAN['round']}/report/", "report page")

    @task(1)
    def report_pdf(self) -> None:
        self.expect("GET", f"/rounds/{PLAN['round']}/report.pdf", "report PDF")

    @task(2)
    def capability(self) -> None:
        self.expect("GET", random.choice(PLAN["capability_pages"]), "capability page")

    @task(1)
    def home(self) -> None:
        self.expect("GET", "/", "home page")

    @task(1)
    def api_publications(self) -> None:
        self.expect("GET", "/api/v1/publications", "API publications")

    @task(1)
    def api_findings(self) -> None:
        self.expect(
            "GET",
            f"/api/v1/publications/{PLAN['publication']}/findings",
            "API publication findings",
        )


class FocalPoint(_ThroughProxy):
    """Signs in as its own jurisdiction's focal point and saves answers as the questionnaire's
    script does: JSON with the CSRF token, each answer with the version it was changed from; a
    change every 2 to 5 seconds (the page saves each change at once)."""

    fixed_count = len(PLAN["focal_points"])
    wait_time = between(2, 5)

    def on_start(self) -> None:
        super().on_start()
        self.account = _unclaimed.pop()
        self.versions: dict[str, int] = {}
        login = self.expect("GET", "/accounts/login/", "sign-in page")
        self.expect(
            "POST",
            "/accounts/login/",
            "sign in",
            status=302,
            data={
                "csrfmiddlewaretoken": _csrf(login.text),
                "username": self.account["username"],
                "password": self.account["password"],
            },
            headers={"Origin": self.origin},
        )
        self.questionnaire()

    @task(1)
    def questionnaire(self) -> None:
        page = self.expect("GET", f"/submissions/{self.account['submission']}/", "questionnaire")
        if page.status_code == 200:
            self.token = _csrf(page.text)
            self.versions.update((code, int(v)) for code, v in VERSION_FIELD.findall(page.text))

    @task(6)
    def save(self) -> None:
        code, choices = random.choice(PLAN["questions"])
        response = self.expect(
            "POST",
            f"/submissions/{self.account['submission']}/save/",
            "save answer",
            json={
                "answers": {
                    code: {
                        "value": random.choice(choices),
                        "expected_version": self.versions.get(code, 0),
                    }
                }
            },
            headers={
                "X-CSRFToken": self.token,
                "Origin": self.origin,
                "Accept": "application/json",
            },
        )
        if response.status_code == 200:
            self.versions[code] = response.json()["versions"][code]


def _csrf(page: str) -> str:
    found = CSRF_FIELD.search(page)
    return found.group(1) if found else ""
