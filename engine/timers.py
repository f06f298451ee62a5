"""The timer worker: fires due timers, each exactly once, however many workers run.

Each instance is fired in its own transaction. PostgreSQL workers skip rows another worker holds
(FOR UPDATE SKIP LOCKED); SQLite workers queue on BEGIN IMMEDIATE and re-read the due time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .audit import append_event
from .db import transaction
from .definitions import load_version
from .errors import EngineError, ScriptError
from .instances import InstanceModel
from .runtime import EngineConfig, load_workflow, persist, record_error, spiff_errors
from .views import InstanceStatus


def run_due_timers(
    factory: sessionmaker[Session], config: EngineConfig, limit: int | None = None
) -> int:
    """Fire every timer due by the config's clock; returns how many instances were handled.

    An instance is handled at most once per call, so a timer that keeps coming due (a cycle far
    behind the clock) cannot keep a worker busy forever.
    """
    handled: list[int] = []
    while limit is None or len(handled) < limit:
        with transaction(factory) as session:
            instance = _next_due(session, config, handled)
            if instance is None:
                break
            handled.append(instance.id)
            fire_instance(session, config, instance)
    return len(handled)


def _next_due(session: Session, config: EngineConfig, skip: list[int]) -> InstanceModel | None:
    query = (
        select(InstanceModel)
        .where(
            InstanceModel.status == InstanceStatus.RUNNING,
            InstanceModel.next_timer_at <= config.clock(),
        )
        .order_by(InstanceModel.next_timer_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if skip:
        query = query.where(InstanceModel.id.not_in(skip))
    return session.scalars(query).first()


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
    with spiff_errors():
        workflow.refresh_timers()
        workflow.do_engine_steps()
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
    definition = task.task_spec.event_definition
    if not isinstance(definition, TimerEventDefinition):
        return None
    return definition.details(task).value
