"""Theo dõi's statements take their moment once: the due state in the columns and the filters'
overdue test read the one value named `now`, on the page and in the export alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event

import engine
from engine import MonitorFilter, transaction


def _moments(factory: Any, read: Any) -> list[list[str]]:
    """Per statement `read` runs, the names of the moments bound in it."""
    found: list[list[str]] = []

    def seen(*args: Any) -> None:
        # (conn, cursor, statement, parameters, context): a compiled statement's values by
        # name, before the driver's positions repeat a name used twice
        values = getattr(args[4], "compiled_parameters", [{}])[0]
        found.append(sorted(k for k, v in values.items() if isinstance(v, datetime)))

    bind = factory.kw["bind"]
    event.listen(bind, "before_cursor_execute", seen)
    try:
        with transaction(factory) as s:
            read(s)
    finally:
        event.remove(bind, "before_cursor_execute", seen)
    return found


@pytest.mark.parametrize("status", [None, "overdue", "within"])
def test_monitor_moment__bound_once_by_name(factory: Any, clock: Any, status: str | None) -> None:
    filters = MonitorFilter(status=status)
    for read in (
        lambda s: engine.monitor(s, clock(), filters),
        lambda s: list(engine.monitor_all(s, clock(), filters)),
    ):
        moments = [m for m in _moments(factory, read) if m]
        assert moments and all(m == ["now"] for m in moments), moments
