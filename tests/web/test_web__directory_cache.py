"""Names a page shows come from the directory each web process keeps between requests
(engine.directory_cache); a change made anywhere (an administrator's page, another process, SQL
by hand) shows at the next request, on both databases, and a page read twice costs no second
read of the directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

import engine
from engine import ManualClock, transaction
from tests.statements import counted
from tests.web.both_databases import app_on
from tests.web.conftest import post
from tests.web.test_web__admin import ADMIN
from tests.web.test_web__bell import PAGE, REVIEWER, submitted

SENDER = "trungtam.cv1"


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, tmp_path: Path, web_clock: ManualClock) -> Iterator[Flask]:
    """Each test on SQLite and on PostgreSQL."""
    yield from app_on(request, tmp_path, web_clock)


def _by_another_process(app: Flask, statement: str) -> None:
    """A write of its own connection, as the CLI or SQL by hand would make it."""
    other = create_engine(app.config["DATABASE_URL"])
    try:
        with other.begin() as connection:
            connection.execute(text(statement))
    finally:
        other.dispose()


def test_directory_cache__a_name_changed_anywhere_shows_at_the_next_page(
    app: Flask, login: Any, office: Any
) -> None:
    submitted(office)
    reviewer = login(REVIEWER)
    with counted(app.extensions["pheduyet.sessions"]) as first:
        reviewer.get(PAGE)
    with counted(app.extensions["pheduyet.sessions"]) as again:
        reviewer.get(PAGE)
    assert len(again) == len(first) - 1  # the directory, read by the first page only
    assert [q for q in first if "lower(groups.name)" in q]
    assert not [q for q in again if "lower(groups.name)" in q]

    _by_another_process(
        app, f"UPDATE users SET display_name = 'Lê Thị Đổi Tên' WHERE username = '{SENDER}'"
    )
    html = reviewer.get(PAGE).get_data(as_text=True)
    assert "Người chuyển: Lê Thị Đổi Tên" in html

    with transaction(app.extensions["pheduyet.sessions"], write=False) as s:
        [person] = [u for u in engine.list_users(s) if u.username == SENDER]
    page = f"/admin/users/{SENDER}"
    form = {"display_name": "Lê Thị Tên Mới", "unit": person.unit, "groups": list(person.groups)}
    response = post(login(ADMIN), page, page, {**form, "active": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    html = reviewer.get(PAGE).get_data(as_text=True)
    assert "Người chuyển: Lê Thị Tên Mới" in html and "Đổi Tên" not in html
