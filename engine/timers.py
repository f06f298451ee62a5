"""The timer worker: fires due timers, each exactly once, however many workers run.

Each instance is fired in its own transaction. PostgreSQL workers skip rows another worker holds
(FOR UPDATE SKIP LOCKED); SQLite workers queue on BEGIN IMMEDIATE and re-read the due time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from .audit import append_event
from .db import transaction
from .definitions import load_version
from .errors import ScriptError
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


def _next_due(
    session: Session, config: EngineConfig, skip: list[int]
) -> InstanceModel | None:
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
    now = config.clock()
    version = load_version(session, instance.process_version_id)
    workflow = load_workflow(instance, version, config)
    waiting = {t.id: (t, _timer_value(t)) for t in workflow.event_manager.tasks.values()}
    try:
        with spiff_errors():
            workflow.refresh_timers()
            workflow.do_engine_steps()
    except ScriptError as error:
        record_error(session, instance, error, now)
        return
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
    """When a waiting timer is next due; a cycle timer's moves on each time it fires."""
    details = task.task_spec.event_definition.details(task)
    return details.value if "Timer" in details.event_type else None
