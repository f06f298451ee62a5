"""Open human tasks in their own indexed table, so inboxes and "where is it stuck" never load
workflow state. Completed rows stay, to say who handled a task and when.

Who may act on a task is kept twice, for two questions: `task_candidates` holds the candidates
of open tasks only (its rows go when the task closes), so the inbox never wades through
history; `item_candidates` keeps every candidate any step of an item ever had, for "who may
see this item". Task and candidate rows are written here, with bulk Core statements (an action
writes its rows in a few statements, whatever the item's history); the database keeps the two
candidate tables in step by itself (migration 0025's triggers): a task row that closes drops its
candidate rows, and each candidate row is kept for its item."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy import (
    JSON,
    ColumnElement,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    Update,
    and_,
    bindparam,
    desc,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from .db import Base, UTCDateTime, cast_table, held_object, kept_for_the_transaction, one_or_many
from .driver_sql import run
from .errors import Conflict, Forbidden, NotFound
from .events import TaskOpened, has_listeners, publish
from .users import Identity
from .views import TaskStatus, TaskView


class HumanTaskModel(Base):
    __tablename__ = "human_tasks"
    __table_args__ = (
        Index("ix_human_tasks_status_due", "status", "due_at"),
        # A person's held tasks, in the inbox's order (engine.inbox; migration 0012).
        Index(
            "ix_human_tasks_assignee_urgency",
            "assignee",
            "status",
            "due_at",
            desc("created_at"),
            "id",
        ),
        # Theo dõi's keyset page of open steps and its step statistics (migration 0009); what
        # reads open steps by their opening serves itself from it too (0029 dropped the narrower
        # index of status and created_at).
        Index("ix_human_tasks_status_created_item", "status", "created_at", "instance_id", "id"),
        # Theo dõi by unit: a person's held steps in the page's order (migration 0021).
        Index(
            "ix_human_tasks_assignee_created",
            "assignee",
            "status",
            "created_at",
            "instance_id",
            "id",
        ),
        Index("ix_human_tasks_process_element", "process_id", "element_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200), index=True)
    meta_key: Mapped[str] = mapped_column(String(400))
    title: Mapped[str] = mapped_column(String(500))
    lane: Mapped[str | None] = mapped_column(String(200))
    candidate_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    candidate_users: Mapped[list[str]] = mapped_column(JSON, default=list)
    process_assignee: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(100))
    decision: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)


class TaskCandidateModel(Base):
    """Who may act on an open task when nobody holds it: one row per lower-cased group or user
    name, so the inbox is one indexed query on every database. The task's sort keys (due_at,
    created_at) are copied here, so each of a person's keys is read in the inbox's order from
    ix_task_candidates_urgency (migration 0012); an open task's keys never change (a task is
    closed and a new one opened when its step restarts, e.g. an extension)."""

    __tablename__ = "task_candidates"
    __table_args__ = (
        Index(
            "ix_task_candidates_urgency", "kind", "value", "due_at", desc("created_at"), "task_id"
        ),
        # Theo dõi by unit: a group's steps in the page's order (migration 0021).
        Index(
            "ix_task_candidates_created", "kind", "value", "created_at", "instance_id", "task_id"
        ),
    )

    task_id: Mapped[str] = mapped_column(
        ForeignKey("human_tasks.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Nullable only because migration 0012 added it to existing rows (and filled it); the write
    # path always sets it.
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    instance_id: Mapped[int | None] = mapped_column()  # the task's item (migration 0021)


class ItemCandidateModel(Base):
    """Everyone who is or was a candidate of some step of an item (lower-cased, like
    `task_candidates`): they may see the item, even once the step is done."""

    __tablename__ = "item_candidates"
    __table_args__ = (Index("ix_item_candidates_kind_value", "kind", "value"),)

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("instances.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


_Name = TypeVar("_Name")


def waiting_for(
    groups: Sequence[_Name], people: Sequence[_Name], lane: _Name | None, started_by: _Name
) -> tuple[list[_Name], list[_Name]]:
    """Whom a step nobody holds waits for, as groups and as people: its candidate groups and
    people, else its lane's group, else the person who started the item. One rule for the
    candidate rows (`effective_candidates`, by key) and for the pages that name them (by
    name, engine callers' own look-ups)."""
    if groups or people:
        return list(groups), list(people)
    if lane:
        return [lane], []
    return [], [started_by]


def effective_candidates(
    candidate_groups: list[str],
    candidate_users: list[str],
    lane: str | None,
    started_by: str,
) -> list[tuple[str, str]]:
    """The candidate rows' (kind, lower-cased key) pairs, by `waiting_for`'s rule."""
    groups, users = waiting_for(
        candidate_groups, candidate_users, lane.strip() if lane else None, started_by
    )
    return [("group", g.lower()) for g in groups] + [("user", u.lower()) for u in users]


_tasks = cast_table(HumanTaskModel)
_candidates = cast_table(TaskCandidateModel)
# Built once: an action runs them with new values only (no statement built per call).
_INSERT_TASKS = insert(_tasks)
_INSERT_CANDIDATES = insert(_candidates)
# An IN list of bound values, one statement built (and compiled) per length up to
# _LISTED_IDS: an action names one to a few task ids, and an expanding IN would be rendered
# again at every call. Longer lists (a wide multi-instance step) take the expanding one.
_LISTED_IDS = 8


def _ids_in(column: Any, count: int) -> ColumnElement[bool]:
    if count > _LISTED_IDS:
        return cast(ColumnElement[bool], column.in_(bindparam("ids", expanding=True)))
    return cast(ColumnElement[bool], column.in_([bindparam(f"id{i}") for i in range(count)]))


def _ids_params(ids: Collection[str]) -> dict[str, Any]:
    ordered = sorted(ids)
    if len(ordered) > _LISTED_IDS:
        return {"ids": ordered}
    return {f"id{i}": task_id for i, task_id in enumerate(ordered)}


@lru_cache(maxsize=_LISTED_IDS + 2)
def _open_or_known(count: int) -> Select[Any]:
    open_rows = and_(
        _tasks.c.instance_id == bindparam("instance_id"), _tasks.c.status == TaskStatus.OPEN
    )
    return select(
        _tasks.c.id,
        _tasks.c.status,
        _tasks.c.process_id,
        _tasks.c.element_id,
        _tasks.c.title,
        _tasks.c.created_at,
    ).where(or_(open_rows, _ids_in(_tasks.c.id, count)) if count else open_rows)


_CANDIDATES_OF = select(_candidates.c.kind, _candidates.c.value).where(
    _candidates.c.task_id == bindparam("task_id")
)


def open_and_known(
    session: Session, instance_id: int, task_ids: Collection[str]
) -> tuple[dict[str, OpenRow], set[str]]:
    """(the item's open task rows by id, ids of every row among `task_ids` or open): one
    query, whatever the item's history."""
    open_rows: dict[str, OpenRow] = {}
    known: set[str] = set()
    statement = _open_or_known(min(len(task_ids), _LISTED_IDS + 1))
    params = {"instance_id": instance_id, **_ids_params(task_ids)}
    for task_id, status, process_id, element_id, title, created_at in run(
        session.connection(), statement, params
    ):
        known.add(task_id)
        if status == TaskStatus.OPEN:
            open_rows[task_id] = OpenRow(process_id, element_id, title, created_at)
    return open_rows, known


class OpenRow(NamedTuple):
    """What the step totals need of an open task row that is about to close."""

    process_id: str
    element_id: str
    title: str
    created_at: datetime


class TaskRows(NamedTuple):
    """An item's task rows as an action left them, as `open_and_known` would read them for
    the next one: its open rows, and the ids of every row (open or closed) of its READY tasks
    and open rows."""

    open: Mapping[str, OpenRow]
    known: frozenset[str]


def insert_tasks(session: Session, rows: Sequence[Mapping[str, Any]], started_by: str) -> None:
    """New open task rows (dicts of HumanTaskModel's columns) with their candidate rows: two
    statements however many rows (the item keeps each candidate by itself: migration 0025's
    trigger)."""
    if not rows:
        return
    connection = session.connection()
    run(connection, _INSERT_TASKS, one_or_many(rows), later=True)
    opened: dict[int, list[TaskView]] = session.info.setdefault(_OPENED, {})
    for row in rows:
        opened.setdefault(row["instance_id"], []).append(task_view(SimpleNamespace(**row)))
    candidates: dict[tuple[str, str, str], Mapping[str, Any]] = {}
    listened = has_listeners(session)
    for row in rows:
        pairs = effective_candidates(
            row["candidate_groups"], row["candidate_users"], row["lane"], started_by
        )
        for kind, value in pairs:
            candidates[(row["id"], kind, value)] = row
        if listened:
            publish(session, _opened(row, pairs))
    run(
        connection,
        _INSERT_CANDIDATES,
        one_or_many(
            [
                {
                    "task_id": t,
                    "kind": k,
                    "value": v,
                    "due_at": row.get("due_at"),
                    "created_at": row["created_at"],
                    "instance_id": row["instance_id"],
                }
                for (t, k, v), row in candidates.items()
            ]
        ),
        later=True,
    )


def opened_tasks(session: Session, instance_id: int) -> list[TaskView]:
    """The steps this transaction's actions opened on the item, in the order they opened, as
    their rows were written (no statement): where the person who acted is told the item went,
    without reading its open steps back. Empty after any rollback in the transaction."""
    opened: dict[int, list[TaskView]] = session.info.get(_OPENED, {})
    return list(opened.get(instance_id, ()))


# session.info: item id -> the task rows this transaction opened (`opened_tasks`). Any
# rollback, a savepoint's too, may have undone some of them: none is known then (the caller
# reads the item's open steps instead).
_OPENED = "pheduyet.human_tasks.opened"
kept_for_the_transaction(_OPENED)


def _opened(row: Mapping[str, Any], candidates: list[tuple[str, str]]) -> TaskOpened:
    return TaskOpened(
        instance_id=row["instance_id"],
        task_id=row["id"],
        process_id=row["process_id"],
        element_id=row["element_id"],
        title=row["title"],
        candidates=tuple(candidates),
        assignee=row.get("assignee"),
        created_at=row["created_at"],
        due_at=row.get("due_at"),
    )


def close_tasks(
    session: Session,
    task_ids: Collection[str],
    values: Mapping[str, Any],
    held: Iterable[HumanTaskModel] = (),
) -> None:
    """Close open task rows (completed or cancelled: `values` has the status) in one prebuilt
    UPDATE; their candidate rows go with them (migration 0025's trigger), as closed tasks
    leave the inbox's candidate table (their item keeps its candidates). The rows in `held`,
    and any other the session holds, take the new values as stored ones."""
    if not task_ids:
        return
    params = {f"new_{key}": value for key, value in values.items()}
    statement = _close_statement(tuple(sorted(values)))
    rows = [{"b_id": task_id, **params} for task_id in sorted(task_ids)]
    run(session.connection(), statement, one_or_many(rows), later=True)
    held_rows = {row.id: row for row in held}
    for task_id in task_ids:
        row = held_rows.get(task_id)
        if row is None:
            row = held_object(session, HumanTaskModel, task_id)
        if row is not None:
            for key, value in values.items():
                set_committed_value(row, key, value)


@lru_cache(maxsize=16)
def _close_statement(columns: tuple[str, ...]) -> Update:
    return (
        update(_tasks)
        .where(_tasks.c.id == bindparam("b_id"))
        .values({c: bindparam(f"new_{c}") for c in columns})
    )


def candidate_is(
    who: Identity, model: type[TaskCandidateModel | ItemCandidateModel] = TaskCandidateModel
) -> ColumnElement[bool]:
    """SQL: this candidate row (of a task, or of an item) names the person or one of their
    groups (the query twin of the candidate check in `may_act`)."""
    return or_(
        and_(model.kind == "user", model.value == who.username.lower()),
        and_(model.kind == "group", model.value.in_(sorted(who.match_names))),
    )


def is_candidate(task: HumanTaskModel | TaskView, who: Identity, started_by: str) -> bool:
    """Whether the person is among the task's candidates (the rule its candidate rows were
    written by), read from the row itself: it holds for a closed task too."""
    pairs = effective_candidates(task.candidate_groups, task.candidate_users, task.lane, started_by)
    return _any_is(pairs, who)


def _any_is(pairs: Iterable[tuple[str, str]], who: Identity) -> bool:
    name = who.username.lower()
    for kind, value in pairs:
        if kind == "user" and value == name:
            return True
        if kind == "group" and who.matches_group(value):
            return True
    return False


def may_act(
    session: Session, task: HumanTaskModel | TaskView, who: Identity, started_by: str | None = None
) -> bool:
    """Whether the person may act on this open task now: its holder, else a candidate. With
    `started_by` (the item's starter) nothing is read from the database."""
    if task.assignee:
        return task.assignee == who.username
    if started_by is not None:
        return is_candidate(task, who, started_by)
    rows = session.execute(_CANDIDATES_OF, {"task_id": task.id})
    return _any_is(((kind, value) for kind, value in rows), who)


def get_task_row(session: Session, task_id: str) -> HumanTaskModel:
    task = session.get(HumanTaskModel, task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    return task


def require_open(task: HumanTaskModel) -> None:
    """Conflict (reason `already_handled`, or `task_not_open` for a step the process closed)
    unless the task is open."""
    if task.status == TaskStatus.COMPLETED:
        at = task.completed_at.isoformat(timespec="seconds") if task.completed_at else "?"
        raise Conflict(
            f"task '{task.title}' was already handled by {task.completed_by} at {at}",
            reason="already_handled",
            task_id=task.id,
            handled_by=task.completed_by,
            handled_at=at,
        )
    if task.status != TaskStatus.OPEN:
        raise Conflict(
            f"task '{task.title}' is {task.status}",
            reason="task_not_open",
            task_id=task.id,
            task_status=task.status,
        )


def require_may_act(
    session: Session, task: HumanTaskModel, who: Identity, started_by: str | None = None
) -> None:
    if not may_act(session, task, who, started_by):
        holder = f"it is held by {task.assignee}" if task.assignee else "it is not yours"
        raise Forbidden(
            f"{who.username} may not act on task '{task.title}': {holder}", task_id=task.id
        )


def task_view(task: Any) -> TaskView:
    """A task row as callers see it: the ORM object or a plain row of the same columns."""
    return TaskView(
        id=task.id,
        instance_id=task.instance_id,
        process_id=task.process_id,
        element_id=task.element_id,
        title=task.title,
        lane=task.lane,
        candidate_groups=list(task.candidate_groups or []),
        candidate_users=list(task.candidate_users or []),
        assignee=task.assignee,
        status=task.status,
        created_at=task.created_at,
        due_at=task.due_at,
    )
