"""The timer worker: fires due timers in batches, each exactly once, however many workers run.

A round locks a batch of due instances (PostgreSQL: FOR UPDATE SKIP LOCKED, so workers share
the load instead of queueing), fires each in its own savepoint and commits the batch. SQLite has
no row locks: its writers queue on BEGIN IMMEDIATE and each batch is read under that lock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, select, tuple_
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .audit import append_event
from .db import transaction
from .definitions import load_version
from .errors import EngineError, ScriptError
from .instances import InstanceModel
from .ready_tasks import run_engine_steps
from .runtime import EngineConfig, load_workflow, persist, record_error, spiff_errors
from .spiff_arena import acting
from .subscriptions import timer_values
from .views import InstanceStatus

DEFAULT_BATCH = 50

# The batch query walks this index in order and stops after a batch: its cost does not grow
# with the number of items, finished or due. Declared here, beside the one query that needs it
# (migration 0008 creates it); `id` is spelled out because PostgreSQL indexes do not carry it.
DUE_INDEX = Index(
    "ix_instances_status_next_timer",
    InstanceModel.status,
    InstanceModel.next_timer_at,
    InstanceModel.id,
)


def run_due_timers(
    factory: sessionmaker[Session],
    config: EngineConfig,
    limit: int | None = None,
    *,
    batch_size: int = DEFAULT_BATCH,
) -> int:
    """Fire the timers due when the call starts; returns how many instances were handled
    (fired, or parked in 'error'). `limit` caps that number; `batch_size` instances share one
    transaction.

    Each instance is handled at most once per call, so a timer that stays due (a cycle far
    behind the clock, an instance whose due time does not move) cannot keep a worker busy
    forever. The call walks the due instances in (next_timer_at, id) order with a cursor: a
    batch takes only rows after the cursor and due by the moment the call started, and the
    cursor then moves past the whole batch. A row the call fired can come back ahead of the
    cursor only with a later due time; it is then recognised and left alone (its id is
    remembered in memory, never sent to the database), and the cursor passes it again. So the
    query keeps a fixed size and every round moves forward.

    Exactly once across workers: on PostgreSQL a batch is locked with FOR UPDATE SKIP LOCKED,
    and the due condition is checked again on the row's newest version once it is locked (READ
    COMMITTED), so a row another worker fired meanwhile is no longer due. On SQLite every write
    transaction starts with BEGIN IMMEDIATE: the batch is read while holding the database's one
    write lock, after the previous worker's commit. A row skipped because someone else held it
    is left for the next call.
    """
    started = config.clock()
    handled: set[int] = set()
    cursor: tuple[datetime, int] | None = None
    while limit is None or len(handled) < limit:
        take = batch_size if limit is None else min(batch_size, limit - len(handled))
        with transaction(factory) as session:
            batch = _due_batch(session, started, cursor, take)
            if not batch:
                break
            # Read before firing: firing moves an instance's due time.
            cursor = _key(batch[-1])
            for instance in batch:
                if instance.id in handled:
                    continue  # fired earlier in this call: its next occurrence waits
                handled.add(instance.id)
                fire_instance(session, config, instance)
    return len(handled)


def _key(instance: InstanceModel) -> tuple[datetime, int]:
    assert instance.next_timer_at is not None  # the batch holds due instances only
    return (instance.next_timer_at, instance.id)


def _due_batch(
    session: Session, started: datetime, cursor: tuple[datetime, int] | None, size: int
) -> list[InstanceModel]:
    query = (
        select(InstanceModel)
        .where(
            InstanceModel.status == InstanceStatus.RUNNING,
            InstanceModel.next_timer_at <= started,
        )
        .order_by(InstanceModel.next_timer_at, InstanceModel.id)
        .limit(size)
        .with_for_update(skip_locked=True)
    )
    if cursor is not None:
        query = query.where(tuple_(InstanceModel.next_timer_at, InstanceModel.id) > cursor)
    return list(session.scalars(query))


def fire_instance(session: Session, config: EngineConfig, instance: InstanceModel) -> None:
    """Fire what is due on one locked instance. Whatever fails on the way (a script, an owner or
    due-date expression of the next task, the stored state) is undone to a savepoint and parks
    the instance in status 'error' with its message, so one bad item never stops the worker nor
    comes back on every run."""
    now = config.clock()
    try:
        with session.begin_nested():
            _fire(session, config, instance, now)
    except (DataError, IntegrityError) as error:
        # The item's own data cannot be stored: it would fail the same way on every run.
        record_error(session, instance, ScriptError(f"the item cannot be saved: {error.orig}"), now)
    except SQLAlchemyError:
        raise  # the database, not the item: let the whole transaction fail and retry later
    except EngineError as error:
        record_error(session, instance, _as_script_error(error), now)
    except Exception as error:  # a library bug on one item must not stop the rest
        record_error(session, instance, ScriptError(f"{type(error).__name__}: {error}"), now)


def _as_script_error(error: EngineError) -> ScriptError:
    if isinstance(error, ScriptError):
        return error
    return ScriptError(error.message, element_id=error.details.get("element_id"))


def _fire(session: Session, config: EngineConfig, instance: InstanceModel, now: datetime) -> None:
    version = load_version(session, instance.process_version_id)
    workflow = load_workflow(instance, version, config)
    waiting = {t.id: (t, _timer_value(t)) for t in workflow.event_manager.tasks.values()}
    with spiff_errors(), acting(session, None, instance):
        workflow.refresh_timers()
        run_engine_steps(workflow)
    after = workflow.event_manager.tasks
    for task_id, (task, value) in waiting.items():
        if value is not None and (task_id not in after or _timer_value(after[task_id]) != value):
            append_event(
                session,
                instance,
                at=now,
                actor=None,
                kind="timer_fired",
                element_id=task.task_spec.bpmn_id,
                details={"name": task.task_spec.bpmn_name},
            )
    persist(session, config, instance, version, workflow, None)


def _timer_value(task: Any) -> Any:
    """When a waiting timer is next due; a cycle timer's moves on each time it fires. Checked by
    class, not by name: a timeDate timer's type name ('...TimeDateEventDefinition') has no
    'Timer' in it."""
    values = tuple(timer_values(task))  # an event-based gateway's timers too
    return values or None
