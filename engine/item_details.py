"""What a task page and an item page show beyond the task table: the task's form, the diagram
of the item's version, and which of its steps are done and which are current."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from .definitions import ProcessVersionModel, load_version
from .errors import NotFound
from .human_tasks import get_task_row
from .instances import InstanceModel
from .runtime import EngineConfig, load_workflow


@dataclass(frozen=True)
class FormView:
    """How to render a task's form: a JSON Schema, Camunda fields, or only a comment."""

    kind: str  # "jsonschema" | "camunda" | "none"
    schema: dict[str, Any] | None
    fields: list[dict[str, Any]]
    decision_field: str
    documentation: str | None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    completed: list[str]
    current: list[str]


def task_form(session: Session, task_id: str) -> FormView:
    row = get_task_row(session, task_id)
    instance = session.get(InstanceModel, row.instance_id)
    assert instance is not None
    version = load_version(session, instance.process_version_id)
    meta = version.tasks.get(row.meta_key)
    data = dict(instance.data)
    if meta is None:
        return FormView("none", None, [], "decision", None, data)
    if meta.form_file:
        return FormView(
            "jsonschema",
            version.forms[meta.form_file],
            [],
            meta.decision_field,
            meta.documentation,
            data,
        )
    if meta.form_fields:
        return FormView(
            "camunda",
            None,
            [dict(f) for f in meta.form_fields],
            meta.decision_field,
            meta.documentation,
            data,
        )
    return FormView("none", None, [], meta.decision_field, meta.documentation, data)


def instance_progress(session: Session, config: EngineConfig, instance_id: int) -> Progress:
    """Element ids of the item's own diagram that are done, and those where it waits now."""
    instance = session.get(InstanceModel, instance_id)
    if instance is None:
        raise NotFound(f"item {instance_id} does not exist")
    version = load_version(session, instance.process_version_id)
    workflow = load_workflow(instance, version, config)
    completed: set[str] = set()
    current: set[str] = set()
    for task in workflow.get_tasks():
        if task.workflow is not workflow:
            continue
        element = getattr(task.task_spec, "bpmn_id", None)
        if not element:
            continue
        if task.state == TaskState.COMPLETED:
            completed.add(element)
        elif task.state in (TaskState.READY, TaskState.STARTED) or (
            task.state == TaskState.WAITING and not isinstance(task.task_spec, BoundaryEvent)
        ):
            current.add(element)
    return Progress(sorted(completed - current), sorted(current))


def diagram_xml(session: Session, process_id: str, version: int | None = None) -> str:
    """The XML of the file that defines a process, at a version (default: the latest)."""
    query = select(ProcessVersionModel).where(ProcessVersionModel.process_id == process_id)
    if version is not None:
        query = query.where(ProcessVersionModel.version == version)
    row = session.scalars(query.order_by(ProcessVersionModel.version.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"process '{process_id}' is not deployed")
    if row.main_file is None or row.main_file not in row.files:
        raise NotFound(f"the diagram of process '{process_id}' is not stored")
    return row.files[row.main_file]


def step_titles(session: Session, instance_id: int) -> dict[str, str]:
    """Element id -> title of every human step of the item's version (its called processes
    included), from the version's own metadata: no task rows, no workflow state."""
    instance = session.get(InstanceModel, instance_id)
    if instance is None:
        raise NotFound(f"item {instance_id} does not exist")
    version = load_version(session, instance.process_version_id)
    return {meta.element_id: meta.name for meta in version.tasks.values()}
