"""PostgreSQL's pipeline for an action's writes that need no answer: psycopg sends them at once
and reads their results with the next statement that needs one, so they cost no round trip of
their own.

On PostgreSQL each statement is a round trip: the web process sends it, waits, and the server's
backend wakes to run it. An action wrote about sixteen statements in nineteen round trips, and
most of its writes (its audit events, task rows, candidate rows, step totals, search text) are
never asked how many rows they wrote. engine/driver_sql.py's `run(..., later=True)` marks them:
on a psycopg connection in a transaction the connection enters psycopg's pipeline mode at the
first one, and stays in it until the transaction ends. A read sent meanwhile comes back with
every result before it (one round trip for them all); a write whose count is read syncs the
pipeline; the COMMIT goes with the last writes. SQLite has no round trips: there `later` does
nothing.

What it changes for a caller:
- A later write's error (a key written twice) is raised by the next statement that waits for
  the server, the COMMIT at the latest, with that statement's SQL in the message; the
  transaction rolls back as it would have.
- Only the engine's own statements run in the pipeline. Before SQLAlchemy's own execution (the
  ORM's flush, a savepoint, `exec_driver_sql`) the connection leaves it, so their rows and
  counts are exactly as without it; inside a savepoint nothing is deferred.
- The pooled connection leaves the pipeline when its transaction ends, whichever way.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import Connection, Engine, event

# The pooled connection's pipeline, while its transaction has one: (psycopg's connection, the
# context manager that entered the pipeline, the pipeline).
_ENTERED = "pheduyet.driver_pipeline"


def entered(connection: Connection, later: bool) -> Any:
    """The pipeline a statement on this psycopg connection goes into, or None (sent and
    answered at once): the one its transaction entered, else a new one for a later write in
    a transaction."""
    pooled = connection.connection
    found = pooled.info.get(_ENTERED)
    if found is not None:
        return found[2]
    if not later:
        return None
    dbapi_connection: Any = pooled.dbapi_connection
    if dbapi_connection.autocommit or connection.in_nested_transaction():
        return None
    manager = dbapi_connection.pipeline()
    pipeline = manager.__enter__()
    pooled.info[_ENTERED] = (dbapi_connection, manager, pipeline)
    return pipeline


def watch(engine: Engine) -> None:
    """Leave the pipeline before SQLAlchemy's own statements and when a transaction ends."""
    event.listen(engine, "before_cursor_execute", _before_sqlalchemys)
    event.listen(engine, "commit", _commit)
    event.listen(engine, "rollback", _rollback)
    event.listen(engine, "reset", _returned)


def _before_sqlalchemys(
    connection: Connection, _cursor: Any, _sql: Any, _params: Any, context: Any, _many: Any
) -> None:
    # engine/driver_sql.py's statements fire this event too, without an execution context.
    # SQLAlchemy wraps an error raised here as the statement's own.
    if context is not None:
        _leave(connection.connection.info)


def _commit(connection: Connection) -> None:
    """The COMMIT sent with the last later writes, in one round trip; SQLAlchemy's own COMMIT
    then finds the transaction ended and sends nothing."""
    try:
        _leave(connection.connection.info, commit=True)
    except BaseException as error:
        connection._handle_dbapi_exception(error, "COMMIT", None, None, None)


def _rollback(connection: Connection) -> None:
    # An error waiting in the pipeline is the one being rolled back (or lost with the
    # connection): SQLAlchemy's ROLLBACK follows, out of the pipeline.
    if connection.invalidated:
        return
    with contextlib.suppress(Exception):
        _leave(connection.connection.info)


def _returned(_dbapi_connection: Any, record: Any, _state: Any) -> None:
    """A connection goes back to the pool out of the pipeline, however its transaction ended."""
    with contextlib.suppress(Exception):
        _leave(record.info)


def _leave(info: dict[str, Any], *, commit: bool = False) -> None:
    found = info.pop(_ENTERED, None)
    if found is None:
        return
    dbapi_connection, manager, _pipeline = found
    try:
        if commit:
            dbapi_connection.execute("COMMIT", prepare=False)
    except BaseException as error:
        # A waiting write's error may come back while the COMMIT is sent: it is the one to
        # raise, not the "pipeline aborted" of the COMMIT behind it (psycopg logs that one).
        manager.__exit__(type(error), error, error.__traceback__)
        raise
    # Sends what waits, reads every result and raises the first error; out of the pipeline
    # whatever happens.
    manager.__exit__(None, None, None)
