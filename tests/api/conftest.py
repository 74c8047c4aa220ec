"""Calling the API in tests: each persona with a personal API token (write scope)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from mnr.api.tokens import create_token


class Api:
    """``api.get("/rounds", as_="analyst")``: a call to /api/v1/ with the persona's token
    (none for "anonymous"), a JSON body, and extra headers such as ``If-Match``."""

    def __init__(self, client: Client, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def call(
        self,
        method: str,
        path: str,
        *,
        as_: str = "anonymous",
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        extra = dict(headers or {})
        if as_ in self.tokens:
            extra["Authorization"] = f"Bearer {self.tokens[as_]}"
        data = json.dumps(body) if body is not None else None
        return self.client.generic(
            method.upper(),
            "/api/v1" + path,
            data=data or "",
            content_type="application/json",
            headers=extra,
        )

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.call("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.call("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.call("DELETE", path, **kwargs)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # The rate limits count in the process's cache: each test starts with a full allowance,
    # whatever the tests before it called (all from 127.0.0.1).
    cache.clear()


@pytest.fixture
def api_tokens(personas: dict[str, Any]) -> dict[str, str]:
    """A write-scope token of every persona but the anonymous visitor."""
    return {
        name: create_token(user, f"test {name}", scope="write", acting_user=user)[1]
        for name, user in personas.items()
        if user.is_authenticated
    }


@pytest.fixture
def api(client: Client, api_tokens: dict[str, str]) -> Api:
    return Api(client, api_tokens)
