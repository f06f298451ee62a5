"""What people do to items: start, complete, claim, unclaim, assign, cancel.

Each function is one unit of work inside the caller's transaction: lock the instance row, check
its version and the task, check the person, act, run engine steps, save, refresh the task rows,
append audit events. They never commit; on any error the caller rolls back and nothing changed.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit import append_event
from .definitions import latest_version, load_version
from .errors import Conflict, Forbidden, InvalidData, InvalidInput, NotFound
from .forms import validate_form
from .forwarding import require_colleague
from .human_tasks import (
    HumanTaskModel,
    get_task_row,
    may_act,
    require_may_act,
    require_open,
)
from .instances import InstanceModel, lock_instance, require_running
from .runtime import EngineConfig, load_workflow, new_workflow, persist, spiff_errors
from .serialization import SERIALIZER_VERSION
from .users import ADMIN_GROUP, Identity, get_identity
from .views import InstanceStatus, TaskStatus

MAX_TITLE = 500
MAX_COMMENT = 10_000


def start_instance(
    session: Session,
    config: EngineConfig,
    process_id: str,
    username: str,
    *,
    title: str | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Start the latest version of a process; returns the new item's id."""
    who = get_identity(session, username)
    row = latest_version(session, process_id)
    version = load_version(session, row.id)
    if data is not None and not isinstance(data, dict):
        raise InvalidData("start data must be a JSON object")
    # Like Camunda's initiator: diagrams can send work back to the starter and their unit.
    data = {**validate_form(None, {}, data), "initiator": who.username, "initiator_unit": who.unit}
    title = (title or "").replace("\x00", "").strip() or version.name
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"a title has at most {MAX_TITLE} characters")
    now = config.clock()
    workflow = new_workflow(version, config)
    with spiff_errors():
        for task in workflow.get_tasks(state=TaskState.READY):
            task.set_data(**data)
        workflow.do_engine_steps()
    instance = InstanceModel(
        process_version_id=row.id,
        process_id=process_id,
        title=title,
        status=InstanceStatus.RUNNING,
        created_by=who.username,
        created_at=now,
        updated_at=now,
        state="",
        serializer_version=SERIALIZER_VERSION,
        data={},
    )
    session.add(instance)
    session.flush()
    append_event(
        session,
        instance,
        at=now,
        actor=who.username,
        kind="started",
        details={"version": version.version, "data": data},
    )
    persist(session, config, instance, version, workflow, who.username)
    return instance.id


def _locked_task(
    session: Session, task_id: str, who: Identity, expected_version: int | None
) -> tuple[HumanTaskModel, InstanceModel]:
    """The task row and its locked instance, re-read after the lock so a race is seen."""
    task_id = _task_uuid(task_id)
    instance_id = session.scalar(
        select(HumanTaskModel.instance_id).where(HumanTaskModel.id == task_id)
    )
    if instance_id is None:
        raise NotFound(f"task {task_id} does not exist")
    instance = lock_instance(session, instance_id, expected_version)
    # Read the row only once the instance is locked, so a colleague's completion is seen.
    row = get_task_row(session, task_id)
    if row.status != TaskStatus.OPEN:
        if row.completed_by == who.username or _was_candidate(session, row, who):
            require_open(row)
        raise Forbidden(f"{who.username} may not act on task '{row.title}'", task_id=row.id)
    require_running(instance)
    return row, instance


def _task_uuid(task_id: str) -> str:
    try:
        return str(UUID(str(task_id)))
    except ValueError as exc:
        raise NotFound(f"task {task_id} does not exist") from exc


def _was_candidate(session: Session, row: HumanTaskModel, who: Identity) -> bool:
    holder = row.assignee
    row.assignee = None
    try:
        return may_act(session, row, who) or holder == who.username
    finally:
        row.assignee = holder


def complete_task(
    session: Session,
    config: EngineConfig,
    task_id: str,
    username: str,
    *,
    data: dict[str, Any] | None = None,
    comment: str | None = None,
    expected_version: int | None = None,
) -> int:
    """Complete a READY human task with its form data; returns the item's id."""
    who = get_identity(session, username)
    row, instance = _locked_task(session, task_id, who, expected_version)
    require_may_act(session, row, who)
    comment = _comment(comment)
    version = load_version(session, instance.process_version_id)
    meta = version.tasks.get(row.meta_key)
    clean = validate_form(meta, version.forms, data)
    workflow = load_workflow(instance, version, config)
    task = workflow.get_task_from_id(UUID(row.id))
    if task is None or task.state != TaskState.READY:
        raise Conflict(f"task '{row.title}' is no longer waiting for anyone", task_id=row.id)
    with spiff_errors():
        task.set_data(**clean)
        task.run()
        workflow.do_engine_steps()
    now = config.clock()
    decision_field = meta.decision_field if meta else "decision"
    decision = clean.get(decision_field)
    row.status = TaskStatus.COMPLETED
    row.completed_at = now
    row.completed_by = who.username
    row.decision = None if decision is None else str(decision)
    row.comment = comment
    append_event(
        session,
        instance,
        at=now,
        actor=who.username,
        kind="completed",
        task_id=row.id,
        element_id=row.element_id,
        decision=row.decision,
        comment=comment,
        # The whole submission: the dossier and the history show what each step said.
        details={"data": clean},
    )
    persist(session, config, instance, version, workflow, who.username)
    return instance.id


def _comment(comment: str | None) -> str | None:
    comment = (comment or "").replace("\x00", "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise InvalidInput(f"a comment has at most {MAX_COMMENT:,} characters")
    return comment


def claim_task(session: Session, config: EngineConfig, task_id: str, username: str) -> None:
    """Make a group task this person's own, so colleagues see it is being handled."""
    who = get_identity(session, username)
    row, instance = _locked_task(session, task_id, who, None)
    if row.assignee == who.username:
        return
    if row.assignee:
        raise Conflict(
            f"task '{row.title}' is already held by {row.assignee}",
            task_id=row.id,
            handled_by=row.assignee,
        )
    require_may_act(session, row, who)
    row.assignee = who.username
    append_event(
        session,
        instance,
        at=config.clock(),
        actor=who.username,
        kind="claimed",
        task_id=row.id,
        element_id=row.element_id,
    )


def unclaim_task(session: Session, config: EngineConfig, task_id: str, username: str) -> None:
    """Give a claimed task back to its group."""
    who = get_identity(session, username)
    row, instance = _locked_task(session, task_id, who, None)
    if row.assignee != who.username:
        raise Forbidden(f"task '{row.title}' is not held by {who.username}", task_id=row.id)
    if row.process_assignee == who.username:
        raise Conflict(
            f"task '{row.title}' was given to {who.username} by the process itself: "
            "forward it to a colleague instead",
            task_id=row.id,
            reason="assigned_by_process",
        )
    row.assignee = row.process_assignee
    append_event(
        session,
        instance,
        at=config.clock(),
        actor=who.username,
        kind="unclaimed",
        task_id=row.id,
        element_id=row.element_id,
    )


def assign_task(
    session: Session,
    config: EngineConfig,
    task_id: str,
    username: str,
    to_username: str,
    *,
    comment: str | None = None,
) -> None:
    """Forward a task to a colleague (see `forward_candidates`), who may then act on it;
    anyone else is refused with Forbidden (reason 'not_a_colleague') and nothing changes."""
    who = get_identity(session, username)
    row, instance = _locked_task(session, task_id, who, None)
    require_may_act(session, row, who)
    # Only active, existing people are colleagues: this also refuses unknown names.
    require_colleague(session, config.hierarchy, who, to_username)
    comment = _comment(comment)
    row.assignee = to_username
    append_event(
        session,
        instance,
        at=config.clock(),
        actor=who.username,
        kind="assigned",
        task_id=row.id,
        element_id=row.element_id,
        comment=comment,
        details={"to": to_username},
    )


def cancel_instance(
    session: Session, config: EngineConfig, instance_id: int, username: str, reason: str
) -> None:
    """Stop an item for good, with the reason; only its starter or an administrator may."""
    who = get_identity(session, username)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("cancelling an item needs a reason")
    instance = lock_instance(session, instance_id)
    if instance.created_by != who.username and ADMIN_GROUP not in who.groups:
        raise Forbidden(
            f"only {instance.created_by} or an administrator may cancel item {instance_id}"
        )
    if instance.status not in (InstanceStatus.RUNNING, InstanceStatus.ERROR):
        require_running(instance)
    version = load_version(session, instance.process_version_id)
    workflow = load_workflow(instance, version, config)
    with spiff_errors():
        workflow.cancel()
    now = config.clock()
    instance.status = InstanceStatus.CANCELLED
    persist(session, config, instance, version, workflow, who.username)
    instance.ended_at = now
    instance.next_timer_at = None
    append_event(
        session, instance, at=now, actor=who.username, kind="cancelled", comment=_comment(reason)
    )


def rename_instance(
    session: Session, config: EngineConfig, instance_id: int, username: str, title: str
) -> None:
    """Give an item a new title (recorded in its history)."""
    title = (title or "").replace("\x00", "").strip()
    if not title:
        raise InvalidInput("a title cannot be empty")
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    instance = lock_instance(session, instance_id)
    if instance.title == title:
        return
    append_event(
        session,
        instance,
        at=config.clock(),
        actor=username,
        kind="renamed",
        details={"from": instance.title, "to": title},
    )
    instance.title = title
