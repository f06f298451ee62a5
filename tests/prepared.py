"""Databases made once a test process and copied into each test's own.

Alembic's migrations take 0.15 s on SQLite and 0.3 s on PostgreSQL, the department's org chart
and diagrams another 0.5 s, and most tests begin with one or both: each kind of database is made
once a process (`template`), then copied into a test's new database (`fill`): a SQLite file is
copied, a PostgreSQL schema is re-created from the dump `pg_dump` took of the template's (0.07 s).
Where `pg_dump` cannot be run, or the server refuses its dump (a newer pg_dump writes settings an
older server does not know), each test's database is made as before.

A database that already holds something is never replaced (`hold` then runs the build itself),
so a test that sets up more before the office's people and diagrams keeps what it set up. The
name of a template says what its build wrote: two builds that write differently (another clock,
another password) must have different names."""

from __future__ import annotations

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

import engine

Build = Callable[[sessionmaker[Session]], None]

PG_URL = os.environ.get("PHEDUYET_TEST_PG_URL")  # the PostgreSQL tests' server and database

MIGRATED = "migrated"
_SCHEMA = "pheduyet_template_schema"  # where the dump names the template's schema
# A migrated database holds none of these until a test or a build writes them.
_HOLDS = (
    "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM groups)"
    " + (SELECT count(*) FROM process_versions) + (SELECT count(*) FROM instances)"
)

_PSQL_COMMAND = re.compile(r"\\(un)?restrict [A-Za-z0-9]+$")

_made: dict[tuple[str, str], Path | str | None] = {}  # (name, dialect) -> file, dump or None
_folder: list[Path] = []


def fill(url: str, name: str = MIGRATED, build: Build | None = None) -> None:
    """Make the new database at `url` (a SQLite file not made yet, or an empty PostgreSQL
    schema) the migrated database into which `build` (if any) then wrote."""
    db = engine.create_db_engine(url)
    try:
        _replace(db, name, build)
    finally:
        db.dispose()


def hold(factory: sessionmaker[Session], name: str, build: Build) -> None:
    """Make the migrated database of `factory` hold what `build` writes into one: from a copy
    while it holds nothing yet, else by `build` itself (over what the test set up first)."""
    db = factory.kw["bind"]
    with db.connect() as connection:
        touched = connection.execute(text(_HOLDS)).scalar_one()
    if touched:
        build(factory)
    else:
        _replace(db, name, build)


def template(name: str, build: Build | None) -> Path:
    """The SQLite file made once a process: migrated, then what `build` wrote."""
    made = _template(name, "sqlite", build)
    assert isinstance(made, Path)
    return made


def _replace(db: Engine, name: str, build: Build | None) -> None:
    dialect = db.dialect.name
    made = _template(name, dialect, build)
    db.dispose()
    if made is None:  # no dump could be taken: made here as in the template
        _make(db, build)
    elif isinstance(made, Path):
        database = Path(str(db.url.database))
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
        shutil.copyfile(made, database)
    elif not _restored(db, made):  # a dump this server cannot read (a newer pg_dump's)
        _made[(name, dialect)] = None
        _make(db, build)


def _restored(db: Engine, dump: str) -> bool:
    """The dump run into the database's own schema; False, the schema left as it was, when the
    server refuses it."""
    schema = _schema_of(db.url)
    # A connection of its own: the dump sets search_path, which must not reach the pool.
    connection = psycopg.connect(_libpq(db.url), autocommit=True)
    with connection:
        try:
            with connection.transaction():
                connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'.encode())
                connection.execute(dump.replace(_SCHEMA, schema).encode())
        except psycopg.Error:
            return False
    return True


def _template(name: str, dialect: str, build: Build | None) -> Path | str | None:
    key = (name, dialect)
    if key not in _made:
        _made[key] = _make_sqlite(name, build) if dialect == "sqlite" else _make_pg(build)
    return _made[key]


def _make(db: Engine, build: Build | None) -> None:
    engine.upgrade_database(db)
    if build is not None:
        build(engine.session_factory(db))
    db.dispose()


def _make_sqlite(name: str, build: Build | None) -> Path:
    if not _folder:
        _folder.append(Path(tempfile.mkdtemp(prefix="pheduyet-templates-")))
        atexit.register(shutil.rmtree, _folder[0], True)
    path = _folder[0] / f"{uuid.uuid4().hex}.db"
    _make(engine.create_db_engine(f"sqlite:///{path}"), build)
    return path


def _make_pg(build: Build | None) -> str | None:
    schema, url = new_schema("tmpl")
    try:
        _make(engine.create_db_engine(url), build)
        return _dump(make_url(url), schema)
    finally:
        drop_schema(schema)


def new_schema(prefix: str = "t") -> tuple[str, str]:
    """A new, empty PostgreSQL schema at PG_URL: its name, and a URL that selects it (by
    search_path)."""
    assert PG_URL is not None
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _as_admin(f'CREATE SCHEMA "{schema}"')
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return schema, url.render_as_string(hide_password=False)


def drop_schema(schema: str) -> None:
    _as_admin(f'DROP SCHEMA "{schema}" CASCADE')


def _as_admin(statement: str) -> None:
    assert PG_URL is not None
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


def _dump(url: URL, schema: str) -> str | None:
    """The schema's objects and rows as SQL, its name replaced by _SCHEMA; None without
    pg_dump (or one that fails)."""
    command = ["pg_dump", "--schema", schema, "--no-owner", "--no-privileges", "--inserts"]
    try:
        done = subprocess.run(
            [*command, "--dbname", _libpq(url)], capture_output=True, text=True, timeout=120
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    # psql's own commands (since PostgreSQL 15.14) are not SQL. Only they: with --inserts, a
    # line of a text value may begin with a backslash too.
    lines = [line for line in done.stdout.splitlines() if not _PSQL_COMMAND.match(line)]
    return "\n".join(lines).replace(schema, _SCHEMA)


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _schema_of(url: URL) -> str:
    options = str(url.query.get("options", ""))
    prefix = "-csearch_path="
    assert options.startswith(prefix), f"not a test's own schema: {url}"
    return options.removeprefix(prefix)
