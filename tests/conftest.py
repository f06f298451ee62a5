"""Shared fixtures: a real SQLite file per test, a real PostgreSQL schema per test when
PHEDUYET_TEST_PG_URL is set, a clock that only moves when told, deployed fixture diagrams."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text

import engine
from engine import ManualClock, SourceFile
from tests import prepared
from tests.office import office_setup
from tests.smtp_server import mailbox, tls_mailbox  # noqa: F401  (fixtures: a real SMTP server)

FIXTURES = Path(__file__).parent / "fixtures"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 08:00 in Hà Nội
REQUIRE_ALL = os.environ.get("PHEDUYET_REQUIRE_ALL") == "1"
PG_URL = prepared.PG_URL
PASSWORD = "mật khẩu thử nghiệm"  # every person's in the prepared database


def skip_or_fail(reason: str) -> None:
    """Skip when an optional part is missing, unless CI demands everything run."""
    if REQUIRE_ALL:
        pytest.fail(f"PHEDUYET_REQUIRE_ALL=1 but {reason}")
    pytest.skip(reason)


def fixture_files(*names: str) -> list[SourceFile]:
    """Fixture files by path under tests/fixtures (a folder gives all its files)."""
    found: list[SourceFile] = []
    for name in names:
        path = FIXTURES / name
        paths = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        found.extend(SourceFile(p.name, p.read_bytes()) for p in paths)
    return found


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def config(clock: ManualClock) -> engine.EngineConfig:
    return engine.EngineConfig(clock=clock)


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'pheduyet.db'}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return _sqlite_url(tmp_path)


def pytest_configure(config: pytest.Config) -> None:
    """pg_trgm in the public schema before any test migrates: a migration creates it where the
    search_path points, and in a test's own schema the schema's DROP … CASCADE took the
    extension away under tests running beside it ("operator class was concurrently dropped")."""
    if not PG_URL:
        return
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
    except Exception:  # unreachable, or another process created it first: the tests say so
        pass
    finally:
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL schema of its own, dropped afterwards; its URL selects it by search_path."""
    if not PG_URL:
        skip_or_fail("PHEDUYET_TEST_PG_URL is not set (no PostgreSQL to test against)")
    try:
        schema, url = prepared.new_schema()
    except Exception as exc:
        skip_or_fail(f"PostgreSQL at PHEDUYET_TEST_PG_URL is not reachable: {exc}")
    yield url
    prepared.drop_schema(schema)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run the test once on a SQLite file and once on PostgreSQL."""
    if request.param == "sqlite":
        return _sqlite_url(tmp_path)
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def factory(db_url: str) -> Iterator[Any]:
    """A migrated database (a copy: tests/prepared.py)."""
    prepared.fill(db_url)
    db = engine.create_db_engine(db_url)
    yield engine.session_factory(db)
    db.dispose()


@pytest.fixture
def sqlite_factory(sqlite_url: str) -> Iterator[Any]:
    prepared.fill(sqlite_url)
    db = engine.create_db_engine(sqlite_url)
    yield engine.session_factory(db)
    db.dispose()


def add_people(factory: Any) -> None:
    """Staff an, chi and the heads binh, dung; one unit each, as the fixtures' lanes expect."""
    with engine.transaction(factory) as s:
        engine.add_group(s, "staff", "Staff")
        engine.add_group(s, "heads", "Heads")
        engine.add_group(s, "admin", "Administrators")
        engine.add_group(s, "phong_qlkh", "Phòng Quản lý Khoa học")
        engine.add_user(s, "an", display_name="Nguyễn Văn An", groups=["staff"])
        engine.add_user(s, "chi", display_name="Trần Thị Chi", groups=["staff"])
        engine.add_user(s, "binh", display_name="Lê Văn Bình", groups=["heads"])
        engine.add_user(s, "dung", display_name="Phạm Dũng", groups=["heads"])
        engine.add_user(s, "root", display_name="Quản trị", groups=["admin"])
        engine.add_user(s, "em", display_name="Võ Em", unit="phong_qlkh")


@pytest.fixture
def deployed(factory: Any, clock: ManualClock) -> Any:
    """The fixture diagrams deployed and the people added; yields the session factory."""
    moment = clock()

    def build(into: Any) -> None:
        add_people(into)
        with engine.transaction(into) as s:
            engine.deploy(s, fixture_files("spiff", "camunda"), ManualClock(moment))

    prepared.hold(factory, f"deployed@{moment}", build)
    return factory


@event.listens_for(engine.db.Base.metadata, "after_create")
def _never(*_args: Any) -> None:  # pragma: no cover - schema comes from Alembic only
    raise AssertionError("tables must be created by the Alembic migrations")


_READS = ("SELECT", "WITH", "PRAGMA", "EXPLAIN", "SHOW")


_LOCKS = (" FOR UPDATE", " FOR SHARE", " FOR NO KEY UPDATE", " FOR KEY SHARE")
_WRITES = ("INSERT ", "UPDATE ", "DELETE ", "NEXTVAL(", "PG_ADVISORY")


@event.listens_for(Engine, "before_cursor_execute")
def _reads_only(connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
    """A transaction that promised only to read (`transaction(write=False)`) runs without
    BEGIN on PostgreSQL, so a write in it would not be undone with it, and without the write
    lock on SQLite: a statement that writes or locks fails the test there (a read that streams
    without saying so, the engine refuses itself: engine.db)."""
    if not connection.get_execution_options().get(engine.db.READ_ONLY):
        return
    text = statement.lstrip().upper()
    if (
        not text.startswith(_READS)
        or any(lock in text for lock in _LOCKS)
        or any(write in text for write in _WRITES)
    ):
        raise AssertionError(f"a read-only transaction ran: {statement[:200]}")


@pytest.fixture(scope="session")
def prepared_db() -> Path:
    """The department's database, made once a test process and copied by each web and
    browser test: migrated, the 2020 org chart with PASSWORD for everyone (hashing it for
    each person is most of the making), the department's diagrams deployed."""
    return prepared.template(f"department@{START}", office_setup(START, PASSWORD))
