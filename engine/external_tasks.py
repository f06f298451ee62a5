"""External tasks, as Camunda's external task clients use them: a service task
`camunda:type="external" camunda:topic="NAME"` whose topic no handler in the services module
takes waits for an outside worker (a row of `external_rows.ExternalTaskModel`). A worker
fetches and locks tasks of its topics for a while, then completes one with variables (the item
goes on in the same transaction) or reports a failure: with retries left the task is free again
after the retry timeout; with none the item is parked in error like a failed service call, and
`retry_instance` runs the external task again (a new row, waiting for a worker).

Only the worker holding a task's lock may complete it, fail it or extend its lock; a lock that
has run out lets another worker fetch the task (the first one's completion is then refused).
Functions take the caller's session and never commit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from .audit import append_event
from .definitions import LoadedVersion, load_version
from .errors import Conflict, InvalidData, InvalidInput, NotFound, ScriptError
from .event_subprocesses import catcher
from .external_rows import ExternalTaskModel
from .instances import InstanceModel, lock_instance
from .ready_tasks import run_engine_steps
from .runtime import EngineConfig, load_workflow, persist, record_error, spiff_errors
from .thrown_errors import MAX_ERROR_CODE, WorkerError, catch_at
from .views import InstanceStatus

__all__ = [
    "ExternalTaskView",
    "LockedExternalTask",
    "bpmn_error_external",
    "complete_external",
    "extend_lock",
    "fail_external",
    "fetch_and_lock",
    "list_external_tasks",
]

MAX_TASKS = 100
MAX_LOCK_SECONDS = 24 * 3600
MAX_MESSAGE = 2000
MAX_WORKER_ID = 200


@dataclass(frozen=True)
class ExternalTaskView:
    id: str
    item_id: int
    process_id: str
    element_id: str
    topic: str
    created_at: datetime
    worker_id: str | None
    lock_expires_at: datetime | None
    retries: int | None
    error_message: str | None


@dataclass(frozen=True)
class LockedExternalTask:
    """A task fetched for a worker, with the variables it works on: the item's data and the
    task's input parameters (which win over the item's of the same name, as local variables
    do in Camunda)."""

    task: ExternalTaskView
    variables: dict[str, Any]


def _view(row: ExternalTaskModel) -> ExternalTaskView:
    return ExternalTaskView(
        id=row.id,
        item_id=row.instance_id,
        process_id=row.process_id,
        element_id=row.element_id,
        topic=row.topic,
        created_at=row.created_at,
        worker_id=row.worker_id,
        lock_expires_at=row.lock_expires_at,
        retries=row.retries,
        error_message=row.error_message,
    )


def _check_worker(worker_id: str) -> str:
    return _one_word(worker_id, "a worker id", MAX_WORKER_ID, "worker_id_invalid")


def _worker_message(message: str | None) -> str:
    """What a worker says of a failure or an error, as stored: cut to MAX_MESSAGE; a NUL
    character (which PostgreSQL cannot store) refused."""
    message = (message or "").strip()[:MAX_MESSAGE]
    if "\x00" in message:
        raise InvalidData("a worker's message holds a NUL character", reason="nul_character")
    return message


def _one_word(value: str, what: str, limit: int, reason: str) -> str:
    """A worker's name for something (its id, an error code): 1 to `limit` characters."""
    value = (value or "").strip()
    if not value or len(value) > limit:
        raise InvalidInput(f"{what} has 1 to {limit} characters", reason=reason, limit=limit)
    return value


def _check_seconds(seconds: float, what: str, minimum: float) -> timedelta:
    if not minimum <= seconds <= MAX_LOCK_SECONDS:
        raise InvalidInput(
            f"{what} is between {minimum:g} and {MAX_LOCK_SECONDS} seconds",
            reason=f"{what}_out_of_range",
            limit=MAX_LOCK_SECONDS,
        )
    return timedelta(seconds=seconds)


def fetch_and_lock(
    session: Session,
    worker_id: str,
    topics: Sequence[str],
    max_tasks: int,
    lock_seconds: float,
    now: datetime,
) -> list[LockedExternalTask]:
    """Lock for `worker_id` up to `max_tasks` free tasks of these topics (never locked, or their
    lock or retry timeout has run out; of running items), the oldest first, for `lock_seconds`.
    On PostgreSQL the rows are taken FOR UPDATE SKIP LOCKED, so two workers fetching at once
    never get the same task; on SQLite the write transaction already holds the one lock."""
    worker_id = _check_worker(worker_id)
    lock = _check_seconds(lock_seconds, "lock_duration", 1)
    if not 1 <= max_tasks <= MAX_TASKS:
        raise InvalidInput(
            f"fetch 1 to {MAX_TASKS} tasks at a time", reason="max_tasks_out_of_range"
        )
    names = sorted({t.strip() for t in topics if t and t.strip()})
    if not names:
        return []
    query = (
        select(ExternalTaskModel)
        .join(InstanceModel, InstanceModel.id == ExternalTaskModel.instance_id)
        .where(
            ExternalTaskModel.topic.in_(names),
            InstanceModel.status == InstanceStatus.RUNNING,
            or_(
                ExternalTaskModel.lock_expires_at.is_(None),
                ExternalTaskModel.lock_expires_at <= now,
            ),
            or_(ExternalTaskModel.retries.is_(None), ExternalTaskModel.retries > 0),
        )
        .order_by(ExternalTaskModel.created_at, ExternalTaskModel.id)
        .limit(max_tasks)
        .with_for_update(skip_locked=True, of=ExternalTaskModel)
    )
    rows = list(session.scalars(query))
    data: dict[int, Any] = {}
    if rows:
        found = select(InstanceModel.id, InstanceModel.data).where(
            InstanceModel.id.in_({r.instance_id for r in rows})
        )
        data = {item_id: values for item_id, values in session.execute(found)}
    locked = []
    for row in rows:
        row.worker_id = worker_id
        row.lock_expires_at = now + lock
        variables = {**(data.get(row.instance_id) or {}), **(row.inputs or {})}
        locked.append(LockedExternalTask(_view(row), variables))
    session.flush()
    return locked


def _held(session: Session, task_id: str, worker_id: str, now: datetime) -> ExternalTaskModel:
    """The task's row, locked for this transaction, if `worker_id` holds its lock."""
    row = session.scalars(
        select(ExternalTaskModel).where(ExternalTaskModel.id == _uuid(task_id)).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"external task {task_id} does not exist")
    if row.worker_id != worker_id or row.lock_expires_at is None:
        raise Conflict(
            f"external task {task_id} is not locked by worker '{worker_id}'",
            reason="lock_not_held",
            locked_by=row.worker_id,
            lock_expires_at=row.lock_expires_at.isoformat() if row.lock_expires_at else None,
        )
    return row


def _uuid(task_id: str) -> str:
    try:
        return str(UUID(str(task_id)))
    except ValueError as exc:
        raise NotFound(f"external task {task_id} does not exist") from exc


def _variables(variables: Any) -> dict[str, Any]:
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise InvalidData("variables must be a JSON object of names and values")
    bad = {
        str(name): "not a valid variable name"
        for name in variables
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_")
    }
    if bad:
        raise InvalidData(
            "some variable names are not allowed", bad, {n: {"code": "invalid"} for n in bad}
        )
    try:
        text = json.dumps(variables, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InvalidData(f"variables that cannot be stored as JSON: {exc}") from exc
    if "\\u0000" in text:
        raise InvalidData("a variable holds a NUL character", reason="nul_character")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _locked_item(
    session: Session, config: EngineConfig, row: ExternalTaskModel
) -> tuple[InstanceModel, LoadedVersion, Any, Any]:
    """The row's item, locked and still running (else 409 `not_running`), its version, its
    workflow and the task waiting for the worker."""
    instance = lock_instance(session, row.instance_id)
    if instance.status != InstanceStatus.RUNNING:
        raise Conflict(
            f"item {instance.id} is {instance.status}",
            reason="not_running",
            instance_id=instance.id,
        )
    version = load_version(session, instance.process_version_id)
    workflow = load_workflow(instance, version, config)
    return instance, version, workflow, _waiting_task(workflow, row)


def _waiting_task(workflow: Any, row: ExternalTaskModel) -> Any:
    task = workflow.get_task_from_id(UUID(row.spiff_task_id))
    if task is None or task.state != TaskState.STARTED:
        raise Conflict(f"external task {row.id} is no longer waiting", reason="external_task_gone")
    return task


def complete_external(
    session: Session,
    config: EngineConfig,
    task_id: str,
    worker_id: str,
    variables: dict[str, Any] | None,
    *,
    actor: str | None = None,
) -> int:
    """Complete the task held by `worker_id` with `variables` set on the item, and run the item
    on in this transaction; returns the item's id."""
    now = config.clock()
    clean = _variables(variables)
    row = _held(session, task_id, _check_worker(worker_id), now)
    instance, version, workflow, task = _locked_item(session, config, row)
    append_event(
        session,
        instance,
        at=now,
        actor=actor,
        kind="external_completed",
        element_id=row.element_id,
        details={"topic": row.topic, "worker": row.worker_id, "variables": sorted(clean)},
    )
    session.execute(delete(ExternalTaskModel).where(ExternalTaskModel.id == row.id))
    with spiff_errors():
        task.data.update(clean)
        task.complete()
        run_engine_steps(workflow)
    persist(session, config, instance, version, workflow, actor)
    return instance.id


def fail_external(
    session: Session,
    config: EngineConfig,
    task_id: str,
    worker_id: str,
    message: str,
    retries: int,
    retry_timeout: float,
    *,
    actor: str | None = None,
) -> str:
    """The worker could not do the task. With `retries` left it is free to fetch again once
    `retry_timeout` seconds have passed; with none the item is parked in error with the
    message (an incident: `retry_instance` runs the task again). Returns 'retry' or
    'incident'."""
    now = config.clock()
    message = _worker_message(message) or "the external worker failed"
    if retries < 0:
        raise InvalidInput("retries cannot be negative", reason="retries_negative")
    pause = _check_seconds(retry_timeout, "retry_timeout", 0)
    row = _held(session, task_id, _check_worker(worker_id), now)
    if retries > 0:
        row.retries = retries
        row.error_message = message
        row.worker_id = None
        row.lock_expires_at = now + pause if pause else None
        session.flush()
        return "retry"
    instance, version, workflow, task = _locked_item(session, config, row)
    task.error()  # retry_instance puts it back to ready, and it waits for a worker again
    error = ScriptError(
        f"the external task '{row.topic}' failed: {message}", element_id=row.element_id
    )
    error.details.update(reason="external_failed", key=f"topic:{row.topic}")
    session.execute(delete(ExternalTaskModel).where(ExternalTaskModel.id == row.id))
    record_error(session, instance, error, now)
    persist(session, config, instance, version, workflow, actor)
    return "incident"


def bpmn_error_external(
    session: Session,
    config: EngineConfig,
    task_id: str,
    worker_id: str,
    error_code: str,
    error_message: str | None,
    variables: dict[str, Any] | None,
    *,
    actor: str | None = None,
) -> tuple[str, int]:
    """A business error the worker met (Camunda's handleBpmnError): the BPMN error `error_code`
    is thrown at the task. An error boundary event of the task, an event subprocess of its
    process, or those of a subprocess around it (engine.event_subprocesses.catcher), that
    catches the code (or every code) takes the item on from there, with `variables` set
    and the code and message in its `camunda:errorCodeVariable` / `errorMessageVariable`;
    'caught'. Caught by none, the item is parked in error (an incident, as in Camunda:
    `retry_instance` makes the task wait for a worker again): 'incident'. Returns that and the
    item's id."""
    now = config.clock()
    code = _one_word(error_code, "an error code", MAX_ERROR_CODE, "error_code_invalid")
    if "\x00" in code:
        raise InvalidData("an error code holds a NUL character", reason="nul_character")
    message = _worker_message(error_message)
    clean = _variables(variables)
    row = _held(session, task_id, _check_worker(worker_id), now)
    instance, version, workflow, task = _locked_item(session, config, row)
    event = WorkerError(code, message)
    boundary = catcher(task.workflow, task, event)  # a boundary event, or an event subprocess
    session.execute(delete(ExternalTaskModel).where(ExternalTaskModel.id == row.id))
    append_event(
        session,
        instance,
        at=now,
        actor=actor,
        kind="external_bpmn_error",
        element_id=row.element_id,
        details={
            "topic": row.topic,
            "worker": row.worker_id,
            "error_code": code,
            "message": message,
            "caught_by": boundary.task_spec.bpmn_id if boundary is not None else None,
        },
    )
    if boundary is None:
        task.data.update(clean)  # as Camunda: set before the error, kept for a retry
        task.error()
        error = ScriptError(
            f"the external task '{row.topic}' ended with the BPMN error '{code}', which no "
            f"error event catches{': ' + message if message else ''}",
            element_id=row.element_id,
        )
        error.details.update(reason="bpmn_error_uncaught", key=f"topic:{row.topic}")
        record_error(session, instance, error, now)
        persist(session, config, instance, version, workflow, actor)
        return "incident", instance.id
    with spiff_errors():
        catch_at(boundary, event, clean)
        run_engine_steps(workflow)
    _drop_cancelled(session, instance.id, workflow)
    persist(session, config, instance, version, workflow, actor)
    return "caught", instance.id


def _drop_cancelled(session: Session, instance_id: int, workflow: Any) -> None:
    """The rows of the item's external tasks that no longer wait (an error caught around them
    cancelled them): no worker may fetch them again."""
    waiting = [str(t.id) for t in workflow.get_tasks(state=TaskState.STARTED)]
    session.execute(
        delete(ExternalTaskModel).where(
            ExternalTaskModel.instance_id == instance_id,
            ExternalTaskModel.spiff_task_id.not_in(waiting),
        )
    )


def extend_lock(
    session: Session, task_id: str, worker_id: str, lock_seconds: float, now: datetime
) -> ExternalTaskView:
    """The worker holding the task keeps it `lock_seconds` longer from now."""
    lock = _check_seconds(lock_seconds, "lock_duration", 1)
    row = _held(session, task_id, _check_worker(worker_id), now)
    if row.lock_expires_at is not None and row.lock_expires_at < now:
        raise Conflict(
            f"the lock of external task {task_id} has run out: fetch it again",
            reason="lock_expired",
        )
    row.lock_expires_at = now + lock
    session.flush()
    return _view(row)


def list_external_tasks(
    session: Session,
    *,
    topic: str | None = None,
    item_id: int | None = None,
    process_id: str | None = None,
    limit: int = 50,
) -> list[ExternalTaskView]:
    """The external tasks waiting (of running items), the oldest first."""
    query = (
        select(ExternalTaskModel)
        .join(InstanceModel, InstanceModel.id == ExternalTaskModel.instance_id)
        .where(InstanceModel.status == InstanceStatus.RUNNING)
        .order_by(ExternalTaskModel.created_at, ExternalTaskModel.id)
        .limit(limit)
    )
    if topic:
        query = query.where(ExternalTaskModel.topic == topic)
    if item_id is not None:
        query = query.where(ExternalTaskModel.instance_id == item_id)
    if process_id:
        query = query.where(ExternalTaskModel.process_id == process_id)
    return [_view(r) for r in session.scalars(query)]
