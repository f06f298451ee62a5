"""Reads never take the write lock: on SQLite a page loads while an action holds the lock."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

import engine


def test_reads__a_read_runs_while_a_writer_holds_the_lock(sqlite_factory: Any) -> None:
    with engine.transaction(sqlite_factory) as s:
        engine.add_user(s, "an", display_name="Nguyễn Văn An")
    read: list[float] = []

    def reader() -> None:
        started = time.monotonic()
        with engine.transaction(sqlite_factory, write=False) as s:
            assert engine.user_exists(s, "an")
        read.append(time.monotonic() - started)

    with engine.transaction(sqlite_factory) as writer:
        engine.add_user(writer, "chi", display_name="Trần Thị Chi")
        writer.flush()  # the write lock is held from BEGIN IMMEDIATE to the commit
        thread = threading.Thread(target=reader)
        thread.start()
        thread.join(timeout=10)
        assert read, "the read waited for the writer"
    assert read[0] < 2


def test_reads__a_write_waits_for_the_writer_instead_of_failing(sqlite_factory: Any) -> None:
    done: list[str] = []

    def second_writer() -> None:
        with engine.transaction(sqlite_factory) as s:
            engine.add_user(s, "binh", display_name="Lê Văn Bình")
        done.append("binh")

    with engine.transaction(sqlite_factory) as writer:
        engine.add_user(writer, "chi", display_name="Trần Thị Chi")
        writer.flush()
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(timeout=0.5)
        assert not done  # queued behind the lock, not failed
    thread.join(timeout=10)
    assert done == ["binh"]
    with engine.transaction(sqlite_factory, write=False) as s:
        assert engine.user_exists(s, "binh") and engine.user_exists(s, "chi")


def test_reads__on_postgresql_a_read_sends_no_begin_nor_commit(pg_url: str) -> None:
    """A transaction that only reads runs its statements in autocommit on PostgreSQL: no BEGIN,
    no COMMIT (two round trips of a page's dozen), each statement in a transaction of its own,
    as READ COMMITTED gives each its own snapshot anyway. A write's transaction is one, also
    on a pooled connection that served a read before."""
    db = engine.create_db_engine(pg_url, pool_size=1)
    try:
        engine.upgrade_database(db)
        factory = engine.session_factory(db)
        with engine.transaction(factory) as s:
            engine.add_user(s, "an", display_name="Nguyễn Văn An")

        def transactions(write: bool) -> tuple[str, set[int]]:
            with engine.transaction(factory, write=write) as s:
                assert engine.user_exists(s, "an")
                connection = s.connection()
                raw = connection.connection.dbapi_connection
                assert raw is not None
                status = raw.info.transaction_status
                ids = "SELECT txid_current()"  # the statement's transaction
                return status.name, {connection.exec_driver_sql(ids).scalar() for _ in range(3)}

        for _round in range(2):
            status, ids = transactions(write=False)
            assert status == "IDLE" and len(ids) == 3
            status, ids = transactions(write=True)
            assert status == "INTRANS" and len(ids) == 1
    finally:
        db.dispose()


def test_reads__a_streamed_read_must_say_so(factory: Any) -> None:
    """A read that streams its rows (`yield_per`: Theo dõi's export, `stuck`) runs only in a
    transaction that said `stream=True`, which keeps PostgreSQL's transaction for its
    server-side cursor; elsewhere the engine refuses it, on SQLite as on PostgreSQL, with a
    message that says what to do."""
    now = datetime.now(UTC)
    with (
        pytest.raises(RuntimeError, match=r"needs transaction\(stream=True\)"),
        engine.transaction(factory, write=False) as s,
    ):
        list(engine.iter_stuck(s, now))
    with engine.transaction(factory, write=False, stream=True) as s:
        assert list(engine.iter_stuck(s, now)) == []
    with engine.transaction(factory) as s:  # a write's transaction streams as it likes
        assert list(engine.iter_stuck(s, now)) == []
