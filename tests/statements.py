"""Counting the SQL a block of code sends: the statement-count tests that pin listings and
actions to a fixed number, whatever the number of rows or the length of a history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def counted(factory: Any, *, with_begin: bool = True) -> Iterator[list[str]]:
    """The statements run through the session factory's engine while the block runs, with
    SQLite's BEGIN (which the engine sends to the driver itself, past the statement events)."""
    statements: list[str] = []
    bind = factory.kw["bind"]

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    def began(_conn: Any) -> None:
        statements.append("BEGIN")

    listeners: list[tuple[str, Any]] = [("before_cursor_execute", seen)]
    if with_begin and bind.dialect.name == "sqlite":
        listeners.append(("begin", began))
    for name, listener in listeners:
        event.listen(bind, name, listener)
    try:
        yield statements
    finally:
        for name, listener in listeners:
            event.remove(bind, name, listener)
