"""On PostgreSQL, writes sent `later` (engine/driver_pipeline.py) wait in psycopg's pipeline
for the next statement that needs an answer: the transaction reads them back, stores them at
its COMMIT, loses them with its rollback, and raises their errors; SQLAlchemy's own statements
and savepoints see the connection as without a pipeline, and every connection goes back to the
pool out of it."""

from __future__ import annotations

import gc
import select as io_select
from collections.abc import Iterator
from typing import Any

import pytest
from psycopg import pq
from sqlalchemy import Integer, String, bindparam, column, exc, insert, select, table, update

import engine
from engine.driver_sql import run

_SCRATCH = table("scratch", column("id", Integer), column("note", String))
_ADD = insert(_SCRATCH)
_NOTES = select(_SCRATCH.c.id, _SCRATCH.c.note).order_by(_SCRATCH.c.id)
_RENAME = (
    update(_SCRATCH).where(_SCRATCH.c.id == bindparam("b_id")).values(note=bindparam("b_note"))
)


@pytest.fixture
def db(pg_url: str) -> Iterator[Any]:
    """One pooled connection, so that each transaction takes the one the last one left."""
    db = engine.create_db_engine(pg_url, pool_size=1, max_overflow=0)
    with db.begin() as c:
        c.exec_driver_sql("CREATE TABLE scratch (id integer PRIMARY KEY, note text NOT NULL)")
    with db.begin() as c:  # a statement's first run is SQLAlchemy's (engine/driver_sql.py)
        run(c, _ADD, {"id": -1, "note": "-"})
        run(c, _ADD, [{"id": -2, "note": "-"}, {"id": -3, "note": "-"}])
        run(c, _RENAME, {"b_id": -1, "b_note": "-"})
        run(c, _NOTES)
        c.exec_driver_sql("DELETE FROM scratch")
    yield db
    db.dispose()


def _in_pipeline(connection: Any) -> bool:
    dbapi_connection = connection.connection.dbapi_connection
    return bool(dbapi_connection.pgconn.pipeline_status != pq.PipelineStatus.OFF)


def _stored(db: Any) -> list[tuple[int, str]]:
    with db.connect() as c:
        assert not _in_pipeline(c)
        return [(i, n) for i, n in c.execute(_NOTES)]


def test_later_writes__read_back_in_their_transaction_and_stored_at_its_commit(db: Any) -> None:
    with db.begin() as c:
        assert run(c, _ADD, {"id": 1, "note": "một"}, later=True) is None  # no count to read
        run(c, _ADD, [{"id": 2, "note": "hai"}, {"id": 3, "note": "ba"}], later=True)
        assert _in_pipeline(c)
        assert [tuple(r) for r in run(c, _NOTES)] == [(1, "một"), (2, "hai"), (3, "ba")]
        assert run(c, _RENAME, {"b_id": 2, "b_note": "hai (sửa)"}).rowcount == 1
        assert run(c, _RENAME, {"b_id": 9, "b_note": "không có"}).rowcount == 0
        run(c, _ADD, {"id": 4, "note": "bốn"}, later=True)
    assert _stored(db) == [(1, "một"), (2, "hai (sửa)"), (3, "ba"), (4, "bốn")]


def test_later_writes__an_error_fails_the_transaction_and_leaves_nothing(db: Any) -> None:
    # Raised at the COMMIT, which then does not happen.
    with pytest.raises(exc.IntegrityError, match="scratch_pkey"), db.begin() as c:
        run(c, _ADD, {"id": 1, "note": "một"}, later=True)
        run(c, _ADD, {"id": 1, "note": "một lần nữa"}, later=True)
    assert _stored(db) == []
    # Raised by the next statement that waits for the server.
    with pytest.raises(exc.IntegrityError, match="scratch_pkey"), db.begin() as c:
        run(c, _ADD, {"id": 1, "note": "một"}, later=True)
        run(c, _ADD, {"id": 1, "note": "một lần nữa"}, later=True)
        run(c, _NOTES)
    assert _stored(db) == []
    # The connection serves the next transaction.
    with db.begin() as c:
        run(c, _ADD, {"id": 5, "note": "năm"}, later=True)
    assert _stored(db) == [(5, "năm")]


def test_later_writes__an_error_back_before_the_commit_is_sent_is_the_one_raised(
    db: Any,
) -> None:
    """The write's own error, not the "pipeline aborted" of the COMMIT queued behind it."""
    with pytest.raises(exc.IntegrityError, match="scratch_pkey"), db.begin() as c:
        run(c, _ADD, {"id": 1, "note": "một"}, later=True)
        run(c, _ADD, {"id": 1, "note": "một lần nữa"}, later=True)
        # The server's answers are in before the COMMIT is sent: it flushes them together.
        pgconn = c.connection.dbapi_connection.pgconn
        pgconn.send_flush_request()
        pgconn.flush()
        assert io_select.select([pgconn.socket], [], [], 10)[0]
    assert _stored(db) == []


def test_later_writes__sqlalchemys_own_statements_run_out_of_the_pipeline(db: Any) -> None:
    with db.begin() as c:
        run(c, _ADD, [{"id": 1, "note": "một"}, {"id": 2, "note": "hai"}], later=True)
        assert c.exec_driver_sql("SELECT count(*) FROM scratch").scalar() == 2
        assert not _in_pipeline(c)
        run(c, _ADD, {"id": 3, "note": "ba"}, later=True)
        renamed = c.execute(update(_SCRATCH).where(_SCRATCH.c.id == 3).values(note="ba (sửa)"))
        assert renamed.rowcount == 1  # SQLAlchemy's count, as the ORM checks it
    assert _stored(db) == [(1, "một"), (2, "hai"), (3, "ba (sửa)")]


def test_later_writes__in_a_savepoint_run_at_once(db: Any) -> None:
    """What a savepoint holds can be rolled back to it alone (the timers fire each in one): its
    writes are not deferred, so an error is its own statement's, and the transaction goes on."""
    with db.begin() as c:
        run(c, _ADD, {"id": 1, "note": "một"}, later=True)
        savepoint = c.begin_nested()
        with pytest.raises(exc.IntegrityError):
            run(c, _ADD, {"id": 1, "note": "một lần nữa"}, later=True)
        savepoint.rollback()
        run(c, _ADD, {"id": 2, "note": "hai"}, later=True)
    assert _stored(db) == [(1, "một"), (2, "hai")]


def test_later_writes__a_connection_closed_in_its_transaction_goes_back_out_of_it(
    db: Any,
) -> None:
    c = db.connect()
    c.begin()
    run(c, _ADD, {"id": 1, "note": "một"}, later=True)
    assert _in_pipeline(c)
    c.close()
    assert _stored(db) == []


def test_later_writes__a_connection_dropped_unclosed_goes_back_out_of_it(db: Any) -> None:
    """A connection nobody closed (a bug's path) is reset by the pool when it is collected,
    without any transaction event: it still goes back out of the pipeline."""
    c = db.connect()
    c.begin()
    run(c, _ADD, {"id": 1, "note": "một"}, later=True)
    assert _in_pipeline(c)
    del c
    gc.collect()
    assert _stored(db) == []
