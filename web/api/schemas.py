"""The API's shapes, as pydantic models: the same classes validate what comes in, serialize what
goes out and, through `openapi.py`, are the document's schemas (JSON Schema 2020-12, the
dialect of OpenAPI 3.1). Shapes several resources share live here; a route module may keep its
own next to its routes (they reach the document through its `operation` declarations).

Converters from the engine's frozen views (`task_out`, …) keep the rules of what a person may
read in one place: a private field's text never leaves through a history's comment."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

import engine

MAX_LIMIT = 50


class Request(BaseModel):
    """A request's query or body: a name it does not declare is refused (422, ``unknown``)."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(Request):
    """Keyset paging: at most `limit` rows after the opaque `cursor` of the previous page's
    ``next_cursor`` (absent on the last page). A cursor that is not ours is the first page."""

    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="rows per page (1–50)")
    cursor: str | None = Field(None, max_length=1000, description="the previous next_cursor")


Status = Literal["running", "completed", "cancelled", "error"]


class FieldProblem(BaseModel):
    """One refused field: the engine's code (required, unknown, type, enum, min, max,
    min_length, max_length, min_items, max_items, format, …), its parameters, and words."""

    code: str
    message: str | None = None
    limit: Any = None
    options: Any = None


class ErrorDetail(BaseModel):
    code: str = Field(description="what went wrong, stable: decide by this")
    message: str = Field(description="English words for a log")
    reason: str | None = Field(None, description="the engine's cause (title_too_long, …)")
    details: dict[str, Any] | None = Field(None, description="the reason's parameters")
    fields: dict[str, FieldProblem] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


# --- processes --------------------------------------------------------------------------------


class ProcessOut(BaseModel):
    key: str = Field(description="the process key: POST /processes/{key}/items starts one")
    title: str
    title_en: str
    description: str
    description_en: str
    version: int = Field(description="the deployed version a new item runs on")
    built_in: bool = Field(
        description="one of the department's own processes; false: a model deployed besides them"
    )
    start_fields: list[str] = Field(description="the names `data` may hold when starting one")


class ProcessList(BaseModel):
    processes: list[ProcessOut]


class StartBody(Request):
    title: str | None = Field(None, description="the item's title; the process's name if empty")
    data: dict[str, Any] | None = Field(
        None, description="the item's starting data: only the process's start_fields"
    )


# --- items ------------------------------------------------------------------------------------


class TaskOut(BaseModel):
    id: str
    item_id: int
    process: str
    element_id: str
    title: str
    lane: str | None
    assignee: str | None
    candidate_groups: list[str]
    candidate_users: list[str]
    status: str
    created_at: datetime
    due_at: datetime | None
    may_act: bool | None = Field(None, description="whether the caller may take this step")


class ItemSummary(BaseModel):
    id: int
    process: str
    title: str
    status: Status
    created_by: str
    created_at: datetime
    changed_at: datetime | None = None
    open_tasks: list[TaskOut]


class ItemPage(BaseModel):
    items: list[ItemSummary]
    next_cursor: str | None = Field(description="give it as `cursor` for the next page")


class ItemsQuery(PageQuery):
    status: Status | None = Field(None, description="only items in this state")
    process: str | None = Field(None, max_length=100, description="only items of this process")


class HistoryOut(BaseModel):
    at: datetime
    actor: str | None
    kind: str
    element_id: str | None
    task_id: str | None
    decision: str | None
    comment: str | None


class DossierFieldOut(BaseModel):
    name: str
    label: str
    kind: str = Field(description="text, longtext, number, date, boolean, choice or list")
    value: Any


class DossierSectionOut(BaseModel):
    task_id: str | None
    element_id: str | None
    title: str
    actor: str | None
    at: datetime
    decision: str | None
    decision_label: str | None
    decision_value: str | None
    comment: str | None
    is_start: bool
    fields: list[DossierFieldOut]


class WaitingOut(BaseModel):
    element_id: str
    task_id: str
    path: list[str]


class DiagramState(BaseModel):
    """Element ids of the item's own diagram (GET /items/{id}/diagram.xml)."""

    completed: list[str]
    current: list[str]
    waiting: list[WaitingOut]


class ItemOut(ItemSummary):
    version: int = Field(
        description="the item's revision, as a task's `version`: send it as `expected_version`"
    )
    process_version: int = Field(description="the version of the process the item runs on")
    error: str | None
    may_cancel: bool
    dossier: list[DossierSectionOut]
    history: list[HistoryOut]
    diagram: DiagramState


class CancelBody(Request):
    # Spaces alone are no reason: refused as an empty one is (min_length).
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=2000, description="why, kept in the history")


# --- from the engine's views --------------------------------------------------------------------


def task_out(task: engine.TaskView, may_act: bool | None = None) -> TaskOut:
    return TaskOut(
        id=task.id,
        item_id=task.instance_id,
        process=task.process_id,
        element_id=task.element_id,
        title=task.title,
        lane=task.lane,
        assignee=task.assignee,
        candidate_groups=list(task.candidate_groups),
        candidate_users=list(task.candidate_users),
        status=task.status,
        created_at=task.created_at,
        due_at=task.due_at,
        may_act=may_act,
    )


def section_out(section: engine.DossierSection) -> DossierSectionOut:
    return DossierSectionOut(
        task_id=section.task_id,
        element_id=section.element_id,
        title=section.title,
        actor=section.actor,
        at=section.at,
        decision=section.decision,
        decision_label=section.decision_label,
        decision_value=section.decision_value,
        comment=None if section.hidden_comment else section.comment,
        is_start=section.is_start,
        fields=[
            DossierFieldOut(name=f.name, label=f.label, kind=f.kind, value=f.value)
            for f in section.fields
        ],
    )


def history_out(entry: engine.HistoryEntry, dossier: engine.Dossier) -> HistoryOut:
    said = dossier.by_task.get(entry.task_id or "") if entry.kind == "completed" else None
    return HistoryOut(
        at=entry.at,
        actor=entry.actor,
        kind=entry.kind,
        element_id=entry.element_id,
        task_id=entry.task_id,
        decision=entry.decision,
        # As on the item's page: a private field's text stays with the person who wrote it.
        comment=None if said and said.hidden_comment else entry.comment,
    )


def diagram_state(progress: engine.Progress) -> DiagramState:
    return DiagramState(
        completed=list(progress.completed),
        current=list(progress.current),
        waiting=[
            WaitingOut(element_id=w.element_id, task_id=w.task_id, path=list(w.path))
            for w in progress.waiting
        ],
    )
