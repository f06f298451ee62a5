"""Statements built once, sent straight to the database's driver (SQLite's sqlite3, PostgreSQL's
psycopg): compiled once by SQLAlchemy, then run on the connection's own driver cursor with
SQLAlchemy's conversions of values, their parameters and rows passed through no execution
context.

Through `Connection.execute`, the UI's reads spent about four fifths of their time in
SQLAlchemy rather than in SQLite (the statement's cache key, the execution context, the
parameters' dictionary, the result's metadata): a tenth of a page's CPU, and as much again in
an action's writes. On PostgreSQL SQLAlchemy's part was about 55 us of CPU a statement above
psycopg's 35. The SQL, the parameters (SQLite's "?" in order; for PostgreSQL the compiler's
named ones numbered "$n" as psycopg numbers them) and the conversions of values here are the
compiler's and the types' own, so both paths read and write the same rows
(tests/integration/test_engine__driver_sql.py compares them on both databases); the statement
events still fire, so whatever counts statements counts these, and the driver's errors go
through SQLAlchemy's own handling (a lost PostgreSQL connection is invalidated, as
SQLAlchemy's execution would, and the error says so).

What this path leaves to SQLAlchemy (`run` then calls `Connection.execute`): other drivers; a
write whose defaults are computed in Python or that returns rows; a parameter missing or of the
wrong kind (SQLAlchemy's message says which).
Only for statements a module builds once: each is prepared at its second run, and for as long
as it lives; one built anew for each call keeps SQLAlchemy's path. An expanding IN is prepared
once for each number of values (at most `MAX_SHAPES`)."""

from __future__ import annotations

import re
import weakref
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection

from . import driver_pipeline

MAX_SHAPES = 32
# The drivers whose cursors this module sends statements to (SQLAlchemy's names for them).
DRIVERS = frozenset({"pysqlite", "psycopg"})
_MISSING: Any = object()

Convert = Callable[[Any], Any] | None
Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class Rows(list[Any]):
    """The rows of a read, answering as much of SQLAlchemy's `Result` as the engine uses."""

    def all(self) -> list[Any]:
        return self

    def first(self) -> Any:
        return self[0] if self else None

    def scalar(self) -> Any:
        return self[0][0] if self else None


@dataclass(frozen=True, slots=True)
class Written:
    """What a write through the driver answers: how many rows it touched."""

    rowcount: int


@dataclass(frozen=True, slots=True)
class _Shape:
    """The statement as sent for one number of values of each expanding parameter: its SQL,
    and for each of its positional parameters in turn (SQLite's "?", PostgreSQL's "$n") the
    parameter's name, the index in its list (None: not a list) and its conversion."""

    sql: str
    places: tuple[tuple[str, int | None, Convert], ...]

    def values(self, given: Mapping[str, Any]) -> list[Any]:
        values = []
        for name, index, convert in self.places:
            value = given[name] if index is None else given[name][index]
            values.append(value if convert is None else convert(value))
        return values


@dataclass(slots=True)
class _Prepared:
    compiled: Any
    given: dict[str, Any]  # the statement's own values, for parameters a caller need not give
    expanding: tuple[str, ...]
    results: tuple[Convert, ...] | None  # None: every column comes as the driver gives it
    row: Callable[[Any], tuple[Any, ...]] | None  # None: a write
    shapes: dict[tuple[int, ...], _Shape] = field(default_factory=dict)

    def shape(self, given: Mapping[str, Any]) -> _Shape | None:
        if not self.expanding:
            return self.shapes[()]
        key = tuple(len(given[name]) for name in self.expanding)
        found = self.shapes.get(key)
        if found is None and len(self.shapes) < MAX_SHAPES:
            found = self.shapes[key] = _shape(self.compiled, given)
        return found

    def rows(self, found: list[Any]) -> Rows:
        assert self.row is not None
        make, results = self.row, self.results
        if results is None:
            return Rows(map(make, found))
        return Rows(
            make([v if c is None else c(v) for v, c in zip(row, results, strict=True)])
            for row in found
        )


# Statement -> its preparation: a reading, or (parameters' names, executemany) -> a writing.
# Weak keys: a statement nobody holds any more (a builder's cache let it go) leaves with its
# preparation. A statement is prepared at its second run: one built anew for each call (never
# run twice) is left to SQLAlchemy's own cache, not compiled again at every call.
_SEEN: weakref.WeakSet[Any] = weakref.WeakSet()
# Each driver's own: the SQL and conversions differ (one process's tests use both).
_READS: dict[str, weakref.WeakKeyDictionary[Any, _Prepared | None]] = {
    driver: weakref.WeakKeyDictionary() for driver in DRIVERS
}
_WRITES: dict[
    str, weakref.WeakKeyDictionary[Any, dict[tuple[tuple[str, ...], bool], _Prepared | None]]
] = {driver: weakref.WeakKeyDictionary() for driver in DRIVERS}


def run(
    connection: Connection, statement: Any, params: Params = None, *, later: bool = False
) -> Any:
    """The statement on the connection, through the driver where it can go (see above), else
    through SQLAlchemy: its rows (`all`, `first`, `scalar`, iteration; each row a named
    tuple) or, for a write, its `rowcount`. A write whose count nobody reads says `later`: it
    answers None, and on PostgreSQL it may wait in the transaction's pipeline
    (engine/driver_pipeline.py) for the next statement that needs an answer."""
    found = _run(connection, statement, params, later)
    return None if later else found


def _run(connection: Connection, statement: Any, params: Params, later: bool) -> Any:
    if connection.dialect.driver not in DRIVERS:
        return connection.execute(statement, params)
    try:
        planned = _plan(connection, statement, params)
    except (KeyError, TypeError, IndexError):  # SQLAlchemy's own path says what is wrong
        planned = None
    if planned is None:
        return connection.execute(statement, params)
    prepared, sql, values, many = planned
    # Sent once, outside the guard above: an error from here on is the statement's own.
    if prepared.row is None:
        return Written(_send(connection, sql, values, fetch=False, many=many, later=later))
    return prepared.rows(_send(connection, sql, values, fetch=True, many=many))


_Plan = tuple[_Prepared, str, Any, bool]  # the preparation, the SQL, its values, executemany


def _plan(connection: Connection, statement: Any, params: Params) -> _Plan | None:
    if params is None or isinstance(params, Mapping):
        if getattr(statement, "is_dml", False):
            return _write(connection, statement, [params], False)
        return _read(connection, statement, params)
    if getattr(statement, "is_dml", False):
        rows: list[Mapping[str, Any] | None] = list(params)
        return _write(connection, statement, rows, len(rows) > 1)
    return None


def _first_run(statement: Any) -> bool:
    """Whether this is the statement's first run (noted, for its second to be prepared)."""
    if statement in _SEEN:
        return False
    _SEEN.add(statement)
    return True


def _read(connection: Connection, statement: Any, params: Mapping[str, Any] | None) -> _Plan | None:
    reads = _READS[connection.dialect.driver]
    prepared = reads.get(statement, _MISSING)
    if prepared is _MISSING:
        if _first_run(statement):
            return None
        prepared = reads[statement] = _prepare_read(statement, connection)
    if prepared is None:
        return None
    assert isinstance(prepared, _Prepared)
    given = {**prepared.given, **params} if params else prepared.given
    shape = prepared.shape(given)
    if shape is None:
        return None
    return prepared, shape.sql, shape.values(given), False


def _write(
    connection: Connection, statement: Any, rows: list[Mapping[str, Any] | None], many: bool
) -> _Plan | None:
    first = rows[0] or {}
    keys = tuple(sorted(first))
    writes = _WRITES[connection.dialect.driver]
    writings = writes.get(statement)
    if writings is None:
        if _first_run(statement):
            return None
        writings = writes[statement] = {}
    prepared = writings.get((keys, many), _MISSING)
    if prepared is _MISSING:
        prepared = writings[(keys, many)] = _prepare_write(statement, connection, keys, many)
    if prepared is None:
        return None
    assert isinstance(prepared, _Prepared)
    shape = prepared.shapes[()]
    own = prepared.given
    values = [shape.values({**own, **row} if row else own) for row in rows]
    return prepared, shape.sql, values if many else values[0], many


_CURSOR = "pheduyet.driver_sql.cursor"


def _send(
    connection: Connection,
    sql: str,
    values: Any,
    *,
    fetch: bool,
    many: bool = False,
    later: bool = False,
) -> Any:
    """The rows the driver read (`fetch`), or the number of rows it wrote."""
    psycopg = connection.dialect.driver == "psycopg"
    pipeline = driver_pipeline.entered(connection, later) if psycopg else None
    # In the pipeline, a later write's result may come back while the next statement is sent:
    # psycopg gives it to the cursor that sent it, which must not be a read's.
    cursor, kept = _cursor(connection, _LATER if pipeline is not None and later else _CURSOR)
    try:
        for listener in connection.dispatch.before_cursor_execute:
            listener(connection, cursor, sql, values, None, many)
        try:
            if many:
                cursor.executemany(sql, values)
            else:
                cursor.execute(sql, values)
            if fetch:
                answer = list(cursor.fetchall())  # with every result before it
            elif pipeline is None:
                answer = cursor.rowcount
            elif later:
                answer = None  # nobody asks
            else:
                pipeline.sync()  # its count, with every result before it
                answer = cursor.rowcount
        except BaseException as error:
            # SQLAlchemy's own handling, as its execution does it: a driver's error wrapped,
            # a lost connection invalidated (and said so), `handle_error` told; a connection
            # left in the middle of a statement (Ctrl-C, a worker's timeout) invalidated too.
            connection._handle_dbapi_exception(error, sql, values, cursor, None)
        for listener in connection.dispatch.after_cursor_execute:
            listener(connection, cursor, sql, values, None, many)
        return answer
    finally:
        if not kept:
            cursor.close()


def _cursor(connection: Connection, key: str = _CURSOR) -> tuple[Any, bool]:
    """A cursor of the connection's driver, and whether it is kept for the next statement.

    psycopg's is kept with its connection (SQLAlchemy's `info` of the pooled connection, which
    goes with it): a new one costs about 8 us a statement (a cursor's set-up and its own cache
    of the types' loaders, made again), a fifth of psycopg's own part. One closed (SQLAlchemy
    closes it after a driver's error) is replaced. sqlite3's cost nothing to make."""
    pooled = connection.connection
    dbapi_connection = pooled.dbapi_connection
    assert dbapi_connection is not None
    if connection.dialect.driver != "psycopg":
        return dbapi_connection.cursor(), False
    cursor = pooled.info.get(key)
    if cursor is None or cursor.closed:
        from psycopg import Connection as PsycopgConnection
        from psycopg import RawCursor

        # PostgreSQL's own "$n" parameters (see `_numbered`).
        cursor = pooled.info[key] = RawCursor(cast(PsycopgConnection[Any], dbapi_connection))
    return cursor, True


_LATER = "pheduyet.driver_sql.later"  # the cursor of later writes (see `_send`)


def _prepare_read(statement: Any, connection: Connection) -> _Prepared | None:
    if not getattr(statement, "is_select", False):
        return None
    dialect = connection.dialect
    compiled: Any = statement.compile(dialect=dialect)
    if not _plain(compiled):
        return None
    columns = compiled._result_columns
    try:
        results = tuple(_result_processor(c.type, dialect) for c in columns)
    except Exception:  # a type whose conversion needs the driver's column type (a Numeric's)
        return None  # SQLAlchemy's execution, which has it, for as long as the statement lives
    keys = [c.keyname for c in columns]
    return _prepared(
        compiled,
        results if any(r is not None for r in results) else None,
        namedtuple("Row", keys, rename=True)._make,  # type: ignore[attr-defined]
    )


def _result_processor(column_type: Any, dialect: Any) -> Convert:
    processor: Convert = column_type.dialect_impl(dialect).result_processor(dialect, None)
    return processor


def _prepare_write(
    statement: Any, connection: Connection, keys: tuple[str, ...], many: bool
) -> _Prepared | None:
    # Compiled as SQLAlchemy's execution compiles it: the columns the parameters name.
    compiled: Any = statement.compile(
        dialect=connection.dialect, column_keys=list(keys), for_executemany=many
    )
    if not _plain(compiled) or any(b.expanding for b in compiled.binds.values()):
        return None
    if compiled.insert_prefetch or compiled.update_prefetch or compiled.effective_returning:
        return None  # defaults computed in Python, or rows returned: SQLAlchemy's context
    return _prepared(compiled, None, None)


def _plain(compiled: Any) -> bool:
    """Parameters (SQLite's positional "?", psycopg's named ones) named as given, none computed
    at execution nor written into the SQL."""
    return (
        (compiled.positiontup is not None or not compiled.positional)
        and not compiled.escaped_bind_names
        and not any(b.callable is not None or b.literal_execute for b in compiled.binds.values())
    )


def _prepared(
    compiled: Any, results: tuple[Convert, ...] | None, row: Callable[[Any], Any] | None
) -> _Prepared:
    binds = compiled.binds
    given = {name: bind.value for name, bind in binds.items() if not bind.required}
    expanding = tuple(name for name, bind in binds.items() if bind.expanding)
    prepared = _Prepared(compiled, given, expanding, results, row)
    if not expanding:
        prepared.shapes[()] = _shape(compiled, {})
    return prepared


def _shape(compiled: Any, given: Mapping[str, Any]) -> _Shape:
    converts: dict[str, Convert] = compiled._bind_processors
    named = not compiled.positional
    if not any(b.expanding for b in compiled.binds.values()):
        sql, names = (
            _numbered(compiled.string) if named else (compiled.string, compiled.positiontup)
        )
        return _Shape(sql, tuple((n, None, converts.get(n)) for n in names))
    state = compiled.construct_expanded_state({**dict.fromkeys(compiled.binds), **given})
    source = {
        expanded: (name, index)
        for name, names in state.parameter_expansion.items()
        for index, expanded in enumerate(names)
    }
    sql, sent = _numbered(state.statement) if named else (state.statement, state.positiontup)
    places: list[tuple[str, int | None, Convert]] = []
    for name in sent:
        original, index = source.get(name, (name, None))
        places.append((original, index, converts.get(original)))
    return _Shape(sql, tuple(places))


_PYFORMAT = re.compile(r"%\((\w+)\)s|%%")


def _numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """SQLAlchemy's SQL for psycopg (its named "%(name)s", "%%" for a "%") in PostgreSQL's own
    form, as psycopg turns it before sending it: each name a "$n", the same n for the same
    name; and the names in the order of their numbers. Sent through psycopg's RawCursor, the
    SQL goes as it is: psycopg no longer parses it at each run (it keeps what it parsed only
    for statements under 4 kB; the inbox's is 10.6) nor orders a dictionary of values."""
    numbers: dict[str, int] = {}

    def number(found: re.Match[str]) -> str:
        name = found.group(1)
        if name is None:
            return "%"
        return f"${numbers.setdefault(name, len(numbers) + 1)}"

    return _PYFORMAT.sub(number, sql), tuple(numbers)
