"""Tasks: my inbox (the inbox page's engine function and keyset paging), one task with its form
as JSON Schema, the item's dossier and the item's `version` to send back, and the task page's
actions: claim, release, forward to a colleague ("Chuyển xử lý") and complete. A task the caller
may neither act on nor see the item of is 404, as on the pages, so ids cannot be probed.

Completing sends the form's own fields in `data` (the decision is one of them, e.g.
``{"ket_luan": "tra_lai", "y_kien": "…"}``): a name the form does not have is 422 with the field
named. A stale `expected_version` (the item moved since the caller read it) is 409 with who
acted last and when (``details.acted_by``, ``details.acted_at``) and the item's version now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

import engine
from workflows.items import complete_item
from workflows.roles import AUDITOR_GROUPS

from ..step_words import button
from ..unit_of_work import config, now, uow
from .core import READ, WRITE, me, operation
from .errors import ApiError
from .items import MAX_ID
from .schemas import DossierSectionOut, PageQuery, Request, TaskOut, section_out, task_out

TASK = "/tasks/<task_id>"


class InboxTaskOut(BaseModel):
    id: str
    item_id: int
    process: str
    element_id: str
    title: str
    item_title: str
    created_at: datetime
    due_at: datetime | None
    overdue: bool
    assignee: str | None
    assignee_name: str | None
    candidate_groups: list[str] = Field(description="the candidate groups' names")
    candidate_people: list[str] = Field(description="the candidate people's names")
    lane: str | None
    started_by: str = Field(description="the starter's name")
    releasable: bool = Field(description="held by claim or forward: POST …/release gives it back")


class InboxOut(BaseModel):
    tasks: list[InboxTaskOut]
    next_cursor: str | None = Field(description="give it as `cursor` for the next page")
    total: int = Field(description="open tasks in the whole inbox (see `more`)")
    overdue: int
    more: bool = Field(description="counting stopped: `total` means more than that")


class FormOut(BaseModel):
    kind: str = Field(description="jsonschema, camunda or none (only a comment)")
    json_schema: dict[str, Any] = Field(
        description="what `data` may hold when completing, as JSON Schema 2020-12"
    )
    decision_field: str = Field(description="the field whose value is the step's decision")
    documentation: str | None
    submit_label: str | None
    values: dict[str, Any] = Field(description="the item's data the form starts from")


class ColleagueOut(BaseModel):
    username: str
    name: str
    unit: str | None


class TaskDetail(BaseModel):
    task: TaskOut
    item_id: int
    item_title: str
    item_status: str
    version: int = Field(description="send it back as `expected_version` when completing")
    may_act: bool
    releasable: bool
    form: FormOut
    dossier: list[DossierSectionOut]
    forward_to: list[ColleagueOut] = Field(
        description="whom the caller may forward it to (POST …/forward); empty unless may_act"
    )


class ForwardBody(Request):
    to: str = Field(min_length=1, max_length=100, description="a colleague's username")
    comment: str | None = Field(None, max_length=2000)


class CompleteBody(Request):
    data: dict[str, Any] | None = Field(
        None, description="the form's fields (the decision is one of them); nothing else"
    )
    comment: str | None = Field(None, max_length=4000, description="kept in the history")
    expected_version: int | None = Field(
        None, description="the item's `version` as read: a stale one is 409 (nothing changes)"
    )


class CompletedOut(BaseModel):
    task_id: str
    item_id: int
    item_status: str
    version: int = Field(description="the item's version after the completion")
    open_tasks: list[TaskOut] = Field(description="the item's steps open now")


# --- the form as JSON Schema -----------------------------------------------------------------

_CAMUNDA_TYPES = {"long": "integer", "boolean": "boolean", "string": "string"}


def _camunda_schema(fields: list[dict[str, Any]]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for spec in fields:
        kind = spec.get("type") or "string"
        prop: dict[str, Any] = {"title": spec.get("label") or spec["id"]}
        prop["type"] = _CAMUNDA_TYPES.get(kind, "string")
        if kind == "date":
            prop["format"] = "date"
        if kind == "enum":
            prop["enum"] = [o["id"] for o in spec.get("options") or []]
        if spec.get("readonly"):
            prop["readOnly"] = True
        limits = spec.get("constraints") or {}
        for name, key in (("min", "minimum"), ("max", "maximum")):
            if name in limits and prop["type"] == "integer":
                prop[key] = int(limits[name])
        for name, key in (("minlength", "minLength"), ("maxlength", "maxLength")):
            if name in limits:
                prop[key] = int(limits[name])
        properties[spec["id"]] = prop
    required = [f["id"] for f in fields if f.get("required")]
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        **({"required": required} if required else {}),
    }


def form_out(form: engine.FormView) -> FormOut:
    if form.kind == "jsonschema" and form.schema is not None:
        schema = dict(form.schema)
    elif form.kind == "camunda":
        schema = _camunda_schema(form.fields)
    else:
        schema = {"type": "object", "properties": {}, "additionalProperties": False}
    return FormOut(
        kind=form.kind,
        json_schema=schema,
        decision_field=form.decision_field,
        documentation=form.documentation,
        submit_label=button(form, form.data),
        values=form.data,
    )


# --- access ----------------------------------------------------------------------------------


def require_task(session: Session, who: engine.Identity, task_id: str) -> engine.TaskAccess:
    """The task and the caller's rights, or 404 when they may neither act on it nor see its
    item (the task page's rule, web/inbox._access)."""
    access = engine.task_access(session, who, task_id)
    item_id = access.task.instance_id
    if not access.can_act and not (
        item_id <= MAX_ID and engine.may_view_instance(session, who, item_id, AUDITOR_GROUPS)
    ):
        raise engine.NotFound(f"task {task_id} does not exist")
    return access


def _detail(session: Session, who: engine.Identity, task_id: str) -> TaskDetail:
    access = require_task(session, who, task_id)
    task = access.task
    item, dossier = engine.item_with_dossier(session, task.instance_id, reader=who.username)
    colleagues = (
        [
            ColleagueOut(username=c.username, name=c.display_name, unit=c.unit_name)
            for c in engine.colleagues(session, config().hierarchy, who)
        ]
        if access.can_act
        else []
    )
    return TaskDetail(
        task=task_out(task, access.can_act),
        item_id=item.id,
        item_title=item.title,
        item_status=item.status,
        version=engine.instance_revision(session, item.id),
        may_act=access.can_act,
        releasable=access.releasable,
        form=form_out(engine.task_form(session, task.id)),
        dossier=[section_out(section) for section in dossier.sections],
        forward_to=colleagues,
    )


# --- routes ----------------------------------------------------------------------------------


@operation(
    "/tasks",
    "GET",
    summary="My inbox",
    tag="tasks",
    scope=READ,
    query=PageQuery,
    response=InboxOut,
)
def list_tasks(query: PageQuery) -> InboxOut:
    """The open tasks the caller may take (theirs and their groups'), the most urgent first,
    as the inbox page lists them, one keyset page at a time."""
    moment = now()
    with uow() as s:
        page = engine.inbox(s, me(), moment, after=query.cursor, limit=query.limit)
    return InboxOut(
        tasks=[
            InboxTaskOut(
                id=r.id,
                item_id=r.instance_id,
                process=r.process_id,
                element_id=r.element_id,
                title=r.title,
                item_title=r.item_title,
                created_at=r.created_at,
                due_at=r.due_at,
                overdue=bool(r.due_at and r.due_at < moment),
                assignee=r.assignee,
                assignee_name=r.assignee_name,
                candidate_groups=list(r.group_names),
                candidate_people=list(r.people_names),
                lane=r.lane,
                started_by=r.started_by_name,
                releasable=r.releasable,
            )
            for r in page.rows
        ],
        next_cursor=page.next_cursor,
        total=page.total,
        overdue=page.overdue,
        more=page.more,
    )


@operation(
    TASK, "GET", summary="One task", tag="tasks", scope=READ, response=TaskDetail, errors=(404,)
)
def show_task(task_id: str) -> TaskDetail:
    """The task with its form as JSON Schema (the same resolved form the task page shows), the
    item's dossier as the caller may read it, and the item's `version` to send back."""
    with uow() as s:
        return _detail(s, me(), task_id)


@operation(
    f"{TASK}/claim",
    "POST",
    summary="Claim a group task",
    tag="tasks",
    scope=WRITE,
    response=TaskDetail,
    errors=(403, 404, 409),
)
def claim_task(task_id: str) -> TaskDetail:
    """Makes a task of the caller's group theirs ("Nhận xử lý"); 409 with `details.handled_by`
    when a colleague holds it already."""
    who = me()
    with uow() as s:
        require_task(s, who, task_id)
        engine.claim_task(s, config(), task_id, who)
        return _detail(s, who, task_id)


@operation(
    f"{TASK}/release",
    "POST",
    summary="Give a claimed task back",
    tag="tasks",
    scope=WRITE,
    response=TaskDetail,
    errors=(403, 404, 409),
)
def release_task(task_id: str) -> TaskDetail:
    """Gives a claimed or forwarded task back to its group ("Thôi nhận xử lý"): 403 when the
    caller does not hold it, 409 (reason `assigned_by_process`) when the diagram names them."""
    who = me()
    with uow() as s:
        require_task(s, who, task_id)
        engine.unclaim_task(s, config(), task_id, who)
        return _detail(s, who, task_id)


@operation(
    f"{TASK}/forward",
    "POST",
    summary="Forward a task to a colleague",
    tag="tasks",
    scope=WRITE,
    body=ForwardBody,
    response=TaskOut,
    errors=(403, 404, 409, 422),
)
def forward_task(task_id: str, body: ForwardBody) -> TaskOut:
    """Hands the task to a colleague ("Chuyển xử lý"): one of the task's `forward_to`, else 403
    (reason `not_a_colleague`) and nothing moves. Answers the task as it is now."""
    who = me()
    with uow() as s:
        require_task(s, who, task_id)
        engine.assign_task(s, config(), task_id, who, body.to.strip(), comment=body.comment)
        return task_out(engine.task_access(s, who, task_id).task, False)


@operation(
    f"{TASK}/complete",
    "POST",
    summary="Complete a task",
    tag="tasks",
    scope=WRITE,
    body=CompleteBody,
    response=CompletedOut,
    errors=(403, 404, 409, 422),
)
def complete_task(task_id: str, body: CompleteBody) -> CompletedOut:
    """Completes the task with the form's fields in `data` (validated as the form validates
    them: an unknown field is 422 naming it) and a `comment`. With `expected_version`, a item
    that moved since is 409 (reason `stale_version`) with who acted last and when; a task done
    already is 409 with `details.handled_by`/`handled_at`."""
    who = me()
    with uow(write=False) as s:  # SpiffWorkflow's run, outside the write lock
        rehearsal = engine.rehearse_completion(
            s, config(), task_id, who, data=body.data, expected_version=body.expected_version
        )
    try:
        with uow() as s:
            task = require_task(s, who, task_id).task
            item_id = complete_item(
                s,
                config(),
                task.id,
                who,
                data=body.data,
                comment=body.comment,
                expected_version=body.expected_version,
                rehearsal=rehearsal,
            )
    except engine.Conflict as conflict:
        # The item moved since the caller read it (not: the task was done, the item ended).
        stale = conflict.details.get("reason") == "item_changed"
        if not stale or body.expected_version is None:
            raise
        raise _stale(conflict, body.expected_version) from conflict
    with uow(write=False) as s:  # read after the commit, not under the write lock
        item = engine.show_instance(s, item_id)
        return CompletedOut(
            task_id=task.id,
            item_id=item_id,
            item_status=item.status,
            version=engine.instance_revision(s, item_id),
            open_tasks=[task_out(t) for t in item.open_tasks],
        )


def _stale(conflict: engine.Conflict, expected: int) -> ApiError:
    """The item moved since the caller read it: who acted last, and when (a fresh read)."""
    item_id = int(conflict.details.get("instance_id") or 0)
    with uow(write=False) as s:  # an answer after a refused write: read only
        item = engine.show_instance(s, item_id)
        version = engine.instance_revision(s, item_id)
    last = next((h for h in reversed(item.history) if h.actor), None)
    return ApiError(
        409,
        "conflict",
        conflict.message,
        reason="stale_version",
        details={
            "expected_version": expected,
            "version": version,
            "acted_by": last.actor if last else None,
            "acted_at": last.at.isoformat() if last else None,
            "kind": last.kind if last else None,
        },
    )
