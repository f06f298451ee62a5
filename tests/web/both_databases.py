"""The web app of tests/web/conftest.py on either database: a copy of the prepared SQLite file,
or a PostgreSQL schema of its own made from the same kind of copy (tests/prepared.py: migrated,
the 2020 chart with the test password, the department's diagrams). A test module runs on both
by defining its `app` fixture, parametrized "sqlite"/"postgres", as
`yield from app_on(request, tmp_path, web_clock)`; an unparametrized fixture gets SQLite
(tests/web/api_helpers.py's `app`, for ON_BOTH)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from engine import ManualClock
from tests import prepared
from tests.conftest import PASSWORD
from tests.office import office_setup
from web import create_app


def app_on(request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock) -> Iterator[Flask]:
    if getattr(request, "param", "sqlite") == "sqlite":
        path = tmp_path / "pheduyet.db"
        shutil.copy(request.getfixturevalue("prepared_db"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
        prepared.fill(url, f"department@{clock()}", office_setup(clock(), PASSWORD))
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
