"""Database plumbing shared by every table module: the declarative base, portable column types,
and engines configured so that writers queue instead of failing (SQLite: in turn, see
engine.sqlite_writers) or lock rows (PostgreSQL)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary

from sqlalchemy import DateTime, Engine, Table, create_engine, event, exc, make_url
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker
from sqlalchemy.types import TypeDecorator

from . import driver_pipeline
from .driver_sql import run
from .sqlite_writers import QueuedConnection, queue_for

DEFAULT_SQLITE_PATH = Path("instance") / "pheduyet.db"
SQLITE_BUSY_TIMEOUT_S = 30
# The commit that takes SQLite's write-ahead log past this many pages (4 KB each) copies them
# into the database file (a checkpoint, two fsyncs); SQLite's default is 1,000. An action writes
# about 27 pages, mostly the same hot pages of the task table's indexes, the audit's and the
# search's, which a checkpoint writes once however often they changed: at 10,000 a commit in
# about 370 checkpoints instead of one in 37, and the pages written by checkpoints fall by
# more than half. bench/http_flow.py on SQLite, alternated: with 4 clients 20.6 items a second
# and 82-83 ms of server CPU an item against 18.6-19.6 and 85-89, the POST median 12.7 ms
# against 14.5; with 1 client the POST p95 6.4-7.1 ms against 9.3-9.4 (the checkpoints were
# its slowest POSTs). The log file stays at most about 40 MB.
SQLITE_CHECKPOINT_PAGES = 10_000
# An execution option on the connection: this transaction only reads (see `transaction`).
READ_ONLY = "pheduyet_read_only"
# Another: this read transaction may stream its rows (`transaction(stream=True)`).
STREAMED = "pheduyet_streamed"
# PostgreSQL's pool: a connection idle this long is checked before use; none lives longer than
# POOL_RECYCLE_S (a firewall may cut a connection it thinks idle without telling either side).
PING_AFTER_IDLE_S = 5.0
POOL_RECYCLE_S = 1800
PG_CONNECT_TIMEOUT_S = 10  # seconds a new connection may take to be established
_IDLE_SINCE = "pheduyet_idle_since"


class Base(DeclarativeBase):
    pass


def cast_table(model: type[Base]) -> Table:
    """The model's table, typed as the `Table` it is (the ORM types `__table__` as any
    FromClause), for the Core statements a hot path builds over it."""
    return cast(Table, model.__table__)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always hands back an aware UTC datetime, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def database_url() -> str:
    """`PHEDUYET_DATABASE_URL`, else the SQLite file instance/pheduyet.db under the current dir."""
    url = os.environ.get("PHEDUYET_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def create_db_engine(url: str | None = None, **kwargs: Any) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = _sqlite_engine(url, **kwargs)
    else:
        options: dict[str, Any] = {"pool_recycle": POOL_RECYCLE_S, **kwargs}
        if url.startswith("postgresql"):
            options["connect_args"] = _bounded_connect(url, options.get("connect_args") or {})
        engine = create_engine(url, **options)
        if not options.get("pool_pre_ping"):
            _ping_after_idle(engine)
        if engine.dialect.driver == "psycopg":
            driver_pipeline.watch(engine)
    event.listen(engine, "before_execute", _streamed_in_a_transaction)
    return engine


def _streamed_in_a_transaction(
    _connection: Any, statement: Any, _many: Any, _params: Any, options: Mapping[str, Any]
) -> None:
    """A read that streams its rows (`yield_per`) in a transaction that promised to read must
    have said `transaction(stream=True)`: on PostgreSQL the others run in autocommit, where a
    server-side cursor cannot live. Refused on both databases, so that SQLite's tests find
    what PostgreSQL would refuse. Only SQLAlchemy's own executions stream (never
    engine/driver_sql.py's), so this costs the hot statements nothing."""
    streams = options.get("yield_per") or options.get("stream_results")
    if streams and options.get(READ_ONLY) and not options.get(STREAMED):
        raise RuntimeError(
            f"a read that streams its rows needs transaction(stream=True): {str(statement)[:200]}"
        )


def _bounded_connect(url: str, connect_args: Mapping[str, Any]) -> dict[str, Any]:
    """A connection attempt to PostgreSQL gives up after PG_CONNECT_TIMEOUT_S unless the URL,
    the caller or libpq's PGCONNECT_TIMEOUT says otherwise: without a bound, a host that drops
    packets holds a request, a worker's turn, or serve's start, for as long as the kernel keeps
    trying (about two minutes)."""
    bounded = dict(connect_args)
    given = "connect_timeout" in make_url(url).query or "PGCONNECT_TIMEOUT" in os.environ
    if not given:
        bounded.setdefault("connect_timeout", PG_CONNECT_TIMEOUT_S)
    return bounded


def _ping_after_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it sat idle: one that has served a
    request a moment ago is alive, and `pool_pre_ping` would spend a round trip per
    transaction on it. A connection the server dropped while it waited (a restart, a firewall)
    is replaced here, so the request that takes it never sees the error; SQLAlchemy retries
    the checkout with a fresh connection."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # any failure: this connection is not to be trusted
            raise exc.DisconnectionError(f"pooled connection lost: {error}") from error


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    path = url.split("///", 1)[1] if "///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    queue = queue_for(url)
    connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, "factory": QueuedConnection}
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver so that every transaction starts IMMEDIATE: writers
        # then queue instead of failing with "database is locked".
        dbapi_connection.isolation_level = None
        dbapi_connection.writer_queue = queue
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # Readers start deferred: in WAL mode they read a snapshot and never wait for, nor
        # hold, the one write lock. Writers take it at once, in turn: each first waits for the
        # writers' queue (engine.sqlite_writers), which wakes it the moment the writer before
        # it has ended; the busy timeout is left for programs that do not queue.
        dbapi_connection = connection.connection.dbapi_connection
        if connection.get_execution_options().get(READ_ONLY):
            _driver_begin(dbapi_connection, "BEGIN DEFERRED")
            return
        dbapi_connection.enter_queue()
        try:
            _driver_begin(dbapi_connection, "BEGIN IMMEDIATE")
        except BaseException:
            dbapi_connection.leave_queue()
            raise

    return engine


def _driver_begin(dbapi_connection: Any, statement: str) -> None:
    """BEGIN sent to the driver itself: through SQLAlchemy's execution (a context, the
    statement events) it cost as much again as the rest of an empty transaction, paid by every
    request and action. Listeners of `before_cursor_execute` do not see it (tests.statements
    counts it from the `begin` event). Its error is SQLAlchemy's, as a statement's would be."""
    try:
        dbapi_connection.execute(statement)
    except sqlite3.Error as error:
        raise exc.DBAPIError.instance(statement, None, error, sqlite3.Error) from error


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(
    factory: sessionmaker[Session], *, write: bool = True, stream: bool = False
) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back on any error.

    `write=False` promises the block only reads: on SQLite it then runs in a deferred
    transaction that takes no write lock, so pages keep loading while an action (or a crowd of
    logins) writes. On PostgreSQL its statements run without BEGIN and COMMIT (autocommit):
    at READ COMMITTED each statement reads its own snapshot inside a transaction as outside
    one, so only the two round trips go, a tenth of a page's statements. A read that streams
    its rows (`yield_per`) says `stream=True`: PostgreSQL's server-side cursor lives only in a
    transaction, which it then keeps (one that does not say so is refused, on both databases).
    Every action must keep the default, which starts `BEGIN IMMEDIATE` on SQLite
    (tests/conftest.py fails a write or a locking read in a transaction that promised to
    read)."""
    with factory() as session, session.begin():
        if not write:
            if stream:
                options = _STREAMED_READ
            elif factory.kw["bind"].dialect.name == "postgresql":
                options = _AUTOCOMMIT_READ
            else:
                options = _READ
            session.connection(execution_options=options)
        yield session


# The execution options of a transaction that only reads: in a transaction (one that may
# stream its rows says so), or in autocommit.
_READ: dict[str, Any] = {READ_ONLY: True}
_STREAMED_READ: dict[str, Any] = {READ_ONLY: True, STREAMED: True}
_AUTOCOMMIT_READ: dict[str, Any] = {READ_ONLY: True, "isolation_level": "AUTOCOMMIT"}


def within_savepoint(savepoint: SessionTransaction | None, transaction: SessionTransaction) -> bool:
    """Whether what was written inside `savepoint` (None: outside any) is undone when
    `transaction` rolls back: it is that savepoint or one of its parents."""
    while savepoint is not None:
        if savepoint is transaction:
            return True
        savepoint = savepoint.parent
    return False


def one_or_many(
    rows: Sequence[Mapping[str, Any]],
) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
    """The parameters of a bulk statement: one row (as an action mostly writes) as a plain
    execution, which costs less than a driver's executemany (psycopg's most of all)."""
    return rows[0] if len(rows) == 1 else rows


def read_rows(session: Session, statement: Any, params: Mapping[str, Any] | None = None) -> Any:
    """A read of columns (never of ORM entities) on the session's connection: the ORM's
    execution costs about 50 us of CPU more a statement (a scratch loop: 75-91 us against 28),
    and pages and actions run dozens. After what the ORM would do first, so that it sees the
    action's changes: the flush (none in `no_autoflush`), and the `BEFORE_READS` hooks."""
    if session.autoflush:
        session.flush()
    for hook in BEFORE_READS:
        hook(session, statement)
    return run(session.connection(), statement, params)


# What must be written before `read_rows` runs a statement, as before `session.execute` (whose
# `do_orm_execute` listeners call the same): engine.audit's events of the action, for a read
# of the history.
BEFORE_READS: list[Callable[[Session, Any], None]] = []


K = TypeVar("K")
V = TypeVar("V")


def of_engine(store: WeakKeyDictionary[Engine, dict[K, V]], session: Session) -> dict[K, V]:
    """What a process-wide `store` keeps for the session's database (made at first use, gone
    with its engine): two databases in one process (tests, tools) never share an entry. The
    caller holds the store's lock."""
    engine = session.get_bind().engine
    found = store.get(engine)
    if found is None:
        found = store[engine] = {}
    return found


def kept_for_the_transaction(key: str) -> None:
    """What any session keeps in `session.info[key]` is dropped at any rollback (a savepoint's
    too: it may have undone what the entry says) and when the outermost transaction ends."""

    def forget(session: Session, *_transaction: SessionTransaction) -> None:
        session.info.pop(key, None)

    def forget_at_end(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            session.info.pop(key, None)

    event.listen(Session, "after_soft_rollback", forget)
    event.listen(Session, "after_transaction_end", forget_at_end)


def held_object(session: Session, model: type[Any], row_id: Any) -> Any | None:
    """The session's object of this row, if it holds one. The identity key is formed as the
    ORM forms it (class, primary key, no token) without asking the mapper to build it: a few
    microseconds an action that add up."""
    return session.identity_map.get((model, (row_id,), None))
