"""A process that dies after the engine step but before the commit leaves no trace, on a SQLite
file and on PostgreSQL: the item is exactly as before, its audit chain is intact, and the next
person can act on it at once."""

from __future__ import annotations

import multiprocessing
import os
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any

import pytest
from sqlalchemy import text

import engine
from engine import transaction
from tests.conftest import START

# Children must build their own engines: forking is cheap, and the parent's pool is emptied first.
CTX = multiprocessing.get_context("fork")
TIMEOUT_S = 60
TABLES = ("instances", "human_tasks", "task_candidates", "audit_events")
CRASHED = 1


def _act_then_die(
    url: str, moment: datetime, action: str, args: tuple[Any, ...], report: Connection
) -> None:
    """In a child process: do the action in an open transaction, write it to the database
    (flush), say so, and die on the spot: no commit, no rollback, no clean-up."""
    db = engine.create_db_engine(url)
    config = engine.EngineConfig(clock=engine.ManualClock(moment))
    session = engine.session_factory(db)()
    session.begin()
    try:
        if action == "complete":
            result = engine.complete_task(session, config, *args, data={"summary": "lost"})
        else:
            result = engine.start_instance(session, config, *args, title="lost")
        session.flush()
        report.send(("flushed", result))
    except BaseException as exc:
        report.send(("failed", repr(exc)))
    os._exit(CRASHED)


def _crash(factory: Any, url: str, action: str, *args: Any) -> Any:
    factory.kw["bind"].dispose()  # no pooled connection may cross the fork
    reader, writer = CTX.Pipe(duplex=False)
    moment = START + timedelta(hours=1)
    child = CTX.Process(target=_act_then_die, args=(url, moment, action, args, writer))
    child.start()
    writer.close()
    try:
        assert reader.poll(TIMEOUT_S), "the child never reported"
        status, result = reader.recv()
    finally:
        child.join(TIMEOUT_S)
        if child.is_alive():
            child.kill()
            child.join()
    assert (status, child.exitcode) == ("flushed", CRASHED), result
    return result


def _everything(factory: Any) -> dict[str, Any]:
    """What the engine shows about every item, and every stored row of the tables it writes."""
    with transaction(factory) as s:
        items = [row[0] for row in s.execute(text("SELECT id FROM instances ORDER BY id"))]
        return {
            "views": [engine.show_instance(s, i) for i in items],
            "open": engine.open_tasks(s),
            "audit": engine.verify_audit(s),
            **{
                table: sorted(map(repr, s.execute(text(f"SELECT * FROM {table}")).all()))
                for table in TABLES
            },
        }


def _start(factory: Any, config: engine.EngineConfig) -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, "approval", "an")


def test_crash__before_the_commit_of_a_completion_changes_nothing(
    deployed: Any, config: engine.EngineConfig, db_url: str
) -> None:
    item = _start(deployed, config)
    _start(deployed, config)  # a neighbour, untouched either way
    with transaction(deployed) as s:
        [draft] = engine.open_tasks(s, item)
    before = _everything(deployed)
    assert before["audit"] == (2, [])

    assert _crash(deployed, db_url, "complete", draft.id, "an") == item

    assert _everything(deployed) == before
    with transaction(deployed) as s:  # nothing is left locked or half-done
        engine.complete_task(s, config, draft.id, "chi", data={"summary": "kept"})
    with transaction(deployed) as s:
        view = engine.show_instance(s, item)
        assert [t.element_id for t in view.open_tasks] == ["review"]
        assert [(h.kind, h.actor) for h in view.history] == [
            ("started", "an"),
            ("completed", "chi"),
        ]
        assert view.data["summary"] == "kept"
        assert engine.verify_audit(s) == (2, [])


def test_crash__before_the_commit_of_a_start_stores_no_item(
    deployed: Any, config: engine.EngineConfig, db_url: str
) -> None:
    _start(deployed, config)
    before = _everything(deployed)

    lost = _crash(deployed, db_url, "start", "approval", "chi")

    assert _everything(deployed) == before
    with pytest.raises(engine.NotFound), transaction(deployed) as s:
        engine.show_instance(s, lost)
    kept = _start(deployed, config)
    with transaction(deployed) as s:
        assert [h.kind for h in engine.show_instance(s, kept).history] == ["started"]
        assert engine.verify_audit(s) == (2, [])
