"""Reads of columns sent straight to SQLite's driver: a statement built once is compiled once,
by SQLAlchemy, and then run on the connection's own sqlite3 cursor with SQLAlchemy's
conversions of values, its parameters and rows passed through no execution context.

Through `Connection.execute`, the UI's reads spent about four fifths of their time in
SQLAlchemy rather than in SQLite (the statement's cache key, the execution context, the
parameters' dictionary, the result's metadata), a tenth of a page's whole CPU. The SQL, the
order of the parameters and the conversions of values here are the compiler's and the types'
own, so both paths read the same rows (tests/integration/test_engine__driver_reads.py compares
them); the statement events still fire, so whatever counts statements counts these.

Only for statements a module builds once: the cache holds at most `MAX_PREPARED` of them, for
the life of the process, and one built anew for each call would be compiled anew each time. An
expanding IN is prepared once for each number of values (at most `MAX_SHAPES`). PostgreSQL's
reads keep SQLAlchemy's path, whose handling of a lost connection they need."""

from __future__ import annotations

import sqlite3
from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, exc

MAX_PREPARED = 512
MAX_SHAPES = 32

Convert = Callable[[Any], Any] | None


class Rows(list[Any]):
    """The rows of a read, answering as much of SQLAlchemy's `Result` as the readers use."""

    def all(self) -> list[Any]:
        return self

    def scalar(self) -> Any:
        return self[0][0] if self else None


@dataclass(frozen=True, slots=True)
class _Shape:
    """The statement as sent for one number of values of each expanding parameter: its SQL,
    and for each "?" in turn the parameter's name, the index in its list (None: not a list)
    and its conversion."""

    sql: str
    places: tuple[tuple[str, int | None, Convert], ...]


@dataclass(slots=True)
class _Statement:
    compiled: Any
    given: dict[str, Any]  # the statement's own values, for parameters a caller need not give
    expanding: tuple[str, ...]
    results: tuple[Convert, ...] | None  # None: every column comes as the driver gives it
    row: Callable[[Any], tuple[Any, ...]]
    shapes: dict[tuple[int, ...], _Shape] = field(default_factory=dict)

    def shape(self, params: Mapping[str, Any]) -> _Shape | None:
        key = tuple(len(params[name]) for name in self.expanding)
        found = self.shapes.get(key)
        if found is None and len(self.shapes) < MAX_SHAPES:
            found = self.shapes[key] = _shape(self.compiled, params)
        return found

    def rows(self, found: list[Any]) -> Rows:
        make, results = self.row, self.results
        if results is None:
            return Rows(map(make, found))
        return Rows(
            make(
                [
                    v if convert is None else convert(v)
                    for v, convert in zip(row, results, strict=True)
                ]
            )
            for row in found
        )


_PREPARED: dict[Any, _Statement | None] = {}


def driver_rows(
    connection: Connection, statement: Any, params: Mapping[str, Any] | None
) -> Rows | None:
    """The statement's rows, read through the driver; None where this path does not apply and
    the caller runs it through SQLAlchemy: not SQLite, a statement that is no plain read of
    columns, a parameter missing or of the wrong kind, the cache full."""
    if connection.dialect.name != "sqlite":
        return None
    prepared = _PREPARED.get(statement, _PREPARED)
    if prepared is _PREPARED:
        if len(_PREPARED) >= MAX_PREPARED:
            return None
        prepared = _PREPARED[statement] = _prepare(statement, connection)
    if prepared is None:
        return None
    assert isinstance(prepared, _Statement)
    given = {**prepared.given, **params} if params else prepared.given
    try:
        shape = prepared.shape(given) if prepared.expanding else prepared.shapes[()]
        if shape is None:
            return None
        values = []
        for name, index, convert in shape.places:
            value = given[name] if index is None else given[name][index]
            values.append(value if convert is None else convert(value))
    except (KeyError, TypeError, IndexError):  # SQLAlchemy's own path says what is wrong
        return None
    return prepared.rows(_fetch(connection, shape.sql, values))


def _fetch(connection: Connection, sql: str, values: list[Any]) -> list[Any]:
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    cursor = dbapi_connection.cursor()
    try:
        for listener in connection.dispatch.before_cursor_execute:
            listener(connection, cursor, sql, values, None, False)
        try:
            cursor.execute(sql, values)
            found = list(cursor.fetchall())
        except sqlite3.Error as error:
            raise exc.DBAPIError.instance(sql, values, error, sqlite3.Error) from error
        for listener in connection.dispatch.after_cursor_execute:
            listener(connection, cursor, sql, values, None, False)
        return found
    finally:
        cursor.close()


def _prepare(statement: Any, connection: Connection) -> _Statement | None:
    dialect = connection.dialect
    compile_ = getattr(statement, "compile", None)
    if compile_ is None or not getattr(statement, "is_select", False):
        return None
    compiled: Any = compile_(dialect=dialect)
    if compiled.positiontup is None or compiled.escaped_bind_names:
        return None
    binds = compiled.binds
    if any(bind.callable is not None or bind.literal_execute for bind in binds.values()):
        return None  # a value computed at each execution, or one written into the SQL
    given = {name: bind.value for name, bind in binds.items() if not bind.required}
    expanding = tuple(name for name, bind in binds.items() if bind.expanding)
    columns = compiled._result_columns
    results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
    keys = [c.keyname for c in columns]
    prepared = _Statement(
        compiled,
        given,
        expanding,
        results if any(r is not None for r in results) else None,
        namedtuple("Row", keys, rename=True)._make,  # type: ignore[attr-defined]
    )
    if not expanding:
        prepared.shapes[()] = _shape(compiled, {})
    return prepared


def _shape(compiled: Any, params: Mapping[str, Any]) -> _Shape:
    converts: dict[str, Convert] = compiled._bind_processors
    if not any(b.expanding for b in compiled.binds.values()):
        return _Shape(
            compiled.string, tuple((n, None, converts.get(n)) for n in compiled.positiontup)
        )
    state = compiled.construct_expanded_state({**{name: None for name in compiled.binds}, **params})
    source = {
        expanded: (name, index)
        for name, names in state.parameter_expansion.items()
        for index, expanded in enumerate(names)
    }
    places = []
    for name in state.positiontup:
        original, index = source.get(name, (name, None))
        places.append((original, index, converts.get(original)))
    return _Shape(state.statement, tuple(places))
