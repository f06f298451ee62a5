"""`engine.driver_sql.run` reads the rows SQLAlchemy's own execution reads, value for value and
name for name, for the statements the engine reads through it: the same SQL, the same
parameters in the same order, the same conversions (aware UTC datetimes, JSON lists, booleans),
an expanding IN with no value, one or several. Its writes leave the database holding exactly
what SQLAlchemy's would. Both on SQLite and on PostgreSQL (psycopg)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Numeric,
    String,
    bindparam,
    cast,
    column,
    event,
    exc,
    literal,
    literal_column,
    select,
    table,
)

import engine
from engine import driver_sql, transaction
from engine.db import read_rows
from engine.dossier import _EVENTS, _SUBMISSIONS
from engine.driver_sql import Rows, run
from engine.form_options import _UNITS
from engine.forwarding import _COLLEAGUES
from engine.human_tasks import HumanTaskModel, close_tasks, insert_tasks
from engine.inbox import _directory_statement, _names_statement
from engine.instances import InstanceModel, save_instance
from engine.notifications import _SIGNED_IN, _UNREAD
from engine.queries import _OPEN_TASKS, _OPEN_TASKS_OF_ITEM
from engine.subscriptions import _CLEAR_WAITS
from engine.users import IDENTITY
from engine.webhooks import _ACTIVE_HOOKS


def _both(session: Any, statement: Any, params: dict[str, Any] | None = None) -> Any:
    connection = session.connection()
    theirs = connection.execute(statement, params)
    keys, rows = list(theirs.keys()), theirs.all()
    expected = [tuple(row) for row in rows]
    run(connection, statement, params)  # a statement's first run is SQLAlchemy's (driver_sql)
    ours = run(connection, statement, params)
    assert isinstance(ours, Rows)
    assert [tuple(row) for row in ours] == expected
    for row in ours:
        assert [getattr(row, key) for key in keys] == list(row)
    return ours


def test_driver_reads__the_same_rows_as_sqlalchemy(
    deployed: Any, config: engine.EngineConfig
) -> None:
    with transaction(deployed) as s:
        item = engine.start_instance(s, config, "approval", "an")
    with transaction(deployed) as s:
        (draft,) = engine.tasks_for(s, "an")
        engine.complete_task(s, config, draft.id, "an", data={"summary": "Trồng nấm"})
    now = config.clock()
    with transaction(deployed, write=False) as s:
        tasks = _both(s, _OPEN_TASKS_OF_ITEM, {"instance_id": item})
        assert tasks and tasks[0].created_at.tzinfo is not None  # aware, as SQLAlchemy's
        assert _both(s, _OPEN_TASKS)
        assert _both(s, IDENTITY, {"username": "an"})
        assert _both(s, IDENTITY, {"username": "nobody"}) == []
        _both(s, _UNREAD, {"recipient": "binh"})
        (binh,) = {row[-2] for row in _both(s, _SIGNED_IN, {"username": "binh"})}
        assert binh == engine.unread_count(s, "binh")  # the bell's count, one row a group
        _both(s, _directory_statement())
        _both(s, _UNITS)
        _both(s, _ACTIVE_HOOKS)
        assert _both(s, _EVENTS, {"instance_id": item})
        _both(s, _SUBMISSIONS, {"instance_id": item})
        for keys, users in (([], []), (["staff"], []), (["heads", "staff", "x"], ["an", "binh"])):
            _both(s, _names_statement(), {"keys": keys, "users": users})
        _both(s, _COLLEAGUES, {"me": "an", "units": ["phong_qlkh"], "leaders": []})
        since = select(HumanTaskModel.id, HumanTaskModel.candidate_groups).where(
            HumanTaskModel.created_at <= bindparam("now"), HumanTaskModel.instance_id == item
        )
        assert _both(s, since, {"now": now + timedelta(seconds=1)})
        assert _both(s, since, {"now": now - timedelta(days=1)}) == []
        # A "%" of the SQL's own, and one parameter in two places (PostgreSQL's "$1" twice).
        percent = select(
            literal_column("'50%'").label("share"),
            bindparam("a", type_=String).label("x"),
            bindparam("a", type_=String).label("y"),
        )
        assert [tuple(r) for r in _both(s, percent, {"a": "%(a)s"})] == [("50%", "%(a)s", "%(a)s")]


def test_driver_reads__what_it_cannot_run_goes_to_sqlalchemy(deployed: Any) -> None:
    with transaction(deployed, write=False) as s:
        connection = s.connection()
        # A parameter not given: SQLAlchemy's execution names it.
        with pytest.raises(exc.StatementError, match="username"):
            read_rows(s, IDENTITY, {})
        # An expanding IN given something that is no list.
        with pytest.raises(exc.StatementError):
            run(connection, _COLLEAGUES, {"me": "an", "units": 3, "leaders": []})


def test_driver_reads__the_drivers_error_is_sqlalchemys(deployed: Any) -> None:
    missing = select(table("no_such_table", column("x")).c.x)
    with (
        transaction(deployed, write=False) as s,
        pytest.raises(exc.DBAPIError, match="no_such_table"),
    ):
        read_rows(s, missing)


class _Undo(Exception):
    pass


def _stored(session: Any, tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of these tables as the driver reads it (not SQLAlchemy's reading)."""
    raw = session.connection().exec_driver_sql
    return {t: sorted(tuple(map(repr, r)) for r in raw(f"SELECT * FROM {t}").all()) for t in tables}


def _both_ways(
    factory: Any, monkeypatch: pytest.MonkeyPatch, write: Any, tables: tuple[str, ...]
) -> list[dict[str, list[tuple[Any, ...]]]]:
    """What `write` leaves in the tables through SQLAlchemy alone, then through the driver,
    each rolled back (the driver's pass runs twice: a statement's first run is SQLAlchemy's)."""
    seen = []
    sent: list[str] = []
    send = driver_sql._send

    def noted(connection: Any, sql: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(sql)
        return send(connection, sql, *args, **kwargs)

    for driver in (False, True, True):
        with monkeypatch.context() as patch:
            if driver:
                patch.setattr(driver_sql, "_send", noted)
            else:
                patch.setattr(driver_sql, "_plan", lambda *_args: None)
            try:
                with transaction(factory) as s:
                    write(s)
                    seen.append(_stored(s, tables))
                    raise _Undo
            except _Undo:
                pass
    assert sent  # the driver did write
    return [seen[0], seen[2]]


def test_driver_sql__writes_leave_what_sqlalchemys_leave(
    deployed: Any, config: engine.EngineConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    with transaction(deployed) as s:
        item = engine.start_instance(s, config, "approval", "an")
    with transaction(deployed, write=False) as s:
        (task,) = [
            dict(r._mapping) for r in s.connection().execute(select(HumanTaskModel.__table__))
        ]
    moment = config.clock() + timedelta(hours=3)

    def open_and_close(s: Any) -> None:
        copies = [{**task, "id": f"copy-{n}", "created_at": moment} for n in range(3)]
        insert_tasks(s, copies[:1], "an")  # one row: a plain execution
        insert_tasks(s, copies[1:], "an")  # several: executemany
        values = {"status": "completed", "completed_at": moment, "completed_by": "an"}
        close_tasks(s, ["copy-0", "copy-2"], {**values, "decision": "approve", "comment": "Được"})

    def save(s: Any) -> None:
        instance = s.get(InstanceModel, item)
        instance.title = "Đề tài (đổi tên)"
        instance.updated_at = moment
        save_instance(s, instance)

    tables = ("human_tasks", "task_candidates", "instances")
    for write in (open_and_close, save):
        through_sqlalchemy, through_driver = _both_ways(deployed, monkeypatch, write, tables)
        assert through_driver == through_sqlalchemy


def test_driver_sql__a_notification_told_twice_is_written_once(
    deployed: Any, config: engine.EngineConfig
) -> None:
    """The count of rows written comes from the driver's rowcount, on both databases:
    those the dedupe key leaves out are not counted, one recipient or several."""
    told = {"event": "task.assigned", "at": config.clock(), "title": "Đề tài"}
    for key in ("k1", "k2", "k3"):  # SQLAlchemy's first run, then the driver's
        with transaction(deployed) as s:
            assert engine.notify(s, recipients=["an"], dedupe_key=key, **told) == 1
            assert engine.notify(s, recipients=["an", "binh", "chi"], dedupe_key=key, **told) == 2
            assert engine.notify(s, recipients=["an", "binh"], dedupe_key=key, **told) == 0


def test_driver_sql__a_statement_is_sent_once_whatever_follows_it(sqlite_factory: Any) -> None:
    """What fails after the driver ran the statement (here a statement listener) is raised as
    it is: the statement is not sent again through SQLAlchemy."""
    bind = sqlite_factory.kw["bind"]
    sent: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        sent.append(statement)

    def after(*_args: Any) -> None:
        raise KeyError("a listener's own failure")

    with transaction(sqlite_factory) as s:
        connection = s.connection()
        run(connection, _CLEAR_WAITS, {"instance_id": 0})  # the first run is SQLAlchemy's
        event.listen(bind, "before_cursor_execute", before)
        event.listen(bind, "after_cursor_execute", after)
        try:
            with pytest.raises(KeyError, match="listener"):
                run(connection, _CLEAR_WAITS, {"instance_id": 0})
        finally:
            event.remove(bind, "before_cursor_execute", before)
            event.remove(bind, "after_cursor_execute", after)
    assert len(sent) == 1


def test_driver_sql__a_lost_postgresql_connection_is_sqlalchemys_to_replace(pg_url: str) -> None:
    """A PostgreSQL connection lost under the driver's statement is handled as SQLAlchemy's
    own execution handles it: the error says the connection was invalidated, and the next
    transaction runs on a new connection."""
    db = engine.create_db_engine(pg_url)
    engine.upgrade_database(db)
    factory = engine.session_factory(db)
    try:
        with transaction(factory, write=False) as s:
            run(s.connection(), _UNREAD, {"recipient": "an"})  # the first run is SQLAlchemy's
        with pytest.raises(exc.DBAPIError) as lost, transaction(factory, write=False) as s:
            connection = s.connection()
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with db.connect() as other:
                other.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
            run(connection, _UNREAD, {"recipient": "an"})
        assert lost.value.connection_invalidated
        assert "FROM notifications" in str(lost.value.statement)  # the statement's own error
        with transaction(factory, write=False) as s:
            assert isinstance(run(s.connection(), _UNREAD, {"recipient": "an"}), Rows)
    finally:
        db.dispose()


def test_driver_reads__a_type_it_cannot_convert_stays_with_sqlalchemy(deployed: Any) -> None:
    """A column whose conversion needs the driver's own column type (psycopg's Numeric) is
    read through SQLAlchemy's execution, decided once for the statement, not at every run."""
    numeric = select(cast(literal("1.50"), Numeric(10, 2)).label("n"))
    with transaction(deployed, write=False) as s:
        connection = s.connection()
        answers = [run(connection, numeric).first()[0] for _ in range(3)]
    assert answers == [Decimal("1.50")] * 3
    assert numeric in driver_sql._READS[connection.dialect.driver]
