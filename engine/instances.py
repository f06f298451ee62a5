"""The instance row: where a running item's state, version counter and next timer live."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    Text,
    Update,
    bindparam,
    func,
    inspect,
    null,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, make_transient_to_detached, mapped_column
from sqlalchemy.orm.attributes import manager_of_class, set_committed_value

from .audit import GENESIS, HEAD_COLUMNS, head_read
from .db import Base, UTCDateTime, cast_table, held_object, kept_for_the_transaction
from .directory_cache import TOKEN_COLUMN, token_read
from .driver_sql import run
from .errors import Conflict, NotFound
from .human_tasks import HumanTaskModel
from .views import InstanceStatus


class InstanceModel(Base):
    __tablename__ = "instances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default=InstanceStatus.RUNNING)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.username"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    audit_head: Mapped[str] = mapped_column(String(64), default=GENESIS)
    audit_count: Mapped[int] = mapped_column(default=0)
    version_counter: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_counter}  # noqa: RUF012
    # The listings' items by status, newest first (migration 0009); what reads items by status
    # alone serves itself from it (0029 dropped the index of status alone). The timers' index
    # of status and next timer is declared beside their query (engine.timers).
    __table_args__ = (Index("ix_instances_status_created", "status", "created_at", "id"),)


_LOCK = (
    select(InstanceModel)
    .where(InstanceModel.id == bindparam("instance_id"))
    .with_for_update()
    # The session may hold an older copy (read before the lock): the locked one counts.
    .execution_options(populate_existing=True)
)
# The item of a task row, locked, with the row itself (read fresh even if the session held
# it): on PostgreSQL both rows are locked, so an action that waited for another on the same
# item sees the task row as that one left it. Read by Core and made into the session's objects
# here (`_held`): the ORM's own loading costs twice the statement.
_INSTANCE_KEYS = tuple(attr.key for attr in InstanceModel.__mapper__.column_attrs)
_TASK_KEYS = tuple(attr.key for attr in HumanTaskModel.__mapper__.column_attrs)
_instances = cast_table(InstanceModel)
_tasks = cast_table(HumanTaskModel)


def _with_task(instance_keys: tuple[str, ...]) -> Select[Any]:
    return (
        select(
            *(InstanceModel.__mapper__.get_property(key).columns[0] for key in instance_keys),
            *(HumanTaskModel.__mapper__.get_property(key).columns[0] for key in _TASK_KEYS),
        )
        .join_from(_instances, _tasks, _tasks.c.instance_id == _instances.c.id)
        .where(_tasks.c.id == bindparam("task_id"))
    )


_WITH_TASK = _with_task(_INSTANCE_KEYS)
# Without the item's state (its workflow, tens of kB: the largest column by far), for a look at
# a task that runs nothing: the object loads it at first use, should anything read it.
_LOOK_KEYS = tuple(key for key in _INSTANCE_KEYS if key != "state")
_LOOK_WITH_TASK = _with_task(_LOOK_KEYS)
# With the directory's token as this transaction sees it (engine.directory_cache.token_read).
_LOCK_WITH_TASK = _WITH_TASK.add_columns(TOKEN_COLUMN).with_for_update()
# On SQLite, the audit chain's head too (see `head_read`): the commit need not read it again.
_LOCK_WITH_TASK_AND_HEAD = _LOCK_WITH_TASK.add_columns(*HEAD_COLUMNS)


def lock_instance(
    session: Session, instance_id: int, expected_version: int | None = None
) -> InstanceModel:
    """Take the instance row for this transaction (FOR UPDATE on PostgreSQL; on SQLite the
    transaction already holds the write lock from BEGIN IMMEDIATE)."""
    instance = session.scalars(_LOCK, {"instance_id": instance_id}).first()
    if instance is None:
        raise NotFound(f"item {instance_id} does not exist")
    return _checked(instance, expected_version)


def lock_instance_with_task(
    session: Session, task_id: str, expected_version: int | None = None, *, ahead: bool = False
) -> tuple[InstanceModel, HumanTaskModel] | None:
    """`lock_instance` for the item of a task row, and the row, in one statement; None when
    no such task. `ahead`: read ahead of the action on the task (a POST's check of the person's
    rights, under the lock it takes anyway): the action's own lock of it, if it is the next
    lock in the transaction, takes the rows read here instead of a second statement."""
    taken = _taken_ahead(session, _LOCKED_AHEAD, task_id)
    if taken is not None:
        instance, row = taken
        return _checked(instance, expected_version), row
    session.flush()  # as the ORM's query would: what the session holds is written first
    sqlite = session.get_bind().dialect.name == "sqlite"
    statement = _LOCK_WITH_TASK_AND_HEAD if sqlite else _LOCK_WITH_TASK
    found = run(session.connection(), statement, {"task_id": task_id}).first()
    if found is None:
        return None
    instance, row = _instance_and_task(session, found)
    end = len(_INSTANCE_KEYS) + len(_TASK_KEYS)
    token_read(session, found[end])
    if sqlite:
        head_read(session, found[end + 1], found[end + 2])
    if ahead:
        _keep_ahead(session, _LOCKED_AHEAD, (instance, row))
    return _checked(instance, expected_version), row


def instance_with_task(
    session: Session, task_id: str, *, state: bool = True, ahead: bool = False
) -> tuple[InstanceModel, HumanTaskModel] | None:
    """The item of a task row and the row, read together without a lock (a read transaction's
    look ahead of an action: see actions.rehearse_completion); None when no such task. Without
    `state`, the item's state is left unread (`_LOOK_WITH_TASK`). `ahead` (with the state):
    read for a rehearsal of the action on the task later in this read (a POST's check of the
    person's rights), whose own read, if it is the next in the transaction, takes these rows
    instead of a second statement."""
    taken = _taken_ahead(session, _READ_AHEAD, task_id)
    if state and taken is not None:
        return taken
    session.flush()  # as the ORM's query would: what the session holds is written first
    statement = _WITH_TASK if state else _LOOK_WITH_TASK
    found = run(session.connection(), statement, {"task_id": task_id}).first()
    if found is None:
        return None
    read = _instance_and_task(session, found, _INSTANCE_KEYS if state else _LOOK_KEYS)
    if ahead and state:
        _keep_ahead(session, _READ_AHEAD, read)
    return read


# session.info: (task id, its item and row) read ahead of the next read of the same kind in the
# transaction: under the item's lock, ahead of the action's lock; with the item's state, ahead
# of the rehearsal's read.
_LOCKED_AHEAD = "pheduyet.instances.locked_ahead"
_READ_AHEAD = "pheduyet.instances.read_ahead"
kept_for_the_transaction(_LOCKED_AHEAD)
kept_for_the_transaction(_READ_AHEAD)


def _keep_ahead(session: Session, key: str, read: tuple[InstanceModel, HumanTaskModel]) -> None:
    session.info[key] = (read[1].id, read)


def _taken_ahead(
    session: Session, key: str, task_id: str
) -> tuple[InstanceModel, HumanTaskModel] | None:
    """The rows kept under `key` for this task, if it is theirs. Taken out either way: they
    serve only the very next read of their kind, any other in between voids them."""
    kept = session.info.pop(key, None)
    return kept[1] if kept is not None and kept[0] == task_id else None


def _instance_and_task(
    session: Session, found: Any, keys: tuple[str, ...] = _INSTANCE_KEYS
) -> tuple[InstanceModel, HumanTaskModel]:
    count = len(keys)
    end = count + len(_TASK_KEYS)
    instance = _held(session, InstanceModel, dict(zip(keys, found[:count], strict=True)))
    row = _held(session, HumanTaskModel, dict(zip(_TASK_KEYS, found[count:end], strict=True)))
    return instance, row


def _held(session: Session, model: type[Any], values: dict[str, Any]) -> Any:
    """The session's object for this row, with the values just read as its stored ones (what
    the ORM's populate_existing does): the one it holds, else a new one made part of it."""
    held = held_object(session, model, values["id"])
    if held is not None:
        for key, value in values.items():
            set_committed_value(held, key, value)
        return held
    made = manager_of_class(model).new_instance()
    made.__dict__.update(values)
    make_transient_to_detached(made)  # persistent as loaded, once added: nothing to write
    session.add(made)
    return made


def _checked(instance: InstanceModel, expected_version: int | None) -> InstanceModel:
    instance_id = instance.id
    if expected_version is not None and instance.version_counter != expected_version:
        raise Conflict(
            f"item {instance_id} changed since you opened it "
            f"(version {expected_version}, now {instance.version_counter}): reload it",
            instance_id=instance_id,
            reason="item_changed",
        )
    return instance


# What an action may change on the item row; written in one prebuilt UPDATE (see save_instance).
_SAVED = (
    "title",
    "status",
    "updated_at",
    "ended_at",
    "state",
    "serializer_version",
    "data",
    "next_timer_at",
    "error",
    "audit_head",
    "audit_count",
)
_SAVED_SET = frozenset(_SAVED)
# Those the model's indexes hold (the migrations' composite indexes of the table are on the
# same columns): SQLite rewrites an index's entry whenever an UPDATE sets one of its columns, to
# the same value or not (four index pages written at every step for an item's unchanged status
# and timer), so these are set only when they changed. A migration that indexes another saved
# column should declare the index on the model too.
_INDEXED = frozenset(c.name for index in _instances.indexes for c in index.columns) & _SAVED_SET


@lru_cache(maxsize=64)
def _save_statement(columns: tuple[str, ...]) -> Update:
    return (
        update(_instances)
        .where(
            _instances.c.id == bindparam("b_id"),
            _instances.c.version_counter == bindparam("b_version"),
        )
        .values(
            {
                **{name: bindparam(f"b_{name}") for name in columns},
                "version_counter": bindparam("b_next"),
            }
        )
    )


def save_instance(session: Session, instance: InstanceModel) -> None:
    """Write the item row as the action left it, moving its version counter by one, in one
    prebuilt UPDATE that checks the counter (as the ORM's version_id_col would, for less).
    Inside a savepoint the ORM writes it instead, so that a rollback to the savepoint restores
    the row object as it does for every other (the timer worker fires each item in one)."""
    state = inspect(instance)
    if session.in_nested_transaction() or not _SAVED_SET.issuperset(state.committed_state):
        # (A column the UPDATE below does not write changed: the ORM writes the row.)
        session.flush()
        return
    version = instance.version_counter
    committed = state.committed_state
    values = {
        name: getattr(instance, name)
        for name in _SAVED
        if name not in _INDEXED
        or (name in committed and committed[name] != getattr(instance, name))
    }
    result = run(
        session.connection(),
        _save_statement(tuple(values)),
        {
            "b_id": instance.id,
            "b_version": version,
            "b_next": version + 1,
            **{f"b_{name}": value for name, value in values.items()},
        },
    )
    if result.rowcount != 1:
        raise Conflict(
            f"item {instance.id} was changed by someone else meanwhile: try again",
            reason="item_changed",
            instance_id=instance.id,
        )
    set_committed_value(instance, "version_counter", version + 1)
    # The row object now holds what is stored: mark it clean (what a flush does after its
    # UPDATE), so the commit's flush has nothing to do.
    state._commit_all(state.dict, session.identity_map)


def item_status(session: Session, instance_id: int) -> str:
    """An item's status after an action on it: the row the action holds (no statement), else
    the one column (never the item's view with its history, for a word)."""
    held = held_object(session, InstanceModel, instance_id)
    if held is not None:
        return str(held.status)
    found = run(session.connection(), _STATUS, {"id": instance_id}).first()
    if found is None:
        raise NotFound(f"item {instance_id} does not exist")
    return str(found[0])


_STATUS = select(_instances.c.status).where(_instances.c.id == bindparam("id"))


def require_running(instance: InstanceModel) -> None:
    if instance.status != InstanceStatus.RUNNING:
        raise Conflict(
            f"item {instance.id} is {instance.status}: nothing more can be done on it",
            reason="item_not_running",
            instance_id=instance.id,
            item_status=instance.status,
        )


def data_text(keys: tuple[str, ...]) -> Any:
    """SQL for the first of these keys of an item's data that it holds, as text (NULL when
    none): an item's whole wording where its title is cut (`TaskSource.content_keys`)."""
    found = [InstanceModel.data[key].as_string() for key in keys]
    if not found:
        return null()
    return found[0] if len(found) == 1 else func.coalesce(*found)
