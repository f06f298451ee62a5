"""The app `pheduyet serve` forks its web processes from is warmed first (web/serving.py): every
template compiled, the process versions in use restored, what the app holds frozen out of the
cycle collector's passes, and no database connection left open to be shared by the processes
forked from it. A database that cannot be read yet does not stop
the server from starting."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from tests.conftest import START
from tests.statements import counted
from web import create_app, serving


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    """warm() freezes what the process holds (a server's master does it once, before it
    forks); the tests' process gives it back to the collector after each test."""
    yield
    gc.unfreeze()


def _compiled(app: Flask) -> set[str]:
    """The templates compiled in every language (web/localized_templates.py)."""
    with app.test_request_context():
        languages = serving._in_each_language(app)
    assert len(languages) == 2
    compiled = [{name for _loader, name in env.cache or {}} for env in languages]
    return set.intersection(*compiled)


def _open_connections(app: Flask) -> int:
    pool = app.extensions["pheduyet.sessions"].kw["bind"].pool
    return int(pool.checkedin() + pool.checkedout())


def test_serving__the_app_is_warm_and_holds_no_connection_when_the_web_processes_fork(
    app: Flask, login: Callable[[str], FlaskClient], caplog: pytest.LogCaptureFixture
) -> None:
    templates = set(app.jinja_env.list_templates(extensions=serving.TEMPLATE_EXTENSIONS))
    assert "inbox/task.html" in templates and "base.html" in templates
    with caplog.at_level(logging.INFO, logger=serving.log.name):
        serving.warm(app)

    assert _compiled(app) == templates
    assert gc.get_freeze_count() > 10_000  # the app, its templates and specs stay as they are
    assert _open_connections(app) == 0
    factory = app.extensions["pheduyet.sessions"]
    with engine.transaction(factory, write=False) as s:
        processes = len(engine.list_processes(s))
    with counted(factory, with_begin=False) as sql:
        assert engine.restore_versions_in_use(factory) == processes  # nothing read again
    assert len(sql) == 1
    [said] = [r.getMessage() for r in caplog.records if "start warm" in r.getMessage()]
    assert f"{len(templates)} templates compiled, {processes} process version(s) restored" in said

    # A process forked from it opens its own connections: people are served as before.
    page = login("giamdoc").get("/").get_data(as_text=True)
    assert "Việc cần xử lý" in page


@pytest.mark.parametrize("content", [None, b"not a database at all, " * 200])
def test_serving__a_database_not_yet_readable_leaves_the_versions_to_first_use(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes | None
) -> None:
    if content is not None:
        (tmp_path / "not-migrated.db").write_bytes(content)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'not-migrated.db'}",
            "UPLOAD_FOLDER": str(tmp_path / "attachments"),
            "NOW": lambda: START,
        }
    )
    with caplog.at_level(logging.INFO, logger=serving.log.name):
        serving.warm(app)

    assert "inbox/task.html" in _compiled(app)
    assert _open_connections(app) == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("process versions in use could not be read" in w for w in warnings), warnings
    assert any("no process version restored" in r.getMessage() for r in caplog.records)
