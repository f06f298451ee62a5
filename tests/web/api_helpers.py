"""What the API tests share: a token made through the engine on the app's database, a client
that sends it (no cookie, no CSRF), and an `app` fixture on SQLite that a test marked ON_BOTH
gets on PostgreSQL too (a module takes it with `from tests.web.api_helpers import app_either`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import ManualClock, transaction
from tests.web.both_databases import app_on

# Runs a test on SQLite and on a PostgreSQL schema of its own (about a second more to prepare).
ON_BOTH = pytest.mark.parametrize("app", ["sqlite", "postgres"], indirect=True)


@pytest.fixture(name="app")
def app_either(
    request: pytest.FixtureRequest, tmp_path: Path, web_clock: ManualClock
) -> Iterator[Flask]:
    """The conftest's app (a copy of the prepared SQLite file); PostgreSQL under ON_BOTH."""
    yield from app_on(request, tmp_path, web_clock)


def make_token(
    app: Flask, username: str, scope: str = "write", expires_days: int | None = None
) -> str:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        made = engine.create_api_token(
            s, username, "thử", app.config["NOW"](), scope=scope, expires_days=expires_days
        )
    return made.secret


class Api:
    """Calls /api/v1 with a Bearer token: ``api.get("/items")`` → (status, json)."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client, self.token = client, token

    def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        headers = dict(kwargs.pop("headers", {}))
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        response = self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)
        self.last = response
        return response.status_code, response.get_json(silent=True)

    def get(self, path: str, **kwargs: Any) -> tuple[int, Any]:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> tuple[int, Any]:
        if body is not None:
            kwargs["json"] = body
        return self.call("POST", path, **kwargs)


def api_as(app: Flask, username: str, scope: str = "write") -> Api:
    return Api(app.test_client(), make_token(app, username, scope))
