"""The web app of tests/web/conftest.py on either database: a copy of the prepared SQLite file,
or a PostgreSQL schema of its own prepared the same way (migrated, the 2020 chart, the test
password's hashes, the department's diagrams). A test module runs on both by defining its `app`
fixture, parametrized "sqlite"/"postgres", as `yield from app_on(request, tmp_path, web_clock)`;
an unparametrized fixture gets SQLite (tests/web/api_helpers.py's `app`, for ON_BOTH)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

import engine
from engine import ManualClock, transaction
from engine.users import UserModel
from tests.office import bpmn_files
from web import create_app
from workflows.org_chart import CHART_2020_PATH, load_org_chart, read_org_chart


def _hashes(prepared: Path) -> list[tuple[str, str]]:
    db = engine.create_db_engine(f"sqlite:///{prepared}")
    try:
        with transaction(engine.session_factory(db), write=False) as s:
            rows = s.execute(select(UserModel.username, UserModel.password_hash))
            return [(name, hashed) for name, hashed in rows if hashed]
    finally:
        db.dispose()


def app_on(request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock) -> Iterator[Flask]:
    if getattr(request, "param", "sqlite") == "sqlite":
        path = tmp_path / "pheduyet.db"
        shutil.copy(request.getfixturevalue("prepared_db"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
        db = engine.create_db_engine(url)
        engine.upgrade_database(db)
        with transaction(engine.session_factory(db)) as s:
            load_org_chart(s, read_org_chart(CHART_2020_PATH))
            engine.deploy(s, bpmn_files(), clock)
            # The prepared file's hashes of the test password: no Argon2 run per person again.
            for username, hashed in _hashes(request.getfixturevalue("prepared_db")):
                s.execute(
                    update(UserModel)
                    .where(UserModel.username == username)
                    .values(password_hash=hashed)
                )
        db.dispose()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": url,
            "UPLOAD_FOLDER": str(tmp_path / "attachments"),
            "NOW": clock,
        }
    )
    yield app
    app.extensions["pheduyet.sessions"].kw["bind"].dispose()
