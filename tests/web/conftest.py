"""Web tests: a Flask app on its own copy of a prepared SQLite database (migrated, org chart
with passwords, the department's diagrams deployed: tests/conftest.py's `prepared_db`), and people
who log in through the form."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import ManualClock
from tests.conftest import PASSWORD, START
from web import create_app

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def web_clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def app(prepared_db: Path, tmp_path: Path, web_clock: ManualClock) -> Flask:
    path = tmp_path / "pheduyet.db"
    shutil.copy(prepared_db, path)
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{path}",
            "UPLOAD_FOLDER": str(tmp_path / "attachments"),
            "NOW": web_clock,
        }
    )


_FLASH = re.compile(r'<div class="flash [^"]*"[^>]*>(.*?)</div>', re.DOTALL)


def flashes(html: str) -> list[str]:
    """The page's messages as people read them: an item named in one is a link, its text."""
    return [re.sub(r"<[^>]*>", "", found) for found in _FLASH.findall(html)]


def csrf_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def login(app: Flask) -> Callable[[str], FlaskClient]:
    """A client logged in as the given demo user, through the real login form."""

    def log_in(username: str) -> FlaskClient:
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return log_in


def post(
    client: FlaskClient, page: str, url: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> Any:
    """Submit a form as a browser would: take the CSRF token from the page it is on."""
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token}, **kwargs)


def with_draft(page: str, fields: dict[str, Any]) -> dict[str, Any]:
    """A form's fields as `post`'s keywords, with a draft file where the page says the step
    needs a document (engine/required_documents.py), as the drafter attaches one."""
    from tests.office import DRAFT_PDF

    if 'id="f-_files-hint"><strong>' not in page:
        return {"data": fields}
    files = [(io.BytesIO(DRAFT_PDF), "du-thao.pdf")]
    return {"data": {**fields, "_files": files}, "content_type": "multipart/form-data"}


def refused_deploy(client: FlaskClient, path: Path) -> str:
    """Upload one model on the deploy page, which must refuse it (422): the page's text."""
    response = post(
        client,
        "/admin/processes",
        "/admin/processes/deploy",
        {"files": [(io.BytesIO(path.read_bytes()), path.name)]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    return str(response.get_data(as_text=True))


@pytest.fixture
def office(app: Flask, web_clock: ManualClock) -> Any:
    """Acts through the engine on the app's database (to set up items at given steps)."""
    from tests.office import Office

    factory = app.extensions["pheduyet.sessions"]
    office = Office.__new__(Office)
    office.factory = factory
    office.clock = web_clock
    from workflows import engine_config

    office.config = engine_config(web_clock)
    office.store = Path(app.config["UPLOAD_FOLDER"])  # the drafts it attaches, as the app's
    return office
