"""Running totals per process and step, so the step statistics cost the same whatever the
history: how many task rows are open and the sum of their opening moments (their average wait
at any moment follows), how many were completed and the sum of the time they took.

An action tells what each task row it opened or closed adds (`note_opened`, `note_closed`, from
the one place that writes them, `runtime._sync_task_rows`); when its transaction commits, one
INSERT … ON CONFLICT adds it up, a row per step. What a savepoint rolled back (a timer that
failed on one item) adds nothing, and the totals' rows are locked only during the commit, in key
order (two actions touching the same steps wait for each other, never deadlock)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Double,
    Insert,
    Integer,
    String,
    case,
    delete,
    event,
    extract,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from .db import Base, cast_table, one_or_many, within_savepoint
from .driver_sql import run
from .human_tasks import HumanTaskModel
from .views import TaskStatus

_CHANGED = "pheduyet.step_totals.changed"  # session.info: the changes noted, in order
_JULIAN_EPOCH = 2440587.5  # julianday('1970-01-01')
_DAY_SECONDS = 86400.0


class StepTotalModel(Base):
    """One row per process and step (element) that ever had a task row (migration 0020)."""

    __tablename__ = "step_totals"

    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    element_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    open_count: Mapped[int] = mapped_column(Integer, default=0)
    # Seconds since 1970 of every open row's creation, added up: their mean is the mean start.
    open_since_sum: Mapped[float] = mapped_column(Double, default=0.0)
    done_count: Mapped[int] = mapped_column(Integer, default=0)
    done_seconds_sum: Mapped[float] = mapped_column(Double, default=0.0)


_totals = cast_table(StepTotalModel)
_COLUMNS = [c.name for c in _totals.columns]
_SUMMED = ("open_count", "open_since_sum", "done_count", "done_seconds_sum")


@dataclass(frozen=True)
class _Change:
    """What one task row opening or closing adds to its step's totals."""

    key: tuple[str, str]  # process, element
    title: str
    open_count: int
    open_since_sum: float
    done_count: int
    done_seconds_sum: float
    # The innermost savepoint it was noted in: if that is rolled back, so is the change.
    savepoint: SessionTransaction | None


def note_opened(session: Session, rows: Iterable[Any]) -> None:
    """Task rows opened in this transaction (mappings of their columns)."""
    savepoint = session.get_nested_transaction()
    _noted(session).extend(
        _Change(
            (row["process_id"], row["element_id"]),
            row["title"],
            1,
            row["created_at"].timestamp(),
            0,
            0.0,
            savepoint,
        )
        for row in rows
    )


def note_closed(
    session: Session,
    rows: Iterable[tuple[str, str, str, datetime, datetime | None, bool]],
) -> None:
    """Task rows that were open and are now closed: (process, element, title, opened at,
    closed at, completed or not)."""
    savepoint = session.get_nested_transaction()
    _noted(session).extend(
        _Change(
            (process_id, element_id),
            title,
            -1,
            -opened.timestamp(),
            1 if completed else 0,
            (closed - opened).total_seconds() if completed and closed is not None else 0.0,
            savepoint,
        )
        for process_id, element_id, title, opened, closed, completed in rows
    )


def _noted(session: Session) -> list[_Change]:
    changes: list[_Change] = session.info.setdefault(_CHANGED, [])
    return changes


def epoch_seconds(dialect: str, moment: Any) -> ColumnElement[float]:
    """SQL: seconds since 1970 (UTC) of a stored moment."""
    if dialect == "postgresql":
        return cast(ColumnElement[float], extract("epoch", moment))
    return (func.julianday(moment) - _JULIAN_EPOCH) * _DAY_SECONDS


def _totals_of(dialect: str, rows: ColumnElement[bool], weight: Any) -> Any:
    """SELECT: per process and step of the task rows `rows` picks, the columns of a totals row,
    a row counting `weight` (1, 0 or -1) among the open ones."""
    task = HumanTaskModel
    since = epoch_seconds(dialect, task.created_at)
    done = task.status == TaskStatus.COMPLETED
    took = epoch_seconds(dialect, task.completed_at) - since
    return (
        select(
            task.process_id,
            task.element_id,
            func.min(task.title),
            func.coalesce(func.sum(weight), 0),
            func.coalesce(func.sum(weight * since), 0.0),
            func.coalesce(func.sum(case((done, 1), else_=0)), 0),
            func.coalesce(func.sum(case((done, took), else_=0.0)), 0.0),
        )
        .where(rows)
        .group_by(task.process_id, task.element_id)
        .order_by(task.process_id, task.element_id)
    )


def _insert(dialect: str) -> Any:
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_totals)


@lru_cache(maxsize=4)
def _add_statement(dialect: str) -> Insert:
    """INSERT … ON CONFLICT: add a step's changes to its totals (a new step starts at them)."""
    statement = _insert(dialect)
    new = statement.excluded
    added: Insert = statement.on_conflict_do_update(
        index_elements=["process_id", "element_id"],
        set_={name: _totals.c[name] + new[name] for name in _SUMMED},
    )
    return added


def recount(connection: Connection) -> None:
    """Rebuild every total from all the task rows (migration 0020; after rows were written
    around the engine, as `bench/scale.py` copies them): one pass over the table."""
    dialect = connection.dialect.name
    connection.execute(delete(_totals))
    is_open = HumanTaskModel.status == TaskStatus.OPEN
    every = _totals_of(dialect, HumanTaskModel.id.is_not(None), case((is_open, 1), else_=0))
    connection.execute(_insert(dialect).from_select(_COLUMNS, every))


@event.listens_for(Session, "before_commit")
def _add_changes(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint's release: its changes wait for the outer commit
    changes: list[_Change] | None = session.info.pop(_CHANGED, None)
    if not changes:
        return
    steps: dict[tuple[str, str], dict[str, Any]] = {}
    for change in changes:
        step = steps.get(change.key)
        if step is None:
            step = steps[change.key] = {
                "process_id": change.key[0],
                "element_id": change.key[1],
                "title": change.title,
                **dict.fromkeys(_SUMMED, 0),
            }
        step["title"] = min(step["title"], change.title)
        step["open_count"] += change.open_count
        step["open_since_sum"] += change.open_since_sum
        step["done_count"] += change.done_count
        step["done_seconds_sum"] += change.done_seconds_sum
    dialect = session.get_bind().dialect.name
    rows = [steps[key] for key in sorted(steps)]
    run(session.connection(), _add_statement(dialect), one_or_many(rows), later=True)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    changes = session.info.get(_CHANGED)
    if not changes:
        return
    if not transaction.nested:
        session.info.pop(_CHANGED, None)
        return
    session.info[_CHANGED] = [c for c in changes if not within_savepoint(c.savepoint, transaction)]


@event.listens_for(Session, "after_transaction_end")
def _forget_changes(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outer transaction: committed or rolled back
        session.info.pop(_CHANGED, None)
