"""Running totals per process and step, so the step statistics cost the same whatever the
history: how many task rows are open and the sum of their opening moments (their average wait
at any moment follows), how many were completed and the sum of the time they took.

An action names the task rows it opened and closed (`note_task_changes`, from the one place that
writes them, `runtime._sync_task_rows`); when its transaction commits, one INSERT … SELECT … ON
CONFLICT adds what those rows say at that moment. So a savepoint rolled back (a timer that failed
on one item) adds nothing, and the totals' rows are locked only during the commit, in key order
(two actions touching the same steps wait for each other, never deadlock)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Double,
    Insert,
    Integer,
    String,
    bindparam,
    case,
    delete,
    event,
    extract,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from .db import Base
from .human_tasks import HumanTaskModel, cast_table
from .views import TaskStatus

_CHANGED = "pheduyet.step_totals.changed"  # session.info: ids of the rows opened or closed
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


def note_task_changes(session: Session, opened: Iterable[str], closed: Iterable[str]) -> None:
    """The task rows this transaction opened and closed: counted into the totals when it
    commits, as they stand then."""
    changed: dict[str, set[str]] = session.info.setdefault(
        _CHANGED, {"opened": set(), "closed": set()}
    )
    changed["opened"].update(opened)
    changed["closed"].update(closed)


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
    """INSERT … SELECT … ON CONFLICT: add the changes of the listed rows to the totals. A listed
    row opened here (`opened`) and still open joins the open ones; one not opened here and now
    closed leaves them (it was open when the transaction listed it); one opened and closed
    here, or whose closing was rolled back, changes no open count. Every closed row that was
    completed adds to the completed ones."""
    task = HumanTaskModel
    listed = task.id.in_(bindparam("ids", expanding=True))
    opened = task.id.in_(bindparam("opened", expanding=True))
    is_open = task.status == TaskStatus.OPEN
    weight = case((opened & is_open, 1), (~opened & ~is_open, -1), else_=0)
    statement = _insert(dialect).from_select(_COLUMNS, _totals_of(dialect, listed, weight))
    new = statement.excluded
    added: Insert = statement.on_conflict_do_update(
        index_elements=["process_id", "element_id"],
        set_={
            name: _totals.c[name] + new[name]
            for name in ("open_count", "open_since_sum", "done_count", "done_seconds_sum")
        },
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
    changed = session.info.pop(_CHANGED, None)
    if not changed or not (changed["opened"] or changed["closed"]):
        return
    ids = sorted(changed["opened"] | changed["closed"])
    dialect = session.get_bind().dialect.name
    session.connection().execute(
        _add_statement(dialect), {"ids": ids, "opened": sorted(changed["opened"])}
    )


@event.listens_for(Session, "after_transaction_end")
def _forget_changes(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outer transaction: committed or rolled back
        session.info.pop(_CHANGED, None)
