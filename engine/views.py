"""What the engine hands out: frozen values, never ORM rows or SpiffWorkflow objects."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

MAX_ITEM_ID = 2_147_483_647  # an item's number: an integer column on PostgreSQL


class InstanceStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ERROR = "error"


class TaskStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


def to_jsonable(value: Any) -> Any:
    """Dataclass views as plain JSON values; datetimes as ISO 8601 UTC strings."""
    if hasattr(value, "__dataclass_fields__"):
        return to_jsonable(asdict(value))
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class DeployResult:
    process_id: str
    version: int
    content_hash: str
    created: bool


@dataclass(frozen=True)
class ProcessView:
    process_id: str
    name: str
    version: int
    versions: int
    dialect: str
    content_hash: str
    deployed_at: datetime


@dataclass(frozen=True)
class TaskView:
    id: str
    instance_id: int
    process_id: str
    element_id: str
    title: str
    lane: str | None
    candidate_groups: list[str]
    candidate_users: list[str]
    assignee: str | None
    status: str
    created_at: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str | None
    kind: str
    element_id: str | None
    decision: str | None
    comment: str | None
    task_id: str | None = None
    handed_to: str | None = None  # an "assigned" event's new holder (a forward, a hand-over)
    outcome: str | None = None  # a "finished" event's: the name of the end event reached


@dataclass(frozen=True)
class InstanceView:
    id: int
    process_id: str
    version: int
    title: str
    status: str
    created_by: str
    created_at: datetime
    data: dict[str, Any]
    open_tasks: list[TaskView]
    history: list[HistoryEntry]
    error: str | None = None


@dataclass(frozen=True)
class StuckRow:
    instance_id: int
    title: str
    task_id: str
    element_id: str
    lane: str | None
    holder: str
    since: datetime
    age_days: float
    due_at: datetime | None
    overdue: bool
    step: str = ""  # the open task's title; "" for an item waiting outside a task


@dataclass(frozen=True)
class AuditProblem:
    instance_id: int | None  # None: the chain across items, not one item's history
    event_seq: int | None
    message: str
