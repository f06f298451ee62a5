"""The start page lists deployed processes and open tasks."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

import engine
from engine import transaction
from web import create_app


def _client(url: str) -> FlaskClient:
    return create_app({"TESTING": True, "DATABASE_URL": url}).test_client()


def test_home__lists_processes_and_open_tasks(
    sqlite_url: str, sqlite_factory: Any, config: Any, clock: Any
) -> None:
    from tests.conftest import add_people, fixture_files

    add_people(sqlite_factory)
    with transaction(sqlite_factory) as s:
        engine.deploy(s, fixture_files("spiff"), clock)
    with transaction(sqlite_factory) as s:
        engine.start_instance(s, config, "approval", "an")
    page = _client(sqlite_url).get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Approval with a return loop" in text and "Draft the proposal" in text
    assert "Việc cần xử lý" in text


def test_home__an_empty_office(sqlite_url: str, sqlite_factory: Any) -> None:
    text = _client(sqlite_url).get("/").get_data(as_text=True)
    assert "Chưa có quy trình nào" in text
