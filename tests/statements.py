"""Counting the SQL a block of code sends: the statement-count tests that pin listings and
actions to a fixed number, whatever the number of rows or the length of a history."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def counted(factory: Any, *, with_begin: bool = True) -> Iterator[list[str]]:
    """The statements run through the session factory's engine while the block runs."""
    statements: list[str] = []
    bind = factory.kw["bind"]

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if with_begin or not statement.startswith("BEGIN"):
            statements.append(statement)

    event.listen(bind, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(bind, "before_cursor_execute", seen)
