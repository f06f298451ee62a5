"""External tasks for outside workers (Camunda's external task clients): a service task
`camunda:type="external" camunda:topic="NAME"` whose topic no handler in PHEDUYET_SERVICES takes
waits for a worker that fetches and locks it, then completes it with variables or reports a
failure (engine/external_tasks.py).

Who may act as a worker: administrators and the members of the group `external_workers` (a
service account made for the worker, with a write token); anyone else is 403. A worker sees
and sets the data of every item of its topics, so its token is given like an administrator's.
Durations are in milliseconds, as Camunda's REST API has them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

import engine

from ..unit_of_work import config, now, uow
from .core import WRITE, me, operation
from .errors import ApiError
from .schemas import Request

EXTERNAL_WORKERS_GROUP = "external_workers"
TASK = "/external-tasks/<task_id>"
MAX_MS = 24 * 3600 * 1000


class FetchBody(Request):
    worker_id: str = Field(min_length=1, max_length=200, description="the worker's own name")
    topics: list[str] = Field(min_length=1, max_length=50, description="topic names to fetch")
    max_tasks: int = Field(10, ge=1, le=100)
    lock_duration: int = Field(
        ge=1000, le=MAX_MS, description="how long the tasks stay locked, in milliseconds"
    )


class ExternalTaskOut(BaseModel):
    id: str
    item_id: int
    process: str
    element_id: str
    topic: str
    worker_id: str | None
    lock_expires_at: datetime | None
    retries: int | None = Field(description="as the last failure left them; null before")
    error_message: str | None


class LockedTaskOut(ExternalTaskOut):
    variables: dict[str, Any] = Field(description="the item's data")


class FetchedOut(BaseModel):
    tasks: list[LockedTaskOut]


class CompleteExternalBody(Request):
    worker_id: str = Field(min_length=1, max_length=200)
    variables: dict[str, Any] | None = Field(None, description="set on the item")


class CompletedExternalOut(BaseModel):
    item_id: int
    item_status: str


class FailureBody(Request):
    worker_id: str = Field(min_length=1, max_length=200)
    error_message: str = Field(min_length=1, max_length=2000)
    retries: int = Field(ge=0, le=1000, description="retries left: 0 makes an incident")
    retry_timeout: int = Field(
        0, ge=0, le=MAX_MS, description="milliseconds before the task may be fetched again"
    )


class FailureOut(BaseModel):
    outcome: Literal["retry", "incident"]


class BpmnErrorBody(Request):
    worker_id: str = Field(min_length=1, max_length=200)
    error_code: str = Field(
        min_length=1, max_length=200, description="the BPMN error's code (its errorCode)"
    )
    error_message: str | None = Field(None, max_length=2000)
    variables: dict[str, Any] | None = Field(None, description="set on the item first")


class BpmnErrorOut(BaseModel):
    outcome: Literal["caught", "incident"]
    item_id: int
    item_status: str


class ExtendBody(Request):
    worker_id: str = Field(min_length=1, max_length=200)
    new_duration: int = Field(ge=1000, le=MAX_MS, description="milliseconds from now")


def _worker() -> engine.Identity:
    who = me()
    if engine.ADMIN_GROUP not in who.groups and EXTERNAL_WORKERS_GROUP not in who.groups:
        raise ApiError(
            403,
            "forbidden",
            f"only administrators and the group '{EXTERNAL_WORKERS_GROUP}' act as external workers",
            reason="not_an_external_worker",
        )
    return who


def _out(task: engine.ExternalTaskView) -> dict[str, Any]:
    return {
        "id": task.id,
        "item_id": task.item_id,
        "process": task.process_id,
        "element_id": task.element_id,
        "topic": task.topic,
        "worker_id": task.worker_id,
        "lock_expires_at": task.lock_expires_at,
        "retries": task.retries,
        "error_message": task.error_message,
    }


@operation(
    "/external-tasks/fetch-and-lock",
    "POST",
    summary="Fetch and lock external tasks",
    tag="external tasks",
    scope=WRITE,
    body=FetchBody,
    response=FetchedOut,
)
def fetch_external_tasks(body: FetchBody) -> FetchedOut:
    """Locks for `worker_id` up to `max_tasks` free tasks of the topics, the oldest first, for
    `lock_duration` ms, with each item's data; an empty list when none waits (poll again)."""
    _worker()
    with uow() as s:
        locked = engine.fetch_and_lock(
            s, body.worker_id, body.topics, body.max_tasks, body.lock_duration / 1000, now()
        )
    return FetchedOut(tasks=[LockedTaskOut(**_out(t.task), variables=t.variables) for t in locked])


@operation(
    f"{TASK}/complete",
    "POST",
    summary="Complete an external task",
    tag="external tasks",
    scope=WRITE,
    body=CompleteExternalBody,
    response=CompletedExternalOut,
    errors=(404, 409),
)
def complete_external_task(task_id: str, body: CompleteExternalBody) -> CompletedExternalOut:
    """Sets `variables` on the item and runs it on, in one transaction. Only the worker holding
    the lock may (409, reason `lock_not_held`, with `details.locked_by`)."""
    who = _worker()
    with uow() as s:
        item_id = engine.complete_external(
            s, config(), task_id, body.worker_id, body.variables, actor=who.username
        )
        status = engine.item_status(s, item_id)
    return CompletedExternalOut(item_id=item_id, item_status=status)


@operation(
    f"{TASK}/failure",
    "POST",
    summary="Report an external task's failure",
    tag="external tasks",
    scope=WRITE,
    body=FailureBody,
    response=FailureOut,
    errors=(404, 409),
)
def external_task_failure(task_id: str, body: FailureBody) -> FailureOut:
    """With `retries` left the task may be fetched again after `retry_timeout` ms; with 0 the
    item is parked in error with the message (Theo dõi's "Thử lại" or POST /items/{id}/retry
    makes the task wait for a worker again)."""
    who = _worker()
    with uow() as s:
        outcome = engine.fail_external(
            s,
            config(),
            task_id,
            body.worker_id,
            body.error_message,
            body.retries,
            body.retry_timeout / 1000,
            actor=who.username,
        )
    return FailureOut(outcome=outcome)  # type: ignore[arg-type]


@operation(
    f"{TASK}/bpmn-error",
    "POST",
    summary="Report a business error (BPMN error) of an external task",
    tag="external tasks",
    scope=WRITE,
    body=BpmnErrorBody,
    response=BpmnErrorOut,
    errors=(404, 409),
)
def external_task_bpmn_error(task_id: str, body: BpmnErrorBody) -> BpmnErrorOut:
    """Camunda's handleBpmnError: the BPMN error `error_code` is thrown at the task. An error
    boundary event of the task (or of a subprocess around it) that catches the code takes the
    item on, with `variables` set and the code and message in the event's
    camunda:errorCodeVariable / errorMessageVariable (`outcome` "caught"); caught by none, the
    item is parked in error as for a failure without retries ("incident")."""
    who = _worker()
    with uow() as s:
        outcome, item_id = engine.bpmn_error_external(
            s,
            config(),
            task_id,
            body.worker_id,
            body.error_code,
            body.error_message,
            body.variables,
            actor=who.username,
        )
        status = engine.item_status(s, item_id)
    return BpmnErrorOut(outcome=outcome, item_id=item_id, item_status=status)  # type: ignore[arg-type]


@operation(
    f"{TASK}/extend-lock",
    "POST",
    summary="Extend an external task's lock",
    tag="external tasks",
    scope=WRITE,
    body=ExtendBody,
    response=ExternalTaskOut,
    errors=(404, 409),
)
def extend_external_lock(task_id: str, body: ExtendBody) -> ExternalTaskOut:
    """The worker holding the lock keeps the task `new_duration` ms from now (409 once the lock
    has run out or another worker holds it)."""
    _worker()
    with uow() as s:
        task = engine.extend_lock(s, task_id, body.worker_id, body.new_duration / 1000, now())
    return ExternalTaskOut(**_out(task))
