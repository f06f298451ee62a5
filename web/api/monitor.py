"""Theo dõi through the API: where items wait (the stuck rows, oldest first, keyset paging) and
the counts, with the page's filters; the items parked in error; the external tasks waiting for
an outside worker. Managers and inspectors only, as the page (403 for anyone else)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

import engine
from workflows.roles import AUDITOR_GROUPS

from ..unit_of_work import now, uow
from .core import READ, me, operation
from .errors import ApiError
from .schemas import PageQuery

MonitorStatus = Literal["within", "overdue", "done_on_time", "done_late", "error"]


class MonitorQuery(PageQuery):
    process: str | None = Field(None, max_length=200, description="only this process's items")
    unit: str | None = Field(None, max_length=200, description="a unit's group key")
    step: str | None = Field(None, max_length=200, description="an element id")
    status: MonitorStatus | None = Field(None, description="only rows in this state")
    q: str | None = Field(None, max_length=200, description="words of the title")


class MonitorRowOut(BaseModel):
    item_id: int
    process: str
    title: str
    status: str
    step: str | None
    element_id: str | None
    task_id: str | None
    holder: str
    unit: str | None
    since: datetime
    due_at: datetime | None
    age_days: float


class CountOut(BaseModel):
    name: str
    count: int


class ExternalWaitOut(BaseModel):
    id: str
    item_id: int
    process: str
    element_id: str
    topic: str
    since: datetime
    worker_id: str | None
    lock_expires_at: datetime | None
    retries: int | None
    error_message: str | None


class MonitorOut(BaseModel):
    rows: list[MonitorRowOut]
    next_cursor: str | None = Field(description="give it as `cursor` for the next page")
    total: int
    by_status: dict[str, int]
    per_step: list[CountOut]
    per_unit: list[CountOut]
    capped: bool = Field(description="the counts cover only the longest-waiting steps")
    external_tasks: list[ExternalWaitOut] = Field(
        description="items waiting for an outside worker (external tasks), oldest first; on "
        "the first page only"
    )


@operation(
    "/monitor",
    "GET",
    summary="Theo dõi: where items wait",
    tag="monitor",
    scope=READ,
    query=MonitorQuery,
    response=MonitorOut,
    errors=(403,),
)
def show_monitor(query: MonitorQuery) -> MonitorOut:
    """The rows of Theo dõi (each open step, or each item in error, or with
    `status=done_on_time|done_late` each finished item) with the page's filters, and their
    counts by status, step and unit. Managers and inspectors only (403)."""
    who = me()
    if not engine.is_auditor(who, AUDITOR_GROUPS):
        raise ApiError(403, "forbidden", "only managers and inspectors may open Theo dõi")
    filters = engine.MonitorFilter(
        process_id=query.process,
        unit=query.unit,
        element_id=query.step,
        status=query.status,
        text=query.q,
    )
    with uow() as s:
        found = engine.monitor(s, now(), filters, after=query.cursor, limit=query.limit)
        external = (
            engine.list_external_tasks(s, process_id=query.process, limit=query.limit)
            if query.cursor is None and query.status in (None, "within")
            else []
        )
    return MonitorOut(
        rows=[
            MonitorRowOut(
                item_id=r.instance_id,
                process=r.process_id,
                title=r.title,
                status=r.status,
                step=r.step,
                element_id=r.element_id,
                task_id=r.task_id,
                holder=r.holder,
                unit=r.unit,
                since=r.since,
                due_at=r.due_at,
                age_days=r.age_days,
            )
            for r in found.rows
        ],
        next_cursor=found.next_cursor,
        total=found.total,
        by_status=found.by_status,
        per_step=[CountOut(name=n, count=c) for n, c in found.per_step],
        per_unit=[CountOut(name=n, count=c) for n, c in found.per_unit],
        capped=found.capped,
        external_tasks=[
            ExternalWaitOut(
                id=t.id,
                item_id=t.item_id,
                process=t.process_id,
                element_id=t.element_id,
                topic=t.topic,
                since=t.created_at,
                worker_id=t.worker_id,
                lock_expires_at=t.lock_expires_at,
                retries=t.retries,
                error_message=t.error_message,
            )
            for t in external
        ],
    )
